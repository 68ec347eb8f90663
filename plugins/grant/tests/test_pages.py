"""The staff pages: the list, recording an application, its page with only the steps one may
take, reviews, payments, programmes and types, the contact tab."""

from decimal import Decimal

from sqlalchemy import select

from amicale.api_for_plugins import session
from amicale_grant.models import Grant, GrantPayment, GrantProgramme, GrantType


def _type_id(app, name="Project grant") -> int:
    with app.app_context():
        return session().scalar(select(GrantType.id).where(GrantType.name == name))


def test_staff_records_an_application_from_the_form(login_as, factories, app, count_rows):
    client = login_as("staff", locale="en")
    applicant = factories.organization(organization_name="Jardins Partagés")
    page = client.get(f"/grant/new?contact_id={applicant.id}")
    assert page.status_code == 200
    response = client.post_form(
        "/grant/new",
        {
            "contact_id": str(applicant.id),
            "grant_type_id": str(_type_id(app)),
            "amount_total": "2 500,50",
            "currency": "eur",
            "rationale": "Tools for the community garden",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        grant = session().scalar(select(Grant))
    assert grant.amount_total == Decimal("2500.50")
    assert grant.currency == "EUR"
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Jardins Partagés" in shown
    assert "Tools for the community garden" in shown
    assert "Submitted" in shown


def test_a_form_with_mistakes_says_what_is_wrong(login_as, factories):
    client = login_as("staff", locale="en")
    response = client.post_form("/grant/new", {"contact_id": "99999", "amount_total": "abc"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "No contact with the number 99999." in text
    assert "Give an amount, such as 25.00." in text


def test_staff_sees_only_the_steps_it_may_take(login_as, factories):
    grant = factories.grant.grant()
    staff = login_as("staff", locale="en")
    text = staff.get(f"/grant/{grant.id}").get_data(as_text=True)
    assert "Mark as eligible" in text and "Withdraw" in text
    staff.post_form(f"/grant/{grant.id}/status", {"status": "Eligible"})
    text = staff.get(f"/grant/{grant.id}").get_data(as_text=True)
    assert "Approve" not in text  # the board approves
    refused = staff.post_form(f"/grant/{grant.id}/status", {"status": "Approved"})
    assert refused.status_code == 403


def test_the_board_approves_a_smaller_amount_and_pays_it(login_as, factories, count_rows):
    grant = factories.grant.grant(amount_total="3000.00")
    board = login_as("administrator", locale="en")
    board.post_form(f"/grant/{grant.id}/status", {"status": "Eligible"})
    text = board.get(f"/grant/{grant.id}").get_data(as_text=True)
    assert "Approve" in text
    done = board.post_form(
        f"/grant/{grant.id}/status",
        {"status": "Approved", "amount_granted": "2000", "grant_due_date": "2027-06-30"},
    )
    assert done.status_code == 302
    text = board.get(f"/grant/{grant.id}").get_data(as_text=True)
    assert "€2,000.00" in text and "€3,000.00" in text
    assert "Record the payment" in text
    board.post_form(
        f"/grant/{grant.id}/payments",
        {"payment_date": "2027-01-10", "amount": "1500", "reference": "VIR 2027-01"},
    )
    too_much = board.post_form(
        f"/grant/{grant.id}/payments", {"payment_date": "2027-02-10", "amount": "600"}
    )
    assert too_much.status_code == 422
    assert "Only 500.00 remains to be paid." in too_much.get_data(as_text=True)
    board.post_form(f"/grant/{grant.id}/payments", {"payment_date": "2027-02-10", "amount": "500"})
    text = board.get(f"/grant/{grant.id}").get_data(as_text=True)
    assert 'data-status="Paid"' in text
    assert count_rows(GrantPayment) == 2


def test_a_reviewer_scores_from_the_page(login_as, factories):
    grant = factories.grant.grant()
    staff = login_as("staff", locale="en")
    staff.post_form(f"/grant/{grant.id}/review", {"score": "7", "comment": "Well argued"})
    text = staff.get(f"/grant/{grant.id}").get_data(as_text=True)
    assert "Well argued" in text
    assert "7 / 10" in text
    bad = staff.post_form(f"/grant/{grant.id}/review", {"score": "", "comment": ""})
    assert bad.status_code == 422
    assert "Give a score or a comment." in bad.get_data(as_text=True)


def test_readonly_sees_but_cannot_record(login_as, factories):
    grant = factories.grant.grant()
    reader = login_as("readonly", locale="en")
    assert reader.get(f"/grant/{grant.id}").status_code == 200
    assert reader.get("/grant/new").status_code == 403
    assert reader.post_form(f"/grant/{grant.id}/status", {"status": "Withdrawn"}).status_code == 403


def test_the_list_filters_by_status(login_as, factories, in_app):
    from amicale_grant import services

    kept = factories.grant.grant(rationale="kept")
    other = factories.grant.grant()
    with in_app() as s:
        services.change_status(s, other.id, {"status": "Withdrawn"})
        s.commit()
    client = login_as("staff", locale="en")
    text = client.get("/grant/?status=Submitted").get_data(as_text=True)
    assert f'data-grant-id="{kept.id}"' in text
    assert f'data-grant-id="{other.id}"' not in text


def test_an_administrator_creates_a_programme_and_a_type(login_as, count_rows, app):
    admin = login_as("administrator", locale="en")
    assert (
        admin.post_form("/grant/types", {"name": "Youth grant", "is_active": "1"}).status_code
        == 302
    )
    response = admin.post_form(
        "/grant/programmes",
        {
            "name": "Neighbourhood projects 2027",
            "budget": "20000",
            "currency": "EUR",
            "start_date": "2027-01-01",
            "end_date": "2026-12-31",
            "is_active": "1",
        },
    )
    assert response.status_code == 422
    assert "The end comes before the start." in response.get_data(as_text=True)
    admin.post_form(
        "/grant/programmes",
        {"name": "Neighbourhood projects 2027", "budget": "20000", "is_active": "1"},
    )
    assert count_rows(GrantProgramme) == 1
    assert "Neighbourhood projects 2027" in admin.get("/grant/programmes").get_data(as_text=True)
    assert login_as("staff", locale="en").get("/grant/programmes").status_code == 403


def test_a_type_in_use_is_not_deleted(login_as, factories, app):
    gtype = factories.grant.type(name="Sports grant")
    factories.grant.grant(grant_type_id=gtype.id)
    admin = login_as("administrator", locale="en")
    page = admin.post_form(f"/grant/types/{gtype.id}/delete", follow_redirects=True)
    assert "is in use: it cannot be deleted" in page.get_data(as_text=True)


def test_the_contact_tab_lists_the_applications(login_as, factories):
    applicant = factories.contact(first_name="Ada", last_name="Lovelace")
    factories.grant.grant(contact_id=applicant.id, amount_total="750.00")
    client = login_as("staff", locale="en")
    text = client.get(f"/grant/contact/{applicant.id}").get_data(as_text=True)
    assert "€750.00" in text
    assert "Project grant" in text


def test_the_pages_are_in_french(login_as, factories):
    grant = factories.grant.grant()
    client = login_as("staff", locale="fr")
    text = client.get(f"/grant/{grant.id}").get_data(as_text=True)
    assert "Déposée" in text
    assert "Subvention de projet" in text


def test_an_administrator_deletes_an_application_recorded_by_mistake(
    login_as, factories, count_rows
):
    grant = factories.grant.grant()
    assert login_as("staff", locale="en").post_form(f"/grant/{grant.id}/delete").status_code == 403
    admin = login_as("administrator", locale="en")
    assert "Delete this application" in admin.get(f"/grant/{grant.id}").get_data(as_text=True)
    assert admin.post_form(f"/grant/{grant.id}/delete").status_code == 302
    assert count_rows(Grant) == 0
