"""The payment processor interface of the public pages, the two built-in processors, and the
functions a processor calls when it knows how a payment ended.

A payment processor is any object with:

- ``name``: a short fixed identifier (``"manual"``, ``"test"``, ``"stripe"``), stored on the
  donation pages that offer it and on each ``PaymentAttempt``;
- ``label``: what the donor reads when choosing how to pay (a lazy gettext string);
- ``start(payment: PaymentRequest) -> str | None``: called once the Pending contribution and its
  ``PaymentAttempt`` are written (and committed). Return the URL to send the donor to (the
  processor's checkout page), or None when there is nothing to do online (the donor pays later;
  they see the thank-you page at once). Raise ``DomainError`` to refuse (the donor sees the
  message and may choose another way).

Extensions offer processors through the ``payment_processors`` hook (a list of such objects).
When the processor learns the outcome (a webhook, the donor coming back from its page), it calls
``complete_payment(session, token, reference)`` or ``fail_payment(session, token, reason)``
with the ``PaymentRequest.token`` and commits: both are idempotent, so a webhook delivered twice
changes nothing the second time. The donor is then sent to ``PaymentRequest.return_url`` (paid or
failed: that page says which) or ``cancel_url`` (they gave up).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, runtime_checkable

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from amicale.api_for_plugins import NotFound, get_setting, gettext, hook, utcnow
from amicale.api_for_plugins import lazy_gettext as _l

from . import services
from .models import (
    COMPLETED,
    FAILED,
    PARTIAL,
    PENDING,
    Contribution,
    PaymentAttempt,
)

log = logging.getLogger(__name__)

# States of a PaymentAttempt.
STARTED, PAID, DECLINED = "started", "completed", "failed"


@dataclass(frozen=True)
class RecurringTerms:
    """A recurring gift's rhythm: every ``interval`` ``unit`` (week, month, year)."""

    unit: str
    interval: int = 1


@dataclass(frozen=True)
class PaymentRequest:
    """What a processor needs to take one payment.

    ``token``: the attempt's random token, to give back to ``complete_payment``/``fail_payment``
    (and the key of its return page); ``amount``: a Decimal with two places, in ``currency``
    (ISO code); ``recurring``: None for a one-off payment, else the rhythm of the gift the
    processor should set up; ``return_url`` (absolute): where the donor goes once done;
    ``cancel_url`` (absolute): where the donor goes when they give up."""

    token: str
    contribution_id: int
    amount: Decimal
    currency: str
    description: str
    donor_email: str | None
    donor_name: str | None
    recurring: RecurringTerms | None
    return_url: str
    cancel_url: str


@runtime_checkable
class PaymentProcessor(Protocol):
    """The protocol of a payment processor (see the module's docstring)."""

    name: str
    label: str

    def start(self, payment: PaymentRequest) -> str | None: ...


class ManualProcessor:
    """Pay later, by cheque or transfer: nothing happens online, the contribution stays Pending
    until staff records the money; the donor gets the instructions of the setting
    ``contribute.manual_instructions``."""

    name = "manual"
    label = _l("Pay later, by cheque or bank transfer")
    online = False

    def start(self, payment: PaymentRequest) -> str | None:
        return None


class TestProcessor:
    """A fake card page to try donation pages out: "Pay" completes the payment, "Decline" fails
    it. No money moves."""

    name = "test"
    label = _l("Test payment (no money moves: for trying the page out)")
    online = True
    __test__ = False  # not a pytest test class

    def start(self, payment: PaymentRequest) -> str | None:
        return url_for("contribute_public.test_pay", token=payment.token, _external=True)


BUILT_IN = (ManualProcessor(), TestProcessor())


def available() -> dict[str, PaymentProcessor]:
    """The processors every component and extension offer, by name (the first one of a name
    wins)."""
    out: dict[str, PaymentProcessor] = {}
    for answer in hook.payment_processors() or []:
        for processor in answer or []:
            name = getattr(processor, "name", None)
            if name and name not in out:
                out[name] = processor
    return out


