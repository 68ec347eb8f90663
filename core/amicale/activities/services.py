"""The rules of activities: types (the core's and the components'), activities with their source,
targets and assignees, a contact's timeline and a user's follow-ups, each a set-based query.
Functions take a session and flush; the caller commits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, func, insert, select
from sqlmodel import Session

from ..clock import utcnow
from ..contacts.models import Contact
from ..errors import NotFound, ValidationError
from .models import PRIORITIES, STATUSES, Activity, ActivityContact, ActivityType

ACTIVITY_FIELDS = (
    "activity_type_id",
    "subject",
    "details",
    "activity_date",
    "duration",
    "location",
    "status",
    "priority",
    "source_contact_id",
)
MAX_DURATION = 60 * 24 * 31


def _hooks():
    from ..plugins import hook

    return hook


# -- types ---------------------------------------------------------------------------------------


def list_activity_types(session: Session, *, is_active: bool | None = None) -> list[ActivityType]:
    query = select(ActivityType).order_by(ActivityType.label, ActivityType.id)
    if is_active is not None:
        query = query.where(ActivityType.is_active.is_(is_active))
    return list(session.execute(query).scalars())


def get_activity_type(session: Session, type_id: int) -> ActivityType:
    atype = session.get(ActivityType, type_id)
    if atype is None:
        raise NotFound(str(_l("No activity type with the number %(id)s.", id=type_id)))
    return atype


def activity_type_by_name(
    session: Session, name: str, field: str = "activity_type"
) -> ActivityType:
    atype = session.execute(select(ActivityType).where(ActivityType.name == name)).scalar()
    if atype is None:
        raise ValidationError(str(_l("Unknown activity type: %(name)s", name=name)), field=field)
    return atype


def _check_label(value: str | None) -> str:
    label = (value or "").strip()
    if not label:
        raise ValidationError(str(_l("A label is needed.")), field="label")
    if len(label) > 120:
        raise ValidationError(str(_l("At most %(n)d characters.", n=120)), field="label")
    return label


def _check_name(value: str | None) -> str:
    name = (value or "").strip().lower()
    if (
        not name
        or not name[0].isalpha()
        or not name.replace("_", "").isalnum()
        or not name.isascii()
        or len(name) > 64
    ):
        raise ValidationError(
            str(_l("Use letters, digits and underscores for the name.")), field="name"
        )
    return name


def create_activity_type(
    session: Session,
    data: dict[str, Any],
    *,
    component: str | None = None,
    is_reserved: bool = False,
) -> ActivityType:
    name = _check_name(data.get("name"))
    atype = ActivityType(
        name=name,
        label=_check_label(data.get("label")),
        is_active=bool(data.get("is_active", True)),
        component=component,
        is_reserved=is_reserved,
    )
    if session.execute(select(ActivityType.id).where(ActivityType.name == name)).scalar():
        raise ValidationError(str(_l("This name is already used.")), field="name")
    session.add(atype)
    session.flush()
    return atype


def update_activity_type(session: Session, type_id: int, data: dict[str, Any]) -> ActivityType:
    """Change the label or ``is_active`` (an inactive type is no longer offered; its
    activities stay)."""
    atype = get_activity_type(session, type_id)
    if "label" in data:
        atype.label = _check_label(data["label"])
    if "is_active" in data:
        atype.is_active = bool(data["is_active"])
    session.flush()
    return atype


def ensure_activity_types(
    session: Session, pairs: Iterable[tuple[str, str]], component: str | None
) -> list[ActivityType]:
    """Create the ``(name, label)`` types a component declares (``register_activity_types``)
    that do not exist yet, owned by ``component``; return those created. Called on enable."""
    pairs = [(_check_name(name), label) for name, label in pairs or [] if name]
    if not pairs:
        return []
    existing = set(
        session.execute(
            select(ActivityType.name).where(ActivityType.name.in_([n for n, _label in pairs]))
        ).scalars()
    )
    created = []
    for name, label in pairs:
        if name in existing:
            continue
        created.append(
            create_activity_type(
                session, {"name": name, "label": label}, component=component, is_reserved=True
            )
        )
        existing.add(name)
    return created


# -- activities ----------------------------------------------------------------------------------


def get_activity(session: Session, activity_id: int) -> Activity:
    activity = session.get(Activity, activity_id)
    if activity is None or activity.is_deleted:
        raise NotFound(str(_l("No activity with the number %(id)s.", id=activity_id)))
    return activity


def _resolve_type(session: Session, data: dict[str, Any]) -> ActivityType | None:
    if data.get("activity_type_id") is not None:
        atype = session.get(ActivityType, data["activity_type_id"])
        if atype is None:
            raise ValidationError(str(_l("Unknown activity type.")), field="activity_type_id")
        return atype
    if data.get("activity_type"):
        return activity_type_by_name(session, data["activity_type"])
    return None


def _aware(value: datetime | None) -> datetime:
    if value is None:
        return utcnow()
    if not isinstance(value, datetime):
        raise ValidationError(str(_l("Give a date and a time.")), field="activity_date")
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _ids(values: Iterable[Any] | None, field: str) -> list[int]:
    out: list[int] = []
    for v in values or []:
        if isinstance(v, bool) or not isinstance(v, int):
            raise ValidationError(str(_l("Contacts are given by their number.")), field=field)
        if v not in out:
            out.append(v)
    return out


def _check_contacts_exist(session: Session, by_field: dict[str, list[int]]) -> None:
    wanted = {i for ids in by_field.values() for i in ids}
    if not wanted:
        return
    found = set(session.execute(select(Contact.id).where(Contact.id.in_(wanted))).scalars())
    for field_name, ids in by_field.items():
        missing = [i for i in ids if i not in found]
        if missing:
            raise ValidationError(
                str(_l("No contact with the number %(id)s.", id=", ".join(map(str, missing)))),
                field=field_name,
            )


def _check_values(values: dict[str, Any]) -> None:
    if values.get("status") not in STATUSES:
        raise ValidationError(str(_l("Choose a status.")), field="status")
    if values.get("priority") not in PRIORITIES:
        raise ValidationError(str(_l("Choose a priority.")), field="priority")
    duration = values.get("duration")
    if duration is not None and (
        not isinstance(duration, int) or duration < 0 or duration > MAX_DURATION
    ):
        raise ValidationError(
            str(_l("The duration is a number of minutes (0 to %(max)d).", max=MAX_DURATION)),
            field="duration",
        )
    for name, limit in (("subject", 255), ("location", 255)):
        if values.get(name) and len(values[name]) > limit:
            raise ValidationError(str(_l("At most %(n)d characters.", n=limit)), field=name)


def _clean_text(value: Any) -> str | None:
    return (str(value).strip() or None) if value is not None else None


def _write_participants(session: Session, activity_id: int, role: str, ids: list[int]) -> None:
    session.execute(
        delete(ActivityContact).where(
            ActivityContact.activity_id == activity_id, ActivityContact.role == role
        )
    )
    if ids:
        session.execute(
            insert(ActivityContact),
            [{"activity_id": activity_id, "contact_id": i, "role": role} for i in ids],
        )


def _participant_ids(session: Session, activity_id: int) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {"source": [], "target": [], "assignee": []}
    for cid, role in session.execute(
        select(ActivityContact.contact_id, ActivityContact.role)
        .where(ActivityContact.activity_id == activity_id)
        .order_by(ActivityContact.contact_id)
    ):
        out[role].append(cid)
    return out


def create_activity(
    session: Session, data: dict[str, Any], *, user_id: int | None = None
) -> Activity:
    """Record an activity. ``data`` (typed values): ``activity_type_id`` or ``activity_type``
    (name), ``subject``, ``details``, ``activity_date`` (aware; default now), ``duration``
    (minutes), ``location``, ``status``, ``priority``, ``source_contact_id``,
    ``target_contact_ids``, ``assignee_contact_ids``. It needs at least one target or the
    source."""
    atype = _resolve_type(session, data)
    if atype is None:
        raise ValidationError(str(_l("Choose the kind of activity.")), field="activity_type_id")
    if not atype.is_active:
        raise ValidationError(
            str(_l("The activity type %(label)s is not in use any more.", label=atype.label)),
            field="activity_type_id",
        )
    targets = _ids(data.get("target_contact_ids"), "target_contact_ids")
    assignees = _ids(data.get("assignee_contact_ids"), "assignee_contact_ids")
    source = data.get("source_contact_id")
    if not targets and source is None:
        raise ValidationError(
            str(_l("Say with whom: give at least one contact.")), field="target_contact_ids"
        )
    _check_contacts_exist(
        session,
        {
            "source_contact_id": [source] if source is not None else [],
            "target_contact_ids": targets,
            "assignee_contact_ids": assignees,
        },
    )
    values = {
        "activity_type_id": atype.id,
        "subject": _clean_text(data.get("subject")),
        "details": _clean_text(data.get("details")),
        "activity_date": _aware(data.get("activity_date")),
        "duration": data.get("duration"),
        "location": _clean_text(data.get("location")),
        "status": data.get("status") or "Scheduled",
        "priority": data.get("priority") or "Normal",
        "source_contact_id": source,
    }
    _check_values(values)
    _hooks().pre_save(entity="activity", action="create", values=values)
    now = utcnow()
    activity = Activity(**values, created_at=now, modified_at=now)
    session.add(activity)
    session.flush()
    if source is not None:
        _write_participants(session, activity.id, "source", [source])
    _write_participants(session, activity.id, "target", targets)
    _write_participants(session, activity.id, "assignee", assignees)
    session.flush()
    _hooks().post_save(entity="activity", action="create", obj=activity)
    return activity


def update_activity(
    session: Session, activity_id: int, data: dict[str, Any], *, user_id: int | None = None
) -> Activity:
    """Change the fields given; ``target_contact_ids`` / ``assignee_contact_ids``, when given,
    replace that role's contacts."""
    activity = get_activity(session, activity_id)
    values = {f: getattr(activity, f) for f in ACTIVITY_FIELDS}
    if "activity_type_id" in data or "activity_type" in data:
        atype = _resolve_type(session, data)
        if atype is None:
            raise ValidationError(str(_l("Choose the kind of activity.")), field="activity_type_id")
        if atype.id != activity.activity_type_id and not atype.is_active:
            raise ValidationError(
                str(_l("The activity type %(label)s is not in use any more.", label=atype.label)),
                field="activity_type_id",
            )
        values["activity_type_id"] = atype.id
    for name in ("subject", "details", "location"):
        if name in data:
            values[name] = _clean_text(data[name])
    for name in ("duration", "status", "priority"):
        if name in data:
            values[name] = data[name]
    if "activity_date" in data:
        if data["activity_date"] is None:
            raise ValidationError(str(_l("Give a date and a time.")), field="activity_date")
        values["activity_date"] = _aware(data["activity_date"])
    current = _participant_ids(session, activity.id)
    new_ids: dict[str, list[int]] = {}
    if "source_contact_id" in data:
        values["source_contact_id"] = data["source_contact_id"]
        new_ids["source_contact_id"] = (
            [data["source_contact_id"]] if data["source_contact_id"] is not None else []
        )
    targets = current["target"]
    if "target_contact_ids" in data:
        targets = new_ids["target_contact_ids"] = _ids(
            data["target_contact_ids"], "target_contact_ids"
        )
    if "assignee_contact_ids" in data:
        new_ids["assignee_contact_ids"] = _ids(data["assignee_contact_ids"], "assignee_contact_ids")
    if not targets and values["source_contact_id"] is None:
        raise ValidationError(
            str(_l("Say with whom: give at least one contact.")), field="target_contact_ids"
        )
    _check_contacts_exist(session, new_ids)
    _check_values(values)
    _hooks().pre_save(entity="activity", action="update", values=values)
    for name, value in values.items():
        setattr(activity, name, value)
    activity.modified_at = utcnow()
    if "source_contact_id" in new_ids:
        _write_participants(session, activity.id, "source", new_ids["source_contact_id"])
    if "target_contact_ids" in new_ids:
        _write_participants(session, activity.id, "target", new_ids["target_contact_ids"])
    if "assignee_contact_ids" in new_ids:
        _write_participants(session, activity.id, "assignee", new_ids["assignee_contact_ids"])
    session.flush()
    _hooks().post_save(entity="activity", action="update", obj=activity)
    return activity


