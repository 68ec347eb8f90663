"""The rules of Grant: its pages, API, commands and hooks all go through these functions.

Each takes the session and leaves the commit to its caller, so that a write is all or nothing.
Money is ``Decimal`` throughout, never a float.

The workflow of a grant (``TRANSITIONS``): each allowed step needs its permission, and only the
steps the user may take are offered (``allowed_transitions``):

- Submitted → Eligible or Ineligible (review_grants), → Withdrawn (edit_grants);
- Eligible → Approved (approve_grants: sets the amount granted, by default the amount
  requested, and the decision date), → Ineligible (review_grants), → Withdrawn (edit_grants);
- Approved → Paid (pay_grants: records the payment of what remains), → Withdrawn
  (approve_grants);
- Ineligible → Submitted (review_grants: the decision is reconsidered).

Payments (``record_payment``) are taken on Approved grants; when they add up to the amount
granted the grant becomes Paid, its money transfer date the last payment's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, extract, func, select, update
from sqlalchemy.orm import Session

from amicale.api_for_plugins import (
    Conflict,
    Contact,
    NotFound,
    PermissionDenied,
    ValidationError,
    gettext,
    has_permission,
    hook,
    load_input,
    utcnow,
)

from . import custom_fields
from .models import (
    ABANDONED,
    APPROVED,
    AWARDED,
    ELIGIBLE,
    INELIGIBLE,
    PAID,
    REFUSED,
    SENT,
    STATUSES,
    SUBMITTED,
    WITHDRAWN,
    FundingApplication,
    FundingIndicator,
    FundingReport,
    Grant,
    GrantAttachment,
    GrantPayment,
    GrantProgramme,
    GrantReview,
    GrantStatusLog,
    GrantType,
)
from .schemas import (
    FundingApplicationSchema,
    FundingIndicatorSchema,
    FundingReportSchema,
    GrantPaymentSchema,
    GrantProgrammeSchema,
    GrantReviewSchema,
    GrantSchema,
    GrantTransitionSchema,
    GrantTypeSchema,
)

VIEW, EDIT, REVIEW, APPROVE, PAY, ADMINISTER = (
    "view_grants",
    "edit_grants",
    "review_grants",
    "approve_grants",
    "pay_grants",
    "administer_grants",
)
VIEW_FUNDING, EDIT_FUNDING = "view_funding", "edit_funding"

#: {from status: {to status: permission needed}}
TRANSITIONS: dict[str, dict[str, str]] = {
    SUBMITTED: {ELIGIBLE: REVIEW, INELIGIBLE: REVIEW, WITHDRAWN: EDIT},
    ELIGIBLE: {APPROVED: APPROVE, INELIGIBLE: REVIEW, WITHDRAWN: EDIT},
    APPROVED: {PAID: PAY, WITHDRAWN: APPROVE},
    INELIGIBLE: {SUBMITTED: REVIEW},
    PAID: {},
    WITHDRAWN: {},
}
#: The statuses in which a grant is still "in the pipeline" or has money attached.
OPEN = (SUBMITTED, ELIGIBLE, APPROVED)
#: The activity types recorded on the applicant (``register_activity_types``).
APPLICATION_ACTIVITY, STATUS_ACTIVITY = "grant_application", "grant_status_change"
#: Ids per query when many are asked at once (SQLite limits the parameters of a query).
CHUNK = 5000
ZERO = Decimal("0.00")


def today_() -> date:
    return utcnow().date()


def _may(user, permission: str) -> bool:
    """``user`` None: the system (an import, a job), which may do everything."""
    return user is None or has_permission(user, permission)


def _user_id(user) -> int | None:
    return getattr(user, "id", None)


def display_names(session: Session, contact_ids) -> dict[int, str]:
    """``{contact_id: display name}`` (one query)."""
    ids = {i for i in contact_ids if i}
    if not ids:
        return {}
    return dict(
        session.execute(select(Contact.id, Contact.display_name).where(Contact.id.in_(ids))).all()
    )


def _contact(session: Session, contact_id: int | None, field: str, *, organisation: bool = False):
    contact = session.get(Contact, contact_id) if contact_id else None
    if contact is None or contact.is_deleted:
        raise ValidationError(
            gettext("No contact with the number %(id)s.", id=contact_id), field=field
        )
    if organisation and contact.contact_type != "Organization":
        raise ValidationError(gettext("A funder is an organisation."), field=field)
    return contact


# -- types -----------------------------------------------------------------------------------------


def list_types(session: Session, *, active: bool | None = None) -> list[GrantType]:
    query = select(GrantType).order_by(GrantType.weight, GrantType.name)
    if active is not None:
        query = query.where(GrantType.is_active.is_(active))
    return list(session.scalars(query))


def type_options(session: Session, *, keep: int | None = None) -> list[tuple[int, str]]:
    """``(id, name)`` of the active types (and ``keep``, the one a grant already has)."""
    return [(t.id, t.name) for t in list_types(session) if t.is_active or t.id == keep]


def get_type(session: Session, type_id: int) -> GrantType:
    found = session.get(GrantType, type_id)
    if found is None:
        raise NotFound(gettext("No grant type with the number %(id)s.", id=type_id))
    return found


def _unique_name(session: Session, model, name: str | None, current_id: int | None) -> None:
    if name is None:
        return
    other = session.scalar(select(model.id).where(func.lower(model.name) == name.lower()))
    if other is not None and other != current_id:
        raise ValidationError(gettext("This name is already used."), field="name")


def create_type(session: Session, data: dict) -> GrantType:
    values = load_input(GrantTypeSchema(), data)
    _unique_name(session, GrantType, values.get("name"), None)
    gtype = GrantType(**values)
    session.add(gtype)
    session.flush()
    return gtype


def update_type(session: Session, type_id: int, data: dict) -> GrantType:
    gtype = get_type(session, type_id)
    values = load_input(GrantTypeSchema(), data, partial=True)
    _unique_name(session, GrantType, values.get("name"), gtype.id)
    for key, value in values.items():
        setattr(gtype, key, value)
    session.flush()
    return gtype


def delete_type(session: Session, type_id: int) -> None:
    gtype = get_type(session, type_id)
    if session.scalar(select(func.count()).where(Grant.grant_type_id == gtype.id)):
        raise Conflict(
            gettext(
                "The grant type %(name)s is in use: it cannot be deleted. Deactivate it instead.",
                name=gtype.name,
            )
        )
    session.delete(gtype)
    session.flush()


# -- programmes ------------------------------------------------------------------------------------


def list_programmes(session: Session, *, active: bool | None = None) -> list[GrantProgramme]:
    query = select(GrantProgramme).order_by(GrantProgramme.name)
    if active is not None:
        query = query.where(GrantProgramme.is_active.is_(active))
    return list(session.scalars(query))


def programme_options(session: Session) -> list[tuple[int, str]]:
    return [(p.id, p.name) for p in list_programmes(session)]


def get_programme(session: Session, programme_id: int) -> GrantProgramme:
    found = session.get(GrantProgramme, programme_id)
    if found is None:
        raise NotFound(gettext("No grant programme with the number %(id)s.", id=programme_id))
    return found


def _check_programme(session: Session, values: dict, current: GrantProgramme | None) -> None:
    _unique_name(session, GrantProgramme, values.get("name"), current.id if current else None)
    if values.get("grant_type_id"):
        if session.get(GrantType, values["grant_type_id"]) is None:
            raise ValidationError(gettext("Choose one of the options."), field="grant_type_id")
    start = values.get("start_date", current.start_date if current else None)
    end = values.get("end_date", current.end_date if current else None)
    if start and end and end < start:
        raise ValidationError(gettext("The end comes before the start."), field="end_date")


def create_programme(session: Session, data: dict) -> GrantProgramme:
    values = load_input(GrantProgrammeSchema(), data)
    _check_programme(session, values, None)
    programme = GrantProgramme(**values)
    session.add(programme)
    session.flush()
    return programme


def update_programme(session: Session, programme_id: int, data: dict) -> GrantProgramme:
    programme = get_programme(session, programme_id)
    values = load_input(GrantProgrammeSchema(), data, partial=True)
    _check_programme(session, values, programme)
    for key, value in values.items():
        setattr(programme, key, value)
    session.flush()
    return programme


@dataclass
class ProgrammeFigures:
    programme: GrantProgramme
    applications: int
    requested: Decimal
    granted: Decimal
    paid: Decimal


def programme_figures(session: Session) -> list[ProgrammeFigures]:
    """Each programme with its applications and the amounts requested, granted and paid."""
    paid = (
        select(GrantPayment.grant_id, func.sum(GrantPayment.amount).label("paid"))
        .group_by(GrantPayment.grant_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Grant.programme_id,
            func.count(Grant.id),
            func.coalesce(func.sum(Grant.amount_total), 0),
            func.coalesce(
                func.sum(Grant.amount_granted).filter(Grant.status.in_((APPROVED, PAID))), 0
            ),
            func.coalesce(func.sum(paid.c.paid), 0),
        )
        .outerjoin(paid, paid.c.grant_id == Grant.id)
        .where(Grant.programme_id.is_not(None))
        .group_by(Grant.programme_id)
    ).all()
    found = {r[0]: r[1:] for r in rows}
    out = []
    for p in list_programmes(session):
        n, requested, granted, paid_total = found.get(p.id, (0, 0, 0, 0))
        out.append(ProgrammeFigures(p, n, _dec(requested), _dec(granted), _dec(paid_total)))
    return out


def _dec(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


# -- grants ----------------------------------------------------------------------------------------


def get_grant(session: Session, grant_id: int) -> Grant:
    found = session.get(Grant, grant_id)
    if found is None:
        raise NotFound(gettext("No grant with the number %(id)s.", id=grant_id))
    return found


def _check_grant(session: Session, values: dict, current: Grant | None) -> None:
    errors: dict[str, list[str]] = {}
    if "contact_id" in values:
        try:
            _contact(session, values["contact_id"], "contact_id")
        except ValidationError as exc:
            errors.update(exc.errors or {})
    if "grant_type_id" in values:
        gtype = session.get(GrantType, values["grant_type_id"])
        keep = current.grant_type_id if current else None
        if gtype is None or (not gtype.is_active and gtype.id != keep):
            errors["grant_type_id"] = [gettext("Choose one of the options.")]
    if values.get("programme_id"):
        if session.get(GrantProgramme, values["programme_id"]) is None:
            errors["programme_id"] = [gettext("Choose one of the options.")]
    if errors:
        raise ValidationError(gettext("Some fields are not valid."), errors=errors)


def _load_grant(session: Session, data: dict, current: Grant | None) -> tuple[dict, dict]:
    """The grant's values and its cleaned custom values; every problem reported at once (the
    fields, the applicant and type, the custom fields)."""
    errors: dict[str, list[str]] = {}
    try:
        values = load_input(GrantSchema(), data, partial=current is not None)
    except ValidationError as exc:
        errors.update(exc.errors or {})
        values = {}
        for key in ("contact_id", "grant_type_id", "programme_id"):
            if key in errors or key not in data:
                continue
            try:
                values[key] = int(data[key]) if data[key] not in (None, "") else None
            except (TypeError, ValueError):
                pass
    custom = values.pop("custom", None) if values else data.get("custom")
    cleaned: dict = {}
    try:
        _check_grant(session, values, current)
    except ValidationError as exc:
        errors.update({k: v for k, v in (exc.errors or {}).items() if k not in errors})
    try:
        cleaned = custom_fields.check(session, custom, creating=current is None)
    except ValidationError as exc:
        errors.update(exc.errors or {"": [exc.message]})
    if errors:
        raise ValidationError(gettext("Some fields are not valid."), errors=errors)
    return values, cleaned


def _log(session: Session, grant: Grant, before: str | None, note: str | None, user) -> None:
    """The step in the grant's history, and an activity on the applicant's record."""
    from amicale.api_for_plugins import create_activity

    session.add(
        GrantStatusLog(
            grant_id=grant.id,
            from_status=before,
            to_status=grant.status,
            note=note,
            user_id=_user_id(user),
        )
    )
    gtype = session.get(GrantType, grant.grant_type_id)
    if before is None:
        subject = gettext("Grant application: %(type)s", type=gettext(gtype.name))
    else:
        subject = gettext(
            "Grant %(type)s: %(status)s", type=gettext(gtype.name), status=gettext(grant.status)
        )
    create_activity(
        session,
        {
            "activity_type": APPLICATION_ACTIVITY if before is None else STATUS_ACTIVITY,
            "subject": subject[:255],
            "details": note,
            "status": "Completed",
            "target_contact_ids": [grant.contact_id],
        },
        user_id=_user_id(user),
    )


def create_grant(session: Session, data: dict, *, user=None) -> Grant:
    """Record an application (status Submitted; received today unless a date is given)."""
    values, cleaned = _load_grant(session, data, None)
    if values.get("application_received_date") is None:
        values["application_received_date"] = today_()
    grant = Grant(**values, status=SUBMITTED)
    session.add(grant)
    session.flush()
    custom_fields.save(session, grant.id, cleaned)
    _log(session, grant, None, None, user)
    session.flush()
    hook.post_save(entity="grant", action="create", obj=grant)
    return grant


def update_grant(session: Session, grant_id: int, data: dict, *, user=None) -> Grant:
    """Change the application's fields (not its status: ``change_status``)."""
    grant = get_grant(session, grant_id)
    values, cleaned = _load_grant(session, data, grant)
    for key, value in values.items():
        setattr(grant, key, value)
    grant.modified_at = utcnow()
    custom_fields.save(session, grant.id, cleaned)
    session.flush()
    hook.post_save(entity="grant", action="edit", obj=grant)
    return grant


