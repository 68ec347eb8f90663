"""Activities as the services keep them: recording with source, targets and assignees; a
contact's timeline (newest first, by type, paginated, in two queries); follow-ups; types."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, event, func, select

from amicale.activities import services
from amicale.activities.models import Activity, ActivityContact, ActivityType
from amicale.clock import utcnow
from amicale.contacts.models import Contact
from amicale.errors import NotFound, ValidationError


def day(d: int, hour: int = 10) -> datetime:
    return datetime(2024, 5, d, hour, 0, tzinfo=UTC)


def timeline(db, contact_id, **kw):
    with db() as s:
        entries, total = services.timeline(s, contact_id, **kw)
        return [(e.type.name, e.activity.subject) for e in entries], total


def count(s) -> int:
    return s.execute(select(func.count()).select_from(Activity)).scalar_one()


def test_a_volunteer_records_a_call_with_mr_lao_and_sees_it_first_on_his_timeline(
    db, people, record
):
    record("meeting", [people["lao"]], subject="First visit", when=day(1))
    record(
        "phone_call",
        [people["lao"]],
        source=people["marie"],
        subject="Asked about rent",
        when=day(3),
        duration=15,
        status="Completed",
    )
    with db() as s:
        entries, total = services.timeline(s, people["lao"])
    assert total == 2
    first = entries[0]
    assert (first.type.label, first.activity.subject, first.activity.duration) == (
        "Phone Call",
        "Asked about rent",
        15,
    )
    assert first.source.display_name == "Marie Dupont"
    assert [t.display_name for t in first.targets] == ["Wei Lao"]
    assert first.activity.activity_date == day(3)


def test_the_timeline_holds_every_activity_where_the_contact_is_source_target_or_assignee(
    db, people, record
):
    record("meeting", [people["lao"]], source=people["marie"], subject="as source", when=day(1))
    record("email", [people["marie"]], subject="as target", when=day(2))
    record(
        "follow_up",
        [people["lao"]],
        assignees=[people["marie"]],
        subject="as assignee",
        when=day(3),
    )
    record("letter", [people["jean"]], subject="not hers", when=day(4))
    assert timeline(db, people["marie"]) == (
        [("follow_up", "as assignee"), ("email", "as target"), ("meeting", "as source")],
        3,
    )
    with db() as s:
        assert services.count_for_contact(s, people["marie"]) == 3


def test_the_timeline_filters_by_type_and_pages(db, people, record):
    for d in range(1, 8):
        record("phone_call" if d % 2 else "email", [people["lao"]], subject=f"day {d}", when=day(d))
    assert timeline(db, people["lao"], activity_type="email") == (
        [("email", "day 6"), ("email", "day 4"), ("email", "day 2")],
        3,
    )
    assert timeline(db, people["lao"], page=2, page_size=3) == (
        [("email", "day 4"), ("phone_call", "day 3"), ("email", "day 2")],
        7,
    )
    assert timeline(db, people["lao"], page=5, page_size=3) == ([], 7)
    with db() as s, pytest.raises(ValidationError):
        services.timeline(s, people["lao"], activity_type="telepathy")


def test_the_timeline_costs_two_queries_however_many_activities_and_people(app, db, people, record):
    for d in range(1, 21):
        record(
            "meeting",
            [people["lao"], people["jean"]],
            assignees=[people["marie"]],
            source=people["grain"],
            when=day(d),
        )
    statements = []

    def count_statement(*args):
        statements.append(args[2])

    engine = app.extensions["amicale"].db.engine
    with db() as s:
        s.execute(select(1))  # the connection is open: count only the timeline's queries
        event.listen(engine, "before_cursor_execute", count_statement)
        try:
            entries, total = services.timeline(s, people["lao"], page_size=15)
        finally:
            event.remove(engine, "before_cursor_execute", count_statement)
    assert (len(entries), total) == (15, 20)
    assert all(len(e.targets) == 2 and e.assignees and e.source for e in entries)
    assert len(statements) == 2, statements


def test_an_activity_needs_someone_and_known_things(db, people):
    bad = [
        ({"activity_type": "meeting"}, "target_contact_ids"),
        ({"activity_type": "meeting", "target_contact_ids": [4242]}, "target_contact_ids"),
        (
            {
                "activity_type": "meeting",
                "target_contact_ids": [people["lao"]],
                "assignee_contact_ids": [4242],
            },
            "assignee_contact_ids",
        ),
        ({"activity_type": "meeting", "source_contact_id": 4242}, "source_contact_id"),
        ({"activity_type": "seance", "target_contact_ids": [people["lao"]]}, "activity_type"),
        ({"activity_type_id": 4242, "target_contact_ids": [people["lao"]]}, "activity_type_id"),
        ({"target_contact_ids": [people["lao"]]}, "activity_type_id"),
        (
            {
                "activity_type": "meeting",
                "target_contact_ids": [people["lao"]],
                "status": "Done-ish",
            },
            "status",
        ),
        (
            {
                "activity_type": "meeting",
                "target_contact_ids": [people["lao"]],
                "priority": "Whenever",
            },
            "priority",
        ),
        (
            {"activity_type": "meeting", "target_contact_ids": [people["lao"]], "duration": -5},
            "duration",
        ),
        (
            {
                "activity_type": "meeting",
                "target_contact_ids": [people["lao"]],
                "subject": "x" * 300,
            },
            "subject",
        ),
    ]
    with db() as s:
        for data, field in bad:
            with pytest.raises(ValidationError) as exc:
                services.create_activity(s, data)
            assert exc.value.field == field, data
            s.rollback()
        assert count(s) == 0


def test_the_source_alone_is_enough_and_a_naive_date_is_taken_as_utc(db, people):
    with db() as s:
        activity = services.create_activity(
            s,
            {
                "activity_type": "inbound_email",
                "source_contact_id": people["lao"],
                "activity_date": datetime(2024, 5, 1, 9, 30),
                "subject": "  Question  ",
            },
        )
        s.commit()
        assert activity.activity_date == datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
        assert activity.subject == "Question" and activity.status == "Scheduled"
    assert timeline(db, people["lao"]) == ([("inbound_email", "Question")], 1)


def test_an_inactive_type_is_not_offered_for_new_activities(db, people):
    with db() as s:
        meeting = services.activity_type_by_name(s, "meeting")
        services.update_activity_type(s, meeting.id, {"is_active": False})
        s.commit()
        with pytest.raises(ValidationError) as exc:
            services.create_activity(
                s, {"activity_type": "meeting", "target_contact_ids": [people["lao"]]}
            )
        assert "Meeting" in exc.value.message


def test_updating_replaces_the_participants_given_and_keeps_the_rules(db, people, record):
    activity_id = record("meeting", [people["lao"]], assignees=[people["marie"]], subject="Visit")
    with db() as s:
        services.update_activity(
            s,
            activity_id,
            {
                "target_contact_ids": [people["jean"], people["lao"]],
                "status": "Completed",
                "duration": 45,
            },
        )
        s.commit()
        entry = services.entry(s, activity_id)
        assert sorted(p.display_name for p in entry.targets) == ["Jean Dupont", "Wei Lao"]
        assert [p.display_name for p in entry.assignees] == ["Marie Dupont"]
        assert (entry.activity.status, entry.activity.duration) == ("Completed", 45)
        with pytest.raises(ValidationError):
            services.update_activity(s, activity_id, {"target_contact_ids": []})
        s.rollback()
        with pytest.raises(ValidationError):
            services.update_activity(s, activity_id, {"activity_date": None})
        s.rollback()
        with pytest.raises(ValidationError):
            services.update_activity(s, activity_id, {"assignee_contact_ids": [9999]})
        s.rollback()
        assert len(services.entry(s, activity_id).targets) == 2


def test_a_deleted_activity_leaves_the_timeline(db, people, record):
    activity_id = record("meeting", [people["lao"]], subject="Mistake")
    with db() as s:
        services.delete_activity(s, activity_id)
        s.commit()
        with pytest.raises(NotFound):
            services.get_activity(s, activity_id)
        with pytest.raises(NotFound):
            services.delete_activity(s, activity_id)
    assert timeline(db, people["lao"]) == ([], 0)


def test_when_a_contact_is_deleted_for_good_their_part_goes_but_the_activity_stays(
    db, people, record
):
    activity_id = record("meeting", [people["lao"], people["jean"]], source=people["marie"])
    with db() as s:
        s.execute(delete(Contact).where(Contact.id.in_([people["lao"], people["marie"]])))
        s.commit()
        activity = s.get(Activity, activity_id)
        assert activity.source_contact_id is None
        assert s.execute(
            select(ActivityContact.contact_id).where(ActivityContact.activity_id == activity_id)
        ).scalars().all() == [people["jean"]]


def test_my_follow_ups_are_the_scheduled_ones_assigned_to_me_soonest_first(db, people, record):
    now = utcnow()
    record(
        "follow_up",
        [people["lao"]],
        assignees=[people["marie"]],
        subject="late",
        when=now - timedelta(days=2),
    )
    record(
        "follow_up",
        [people["lao"]],
        assignees=[people["marie"]],
        subject="next week",
        when=now + timedelta(days=7),
    )
    record(
        "phone_call",
        [people["jean"]],
        assignees=[people["marie"]],
        subject="tomorrow",
        when=now + timedelta(days=1),
    )
    record(
        "phone_call",
        [people["jean"]],
        assignees=[people["marie"]],
        subject="done",
        when=now + timedelta(days=1),
        status="Completed",
    )
    record("phone_call", [people["jean"]], assignees=[people["jean"]], subject="not mine")
    with db() as s:
        entries = services.follow_ups(s, people["marie"])
    assert [e.activity.subject for e in entries] == ["late", "tomorrow", "next week"]
    assert [e.is_overdue(now) for e in entries] == [True, False, False]


# -- types ---------------------------------------------------------------------------------------


def test_the_core_s_activity_types_are_seeded(db):
    with db() as s:
        types = {t.name: t for t in services.list_activity_types(s)}
    assert {"meeting", "phone_call", "email", "letter", "follow_up", "sms", "inbound_email"} <= set(
        types
    )
    assert types["phone_call"].label == "Phone Call"
    assert all(t.component is None and t.is_reserved for t in types.values())


def test_a_component_s_types_are_created_once_and_marked_as_its_own(db):
    pairs = [("membership_signup", "Membership Signup"), ("meeting", "Board meeting")]
    with db() as s:
        created = services.ensure_activity_types(s, pairs, "membership")
        s.commit()
        assert [(t.name, t.component) for t in created] == [("membership_signup", "membership")]
        assert services.ensure_activity_types(s, pairs, "membership") == []
        assert services.activity_type_by_name(s, "meeting").label == "Meeting"
        assert services.ensure_activity_types(s, [], "membership") == []


def test_the_admin_adds_and_renames_activity_types_and_bad_ones_are_refused(db):
    with db() as s:
        visit = services.create_activity_type(s, {"name": "home_visit", "label": "Home visit"})
        services.update_activity_type(s, visit.id, {"label": "Visit at home"})
        s.commit()
        assert s.get(ActivityType, visit.id).label == "Visit at home"
        for data, field in [
            ({"name": "home_visit", "label": "Again"}, "name"),
            ({"name": "9lives", "label": "Cat"}, "name"),
            ({"name": "ok_name", "label": "  "}, "label"),
        ]:
            with pytest.raises(ValidationError) as exc:
                services.create_activity_type(s, data)
            assert exc.value.field == field
            s.rollback()
        with pytest.raises(NotFound):
            services.update_activity_type(s, 9999, {"label": "x"})
