"""The hooks Grant answers: merge, a person's data and its erasure, mail tokens, search filters,
the summary and dashboard widget, reports, the import of grants, custom field entities."""

import io
import re
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from amicale.api_for_plugins import hook, session
from amicale_grant import services
from amicale_grant.models import FundingApplication, Grant, GrantAttachment


def merged(results) -> dict:
    out: dict = {}
    for r in results:
        for cid, values in (r or {}).items():
            out.setdefault(cid, {}).update(values)
    return out


def _approve(s, grant_id, **values):
    services.change_status(s, grant_id, {"status": "Eligible"})
    return services.change_status(s, grant_id, {"status": "Approved", **values})


def test_merging_moves_the_grants_and_funding_to_the_kept_contact(app, factories):
    kept, lost = factories.organization(), factories.organization()
    factories.grant.grant(contact_id=lost.id)
    factories.grant.funding(funder_contact_id=lost.id)
    with app.app_context():
        s = session()
        hook.merge_contacts(winner_id=kept.id, loser_id=lost.id, session=s)
        s.commit()
        assert s.scalars(select(Grant.contact_id)).all() == [kept.id]
        assert s.scalars(select(FundingApplication.funder_contact_id)).all() == [kept.id]


def test_a_persons_data_has_their_grants_and_erasure_removes_them(app, factories, login_as):
    ada, other = factories.contact(), factories.contact()
    grant = factories.grant.grant(contact_id=ada.id, amount_total="640.00")
    kept = factories.grant.grant(contact_id=other.id)
    login_as("staff", locale="en").post_form(
        f"/grant/{grant.id}/attachments",
        {"attachments": (io.BytesIO(b"report"), "report.txt")},
        content_type="multipart/form-data",
    )
    with app.test_request_context(headers={"Accept-Language": "en"}):
        s = session()
        stored = s.scalar(select(GrantAttachment.stored_as))
        data = [d for d in hook.contact_data(contact_id=ada.id, session=s) if d]
        assert data[0]["Grants"][0]["amount_requested"] == "640.00"
        assert data[0]["Grants"][0]["status"] == "Submitted"
        hook.erase_contact(contact_id=ada.id, session=s)
        s.commit()
        assert s.scalars(select(Grant.id)).all() == [kept.id]
        assert not (
            __import__("pathlib").Path(app.instance_path) / "grant_attachments" / stored
        ).exists()


def test_the_mail_tokens_give_each_applicants_latest_grant(app, factories, in_app):
    ada, nobody = factories.contact(), factories.contact()
    factories.grant.grant(contact_id=ada.id)
    latest = factories.grant.grant(contact_id=ada.id, amount_total="2000.00")
    with in_app() as s:
        _approve(s, latest.id, amount_granted="1500.00", grant_due_date="2027-06-30")
        s.commit()
    tokens = ["grant.status", "grant.amount_granted", "grant.report_due_date"]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        offered = {k for r in hook.mail_tokens() for k in r}
        assert set(tokens) <= offered
        values = merged(hook.mail_token_values(contact_ids=[ada.id, nobody.id], tokens=tokens))
    assert values[ada.id] == {
        "grant.status": "Approved",
        "grant.amount_granted": "€1,500.00",
        "grant.report_due_date": "June 30, 2027",
    }
    assert nobody.id not in values


def found_contacts(page: str) -> set[int]:
    return {int(i) for i in re.findall(r'<a href="/contacts/(\d+)">', page)}


def test_the_advanced_search_finds_applicants(login_as, factories, in_app):
    ada = factories.contact(first_name="Ada", last_name="A")
    bob = factories.contact(first_name="Bob", last_name="B")
    youth = factories.grant.type(name="Youth grant")
    factories.grant.grant(contact_id=ada.id, grant_type_id=youth.id, amount_total="300.00")
    big = factories.grant.grant(contact_id=bob.id, amount_total="8000.00")
    with in_app() as s:
        _approve(s, big.id, decision_date="2026-05-10")
        s.commit()
    staff = login_as("staff", locale="en")
    form = staff.get("/contacts/").get_data(as_text=True)
    assert "Applicant of a grant of type" in form
    get = lambda q: found_contacts(staff.get(f"/contacts/?{q}").get_data(as_text=True))  # noqa: E731
    assert get("grant_type=Youth+grant") == {ada.id}
    assert get("grant_status=Approved") == {bob.id}
    assert get("grant_amount-from=1000") == {bob.id}
    assert get("grant_amount-to=1000") == {ada.id}
    assert get("grant_decision_date-from=2026-05-01&grant_decision_date-to=2026-05-31") == {bob.id}


def test_the_api_search_takes_ranges(api_client, factories):
    ada, bob = factories.contact(), factories.contact()
    factories.grant.grant(contact_id=ada.id, amount_total="300.00")
    factories.grant.grant(contact_id=bob.id, amount_total="8000.00")
    found = api_client("staff").get("/api/v1/contacts?grant_amount=100..500").get_json()
    assert [c["id"] for c in found["items"]] == [ada.id]


def test_the_summary_and_the_dashboard_widget(login_as, factories, in_app):
    ada = factories.contact(first_name="Ada", last_name="Lovelace")
    grant = factories.grant.grant(contact_id=ada.id)
    factories.grant.grant()
    due = date.today().replace(day=28)
    with in_app() as s:
        _approve(s, grant.id, grant_due_date=due.isoformat())
        s.commit()
    staff = login_as("staff", locale="en")
    page = staff.get(f"/contacts/{ada.id}").get_data(as_text=True)
    assert "1 application · latest: Approved" in page
    dashboard = staff.get("/dashboard").get_data(as_text=True)
    assert 'id="grant-widget"' in dashboard
    assert re.search(r'data-status="Submitted">1<', dashboard)
    assert re.search(r'data-status="Approved">1<', dashboard)
    assert re.search(r"data-due>1<", dashboard)
    assert "Ada Lovelace" in dashboard