def delete_activity(session: Session, activity_id: int, *, user_id: int | None = None) -> None:
    """Delete an activity (it leaves every timeline; the row is kept, marked deleted)."""
    activity = get_activity(session, activity_id)
    _hooks().pre_save(
        entity="activity",
        action="delete",
        values={f: getattr(activity, f) for f in ACTIVITY_FIELDS},
    )
    activity.is_deleted = True
    activity.modified_at = utcnow()
    session.flush()
    _hooks().post_save(entity="activity", action="delete", obj=activity)


# -- reading: timelines, lists, follow-ups -------------------------------------------------------


@dataclass
class Participant:
    id: int
    display_name: str
    is_deleted: bool = False


@dataclass
class ActivityEntry:
    """An activity with its type and participants, as pages show it."""

    activity: Activity
    type: ActivityType
    source: Participant | None = None
    targets: list[Participant] = field(default_factory=list)
    assignees: list[Participant] = field(default_factory=list)

    def is_overdue(self, now: datetime) -> bool:
        return self.activity.status == "Scheduled" and self.activity.activity_date < now


def participants(
    session: Session, activity_ids: list[int]
) -> dict[int, dict[str, list[Participant]]]:
    """``{activity_id: {role: [Participant]}}`` for a page of activities, in one query."""
    out: dict[int, dict[str, list[Participant]]] = {
        i: {"source": [], "target": [], "assignee": []} for i in activity_ids
    }
    if not activity_ids:
        return out
    for activity_id, role, cid, name, deleted in session.execute(
        select(
            ActivityContact.activity_id,
            ActivityContact.role,
            Contact.id,
            Contact.display_name,
            Contact.is_deleted,
        )
        .join(Contact, Contact.id == ActivityContact.contact_id)
        .where(ActivityContact.activity_id.in_(activity_ids))
        .order_by(Contact.sort_name, Contact.id)
    ):
        out[activity_id][role].append(Participant(cid, name, deleted))
    return out