def delete_grant(session: Session, grant_id: int) -> list[str]:
    """Delete an application recorded by mistake, with its reviews, payments, history and
    custom values; returns its attachment files to delete once committed."""
    grant = get_grant(session, grant_id)
    files = stored_files_of(session, Grant.id == grant.id)
    custom_fields.delete_of(session, [grant.id])
    session.delete(grant)
    session.flush()
    return files


def allowed_transitions(grant: Grant, user) -> list[str]:
    """The statuses ``user`` may move the grant to, in the workflow's order."""
    steps = TRANSITIONS.get(grant.status, {})
    return [to for to in STATUSES if to in steps and _may(user, steps[to])]


def paid_total(session: Session, grant_id: int) -> Decimal:
    return _dec(
        session.scalar(
            select(func.coalesce(func.sum(GrantPayment.amount), 0)).where(
                GrantPayment.grant_id == grant_id
            )
        )
    )


def change_status(session: Session, grant_id: int, data: dict, *, user=None) -> Grant:
    """Move the grant along the workflow (``GrantTransitionSchema``); PermissionDenied when the user
    lacks the step's permission, ValidationError when the step is not allowed from here."""
    grant = get_grant(session, grant_id)
    values = load_input(GrantTransitionSchema(), data)
    target = values["status"]
    steps = TRANSITIONS.get(grant.status, {})
    if target not in steps:
        raise ValidationError(
            gettext(
                "A grant cannot go from %(from)s to %(to)s.",
                **{"from": gettext(grant.status), "to": gettext(target)},
            ),
            field="status",
        )
    if not _may(user, steps[target]):
        raise PermissionDenied(gettext("You may not take this decision."))
    before = grant.status
    if target == APPROVED:
        amount = values.get("amount_granted")
        grant.amount_granted = amount if amount is not None else grant.amount_total
        grant.decision_date = values.get("decision_date") or today_()
        if values.get("grant_due_date"):
            grant.grant_due_date = values["grant_due_date"]
    elif target == INELIGIBLE:
        grant.decision_date = values.get("decision_date") or today_()
        grant.amount_granted = None
    elif target == PAID:
        granted = grant.amount_granted or ZERO
        remaining = granted - paid_total(session, grant.id)
        day = values.get("payment_date") or today_()
        if remaining > 0:
            session.add(
                GrantPayment(
                    grant_id=grant.id,
                    payment_date=day,
                    amount=remaining,
                    reference=values.get("reference"),
                    user_id=_user_id(user),
                )
            )
        grant.money_transfer_date = _last_payment_day(session, grant.id) or day
    elif target == SUBMITTED:
        grant.decision_date = None
    grant.status = target
    grant.modified_at = utcnow()
    session.flush()
    _log(session, grant, before, values.get("note"), user)
    session.flush()
    hook.post_save(entity="grant", action="status", obj=grant)
    return grant


