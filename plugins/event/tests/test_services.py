"""Events and registrations: places, the waitlist, cancellation, transfer, series, copies, fees
without a payment component."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from amicale.api_for_plugins import Conflict, ValidationError
from amicale_event import services
from amicale_event.models import Participant, ParticipantLog


def _start(days=10):
    return (datetime.now() + timedelta(days=days)).replace(second=0, microsecond=0)


def test_the_event_fills_up_and_the_next_ones_wait(factories, in_app):
    event = factories.event.event(max_participants=2)
    people = [factories.contact().id for _ in range(3)]
    with in_app() as s:
        results = [services.register(s, event.id, {"contact_id": c}) for c in people]
        s.commit()
        assert [r.main.status for r in results] == ["Registered", "Registered", "On waitlist"]
        assert services.get_event(s, event.id).taken == 2


def test_a_cancellation_gives_the_place_to_the_first_on_the_waitlist(factories, in_app):
    event = factories.event.event(max_participants=1)
    first, second, third = (factories.contact().id for _ in range(3))
    with in_app() as s:
        holder = services.register(s, event.id, {"contact_id": first}).main
        waiting = services.register(s, event.id, {"contact_id": second}).main
        services.register(s, event.id, {"contact_id": third})
        s.commit()
        _, promoted = services.cancel(s, holder.id, note="ill")
        s.commit()
        assert [p.id for p in promoted] == [waiting.id]
        assert s.get(Participant, waiting.id).status == "Registered"
        assert s.get(Participant, holder.id).status == "Cancelled"
        assert services.get_event(s, event.id).taken == 1
        actions = list(s.scalars(select(ParticipantLog.action).order_by(ParticipantLog.id)))
        assert "cancel" in actions and "promote" in actions


def test_a_registrant_brings_people_and_they_all_fit_or_all_wait(factories, in_app):
    event = factories.event.event(max_participants=3)
    a, b, c, d = (factories.contact().id for _ in range(4))
    with in_app() as s:
        together = services.register(s, event.id, {"contact_id": a, "additional_contact_ids": [b]})
        later = services.register(s, event.id, {"contact_id": c, "additional_contact_ids": [d]})
        s.commit()
        assert [p.status for p in together.participants] == ["Registered", "Registered"]
        assert together.participants[1].registered_by_id == together.main.id
        assert [p.status for p in later.participants] == ["On waitlist", "On waitlist"]
        assert services.get_event(s, event.id).taken == 2


def test_a_full_event_without_waitlist_refuses(factories, in_app):
    event = factories.event.event(max_participants=1, has_waitlist=False)
    a, b = factories.contact().id, factories.contact().id
    with in_app() as s:
        services.register(s, event.id, {"contact_id": a})
        with pytest.raises(Conflict):
            services.register(s, event.id, {"contact_id": b})


def test_staff_registers_a_group_in_one_go(factories, in_app):
    event = factories.event.event(max_participants=2)
    ids = [factories.contact().id for _ in range(3)]
    with in_app() as s:
        result = services.register(s, event.id, {"contact_ids": ids, "role": "volunteer"})
        s.commit()
        assert [p.status for p in result.participants] == [
            "Registered",
            "Registered",
            "On waitlist",
        ]
        assert {p.role for p in result.participants} == {"volunteer"}


def test_a_transfer_moves_the_place_to_another_person(factories, in_app):
    event = factories.event.event(max_participants=1)
    first, other = factories.contact().id, factories.contact().id
    with in_app() as s:
        p = services.register(s, event.id, {"contact_id": first}).main
        new = services.transfer(s, p.id, {"contact_id": other, "note": "her sister"})
        s.commit()
        assert (new.contact_id, new.status) == (other, "Registered")
        old = s.get(Participant, p.id)
        assert (old.status, old.transferred_to_id) == ("Cancelled", new.id)
        assert services.get_event(s, event.id).taken == 1


def test_statuses_take_and_give_back_places(factories, in_app):
    event = factories.event.event(max_participants=1)
    a, b = factories.contact().id, factories.contact().id
    with in_app() as s:
        pa = services.register(s, event.id, {"contact_id": a}).main
        pb = services.register(s, event.id, {"contact_id": b}).main
        with pytest.raises(Conflict):
            services.set_status(s, pb.id, {"status": "Registered"})
        services.check_in(s, pa.id)
        assert s.get(Participant, pa.id).status == "Attended"
        _, promoted = services.set_status(s, pa.id, {"status": "Cancelled"})
        assert [p.id for p in promoted] == [pb.id]
        services.mark_no_shows(s, event.id)
        assert s.get(Participant, pb.id).status == "No-show"


def test_a_weekly_series_is_created_and_changed_together(factories, in_app):
    start = _start(3)
    with in_app() as s:
        first = services.create_event(
            s,
            {
                "title": "Knitting evening",
                "start_date": start.isoformat(),
                "repeat_rule": {"frequency": "weekly", "count": 4},
            },
        )
        s.commit()
        series = services.list_events(s, q="knitting", upcoming=True)[0]
        assert [e.start_date for e in series] == [start + timedelta(weeks=i) for i in range(4)]
        second = series[1]
        services.update_event(s, second.id, {"title": "Knitting night"}, scope="one")
        services.update_event(s, series[2].id, {"location": "Salle B"}, scope="all")
        s.commit()
        titles = [e.title for e in services.list_events(s, q="knitting", upcoming=True)[0]]
        assert titles == [
            "Knitting evening",
            "Knitting night",
            "Knitting evening",
            "Knitting evening",
        ]
        places = [e.location for e in services.list_events(s, q="knitting", upcoming=True)[0]]
        assert places == [None, None, "Salle B", "Salle B"]
        assert first.series_id == first.id


def test_an_event_is_copied_as_a_template(factories, in_app):
    event = factories.event.event(
        title="General assembly",
        max_participants=80,
        fee_member="5.00",
        participant_fields=[{"name": "diet", "label": "Diet", "options": ["veg", "omni"]}],
    )
    factories.event.participant(event.id)
    with in_app() as s:
        copy = services.copy_event(s, event.id, {"title": "General assembly 2027"})
        s.commit()
        assert copy.id != event.id
        assert (copy.title, copy.max_participants, copy.fee_member) == (
            "General assembly 2027",
            80,
            Decimal("5.00"),
        )
        assert copy.participant_fields[0]["name"] == "diet"
        assert copy.taken == 0


def test_without_a_payment_component_the_fee_is_noted_and_waits(factories, in_app):
    event = factories.event.event(fee_member="12.00", fee_non_member="20.00")
    contact_id = factories.contact().id
    with in_app() as s:
        result = services.register(s, event.id, {"contact_id": contact_id, "fee_level": "member"})
        s.commit()
        p = result.main
        assert (p.status, p.fee_amount, p.fee_paid, result.payment) == (
            "Pending payment",
            Decimal("12.00"),
            False,
            None,
        )
        services.mark_paid(s, p.id)
        assert s.get(Participant, p.id).status == "Registered"


def test_answers_to_the_event_questions_are_checked(factories, in_app):
    event = factories.event.event(
        participant_fields=[
            {
                "name": "diet",
                "label": "Diet",
                "options": ["vegetarian", "omnivore"],
                "required": True,
            }
        ]
    )
    a, b = factories.contact().id, factories.contact().id
    with in_app() as s:
        with pytest.raises(ValidationError) as err:
            services.register(s, event.id, {"contact_id": a})
        assert "field_diet" in err.value.errors
        p = services.register(
            s, event.id, {"contact_id": b, "field_values": {"diet": "vegetarian"}}
        ).main
        assert p.field_values == {"diet": "vegetarian"}


def test_the_capacity_cannot_go_below_the_places_taken(factories, in_app):
    event = factories.event.event(max_participants=3)
    for _ in range(2):
        factories.event.participant(event.id)
    with in_app() as s:
        with pytest.raises(ValidationError):
            services.update_event(s, event.id, {"max_participants": 1})


def test_online_registrations_can_wait_for_approval(factories, in_app):
    event = factories.event.event(max_participants=1, requires_approval=True)
    a, b = factories.contact().id, factories.contact().id
    with in_app() as s:
        asked = services.register(s, event.id, {"contact_id": a}, public=True).main
        assert asked.status == "Pending approval"
        assert services.get_event(s, event.id).taken == 1  # the place is kept meanwhile
        services.set_status(s, asked.id, {"status": "Registered"})
        assert services.get_event(s, event.id).taken == 1
        late = services.register(s, event.id, {"contact_id": b}, public=True).main
        assert late.status == "On waitlist"


def test_visitors_cannot_choose_free_when_there_is_a_price(factories, in_app):
    event = factories.event.event(fee_non_member="10.00")
    a = factories.contact().id
    with in_app() as s:
        with pytest.raises(ValidationError) as err:
            services.register(s, event.id, {"contact_id": a, "fee_level": "free"}, public=True)
        assert "fee_level" in err.value.errors
        staff = services.register(s, event.id, {"contact_id": a, "fee_level": "free"}).main
        assert (staff.status, staff.fee_amount) == ("Registered", None)


def test_more_places_call_the_waitlist_in(factories, in_app, organisation, smtp_server):
    event = factories.event.event(title="Bike repair", max_participants=1)
    first = factories.contact(emails=[{"email": "first@example.org"}]).id
    waiting = [factories.contact(emails=[{"email": f"w{i}@example.org"}]).id for i in range(3)]
    with in_app() as s:
        for c in [first, *waiting]:
            services.register(s, event.id, {"contact_id": c})
        s.commit()
        _, promoted = services.update_event(s, event.id, {"max_participants": 3})
        s.commit()
        assert [p.contact_id for p in promoted] == waiting[:2]
        from amicale_event import mail

        assert mail.send_promotions(s, promoted) == 2
    subjects = {m["Subject"] for m in smtp_server.messages}
    assert subjects == {"A place is free for you: Bike repair"}


def test_nobody_is_registered_twice(factories, in_app):
    event = factories.event.event()
    a, b = factories.contact().id, factories.contact().id
    with in_app() as s:
        services.register(s, event.id, {"contact_id": a})
        with pytest.raises(Conflict):
            services.register(s, event.id, {"contact_id": a})
        group = services.register(s, event.id, {"contact_ids": [a, b]})
        assert [p.contact_id for p in group.participants] == [b]
