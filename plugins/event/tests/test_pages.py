"""The staff pages: creating an event (a series), registering from the event page and the
contact tab, the participant actions, the check-in screen, badges, the CSV list, the types."""

import csv
import io
from datetime import datetime, timedelta

from sqlalchemy import select

from amicale.api_for_plugins import session
from amicale_event.models import Event, Participant


def _when(days=5) -> str:
    return (datetime.now() + timedelta(days=days)).strftime("%Y-%m-%dT19:00")


def test_an_administrator_creates_a_weekly_series_with_a_question(app, login_as):
    admin = login_as("administrator", locale="en")
    assert admin.get("/event/new").status_code == 200
    bad = admin.post_form("/event/new", {"title": "", "start_date": "soon"})
    assert bad.status_code == 422 and 'id="f-title-error"' in bad.get_data(as_text=True)
    done = admin.post_form(
        "/event/new",
        {
            "title": "Knitting evening",
            "start_date": _when(),
            "max_participants": "12",
            "is_public": "1",
            "has_waitlist": "1",
            "is_active": "1",
            "participant_fields_text": "wool | Wool colour | red, blue",
            "repeat_frequency": "weekly",
            "repeat_interval": "1",
            "repeat_count": "6",
        },
    )
    assert done.status_code == 302
    with app.app_context():
        rows = session().scalars(select(Event).order_by(Event.start_date)).all()
        assert len(rows) == 6
        assert {e.series_id for e in rows} == {rows[0].id}
        assert rows[3].participant_fields[0]["options"] == ["red", "blue"]
    page = admin.get(f"/event/{rows[2].id}/edit").get_data(as_text=True)
    assert "Change this event and the following ones of the series" in page


def test_staff_registers_and_manages_participants(app, login_as, factories):
    event = factories.event.event(title="Cleanup day", max_participants=1)
    a, b, c = factories.contact(last_name="Alpha"), factories.contact(), factories.contact()
    staff = login_as("staff", locale="en")
    assert staff.post_form(f"/event/{event.id}/register", {"contact_id": a.id}).status_code == 302
    staff.post_form(f"/event/{event.id}/register", {"contact_id": b.id, "role": "volunteer"})
    page = staff.get(f"/event/{event.id}").get_data(as_text=True)
    assert "Alpha" in page and "On waitlist" in page and "1 / 1" in page
    with app.app_context():
        first, second = session().scalars(select(Participant).order_by(Participant.id)).all()
    staff.post_form(f"/event/participant/{first.id}/cancel", {})
    with app.app_context():
        s = session()
        assert s.get(Participant, second.id).status == "Registered"
    staff.post_form(f"/event/participant/{second.id}/transfer", {"contact_id": c.id})
    with app.app_context():
        s = session()
        assert s.get(Participant, second.id).transferred_to_id is not None
    tab = staff.get(f"/event/contact/{a.id}").get_data(as_text=True)
    assert "Cleanup day" in tab and "Cancelled" in tab


