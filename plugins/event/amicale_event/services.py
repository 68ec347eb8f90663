"""The rules of Events: types, events and their series, registrations, places and the waitlist.

Places: ``Event.taken`` counts the participants whose status holds a place (``HOLDING``). A
place is taken with one conditional UPDATE (``taken = taken + n WHERE taken + n <=
max_participants``), atomic on SQLite and PostgreSQL alike: when it changes no row, the event
is full and the registration goes to the waitlist. A place is given back the same way, and the
first on the waitlist then gets it (``promote_waitlist``; the caller emails them).

Every function takes a session and leaves the commit to its caller.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from amicale.api_for_plugins import (
    Conflict,
    Contact,
    NotFound,
    ValidationError,
    create_activity,
    definitions_for,
    delete_values,
    form_input,
    get_setting,
    gettext,
    hook,
    load_input,
    save_values,
    utcnow,
    validate_values,
    values_for,
)

from .models import (
    ATTENDED,
    CANCELLED,
    FREE,
    HOLDING,
    MEMBER,
    MONTHLY,
    NO_SHOW,
    NON_MEMBER,
    PENDING_APPROVAL,
    PENDING_PAYMENT,
    REDUCED,
    REGISTERED,
    WAITLIST,
    WEEKLY,
    Event,
    EventType,
    Participant,
    ParticipantLog,
)
from .schemas import (
    EventSchema,
    EventTypeSchema,
    RegisterSchema,
    StatusSchema,
    TransferSchema,
)

REGISTRATION_ACTIVITY = "event_registration"
STAFF_SOURCE = "Staff registration"
PUBLIC_SOURCE = "Public registration page"


def local_now() -> datetime:
    """Now, in the server's local time, as the events' dates are written (naive)."""
    return datetime.now()


# -- types -----------------------------------------------------------------------------------------


def list_types(
    session: Session, *, active: bool | None = None, page: int = 1, page_size: int = 1000
) -> tuple[list[EventType], int]:
    query = select(EventType)
    if active is not None:
        query = query.where(EventType.is_active.is_(active))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(
        query.order_by(EventType.weight, EventType.name)
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return list(rows), total


def type_options(session: Session) -> list[tuple[int, str]]:
    return [(t.id, t.name) for t in list_types(session, active=True)[0]]


def get_type(session: Session, type_id: int) -> EventType:
    etype = session.get(EventType, type_id)
    if etype is None:
        raise NotFound(gettext("No such event type."))
    return etype


def _unique_type_name(session: Session, name: str, type_id: int | None) -> None:
    found = session.scalar(select(EventType.id).where(func.lower(EventType.name) == name.lower()))
    if found is not None and found != type_id:
        raise ValidationError(gettext("This name is already used."), field="name")


def create_type(session: Session, data: dict) -> EventType:
    values = load_input(EventTypeSchema(), data)
    _unique_type_name(session, values["name"], None)
    etype = EventType(**values)
    session.add(etype)
    session.flush()
    return etype


def update_type(session: Session, type_id: int, data: dict) -> EventType:
    etype = get_type(session, type_id)
    values = load_input(EventTypeSchema(), data, partial=True)
    if "name" in values:
        _unique_type_name(session, values["name"], type_id)
    for key, value in values.items():
        setattr(etype, key, value)
    session.flush()
    return etype


def delete_type(session: Session, type_id: int) -> None:
    etype = get_type(session, type_id)
    used = session.scalar(select(func.count(Event.id)).where(Event.event_type_id == type_id))
    if used:
        raise Conflict(gettext("Events are of this type: deactivate it instead."))
    session.delete(etype)
    session.flush()


# -- events ----------------------------------------------------------------------------------------


def get_event(session: Session, event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound(gettext("No such event."))
    return event


def list_events(
    session: Session,
    *,
    event_type_id: int | None = None,
    is_public: bool | None = None,
    start_from: date | None = None,
    start_to: date | None = None,
    q: str | None = None,
    upcoming: bool = False,
    page: int = 1,
    page_size: int = 25,
) -> tuple[list[Event], int]:
    query = select(Event)
    if event_type_id:
        query = query.where(Event.event_type_id == event_type_id)
    if is_public is not None:
        query = query.where(Event.is_public.is_(is_public))
    if start_from:
        query = query.where(Event.start_date >= datetime.combine(start_from, time.min))
    if start_to:
        query = query.where(Event.start_date < datetime.combine(start_to, time.min) + timedelta(1))
    if upcoming:
        query = query.where(Event.start_date >= datetime.combine(local_now().date(), time.min))
    if q:
        query = query.where(func.lower(Event.title).contains(q.strip().lower()))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    order = (Event.start_date, Event.id) if upcoming else (Event.start_date.desc(), Event.id)
    rows = session.scalars(query.order_by(*order).offset((page - 1) * page_size).limit(page_size))
    return list(rows), total


def _check_type(session: Session, type_id: int | None) -> None:
    if type_id is not None and session.get(EventType, type_id) is None:
        raise ValidationError(gettext("No such event type."), field="event_type_id")


def _occurrences(start: datetime, rule: dict) -> list[datetime]:
    """The start of each event of a series (the first included)."""
    out, step = [], rule.get("interval") or 1
    for i in range(rule["count"]):
        if rule["frequency"] == MONTHLY:
            month = start.month - 1 + i * step
            year, month = start.year + month // 12, month % 12 + 1
            day = min(start.day, 28) if start.day > 28 else start.day
            out.append(start.replace(year=year, month=month, day=day))
        elif rule["frequency"] == WEEKLY:
            out.append(start + timedelta(weeks=i * step))
        else:
            out.append(start + timedelta(days=i * step))
    return out


def create_event(session: Session, data: dict) -> Event:
    """An event; with a ``repeat_rule``, the whole series (the first event returned, the others
    pointing to it through ``series_id``)."""
    values = load_input(EventSchema(), data)
    _check_type(session, values.get("event_type_id"))
    event = Event(**values)
    session.add(event)
    session.flush()
    rule = values.get("repeat_rule")
    if rule:
        event.series_id = event.id
        length = (event.end_date - event.start_date) if event.end_date else None
        for start in _occurrences(event.start_date, rule)[1:]:
            copy = _copy_values(event)
            copy.update(start_date=start, end_date=start + length if length else None)
            copy.update(series_id=event.id, repeat_rule=None)
            session.add(Event(**copy))
        session.flush()
    return event


SERIES_FIELDS = (
    "title",
    "summary",
    "description",
    "event_type_id",
    "location",
    "online_url",
    "max_participants",
    "is_public",
    "is_active",
    "is_online_registration",
    "requires_approval",
    "has_waitlist",
    "fee_member",
    "fee_non_member",
    "fee_reduced",
    "financial_type",
    "participant_fields",
    "organiser_email",
    "reminder_days",
    "summary_field",
    "summary_days",
)


def _copy_values(event: Event) -> dict:
    out = {name: getattr(event, name) for name in SERIES_FIELDS}
    out["participant_fields"] = [dict(f) for f in event.participant_fields or []]
    out.update(
        start_date=event.start_date,
        end_date=event.end_date,
        registration_start=event.registration_start,
        registration_end=event.registration_end,
    )
    return out


def _apply(session: Session, event: Event, values: dict) -> None:
    if "max_participants" in values:
        cap = values["max_participants"]
        if cap is not None and cap < event.taken:
            raise ValidationError(
                gettext(
                    "%(n)d places are already taken: the capacity cannot be lower.",
                    n=event.taken,
                ),
                field="max_participants",
            )
    for key, value in values.items():
        setattr(event, key, value)
    event.modified_at = utcnow()


def update_event(
    session: Session, event_id: int, data: dict, *, scope: str = "one"
) -> tuple[Event, list[Participant]]:
    """Change an event (``scope`` "one") or every event of its series from this one on
    ("all"; the dates move by as much as this one's). Returns the event and the people the
    waitlist promoted when the capacity grew (the caller emails them)."""
    event = get_event(session, event_id)
    values = load_input(EventSchema(), data, partial=True)
    values.pop("repeat_rule", None)
    _check_type(session, values.get("event_type_id"))
    targets = [event]
    if scope == "all" and event.series_id:
        targets = list(
            session.scalars(
                select(Event)
                .where(Event.series_id == event.series_id, Event.start_date >= event.start_date)
                .order_by(Event.start_date)
            )
        )
    shift = values["start_date"] - event.start_date if "start_date" in values else None
    promoted: list[Participant] = []
    for target in targets:
        own = (
            dict(values)
            if target is event
            else {k: v for k, v in values.items() if k in SERIES_FIELDS}
        )
        if target is not event and shift:
            own["start_date"] = target.start_date + shift
            if target.end_date:
                own["end_date"] = target.end_date + shift
        _apply(session, target, own)
        session.flush()
        promoted += promote_waitlist(session, target.id)
    return event, promoted


def copy_event(session: Session, event_id: int, data: dict | None = None) -> Event:
    """A new event like this one (a template), without participants; ``data`` changes some of
    its fields (a new start date...)."""
    source = get_event(session, event_id)
    values = _copy_values(source)
    values["title"] = gettext("Copy of %(title)s", title=source.title)
    values.update(data or {})
    for key in ("start_date", "end_date", "registration_start", "registration_end"):
        if isinstance(values.get(key), datetime):
            values[key] = values[key].isoformat(timespec="minutes")
    for key in ("fee_member", "fee_non_member", "fee_reduced"):
        if isinstance(values.get(key), Decimal):
            values[key] = str(values[key])
    return create_event(session, values)


def delete_event(session: Session, event_id: int) -> None:
    event = get_event(session, event_id)
    session.delete(event)
    session.flush()


def fee_options(event: Event) -> list[tuple[str, Decimal]]:
    """The price options offered: ``[(level, amount)]``; empty: free."""
    out = []
    for level, amount in (
        (MEMBER, event.fee_member),
        (NON_MEMBER, event.fee_non_member),
        (REDUCED, event.fee_reduced),
    ):
        if amount is not None:
            out.append((level, Decimal(amount)))
    return out if any(a > 0 for _, a in out) else []


def fee_for(event: Event, level: str | None, *, allow_free: bool = True) -> Decimal:
    """The fee of a price option; ``allow_free``: staff may waive it (visitors may not)."""
    options = dict(fee_options(event))
    if not options or (level == FREE and allow_free):
        return Decimal("0.00")
    if level is None and allow_free:  # staff gave none: the full price
        return options.get(NON_MEMBER, next(iter(options.values())))
    if level not in options:
        raise ValidationError(gettext("Choose one of the price options."), field="fee_level")
    return options[level]


def registration_open(event: Event, now: datetime | None = None) -> bool:
    """Whether visitors can register online now."""
    now = now or local_now()
    if not (event.is_active and event.is_public and event.is_online_registration):
        return False
    if event.registration_start and now < event.registration_start:
        return False
    end = event.registration_end or event.start_date
    return now <= end


def places_left(event: Event) -> int | None:
    if event.max_participants is None:
        return None
    return max(event.max_participants - event.taken, 0)


# -- places ----------------------------------------------------------------------------------------


def take_places(session: Session, event_id: int, n: int = 1) -> bool:
    """Take ``n`` places at once, or none: False when the event has not that many left."""
    if n <= 0:
        return True
    result = session.execute(
        update(Event)
        .where(
            Event.id == event_id,
            or_(Event.max_participants.is_(None), Event.taken + n <= Event.max_participants),
        )
        .values(taken=Event.taken + n)
        .execution_options(synchronize_session=False)
    )
    _expire_taken(session, event_id)
    return result.rowcount == 1


def release_places(session: Session, event_id: int, n: int = 1) -> None:
    if n <= 0:
        return
    session.execute(
        update(Event)
        .where(Event.id == event_id, Event.taken >= n)
        .values(taken=Event.taken - n)
        .execution_options(synchronize_session=False)
    )
    _expire_taken(session, event_id)


def _expire_taken(session: Session, event_id: int) -> None:
    event = session.identity_map.get((Event, (event_id,), None))
    if event is not None:
        session.expire(event, ["taken"])


def lock_for_registration(session: Session, event_id: int) -> None:
    """On SQLite, make the registration's transaction a writer from its first statement: a
    transaction that read first and writes later fails at once ("database is locked") when
    another wrote in between, where a writer from the start waits its turn. PostgreSQL needs
    nothing: the conditional UPDATE waits for the row and checks again."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            update(Event)
            .where(Event.id == event_id)
            .values(taken=Event.taken)
            .execution_options(synchronize_session=False)
        )