def _last_payment_day(session: Session, grant_id: int) -> date | None:
    return session.scalar(
        select(func.max(GrantPayment.payment_date)).where(GrantPayment.grant_id == grant_id)
    )


def status_history(session: Session, grant_id: int) -> list[GrantStatusLog]:
    return list(
        session.scalars(
            select(GrantStatusLog)
            .where(GrantStatusLog.grant_id == grant_id)
            .order_by(GrantStatusLog.changed_at, GrantStatusLog.id)
        )
    )


def mark_report_received(session: Session, grant_id: int, received: bool = True) -> Grant:
    grant = get_grant(session, grant_id)
    grant.grant_report_received = received
    grant.modified_at = utcnow()
    session.flush()
    return grant


def _filtered(
    query,
    *,
    contact_id: int | None = None,
    status: str | list[str] | None = None,
    grant_type_id: int | None = None,
    type_names: list[str] | None = None,
    programme_id: int | None = None,
    amount_min: Decimal | None = None,
    amount_max: Decimal | None = None,
    decided_from: date | None = None,
    decided_to: date | None = None,
):
    if contact_id:
        query = query.where(Grant.contact_id == contact_id)
    if status:
        query = query.where(Grant.status.in_([status] if isinstance(status, str) else status))
    if grant_type_id:
        query = query.where(Grant.grant_type_id == grant_type_id)
    if type_names:
        query = query.where(
            Grant.grant_type_id.in_(select(GrantType.id).where(GrantType.name.in_(type_names)))
        )
    if programme_id:
        query = query.where(Grant.programme_id == programme_id)
    if amount_min is not None:
        query = query.where(Grant.amount_total >= amount_min)
    if amount_max is not None:
        query = query.where(Grant.amount_total <= amount_max)
    if decided_from is not None:
        query = query.where(Grant.decision_date >= decided_from)
    if decided_to is not None:
        query = query.where(Grant.decision_date <= decided_to)
    return query


