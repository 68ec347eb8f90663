"""Mailings: to the members of groups and mailing lists, never to who refuses bulk mail, one
message per address, delivered by the job queue to a real SMTP server, with the RFC 8058 headers
and a signed unsubscribe link that works."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from amicale.cli import cli
from amicale.db import session


@pytest.fixture
def audience(app, organisation, factories):
    """A mailing list "Lettre d'info" and a group "Bureau", with people of every kind."""
    from amicale.groups.services import add_contacts, create_group

    c = factories.contact
    people = {
        "ada": c(first_name="Ada", last_name="Lovelace", emails=[{"email": "ada@example.org"}]),
        "bob": c(first_name="Bob", last_name="Martin", emails=[{"email": "bob@example.org"}]),
        # a couple sharing one address: one message
        "anne": c(first_name="Anne", last_name="Duo", emails=[{"email": "duo@example.org"}]),
        "paul": c(first_name="Paul", last_name="Duo", emails=[{"email": "DUO@example.org"}]),
        "optout": c(
            first_name="Olga",
            last_name="Out",
            emails=[{"email": "olga@example.org"}],
            is_opt_out=True,
        ),
        "noemail": c(
            first_name="Nina",
            last_name="Nope",
            emails=[{"email": "nina@example.org"}],
            do_not_email=True,
        ),
        "deceased": c(
            first_name="Dan",
            last_name="Gone",
            emails=[{"email": "dan@example.org"}],
            is_deceased=True,
        ),
        "held": c(
            first_name="Hugo",
            last_name="Held",
            emails=[{"email": "hugo@example.org", "on_hold": True}],
        ),
        "trashed": c(first_name="Tom", last_name="Trash", emails=[{"email": "tom@example.org"}]),
        "nomail": c(first_name="Zoé", last_name="Sans", emails=[]),
    }
    with app.app_context():
        s = session()
        news = create_group(s, {"title": "Lettre d'info", "is_mailing_list": True})
        board = create_group(s, {"title": "Bureau"})
        add_contacts(s, news.id, [p.id for p in people.values()])
        add_contacts(s, board.id, [people["bob"].id])
        from amicale.contacts.services import trash_contact

        trash_contact(s, people["trashed"].id)
        s.commit()
        groups = {"news": news.id, "board": board.id}
    return people, groups


def draft(api, groups, **extra):
    body = {
        "name": "Lettre de novembre",
        "subject": "Des nouvelles, {contact.first_name}",
        "body_text": "Bonjour {contact.first_name},\nle jardin partagé ouvre samedi.",
        "body_html": "<p>Bonjour {contact.first_name}</p>",
        "include_group_ids": [groups["news"]],
        **extra,
    }
    response = api.post("/api/v1/mailings", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_the_mailing_goes_once_to_each_address_of_those_who_accept_bulk_mail(
    audience, api_client, smtp_server
):
    people, groups = audience
    api = api_client("staff")
    mailing = draft(api, groups)
    figures = api.get(f"/api/v1/mailings/{mailing['id']}/figures").get_json()
    assert figures["recipients_now"] == 3
    sent = api.post(f"/api/v1/mailings/{mailing['id']}/send", json={})
    assert sent.status_code == 200, sent.get_json()
    assert sorted(a for m in smtp_server.messages for a in m.envelope_to) == [
        "ada@example.org",
        "bob@example.org",
        "duo@example.org",
    ]
    ada = smtp_server.to("ada@example.org")[0]
    assert ada["Subject"] == "Des nouvelles, Ada"
    assert ada["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert ada["List-Unsubscribe"].strip().startswith("<http://127.0.0.1:5000/unsubscribe/")
    assert "le jardin partagé ouvre samedi" in ada.get_body(("plain",)).get_content()
    assert "<p>Bonjour Ada</p>" in ada.get_body(("html",)).get_content()
    after = api.get(f"/api/v1/mailings/{mailing['id']}").get_json()
    assert after["status"] == "sent" and after["recipients_total"] == 3
    figures = api.get(f"/api/v1/mailings/{mailing['id']}/figures").get_json()
    assert (figures["sent"], figures["failed"], figures["queued"]) == (3, 0, 0)


def test_excluded_groups_are_left_out(audience, api_client, smtp_server):
    people, groups = audience
    api = api_client("staff")
    mailing = draft(api, groups, exclude_group_ids=[groups["board"]])
    api.post(f"/api/v1/mailings/{mailing['id']}/send", json={})
    assert smtp_server.to("bob@example.org") == []
    assert len(smtp_server.messages) == 2


def test_one_click_unsubscribe_takes_the_person_off_the_list_and_records_it(
    app, audience, api_client, smtp_server, client
):
    from amicale.groups.models import GroupContact, GroupContactHistory

    people, groups = audience
    api = api_client("staff")
    mailing = draft(api, groups)
    api.post(f"/api/v1/mailings/{mailing['id']}/send", json={})
    link = smtp_server.to("ada@example.org")[0]["List-Unsubscribe"].strip().strip("<>")
    path = link.removeprefix("http://127.0.0.1:5000")
    page = client.get(path, headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Lettre d&#39;info" in page.get_data(as_text=True)
    one_click = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    with app.app_context():
        s = session()
        status = s.scalar(
            select(GroupContact.status).where(
                GroupContact.group_id == groups["news"], GroupContact.contact_id == people["ada"].id
            )
        )
        assert status == "Removed"
        method, tracking = s.execute(
            select(GroupContactHistory.method, GroupContactHistory.tracking).where(
                GroupContactHistory.contact_id == people["ada"].id,
                GroupContactHistory.status == "Removed",
            )
        ).one()
        assert method == "Email" and f"mailing {mailing['id']}" in tracking
    figures = api.get(f"/api/v1/mailings/{mailing['id']}/figures").get_json()
    assert figures["unsubscribed"] == 1
    second = draft(api, groups, name="Décembre")
    assert api.get(f"/api/v1/mailings/{second['id']}/figures").get_json()["recipients_now"] == 2
    assert client.get("/unsubscribe/forged-token").status_code == 404


def test_unsubscribing_from_all_bulk_mail_from_the_page(
    app, audience, api_client, smtp_server, client
):
    from amicale.contacts.models import Contact

    people, groups = audience
    api = api_client("staff")
    mailing = draft(api, groups)
    api.post(f"/api/v1/mailings/{mailing['id']}/send", json={})
    path = (
        smtp_server.to("bob@example.org")[0]["List-Unsubscribe"]
        .strip()
        .strip("<>")
        .removeprefix("http://127.0.0.1:5000")
    )
    done = client.post(path, data={"scope": "all"}, headers={"Accept-Language": "en"})
    assert done.status_code == 200
    assert "will receive no more bulk mail" in done.get_data(as_text=True)
    with app.app_context():
        assert session().get(Contact, people["bob"].id).is_opt_out is True


def test_temporary_failures_are_retried_and_permanent_ones_kept_with_the_reason(
    audience, api_client, smtp_server
):
    from amicale.mail.models import MailingRecipient

    people, groups = audience
    smtp_server.refuse = {
        "ada@example.org": "451 4.3.0 Try again later",
        "bob@example.org": "550 5.1.1 No such user",
    }
    api = api_client("staff")
    mailing = draft(api, groups)
    api.post(f"/api/v1/mailings/{mailing['id']}/send", json={})
    figures = api.get(f"/api/v1/mailings/{mailing['id']}/figures").get_json()
    assert (figures["sent"], figures["failed"]) == (1, 2)
    from flask import current_app  # noqa: F401

    app = api.client.application
    with app.app_context():
        rows = dict(
            session()
            .execute(
                select(MailingRecipient.email, MailingRecipient.attempts).where(
                    MailingRecipient.mailing_id == mailing["id"]
                )
            )
            .all()
        )
        errors = dict(
            session()
            .execute(
                select(MailingRecipient.email, MailingRecipient.error).where(
                    MailingRecipient.mailing_id == mailing["id"]
                )
            )
            .all()
        )
    assert rows["ada@example.org"] == 3  # tried three times
    assert rows["bob@example.org"] == 1  # a permanent failure is not retried
    assert "550" in errors["bob@example.org"] and "451" in errors["ada@example.org"]


def test_a_scheduled_mailing_waits_for_its_time(app, audience, api_client, smtp_server):
    from amicale.mail.models import Mailing

    people, groups = audience
    api = api_client("staff")
    mailing = draft(api, groups)
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    scheduled = api.post(f"/api/v1/mailings/{mailing['id']}/send", json={"scheduled_at": later})
    assert scheduled.get_json()["status"] == "scheduled"
    runner = CliRunner()
    assert "0 scheduled mailing(s) started." in runner.invoke(cli, ["jobs", "run"], obj=app).output
    assert smtp_server.messages == []
    with app.app_context():
        s = session()
        s.execute(update(Mailing).values(scheduled_at=datetime.now(UTC) - timedelta(minutes=1)))
        s.commit()
    result = runner.invoke(cli, ["jobs", "run"], obj=app)
    assert "1 scheduled mailing(s) started." in result.output, result.output
    assert len(smtp_server.messages) == 3


def test_a_test_message_goes_only_to_the_address_given(audience, login_as, api_client, smtp_server):
    people, groups = audience
    mailing = draft(api_client("staff"), groups)
    staff = login_as("staff", locale="en")
    response = staff.post_form(
        f"/mailings/{mailing['id']}", {"action": "test", "test_email": "me@example.org"}
    )
    assert response.status_code == 302
    (message,) = smtp_server.messages
    assert message.envelope_to == ["me@example.org"]
    assert message["Subject"].startswith("[TEST] Des nouvelles")
    assert (
        api_client("staff").get(f"/api/v1/mailings/{mailing['id']}").get_json()["status"] == "draft"
    )


def test_bad_input_and_wrong_moments_are_refused(audience, api_client, smtp_server):
    people, groups = audience
    api = api_client("staff")
    nameless = api.post("/api/v1/mailings", json={"name": ""})
    assert nameless.status_code == 422 and set(nameless.get_json()["errors"]) == {"name"}
    typo = api.post("/api/v1/mailings", json={"name": "x", "subject": "{contact.nope}"})
    assert typo.status_code == 422 and set(typo.get_json()["errors"]) == {"subject"}
    ghost = api.post("/api/v1/mailings", json={"name": "x", "include_group_ids": [99999]})
    assert ghost.status_code == 422 and "include_group_ids" in ghost.get_json()["errors"]
    empty = api.post("/api/v1/mailings", json={"name": "Vide"}).get_json()
    refused = api.post(f"/api/v1/mailings/{empty['id']}/send", json={})
    assert refused.status_code == 422
    assert set(refused.get_json()["errors"]) == {"subject", "body_text", "include_group_ids"}
    mailing = draft(api, groups)
    api.post(f"/api/v1/mailings/{mailing['id']}/send", json={})
    assert api.patch(f"/api/v1/mailings/{mailing['id']}", json={"subject": "x"}).status_code == 409
    assert api.post(f"/api/v1/mailings/{mailing['id']}/send", json={}).status_code == 409
    assert api.delete(f"/api/v1/mailings/{mailing['id']}").status_code == 409
    assert len(smtp_server.messages) == 3


def test_staff_write_and_send_a_mailing_from_the_pages(audience, login_as, smtp_server):
    people, groups = audience
    staff = login_as("staff", locale="en")
    assert 'href="/mailings/"' in staff.get("/dashboard").get_data(as_text=True)
    created = staff.post_form(
        "/mailings/",
        {
            "name": "AG",
            "subject": "Assemblée générale",
            "body_text": "Bonjour {contact.first_name}",
            "include_group_ids": [groups["news"]],
        },
    )
    assert created.status_code == 302
    page = staff.get(created.headers["Location"]).get_data(as_text=True)
    assert "3 recipients if sent now" in page
    sent = staff.post_form(created.headers["Location"], {"action": "send"})
    assert sent.status_code == 302
    page = staff.get(created.headers["Location"]).get_data(as_text=True)
    assert 'id="fig-sent">3<' in page
    assert len(smtp_server.messages) == 3


def test_only_those_allowed_to_send_mailings_can(audience, login_as, api_client):
    assert login_as("readonly", locale="en").get("/mailings/").status_code == 403
    assert api_client("volunteer").get("/api/v1/mailings").status_code == 403


def test_a_test_to_a_bad_address_or_a_missing_template_is_refused_beside_its_field(
    audience, login_as, api_client, smtp_server
):
    people, groups = audience
    api = api_client("staff")
    ghost = api.post("/api/v1/mailings", json={"name": "x", "template_id": 999})
    assert ghost.status_code == 422 and "template_id" in ghost.get_json()["errors"]
    mailing = draft(api, groups)
    staff = login_as("staff", locale="en")
    page = staff.post_form(f"/mailings/{mailing['id']}", {"action": "test", "test_email": "nope"})
    assert page.status_code == 422
    assert "This is not a valid email address." in page.get_data(as_text=True)
    assert smtp_server.messages == []


def test_a_scheduled_mailing_that_is_no_longer_ready_goes_back_to_draft(
    app, audience, api_client, smtp_server
):
    from amicale.mail.models import Mailing
    from amicale.organisation.services import set_setting

    people, groups = audience
    api = api_client("staff")
    mailing = draft(api, groups)
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    api.post(f"/api/v1/mailings/{mailing['id']}/send", json={"scheduled_at": later})
    with app.app_context():
        s = session()
        s.execute(update(Mailing).values(scheduled_at=datetime.now(UTC) - timedelta(minutes=1)))
        set_setting(s, "organisation.email", None)  # nobody to send from any more
        s.commit()
    result = CliRunner().invoke(cli, ["jobs", "run"], obj=app)
    assert "0 scheduled mailing(s) started." in result.output, result.output
    assert api.get(f"/api/v1/mailings/{mailing['id']}").get_json()["status"] == "draft"
    assert smtp_server.messages == []


def test_an_address_with_accents_before_the_at_fails_alone(
    app, audience, api_client, smtp_server, factories
):
    from amicale.groups.services import add_contacts

    people, groups = audience
    elodie = factories.contact(first_name="Élodie", emails=[{"email": "élodie@exemple.fr"}])
    with app.app_context():
        s = session()
        add_contacts(s, groups["news"], [elodie.id])
        s.commit()
    api = api_client("staff")
    mailing = draft(api, groups)
    sent = api.post(f"/api/v1/mailings/{mailing['id']}/send", json={})
    assert sent.status_code == 200, sent.get_json()
    assert len(smtp_server.messages) == 3
    figures = api.get(f"/api/v1/mailings/{mailing['id']}/figures").get_json()
    assert (figures["sent"], figures["failed"]) == (3, 1)
