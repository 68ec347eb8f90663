"""Giving on a public donation page, and paying a Pending contribution through its signed link
(``pay_url``): checking what the visitor typed (every message at once, nothing written on
error), finding the donor by email or creating them, and writing the Pending contribution, its
recurring gift and the ``PaymentAttempt`` the processor then completes or fails.

The attempt's token is the form's nonce: the same form posted twice names the same attempt,
and the second post finds it instead of giving twice."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from marshmallow import fields, validate
from sqlalchemy import select
from sqlalchemy.orm import Session

from amicale.api_for_plugins import (
    Contact,
    Email,
    NotFound,
    ValidationError,
    contact_by_email,
    create_contact,
    format_money,
    gettext,
    load_input,
    schemakit,
)
from amicale.api_for_plugins import lazy_gettext as _l

from . import donation_fields, services
from .models import (
    PARTIAL,
    PENDING,
    Contribution,
    ContributionPage,
    FinancialType,
    PaymentAttempt,
)
from .processors import PaymentRequest, RecurringTerms, available

ONCE = "once"
OTHER = "other"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
PAY_SALT = "amicale-contribute-pay"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def valid_token(value: str | None) -> str | None:
    return value if value and TOKEN.match(value) else None


class DonorSchema(schemakit.PlainSchema):
    """Who gives: a new contact unless the email is known."""

    first_name = schemakit.text_field(64, required=True)
    last_name = schemakit.text_field(64, required=True)
    email = fields.String(
        required=True,
        error_messages=schemakit.messages(_l("Give a text.")),
        validate=[
            validate.Length(max=254, error=_l("At most %(max)d characters.", max=254)),
            validate.Email(error=_l("This is not a valid email address.")),
        ],
    )
    street_address = schemakit.text_field(255, allow_none=True, load_default=None)
    postal_code = schemakit.text_field(16, allow_none=True, load_default=None)
    city = schemakit.text_field(64, allow_none=True, load_default=None)


DONOR_FIELDS = ("first_name", "last_name", "email", "street_address", "postal_code", "city")
FORM_FIELDS = (*DONOR_FIELDS, "amount", "other_amount", "frequency", "processor")


def offered_processors(page_processors: list[str]) -> list:
    """The processors of ``page_processors`` that some component still answers, in order."""
    known = available()
    return [known[name] for name in page_processors if name in known]


def _amount(page: ContributionPage, data: dict, errors: dict) -> Decimal | None:
    choice = (data.get("amount") or "").strip()
    if choice and choice != OTHER:
        if choice in (page.preset_amounts or []):
            return Decimal(choice)
        errors["amount"] = [gettext("Choose one of the amounts.")]
        return None
    if choice == OTHER and not page.allow_other_amount:
        errors["amount"] = [gettext("Choose one of the amounts.")]
        return None
    raw = (data.get("other_amount") or "").strip().replace(",", ".").replace(" ", "")
    if not choice and not raw:
        errors["amount"] = [gettext("Choose an amount.")]
        return None
    if not page.allow_other_amount:
        errors["amount"] = [gettext("Choose one of the amounts.")]
        return None
    try:
        value = Decimal(raw)
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        errors["amount"] = [gettext("Give an amount, such as 25.00.")]
        return None
    if value != value.quantize(services.CENT):
        errors["amount"] = [gettext("Give an amount, such as 25.00.")]
        return None
    value = value.quantize(services.CENT)

    def shown(x) -> str:
        return format_money(x, page.currency)

    if value <= 0:
        errors["amount"] = [gettext("Give an amount above 0.")]
    elif page.minimum_amount is not None and value < page.minimum_amount:
        errors["amount"] = [
            gettext("The smallest gift is %(min)s.", min=shown(page.minimum_amount))
        ]
    elif page.maximum_amount is not None and value > page.maximum_amount:
        errors["amount"] = [gettext("The largest gift is %(max)s.", max=shown(page.maximum_amount))]
    else:
        return value
    return None


def _frequency(page: ContributionPage, data: dict, errors: dict) -> str | None:
    frequency = (data.get("frequency") or ONCE).strip()
    if frequency == ONCE:
        return None
    if not page.allow_recurring or frequency not in (page.recurring_units or []):
        errors["frequency"] = [gettext("Choose one of the options.")]
    return frequency


def _processor(names: list[str], data: dict, errors: dict, field: str = "processor"):
    offered = offered_processors(names)
    if not offered:
        errors[""] = [gettext("Paying online is not possible for now.")]
        return None
    if len(offered) == 1:
        return offered[0]
    chosen = next((p for p in offered if p.name == data.get("processor")), None)
    if chosen is None:
        errors[field] = [gettext("Choose how to pay.")]
    return chosen


def find_or_create_donor(session: Session, values: dict, source: str) -> Contact:
    """The contact with this email (the oldest, not in the trash: the duplicate rule of the
    public pages), or a new one."""
    email = values["email"]
    found = contact_by_email(session, email)
    if found is not None:
        return found
    data: dict = {
        "contact_type": "Individual",
        "first_name": values["first_name"],
        "last_name": values["last_name"],
        "emails": [{"email": email, "is_primary": True}],
        "source": source[:255],
    }
    if values.get("street_address") or values.get("city") or values.get("postal_code"):
        data["addresses"] = [
            {
                "street_address": values.get("street_address"),
                "postal_code": values.get("postal_code"),
                "city": values.get("city"),
                "is_primary": True,
            }
        ]
    try:
        return create_contact(session, data)
    except ValidationError as exc:  # the address the core refuses
        errors = {key.rsplit(".", 1)[-1]: msgs for key, msgs in (exc.errors or {}).items()}
        raise ValidationError(exc.message, errors=errors or None) from None


@dataclass
class Started:
    """A payment written and ready to start: the attempt, and what the processor is given."""

    attempt: PaymentAttempt
    processor: object
    request: PaymentRequest


def existing_attempt(session: Session, token: str | None) -> PaymentAttempt | None:
    if not token:
        return None
    return session.scalar(select(PaymentAttempt).where(PaymentAttempt.token == token))


def give(session: Session, page: ContributionPage, data: dict, custom: dict, token: str) -> Started:
    """A visitor gives on ``page`` (``data``: the form's fields, ``custom``: the custom
    fields' raw values). ValidationError with every field's message, nothing written. The
    caller commits, then starts the processor with ``Started.request``."""
    errors: dict[str, list[str]] = {}
    amount = _amount(page, data, errors)
    unit = _frequency(page, data, errors)
    processor = _processor(list(page.processors or []), data, errors)
    try:
        donor = load_input(DonorSchema(), {k: data.get(k) for k in DONOR_FIELDS})
    except ValidationError as exc:
        donor = None
        errors.update(exc.errors or {})
    try:
        cleaned = donation_fields.check(session, custom)
    except ValidationError as exc:
        cleaned = {}
        errors.update(exc.errors or {})
    if errors:
        first = next(iter(errors.values()))[0]
        message = first if len(errors) == 1 else gettext("Some fields are not valid.")
        raise ValidationError(message, errors=errors)
    source = f"Page: {page.title}"[:255]
    contact = find_or_create_donor(session, donor, source)
    recurring = None
    if unit is not None:
        recurring = services.create_recurring(
            session,
            {
                "contact_id": contact.id,
                "financial_type_id": page.financial_type_id,
                "campaign_id": page.campaign_id,
                "amount": str(amount),
                "currency": page.currency,
                "frequency_unit": unit,
                "frequency_interval": 1,
                "processor": processor.name,
            },
            # it runs once its first payment is in (``processors.complete_payment``): until then
            # it waits, and the job that records due instalments leaves it alone
            pending=True,
        )
    contribution = services.create_contribution(
        session,
        {
            "contact_id": contact.id,
            "financial_type_id": page.financial_type_id,
            "campaign_id": page.campaign_id,
            "amount": str(amount),
            "currency": page.currency,
            "status": PENDING,
            "source": source,
            "page_id": page.id,
            "recurring_id": recurring.id if recurring else None,
        },
    )
    donation_fields.save(session, contribution.id, cleaned)
    attempt = PaymentAttempt(
        token=token,
        processor=processor.name,
        contribution_id=contribution.id,
        recurring_id=recurring.id if recurring else None,
    )
    session.add(attempt)
    session.flush()
    return Started(attempt, processor, payment_request(session, attempt, contact=contact))


def payment_request(
    session: Session, attempt: PaymentAttempt, *, contact: Contact | None = None
) -> PaymentRequest:
    """What the processor of ``attempt`` is given."""
    from .models import Recurring

    c = services.get_contribution(session, attempt.contribution_id)
    contact = contact or session.get(Contact, c.contact_id)
    page = session.get(ContributionPage, c.page_id) if c.page_id else None
    recurring = session.get(Recurring, attempt.recurring_id) if attempt.recurring_id else None
    email = session.scalar(
        select(Email.email)
        .where(Email.contact_id == c.contact_id)
        .order_by(Email.is_primary.desc(), Email.id)
        .limit(1)
    )
    ftype = session.get(FinancialType, c.financial_type_id)
    description = page.title if page is not None else services.financial_type_label(ftype)
    return PaymentRequest(
        token=attempt.token,
        contribution_id=c.id,
        amount=services.money(c.amount) - services.money(c.paid_amount),
        currency=c.currency,
        description=description,
        donor_email=email,
        donor_name=getattr(contact, "display_name", None)
        or " ".join(filter(None, [contact.first_name, contact.last_name])),
        recurring=(
            RecurringTerms(recurring.frequency_unit, recurring.frequency_interval)
            if recurring
            else None
        ),
        return_url=return_url(session, attempt),
        cancel_url=cancel_url(session, attempt),
    )


def return_url(session: Session, attempt: PaymentAttempt) -> str:
    """Where the donor reads how the payment of ``attempt`` ended (absolute)."""
    c = session.get(Contribution, attempt.contribution_id)
    page = session.get(ContributionPage, c.page_id) if c and c.page_id else None
    if page is not None:
        return url_for(
            "contribute_public.thanks", slug=page.slug, token=attempt.token, _external=True
        )
    return url_for("contribute_public.paid", token=attempt.token, _external=True)


def cancel_url(session: Session, attempt: PaymentAttempt) -> str:
    """Where the donor goes back to when they give up (absolute)."""
    c = session.get(Contribution, attempt.contribution_id)
    page = session.get(ContributionPage, c.page_id) if c and c.page_id else None
    if page is not None:
        return url_for("contribute_public.give", slug=page.slug, _external=True)
    return pay_url_of(c.id)


# -- paying a Pending contribution through its signed link --------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=PAY_SALT)


def pay_token(contribution_id: int) -> str:
    return _serializer().dumps({"c": contribution_id})


def pay_url_of(contribution_id: int) -> str:
    """The absolute address of the page where whoever has it pays this contribution."""
    base = current_app.config.get("AMICALE_BASE_URL", "").rstrip("/")
    if base:
        return f"{base}/contribute/pay/{pay_token(contribution_id)}"
    return url_for("contribute_public.pay", token=pay_token(contribution_id), _external=True)


def read_pay_token(token: str) -> int:
    """The contribution the token names; NotFound for a token that is not ours. The link does
    not expire: what is owed stays owed, and a paid one only says so."""
    try:
        data = _serializer().loads(token)
    except BadSignature as exc:
        raise NotFound(gettext("This link is not valid.")) from exc
    return int(data["c"])


def pay_processors(session: Session) -> list[str]:
    """The processors offered on the pay links (setting ``contribute.pay_processors``; when
    unset, every one but the test one)."""
    from amicale.api_for_plugins import get_setting

    names = get_setting(session, "contribute.pay_processors", None)
    if names:
        return [n for n in names if isinstance(n, str)]
    return [name for name in available() if name != "test"]


def start_paying(session: Session, contribution_id: int, data: dict, token: str) -> Started:
    """Whoever has the link pays contribution ``contribution_id`` (still Pending)."""
    from amicale.api_for_plugins import Conflict

    c = services.get_contribution(session, contribution_id)
    if c.status not in (PENDING, PARTIAL):
        raise Conflict(gettext("This payment is already settled."))
    errors: dict[str, list[str]] = {}
    processor = _processor(pay_processors(session), data, errors)
    if errors:
        raise ValidationError(next(iter(errors.values()))[0], errors=errors)
    attempt = PaymentAttempt(token=token, processor=processor.name, contribution_id=c.id)
    session.add(attempt)
    session.flush()
    return Started(attempt, processor, payment_request(session, attempt))
