"""Joining and renewing from the public pages (no login): the visitor is found by their email
or becomes a new contact, and the fee follows the payment logic of the public pages:

- a type without a fee (or a lifetime one without a fee) gives the status its dates give (New,
  Current) at once;
- with a fee, the membership waits in Pending: the payment component is asked for it
  (``request_payment``, status Pending); when nobody answers, the membership notes "pay later"
  in its source, and stays Pending until staff records the payment.

A confirmation email follows: the type's message template when it has one, else a plain text.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from amicale.api_for_plugins import (
    Contact,
    ValidationError,
    contact_by_email,
    format_date,
    get_setting,
    gettext,
    hook,
    load_input,
    utcnow,
)

from . import services
from .models import Membership, MembershipType
from .reminders import fill_membership_tokens, renewal_url
from .schemas import PublicJoinSchema

PUBLIC_SOURCE = "Public join page"
PUBLIC_RENEWAL = "Public renew page"


def public_types(session: Session) -> list[MembershipType]:
    """The types offered on the public page: active and flagged public."""
    return list(
        session.scalars(
            select(MembershipType)
            .where(MembershipType.is_active.is_(True), MembershipType.is_public.is_(True))
            .order_by(MembershipType.weight, MembershipType.name)
        )
    )


def _contact_for(session: Session, values: dict) -> Contact:
    """The contact with this email (the oldest, not in the trash), or a new one."""
    from amicale.api_for_plugins import create_contact

    email = values["email"]
    found = contact_by_email(session, email)
    if found is not None:
        return found
    data: dict = {
        "contact_type": "Individual",
        "first_name": values["first_name"],
        "last_name": values["last_name"],
        "emails": [{"email": email, "is_primary": True}],
        "source": gettext("Membership join page"),
    }
    if values.get("phone"):
        data["phones"] = [{"phone": values["phone"], "is_primary": True}]
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
    except ValidationError as exc:  # the phone or address the core refuses
        errors = {}
        for key, messages in (exc.errors or {}).items():
            name = "phone" if key.startswith("phones") else key.rsplit(".", 1)[-1]
            errors[name] = messages
        raise ValidationError(exc.message, errors=errors or None) from None


@dataclass
class PublicResult:
    membership: Membership
    contact: Contact
    pending: bool  # waits for its payment
    payment: dict | None  # what the payment component answered


def _fee(mtype: MembershipType) -> Decimal:
    return Decimal(mtype.minimum_fee or 0)


def _ask_payment(session: Session, m: Membership, mtype: MembershipType, source: str):
    """Put the membership in Pending and ask the payment component for the fee; note "pay
    later" when nobody answers."""
    m.status_id = services.status_by_name(session, services.PENDING).id
    m.is_override = False
    answer = hook.request_payment(
        entity="membership",
        entity_id=m.id,
        contact_id=m.contact_id,
        amount=_fee(mtype),
        currency=get_setting(session, "organisation.currency", "EUR"),
        financial_type=mtype.financial_type,
        status="Pending",
        source=source,
        details=None,
    )
    if answer is None:
        later = gettext("pay later")
        m.source = f"{source} ({later})"[:255]
        m.paid_amount, m.paid_date = None, None
    m.modified_at = utcnow()
    session.flush()
    return answer


def _choose() -> str:
    return gettext("Choose one of the options.")


def join_from_page(session: Session, data: dict) -> PublicResult:
    """A visitor joins (the form's ``PublicJoinSchema``); the caller commits and then sends
    the confirmation (``send_confirmation``)."""
    offered = {str(t.id): t for t in public_types(session)}
    mtype = offered.get(str(data.get("membership_type_id") or "").strip())
    try:
        values = load_input(PublicJoinSchema(), data)
    except ValidationError as exc:
        if mtype is None:  # every message at once, beside its field
            exc.errors = {**(exc.errors or {}), "membership_type_id": [_choose()]}
        raise
    if mtype is None:
        raise ValidationError(_choose(), field="membership_type_id")
    contact = _contact_for(session, values)
    membership = services.join(
        session,
        {
            "contact_id": contact.id,
            "membership_type_id": mtype.id,
            "source": PUBLIC_SOURCE,
            "record_payment": False,
        },
    )
    answer = None
    pending = _fee(mtype) > 0
    if pending:
        answer = _ask_payment(session, membership, mtype, PUBLIC_SOURCE)
    return PublicResult(membership, contact, pending, answer)


@dataclass
class AlreadyRenewed:
    """The renewal form was sent again (a double click, the back button): the end date it was
    shown has moved on, so it renewed already and nothing more is done."""

    membership: Membership
    pending: bool


def renew_from_page(
    session: Session, membership_id: int, seen_end_date: str | None = None
) -> PublicResult | AlreadyRenewed:
    """The member renews through the signed link; same payment logic as joining.
    ``seen_end_date`` (ISO) is the end date the form showed: when the membership's end date is
    no longer that one, the form was sent twice and it renews once."""
    current = services.get_membership(session, membership_id)
    current_end = current.end_date.isoformat() if current.end_date else ""
    if seen_end_date is not None and seen_end_date != current_end:
        status = services.get_status(session, current.status_id)
        return AlreadyRenewed(current, status.name == services.PENDING)
    membership = services.renew(
        session, membership_id, {"source": PUBLIC_RENEWAL, "record_payment": False}
    )
    mtype = session.get(MembershipType, membership.membership_type_id)
    answer = None
    pending = _fee(mtype) > 0
    if pending:
        answer = _ask_payment(session, membership, mtype, PUBLIC_RENEWAL)
    return PublicResult(membership, session.get(Contact, membership.contact_id), pending, answer)


def send_confirmation(session: Session, result: PublicResult, *, renewal: bool = False) -> bool:
    """Email the member: the type's message template (with the tokens of this membership), or
    a plain text. False when it could not be sent (the membership stays recorded)."""
    from amicale.api_for_plugins import MessageTemplate, send_email

    m = result.membership
    mtype = session.get(MembershipType, m.membership_type_id)
    status = services.get_status(session, m.status_id)
    values = {
        "membership.type": mtype.name,
        "membership.status": gettext(status.label),
        "membership.end_date": format_date(m.end_date, "long") if m.end_date else "",
        "membership.renewal_url": renewal_url(m.id),
    }
    template = (
        session.get(MessageTemplate, mtype.confirmation_template_id)
        if mtype.confirmation_template_id
        else None
    )
    if template is not None and template.is_active:
        subject, text, html = template.subject, template.body_text, template.body_html
    else:
        subject = (
            gettext("Your membership is renewed")
            if renewal
            else gettext("Welcome: your membership is recorded")
        )
        text = gettext(
            "Hello {contact.first_name},\n\nThank you: your %(type)s membership is recorded "
            "(status: %(status)s).",
            type=mtype.name,
            status=values["membership.status"],
        )
        if m.end_date:
            text += "\n" + gettext("It runs until %(end)s.", end=values["membership.end_date"])
        if result.pending and result.payment is None:
            text += "\n" + gettext(
                "The fee of %(fee)s is still to be paid: we will confirm your membership once "
                "we have received it.",
                fee=str(_fee(mtype)),
            )
        text += "\n\n{organisation.name}"
        html = None
    try:
        report = send_email(
            session,
            {
                "contact_ids": [m.contact_id],
                "subject": fill_membership_tokens(subject, values),
                "body_text": fill_membership_tokens(text, values),
                "body_html": fill_membership_tokens(html, values),
            },
        )
    except ValidationError:
        return False
    return bool(report.sent)
