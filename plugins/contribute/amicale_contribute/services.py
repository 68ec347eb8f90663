"""The rules of Contributions: its pages, API, command and hooks all go through these functions.

Each takes the session and leaves the commit to its caller, so that a write is all or nothing.
Money is ``Decimal`` with two places from the form to the database and back.

Statuses: a contribution is Pending (promised, not received), Completed, Partially paid (part of
it received: ``paid_amount``), Cancelled, Refunded or Failed. Only Completed and Partially paid
money counts in totals, reports and receipts (``COUNTED``; a partially paid one counts for what
was paid). A contribution made for another component's record (``for_entity``: a membership fee
through ``request_payment``) tells that component when its status changes
(``payment_status_changed``), so that a Pending membership becomes current once its dues are
paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from amicale.api_for_plugins import (
    Conflict,
    Contact,
    NotFound,
    ValidationError,
    create_activity,
    get_setting,
    gettext,
    hook,
    load_input,
    utcnow,
)

from .models import (
    CANCELLED,
    COMPLETED,
    COUNTED,
    FAILED,
    IN_PROGRESS,
    MONTH,
    OVERDUE,
    PARTIAL,
    PENDING,
    REFUNDED,
    WEEK,
    YEAR,
    Campaign,
    Contribution,
    FinancialType,
    PaymentInstrument,
    Pledge,
    PledgePayment,
    ReceiptItem,
    Recurring,
    SoftCredit,
)
from .schemas import (
    CampaignSchema,
    ContributionSchema,
    FinancialTypeSchema,
    PaymentInstrumentSchema,
    PledgeSchema,
    ReceivedPaymentSchema,
    RecurringSchema,
)

CENT = Decimal("0.01")
ACTIVITY_CONTRIBUTION = "contribution"
ENTITY = "contribute.contribution"
#: The custom field entity of contributions (``register_custom_field_entities``).
CUSTOM_ENTITY = "contribute_contribution"


def _custom(session: Session, data: dict, *, creating: bool) -> dict:
    """The custom field values of ``data["custom"]`` (``{field_name: value}``), checked: every
    problem is reported at once as ``custom.<name>``."""
    from amicale.api_for_plugins import validate_values

    raw = data.get("custom")
    if not raw:
        return {}
    if not isinstance(raw, dict):
        raise ValidationError(gettext("Give the custom fields as an object."), field="custom")
    return validate_values(session, CUSTOM_ENTITY, raw, creating=creating)


def _save_custom(session: Session, contribution_id: int, cleaned: dict) -> None:
    from amicale.api_for_plugins import save_values

    if cleaned:
        save_values(session, CUSTOM_ENTITY, contribution_id, cleaned)


def custom_values(session: Session, contribution_ids: list[int]) -> dict[int, dict]:
    from amicale.api_for_plugins import values_for

    return values_for(session, CUSTOM_ENTITY, contribution_ids)


def today_() -> date:
    return utcnow().date()


def currency_of(session: Session) -> str:
    return get_setting(session, "organisation.currency", "EUR") or "EUR"


def money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


def counted_amount():
    """What a contribution counts for in totals: its amount, or what was paid of a partially
    paid one (a SQL expression)."""
    return case(
        (Contribution.status == PARTIAL, func.coalesce(Contribution.paid_amount, 0)),
        else_=Contribution.amount,
    )


# -- financial types and payment instruments --------------------------------------------------


def financial_types(session: Session, *, active_only: bool = False) -> list[FinancialType]:
    query = select(FinancialType).order_by(FinancialType.weight, FinancialType.name)
    if active_only:
        query = query.where(FinancialType.is_active.is_(True))
    return list(session.scalars(query))


def instruments(session: Session, *, active_only: bool = False) -> list[PaymentInstrument]:
    query = select(PaymentInstrument).order_by(PaymentInstrument.weight, PaymentInstrument.id)
    if active_only:
        query = query.where(PaymentInstrument.is_active.is_(True))
    return list(session.scalars(query))


def financial_type_label(ftype: FinancialType) -> str:
    """The seeded types' names in the reader's language; the admin's own as written."""
    return gettext(ftype.name) if ftype.is_reserved else ftype.name


def instrument_label(instrument: PaymentInstrument) -> str:
    return gettext(instrument.label) if instrument.is_reserved else instrument.label


def _unique_name(session: Session, model, name: str, own_id: int | None, field="name") -> None:
    clash = session.scalar(
        select(model.id).where(func.lower(model.name) == name.lower(), model.id != (own_id or 0))
    )
    if clash:
        raise ValidationError(gettext("This name is already used."), field=field)


def create_financial_type(session: Session, data: dict) -> FinancialType:
    values = load_input(FinancialTypeSchema(), data)
    _unique_name(session, FinancialType, values["name"], None)
    ftype = FinancialType(**values)
    session.add(ftype)
    session.flush()
    return ftype