# -- participants ----------------------------------------------------------------------------------


def get_participant(session: Session, participant_id: int) -> Participant:
    p = session.get(Participant, participant_id)
    if p is None:
        raise NotFound(gettext("No such participant."))
    return p


def _log(session, p: Participant, action: str, old: str | None, user_id=None, note=None):
    session.add(
        ParticipantLog(
            participant_id=p.id,
            action=action,
            old_status=old,
            new_status=p.status,
            note=note,
            user_id=user_id,
        )
    )


def _check_fields(event: Event, answers: dict) -> dict:
    """The answers to the event's questions, checked (a choice among the options, the
    required ones given); other keys are dropped."""
    out, errors = {}, {}
    for question in event.participant_fields or []:
        name = question["name"]
        value = answers.get(name)
        value = value.strip() if isinstance(value, str) else value
        if value in (None, ""):
            if question.get("required"):
                errors[f"field_{name}"] = [gettext("This field is required.")]
            continue
        options = question.get("options") or []
        if options and value not in options:
            errors[f"field_{name}"] = [gettext("Choose one of the options.")]
            continue
        out[name] = str(value)[:500]
    if errors:
        raise ValidationError(gettext("Some fields are not valid."), errors=errors)
    return out


def _check_contacts(session: Session, contact_ids: list[int]) -> None:
    found = set(
        session.scalars(
            select(Contact.id).where(Contact.id.in_(contact_ids), Contact.is_deleted.is_(False))
        )
    )
    missing = [c for c in contact_ids if c not in found]
    if missing:
        raise ValidationError(gettext("No such contact."), field="contact_id")


