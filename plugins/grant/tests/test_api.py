"""/api/v1/grant-programmes, /api/v1/grants (with the workflow, reviews, payments) and
/api/v1/funding-applications, in the OpenAPI document."""

from sqlalchemy import select

from amicale.api_for_plugins import session
from amicale_grant.models import GrantType


def _type_id(app) -> int:
    with app.app_context():
        return session().scalar(select(GrantType.id).where(GrantType.name == "Project grant"))


def test_the_resources_are_in_the_openapi_document(api_client):
    doc = api_client("staff").get("/api/v1/openapi.json").get_json()
    for path in (
        "/api/v1/grant-programmes",
        "/api/v1/grants",
        "/api/v1/grants/{grant_id}/status",
        "/api/v1/funding-applications",
    ):
        assert path in doc["paths"], path


def test_a_grant_through_the_api(api_client, factories, app):
    staff, admin = api_client("staff"), api_client("administrator")
    applicant = factories.contact()
    created = staff.post(
        "/api/v1/grants",
        json={
            "contact_id": applicant.id,
            "grant_type_id": _type_id(app),
            "amount_total": "1200.00",
            "grant_due_date": "2027-03-31",
        },
    )
    assert created.status_code == 201, created.get_json()
    grant = created.get_json()
    assert grant["status"] == "Submitted"
    assert grant["amount_total"] == "1200.00"
    gid = grant["id"]
    assert staff.post(f"/api/v1/grants/{gid}/reviews", json={"score": 7}).status_code == 201
    assert (
        staff.post(f"/api/v1/grants/{gid}/status", json={"status": "Eligible"}).status_code == 200
    )
    refused = staff.post(f"/api/v1/grants/{gid}/status", json={"status": "Approved"})
    assert refused.status_code == 403
    approved = admin.post(
        f"/api/v1/grants/{gid}/status", json={"status": "Approved", "amount_granted": "1000"}
    )
    assert approved.get_json()["amount_granted"] == "1000.00"
    wrong = admin.post(f"/api/v1/grants/{gid}/status", json={"status": "Submitted"})
    assert wrong.status_code == 422
    paid = admin.post(
        f"/api/v1/grants/{gid}/payments", json={"payment_date": "2027-01-05", "amount": "1000.00"}
    )
    assert paid.status_code == 201
    shown = staff.get(f"/api/v1/grants/{gid}").get_json()
    assert shown["status"] == "Paid"
    assert shown["amount_paid"] == "1000.00"
    assert shown["average_score"] == 7.0


def test_the_grants_are_filtered(api_client, factories, in_app):
    from amicale_grant import services

    small = factories.grant.grant(amount_total="300.00")
    big = factories.grant.grant(amount_total="9000.00")
    with in_app() as s:
        services.change_status(s, big.id, {"status": "Ineligible", "decision_date": "2026-05-02"})
        s.commit()
    client = api_client("staff")
    ids = lambda q: [g["id"] for g in client.get(f"/api/v1/grants?{q}").get_json()["items"]]  # noqa: E731
    assert ids("amount_max=1000") == [small.id]
    assert ids("amount_min=1000") == [big.id]
    assert ids("status=Ineligible") == [big.id]
    assert ids("decided_from=2026-05-01&decided_to=2026-05-31") == [big.id]
    assert ids("decided_from=2026-06-01") == []


def test_a_bad_grant_answers_422_by_field(api_client):
    response = api_client("staff").post("/api/v1/grants", json={"amount_total": 12.5})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert "contact_id" in errors and "grant_type_id" in errors


def test_programmes_through_the_api(api_client):
    admin = api_client("administrator")
    created = admin.post(
        "/api/v1/grant-programmes",
        json={"name": "Culture 2027", "budget": "15000.00", "is_public": True},
    )
    assert created.status_code == 201
    pid = created.get_json()["id"]
    assert (
        admin.patch(f"/api/v1/grant-programmes/{pid}", json={"budget": "18000"}).get_json()[
            "budget"
        ]
        == "18000.00"
    )
    listed = api_client("staff").get("/api/v1/grant-programmes").get_json()
    assert [p["name"] for p in listed["items"]] == ["Culture 2027"]
    assert (
        api_client("staff").post("/api/v1/grant-programmes", json={"name": "X"}).status_code == 403
    )


def test_funding_applications_through_the_api(api_client, factories):
    funder = factories.organization(organization_name="Fondation du Rhône")
    person = factories.contact()
    client = api_client("staff")
    refused = client.post(
        "/api/v1/funding-applications",
        json={"funder_contact_id": person.id, "title": "Garden", "amount_requested": "5000"},
    )
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["funder_contact_id"] == ["A funder is an organisation."]
    created = client.post(
        "/api/v1/funding-applications",
        json={
            "funder_contact_id": funder.id,
            "title": "Shared garden 2027",
            "amount_requested": "5000.00",
            "deadline": "2027-02-15",
        },
    )
    assert created.status_code == 201
    fid = created.get_json()["id"]
    assert created.get_json()["funder"] == "Fondation du Rhône"
    no_amount = client.patch(f"/api/v1/funding-applications/{fid}", json={"status": "Awarded"})
    assert no_amount.status_code == 422
    awarded = client.patch(
        f"/api/v1/funding-applications/{fid}",
        json={"status": "Awarded", "amount_obtained": "4000.00"},
    )
    assert awarded.get_json()["amount_obtained"] == "4000.00"
    found = client.get(f"/api/v1/funding-applications?funder_contact_id={funder.id}").get_json()
    assert found["total"] == 1
    assert (
        client.get("/api/v1/funding-applications?deadline_to=2027-01-01").get_json()["total"] == 0
    )


def test_a_funders_report_and_its_figures_through_the_api(api_client, factories):
    application = factories.grant.funding(title="Culture for all")
    client = api_client("staff")
    report = client.post(
        f"/api/v1/funding-applications/{application.id}/reports",
        json={"title": "Final report", "due_date": "2027-09-30"},
    )
    assert report.status_code == 201
    rid = report.get_json()["id"]
    indicator = client.post(
        f"/api/v1/funding-applications/reports/{rid}/indicators",
        json={"label": "Contacts", "source_report": "contacts_by_type"},
    )
    assert indicator.status_code == 201
    pulled = indicator.get_json()
    assert pulled["figures"]["rows"] and pulled["value"]
    again = client.post(f"/api/v1/funding-applications/indicators/{pulled['id']}/pull")
    assert again.status_code == 200
    listed = client.get(f"/api/v1/funding-applications/{application.id}/reports").get_json()
    assert listed[0]["title"] == "Final report"
    assert listed[0]["indicators"][0]["label"] == "Contacts"
    assert (
        api_client("readonly")
        .post(f"/api/v1/funding-applications/indicators/{pulled['id']}/pull")
        .status_code
        == 403
    )