def update_financial_type(session: Session, type_id: int, data: dict) -> FinancialType:
    ftype = get_financial_type(session, type_id)
    values = load_input(FinancialTypeSchema(), data, partial=True)
    if "name" in values:
        if ftype.is_reserved and values["name"] != ftype.name:
            raise ValidationError(
                gettext("This type is used by other components: its name stays."), field="name"
            )
        _unique_name(session, FinancialType, values["name"], ftype.id)
    for key, value in values.items():
        setattr(ftype, key, value)
    session.flush()
    return ftype


def get_financial_type(session: Session, type_id: int) -> FinancialType:
    ftype = session.get(FinancialType, type_id)
    if ftype is None:
        raise NotFound(gettext("No financial type with the number %(id)s.", id=type_id))
    return ftype


def update_instrument(session: Session, instrument_id: int, data: dict) -> PaymentInstrument:
    instrument = session.get(PaymentInstrument, instrument_id)
    if instrument is None:
        raise NotFound(gettext("No payment instrument with the number %(id)s.", id=instrument_id))
    values = load_input(PaymentInstrumentSchema(), data, partial=True)
    for key, value in values.items():
        setattr(instrument, key, value)
    session.flush()
    return instrument


def resolve_financial_type(
    session: Session, values: dict, *, field: str = "financial_type_id", required: bool = True
) -> FinancialType | None:
    """The financial type given by number (``financial_type_id``) or by name
    (``financial_type``, any case); it must be active."""
    type_id, name = values.get("financial_type_id"), values.get("financial_type")
    if type_id:
        ftype = session.get(FinancialType, type_id)
        missing = gettext("No financial type with the number %(id)s.", id=type_id)
    elif name:
        ftype = session.scalar(
            select(FinancialType).where(func.lower(FinancialType.name) == name.lower())
        )
        missing = gettext("No financial type named %(name)s.", name=name)
    elif required:
        raise ValidationError(gettext("Choose the financial type."), field=field)
    else:
        return None
    if ftype is None:
        raise ValidationError(missing, field=field)
    if not ftype.is_active:
        raise ValidationError(
            gettext("The financial type %(name)s is no longer used.", name=ftype.name),
            field=field,
        )
    return ftype


def resolve_instrument(
    session: Session, values: dict, *, field: str = "payment_instrument_id"
) -> PaymentInstrument | None:
    """The payment instrument by number or by name ("cheque") or label ("Chèque"); None when
    neither is given."""
    instrument_id, name = values.get("payment_instrument_id"), values.get("payment_instrument")
    if instrument_id:
        instrument = session.get(PaymentInstrument, instrument_id)
    elif name:
        wanted = name.lower()
        instrument = next(
            (
                i
                for i in instruments(session)
                if wanted in (i.name.lower(), i.label.lower(), instrument_label(i).lower())
            ),
            None,
        )
    else:
        return None
    if instrument is None:
        raise ValidationError(
            gettext("No such payment instrument: %(name)s.", name=instrument_id or name),
            field=field,
        )
    return instrument


# -- campaigns ----------------------------------------------------------------------------------