def _check_not_registered(session: Session, event_id: int, contact_ids: list[int]) -> None:
    already = session.scalar(
        select(func.count(Participant.id)).where(
            Participant.event_id == event_id,
            Participant.contact_id.in_(contact_ids),
            Participant.status != CANCELLED,
        )
    )
    if already:
        raise Conflict(gettext("Already registered to this event."), field="contact_id")


@dataclass
class Registration:
    """What a registration made: the participants (the registrant first), whether they got
    places, the payment component's answer (None: nobody records payments, or free)."""

    participants: list[Participant]
    waitlisted: bool
    payment: dict | None = None
    promoted: list[Participant] = field(default_factory=list)

    @property
    def main(self) -> Participant:
        return self.participants[0]


#: The admin's custom fields of participants (``register_custom_field_entities``): asked on every
#: registration form, besides the event's own questions (``Event.participant_fields``).
CUSTOM_ENTITY = "event_participant"


def custom_sets(session: Session) -> list:
    """``[(group, [field])]`` of the active custom fields of participants (a contact reference
    has no place on a public form)."""
    return [
        (group, [f for f in fields if f.data_type != "contact_reference"])
        for group, fields in definitions_for(session, CUSTOM_ENTITY)
    ]


def custom_input(form, sets) -> dict:
    """``{name: raw value}`` of the custom fields of a form (``custom-<name>`` inputs)."""
    return form_input(form, sets)


