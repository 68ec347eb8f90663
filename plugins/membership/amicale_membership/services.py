"""The rules of Membership: its pages, API, command and hooks all go through these functions.

Each takes the session and leaves the commit to its caller, so that a write is all or nothing.
What concerns many memberships (the status job, inheritance, counts, tokens) is done in a few
set-based statements, never one query per membership.

Periods (``period_for``):
- rolling: a period starts on the join (or renewal) date and ends the day before the same day
  one duration later (a 29 February start for a year ends on 28 February);
- fixed: periods start on the type's MMDD day (0101 the calendar year, 0901 a school year); one
  who joins gets the period containing the date, and the next one too when they join on or after
  the rollover day (MMDD) of that period;
- lifetime: no end date.

Statuses (``compute_status``, ``update_statuses``): a rule matches on ``today`` when
``start_event + adjustment <= today`` and ``today < end_event + adjustment`` (the end is
exclusive). Both are evaluated as ``event <= today - adjustment`` and ``event > today -
adjustment``, so that the bounds are constant dates for the whole table (one UPDATE with a CASE)
and the Python and SQL versions agree to the day (at the end of a month, "one month" is counted
back from today: 31 March - 1 month = 28 February). A missing start event (no end date: a
lifetime membership) never matches; a missing end event is open. The first active rule by weight
wins; when none matches the status stays as it is. The seeded rules (CiviCRM's):

- New: from the join date until 3 months after it;
- Current: from the start date to the end date included (end event: end date + 1 day);
- Grace: the month after the end date;
- Expired: from one month after the end date;
- Pending, Cancelled, Deceased: admin statuses, set by hand or by events, left alone by the job.

Renewal: while the membership's status today is one of a current member (New, Current, Grace),
the new period follows the current end date; once it has lapsed beyond that (Expired), the new
period starts today (and the start date moves to today).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from amicale.api_for_plugins import (
    Conflict,
    Contact,
    NotFound,
    ValidationError,
    get_setting,
    gettext,
    hook,
    load_input,
    utcnow,
)

from .models import (
    CANCEL,
    DAY,
    END_DATE,
    FIXED,
    JOIN,
    JOIN_DATE,
    LIFETIME,
    MONTH,
    OVERRIDE,
    RENEW,
    START_DATE,
    STATUS,
    TYPE_CHANGE,
    YEAR,
    Membership,
    MembershipLog,
    MembershipStatus,
    MembershipType,
)
from .schemas import (
    CancelSchema,
    ChangeTypeSchema,
    JoinSchema,
    MembershipStatusSchema,
    MembershipTypeSchema,
    OverrideSchema,
    PaymentSchema,
    RenewSchema,
)

ONE_DAY = timedelta(days=1)
CANCELLED, PENDING, DECEASED = "Cancelled", "Pending", "Deceased"
#: The activity types the component records (``register_activity_types``).
SIGNUP, RENEWAL, TYPE_CHANGED, CANCELLATION = (
    "membership_signup",
    "membership_renewal",
    "membership_type_change",
    "membership_cancellation",
)
#: Contacts per query when many are asked at once (SQLite limits the parameters of a query).
CHUNK = 5000


def today_() -> date:
    return utcnow().date()


# -- dates -----------------------------------------------------------------------------------------


def add_units(day: date, unit: str, n: int, *, overflow: bool = False) -> date:
    """``day`` plus ``n`` days, months or years (``n`` may be negative). A day the target month
    lacks (31 in a 30-day month, 29 February) becomes its last day, or with ``overflow`` the
    first day of the next month (so that "the day before" is the month's last day)."""
    if unit == DAY:
        return day + timedelta(days=n)
    months = n * 12 if unit == YEAR else n
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    month = month0 + 1
    last = calendar.monthrange(year, month)[1]
    if day.day <= last:
        return date(year, month, day.day)
    if overflow:
        return date(year, month, last) + ONE_DAY
    return date(year, month, last)


def _mmdd(value: str | None, default: str = "0101") -> tuple[int, int]:
    value = value or default
    return int(value[:2]), int(value[2:])


def _fixed_period_start(mtype: MembershipType, day: date) -> date:
    """The start of the fixed period that contains ``day``."""
    month, dom = _mmdd(mtype.fixed_period_start_day)
    if mtype.duration_unit == MONTH:  # monthly periods start on the same day of every month
        dom = min(dom, 28)
        start = date(day.year, day.month, dom)
        return start if start <= day else add_units(start, MONTH, -1)
    start = date(day.year, month, dom)
    return start if start <= day else date(day.year - 1, month, dom)


def period_for(
    mtype: MembershipType, join_date: date, start_from: date | None = None
) -> tuple[date, date | None]:
    """``(start_date, end_date)`` of a membership of ``mtype`` joined on ``join_date``, or of
    the period starting at ``start_from`` (a renewal). ``end_date`` None: for life."""
    day = start_from or join_date
    unit, interval = mtype.duration_unit, mtype.duration_interval or 1
    if unit == LIFETIME:
        return day, None
    if mtype.period_type != FIXED or unit == DAY:
        return day, add_units(day, unit, interval, overflow=True) - ONE_DAY
    start = _fixed_period_start(mtype, day)
    end = add_units(start, unit, interval) - ONE_DAY
    if mtype.fixed_period_rollover_day:
        month, dom = _mmdd(mtype.fixed_period_rollover_day)
        rollover = date(start.year, month, dom)
        if rollover < start:
            rollover = date(start.year + 1, month, dom)
        if rollover <= end and day >= rollover:
            end = add_units(end + ONE_DAY, unit, interval) - ONE_DAY
    return start, end


# -- status rules --------------------------------------------------------------------------------


def status_rules(session: Session) -> list[MembershipStatus]:
    """The rules the job applies, in order: active, not admin, first by weight."""
    return list(
        session.scalars(
            select(MembershipStatus)
            .where(MembershipStatus.is_active.is_(True), MembershipStatus.is_admin.is_(False))
            .order_by(MembershipStatus.weight, MembershipStatus.id)
        )
    )


def _bound(today: date, unit: str | None, interval: int | None) -> date:
    """``today`` minus the adjustment: ``event + adjustment <= today`` is read ``event <=
    _bound(...)`` (see the module's docstring)."""
    return add_units(today, unit or DAY, -(interval or 0))


def rule_matches(rule: MembershipStatus, dates: dict[str, date | None], today: date) -> bool:
    if rule.start_event:
        event = dates.get(rule.start_event)
        if event is None or event > _bound(
            today, rule.start_event_adjust_unit, rule.start_event_adjust_interval
        ):
            return False
    if rule.end_event:
        event = dates.get(rule.end_event)
        if event is not None and event <= _bound(
            today, rule.end_event_adjust_unit, rule.end_event_adjust_interval
        ):
            return False
    return True


def compute_status(
    session: Session,
    join_date: date,
    start_date: date,
    end_date: date | None,
    today: date | None = None,
    rules: list[MembershipStatus] | None = None,
) -> MembershipStatus | None:
    """The status the rules give these dates on ``today``; None when no rule matches."""
    today = today or today_()
    dates = {JOIN_DATE: join_date, START_DATE: start_date, END_DATE: end_date}
    for rule in status_rules(session) if rules is None else rules:
        if rule_matches(rule, dates, today):
            return rule
    return None


def _rule_condition(rule: MembershipStatus, today: date):
    columns = {
        JOIN_DATE: Membership.join_date,
        START_DATE: Membership.start_date,
        END_DATE: Membership.end_date,
    }
    conditions = []
    if rule.start_event:
        bound = _bound(today, rule.start_event_adjust_unit, rule.start_event_adjust_interval)
        conditions.append(columns[rule.start_event] <= bound)  # NULL: no match
    if rule.end_event:
        bound = _bound(today, rule.end_event_adjust_unit, rule.end_event_adjust_interval)
        column = columns[rule.end_event]
        conditions.append(or_(column.is_(None), column > bound))
    return and_(*conditions) if conditions else literal(True)


@dataclass
class StatusUpdate:
    """What ``update_statuses`` did: memberships moved to each status (by name), and the
    overrides that ended."""

    changed: dict[str, int] = field(default_factory=dict)
    overrides_cleared: int = 0

    @property
    def total(self) -> int:
        return sum(self.changed.values())


def update_statuses(session: Session, today: date | None = None) -> StatusUpdate:
    """Bring every membership's status up to date on ``today`` (default: today), set-based.

    Overrides whose end date has passed are cleared first. Then, for the memberships neither
    overridden nor in an admin status, one CASE over the rules (by weight, with literal dates)
    gives the new status: a log row is written for each membership whose status changes
    (INSERT ... SELECT), then one UPDATE changes them. A handful of statements whatever the
    number of memberships.
    """
    today = today or today_()
    now = utcnow()
    result = StatusUpdate()
    result.overrides_cleared = (
        session.execute(
            update(Membership)
            .where(
                Membership.is_override.is_(True),
                Membership.status_override_end_date.is_not(None),
                Membership.status_override_end_date < today,
            )
            .values(
                is_override=False,
                status_override_end_date=None,
                override_reason=None,
                modified_at=now,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        or 0
    )
    rules = status_rules(session)
    if not rules:
        return result
    admin = list(session.scalars(select(MembershipStatus.id).where(MembershipStatus.is_admin)))
    new_status = case(
        *[(_rule_condition(rule, today), rule.id) for rule in rules],
        else_=Membership.status_id,
    )
    changing = and_(
        Membership.is_override.is_(False),
        Membership.status_id.not_in(admin),
        Membership.status_id != new_status,
    )
    names = {rule.id: rule.name for rule in rules}
    counts = session.execute(
        select(new_status.label("status_id"), func.count()).where(changing).group_by(new_status)
    ).all()
    result.changed = {names.get(sid, str(sid)): n for sid, n in counts}
    if not result.total:
        return result
    modified = literal(now, MembershipLog.__table__.c.modified_at.type)
    session.execute(
        insert(MembershipLog).from_select(
            ["membership_id", "status_id", "start_date", "end_date", "action", "modified_at"],
            select(
                Membership.id,
                new_status,
                Membership.start_date,
                Membership.end_date,
                literal(STATUS),
                modified,
            ).where(changing),
        )
    )
    session.execute(
        update(Membership)
        .where(changing)
        .values(status_id=new_status, modified_at=now)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return result


# -- status rules (administration) ---------------------------------------------------------------


def list_statuses(session: Session, *, active: bool | None = None) -> list[MembershipStatus]:
    query = select(MembershipStatus).order_by(MembershipStatus.weight, MembershipStatus.id)
    if active is not None:
        query = query.where(MembershipStatus.is_active.is_(active))
    return list(session.scalars(query))


def get_status(session: Session, status_id: int) -> MembershipStatus:
    status = session.get(MembershipStatus, status_id)
    if status is None:
        raise NotFound(gettext("No membership status with the number %(id)s.", id=status_id))
    return status


def status_by_name(session: Session, name: str, *, field: str = "status") -> MembershipStatus:
    status = session.scalar(
        select(MembershipStatus).where(func.lower(MembershipStatus.name) == name.strip().lower())
    )
    if status is None:
        raise ValidationError(
            gettext("No membership status named %(name)s.", name=name), field=field
        )
    return status


def _check_status_values(session: Session, values: dict, current: MembershipStatus | None) -> None:
    def final(name):
        return values[name] if name in values else getattr(current, name, None)

    errors: dict[str, list[str]] = {}
    if "name" in values:
        query = select(MembershipStatus.id).where(
            func.lower(MembershipStatus.name) == values["name"].lower()
        )
        if current is not None:
            query = query.where(MembershipStatus.id != current.id)
        if session.scalar(query) is not None:
            errors["name"] = [
                gettext("A status named %(name)s already exists.", name=values["name"])
            ]
    if current is not None and current.is_reserved and "name" in values:
        if values["name"] != current.name:
            errors["name"] = [gettext("The name of a seeded status cannot change.")]
    if current is not None and current.is_reserved and "is_admin" in values:
        if values["is_admin"] != current.is_admin:
            errors["is_admin"] = [gettext("A seeded status keeps its kind.")]
    if not final("is_admin") and not final("start_event") and not final("end_event"):
        errors["start_event"] = [gettext("A rule needs a start event, an end event or both.")]
    for side in ("start", "end"):
        if final(f"{side}_event_adjust_interval") and not final(f"{side}_event_adjust_unit"):
            errors[f"{side}_event_adjust_unit"] = [gettext("Choose the unit of the adjustment.")]
    if errors:
        raise ValidationError(gettext("Some fields are not valid."), errors=errors)


def create_status(session: Session, data: dict) -> MembershipStatus:
    values = load_input(MembershipStatusSchema(), data)
    _check_status_values(session, values, None)
    status = MembershipStatus(**values)
    session.add(status)
    session.flush()
    return status


def update_status(session: Session, status_id: int, data: dict) -> MembershipStatus:
    status = get_status(session, status_id)
    values = load_input(MembershipStatusSchema(), data, partial=True)
    _check_status_values(session, values, status)
    for key, value in values.items():
        setattr(status, key, value)
    session.flush()
    return status


# -- types -----------------------------------------------------------------------------------------


def list_types(
    session: Session, *, active: bool | None = None, page: int = 1, page_size: int = 500
) -> tuple[list[MembershipType], int]:
    query = select(MembershipType)
    if active is not None:
        query = query.where(MembershipType.is_active.is_(active))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(MembershipType.weight, MembershipType.name)
        .limit(page_size)
        .offset((max(page, 1) - 1) * page_size)
    ).all()
    return list(rows), total


def type_options(session: Session, *, keep: int | None = None) -> list[tuple[int, str]]:
    cond = MembershipType.is_active.is_(True)
    if keep is not None:
        cond = or_(cond, MembershipType.id == keep)
    return list(
        session.execute(
            select(MembershipType.id, MembershipType.name)
            .where(cond)
            .order_by(MembershipType.weight, MembershipType.name)
        ).all()
    )


def get_type(session: Session, type_id: int) -> MembershipType:
    mtype = session.get(MembershipType, type_id)
    if mtype is None:
        raise NotFound(gettext("No membership type with the number %(id)s.", id=type_id))
    return mtype


def relationship_type_options(session: Session) -> list[tuple[str, str]]:
    """``(name, label)`` of the active relationship types (what a type may be inherited by)."""
    from amicale.api_for_plugins import RelationshipType

    return list(
        session.execute(
            select(RelationshipType.name, RelationshipType.label_a_b)
            .where(RelationshipType.is_active.is_(True))
            .order_by(RelationshipType.label_a_b)
        ).all()
    )


def _check_type_values(session: Session, values: dict, current: MembershipType | None) -> None:
    errors: dict[str, list[str]] = {}
    if "name" in values:
        query = select(MembershipType.id).where(
            func.lower(MembershipType.name) == values["name"].lower()
        )
        if current is not None:
            query = query.where(MembershipType.id != current.id)
        if session.scalar(query) is not None:
            errors["name"] = [
                gettext("A membership type named %(name)s already exists.", name=values["name"])
            ]
    if values.get("relationship_types"):
        known = {name for name, _label in relationship_type_options(session)}
        unknown = [n for n in values["relationship_types"] if n not in known]
        if unknown:
            errors["relationship_types"] = [
                gettext("Unknown relationship type: %(name)s", name=", ".join(unknown))
            ]
    if values.get("owner_contact_id"):
        if session.get(Contact, values["owner_contact_id"]) is None:
            errors["owner_contact_id"] = [
                gettext("No contact with the number %(id)s.", id=values["owner_contact_id"])
            ]
    if errors:
        raise ValidationError(gettext("Some fields are not valid."), errors=errors)


def create_type(session: Session, data: dict) -> MembershipType:
    values = load_input(MembershipTypeSchema(), data)
    _check_type_values(session, values, None)
    mtype = MembershipType(**values)
    session.add(mtype)
    session.flush()
    return mtype


def update_type(session: Session, type_id: int, data: dict) -> MembershipType:
    mtype = get_type(session, type_id)
    values = load_input(MembershipTypeSchema(), data, partial=True)
    _check_type_values(session, values, mtype)
    if values.get("period_type", mtype.period_type) == FIXED and not values.get(
        "fixed_period_start_day", mtype.fixed_period_start_day
    ):
        raise ValidationError(
            gettext("Fixed periods need the day they start on (MMDD)."),
            field="fixed_period_start_day",
        )
    inherited_before = list(mtype.relationship_types or [])
    for key, value in values.items():
        setattr(mtype, key, value)
    session.flush()
    if list(mtype.relationship_types or []) != inherited_before or "max_related" in values:
        for membership_id in session.scalars(
            select(Membership.id).where(
                Membership.membership_type_id == mtype.id,
                Membership.owner_membership_id.is_(None),
            )
        ).all():
            sync_inherited(session, membership_id)
    return mtype


def delete_type(session: Session, type_id: int) -> None:
    """Delete a type nobody has; one in use is refused (Conflict): deactivate it."""
    mtype = get_type(session, type_id)
    used = session.scalar(select(func.count()).where(Membership.membership_type_id == mtype.id))
    if used:
        raise Conflict(
            gettext(
                "The membership type %(name)s is in use: it cannot be deleted. Deactivate it "
                "instead.",
                name=mtype.name,
            )
        )
    session.delete(mtype)
    session.flush()


# -- memberships ---------------------------------------------------------------------------------


def get_membership(session: Session, membership_id: int) -> Membership:
    membership = session.get(Membership, membership_id)
    if membership is None:
        raise NotFound(gettext("No membership with the number %(id)s.", id=membership_id))
    return membership


def _log(session: Session, m: Membership, action: str, user_id: int | None) -> None:
    session.add(
        MembershipLog(
            membership_id=m.id,
            status_id=m.status_id,
            start_date=m.start_date,
            end_date=m.end_date,
            action=action,
            modified_at=utcnow(),
            user_id=user_id,
        )
    )


def _record_activity(
    session: Session, kind: str, m: Membership, subject: str, user_id: int | None
) -> None:
    from amicale.api_for_plugins import create_activity

    create_activity(
        session,
        {
            "activity_type": kind,
            "subject": subject,
            "status": "Completed",
            "target_contact_ids": [m.contact_id],
        },
        user_id=user_id,
    )


def _payment_details(values: dict, today: date) -> dict:
    return {
        "receive_date": values.get("paid_date") or today,
        "payment_instrument": values.get("payment_instrument"),
        "check_number": values.get("check_number"),
    }


def _record_dues(
    session: Session,
    m: Membership,
    mtype: MembershipType,
    values: dict,
    today: date,
) -> None:
    """The fee goes to the payment component when one answers ``request_payment`` (a Member
    Dues contribution); either way the membership notes that its dues are paid
    (``paid_amount``, ``paid_date``), which "dues not paid" reads."""
    if not values.get("record_payment", True):
        return
    amount = values.get("fee_amount")
    amount = mtype.minimum_fee if amount is None else amount
    if amount is None or Decimal(amount) <= 0:
        return
    hook.request_payment(
        entity="membership",
        entity_id=m.id,
        contact_id=m.contact_id,
        amount=Decimal(amount),
        currency=get_setting(session, "organisation.currency", "EUR"),
        financial_type=mtype.financial_type,
        status="Completed",
        source=values.get("source") or mtype.name,
        details=_payment_details(values, today),
    )
    m.paid_amount = Decimal(amount)
    m.paid_date = values.get("paid_date") or today


def _paid(
    session: Session,
    m: Membership,
    amount: Decimal | None,
    day: date | None,
    user_id: int | None,
    today: date,
) -> None:
    """The dues of ``m`` are paid: noted, and a Pending membership takes the status its dates
    give (logged)."""
    m.paid_amount = amount
    m.paid_date = day or today
    pending = status_by_name(session, PENDING)
    if m.status_id == pending.id and not m.is_override:
        computed = compute_status(session, m.join_date, m.start_date, m.end_date, today)
        if computed is not None:
            m.status_id = computed.id
            m.modified_at = utcnow()
            session.flush()
            _log(session, m, STATUS, user_id)
            sync_inherited(session, m.id, today=today)
    session.flush()


def record_dues_payment(
    session: Session,
    membership_id: int,
    data: dict | None = None,
    *,
    user_id: int | None = None,
    today: date | None = None,
) -> Membership:
    """The dues of a membership are received (its "Record the payment" action): the payment
    component completes the pending contribution (or records one); without it the payment is
    noted on the membership. A Pending membership then takes the status its dates give."""
    today = today or today_()
    values = load_input(PaymentSchema(), data or {})
    m = _own(session, membership_id)
    mtype = session.get(MembershipType, m.membership_type_id)
    amount = values.get("fee_amount")
    amount = Decimal(mtype.minimum_fee or 0) if amount is None else Decimal(amount)
    if amount <= 0:
        raise ValidationError(gettext("Give the amount paid."), field="fee_amount")
    hook.request_payment(
        entity="membership",
        entity_id=m.id,
        contact_id=m.contact_id,
        amount=amount,
        currency=get_setting(session, "organisation.currency", "EUR"),
        financial_type=mtype.financial_type,
        status="Completed",
        source=m.source or mtype.name,
        details=_payment_details(values, today),
    )
    _paid(session, m, amount, values.get("paid_date"), user_id, today)
    _post_save("update", m)
    return m


def payment_changed(
    session: Session,
    membership_id: int,
    status: str,
    amount: Decimal | None,
    receive_date: date | None,
    *,
    today: date | None = None,
) -> None:
    """The payment component says the dues' payment changed (``payment_status_changed``):
    completed, the membership is paid (and leaves Pending); cancelled or failed while the
    membership waited in Pending, it is cancelled; refunded, the dues are no longer paid."""
    today = today or today_()
    m = session.get(Membership, membership_id)
    if m is None:
        return
    if status == "Completed":
        _paid(
            session, m, Decimal(amount) if amount is not None else None, receive_date, None, today
        )
    elif status in ("Cancelled", "Failed"):
        if m.status_id == status_by_name(session, PENDING).id:
            m.status_id = status_by_name(session, CANCELLED).id
            m.override_reason = gettext(
                "The payment of the dues was %(status)s.", status=gettext(status)
            )
            m.modified_at = utcnow()
            session.flush()
            _log(session, m, CANCEL, None)
            sync_inherited(session, m.id, today=today)
    elif status == "Refunded":
        m.paid_amount, m.paid_date = None, None
        session.flush()


def _post_save(action: str, m: Membership) -> None:
    hook.post_save(entity="membership", action=action, obj=m)


def _resolve_type(session: Session, values: dict, field: str = "membership_type_id"):
    if values.get("membership_type_id"):
        mtype = session.get(MembershipType, values["membership_type_id"])
        if mtype is None:
            raise ValidationError(
                gettext("No membership type with the number %(id)s.", id=values[field]),
                field=field,
            )
    else:
        name = values.get("membership_type") or ""
        mtype = session.scalar(
            select(MembershipType).where(func.lower(MembershipType.name) == name.lower())
        )
        if mtype is None:
            raise ValidationError(
                gettext("No membership type named %(name)s.", name=name), field=field
            )
    if not mtype.is_active:
        raise ValidationError(
            gettext("The membership type %(name)s is no longer offered.", name=mtype.name),
            field=field,
        )
    return mtype


def join(
    session: Session, data: dict, *, user_id: int | None = None, today: date | None = None
) -> Membership:
    """A contact joins: the membership gets the type's period (unless the dates are given)
    and the status its rules give on ``today``. ``status`` (a name) sets it by hand: an admin
    status is kept as such, another one that the dates do not give becomes an override.
    Writes the log, the "Membership Signup" activity, the dues, and the inherited ones."""
    today = today or today_()
    values = load_input(JoinSchema(), data)
    mtype = _resolve_type(session, values)
    contact = session.get(Contact, values["contact_id"])
    if contact is None or contact.is_deleted:
        raise ValidationError(
            gettext("No contact with the number %(id)s.", id=values["contact_id"]),
            field="contact_id",
        )
    join_date = values.get("join_date") or today
    start, end = period_for(mtype, join_date, values.get("start_date"))
    if values.get("start_date"):
        start = values["start_date"]
    if values.get("end_date"):
        end = values["end_date"]
    if end is not None and end < start:
        raise ValidationError(
            gettext("The end date must come after the start date."), field="end_date"
        )
    membership = Membership(
        contact_id=contact.id,
        membership_type_id=mtype.id,
        join_date=join_date,
        start_date=start,
        end_date=end,
        source=values.get("source"),
    )
    computed = compute_status(session, join_date, start, end, today)
    wanted = status_by_name(session, values["status"]) if values.get("status") else None
    if wanted is not None and (wanted.is_admin or computed is None or wanted.id != computed.id):
        membership.status_id = wanted.id
        if not wanted.is_admin:
            membership.is_override = True
            membership.override_reason = gettext("Status given when the membership was recorded")
    elif computed is not None:
        membership.status_id = computed.id
    else:
        raise ValidationError(
            gettext("No status rule applies to these dates: check them, or give the status."),
            field="start_date",
        )
    session.add(membership)
    session.flush()
    _log(session, membership, JOIN, user_id)
    _record_activity(
        session, SIGNUP, membership, gettext("%(type)s membership", type=mtype.name), user_id
    )
    _record_dues(session, membership, mtype, values, today)
    session.flush()
    sync_inherited(session, membership.id, today=today)
    _post_save("create", membership)
    return membership


def _own(session: Session, membership_id: int) -> Membership:
    m = get_membership(session, membership_id)
    if m.owner_membership_id is not None:
        raise ValidationError(
            gettext("This membership is inherited: change the membership it comes from instead."),
            field="owner_membership_id",
        )
    return m


def renewal_period(
    session: Session, m: Membership, mtype: MembershipType, today: date
) -> tuple[date, date | None]:
    """The start and end dates a renewal on ``today`` gives (see the module's docstring)."""
    status = compute_status(session, m.join_date, m.start_date, m.end_date, today)
    if status is not None and status.is_current_member and m.end_date is not None:
        _start, end = period_for(mtype, m.join_date, m.end_date + ONE_DAY)
        return m.start_date, end
    return period_for(mtype, m.join_date, today)


def renew(
    session: Session,
    membership_id: int,
    data: dict | None = None,
    *,
    user_id: int | None = None,
    today: date | None = None,
) -> Membership:
    """Renew for one more period (see ``renewal_period``); a lifetime membership, an inherited
    one and a cancelled one (or deceased member) are refused."""
    today = today or today_()
    values = load_input(RenewSchema(), data or {})
    m = _own(session, membership_id)
    status = session.get(MembershipStatus, m.status_id)
    if status.is_admin and status.name != PENDING:
        raise ValidationError(
            gettext(
                "A membership with the status %(status)s cannot be renewed: record a new one.",
                status=gettext(status.label),
            ),
            field="status",
        )
    if m.end_date is None:
        raise ValidationError(gettext("A lifetime membership needs no renewal."), field="end_date")
    mtype = session.get(MembershipType, m.membership_type_id)
    m.start_date, m.end_date = renewal_period(session, m, mtype, today)
    if not m.is_override:
        computed = compute_status(session, m.join_date, m.start_date, m.end_date, today)
        if computed is not None:
            m.status_id = computed.id
    if values.get("source"):
        m.source = values["source"]
    m.modified_at = utcnow()
    session.flush()
    _log(session, m, RENEW, user_id)
    _record_activity(
        session,
        RENEWAL,
        m,
        gettext("%(type)s membership renewed until %(end)s", type=mtype.name, end=m.end_date),
        user_id,
    )
    _record_dues(session, m, mtype, values, today)
    session.flush()
    sync_inherited(session, m.id, today=today)
    _post_save("update", m)
    return m


def change_type(
    session: Session, membership_id: int, data: dict, *, user_id: int | None = None
) -> Membership:
    """Move the membership to another type; its dates stay."""
    values = load_input(ChangeTypeSchema(), data)
    m = _own(session, membership_id)
    old = session.get(MembershipType, m.membership_type_id)
    new = _resolve_type(session, values)
    if new.id == old.id:
        raise ValidationError(
            gettext("The membership is already of this type."), field="membership_type_id"
        )
    m.membership_type_id = new.id
    m.modified_at = utcnow()
    session.flush()
    _log(session, m, TYPE_CHANGE, user_id)
    _record_activity(
        session,
        TYPE_CHANGED,
        m,
        gettext("Membership changed from %(old)s to %(new)s", old=old.name, new=new.name),
        user_id,
    )
    sync_inherited(session, m.id)
    _post_save("update", m)
    return m


def cancel(
    session: Session, membership_id: int, data: dict | None = None, *, user_id: int | None = None
) -> Membership:
    """Cancel: the status becomes Cancelled (an admin status the job leaves alone); the
    inherited memberships follow."""
    values = load_input(CancelSchema(), data or {})
    m = _own(session, membership_id)
    cancelled = status_by_name(session, CANCELLED)
    if m.status_id == cancelled.id:
        raise ValidationError(gettext("The membership is already cancelled."), field="status")
    m.status_id = cancelled.id
    m.is_override = False
    m.status_override_end_date = None
    m.override_reason = values.get("reason")
    m.modified_at = utcnow()
    session.flush()
    _log(session, m, CANCEL, user_id)
    mtype = session.get(MembershipType, m.membership_type_id)
    subject = gettext("%(type)s membership cancelled", type=mtype.name)
    if values.get("reason"):
        subject = f"{subject}: {values['reason']}"
    _record_activity(session, CANCELLATION, m, subject[:255], user_id)
    sync_inherited(session, m.id)
    _post_save("update", m)
    return m


def override_status(
    session: Session, membership_id: int, data: dict, *, user_id: int | None = None
) -> Membership:
    """Set the status by hand, with a reason, until ``status_override_end_date`` (none: for
    good); the status job leaves it alone until then."""
    values = load_input(OverrideSchema(), data)
    m = _own(session, membership_id)
    status = session.get(MembershipStatus, values["status_id"])
    if status is None or not status.is_active:
        raise ValidationError(
            gettext("No membership status with the number %(id)s.", id=values["status_id"]),
            field="status_id",
        )
    m.status_id = status.id
    m.is_override = True
    m.override_reason = values["override_reason"]
    m.status_override_end_date = values.get("status_override_end_date")
    m.modified_at = utcnow()
    session.flush()
    _log(session, m, OVERRIDE, user_id)
    sync_inherited(session, m.id)
    _post_save("update", m)
    return m


def clear_override(
    session: Session, membership_id: int, *, user_id: int | None = None, today: date | None = None
) -> Membership:
    """The status is computed from the dates again."""
    m = _own(session, membership_id)
    m.is_override = False
    m.status_override_end_date = None
    m.override_reason = None
    computed = compute_status(session, m.join_date, m.start_date, m.end_date, today)
    if computed is not None:
        m.status_id = computed.id
    m.modified_at = utcnow()
    session.flush()
    _log(session, m, STATUS, user_id)
    sync_inherited(session, m.id)
    return m


# -- inheritance -----------------------------------------------------------------------------------


def _related_contacts(
    session: Session, contact_id: int, names: list[str], today: date
) -> list[int]:
    """Contacts related to ``contact_id`` through a current relationship of one of the types
    ``names``, on either side, oldest relationship first (one query)."""
    from amicale.api_for_plugins import Relationship, RelationshipType

    other = case(
        (Relationship.contact_id_a == contact_id, Relationship.contact_id_b),
        else_=Relationship.contact_id_a,
    )
    rows = session.execute(
        select(other, Relationship.id)
        .join(RelationshipType, RelationshipType.id == Relationship.relationship_type_id)
        .join(Contact, Contact.id == other)
        .where(
            RelationshipType.name.in_(names),
            or_(Relationship.contact_id_a == contact_id, Relationship.contact_id_b == contact_id),
            Relationship.is_active.is_(True),
            or_(Relationship.end_date.is_(None), Relationship.end_date >= today),
            Contact.is_deleted.is_(False),
        )
        .order_by(Relationship.id)
    ).all()
    seen: list[int] = []
    for cid, _rid in rows:
        if cid != contact_id and cid not in seen:
            seen.append(cid)
    return seen


def sync_inherited(session: Session, membership_id: int, *, today: date | None = None) -> None:
    """Give the contacts related to the member (through the type's relationship types) a
    membership inherited from this one, with the same type, dates and status (at most
    ``max_related``, those who have one first); delete the inherited ones of contacts no longer
    related. A few set-based statements, whatever the number of related contacts."""
    today = today or today_()
    owner = session.get(Membership, membership_id)
    if owner is None or owner.owner_membership_id is not None:
        return
    mtype = session.get(MembershipType, owner.membership_type_id)
    names = list(mtype.relationship_types or [])
    wanted = _related_contacts(session, owner.contact_id, names, today) if names else []
    existing = dict(
        session.execute(
            select(Membership.contact_id, Membership.id).where(
                Membership.owner_membership_id == owner.id
            )
        ).all()
    )
    if mtype.max_related is not None:
        wanted = ([c for c in wanted if c in existing] + [c for c in wanted if c not in existing])[
            : mtype.max_related
        ]
    gone = [mid for cid, mid in existing.items() if cid not in wanted]
    if gone:
        session.execute(
            delete(Membership)
            .where(Membership.id.in_(gone))
            .execution_options(synchronize_session=False)
        )
    now = utcnow()
    shared = {
        "membership_type_id": owner.membership_type_id,
        "join_date": owner.join_date,
        "start_date": owner.start_date,
        "end_date": owner.end_date,
        "status_id": owner.status_id,
        "is_override": owner.is_override,
        "status_override_end_date": owner.status_override_end_date,
        "override_reason": owner.override_reason,
        "modified_at": now,
    }
    kept = [existing[c] for c in wanted if c in existing]
    if kept:
        session.execute(
            update(Membership)
            .where(Membership.id.in_(kept))
            .values(**shared)
            .execution_options(synchronize_session=False)
        )
    new = [c for c in wanted if c not in existing]
    if new:
        session.execute(
            insert(Membership),
            [
                {
                    **shared,
                    "contact_id": cid,
                    "owner_membership_id": owner.id,
                    "source": owner.source,
                    "created_at": now,
                }
                for cid in new
            ],
        )
        session.execute(
            insert(MembershipLog).from_select(
                ["membership_id", "status_id", "start_date", "end_date", "action", "modified_at"],
                select(
                    Membership.id,
                    Membership.status_id,
                    Membership.start_date,
                    Membership.end_date,
                    literal(JOIN),
                    literal(now, MembershipLog.__table__.c.modified_at.type),
                ).where(Membership.owner_membership_id == owner.id, Membership.contact_id.in_(new)),
            )
        )
    if gone or kept or new:
        session.expire_all()


def sync_for_relationship(session: Session, contact_ids: list[int], relationship_type_id: int):
    """After a relationship between ``contact_ids`` of this type changed: re-sync the
    memberships of either contact whose type is inherited through it."""
    from amicale.api_for_plugins import RelationshipType

    name = session.scalar(
        select(RelationshipType.name).where(RelationshipType.id == relationship_type_id)
    )
    types = [
        t.id
        for t in session.scalars(select(MembershipType))
        if name and name in (t.relationship_types or [])
    ]
    if not types:
        return
    owners = session.scalars(
        select(Membership.id).where(
            Membership.contact_id.in_(contact_ids),
            Membership.membership_type_id.in_(types),
            Membership.owner_membership_id.is_(None),
        )
    ).all()
    for membership_id in owners:
        sync_inherited(session, membership_id)


# -- reading -------------------------------------------------------------------------------------


def names_of(session: Session) -> tuple[dict[int, str], dict[int, str]]:
    """``({status_id: name}, {type_id: name})`` (two small tables)."""
    statuses = dict(session.execute(select(MembershipStatus.id, MembershipStatus.name)).all())
    types = dict(session.execute(select(MembershipType.id, MembershipType.name)).all())
    return statuses, types


def represent(session: Session, memberships: list[Membership]) -> list[dict[str, Any]]:
    """Memberships as the API shows them, with their status and type names."""
    statuses, types = names_of(session)
    columns = [c.name for c in Membership.__table__.columns]
    return [
        {
            **{c: getattr(m, c) for c in columns},
            "status": statuses.get(m.status_id),
            "membership_type": types.get(m.membership_type_id),
        }
        for m in memberships
    ]


def list_memberships(
    session: Session,
    *,
    contact_id: int | None = None,
    status: str | None = None,
    type_name: str | None = None,
    end_date_from: date | None = None,
    end_date_to: date | None = None,
    page: int = 1,
    page_size: int = 25,
) -> tuple[list[Membership], int]:
    query = select(Membership)
    if contact_id is not None:
        query = query.where(Membership.contact_id == contact_id)
    if status:
        query = query.where(
            Membership.status_id.in_(
                select(MembershipStatus.id).where(
                    func.lower(MembershipStatus.name) == status.lower()
                )
            )
        )
    if type_name:
        query = query.where(
            Membership.membership_type_id.in_(
                select(MembershipType.id).where(
                    func.lower(MembershipType.name) == type_name.lower()
                )
            )
        )
    if end_date_from is not None:
        query = query.where(Membership.end_date >= end_date_from)
    if end_date_to is not None:
        query = query.where(Membership.end_date <= end_date_to)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Membership.id.desc()).limit(page_size).offset((max(page, 1) - 1) * page_size)
    ).all()
    return list(rows), total


@dataclass
class MembershipRow:
    membership: Membership
    type_name: str
    status: MembershipStatus
    owner_contact_id: int | None = None
    owner_name: str | None = None
    history: list[tuple[MembershipLog, str]] = field(default_factory=list)
    fee: Decimal = Decimal("0")

    @property
    def is_current(self) -> bool:
        return bool(self.status.is_current_member)


def contact_memberships(session: Session, contact_id: int) -> list[MembershipRow]:
    """A contact's memberships, current ones first, with the owner of inherited ones and the
    history of each (three queries)."""
    from sqlalchemy.orm import aliased

    owner = aliased(Membership)
    rows = session.execute(
        select(
            Membership,
            MembershipType.name,
            MembershipStatus,
            owner.contact_id,
            Contact.display_name,
            MembershipType.minimum_fee,
        )
        .join(MembershipType, MembershipType.id == Membership.membership_type_id)
        .join(MembershipStatus, MembershipStatus.id == Membership.status_id)
        .outerjoin(owner, owner.id == Membership.owner_membership_id)
        .outerjoin(Contact, Contact.id == owner.contact_id)
        .where(Membership.contact_id == contact_id)
    ).all()
    out = [
        MembershipRow(m, tname, status, ocid, oname, fee=Decimal(fee or 0))
        for m, tname, status, ocid, oname, fee in rows
    ]
    by_id = {r.membership.id: r for r in out}
    if by_id:
        labels = dict(session.execute(select(MembershipStatus.id, MembershipStatus.label)).all())
        for log in session.scalars(
            select(MembershipLog)
            .where(MembershipLog.membership_id.in_(list(by_id)))
            .order_by(MembershipLog.modified_at.desc(), MembershipLog.id.desc())
        ):
            by_id[log.membership_id].history.append((log, labels.get(log.status_id, "")))
    out.sort(
        key=lambda r: (
            not r.is_current,
            -(r.membership.end_date or date.max).toordinal(),
            -r.membership.id,
        )
    )
    return out


def count_for_contact(session: Session, contact_id: int) -> int:
    return session.scalar(select(func.count()).where(Membership.contact_id == contact_id)) or 0


def summary_for_contact(session: Session, contact_id: int) -> tuple[date, str] | None:
    """``(first join date, label of the best status)`` of a contact's memberships, or None."""
    row = session.execute(
        select(Membership.join_date, MembershipStatus.label)
        .join(MembershipStatus, MembershipStatus.id == Membership.status_id)
        .where(Membership.contact_id == contact_id)
        .order_by(
            MembershipStatus.is_current_member.desc(),
            Membership.end_date.is_(None).desc(),
            Membership.end_date.desc(),
        )
        .limit(1)
    ).first()
    if row is None:
        return None
    first = session.scalar(
        select(func.min(Membership.join_date)).where(Membership.contact_id == contact_id)
    )
    return first, row[1]


@dataclass
class StatusCount:
    status_id: int
    name: str
    label: str
    members: int
    due_this_month: int
    is_current_member: bool


def widget_counts(session: Session, today: date | None = None) -> list[StatusCount]:
    """Memberships by status, and those whose end date falls this month (renewals due), in
    one GROUP BY over the (status_id, end_date) index."""
    today = today or today_()
    first = today.replace(day=1)
    last = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    due = func.sum(
        case((and_(Membership.end_date >= first, Membership.end_date <= last), 1), else_=0)
    )
    rows = session.execute(
        select(Membership.status_id, func.count(), due).group_by(Membership.status_id)
    ).all()
    statuses = {s.id: s for s in list_statuses(session)}
    out = []
    for sid, n, due_n in rows:
        s = statuses.get(sid)
        if s is None:
            continue
        out.append(StatusCount(sid, s.name, s.label, n, int(due_n or 0), s.is_current_member))
    out.sort(key=lambda c: (statuses[c.status_id].weight, c.status_id))
    return out


# -- other components' needs -------------------------------------------------------------------


def token_values(session: Session, contact_ids: list[int]) -> dict[int, dict[str, Any]]:
    """``{contact_id: {"type", "status", "end_date", "membership_id"}}`` of each contact's main
    membership (a current one first, then the latest end; ``membership_id`` is the one to renew:
    the owner's for an inherited one), one query per chunk of contacts."""
    out: dict[int, dict[str, Any]] = {}
    ids = list(contact_ids)
    for i in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(
                Membership.contact_id,
                MembershipType.name,
                MembershipStatus.label,
                MembershipStatus.is_current_member,
                Membership.end_date,
                func.coalesce(Membership.owner_membership_id, Membership.id),
            )
            .join(MembershipType, MembershipType.id == Membership.membership_type_id)
            .join(MembershipStatus, MembershipStatus.id == Membership.status_id)
            .where(Membership.contact_id.in_(ids[i : i + CHUNK]))
        ).all()
        best: dict[int, tuple] = {}
        for cid, tname, label, current, end, own_id in rows:
            key = (bool(current), end or date.max)
            if cid not in best or key > best[cid][0]:
                best[cid] = (key, tname, label, end, own_id)
        for cid, (_key, tname, label, end, own_id) in best.items():
            out[cid] = {"type": tname, "status": label, "end_date": end, "membership_id": own_id}
    return out