def test_the_check_in_screen_badges_and_list(app, login_as, factories):
    event = factories.event.event(
        title="Assembly",
        participant_fields=[{"name": "diet", "label": "Diet", "options": ["veg", "omni"]}],
    )
    ada = factories.contact(first_name="Ada", last_name="Lovelace")
    p = factories.event.participant(event.id, ada.id, field_values={"diet": "veg"})
    staff = login_as("staff", locale="en")
    screen = staff.get(f"/event/{event.id}/check-in").get_data(as_text=True)
    assert "Lovelace" in screen and 'id="check-in-search"' in screen
    answer = staff.post_form(
        f"/event/participant/{p.id}/check-in", {}, headers={"Accept": "application/json"}
    )
    assert answer.get_json()["status"] == "Attended"
    assert "1</span> / 1" in staff.get(f"/event/{event.id}/check-in").get_data(as_text=True)
    pdf = staff.get(f"/event/{event.id}/badges.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    listing = staff.get(f"/event/{event.id}/participants.csv")
    rows = list(csv.reader(io.StringIO(listing.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][-1] == "Diet"
    assert rows[1][0] == "Lovelace, Ada" and rows[1][3] == "Attended" and rows[1][-1] == "veg"


def test_event_types_are_administered(login_as):
    admin = login_as("administrator", locale="en")
    assert "Workshop" in admin.get("/event/types").get_data(as_text=True)
    admin.post_form("/event/types", {"name": "Repair café"})
    assert "Repair café" in admin.get("/event/types").get_data(as_text=True)


def test_pages_need_their_permissions(login_as, factories):
    event = factories.event.event()
    nobody = login_as(None, locale="en")
    assert nobody.get("/event/").status_code == 403
    assert nobody.get(f"/event/{event.id}/check-in").status_code == 403
    readonly = login_as("readonly", locale="en")
    assert readonly.get("/event/").status_code == 200
    assert readonly.get("/event/new").status_code == 403


def test_a_contact_is_registered_from_their_tab(app, login_as, factories):
    event = factories.event.event(title="Choir rehearsal")
    bob = factories.contact(first_name="Bob")
    staff = login_as("staff", locale="en")
    tab = staff.get(f"/event/contact/{bob.id}").get_data(as_text=True)
    assert 'id="event-tab-register"' in tab and "Choir rehearsal" in tab
    done = staff.post_form(
        f"/event/{event.id}/register",
        {"contact_id": bob.id, "role": "volunteer", "back": "contact"},
    )
    assert done.headers["Location"].endswith(f"/event/contact/{bob.id}")
    tab = staff.get(f"/event/contact/{bob.id}").get_data(as_text=True)
    assert "Volunteer" in tab and "Registered" in tab


def test_the_event_list_filters_by_title_type_and_time(login_as, factories):
    talk = factories.event.type(name="Talk")
    factories.event.event(title="Bees and gardens", event_type_id=talk.id)
    factories.event.event(title="Annual meeting")
    old = (datetime.now() - timedelta(days=30)).isoformat(timespec="minutes")
    factories.event.event(title="Old bees", start_date=old, event_type_id=talk.id)
    staff = login_as("staff", locale="en")

    def titles(query):
        page = staff.get(f"/event/?{query}").get_data(as_text=True)
        table = page.split('id="event-list"', 1)[1]
        return {t for t in ("Bees and gardens", "Annual meeting", "Old bees") if t in table}

    assert titles("") == {"Bees and gardens", "Annual meeting"}
    assert titles("q=bees&when=all") == {"Bees and gardens", "Old bees"}
    assert titles(f"type={talk.id}") == {"Bees and gardens"}


def test_staff_registration_asks_the_custom_fields_of_participants(app, factories, login_as):
    from sqlalchemy import select

    from amicale.api_for_plugins import session, values_for
    from amicale.customfields import services as custom
    from amicale_event.models import Participant

    with app.app_context():
        s = session()
        group = custom.create_group(
            s, {"name": "badge", "title": "Badge", "extends": "event_participant"}
        )
        custom.create_field(
            s,
            {
                "custom_group_id": group.id,
                "name": "badge_name",
                "label": "Name on the badge",
                "data_type": "text",
                "is_required": True,
            },
        )
        s.commit()
    event = factories.event.event(max_participants=5)
    ada = factories.contact(first_name="Ada")
    staff = login_as("staff", locale="en")
    page = staff.get(f"/event/{event.id}").get_data(as_text=True)
    assert "Name on the badge" in page
    refused = staff.post_form(f"/event/{event.id}/register", {"contact_id": ada.id})
    assert refused.status_code == 422
    done = staff.post_form(
        f"/event/{event.id}/register", {"contact_id": ada.id, "custom-badge_name": "Ada L."}
    )
    assert done.status_code == 302
    with app.app_context():
        s = session()
        p = s.scalar(select(Participant))
        assert values_for(s, "event_participant", [p.id])[p.id] == {"badge_name": "Ada L."}
