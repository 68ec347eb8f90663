"""Public subscription pages: a person picks the lists they receive, confirms by email (double
opt-in), and changes their mind from the link in every mailing; the group history keeps when,
how and from where."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from amicale.db import session


@pytest.fixture
def lists(app, organisation):
    from amicale.groups.services import create_group

    with app.app_context():
        s = session()
        regular = create_group(
            s,
            {
                "title": "Événements réguliers",
                "is_mailing_list": True,
                "visibility": "Public Pages",
            },
        )
        news = create_group(
            s,
            {
                "title": "Informations ponctuelles",
                "is_mailing_list": True,
                "visibility": "Public Pages",
            },
        )
        board = create_group(s, {"title": "Bureau", "is_mailing_list": True})  # not public
        s.commit()
        return {"regular": regular.id, "news": news.id, "board": board.id}


def statuses(app, email: str) -> dict[int, str]:
    from amicale.contacts.models import Email
    from amicale.groups.models import GroupContact

    with app.app_context():
        rows = session().execute(
            select(GroupContact.group_id, GroupContact.status)
            .join(Email, Email.contact_id == GroupContact.contact_id)
            .where(Email.email == email)
        )
        return dict(rows.all())


def history(app, email: str) -> list[tuple[str, str, str]]:
    from amicale.contacts.models import Email
    from amicale.groups.models import GroupContactHistory

    with app.app_context():
        rows = session().execute(
            select(
                GroupContactHistory.status, GroupContactHistory.method, GroupContactHistory.tracking
            )
            .join(Email, Email.contact_id == GroupContactHistory.contact_id)
            .where(Email.email == email)
            .order_by(GroupContactHistory.id)
        )
        return [tuple(r) for r in rows]


def link_in(message, path: str) -> str:
    text = message.get_content()
    return re.search(rf"http://127\.0\.0\.1:5000({path}/\S+)", text).group(1)


def test_a_visitor_subscribes_and_confirms_by_email(app, lists, client, smtp_server):
    en = {"Accept-Language": "en"}
    page = client.get("/subscribe", headers=en).get_data(as_text=True)
    assert "Événements réguliers" in page and "Informations ponctuelles" in page
    assert "Bureau" not in page
    response = client.post(
        "/subscribe",
        data={
            "csrf_token": client.csrf_token(),
            "email": "Lea.Martin@example.org",
            "first_name": "Léa",
            "last_name": "Martin",
            "group_ids": [lists["regular"]],
        },
        headers=en,
    )
    assert response.status_code == 200
    assert "Check your inbox" in response.get_data(as_text=True)
    assert statuses(app, "lea.martin@example.org") == {lists["regular"]: "Pending"}
    (message,) = smtp_server.to("lea.martin@example.org")
    path = link_in(message, "/subscribe/confirm")
    assert (
        client.get(path, headers=en).status_code == 200
    )  # a GET (a mail scanner) confirms nothing
    assert statuses(app, "lea.martin@example.org") == {lists["regular"]: "Pending"}
    done = client.post(path, headers=en)
    assert done.status_code == 200 and "Événements réguliers" in done.get_data(as_text=True)
    assert statuses(app, "lea.martin@example.org") == {lists["regular"]: "Added"}
    steps = history(app, "lea.martin@example.org")
    assert [(status, method) for status, method, _t in steps] == [
        ("Pending", "Web"),
        ("Added", "Email"),
    ]
    assert "subscribe page, from 127.0.0.1" in steps[0][2]
    assert client.post("/subscribe/confirm/forged", headers=en).status_code == 404


def test_the_form_refuses_bad_input_and_never_tells_if_an_address_is_known(
    app, lists, client, smtp_server, factories
):
    en = {"Accept-Language": "en"}
    bad = client.post(
        "/subscribe",
        data={
            "csrf_token": client.csrf_token(),
            "email": "not-an-address",
            "group_ids": [lists["board"]],
        },
        headers=en,
    )
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert 'id="f-email-error"' in page and 'id="f-group_ids-error"' in page
    assert smtp_server.messages == []
    known = factories.contact(first_name="Ada", emails=[{"email": "ada@example.org"}])
    response = client.post(
        "/subscribe",
        data={
            "csrf_token": client.csrf_token(),
            "email": "ada@example.org",
            "group_ids": [lists["news"]],
        },
        headers=en,
    )
    assert "Check your inbox" in response.get_data(as_text=True)
    assert statuses(app, "ada@example.org") == {lists["news"]: "Pending"}
    from amicale.contacts.models import Contact

    with app.app_context():
        assert session().scalar(select(Contact.id).where(Contact.first_name == "Ada")) == known.id


def test_a_mailing_carries_a_preferences_link_where_the_person_changes_their_choice(
    app, lists, factories, api_client, client, smtp_server
):
    from amicale.groups.services import add_contacts

    person = factories.contact(first_name="Bob", emails=[{"email": "bob@example.org"}])
    with app.app_context():
        s = session()
        add_contacts(s, lists["regular"], [person.id])
        s.commit()
    api = api_client("staff")
    mailing = api.post(
        "/api/v1/mailings",
        json={
            "name": "m",
            "subject": "s",
            "body_text": "b",
            "include_group_ids": [lists["regular"]],
        },
    ).get_json()
    api.post(f"/api/v1/mailings/{mailing['id']}/send", json={})
    (message,) = smtp_server.to("bob@example.org")
    path = link_in(message, "/preferences")
    page = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f'value="{lists["regular"]}" checked' in page
    saved = client.post(
        path, data={"group_ids": [lists["news"]]}, headers={"Accept-Language": "en"}
    )
    assert "Your choice is saved." in saved.get_data(as_text=True)
    assert statuses(app, "bob@example.org") == {lists["regular"]: "Removed", lists["news"]: "Added"}
    client.post(path, data={"no_bulk_mail": "1"})
    from amicale.contacts.models import Contact

    with app.app_context():
        assert session().get(Contact, person.id).is_opt_out is True
    methods = {m for _s, m, _t in history(app, "bob@example.org")[1:]}
    assert methods == {"Web"}