def get_campaign(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(gettext("No campaign with the number %(id)s.", id=campaign_id))
    return campaign


def create_campaign(session: Session, data: dict) -> Campaign:
    values = load_input(CampaignSchema(), data)
    _unique_name(session, Campaign, values["name"], None)
    campaign = Campaign(**values)
    session.add(campaign)
    session.flush()
    return campaign


def update_campaign(session: Session, campaign_id: int, data: dict) -> Campaign:
    campaign = get_campaign(session, campaign_id)
    merged = {**CampaignSchema().dump(campaign), **data}
    values = load_input(CampaignSchema(), merged)
    _unique_name(session, Campaign, values["name"], campaign.id)
    for key, value in values.items():
        setattr(campaign, key, value)
    session.flush()
    return campaign


def campaigns(session: Session, *, active_only: bool = False) -> list[Campaign]:
    query = select(Campaign).order_by(Campaign.is_active.desc(), Campaign.name)
    if active_only:
        query = query.where(Campaign.is_active.is_(True))
    return list(session.scalars(query))


@dataclass
class Progress:
    campaign_id: int
    raised: Decimal
    donors: int
    gifts: int
    goal: Decimal | None

    @property
    def percent(self) -> int | None:
        if not self.goal:
            return None
        return int(self.raised * 100 / self.goal)


def campaign_progress(
    session: Session, campaign_ids: list[int] | None = None, *, since: date | None = None
) -> dict[int, Progress]:
    """Money raised, donors and gifts of campaigns (all when None), in one query; ``since``:
    only gifts from that day ("this month")."""
    query = (
        select(
            Campaign.id,
            Campaign.goal_amount,
            func.coalesce(func.sum(counted_amount()), 0),
            func.count(func.distinct(Contribution.contact_id)),
            func.count(Contribution.id),
        )
        .select_from(Campaign)
        .outerjoin(
            Contribution,
            (Contribution.campaign_id == Campaign.id)
            & Contribution.status.in_(COUNTED)
            & ((Contribution.receive_date >= since) if since else True),
        )
        .group_by(Campaign.id, Campaign.goal_amount)
    )
    if campaign_ids is not None:
        query = query.where(Campaign.id.in_(campaign_ids))
    return {
        cid: Progress(cid, money(raised), donors, gifts, goal)
        for cid, goal, raised, donors, gifts in session.execute(query)
    }


# -- contributions ------------------------------------------------------------------------------


def get_contribution(session: Session, contribution_id: int) -> Contribution:
    contribution = session.get(Contribution, contribution_id)
    if contribution is None:
        raise NotFound(gettext("No contribution with the number %(id)s.", id=contribution_id))
    return contribution


def _check_contact(session: Session, contact_id: int, field: str = "contact_id") -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None or contact.is_deleted:
        raise ValidationError(
            gettext("No contact with the number %(id)s.", id=contact_id), field=field
        )
    return contact


def _prepare(session: Session, values: dict, existing: Contribution | None = None) -> dict:
    """Resolve names to rows and fill the defaults; every refusal names its field."""
    if values.get("financial_type_id") or values.get("financial_type") or existing is None:
        values["financial_type_id"] = resolve_financial_type(session, values).id
    instrument = resolve_instrument(session, values)
    if instrument is not None:
        values["payment_instrument_id"] = instrument.id
    values.pop("financial_type", None)
    values.pop("payment_instrument", None)
    values.pop("custom", None)
    if "contact_id" in values:
        _check_contact(session, values["contact_id"])
    if values.get("campaign_id") and session.get(Campaign, values["campaign_id"]) is None:
        raise ValidationError(
            gettext("No campaign with the number %(id)s.", id=values["campaign_id"]),
            field="campaign_id",
        )
    if values.get("transaction_id"):
        clash = session.scalar(
            select(Contribution.id).where(
                Contribution.transaction_id == values["transaction_id"],
                Contribution.id != (existing.id if existing else 0),
            )
        )
        if clash:
            raise ValidationError(
                gettext("Contribution %(id)s already has this transaction number.", id=clash),
                field="transaction_id",
            )
    if values.get("receive_date") is None and existing is None:
        values["receive_date"] = today_()
    if values.get("currency") is None and existing is None:
        values["currency"] = currency_of(session)
    if values.get("non_deductible_amount") is None and existing is None:
        values["non_deductible_amount"] = Decimal("0.00")
    for credit in values.get("soft_credits") or []:
        _check_contact(session, credit["contact_id"], field="soft_credits")
    return values


def _status_paid(values: dict) -> None:
    """A Completed contribution is paid in full; a Partially paid one needs what was paid."""
    status = values.get("status")
    if status == COMPLETED:
        values["paid_amount"] = values.get("amount")
    elif status == PARTIAL and values.get("paid_amount") is None:
        raise ValidationError(gettext("Give the amount paid so far."), field="paid_amount")
    elif status in (CANCELLED, FAILED) and not values.get("cancel_date"):
        values["cancel_date"] = today_()


def _record_activity(session: Session, c: Contribution, user_id: int | None) -> None:
    from amicale.api_for_plugins import format_money

    try:
        subject = gettext(
            "%(amount)s, %(status)s", amount=format_money(c.amount, c.currency), status=c.status
        )
    except Exception:  # outside a request (a job): no locale to format with
        subject = f"{c.amount} {c.currency}, {c.status}"
    create_activity(
        session,
        {
            "activity_type": ACTIVITY_CONTRIBUTION,
            "subject": subject[:255],
            "status": "Completed",
            "target_contact_ids": [c.contact_id],
            "details": c.source,
        },
        user_id=user_id,
    )


def _notify(session: Session, c: Contribution, before: str | None) -> None:
    """Tell the component whose record this pays that its status changed."""
    if c.for_entity and c.status != before:
        hook.payment_status_changed(
            entity=c.for_entity,
            entity_id=c.for_entity_id,
            contribution_id=c.id,
            status=c.status,
            amount=c.amount,
            receive_date=c.receive_date,
            session=session,
        )


def create_contribution(
    session: Session, data: dict, *, user_id: int | None = None, activity: bool = True
) -> Contribution:
    """Record a contribution (the schema's fields), its soft credits, its custom fields
    (``custom``: ``{field_name: value}``) and a "Contribution" activity on the donor's
    record."""
    try:
        values = _prepare(session, load_input(ContributionSchema(), data))
    except ValidationError as exc:  # every problem at once, the custom fields' too
        try:
            _custom(session, data, creating=True)
        except ValidationError as more:
            exc.errors = {**(exc.errors or {}), **(more.errors or {})}
        raise
    cleaned = _custom(session, data, creating=True)
    _status_paid(values)
    credits = values.pop("soft_credits", None) or []
    hook.pre_save(entity=ENTITY, action="create", values=values)
    contribution = Contribution(**values)
    session.add(contribution)
    session.flush()
    for credit in credits:
        session.add(
            SoftCredit(
                contribution_id=contribution.id,
                contact_id=credit["contact_id"],
                amount=credit.get("amount") or contribution.amount,
                kind=credit.get("kind") or "solicitor",
            )
        )
    _save_custom(session, contribution.id, cleaned)
    if activity:
        _record_activity(session, contribution, user_id)
    session.flush()
    hook.post_save(entity=ENTITY, action="create", obj=contribution)
    _notify(session, contribution, None)
    return contribution


def update_contribution(
    session: Session, contribution_id: int, data: dict, *, user_id: int | None = None
) -> Contribution:
    """Change a contribution; a receipted one keeps its amount, date and donor (re-issue the
    receipt after cancelling it)."""
    contribution = get_contribution(session, contribution_id)
    before = contribution.status
    current = ContributionSchema().dump(contribution)
    current.pop("soft_credits", None)
    merged = {**{k: v for k, v in current.items() if v is not None}, **data}
    values = _prepare(session, load_input(ContributionSchema(), merged), contribution)
    cleaned = _custom(session, data, creating=False)
    if is_receipted(session, contribution.id):
        for field in ("amount", "receive_date", "contact_id", "non_deductible_amount"):
            if values.get(field) != getattr(contribution, field):
                raise Conflict(
                    gettext(
                        "A tax receipt covers this contribution: its amount, date and donor "
                        "cannot change. Void the receipt first."
                    )
                )
    batched = ("amount", "contact_id", "payment_instrument_id", "check_number", "batch_id")
    if any(values.get(f) != getattr(contribution, f) for f in batched if f in values):
        _check_batch_open(session, contribution)  # its status may still change (a bounced cheque)
    if values.get("status") != before:
        _status_paid(values)
    credits = values.pop("soft_credits", None)
    if "soft_credits" not in data:
        credits = None
    hook.pre_save(entity=ENTITY, action="update", values=values)
    for key, value in values.items():
        setattr(contribution, key, value)
    contribution.modified_at = utcnow()
    if credits is not None:
        for old in session.scalars(
            select(SoftCredit).where(SoftCredit.contribution_id == contribution.id)
        ):
            session.delete(old)
        for credit in credits:
            session.add(
                SoftCredit(
                    contribution_id=contribution.id,
                    contact_id=credit["contact_id"],
                    amount=credit.get("amount") or contribution.amount,
                    kind=credit.get("kind") or "solicitor",
                )
            )
    _save_custom(session, contribution.id, cleaned)
    session.flush()
    _after_status(session, contribution, before)
    hook.post_save(entity=ENTITY, action="update", obj=contribution)
    return contribution


def _after_status(session: Session, c: Contribution, before: str) -> None:
    if c.status == before:
        return
    _notify(session, c, before)
    if c.status == COMPLETED:
        settle_pledge_payment(session, c)


def set_status(
    session: Session,
    contribution_id: int,
    status: str,
    *,
    reason: str | None = None,
    user_id: int | None = None,
) -> Contribution:
    """Complete, cancel, refund or fail a contribution (with a reason)."""
    data: dict[str, Any] = {"status": status}
    if status in (CANCELLED, REFUNDED, FAILED):
        data["cancel_reason"] = reason
        data["cancel_date"] = today_().isoformat()
    return update_contribution(session, contribution_id, data, user_id=user_id)


def record_payment(
    session: Session, contribution_id: int, data: dict, *, user_id: int | None = None
) -> Contribution:
    """Money received for a Pending or Partially paid contribution: it becomes Partially paid,
    or Completed once everything is paid."""
    contribution = get_contribution(session, contribution_id)
    if contribution.status not in (PENDING, PARTIAL):
        raise Conflict(
            gettext(
                "Only a pending or partially paid contribution can receive a payment "
                "(this one is %(status)s).",
                status=gettext(contribution.status),
            )
        )
    values = load_input(ReceivedPaymentSchema(), data)
    paid = money(contribution.paid_amount) + values["amount"]
    if paid > contribution.amount:
        raise ValidationError(
            gettext(
                "This is more than what is left to pay (%(left)s).",
                left=contribution.amount - money(contribution.paid_amount),
            ),
            field="amount",
        )
    update: dict[str, Any] = {
        "status": COMPLETED if paid == contribution.amount else PARTIAL,
        "paid_amount": str(paid),
        "receive_date": (values.get("receive_date") or today_()).isoformat(),
    }
    for key in ("payment_instrument_id", "payment_instrument", "check_number", "transaction_id"):
        if values.get(key):
            update[key] = values[key]
    return update_contribution(session, contribution.id, update, user_id=user_id)


def _check_batch_open(session: Session, contribution: Contribution) -> None:
    """A contribution of a closed batch stays as it is (its totals were checked and the
    deposit slip printed): reopen the batch first."""
    from .models import CLOSED, Batch

    if contribution.batch_id is None:
        return
    batch = session.get(Batch, contribution.batch_id)
    if batch is not None and batch.status == CLOSED:
        raise Conflict(
            gettext(
                "This contribution belongs to the closed batch %(title)s: reopen it first.",
                title=batch.title,
            )
        )


def is_receipted(session: Session, contribution_id: int) -> bool:
    from .models import ISSUED, Receipt

    return bool(
        session.scalar(
            select(ReceiptItem.id)
            .join(Receipt, Receipt.id == ReceiptItem.receipt_id)
            .where(ReceiptItem.contribution_id == contribution_id, Receipt.status == ISSUED)
            .limit(1)
        )
    )


def delete_contribution(session: Session, contribution_id: int) -> None:
    """Delete a contribution typed in by mistake; one on a receipt stays (void the receipt)."""
    contribution = get_contribution(session, contribution_id)
    _check_batch_open(session, contribution)
    if session.scalar(
        select(ReceiptItem.id).where(ReceiptItem.contribution_id == contribution_id).limit(1)
    ):
        raise Conflict(
            gettext("A receipt was issued for this contribution: cancel or refund it instead.")
        )
    hook.pre_save(entity=ENTITY, action="delete", values={"id": contribution_id})
    for payment in session.scalars(
        select(PledgePayment).where(PledgePayment.contribution_id == contribution_id)
    ):
        payment.contribution_id = None
        payment.status = PENDING
    session.delete(contribution)
    session.flush()
    hook.post_save(entity=ENTITY, action="delete", obj=contribution)


def contributions_of(session: Session, contact_id: int, *, limit: int | None = None):
    query = (
        select(Contribution)
        .where(Contribution.contact_id == contact_id)
        .order_by(Contribution.receive_date.desc(), Contribution.id.desc())
    )
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


@dataclass
class Totals:
    count: int
    total: Decimal
    first: date | None
    last: date | None
    this_year: Decimal
    average: Decimal


def contact_totals(session: Session, contact_id: int, *, today: date | None = None) -> Totals:
    """What a contact gave (Completed and Partially paid): count, total, first and last gift,
    this year's total, in one query."""
    today = today or today_()
    year_start = date(today.year, 1, 1)
    amount = counted_amount()
    row = session.execute(
        select(
            func.count(Contribution.id),
            func.coalesce(func.sum(amount), 0),
            func.min(Contribution.receive_date),
            func.max(Contribution.receive_date),
            func.coalesce(
                func.sum(case((Contribution.receive_date >= year_start, amount), else_=0)), 0
            ),
        ).where(Contribution.contact_id == contact_id, Contribution.status.in_(COUNTED))
    ).one()
    count, total, first, last, this_year = row
    total = money(total)
    average = money(total / count) if count else Decimal("0.00")
    return Totals(count, total, first, last, money(this_year), average)


def list_contributions(session: Session, filters: dict, *, page: int = 1, page_size: int = 50):
    """A page of contributions, newest first, filtered as ``ContributionArgs``."""
    query = select(Contribution)
    for key in ("contact_id", "status", "financial_type_id", "campaign_id", "batch_id"):
        if filters.get(key) is not None:
            query = query.where(getattr(Contribution, key) == filters[key])
    if filters.get("received_from"):
        query = query.where(Contribution.receive_date >= filters["received_from"])
    if filters.get("received_to"):
        query = query.where(Contribution.receive_date <= filters["received_to"])
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(
        query.order_by(Contribution.receive_date.desc(), Contribution.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return list(items), total


# -- payments for other components --------------------------------------------------------------


def payment_for(
    session: Session,
    *,
    entity: str,
    entity_id: int,
    contact_id: int,
    amount: Decimal,
    currency: str | None,
    financial_type: str,
    status: str,
    source: str | None,
    details: dict | None = None,
) -> Contribution:
    """The contribution that pays another component's record (``request_payment``). A payment
    received ("Completed") for a record that has a pending one completes it (the rest of it is
    paid); otherwise a new contribution is recorded. A financial type missing by that name
    falls back on "Donation"."""
    details = dict(details or {})
    when = details.get("receive_date")
    payment = {
        "receive_date": when.isoformat() if isinstance(when, date) else when,
        "payment_instrument": details.get("payment_instrument"),
        "check_number": details.get("check_number"),
        "transaction_id": details.get("transaction_id"),
    }
    payment = {k: v for k, v in payment.items() if v}
    if status == COMPLETED:
        open_one = session.scalar(
            select(Contribution)
            .where(
                Contribution.for_entity == entity,
                Contribution.for_entity_id == entity_id,
                Contribution.status.in_((PENDING, PARTIAL)),
            )
            .order_by(Contribution.id.desc())
            .limit(1)
        )
        if open_one is not None:
            left = open_one.amount - money(open_one.paid_amount)
            return record_payment(session, open_one.id, {"amount": str(left), **payment})
    ftype = session.scalar(
        select(FinancialType).where(func.lower(FinancialType.name) == financial_type.lower())
    )
    if ftype is None or not ftype.is_active:
        ftype = session.scalar(select(FinancialType).where(FinancialType.name == "Donation"))
    return create_contribution(
        session,
        {
            "contact_id": contact_id,
            "financial_type_id": ftype.id,
            "amount": str(money(amount)),
            "currency": currency or currency_of(session),
            "status": status if status in (PENDING, COMPLETED) else PENDING,
            "source": (source or "")[:255] or None,
            "for_entity": entity,
            "for_entity_id": entity_id,
            **payment,
        },
    )


def payments_for(session: Session, entity: str, entity_ids: list[int]) -> dict[int, list]:
    """The contributions that pay records of another component, by record."""
    out: dict[int, list] = {}
    if not entity_ids:
        return out
    for c in session.scalars(
        select(Contribution)
        .where(Contribution.for_entity == entity, Contribution.for_entity_id.in_(entity_ids))
        .order_by(Contribution.receive_date, Contribution.id)
    ):
        out.setdefault(c.for_entity_id, []).append(c)
    return out


# -- pledges ------------------------------------------------------------------------------------


def step(start: date, unit: str, interval: int, n: int) -> date:
    """The ``n``-th date after ``start`` every ``interval`` ``unit`` (a 31st falls back to the
    last day of a shorter month)."""
    import calendar

    if unit == WEEK:
        return start + timedelta(weeks=interval * n)
    months = interval * n * (12 if unit == YEAR else 1)
    if unit not in (MONTH, YEAR):
        raise ValueError(unit)
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day)


def split(amount: Decimal, parts: int) -> list[Decimal]:
    """``amount`` in ``parts`` instalments to the cent; the last takes the remainder."""
    each = (amount / parts).quantize(CENT, rounding="ROUND_DOWN")
    return [each] * (parts - 1) + [amount - each * (parts - 1)]


def create_pledge(session: Session, data: dict, *, user_id: int | None = None) -> Pledge:
    """A pledge and its schedule of instalments."""
    values = load_input(PledgeSchema(), data)
    _check_contact(session, values["contact_id"])
    values["financial_type_id"] = resolve_financial_type(session, values).id
    values.pop("financial_type", None)
    values["start_date"] = values.get("start_date") or today_()
    values["currency"] = values.get("currency") or currency_of(session)
    pledge = Pledge(**values)
    session.add(pledge)
    session.flush()
    for n, amount in enumerate(split(pledge.amount, pledge.installments)):
        session.add(
            PledgePayment(
                pledge_id=pledge.id,
                scheduled_amount=amount,
                scheduled_date=step(
                    pledge.start_date, pledge.frequency_unit, pledge.frequency_interval, n
                ),
            )
        )
    session.flush()
    hook.post_save(entity="contribute.pledge", action="create", obj=pledge)
    return pledge


def get_pledge(session: Session, pledge_id: int) -> Pledge:
    pledge = session.get(Pledge, pledge_id)
    if pledge is None:
        raise NotFound(gettext("No pledge with the number %(id)s.", id=pledge_id))
    return pledge


def pledge_payments(session: Session, pledge_id: int) -> list[PledgePayment]:
    return list(
        session.scalars(
            select(PledgePayment)
            .where(PledgePayment.pledge_id == pledge_id)
            .order_by(PledgePayment.scheduled_date, PledgePayment.id)
        )
    )


def pay_pledge(
    session: Session, pledge_id: int, data: dict, *, user_id: int | None = None
) -> Contribution:
    """Record the next unpaid instalment of a pledge as a contribution (``data``: the
    contribution's fields; the amount defaults to the instalment's)."""
    pledge = get_pledge(session, pledge_id)
    if pledge.status in (COMPLETED, CANCELLED):
        raise Conflict(gettext("This pledge is %(status)s.", status=gettext(pledge.status)))
    due = next((p for p in pledge_payments(session, pledge.id) if p.contribution_id is None), None)
    if due is None:
        raise Conflict(gettext("Every instalment of this pledge is paid."))
    values = {
        "contact_id": pledge.contact_id,
        "financial_type_id": pledge.financial_type_id,
        "campaign_id": pledge.campaign_id,
        "amount": str(due.scheduled_amount),
        "currency": pledge.currency,
        **data,
    }
    contribution = create_contribution(session, values, user_id=user_id)
    due.contribution_id = contribution.id
    session.flush()
    settle_pledge_payment(session, contribution)
    return contribution


def settle_pledge_payment(session: Session, c: Contribution) -> None:
    """A completed contribution completes its pledge instalment, and the pledge once every
    instalment is paid."""
    payment = session.scalar(select(PledgePayment).where(PledgePayment.contribution_id == c.id))
    if payment is None or c.status != COMPLETED:
        return
    payment.status = COMPLETED
    pledge = session.get(Pledge, payment.pledge_id)
    left = session.scalar(
        select(func.count(PledgePayment.id)).where(
            PledgePayment.pledge_id == pledge.id, PledgePayment.status != COMPLETED
        )
    )
    pledge.status = COMPLETED if not left else IN_PROGRESS
    pledge.modified_at = utcnow()
    session.flush()


def cancel_pledge(session: Session, pledge_id: int) -> Pledge:
    pledge = get_pledge(session, pledge_id)
    pledge.status = CANCELLED
    for payment in pledge_payments(session, pledge.id):
        if payment.status != COMPLETED:
            payment.status = CANCELLED
    pledge.modified_at = utcnow()
    session.flush()
    return pledge


def mark_overdue(session: Session, today: date | None = None) -> int:
    """Instalments past their date become Overdue, and so do their pledges (set-based)."""
    from sqlalchemy import update

    today = today or today_()
    result = session.execute(
        update(PledgePayment)
        .where(
            PledgePayment.status == PENDING,
            PledgePayment.contribution_id.is_(None),
            PledgePayment.scheduled_date < today,
        )
        .values(status=OVERDUE)
    )
    late = select(PledgePayment.pledge_id).where(PledgePayment.status == OVERDUE)
    session.execute(
        update(Pledge)
        .where(Pledge.id.in_(late), Pledge.status.in_((PENDING, IN_PROGRESS)))
        .values(status=OVERDUE, modified_at=utcnow())
    )
    session.flush()
    return result.rowcount or 0


# -- recurring gifts ----------------------------------------------------------------------------


def create_recurring(
    session: Session, data: dict, *, user_id: int | None = None, pending: bool = False
) -> Recurring:
    """A recurring gift, running from its start date; ``pending``: it waits for its first
    payment online (no instalment is expected until ``start_recurring``)."""
    values = load_input(RecurringSchema(), data)
    _check_contact(session, values["contact_id"])
    values["financial_type_id"] = resolve_financial_type(session, values).id
    instrument = resolve_instrument(session, values)
    values["payment_instrument_id"] = instrument.id if instrument else None
    values.pop("financial_type", None)
    values.pop("payment_instrument", None)
    values["start_date"] = values.get("start_date") or today_()
    values["next_date"] = None if pending else values["start_date"]
    values["status"] = PENDING if pending else IN_PROGRESS
    values["currency"] = values.get("currency") or currency_of(session)
    recurring = Recurring(**values)
    session.add(recurring)
    session.flush()
    hook.post_save(entity="contribute.recurring", action="create", obj=recurring)
    return recurring


def get_recurring(session: Session, recurring_id: int) -> Recurring:
    recurring = session.get(Recurring, recurring_id)
    if recurring is None:
        raise NotFound(
            gettext("No recurring contribution with the number %(id)s.", id=recurring_id)
        )
    return recurring


def start_recurring(session: Session, recurring_id: int, processor: str | None) -> Recurring:
    """The first payment of a pending (or failed) recurring gift is in: it runs, and the next
    instalment is expected one period after its start."""
    recurring = get_recurring(session, recurring_id)
    if recurring.status in (PENDING, FAILED):
        recurring.status = IN_PROGRESS
        recurring.processor = processor or recurring.processor
        recurring.next_date = step(
            recurring.start_date, recurring.frequency_unit, recurring.frequency_interval, 1
        )
        recurring.modified_at = utcnow()
        session.flush()
    return recurring


def fail_recurring(session: Session, recurring_id: int) -> Recurring:
    """A pending recurring gift whose first payment failed: nothing more is expected."""
    recurring = get_recurring(session, recurring_id)
    if recurring.status == PENDING:
        recurring.status = FAILED
        recurring.next_date = None
        recurring.modified_at = utcnow()
        session.flush()
    return recurring


def mark_thanked(session: Session, contribution_id: int) -> Contribution:
    """The donor was thanked (the thank-you email went): kept as ``thankyou_date``."""
    contribution = get_contribution(session, contribution_id)
    contribution.thankyou_date = utcnow()
    session.flush()
    return contribution


def cancel_recurring(session: Session, recurring_id: int, *, today: date | None = None):
    recurring = get_recurring(session, recurring_id)
    recurring.status = CANCELLED
    recurring.cancel_date = today or today_()
    recurring.next_date = None
    recurring.modified_at = utcnow()
    session.flush()
    return recurring


@dataclass
class RecurringRun:
    recorded: int
    finished: int


def record_due_recurring(session: Session, today: date | None = None) -> RecurringRun:
    """Record the expected instalment of every recurring gift due by ``today`` as a Pending
    contribution (the bank or the processor completes it), and move its next date on. A gift
    behind by several periods gets one contribution per missed period. Set-based: one query
    for the due gifts, one insert of their contributions."""
    from sqlalchemy import insert

    today = today or today_()
    due = list(
        session.scalars(
            select(Recurring).where(
                Recurring.status.in_((PENDING, IN_PROGRESS)),
                Recurring.next_date.is_not(None),
                Recurring.next_date <= today,
            )
        )
    )
    if not due:
        return RecurringRun(0, 0)
    done = dict(
        session.execute(
            select(Contribution.recurring_id, func.count(Contribution.id))
            .where(Contribution.recurring_id.in_([r.id for r in due]))
            .group_by(Contribution.recurring_id)
        ).all()
    )
    rows, finished, now = [], 0, utcnow()
    for r in due:
        count = done.get(r.id, 0)
        n = _periods_between(r, r.next_date)
        while r.next_date is not None and r.next_date <= today:
            if r.installments is not None and count >= r.installments:
                break
            if r.end_date is not None and r.next_date > r.end_date:
                break
            rows.append(
                {
                    "contact_id": r.contact_id,
                    "financial_type_id": r.financial_type_id,
                    "payment_instrument_id": r.payment_instrument_id,
                    "campaign_id": r.campaign_id,
                    "status": PENDING,
                    "amount": r.amount,
                    "non_deductible_amount": Decimal("0.00"),
                    "currency": r.currency,
                    "receive_date": r.next_date,
                    "recurring_id": r.id,
                    "source": gettext("Recurring contribution %(id)s", id=r.id),
                    "created_at": now,
                    "modified_at": now,
                }
            )
            count += 1
            n += 1
            r.next_date = step(r.start_date, r.frequency_unit, r.frequency_interval, n)
        if (r.installments is not None and count >= r.installments) or (
            r.end_date is not None and r.next_date is not None and r.next_date > r.end_date
        ):
            r.status, r.next_date = COMPLETED, None
            finished += 1
        else:
            r.status = IN_PROGRESS
        r.modified_at = now
    if rows:
        session.execute(insert(Contribution), rows)
    session.flush()
    return RecurringRun(len(rows), finished)


def _periods_between(r: Recurring, when: date) -> int:
    """How many periods after its start ``when`` is (the index of the next instalment)."""
    n = 0
    while step(r.start_date, r.frequency_unit, r.frequency_interval, n) < when:
        n += 1
    return n


# -- merge, data export and erasure ------------------------------------------------------------


def merge_contacts(session: Session, winner_id: int, loser_id: int) -> None:
    """The loser's contributions, soft credits, pledges, recurring gifts and receipts go to
    the winner (set-based)."""
    from sqlalchemy import update

    from .models import Receipt

    for model in (Contribution, SoftCredit, Pledge, Recurring, Receipt):
        session.execute(
            update(model).where(model.contact_id == loser_id).values(contact_id=winner_id)
        )


def contact_data(session: Session, contact_id: int) -> dict:
    """A person's contributions, soft credits, pledges, recurring gifts and receipts."""
    from .models import Receipt

    def rows(model, *where):
        out = []
        for obj in session.scalars(select(model).where(*where)):
            out.append(
                {
                    k: (str(v) if isinstance(v, Decimal | date) else v)
                    for k, v in obj.model_dump().items()
                }
            )
        return out

    return {
        "contributions": rows(Contribution, Contribution.contact_id == contact_id),
        "soft_credits": rows(SoftCredit, SoftCredit.contact_id == contact_id),
        "pledges": rows(Pledge, Pledge.contact_id == contact_id),
        "recurring_contributions": rows(Recurring, Recurring.contact_id == contact_id),
        "receipts": rows(Receipt, Receipt.contact_id == contact_id),
    }


ERASED_DONOR = "amicale:contribute:erased-donor"


def erased_donor(session: Session) -> int:
    """The contact that stands for every erased donor: their gifts stay in the accounts under
    it (created the first time it is needed)."""
    from amicale.api_for_plugins import create_contact

    found = session.scalar(select(Contact.id).where(Contact.external_identifier == ERASED_DONOR))
    if found:
        return found
    contact = create_contact(
        session,
        {
            "contact_type": "Individual",
            "last_name": gettext("Erased donor"),
            "external_identifier": ERASED_DONOR,
        },
    )
    return contact.id


def erase_contact(session: Session, contact_id: int) -> None:
    """Erasure keeps the amounts for the accounts and forgets the person: their contributions,
    pledges, recurring gifts and receipts move to the "Erased donor" contact (receipts keep
    their numbers and amounts, without the name and address), the free text that may name them
    goes, recurring gifts stop, and the soft credits to them go."""
    from sqlalchemy import delete, update

    from .models import Receipt

    owned = (Contribution, Pledge, Recurring, Receipt)
    if not any(
        session.scalar(select(model.id).where(model.contact_id == contact_id).limit(1))
        for model in owned
    ):
        session.execute(delete(SoftCredit).where(SoftCredit.contact_id == contact_id))
        return
    anonymous = erased_donor(session)
    session.execute(
        update(Contribution)
        .where(Contribution.contact_id == contact_id)
        .values(note=None, source=None, check_number=None, contact_id=anonymous)
    )
    session.execute(delete(SoftCredit).where(SoftCredit.contact_id == contact_id))
    session.execute(
        update(Recurring)
        .where(Recurring.contact_id == contact_id, Recurring.status.in_((PENDING, IN_PROGRESS)))
        .values(status=CANCELLED, next_date=None, processor_id=None)
    )
    session.execute(
        update(Receipt)
        .where(Receipt.contact_id == contact_id)
        .values(donor_name=gettext("(erased)"), donor_address=None)
    )
    for model in (Pledge, Recurring, Receipt):
        session.execute(
            update(model).where(model.contact_id == contact_id).values(contact_id=anonymous)
        )