def move_contact(session: Session, loser_id: int, winner_id: int) -> None:
    """Merge: the memberships of ``loser_id`` (and the types it owns) go to ``winner_id``; an
    inherited membership the winner would then get from themselves is deleted."""
    session.execute(
        update(Membership)
        .where(Membership.contact_id == loser_id)
        .values(contact_id=winner_id, modified_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(MembershipType)
        .where(MembershipType.owner_contact_id == loser_id)
        .values(owner_contact_id=winner_id)
        .execution_options(synchronize_session=False)
    )
    own = select(Membership.id).where(Membership.contact_id == winner_id)
    session.execute(
        delete(Membership)
        .where(Membership.contact_id == winner_id, Membership.owner_membership_id.in_(own))
        .execution_options(synchronize_session=False)
    )
    session.expire_all()


def contact_data(session: Session, contact_id: int) -> dict[str, list[dict]]:
    rows = contact_memberships(session, contact_id)
    if not rows:
        return {}
    return {
        gettext("Memberships"): [
            {
                "membership_type": r.type_name,
                "status": r.status.name,
                "join_date": r.membership.join_date.isoformat(),
                "start_date": r.membership.start_date.isoformat(),
                "end_date": r.membership.end_date.isoformat() if r.membership.end_date else None,
                "source": r.membership.source,
                "paid_amount": str(r.membership.paid_amount)
                if r.membership.paid_amount is not None
                else None,
                "paid_date": r.membership.paid_date.isoformat() if r.membership.paid_date else None,
                "inherited_from": r.owner_name,
            }
            for r in rows
        ]
    }


def erase_contact(session: Session, contact_id: int) -> None:
    """The person's memberships go (with their history and the memberships others inherited
    from them); types they owned lose their owner."""
    session.execute(
        delete(Membership)
        .where(Membership.contact_id == contact_id)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(MembershipType)
        .where(MembershipType.owner_contact_id == contact_id)
        .values(owner_contact_id=None)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()


# -- search ----------------------------------------------------------------------------------------


def contacts_with(
    *,
    statuses: list[str] | None = None,
    types: list[str] | None = None,
    end_from: date | None = None,
    end_to: date | None = None,
):
    """``select`` of the ids of contacts with a membership matching every criterion given."""
    query = select(Membership.contact_id)
    if statuses:
        query = query.where(
            Membership.status_id.in_(
                select(MembershipStatus.id).where(MembershipStatus.name.in_(statuses))
            )
        )
    if types:
        query = query.where(
            Membership.membership_type_id.in_(
                select(MembershipType.id).where(MembershipType.name.in_(types))
            )
        )
    if end_from is not None:
        query = query.where(Membership.end_date >= end_from)
    if end_to is not None:
        query = query.where(Membership.end_date <= end_to)
    return query


def lapsed_contacts(months: int, today: date | None = None):
    """``select`` of the ids of contacts whose memberships all ended more than ``months``
    months ago (no lifetime one, none in a current-member status)."""
    today = today or today_()
    limit = add_units(today, MONTH, -months)
    current = select(MembershipStatus.id).where(MembershipStatus.is_current_member)
    return (
        select(Membership.contact_id)
        .group_by(Membership.contact_id)
        .having(
            func.max(case((Membership.status_id.in_(current), 1), else_=0)) == 0,
            func.max(case((Membership.end_date.is_(None), 1), else_=0)) == 0,
            func.max(Membership.end_date) < limit,
        )
    )


def parse_day(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(
            gettext("%(value)s is not a date (YYYY-MM-DD).", value=value), field=field
        ) from None


def display_names(session: Session, contact_ids: list[int]) -> dict[int, str]:
    """``{contact_id: display name}`` of a page of contacts (one query)."""
    if not contact_ids:
        return {}
    return dict(
        session.execute(
            select(Contact.id, Contact.display_name).where(Contact.id.in_(set(contact_ids)))
        ).all()
    )


def unpaid_contacts():
    """``select`` of the ids of contacts with dues not paid: a membership of their own in
    Pending, or one whose type has a fee and whose payment is not noted (``paid_amount``), left
    aside the cancelled ones and deceased members'."""
    closed = select(MembershipStatus.id).where(MembershipStatus.name.in_((CANCELLED, DECEASED)))
    pending = select(MembershipStatus.id).where(MembershipStatus.name == PENDING)
    with_fee = select(MembershipType.id).where(MembershipType.minimum_fee > 0)
    return select(Membership.contact_id).where(
        Membership.owner_membership_id.is_(None),
        Membership.status_id.not_in(closed),
        or_(
            Membership.status_id.in_(pending),
            and_(Membership.paid_amount.is_(None), Membership.membership_type_id.in_(with_fee)),
        ),
    )


def inactive_condition(months: int, today: date | None = None):
    """A condition on ``Contact``: no activity (not deleted) in the last ``months`` months
    where the contact is the source or a target (a correlated NOT EXISTS on the activity
    index)."""
    from amicale.api_for_plugins import Activity, ActivityContact

    today = today or today_()
    since = datetime.combine(add_units(today, MONTH, -months), datetime.min.time(), tzinfo=UTC)
    recent = (
        select(ActivityContact.activity_id)
        .join(Activity, Activity.id == ActivityContact.activity_id)
        .where(
            ActivityContact.contact_id == Contact.id,
            ActivityContact.role.in_(("source", "target")),
            Activity.is_deleted.is_(False),
            Activity.activity_date >= since,
        )
        .exists()
    )
    return ~recent