def _entries(session: Session, rows) -> list[ActivityEntry]:
    people = participants(session, [a.id for a, _t in rows])
    entries = []
    for activity, atype in rows:
        roles = people[activity.id]
        entries.append(
            ActivityEntry(
                activity,
                atype,
                roles["source"][0] if roles["source"] else None,
                roles["target"],
                roles["assignee"],
            )
        )
    return entries


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _filtered(
    query,
    session: Session,
    *,
    contact_id: int | None = None,
    activity_type: str | None = None,
    status: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
):
    query = query.where(Activity.is_deleted.is_(False))
    if contact_id is not None:
        query = query.where(
            Activity.id.in_(
                select(ActivityContact.activity_id).where(ActivityContact.contact_id == contact_id)
            )
        )
    if activity_type:
        query = query.where(
            Activity.activity_type_id == activity_type_by_name(session, activity_type).id
        )
    if status:
        query = query.where(Activity.status == status)
    if date_from and date_to and date_to < date_from:
        raise ValidationError(
            str(_l("The end of the period is before its start.")), field="date_to"
        )
    if date_from:
        query = query.where(Activity.activity_date >= _day_start(date_from))
    if date_to:
        query = query.where(Activity.activity_date < _day_start(date_to + timedelta(days=1)))
    return query


