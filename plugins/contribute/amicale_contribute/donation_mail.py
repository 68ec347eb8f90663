"""The thank-you email of a payment made on the public pages: the donation page's message
template (with the ``contribution.*`` and ``payment.*`` tokens below, the core filling the
others such as ``{contact.first_name}``), or a plain text. It is sent when the payment completes,
or at once with the instructions when the donor pays later; once per contribution
(``thankyou_date``)."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from amicale.api_for_plugins import (
    DomainError,
    MessageTemplate,
    format_date,
    format_money,
    gettext,
    send_email,
)

from .models import COMPLETED, Campaign, ContributionPage, PaymentAttempt, Recurring
from .processors import ManualProcessor, available, manual_instructions

log = logging.getLogger(__name__)

#: The tokens of the thank-you template, with what they are replaced by.
TOKENS = (
    "contribution.amount",
    "contribution.date",
    "contribution.financial_type",
    "contribution.campaign",
    "contribution.page",
    "contribution.status",
    "payment.instructions",
    "payment.recurring",
)


def _money(amount, currency: str) -> str:
    try:
        return format_money(amount, currency)
    except Exception:  # outside a request (a job): no locale to format with
        return f"{amount} {currency}"


def rhythm(unit: str, interval: int = 1) -> str:
    """ "every month", "every 3 weeks"."""
    if interval == 1:
        return {
            "week": gettext("every week"),
            "month": gettext("every month"),
            "year": gettext("every year"),
        }.get(unit, unit)
    return {
        "week": gettext("every %(n)s weeks", n=interval),
        "month": gettext("every %(n)s months", n=interval),
        "year": gettext("every %(n)s years", n=interval),
    }.get(unit, unit)


def token_values(session: Session, attempt: PaymentAttempt) -> dict[str, str]:
    from . import services

    c = services.get_contribution(session, attempt.contribution_id)
    page = session.get(ContributionPage, c.page_id) if c.page_id else None
    campaign = session.get(Campaign, c.campaign_id) if c.campaign_id else None
    recurring = session.get(Recurring, attempt.recurring_id) if attempt.recurring_id else None
    pending = c.status != COMPLETED
    try:
        when = format_date(c.receive_date, "long")
    except Exception:
        when = c.receive_date.isoformat()
    return {
        "contribution.amount": _money(c.amount, c.currency),
        "contribution.date": when,
        "contribution.financial_type": services.financial_type_label(
            services.get_financial_type(session, c.financial_type_id)
        ),
        "contribution.campaign": campaign.name if campaign else "",
        "contribution.page": page.title if page else "",
        "contribution.status": gettext(c.status),
        "payment.instructions": (
            manual_instructions(session)
            if pending and attempt.processor == ManualProcessor.name
            else ""
        ),
        "payment.recurring": (
            rhythm(recurring.frequency_unit, recurring.frequency_interval) if recurring else ""
        ),
    }


def fill(text: str | None, values: dict[str, str]) -> str | None:
    """Replace this module's tokens, and leave the others to the core's mail."""
    if text is None:
        return None
    for token, value in values.items():
        text = text.replace("{" + token + "}", value)
    return text


def _plain(session: Session, attempt: PaymentAttempt, values: dict, page) -> tuple[str, str]:
    manual = bool(values["payment.instructions"])
    if page is None:  # a payment owed (a membership's dues) made through its pay link
        subject = gettext("Your payment: how to pay") if manual else gettext("Payment received")
        text = gettext(
            "Hello {contact.first_name},\n\nThank you: your payment of %(amount)s (%(what)s) "
            "is received.",
            amount=values["contribution.amount"],
            what=values["contribution.financial_type"],
        )
        if manual:
            text = gettext(
                "Hello {contact.first_name},\n\nYou chose to pay %(amount)s (%(what)s) later.",
                amount=values["contribution.amount"],
                what=values["contribution.financial_type"],
            )
    else:
        subject = gettext("Your gift: how to pay") if manual else gettext("Thank you for your gift")
        text = gettext(
            "Hello {contact.first_name},\n\nThank you for your gift of %(amount)s.",
            amount=values["contribution.amount"],
        )
    if values["payment.recurring"]:
        text += "\n" + gettext(
            "It will be repeated %(rhythm)s until you stop it.", rhythm=values["payment.recurring"]
        )
    if page is not None and page.thankyou_text:
        text += "\n\n" + page.thankyou_text.strip()
    if manual:
        text += "\n\n" + gettext("How to pay:") + "\n" + values["payment.instructions"]
    text += "\n\n{organisation.name}"
    return subject, text


def send_thanks(session: Session, attempt: PaymentAttempt) -> bool:
    """Thank the donor of this attempt's contribution, once; False when it could not be sent
    (the payment stays recorded). The caller commits."""
    from . import services

    c = services.get_contribution(session, attempt.contribution_id)
    if c.thankyou_date is not None:
        return False
    page = session.get(ContributionPage, c.page_id) if c.page_id else None
    values = token_values(session, attempt)
    template = (
        session.get(MessageTemplate, page.thankyou_template_id)
        if page is not None and page.thankyou_template_id
        else None
    )
    if template is not None and template.is_active:
        subject, text, html = template.subject, template.body_text, template.body_html
        if values["payment.instructions"] and "{payment.instructions}" not in (text or ""):
            text = (text or "") + "\n\n" + gettext("How to pay:") + "\n{payment.instructions}"
    else:
        subject, text = _plain(session, attempt, values, page)
        html = None
    try:
        report = send_email(
            session,
            {
                "contact_ids": [c.contact_id],
                "subject": fill(subject, values),
                "body_text": fill(text, values),
                "body_html": fill(html, values),
            },
        )
    except DomainError as exc:
        log.warning("thank-you email of contribution %s not sent: %s", c.id, exc)
        return False
    if not report.sent:
        return False
    services.mark_thanked(session, c.id)
    return True


def processor_label(name: str) -> str:
    processor = available().get(name)
    return str(processor.label) if processor is not None else name
