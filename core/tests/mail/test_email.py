"""Writing an email to a contact or to selected search results: tokens filled in for each
person, a real SMTP server receives it, an Email activity records it, and nobody is dropped
without a reason."""

from __future__ import annotations

import pytest

from amicale.db import session


@pytest.fixture
def people(factories):
    return {
        "ada": factories.contact(
            first_name="Ada", last_name="Lovelace", emails=[{"email": "ada@example.org"}]
        ),
        "bob": factories.contact(
            first_name="Bob", last_name="Martin", emails=[{"email": "bob@example.org"}]
        ),
        "nomail": factories.contact(first_name="Noé", last_name="Sansmail", emails=[]),
        "refuses": factories.contact(
            first_name="Rita",
            last_name="Refus",
            emails=[{"email": "rita@example.org"}],
            do_not_email=True,
        ),
    }


def email_activities(app, contact_id: int) -> list[tuple[str, str]]:
    from sqlalchemy import select

    from amicale.activities.models import Activity, ActivityContact, ActivityType

    with app.app_context():
        rows = session().execute(
            select(Activity.subject, Activity.status)
            .join(ActivityType, ActivityType.id == Activity.activity_type_id)
            .join(ActivityContact, ActivityContact.activity_id == Activity.id)
            .where(
                ActivityType.name == "email",
                ActivityContact.contact_id == contact_id,
                ActivityContact.role == "target",
            )
        )
        return [tuple(r) for r in rows]


def test_an_email_from_the_contact_page_reaches_the_person_with_tokens_filled(
    app, organisation, people, login_as, smtp_server
):
    staff = login_as("staff", locale="en")
    ada = people["ada"]
    contact_page = staff.get(f"/contacts/{ada.id}").get_data(as_text=True)
    assert f'href="/contacts/{ada.id}/email"' in contact_page
    form = staff.get(f"/contacts/{ada.id}/email").get_data(as_text=True)
    assert "ada@example.org" in form
    assert "Message (text)" in form and "Message (HTML, optional)" in form
    response = staff.post_form(
        f"/contacts/{ada.id}/email",
        {
            "send": "1",
            "contact_ids": ada.id,
            "subject": "Hello {contact.first_name}",
            "body_text": "Dear {contact.display_name},\n{organisation.name}\n{organisation.address}",
            "body_html": "<p>Dear {contact.display_name}</p>",
        },
    )
    assert response.status_code == 302
    (received,) = smtp_server.to("ada@example.org")
    assert received["Subject"] == "Hello Ada"
    assert received["From"] == "Le Grain de SEL <contact@grain-de-sel.example.org>"
    assert received["Reply-To"] == staff.user.email
    text = received.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Dear Ada Lovelace," in text and "12 rue des Lilas\n75020 Paris" in text
    assert "<p>Dear Ada Lovelace</p>" in received.get_body(("html",)).get_content()
    assert email_activities(app, ada.id) == [("Hello {contact.first_name}", "Completed")]
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 email sent." in page


def test_html_in_token_values_is_escaped(app, organisation, factories, api_client, smtp_server):
    person = factories.contact(
        first_name="<b>Eve</b>", last_name="Test", emails=[{"email": "eve@example.org"}]
    )
    api = api_client("staff")
    report = api.post(
        "/api/v1/emails",
        json={
            "contact_ids": [person.id],
            "subject": "Hi",
            "body_text": "x",
            "body_html": "<p>{contact.first_name}</p>",
        },
    )
    assert report.status_code == 200, report.get_json()
    (received,) = smtp_server.messages
    assert "<p>&lt;b&gt;Eve&lt;/b&gt;</p>" in received.get_body(("html",)).get_content()