def check_custom(session: Session, raw) -> dict:
    """The custom field values of a registration, checked before anything is written (every
    problem at once, as ``custom.<name>``); required ones must be answered."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValidationError(gettext("Give the custom fields as an object."), field="custom")
    return validate_values(session, CUSTOM_ENTITY, raw, creating=True)


def register(
    session: Session,
    event_id: int,
    data: dict,
    *,
    user_id: int | None = None,
    public: bool = False,
) -> Registration:
    """Register a contact (``RegisterSchema``) and the people they bring, in one go: they all
    get places, or all go to the waitlist (or a Conflict when the event has none). Status:
    Pending approval when the event asks for it (online), Pending payment for a fee not paid
    now, else Registered."""
    values = load_input(RegisterSchema(), data)
    event = get_event(session, event_id)
    custom = check_custom(session, data.get("custom"))
    ids = [values["contact_id"]] if values["contact_id"] else []
    if values["contact_ids"] and not ids:  # a group: each one alone
        return register_group(session, event_id, values, user_id=user_id)
    people = ids + [c for c in values["additional_contact_ids"] if c not in ids]
    _check_contacts(session, people)
    _check_not_registered(session, event.id, people)
    answers = _check_fields(event, values["field_values"])
    fee = fee_for(event, values["fee_level"], allow_free=not public)
    status = values["status"]
    wanted_place = status is None or status in HOLDING
    waitlisted = False
    if wanted_place:
        if not take_places(session, event.id, len(people)):
            if not event.has_waitlist:
                raise Conflict(gettext("The event is full."))
            waitlisted, status = True, WAITLIST
    if status is None:
        if public and event.requires_approval:
            status = PENDING_APPROVAL
        elif fee > 0 and not values["record_payment"]:
            status = PENDING_PAYMENT
        else:
            status = REGISTERED
    source = values["source"] or (PUBLIC_SOURCE if public else STAFF_SOURCE)
    made: list[Participant] = []
    for i, contact_id in enumerate(people):
        p = Participant(
            event_id=event.id,
            contact_id=contact_id,
            role=values["role"],
            status=status,
            source=source,
            fee_level=values["fee_level"] or (FREE if fee == 0 else None),
            fee_amount=fee if fee > 0 else None,
            fee_paid=bool(fee > 0 and values["record_payment"]),
            field_values=answers if i == 0 else {},
            registered_by_id=made[0].id if made else None,
            note=values["note"],
        )
        session.add(p)
        session.flush()
        if i == 0 and custom:
            save_values(session, CUSTOM_ENTITY, p.id, custom)
        _log(session, p, "register", None, user_id)
        made.append(p)
    create_activity(
        session,
        {
            "activity_type": REGISTRATION_ACTIVITY,
            "subject": event.title[:255],
            "target_contact_ids": people,
            "activity_date": utcnow(),
        },
        user_id=user_id,
    )
    payment = None
    if fee > 0 and status != WAITLIST:
        payment = _ask_payment(session, event, made, fee, values, source)
    return Registration(made, waitlisted, payment)


def register_group(
    session: Session, event_id: int, values: dict, *, user_id: int | None = None
) -> Registration:
    """Staff registers several contacts, each alone (places in the list's order, then the
    waitlist)."""
    made, waitlisted = [], False
    registered = set(
        session.scalars(
            select(Participant.contact_id).where(
                Participant.event_id == event_id, Participant.status != CANCELLED
            )
        )
    )
    for contact_id in dict.fromkeys(values["contact_ids"]):
        if contact_id in registered:  # already there: the group adds the others
            continue
        one = {**values, "contact_id": contact_id, "contact_ids": [], "additional_contact_ids": []}
        one["field_values"] = values.get("field_values") or {}
        result = register(session, event_id, one, user_id=user_id)
        made += result.participants
        waitlisted = waitlisted or result.waitlisted
    return Registration(made, waitlisted)


def _ask_payment(session, event, made, fee, values, source) -> dict | None:
    """The fee of each participant to the payment component (Completed when paid now, else
    Pending); when nobody answers, the fee stays noted on the participants."""
    answer = None
    currency = get_setting(session, "organisation.currency", "EUR")
    details = None
    if values.get("record_payment"):
        details = {"receive_date": local_now().date()}
        if values.get("payment_instrument"):
            details["payment_instrument"] = values["payment_instrument"]
    for p in made:
        one = hook.request_payment(
            entity="participant",
            entity_id=p.id,
            contact_id=made[0].contact_id,
            amount=fee,
            currency=currency,
            financial_type=event.financial_type,
            status="Completed" if values.get("record_payment") else "Pending",
            source=f"{event.title} ({source})"[:255],
            details=details,
        )
        if one is not None:
            p.contribution_id = one.get("contribution_id")
            answer = answer or one
    session.flush()
    return answer


def payment_changed(session: Session, participant_id: int, status: str) -> None:
    """The payment component says the fee of a participant changed (Completed: they are
    registered)."""
    p = session.get(Participant, participant_id)
    if p is None:
        return
    if status == "Completed":
        p.fee_paid = True
        if p.status == PENDING_PAYMENT:
            old, p.status = p.status, REGISTERED
            _log(session, p, "payment", old)
    session.flush()


def mark_paid(session: Session, participant_id: int, *, user_id: int | None = None) -> Participant:
    """Staff notes the fee received when no payment component records it."""
    p = get_participant(session, participant_id)
    p.fee_paid = True
    if p.status == PENDING_PAYMENT:
        old, p.status = p.status, REGISTERED
        _log(session, p, "payment", old, user_id)
    session.flush()
    return p


def set_status(
    session: Session, participant_id: int, data: dict, *, user_id: int | None = None
) -> tuple[Participant, list[Participant]]:
    """Change a participant's status; a place is taken or given back as the status needs
    (Conflict when the event is full). Returns the participant and the people the waitlist
    promoted into a freed place."""
    values = load_input(StatusSchema(), data)
    p = get_participant(session, participant_id)
    old, new = p.status, values["status"]
    if old == new:
        return p, []
    if new in HOLDING and old not in HOLDING:
        if not take_places(session, p.event_id, 1):
            raise Conflict(gettext("The event is full."), field="status")
    promoted: list[Participant] = []
    p.status = new
    if new == CANCELLED:
        p.cancelled_at = utcnow()
    if new == ATTENDED and p.checked_in_at is None:
        p.checked_in_at = utcnow()
    _log(session, p, "status", old, user_id, values["note"])
    session.flush()
    if old in HOLDING and new not in HOLDING:
        release_places(session, p.event_id, 1)
        promoted = promote_waitlist(session, p.event_id)
    return p, promoted


def cancel(
    session: Session, participant_id: int, *, user_id: int | None = None, note: str | None = None
) -> tuple[Participant, list[Participant]]:
    """Cancel a registration (and the people it brought): their places go to the waitlist."""
    p = get_participant(session, participant_id)
    if p.status == CANCELLED:
        return p, []
    group = [p] + list(
        session.scalars(
            select(Participant).where(
                Participant.registered_by_id == p.id, Participant.status != CANCELLED
            )
        )
    )
    freed = 0
    for one in group:
        old = one.status
        one.status, one.cancelled_at = CANCELLED, utcnow()
        _log(session, one, "cancel", old, user_id, note)
        freed += old in HOLDING
    session.flush()
    release_places(session, p.event_id, freed)
    return p, promote_waitlist(session, p.event_id)


def transfer(
    session: Session, participant_id: int, data: dict, *, user_id: int | None = None
) -> Participant:
    """Give a registration to another person: a new participant with the same status, role,
    fee and answers, and the first one Cancelled with ``transferred_to_id`` (the place moves,
    it is not given back)."""
    values = load_input(TransferSchema(), data)
    p = get_participant(session, participant_id)
    if p.status == CANCELLED:
        raise Conflict(gettext("This registration is cancelled."))
    _check_contacts(session, [values["contact_id"]])
    new = Participant(
        event_id=p.event_id,
        contact_id=values["contact_id"],
        role=p.role,
        status=p.status,
        source=gettext("Transferred registration"),
        fee_level=p.fee_level,
        fee_amount=p.fee_amount,
        fee_paid=p.fee_paid,
        contribution_id=p.contribution_id,
        field_values=dict(p.field_values or {}),
    )
    session.add(new)
    session.flush()
    old = p.status
    p.status, p.cancelled_at, p.transferred_to_id = CANCELLED, utcnow(), new.id
    _log(session, p, "transfer", old, user_id, values["note"])
    _log(session, new, "transfer", None, user_id, values["note"])
    session.flush()
    return new


def check_in(session: Session, participant_id: int, *, user_id: int | None = None) -> Participant:
    """The participant is at the door: Attended."""
    p = get_participant(session, participant_id)
    if p.status == ATTENDED:
        return p
    if p.status not in HOLDING:
        raise Conflict(gettext("This person has no place at this event."))
    old, p.status, p.checked_in_at = p.status, ATTENDED, utcnow()
    _log(session, p, "check_in", old, user_id)
    session.flush()
    return p


def undo_check_in(session: Session, participant_id: int, *, user_id=None) -> Participant:
    p = get_participant(session, participant_id)
    if p.status == ATTENDED:
        old, p.status, p.checked_in_at = p.status, REGISTERED, None
        _log(session, p, "status", old, user_id)
        session.flush()
    return p


def mark_no_shows(session: Session, event_id: int, *, user_id=None) -> int:
    """After the event: whoever was registered and did not come is a No-show."""
    rows = list(
        session.scalars(
            select(Participant).where(
                Participant.event_id == event_id, Participant.status == REGISTERED
            )
        )
    )
    for p in rows:
        old, p.status = p.status, NO_SHOW
        _log(session, p, "status", old, user_id)
    session.flush()
    return len(rows)


def promote_waitlist(session: Session, event_id: int) -> list[Participant]:
    """Give the free places to the first on the waitlist, in the order they registered
    (Pending payment when their fee is still due). Returns them, for the caller to email."""
    promoted = []
    while True:
        p = session.scalar(
            select(Participant)
            .where(Participant.event_id == event_id, Participant.status == WAITLIST)
            .order_by(Participant.register_date, Participant.id)
            .limit(1)
        )
        if p is None or not take_places(session, event_id, 1):
            break
        old = p.status
        p.status = PENDING_PAYMENT if (p.fee_amount or 0) > 0 and not p.fee_paid else REGISTERED
        _log(session, p, "promote", old)
        session.flush()
        promoted.append(p)
    return promoted


def list_participants(
    session: Session,
    *,
    event_id: int | None = None,
    contact_id: int | None = None,
    status: str | None = None,
    role: str | None = None,
    q: str | None = None,
    page: int = 1,
    page_size: int = 1000,
) -> tuple[list[Participant], int]:
    query = select(Participant)
    if event_id:
        query = query.where(Participant.event_id == event_id)
    if contact_id:
        query = query.where(Participant.contact_id == contact_id)
    if status:
        query = query.where(Participant.status == status)
    if role:
        query = query.where(Participant.role == role)
    if q:
        query = query.join(Contact, Contact.id == Participant.contact_id).where(
            func.lower(Contact.sort_name).contains(q.strip().lower())
        )
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(
        query.order_by(Participant.register_date, Participant.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return list(rows), total


def _pairs(session: Session, query) -> dict:
    """A query of two columns as a dict (a Result has ``keys()``: dict() would misread it)."""
    return dict(session.execute(query).all())


def display_names(session: Session, contact_ids) -> dict[int, str]:
    ids = list(set(contact_ids))
    if not ids:
        return {}
    return _pairs(session, select(Contact.id, Contact.display_name).where(Contact.id.in_(ids)))


def sort_names(session: Session, contact_ids) -> dict[int, str]:
    ids = list(set(contact_ids))
    if not ids:
        return {}
    return _pairs(session, select(Contact.id, Contact.sort_name).where(Contact.id.in_(ids)))


def represent(session: Session, rows: list[Participant]) -> list[dict]:
    """Participants as the API shows them: with the contact's name and the event's title."""
    names = display_names(session, [p.contact_id for p in rows])
    titles = (
        _pairs(
            session, select(Event.id, Event.title).where(Event.id.in_({p.event_id for p in rows}))
        )
        if rows
        else {}
    )
    out = []
    for p in rows:
        row = {c: getattr(p, c) for c in Participant.model_fields}
        row["display_name"] = names.get(p.contact_id)
        row["event_title"] = titles.get(p.event_id)
        out.append(row)
    return out


def counts_by_status(session: Session, event_id: int) -> dict[str, int]:
    return _pairs(
        session,
        select(Participant.status, func.count())
        .where(Participant.event_id == event_id)
        .group_by(Participant.status),
    )


def field_summary(session: Session, event_id: int, name: str) -> dict[str, int]:
    """How many participants holding a place gave each answer to the question ``name``."""
    out: dict[str, int] = {}
    for values in session.scalars(
        select(Participant.field_values).where(
            Participant.event_id == event_id, Participant.status.in_(HOLDING)
        )
    ):
        answer = (values or {}).get(name) or gettext("No answer")
        out[answer] = out.get(answer, 0) + 1
    return dict(sorted(out.items()))


def export_csv(session: Session, event_id: int) -> str:
    """The participants of an event as CSV (one a line, the answers in their own columns)."""
    event = get_event(session, event_id)
    rows, _ = list_participants(session, event_id=event_id)
    names = sort_names(session, [p.contact_id for p in rows])
    emails = _primary_emails(session, [p.contact_id for p in rows])
    questions = event.participant_fields or []
    custom_fields = [f for _group, fields in custom_sets(session) for f in fields]
    custom = values_for(session, CUSTOM_ENTITY, [p.id for p in rows])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            gettext("Name"),
            gettext("Email"),
            gettext("Role"),
            gettext("Status"),
            gettext("Registered on"),
            gettext("Fee"),
            gettext("Paid"),
            *[q["label"] for q in questions],
            *[f.label for f in custom_fields],
        ]
    )
    for p in rows:
        writer.writerow(
            [
                names.get(p.contact_id, ""),
                emails.get(p.contact_id, ""),
                gettext(ROLE_LABELS[p.role]),
                gettext(p.status),
                p.register_date.strftime("%Y-%m-%d %H:%M"),
                str(p.fee_amount or ""),
                gettext("yes") if p.fee_paid else "",
                *[(p.field_values or {}).get(q["name"], "") for q in questions],
                *[_cell(custom[p.id].get(f.name)) for f in custom_fields],
            ]
        )
    return out.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


ROLE_LABELS = {
    "attendee": "Attendee",
    "volunteer": "Volunteer",
    "speaker": "Speaker",
    "host": "Host",
}


def _primary_emails(session: Session, contact_ids) -> dict[int, str]:
    from amicale.api_for_plugins import Email

    ids = list(set(contact_ids))
    if not ids:
        return {}
    return _pairs(
        session,
        select(Email.contact_id, Email.email).where(
            Email.contact_id.in_(ids), Email.is_primary.is_(True)
        ),
    )


# -- contacts: tab, merge, export, erasure ---------------------------------------------------------


def count_for_contact(session: Session, contact_id: int) -> int:
    return session.scalar(
        select(func.count(Participant.id)).where(Participant.contact_id == contact_id)
    )


def for_contact(session: Session, contact_id: int) -> list[tuple[Participant, Event]]:
    return list(
        session.execute(
            select(Participant, Event)
            .join(Event, Event.id == Participant.event_id)
            .where(Participant.contact_id == contact_id)
            .order_by(Event.start_date.desc())
        ).all()
    )


def move_contact(session: Session, loser_id: int, winner_id: int) -> None:
    """Two contacts merged: the loser's registrations go to the winner. Where both were
    registered to the same event, the winner's stays and the loser's is cancelled (its place
    given back, the waitlist called in): one person, one place."""
    kept = select(Participant.event_id).where(
        Participant.contact_id == winner_id, Participant.status != CANCELLED
    )
    doubles = list(
        session.scalars(
            select(Participant).where(
                Participant.contact_id == loser_id,
                Participant.status != CANCELLED,
                Participant.event_id.in_(kept),
            )
        )
    )
    for p in doubles:
        old = p.status
        if old in HOLDING:
            release_places(session, p.event_id, 1)
        p.status = CANCELLED
        _log(session, p, "merge", old, note=gettext("Merged with another registration."))
    session.flush()
    session.execute(
        update(Participant)
        .where(Participant.contact_id == loser_id)
        .values(contact_id=winner_id)
        .execution_options(synchronize_session=False)
    )
    for event_id in {p.event_id for p in doubles if p.status == CANCELLED}:
        promote_waitlist(session, event_id)


def contact_data(session: Session, contact_id: int) -> dict:
    rows = for_contact(session, contact_id)
    if not rows:
        return {}
    custom = values_for(session, CUSTOM_ENTITY, [p.id for p, _e in rows])
    return {
        gettext("Event registrations"): [
            {
                "event": e.title,
                "start_date": e.start_date.isoformat(),
                "role": p.role,
                "status": p.status,
                "register_date": p.register_date.isoformat(),
                "fee_amount": str(p.fee_amount) if p.fee_amount is not None else None,
                "answers": dict(p.field_values or {}),
                "custom": custom.get(p.id, {}),
            }
            for p, e in rows
        ]
    }


def erase_contact(session: Session, contact_id: int) -> None:
    """The person's registrations go, with their custom field values; the places they held are
    given back."""
    rows = list(session.scalars(select(Participant).where(Participant.contact_id == contact_id)))
    if rows:
        delete_values(session, CUSTOM_ENTITY, [p.id for p in rows])
    for p in rows:
        if p.status in HOLDING:
            release_places(session, p.event_id, 1)
        session.execute(
            update(Participant)
            .where(Participant.registered_by_id == p.id)
            .values(registered_by_id=None)
            .execution_options(synchronize_session=False)
        )
        session.delete(p)
    session.flush()


# -- search and tokens -----------------------------------------------------------------------------


def contacts_in_events(
    *,
    event_ids: list[int] | None = None,
    type_ids: list[int] | None = None,
    start: date | None = None,
    end: date | None = None,
    statuses: tuple[str, ...] | list[str] = (ATTENDED,),
):
    """A subquery of the contacts who took part (``statuses``) in these events, or in events
    of these types in a period."""
    query = select(Participant.contact_id).join(Event, Event.id == Participant.event_id)
    conditions = [Participant.status.in_(list(statuses))]
    if event_ids:
        conditions.append(Event.id.in_(event_ids))
    if type_ids:
        conditions.append(Event.event_type_id.in_(type_ids))
    if start:
        conditions.append(Event.start_date >= datetime.combine(start, time.min))
    if end:
        conditions.append(Event.start_date < datetime.combine(end, time.min) + timedelta(1))
    return query.where(and_(*conditions))


def next_registration(session: Session, contact_ids: list[int]) -> dict[int, tuple]:
    """For each contact, their next registration not cancelled (else their last one):
    ``{contact_id: (participant, event)}``, in one query."""
    rows = session.execute(
        select(Participant, Event)
        .join(Event, Event.id == Participant.event_id)
        .where(Participant.contact_id.in_(contact_ids), Participant.status != CANCELLED)
        .order_by(Event.start_date)
    ).all()
    today = datetime.combine(local_now().date(), time.min)
    out: dict[int, tuple] = {}
    for p, e in rows:
        current = out.get(p.contact_id)
        if (
            current is None
            or (current[1].start_date < today and e.start_date >= today)
            or (current[1].start_date < today and e.start_date > current[1].start_date)
        ):
            out[p.contact_id] = (p, e)
    return out
