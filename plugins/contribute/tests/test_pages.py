"""The staff pages: the contact tab, recording, paying, refunding, campaigns, financial types."""

from decimal import Decimal

from sqlalchemy import select

from amicale_contribute.models import Campaign, Contribution, FinancialType


def test_the_contact_tab_shows_totals_and_gifts(factories, login_as):
    donor = factories.contact(first_name="Ada", last_name="Lovelace")
    factories.contribute.contribution(donor.id, amount="40.00", check_number="1234567")
    factories.contribute.contribution(donor.id, amount="10.50")
    web = login_as("staff", locale="en")
    page = web.get(f"/contribute/contact/{donor.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "50.50" in html and "1234567" in html and "Total given" in html
    contact_page = web.get(f"/contacts/{donor.id}").get_data(as_text=True)
    assert f"/contribute/contact/{donor.id}" in contact_page


def test_recording_from_the_form_and_errors_beside_fields(factories, login_as, count_rows, app):
    donor = factories.contact()
    web = login_as("staff", locale="en")
    with app.app_context():
        from amicale.api_for_plugins import session

        donation = session().scalar(
            select(FinancialType.id).where(FinancialType.name == "Donation")
        )
    bad = web.post_form(
        f"/contribute/contact/{donor.id}/new",
        data={"financial_type_id": donation, "amount": "douze", "status": "Completed"},
    )
    assert bad.status_code == 422
    assert "Give an amount, such as 25.00." in bad.get_data(as_text=True)
    assert count_rows(Contribution) == 0
    ok = web.post_form(
        f"/contribute/contact/{donor.id}/new",
        data={
            "financial_type_id": donation,
            "amount": "1 234,56",
            "status": "Pending",
            "receive_date": "2026-05-04",
        },
    )
    assert ok.status_code == 302
    with app.app_context():
        from amicale.api_for_plugins import session

        c = session().scalar(select(Contribution))
        assert (c.amount, c.status) == (Decimal("1234.56"), "Pending")
        cid = c.id
    paid = web.post_form(f"/contribute/{cid}/payment", {"amount": "1234,56"})
    assert paid.status_code == 302
    refund = web.post_form(f"/contribute/{cid}/status", {"status": "Refunded"})
    assert refund.status_code == 302
    with app.app_context():
        from amicale.api_for_plugins import session

        assert session().get(Contribution, cid).status == "Refunded"


def test_campaign_progress_and_permissions(factories, login_as, client, app):
    campaign = factories.contribute.campaign(name="Toit de l'école", goal_amount="1000.00")
    factories.contribute.contribution(amount="250.00", campaign_id=campaign.id)
    web = login_as("staff", locale="en")
    html = web.get("/contribute/campaigns").get_data(as_text=True)
    assert "Toit de l&#39;école" in html and "25 %" in html
    assert client.get("/contribute/campaigns").status_code == 302  # anonymous: to the login
    readonly = login_as("readonly", locale="en")
    assert readonly.get("/contribute/campaigns/new").status_code == 403
    created = web.post_form(
        "/contribute/campaigns/new",
        data={
            "name": "Été",
            "goal_amount": "500",
            "start_date": "2026-07-01",
            "end_date": "2026-06-01",
            "is_active": "1",
        },
    )
    assert created.status_code == 422
    with app.app_context():
        from amicale.api_for_plugins import session

        assert session().scalar(select(Campaign).where(Campaign.name == "Été")) is None


def test_financial_types_admin(login_as, app):
    admin = login_as("administrator", locale="en")
    page = admin.get("/contribute/financial-types").get_data(as_text=True)
    assert "Member Dues" in page and "5112" in page
    made = admin.post_form(
        "/contribute/financial-types/new",
        data={"name": "Legs", "is_deductible": "1", "account_code": "7713", "is_active": "1"},
    )
    assert made.status_code == 302
    again = admin.post_form("/contribute/financial-types/new", {"name": "legs", "is_active": "1"})
    assert again.status_code == 422 and "already used" in again.get_data(as_text=True)
    assert login_as("staff", locale="en").get("/contribute/financial-types").status_code == 403