def test_a_selection_gets_one_message_each_and_the_unreachable_are_listed_with_the_reason(
    app, organisation, people, login_as, smtp_server
):
    staff = login_as("staff", locale="en")
    ids = [people[k].id for k in ("ada", "bob", "nomail", "refuses")]
    form = staff.post_form("/contacts/email", {"contact_ids": ids})
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert (
        "4 recipients" in page and "No email address." in page and "Does not want emails." in page
    )
    response = staff.post_form(
        "/contacts/email",
        {
            "send": "1",
            "contact_ids": ids,
            "subject": "News",
            "body_text": "Hi {contact.first_name}",
        },
    )
    assert response.status_code == 302
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "Ada Lovelace <ada@example.org>",
        "Bob Martin <bob@example.org>",
    ]
    assert smtp_server.to("bob@example.org")[0].get_content().strip() == "Hi Bob"
    after = staff.get("/dashboard").get_data(as_text=True)
    assert "2 emails sent." in after
    assert "Not sent to Noé Sansmail: No email address." in after
    assert email_activities(app, people["refuses"].id) == []
    assert len(email_activities(app, people["bob"].id)) == 1


def test_a_template_fills_the_form_and_the_message(
    app, organisation, people, api_client, smtp_server, login_as
):
    api = api_client("staff")
    template = api.post(
        "/api/v1/message-templates",
        json={
            "name": "AG",
            "subject": "AG {organisation.name}",
            "body_text": "Bonjour {contact.first_name}",
        },
    ).get_json()
    staff = login_as("staff", locale="en")
    form = staff.get(f"/contacts/{people['ada'].id}/email?template_id={template['id']}")
    assert "AG {organisation.name}" in form.get_data(as_text=True)
    report = api.post(
        "/api/v1/emails", json={"contact_ids": [people["bob"].id], "template_id": template["id"]}
    )
    assert report.status_code == 200
    assert report.get_json()["sent"] == [people["bob"].id]
    (received,) = smtp_server.messages
    assert received["Subject"] == "AG Le Grain de SEL"
    assert received.get_content().strip() == "Bonjour Bob"


def test_bad_input_is_refused_and_nothing_is_sent_or_recorded(
    app, organisation, people, api_client, smtp_server
):
    api = api_client("staff")
    ada = people["ada"].id
    missing = api.post("/api/v1/emails", json={"contact_ids": [ada]})
    assert missing.status_code == 422
    assert set(missing.get_json()["errors"]) == {"subject", "body_text"}
    typo = api.post(
        "/api/v1/emails", json={"contact_ids": [ada], "subject": "x", "body_text": "{contact.nom}"}
    )
    assert typo.status_code == 422 and "body_text" in typo.get_json()["errors"]
    nobody = api.post(
        "/api/v1/emails",
        json={"contact_ids": [people["nomail"].id], "subject": "x", "body_text": "y"},
    )
    assert nobody.status_code == 422
    assert "No email address." in nobody.get_json()["errors"]["contact_ids"][0]
    too_many = api.post(
        "/api/v1/emails",
        json={"contact_ids": list(range(1, 102)), "subject": "x", "body_text": "y"},
    )
    assert (
        too_many.status_code == 422
        and "send a mailing" in too_many.get_json()["errors"]["contact_ids"][0]
    )
    assert smtp_server.messages == []
    assert email_activities(app, ada) == []


def test_without_an_organisation_address_nothing_is_sent(app, people, api_client, smtp_server):
    api = api_client("staff")
    response = api.post(
        "/api/v1/emails", json={"contact_ids": [people["ada"].id], "subject": "x", "body_text": "y"}
    )
    assert response.status_code == 422
    assert "Administer → Organisation" in response.get_json()["errors"]["from"][0]
    assert smtp_server.messages == []


def test_a_refused_recipient_is_reported_as_failed_and_not_recorded(
    app, organisation, people, make_smtp_server, api_client
):
    server = make_smtp_server(username="u", password="p")
    app.config["AMICALE_SMTP_URL"] = server.url.replace(":p@", ":bad@")
    api = api_client("staff")
    report = api.post(
        "/api/v1/emails", json={"contact_ids": [people["ada"].id], "subject": "x", "body_text": "y"}
    )
    assert report.status_code == 200
    body = report.get_json()
    assert body["sent"] == [] and body["activity_id"] is None
    assert (
        body["failed"][0]["contact_id"] == people["ada"].id and "535" in body["failed"][0]["reason"]
    )
    assert email_activities(app, people["ada"].id) == []


