"""/api/v1/contributions, financial-types, campaigns, pledges, recurring-contributions."""

from decimal import Decimal

from amicale_contribute.models import Contribution


def test_record_and_read_a_contribution_with_exact_amounts(api_client, factories, count_rows):
    donor, solicitor = factories.contact(), factories.contact()
    api = api_client("staff")
    made = api.post(
        "/api/v1/contributions",
        json={
            "contact_id": donor.id,
            "financial_type": "Donation",
            "payment_instrument": "cheque",
            "check_number": "0012345",
            "amount": "0.10",
            "receive_date": "2026-04-01",
            "soft_credits": [{"contact_id": solicitor.id, "kind": "solicitor"}],
        },
    )
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["amount"] == "0.10" and body["status"] == "Completed"
    assert body["soft_credits"][0]["contact_id"] == solicitor.id
    listed = api.get(f"/api/v1/contributions?contact_id={donor.id}").get_json()
    assert listed["total"] == 1 and listed["items"][0]["check_number"] == "0012345"
    dated = api.get("/api/v1/contributions?from=2026-05-01").get_json()
    assert dated["total"] == 0


def test_bad_input_is_a_422_by_field_and_writes_nothing(api_client, factories, count_rows):
    donor = factories.contact()
    api = api_client("staff")
    bad = api.post(
        "/api/v1/contributions",
        json={
            "contact_id": donor.id,
            "amount": 12.5,
            "status": "Lost",
            "financial_type": "Donation",
        },
    )
    assert bad.status_code == 422
    errors = bad.get_json()["errors"]
    assert "status" in errors
    assert count_rows(Contribution) == 0
    assert api.post("/api/v1/contributions", json=[1]).status_code == 422


def test_payments_status_campaign_progress_and_pledges(api_client, factories):
    api = api_client("staff")
    campaign = api.post("/api/v1/campaigns", json={"name": "Toiture", "goal_amount": "200.00"})
    assert campaign.status_code == 201
    cid = campaign.get_json()["id"]
    donor = factories.contact()
    c = api.post(
        "/api/v1/contributions",
        json={
            "contact_id": donor.id,
            "financial_type": "Donation",
            "amount": "100.00",
            "status": "Pending",
            "campaign_id": cid,
        },
    ).get_json()
    paid = api.post(f"/api/v1/contributions/{c['id']}/payments", json={"amount": "100.00"})
    assert paid.get_json()["status"] == "Completed"
    progress = api.get(f"/api/v1/campaigns/{cid}").get_json()["progress"]
    assert progress == {"raised": "100.00", "donors": 1, "gifts": 1, "percent": 50}
    refunded = api.post(f"/api/v1/contributions/{c['id']}/status", json={"status": "Refunded"})
    assert refunded.get_json()["status"] == "Refunded"
    pledge = api.post(
        "/api/v1/pledges",
        json={
            "contact_id": donor.id,
            "amount": "90.00",
            "installments": 3,
            "financial_type": "Donation",
        },
    ).get_json()
    assert [p["scheduled_amount"] for p in pledge["payments"]] == ["30.00"] * 3
    first = api.post(f"/api/v1/pledges/{pledge['id']}/payments", json={})
    assert first.status_code == 201 and Decimal(first.get_json()["amount"]) == Decimal("30")
    assert api.get(f"/api/v1/pledges/{pledge['id']}").get_json()["status"] == "In Progress"


def test_permissions(api_client):
    assert (
        api_client("readonly").post("/api/v1/financial-types", json={"name": "X"}).status_code
        == 403
    )
    assert api_client(None).get("/api/v1/contributions").status_code in (401, 403)
    types = api_client("readonly").get("/api/v1/financial-types").get_json()
    assert "Member Dues" in [t["name"] for t in types["items"]]


def test_custom_fields_of_contributions_in_the_api_and_the_form(
    api_client, factories, login_as, app, count_rows
):
    from amicale.api_for_plugins import session
    from amicale.customfields import services as custom

    with app.app_context():
        s = session()
        group = custom.create_group(
            s, {"name": "gift", "title": "About the gift", "extends": "contribute_contribution"}
        )
        custom.create_field(
            s,
            {
                "custom_group_id": group.id,
                "name": "appeal_letter",
                "label": "Appeal letter",
                "data_type": "integer",
            },
        )
        s.commit()
    donor = factories.contact()
    api = api_client("staff")
    bad = api.post(
        "/api/v1/contributions",
        json={
            "contact_id": donor.id,
            "amount": "x",
            "financial_type": "Donation",
            "custom": {"appeal_letter": "trois"},
        },
    )
    assert bad.status_code == 422
    assert {"amount", "custom.appeal_letter"} <= set(bad.get_json()["errors"])
    assert count_rows(Contribution) == 0
    made = api.post(
        "/api/v1/contributions",
        json={
            "contact_id": donor.id,
            "amount": "15.00",
            "financial_type": "Donation",
            "custom": {"appeal_letter": "3"},
        },
    )
    assert made.status_code == 201 and made.get_json()["custom"] == {"appeal_letter": 3}
    web = login_as("staff", locale="en")
    form = web.get(f"/contribute/{made.get_json()['id']}/edit").get_data(as_text=True)
    assert "Appeal letter" in form and 'name="custom-appeal_letter"' in form and 'value="3"' in form