def list_grants(
    session: Session, *, page: int = 1, page_size: int = 25, **filters
) -> tuple[list[Grant], int]:
    """A page of grants, newest first, and how many match the filters (``_filtered``)."""
    query = _filtered(select(Grant), **filters)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(
        query.order_by(Grant.created_at.desc(), Grant.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return list(rows), total or 0


def represent(session: Session, grants: list[Grant]) -> list[dict[str, Any]]:
    """The grants as the API shows them (a few set-based queries for the whole page)."""
    ids = [g.id for g in grants]
    names = display_names(session, [g.contact_id for g in grants])
    types = dict(session.execute(select(GrantType.id, GrantType.name)).all())
    programmes = dict(session.execute(select(GrantProgramme.id, GrantProgramme.name)).all())
    paid: dict[int, Decimal] = {}
    scores: dict[int, float] = {}
    if ids:
        paid = {
            gid: _dec(total)
            for gid, total in session.execute(
                select(GrantPayment.grant_id, func.sum(GrantPayment.amount))
                .where(GrantPayment.grant_id.in_(ids))
                .group_by(GrantPayment.grant_id)
            )
        }
        scores = {
            gid: round(float(avg), 1)
            for gid, avg in session.execute(
                select(GrantReview.grant_id, func.avg(GrantReview.score))
                .where(GrantReview.grant_id.in_(ids), GrantReview.score.is_not(None))
                .group_by(GrantReview.grant_id)
            )
            if avg is not None
        }
    custom = custom_fields.values_of(session, ids)
    out = []
    for g in grants:
        row = {c: getattr(g, c) for c in type(g).model_fields}
        row.update(
            applicant=names.get(g.contact_id, ""),
            grant_type=types.get(g.grant_type_id, ""),
            programme=programmes.get(g.programme_id),
            amount_paid=paid.get(g.id, ZERO),
            average_score=scores.get(g.id),
            custom=custom.get(g.id, {}),
        )
        out.append(row)
    return out


def count_for_contact(session: Session, contact_id: int) -> int:
    return session.scalar(select(func.count()).where(Grant.contact_id == contact_id)) or 0


# -- reviews ---------------------------------------------------------------------------------------


def list_reviews(session: Session, grant_id: int) -> list[GrantReview]:
    return list(
        session.scalars(
            select(GrantReview).where(GrantReview.grant_id == grant_id).order_by(GrantReview.id)
        )
    )


def save_review(session: Session, grant_id: int, data: dict, *, user) -> GrantReview:
    """The user's score and comment on an application (a second one replaces the first)."""
    grant = get_grant(session, grant_id)
    if grant.status not in (SUBMITTED, ELIGIBLE):
        raise ValidationError(
            gettext("Only applications not yet decided are reviewed."), field="score"
        )
    values = load_input(GrantReviewSchema(), data)
    reviewer_id = _user_id(user)
    review = None
    if reviewer_id is not None:
        review = session.scalar(
            select(GrantReview).where(
                GrantReview.grant_id == grant.id, GrantReview.reviewer_id == reviewer_id
            )
        )
    if review is None:
        name = getattr(user, "display_name", None) or getattr(user, "email", None) or "—"
        review = GrantReview(grant_id=grant.id, reviewer_id=reviewer_id, reviewer_name=name)
        session.add(review)
    review.score = values.get("score")
    review.comment = values.get("comment")
    review.modified_at = utcnow()
    session.flush()
    return review


# -- payments --------------------------------------------------------------------------------------


def list_payments(session: Session, grant_id: int) -> list[GrantPayment]:
    return list(
        session.scalars(
            select(GrantPayment)
            .where(GrantPayment.grant_id == grant_id)
            .order_by(GrantPayment.payment_date, GrantPayment.id)
        )
    )


def record_payment(session: Session, grant_id: int, data: dict, *, user=None) -> GrantPayment:
    """A payment of an approved grant; the grant becomes Paid once the payments reach the
    amount granted. More than what remains to pay is refused."""
    grant = get_grant(session, grant_id)
    if not _may(user, PAY):
        raise PermissionDenied(gettext("You may not record payments of grants."))
    if grant.status != APPROVED:
        raise ValidationError(
            gettext(
                "Only an approved grant is paid (this one is %(status)s).",
                status=gettext(grant.status),
            ),
            field="amount",
        )
    values = load_input(GrantPaymentSchema(), data)
    remaining = (grant.amount_granted or ZERO) - paid_total(session, grant.id)
    if values["amount"] > remaining:
        raise ValidationError(
            gettext("Only %(amount)s remains to be paid.", amount=str(remaining)), field="amount"
        )
    payment = GrantPayment(grant_id=grant.id, user_id=_user_id(user), **values)
    session.add(payment)
    session.flush()
    if values["amount"] == remaining:
        before = grant.status
        grant.status = PAID
        grant.money_transfer_date = _last_payment_day(session, grant.id)
        grant.modified_at = utcnow()
        session.flush()
        _log(session, grant, before, None, user)
        session.flush()
        hook.post_save(entity="grant", action="status", obj=grant)
    return payment


# -- attachments (the files are handled by ``attachments``) --------------------------------------


def list_attachments(session: Session, grant_id: int) -> list[GrantAttachment]:
    return list(
        session.scalars(
            select(GrantAttachment)
            .where(GrantAttachment.grant_id == grant_id)
            .order_by(GrantAttachment.uploaded_at, GrantAttachment.id)
        )
    )


def get_attachment(session: Session, grant_id: int, attachment_id: int) -> GrantAttachment:
    found = session.get(GrantAttachment, attachment_id)
    if found is None or found.grant_id != grant_id:
        raise NotFound(gettext("No attachment with the number %(id)s.", id=attachment_id))
    return found


def stored_files_of(session: Session, condition) -> list[str]:
    return list(
        session.scalars(
            select(GrantAttachment.stored_as)
            .join(Grant, Grant.id == GrantAttachment.grant_id)
            .where(condition)
        )
    )


# -- contacts: merge, export, erase ----------------------------------------------------------------


def move_contact(session: Session, loser_id: int, winner_id: int) -> None:
    """Merge: the grants of ``loser_id`` and the funding applications to it go to the winner."""
    session.execute(
        update(Grant)
        .where(Grant.contact_id == loser_id)
        .values(contact_id=winner_id, modified_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(FundingApplication)
        .where(FundingApplication.funder_contact_id == loser_id)
        .values(funder_contact_id=winner_id, modified_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.expire_all()


def contact_data(session: Session, contact_id: int) -> dict[str, list[dict]]:
    grants = list(session.scalars(select(Grant).where(Grant.contact_id == contact_id)))
    if not grants:
        return {}
    rows = represent(session, grants)
    payments: dict[int, list[dict]] = {}
    for p in session.scalars(
        select(GrantPayment).where(GrantPayment.grant_id.in_([g.id for g in grants]))
    ):
        payments.setdefault(p.grant_id, []).append(
            {"date": p.payment_date.isoformat(), "amount": str(p.amount), "reference": p.reference}
        )
    out = []
    for row in rows:
        out.append(
            {
                "grant_type": row["grant_type"],
                "programme": row["programme"],
                "status": row["status"],
                "amount_requested": str(row["amount_total"]),
                "amount_granted": str(row["amount_granted"])
                if row["amount_granted"] is not None
                else None,
                "currency": row["currency"],
                "application_received_date": _iso(row["application_received_date"]),
                "decision_date": _iso(row["decision_date"]),
                "money_transfer_date": _iso(row["money_transfer_date"]),
                "report_due_date": _iso(row["grant_due_date"]),
                "rationale": row["rationale"],
                "custom": row["custom"],
                "payments": payments.get(row["id"], []),
            }
        )
    return {gettext("Grants"): out}


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def erase_contact(session: Session, contact_id: int) -> list[str]:
    """The person's grants go, with their reviews, payments, attachments and custom values;
    returns the attachment files to delete once committed."""
    ids = list(session.scalars(select(Grant.id).where(Grant.contact_id == contact_id)))
    files = stored_files_of(session, Grant.contact_id == contact_id)
    custom_fields.delete_of(session, ids)
    session.execute(
        delete(Grant)
        .where(Grant.contact_id == contact_id)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return files


# -- tokens, search, widget --------------------------------------------------------------------------


def token_values(session: Session, contact_ids: list[int]) -> dict[int, dict[str, Any]]:
    """For each contact, their latest grant's status, amount granted and report due date."""
    out: dict[int, dict[str, Any]] = {}
    ids = list(set(contact_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        latest = (
            select(Grant.contact_id, func.max(Grant.id).label("grant_id"))
            .where(Grant.contact_id.in_(chunk))
            .group_by(Grant.contact_id)
            .subquery()
        )
        for g in session.scalars(select(Grant).join(latest, latest.c.grant_id == Grant.id)):
            out[g.contact_id] = {
                "status": g.status,
                "amount_granted": g.amount_granted,
                "currency": g.currency,
                "report_due_date": g.grant_due_date,
            }
    return out


def contacts_with(**filters):
    """``select`` of the ids of contacts with a grant matching every filter (``_filtered``)."""
    return _filtered(select(Grant.contact_id), **filters)


@dataclass
class Pipeline:
    counts: list[tuple[str, int, Decimal]]  # status, grants, amount requested
    reports_due: list[Grant]


def pipeline(session: Session, today: date | None = None) -> Pipeline:
    """Grants by status, and the reports due this month and not received."""
    today = today or today_()
    found = {
        status: (n, _dec(amount))
        for status, n, amount in session.execute(
            select(
                Grant.status, func.count(), func.coalesce(func.sum(Grant.amount_total), 0)
            ).group_by(Grant.status)
        )
    }
    counts = [(s, *found.get(s, (0, ZERO))) for s in STATUSES]
    first = today.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    due = list(
        session.scalars(
            select(Grant)
            .where(
                Grant.grant_due_date.between(first, last),
                Grant.grant_report_received.is_(False),
                Grant.status.in_((APPROVED, PAID)),
            )
            .order_by(Grant.grant_due_date)
        )
    )
    return Pipeline(counts, due)


# -- funding the organisation applies for --------------------------------------------------------


def get_funding(session: Session, application_id: int) -> FundingApplication:
    found = session.get(FundingApplication, application_id)
    if found is None:
        raise NotFound(gettext("No funding application with the number %(id)s.", id=application_id))
    return found


def _check_funding(session: Session, values: dict) -> None:
    if "funder_contact_id" in values:
        _contact(session, values["funder_contact_id"], "funder_contact_id", organisation=True)
    if values.get("status") == AWARDED and values.get("amount_obtained") is None:
        raise ValidationError(gettext("Give the amount obtained."), field="amount_obtained")


def create_funding(session: Session, data: dict) -> FundingApplication:
    values = load_input(FundingApplicationSchema(), data)
    _check_funding(session, values)
    application = FundingApplication(**values)
    session.add(application)
    session.flush()
    return application


def update_funding(session: Session, application_id: int, data: dict) -> FundingApplication:
    application = get_funding(session, application_id)
    values = load_input(FundingApplicationSchema(), data, partial=True)
    merged = {"status": application.status, "amount_obtained": application.amount_obtained}
    merged.update(values)
    _check_funding(session, {**merged, **values})
    for key, value in values.items():
        setattr(application, key, value)
    application.modified_at = utcnow()
    session.flush()
    return application


def list_funding(
    session: Session,
    *,
    funder_contact_id: int | None = None,
    status: str | None = None,
    deadline_from: date | None = None,
    deadline_to: date | None = None,
    page: int = 1,
    page_size: int = 25,
) -> tuple[list[FundingApplication], int]:
    query = select(FundingApplication)
    if funder_contact_id:
        query = query.where(FundingApplication.funder_contact_id == funder_contact_id)
    if status:
        query = query.where(FundingApplication.status == status)
    if deadline_from:
        query = query.where(FundingApplication.deadline >= deadline_from)
    if deadline_to:
        query = query.where(FundingApplication.deadline <= deadline_to)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(
        query.order_by(FundingApplication.deadline.desc(), FundingApplication.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return list(rows), total or 0


def represent_funding(session: Session, rows: list[FundingApplication]) -> list[dict]:
    names = display_names(session, [r.funder_contact_id for r in rows])
    out = []
    for r in rows:
        item = {c: getattr(r, c) for c in type(r).model_fields}
        item["funder"] = names.get(r.funder_contact_id, "")
        out.append(item)
    return out


def list_funding_reports(session: Session, application_id: int) -> list[FundingReport]:
    return list(
        session.scalars(
            select(FundingReport)
            .where(FundingReport.funding_application_id == application_id)
            .order_by(FundingReport.due_date, FundingReport.id)
        )
    )


def get_funding_report(session: Session, report_id: int) -> FundingReport:
    found = session.get(FundingReport, report_id)
    if found is None:
        raise NotFound(gettext("No report with the number %(id)s.", id=report_id))
    return found


def add_funding_report(session: Session, application_id: int, data: dict) -> FundingReport:
    get_funding(session, application_id)
    values = load_input(FundingReportSchema(), data)
    report = FundingReport(funding_application_id=application_id, **values)
    session.add(report)
    session.flush()
    return report


def update_funding_report(session: Session, report_id: int, data: dict) -> FundingReport:
    report = get_funding_report(session, report_id)
    values = load_input(FundingReportSchema(), data, partial=True)
    for key, value in values.items():
        setattr(report, key, value)
    session.flush()
    return report


def indicators_of(session: Session, report_ids: list[int]) -> dict[int, list[FundingIndicator]]:
    out: dict[int, list[FundingIndicator]] = {i: [] for i in report_ids}
    if report_ids:
        for ind in session.scalars(
            select(FundingIndicator)
            .where(FundingIndicator.report_id.in_(report_ids))
            .order_by(FundingIndicator.id)
        ):
            out[ind.report_id].append(ind)
    return out


def core_reports() -> dict[str, Any]:
    """``{name: Report}`` of every report of the enabled components (the core's among them)."""
    return {r.name: r for found in hook.reports() for r in (found or [])}


def add_indicator(session: Session, report_id: int, data: dict) -> FundingIndicator:
    get_funding_report(session, report_id)
    values = load_input(FundingIndicatorSchema(), data)
    source = core_reports().get(values.get("source_report") or "")
    if values.get("source_report") and source is None:
        raise ValidationError(gettext("Choose one of the options."), field="source_report")
    if source is not None:
        report_filters(source, values.get("source_filters") or {})  # refused before it is kept
        known = {f.name for f in source.filters}
        values["source_filters"] = {
            k: v for k, v in (values.get("source_filters") or {}).items() if k in known and v
        }
    elif not values.get("value"):
        raise ValidationError(
            gettext("Choose a report to take the figures from, or type the value."),
            field="source_report",
        )
    indicator = FundingIndicator(report_id=report_id, **values)
    session.add(indicator)
    session.flush()
    if indicator.source_report:
        pull_figures(session, indicator.id)
    return indicator


def get_indicator(session: Session, indicator_id: int) -> FundingIndicator:
    found = session.get(FundingIndicator, indicator_id)
    if found is None:
        raise NotFound(gettext("No indicator with the number %(id)s.", id=indicator_id))
    return found


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | str) or value is None:
        return value
    return str(value)


def pull_figures(session: Session, indicator_id: int) -> FundingIndicator:
    """Run the indicator's core report with its filters and keep its table (and, when the
    report gives one number, that number as the value)."""
    indicator = get_indicator(session, indicator_id)
    report = core_reports().get(indicator.source_report or "")
    if report is None:
        raise ValidationError(
            gettext("This report is not available any more."), field="source_report"
        )
    filters = report_filters(report, indicator.source_filters or {})
    result = report.run(session, filters)
    rows = [[_plain(v) for v in row] for row in result.rows]
    indicator.figures = {"columns": [str(c) for c in result.columns], "rows": rows}
    numbers = [r[-1] for r in rows if r and isinstance(r[-1], int | float | str)]
    total = _total(numbers)
    if total is not None:
        indicator.value = str(total)
    indicator.pulled_at = utcnow()
    session.flush()
    return indicator


def report_filters(report, given: dict) -> dict:
    """The report's filters: its defaults, and the values given that it knows, typed (dates)
    and checked (a select's value must be one of its options)."""
    filters = {f.name: f.default for f in report.filters}
    for f in report.filters:
        value = given.get(f.name)
        if value in (None, ""):
            continue
        if f.field_type == "date":
            try:
                filters[f.name] = date.fromisoformat(str(value))
            except ValueError:
                raise ValidationError(
                    gettext("%(value)s is not a date (YYYY-MM-DD).", value=value),
                    field=f"filter-{f.name}",
                ) from None
        elif f.field_type == "select" and f.options is not None:
            if str(value) not in {str(v) for v, _label in f.options()}:
                raise ValidationError(
                    gettext("Choose one of the options."), field=f"filter-{f.name}"
                )
            filters[f.name] = value
        else:
            filters[f.name] = value
    return filters


def _total(numbers: list) -> Decimal | int | None:
    """The sum of the report's last column, when it is numbers."""
    try:
        values = [Decimal(str(n)) for n in numbers]
    except ArithmeticError:
        return None
    if not values:
        return None
    total = sum(values, Decimal(0))
    return int(total) if total == total.to_integral_value() else total


def funding_due(session: Session, today: date | None = None) -> list[FundingReport]:
    """The funders' reports not yet submitted, due within 31 days or late."""
    today = today or today_()
    return list(
        session.scalars(
            select(FundingReport)
            .where(
                FundingReport.submitted_date.is_(None),
                FundingReport.due_date.is_not(None),
                FundingReport.due_date <= today + timedelta(days=31),
            )
            .order_by(FundingReport.due_date)
        )
    )


# -- figures for the reports --------------------------------------------------------------------------


def success_by_funder(session: Session) -> list[tuple[str, int, int, Decimal, Decimal]]:
    """(funder, applications decided, awarded, requested, obtained) per funder."""
    decided = FundingApplication.status.in_((AWARDED, REFUSED))
    rows = session.execute(
        select(
            FundingApplication.funder_contact_id,
            func.count().filter(decided),
            func.count().filter(FundingApplication.status == AWARDED),
            func.coalesce(func.sum(FundingApplication.amount_requested).filter(decided), 0),
            func.coalesce(func.sum(FundingApplication.amount_obtained), 0),
        )
        .where(FundingApplication.status.not_in((ABANDONED, SENT)))
        .group_by(FundingApplication.funder_contact_id)
    ).all()
    names = display_names(session, [r[0] for r in rows])
    out = [(names.get(r[0], ""), r[1], r[2], _dec(r[3]), _dec(r[4])) for r in rows]
    return sorted(out, key=lambda r: r[0].lower())


def amounts_by_type_and_year(session: Session) -> list[tuple[str, int, Decimal, Decimal]]:
    """(type, year the application was received, requested, granted) of the grants."""
    year = extract("year", Grant.application_received_date)
    rows = session.execute(
        select(
            GrantType.name,
            year,
            func.coalesce(func.sum(Grant.amount_total), 0),
            func.coalesce(
                func.sum(Grant.amount_granted).filter(Grant.status.in_((APPROVED, PAID))), 0
            ),
        )
        .join(GrantType, GrantType.id == Grant.grant_type_id)
        .group_by(GrantType.name, year)
        .order_by(year, GrantType.name)
    ).all()
    return [(name, int(y or 0), _dec(a), _dec(b)) for name, y, a, b in rows]