def test_without_smtp_the_page_says_so_and_the_mail_lands_in_the_outbox(
    app, organisation, people, login_as
):
    staff = login_as("staff", locale="en")
    ada = people["ada"].id
    form = staff.get(f"/contacts/{ada}/email").get_data(as_text=True)
    assert "No SMTP server is configured" in form
    response = staff.post_form(
        f"/contacts/{ada}/email",
        {"send": "1", "contact_ids": ada, "subject": "x", "body_text": "y"},
    )
    assert response.status_code == 302
    assert "written to the outbox folder" in staff.get("/dashboard").get_data(as_text=True)
    from pathlib import Path

    assert len(list((Path(app.instance_path) / "outbox").glob("*.eml"))) == 1


def test_only_users_allowed_to_send_email_can(people, login_as, api_client):
    reader = login_as("readonly", locale="en")
    assert reader.get(f"/contacts/{people['ada'].id}/email").status_code == 403
    assert 'id="send-email"' not in reader.get(f"/contacts/{people['ada'].id}").get_data(
        as_text=True
    )
    assert api_client("readonly").post("/api/v1/emails", json={}).status_code == 403


def test_a_template_that_does_not_exist_is_a_field_error(app, organisation, people, api_client):
    api = api_client("staff")
    response = api.post(
        "/api/v1/emails", json={"contact_ids": [people["ada"].id], "template_id": 999}
    )
    assert response.status_code == 422
    assert "template_id" in response.get_json()["errors"]
    assert email_activities(app, people["ada"].id) == []


def test_a_file_attached_to_an_email_arrives_with_it(app, organisation, people, smtp_server):
    from amicale.mail.services import send_email

    pdf = b"%PDF-1.7 a receipt"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        s = session()
        report = send_email(
            s,
            {
                "contact_ids": [people["ada"].id],
                "subject": "Your receipt",
                "body_text": "Here it is.",
            },
            attachments=[("receipt-2026-000001.pdf", pdf, "application/pdf")],
        )
        s.commit()
    assert report.sent == [people["ada"].id]
    (message,) = smtp_server.to("ada@example.org")
    assert message.get_content_type() == "multipart/mixed"
    assert message.get_body(("plain",)).get_content().strip() == "Here it is."
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "receipt-2026-000001.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == pdf


def test_an_email_without_attachments_stays_a_plain_text_message(
    app, organisation, people, smtp_server
):
    from amicale.mail.services import send_email

    with app.test_request_context(headers={"Accept-Language": "en"}):
        s = session()
        send_email(s, {"contact_ids": [people["bob"].id], "subject": "Hi", "body_text": "Hello"})
        s.commit()
    (message,) = smtp_server.to("bob@example.org")
    assert message.get_content_type() == "text/plain"


def test_an_address_with_accents_is_reported_and_the_others_still_get_theirs(
    app, organisation, people, factories, login_as, smtp_server
):
    elodie = factories.contact(
        first_name="Élodie", last_name="Béranger", emails=[{"email": "élodie@exemple.fr"}]
    )
    cafe = factories.contact(
        first_name="Léa", last_name="Café", emails=[{"email": "lea@café.example"}]
    )
    staff = login_as("staff", locale="en")
    ids = [people["ada"].id, elodie.id, cafe.id]
    response = staff.post_form(
        "/contacts/email",
        {"send": "1", "contact_ids": ids, "subject": "News", "body_text": "Hi"},
    )
    assert response.status_code == 302
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "Ada Lovelace <ada@example.org>",
        "Léa Café <lea@xn--caf-dma.example>",
    ]
    after = staff.get("/dashboard").get_data(as_text=True)
    assert "has accents before the @" in after