def label_of(processor) -> str:
    return str(getattr(processor, "label", None) or processor.name)


def manual_instructions(session: Session) -> str:
    """How to pay later (the setting ``contribute.manual_instructions``)."""
    text = get_setting(session, "contribute.manual_instructions", None)
    return (text or "").strip() or gettext(
        "Send your cheque or make your bank transfer to the association, with your name."
    )


# -- outcomes ---------------------------------------------------------------------------------


def get_attempt(session: Session, token: str) -> PaymentAttempt:
    attempt = (
        session.scalar(select(PaymentAttempt).where(PaymentAttempt.token == token))
        if token
        else None
    )
    if attempt is None:
        raise NotFound(gettext("No payment with this reference."))
    return attempt


def complete_payment(session: Session, token: str, reference: str | None) -> PaymentAttempt:
    """The processor received the money of attempt ``token`` (``reference``: its own number of
    the payment, kept as the contribution's transaction number). The contribution receives the
    rest of what is owed (``services.record_payment``) and becomes Completed, a recurring gift
    starts (In Progress), and the donor is thanked by email. Idempotent: an attempt already
    completed or failed is left as it is. The caller commits."""
    attempt = get_attempt(session, token)
    if attempt.state != STARTED:
        return attempt
    contribution = services.get_contribution(session, attempt.contribution_id)
    reference = (reference or "").strip()[:255] or None
    if contribution.status in (PENDING, PARTIAL):
        data: dict = {"amount": str(contribution.amount - services.money(contribution.paid_amount))}
        if reference and not _reference_used(session, reference, contribution.id):
            data["transaction_id"] = reference
        if attempt.processor != ManualProcessor.name and _instrument_exists(session, "card"):
            data["payment_instrument"] = "card"
        services.record_payment(session, contribution.id, data)
    else:  # paid meanwhile by another way: the processor's payment is noted, not counted twice
        log.warning(
            "payment %s completed for contribution %s which is %s",
            token,
            contribution.id,
            contribution.status,
        )
    attempt.state = PAID
    attempt.processor_reference = reference
    attempt.finished_at = utcnow()
    if attempt.recurring_id:
        _start_recurring(session, attempt)
    session.flush()
    from .donation_mail import send_thanks

    send_thanks(session, attempt)
    return attempt


def fail_payment(session: Session, token: str, reason: str | None) -> PaymentAttempt:
    """The processor refused or the donor gave up on attempt ``token``. A gift made on a
    donation page becomes Failed (with ``reason``; ``services.set_status``) and so does its
    recurring gift; a contribution owed before (a membership's dues paid through ``pay_url``)
    stays Pending, to be paid another way. Idempotent; the caller commits."""
    attempt = get_attempt(session, token)
    if attempt.state != STARTED:
        return attempt
    contribution = services.get_contribution(session, attempt.contribution_id)
    reason = (reason or gettext("The payment was declined."))[:255]
    if contribution.page_id is not None and contribution.status == PENDING:
        services.set_status(session, contribution.id, FAILED, reason=reason)
    attempt.state = DECLINED
    attempt.processor_reference = reason
    attempt.finished_at = utcnow()
    if attempt.recurring_id:
        services.fail_recurring(session, attempt.recurring_id)
    session.flush()
    return attempt


def _start_recurring(session: Session, attempt: PaymentAttempt) -> None:
    """The first payment of a recurring gift is in: the gift runs."""
    services.start_recurring(session, attempt.recurring_id, attempt.processor)


def _reference_used(session: Session, reference: str, own_id: int) -> bool:
    return bool(
        session.scalar(
            select(Contribution.id).where(
                Contribution.transaction_id == reference, Contribution.id != own_id
            )
        )
    )


def _instrument_exists(session: Session, name: str) -> bool:
    return any(i.name == name and i.is_active for i in services.instruments(session))


def is_paid(contribution: Contribution) -> bool:
    return contribution.status == COMPLETED
