"""The public pages: the list of events to come, the registration form with the event's
questions, the contact found by email or created, the confirmation email with its iCalendar
file, the signed cancellation link that gives the place to the waitlist, the calendar feed."""

import re
from datetime import datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from amicale.api_for_plugins import Contact, session
from amicale_event.models import Participant


@pytest.fixture
def client(client):
    """An anonymous visitor whose browser asks for English."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def dinner(factories):
    return factories.event.event(
        title="Harvest dinner",
        location="Salle des fêtes, 1 rue du Parc",
        max_participants=1,
        participant_fields=[
            {
                "name": "diet",
                "label": "Dietary preference",
                "options": ["vegetarian", "omnivore"],
                "required": True,
            }
        ],
    )


def _participants(app, event_id):
    with app.app_context():
        s = session()
        rows = s.scalars(
            select(Participant).where(Participant.event_id == event_id).order_by(Participant.id)
        ).all()
        return [(p.contact_id, p.status, p.field_values) for p in rows]


def test_the_public_list_shows_only_public_events_to_come(client, factories, dinner):
    factories.event.event(title="Board meeting", is_public=False)
    past = datetime.now() - timedelta(days=3)
    factories.event.event(title="Last year's fair", start_date=past.isoformat())
    text = client.get("/event/public/").get_data(as_text=True)
    assert "Harvest dinner" in text
    assert "Board meeting" not in text and "Last year's fair" not in text
    hidden = factories.event.event(title="Private", is_public=False)
    assert client.get(f"/event/public/{hidden.id}").status_code == 404


def test_a_visitor_registers_answers_the_question_and_gets_a_calendar_file(
    app, client, dinner, organisation, smtp_server
):
    page = client.get(f"/event/public/{dinner.id}").get_data(as_text=True)
    assert "Dietary preference" in page and "Places left: 1" in page
    bad = client.post_form(
        f"/event/public/{dinner.id}", {"first_name": "Ada", "last_name": "", "email": "x"}
    )
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    for name in ("last_name", "email"):
        assert f'id="f-{name}-error"' in text
    done = client.post_form(
        f"/event/public/{dinner.id}",
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@example.org",
            "field_diet": "vegetarian",
        },
    )
    assert done.status_code == 200
    assert "you are registered" in done.get_data(as_text=True)
    with app.app_context():
        ada = session().scalar(select(Contact).where(Contact.last_name == "Lovelace"))
    assert _participants(app, dinner.id) == [(ada.id, "Registered", {"diet": "vegetarian"})]
    (mail,) = smtp_server.messages
    assert mail["Subject"] == "Your registration: Harvest dinner"
    body = next(p for p in mail.walk() if p.get_content_type() == "text/plain").get_content()
    assert "Hello Ada" in body and "Salle des fêtes" in body
    assert "/event/public/cancel/" in body
    ics = next(p for p in mail.walk() if p.get_content_type() == "text/calendar")
    calendar = Calendar.from_ical(ics.get_payload(decode=True))
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Harvest dinner"


def test_a_known_email_is_the_same_contact_and_the_next_visitor_waits(
    app, client, factories, dinner, organisation, smtp_server, count_rows
):
    known = factories.contact(
        first_name="Grace", last_name="Hopper", emails=[{"email": "grace@example.org"}]
    )
    before = count_rows(Contact)
    client.post_form(
        f"/event/public/{dinner.id}",
        {
            "first_name": "G",
            "last_name": "H",
            "email": "GRACE@example.org",
            "field_diet": "omnivore",
        },
    )
    assert count_rows(Contact) == before
    late = client.post_form(
        f"/event/public/{dinner.id}",
        {
            "first_name": "Alan",
            "last_name": "Turing",
            "email": "alan@example.org",
            "field_diet": "omnivore",
        },
    )
    assert "you are on the waitlist" in late.get_data(as_text=True)
    statuses = [status for _, status, _ in _participants(app, dinner.id)]
    assert statuses == ["Registered", "On waitlist"]
    assert _participants(app, dinner.id)[0][0] == known.id


def test_the_signed_link_cancels_and_the_waitlist_gets_the_place_by_email(
    app, client, dinner, organisation, smtp_server
):
    for first, email in (("Ada", "ada@example.org"), ("Alan", "alan@example.org")):
        client.post_form(
            f"/event/public/{dinner.id}",
            {"first_name": first, "last_name": "X", "email": email, "field_diet": "omnivore"},
        )
    body = next(
        p for p in smtp_server.messages[0].walk() if p.get_content_type() == "text/plain"
    ).get_content()
    link = re.search(r"(/event/public/cancel/\S+)", body).group(1)
    assert "Cancel my registration" in client.get(link).get_data(as_text=True)
    done = client.post_form(link, {})
    assert "Your registration is cancelled." in done.get_data(as_text=True)
    assert [s for _, s, _ in _participants(app, dinner.id)] == ["Cancelled", "Registered"]
    offer = smtp_server.messages[-1]
    assert offer["Subject"] == "A place is free for you: Harvest dinner"
    assert offer["To"].endswith("alan@example.org>") or "alan@example.org" in offer["To"]
    assert client.get("/event/public/cancel/forged-token").status_code == 404


def test_registration_closed_and_the_robots(client, factories, count_rows):
    closed = factories.event.event(is_online_registration=False)
    assert "not open" in client.get(f"/event/public/{closed.id}").get_data(as_text=True)
    refused = client.post_form(
        f"/event/public/{closed.id}", {"first_name": "A", "last_name": "B", "email": "a@b.org"}
    )
    assert refused.status_code == 422
    open_event = factories.event.event()
    before = count_rows(Participant)
    client.post_form(
        f"/event/public/{open_event.id}",
        {"first_name": "A", "last_name": "B", "email": "a@b.org", "website": "spam"},
    )
    assert count_rows(Participant) == before


def test_a_double_submit_registers_once(client, factories, count_rows):
    event = factories.event.event()
    page = client.get(f"/event/public/{event.id}").get_data(as_text=True)
    nonce = re.search(r'name="nonce" value="([^"]+)"', page).group(1)
    form = {"first_name": "A", "last_name": "B", "email": "a@b.org", "nonce": nonce}
    client.post_form(f"/event/public/{event.id}", form)
    client.post_form(f"/event/public/{event.id}", form)
    assert count_rows(Participant) == 1


def test_the_calendar_feed_lists_the_public_events(client, dinner, factories):
    factories.event.event(title="Board meeting", is_public=False)
    feed = client.get("/event/public/feed.ics")
    assert feed.mimetype == "text/calendar"
    summaries = [str(e["SUMMARY"]) for e in Calendar.from_ical(feed.data).walk("VEVENT")]
    assert summaries == ["Harvest dinner"]
    one = client.get(f"/event/public/{dinner.id}/event.ics")
    assert b"Harvest dinner" in one.data


def test_the_admins_custom_fields_of_participants_are_asked_saved_and_exported(
    app, client, factories, login_as, count_rows
):
    from amicale.customfields import services as custom

    with app.app_context():
        s = session()
        group = custom.create_group(
            s, {"name": "stay", "title": "Your stay", "extends": "event_participant"}
        )
        custom.create_field(
            s,
            {
                "custom_group_id": group.id,
                "name": "arrival",
                "label": "Arriving by",
                "data_type": "select",
                "options": [{"value": "train"}, {"value": "car"}, {"value": "bike"}],
                "is_required": True,
            },
        )
        s.commit()
    event = factories.event.event(title="Week-end vélo", max_participants=10)
    page = client.get(f"/event/public/{event.id}").get_data(as_text=True)
    assert "Arriving by" in page and 'name="custom-arrival"' in page
    person = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org"}
    refused = client.post_form(f"/event/public/{event.id}", person)
    assert refused.status_code == 422 and "f-custom.arrival-error" in refused.get_data(as_text=True)
    assert count_rows(Participant) == 0
    done = client.post_form(f"/event/public/{event.id}", {**person, "custom-arrival": "bike"})
    assert done.status_code == 200
    csv_text = (
        login_as("staff", locale="en")
        .get(f"/event/{event.id}/participants.csv")
        .get_data(as_text=True)
    )
    header, row = csv_text.splitlines()[:2]
    assert header.endswith("Arriving by") and row.endswith("bike")