def list_activities(
    session: Session,
    *,
    contact_id: int | None = None,
    activity_type: str | None = None,
    status: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    page_size: int = 25,
) -> tuple[list[ActivityEntry], int]:
    """A page of activities, newest first, and the total: one query for the page and its
    count (a window), one for the participants of the page."""
    query = _filtered(
        select(Activity, ActivityType, func.count().over().label("total")).join(
            ActivityType, ActivityType.id == Activity.activity_type_id
        ),
        session,
        contact_id=contact_id,
        activity_type=activity_type,
        status=status,
        date_from=date_from,
        date_to=date_to,
    )
    rows = session.execute(
        query.order_by(Activity.activity_date.desc(), Activity.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    if rows:
        total = rows[0][2]
    elif page > 1:  # past the last page: count alone
        total = session.execute(
            select(func.count()).select_from(
                _filtered(
                    select(Activity.id).join(
                        ActivityType, ActivityType.id == Activity.activity_type_id
                    ),
                    session,
                    contact_id=contact_id,
                    activity_type=activity_type,
                    status=status,
                    date_from=date_from,
                    date_to=date_to,
                ).subquery()
            )
        ).scalar_one()
    else:
        total = 0
    return _entries(session, [(a, t) for a, t, _n in rows]), total


def timeline(
    session: Session,
    contact_id: int,
    *,
    activity_type: str | None = None,
    page: int = 1,
    page_size: int = 25,
) -> tuple[list[ActivityEntry], int]:
    """What we have done with this contact: every activity where they are source, target or
    assignee, newest first."""
    return list_activities(
        session, contact_id=contact_id, activity_type=activity_type, page=page, page_size=page_size
    )


def count_for_contact(session: Session, contact_id: int) -> int:
    """How many activities a contact's timeline holds (one query)."""
    return session.execute(
        select(func.count(func.distinct(ActivityContact.activity_id)))
        .join(Activity, Activity.id == ActivityContact.activity_id)
        .where(ActivityContact.contact_id == contact_id, Activity.is_deleted.is_(False))
    ).scalar_one()


def follow_ups(session: Session, contact_id: int, *, limit: int = 20) -> list[ActivityEntry]:
    """The Scheduled activities assigned to the contact, soonest first."""
    rows = session.execute(
        select(Activity, ActivityType)
        .join(ActivityType, ActivityType.id == Activity.activity_type_id)
        .join(
            ActivityContact,
            and_(
                ActivityContact.activity_id == Activity.id,
                ActivityContact.contact_id == contact_id,
                ActivityContact.role == "assignee",
            ),
        )
        .where(Activity.status == "Scheduled", Activity.is_deleted.is_(False))
        .order_by(Activity.activity_date, Activity.id)
        .limit(limit)
    ).all()
    return _entries(session, [(a, t) for a, t in rows])


def represent(entries: list[ActivityEntry]) -> list[dict[str, Any]]:
    """Activities as the API shows them."""
    out = []
    for e in entries:
        item = e.activity.model_dump()
        item.update(
            activity_type=e.type.name,
            activity_type_label=e.type.label,
            target_contact_ids=[p.id for p in e.targets],
            assignee_contact_ids=[p.id for p in e.assignees],
        )
        out.append(item)
    return out


def entry(session: Session, activity_id: int) -> ActivityEntry:
    activity = get_activity(session, activity_id)
    return _entries(session, [(activity, session.get(ActivityType, activity.activity_type_id))])[0]


def contacts_with_activity_query(
    session: Session,
    *,
    type_names: list[str] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
):
    """``select`` of the ids of contacts having an activity of these types and/or in this
    period on their timeline (as source, target or assignee), for the search filters."""
    query = (
        select(ActivityContact.contact_id)
        .join(Activity, Activity.id == ActivityContact.activity_id)
        .where(Activity.is_deleted.is_(False))
    )
    if type_names:
        ids = list(
            session.execute(
                select(ActivityType.id).where(ActivityType.name.in_(type_names))
            ).scalars()
        )
        if len(ids) != len(set(type_names)):
            known = set(
                session.execute(select(ActivityType.name).where(ActivityType.id.in_(ids))).scalars()
            )
            raise ValidationError(
                str(
                    _l(
                        "Unknown activity type: %(name)s",
                        name=", ".join(sorted(set(type_names) - known)),
                    )
                ),
                field="activity_type",
            )
        query = query.where(Activity.activity_type_id.in_(ids))
    if date_from and date_to and date_to < date_from:
        raise ValidationError(
            str(_l("The end of the period is before its start.")), field="activity_date"
        )
    if date_from:
        query = query.where(Activity.activity_date >= _day_start(date_from))
    if date_to:
        query = query.where(Activity.activity_date < _day_start(date_to + timedelta(days=1)))
    return query


def merge_contact_activities(session: Session, winner_id: int, loser_id: int) -> None:
    """Two contacts merged: the loser's places on activities (source, target, assignee) go to
    the winner; where the winner already has the same place on the same activity, the
    loser's is dropped (the key is activity, contact, role)."""
    from sqlalchemy import exists, update
    from sqlalchemy.orm import aliased

    mine = aliased(ActivityContact)
    session.execute(
        delete(ActivityContact).where(
            ActivityContact.contact_id == loser_id,
            exists().where(
                mine.contact_id == winner_id,
                mine.activity_id == ActivityContact.activity_id,
                mine.role == ActivityContact.role,
            ),
        )
    )
    session.execute(
        update(ActivityContact)
        .where(ActivityContact.contact_id == loser_id)
        .values(contact_id=winner_id)
    )
    session.execute(
        update(Activity)
        .where(Activity.source_contact_id == loser_id)
        .values(source_contact_id=winner_id)
    )