def test_the_reports_draw_requested_and_granted_and_success_rates(login_as, factories, in_app):
    a = factories.grant.grant(amount_total="1000.00", application_received_date="2025-03-01")
    factories.grant.grant(amount_total="500.00", application_received_date="2025-04-01")
    factories.grant.grant(amount_total="700.00", application_received_date="2026-01-10")
    with in_app() as s:
        _approve(s, a.id, amount_granted="800.00")
        s.commit()
    funder = factories.organization(organization_name="Fondation Lumière")
    factories.grant.funding(funder_contact_id=funder.id, status="Awarded", amount_obtained="3000")
    factories.grant.funding(funder_contact_id=funder.id, status="Refused")
    factories.grant.funding(funder_contact_id=funder.id, status="Submitted")
    with in_app() as s:
        rows = services.amounts_by_type_and_year(s)
        assert rows == [
            ("Project grant", 2025, Decimal("1500.00"), Decimal("800.00")),
            ("Project grant", 2026, Decimal("700.00"), Decimal("0.00")),
        ]
        assert services.success_by_funder(s) == [
            ("Fondation Lumière", 2, 1, Decimal("10000.00"), Decimal("3000.00"))
        ]
    admin = login_as("administrator", locale="en")
    page = admin.get("/reports/grant_amounts_by_type_and_year").get_data(as_text=True)
    assert "<svg" in page and "Project grant" in page
    page = admin.get("/reports/grant_success_by_funder").get_data(as_text=True)
    assert "Fondation Lumière" in page and "50 %" in page


def test_grants_are_imported_from_a_file(app, factories):
    from amicale.imports import services as imports  # tests only: the core's importer

    factories.contact(first_name="Ada", emails=[{"email": "ada@example.org"}])
    data = (
        b"email;type;requested;granted;status;received;decided\r\n"
        b"ada@example.org;Project grant;1000,00;800,00;Paid;2025-01-10;2025-02-01\r\n"
        b"ada@example.org;Project grant;500;;Submitted;2025-03-01;\r\n"
        b"ada@example.org;Nope;500;;;2025-03-01;\r\n"
        b"nobody@example.org;Project grant;500;;;;\r\n"
    )
    with app.test_request_context(headers={"Accept-Language": "en"}):
        s = session()
        job = imports.start(s, io.BytesIO(data), "grants.csv", target="grants")
        imports.configure(
            s,
            job.id,
            {
                "mapping": [
                    {"column": 0, "field": "contact_id:email"},
                    {"column": 1, "field": "grant_type"},
                    {"column": 2, "field": "amount_total"},
                    {"column": 3, "field": "amount_granted"},
                    {"column": 4, "field": "status"},
                    {"column": 5, "field": "application_received_date"},
                    {"column": 6, "field": "decision_date"},
                ]
            },
        )
        s.commit()
        job = imports.run(s, job.id)
        assert (job.created, job.rejected) == (2, 2)
        grants = s.scalars(select(Grant).order_by(Grant.id)).all()
        assert [(g.status, g.amount_total, g.amount_granted) for g in grants] == [
            ("Paid", Decimal("1000.00"), Decimal("800.00")),
            ("Submitted", Decimal("500.00"), None),
        ]
        assert grants[0].decision_date == date(2025, 2, 1)
        assert services.paid_total(s, grants[0].id) == Decimal("800.00")


def test_grants_accept_custom_fields(app):
    with app.app_context():
        entities = {e for found in hook.register_custom_field_entities() for e, _l in found}
    assert "grant_grant" in entities


def test_the_menu_has_the_grants_for_staff(login_as):
    page = login_as("staff", locale="en").get("/dashboard").get_data(as_text=True)
    assert 'href="/grant/"' in page
    assert 'href="/grant/funding/"' in page


def test_reports_due_this_month_only_count_unreceived_ones(in_app, factories):
    one, two = factories.grant.grant(), factories.grant.grant()
    today = date.today()
    with in_app() as s:
        for g in (one, two):
            _approve(s, g.id, grant_due_date=today.isoformat())
        services.mark_report_received(s, two.id)
        s.commit()
        due = services.pipeline(s, today).reports_due
    assert [g.id for g in due] == [one.id]


def test_the_applicant_record_shows_the_application_and_decisions(login_as, factories, in_app):
    ada = factories.contact(first_name="Ada", last_name="Lovelace")
    grant = factories.grant.grant(contact_id=ada.id)
    with in_app() as s:
        _approve(s, grant.id)
        s.commit()
    from amicale.api_for_plugins import Activity, ActivityContact

    with in_app() as s:
        subjects = s.scalars(
            select(Activity.subject)
            .join(ActivityContact, ActivityContact.activity_id == Activity.id)
            .where(ActivityContact.contact_id == ada.id)
            .order_by(Activity.id)
        ).all()
    assert subjects == [
        "Grant application: Project grant",
        "Grant Project grant: Eligible",
        "Grant Project grant: Approved",
    ]


def test_the_demo_has_a_fund_with_applications_at_every_stage(app, client):
    from amicale.organisation.demo import load_demo
    from amicale_grant import demo

    with app.test_request_context(headers={"Accept-Language": "en"}):
        s = session()
        load_demo(s)
        demo.demo_data(s)
        s.commit()
        statuses = sorted(s.scalars(select(Grant.status)).all())
        assert statuses == ["Approved", "Eligible", "Ineligible", "Submitted"]
        assert s.scalar(select(FundingApplication.title)) == "Subvention de fonctionnement 2027"
