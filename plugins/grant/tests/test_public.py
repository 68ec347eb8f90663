"""The public application page of a programme: no login, the applicant found by their email or
created, custom fields and attachments, CSRF and a honeypot."""

from io import BytesIO

from sqlalchemy import select

from amicale.api_for_plugins import Contact, session
from amicale_grant.models import Grant, GrantAttachment


def _programme(factories, **values):
    """A public programme of one type (its form does not ask for the type)."""
    values.setdefault("is_public", True)
    values.setdefault("grant_type_id", factories.grant.type(name="Neighbourhood grant").id)
    return factories.grant.programme(name="Neighbourhood projects", **values)


EN = {"Accept-Language": "en"}
FORM = {
    "first_name": "Lucie",
    "last_name": "Martin",
    "email": "lucie.martin@example.org",
    "amount_total": "1200",
    "rationale": "A bicycle repair workshop",
}


def test_a_visitor_applies_with_a_document(client, factories, app, count_rows, organisation):
    programme = _programme(factories)
    page = client.get(f"/grant/apply/{programme.id}", headers=EN)
    assert page.status_code == 200
    assert "Neighbourhood projects" in page.get_data(as_text=True)
    data = {**FORM, "attachments": (BytesIO(b"%PDF-1.4 budget"), "budget 2027.pdf")}
    response = client.post_form(
        f"/grant/apply/{programme.id}", data, content_type="multipart/form-data", headers=EN
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "is received" in response.get_data(as_text=True)
    with app.app_context():
        s = session()
        grant = s.scalar(select(Grant))
        contact = s.get(Contact, grant.contact_id)
        attachment = s.scalar(select(GrantAttachment))
    assert grant.programme_id == programme.id and grant.status == "Submitted"
    assert contact.display_name == "Lucie Martin"
    assert attachment.file_name == "budget_2027.pdf"
    assert attachment.size == len(b"%PDF-1.4 budget")


def test_a_known_email_is_the_same_contact(client, factories, app, count_rows):
    known = factories.contact(
        first_name="Lucie", last_name="Martin", emails=[{"email": "Lucie.Martin@example.org"}]
    )
    programme = _programme(factories)
    client.post_form(f"/grant/apply/{programme.id}", FORM, headers=EN)
    with app.app_context():
        assert session().scalar(select(Grant.contact_id)) == known.id
    assert count_rows(Contact) == 1


def test_a_file_of_the_wrong_kind_is_refused_and_nothing_is_kept(client, factories, count_rows):
    programme = _programme(factories)
    data = {**FORM, "attachments": (BytesIO(b"MZ..."), "virus.exe")}
    response = client.post_form(
        f"/grant/apply/{programme.id}", data, content_type="multipart/form-data", headers=EN
    )
    assert response.status_code == 422
    assert "this kind of file is not accepted" in response.get_data(as_text=True)
    assert count_rows(Grant) == 0
    assert count_rows(Contact) == 0


def test_a_file_too_large_is_refused(client, factories, app, count_rows):
    from amicale.organisation.services import set_setting  # tests only

    with app.app_context():
        set_setting(session(), "grant.attachment_max_bytes", 10)
        session().commit()
    programme = _programme(factories)
    data = {**FORM, "attachments": (BytesIO(b"x" * 11), "budget.pdf")}
    response = client.post_form(
        f"/grant/apply/{programme.id}", data, content_type="multipart/form-data", headers=EN
    )
    assert response.status_code == 422
    assert "is too large" in response.get_data(as_text=True)
    assert count_rows(GrantAttachment) == 0


def test_mistakes_are_shown_together(client, factories):
    programme = _programme(factories)
    response = client.post_form(
        f"/grant/apply/{programme.id}",
        {"email": "not-an-email", "amount_total": "lots"},
        headers=EN,
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This is not a valid email address." in text
    assert "Give an amount, such as 25.00." in text
    assert "This field is required." in text


def test_robots_are_told_thanks_and_nothing_is_written(client, factories, count_rows):
    programme = _programme(factories)
    response = client.post_form(f"/grant/apply/{programme.id}", {**FORM, "website": "http://x"})
    assert response.status_code == 200
    assert count_rows(Grant) == 0


def test_a_programme_not_public_or_closed_has_no_page(client, factories):
    private = factories.grant.programme(name="Internal")
    closed = factories.grant.programme(name="Old call", is_public=True, end_date="2020-12-31")
    assert client.get(f"/grant/apply/{private.id}").status_code == 404
    assert client.get(f"/grant/apply/{closed.id}").status_code == 404


def test_the_custom_fields_are_asked_and_kept(client, factories, app, in_app):
    from amicale.customfields.services import create_field, create_group  # tests only

    with in_app() as s:
        group = create_group(s, {"name": "project", "title": "Project", "extends": "grant_grant"})
        create_field(
            s,
            {
                "custom_group_id": group.id,
                "name": "beneficiaries",
                "label": "People who benefit",
                "data_type": "integer",
                "is_required": True,
            },
        )
        s.commit()
    programme = _programme(factories)
    assert "People who benefit" in client.get(f"/grant/apply/{programme.id}", headers=EN).get_data(
        as_text=True
    )
    missing = client.post_form(f"/grant/apply/{programme.id}", FORM, headers=EN)
    assert missing.status_code == 422
    client.post_form(
        f"/grant/apply/{programme.id}", {**FORM, "custom-beneficiaries": "40"}, headers=EN
    )
    from amicale_grant import services

    with in_app() as s:
        grant = s.scalar(select(Grant))
        assert services.represent(s, [grant])[0]["custom"] == {"beneficiaries": 40}


def test_the_post_needs_its_csrf_token(client, factories, count_rows):
    programme = _programme(factories)
    response = client.post(f"/grant/apply/{programme.id}", data=FORM)
    assert response.status_code in (400, 403)
    assert count_rows(Grant) == 0


def test_a_programme_of_several_types_asks_which(client, factories, app):
    programme = factories.grant.programme(name="Open call", is_public=True)
    page = client.get(f"/grant/apply/{programme.id}", headers=EN).get_data(as_text=True)
    assert "Kind of grant" in page
    response = client.post_form(f"/grant/apply/{programme.id}", FORM, headers=EN)
    assert response.status_code == 422
    assert "Choose one of the options." in response.get_data(as_text=True)
