"""The emails of Events, through the core's ``send_email``: the confirmation of a registration
(with the event as an iCalendar attachment), the offer of a place freed from the waitlist, the
reminders to participants and the organiser's head count, and the event tokens they carry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from amicale.api_for_plugins import (
    Contact,
    Email,
    ValidationError,
    gettext,
    send_email,
    utcnow,
)

from . import services
from .calendar import calendar_of
from .dates import when
from .links import cancel_url
from .models import HOLDING, PENDING_PAYMENT, WAITLIST, Event, Participant


def token_values(event: Event, participant: Participant | None) -> dict[str, str]:
    return {
        "event.title": event.title,
        "event.start_date": when(event.start_date, "long"),
        "event.location": event.location or event.online_url or "",
        "participant.status": gettext(participant.status) if participant else "",
        "event.cancel_url": cancel_url(participant.id) if participant else "",
    }


def fill(text: str | None, values: dict[str, str]) -> str | None:
    """Replace the event tokens, and leave the others to the core's mail."""
    if text is None:
        return None
    for token, value in values.items():
        text = text.replace("{" + token + "}", value)
    return text


def _send(session: Session, contact_id: int, subject: str, text: str, values, ics=None) -> bool:
    attachments = [("event.ics", ics, "text/calendar")] if ics else None
    try:
        report = send_email(
            session,
            {
                "contact_ids": [contact_id],
                "subject": fill(subject, values),
                "body_text": fill(text, values),
            },
            attachments=attachments,
        )
    except ValidationError:  # nobody to write to (no email, opted out...)
        return False
    return bool(report.sent)


def send_confirmation(session: Session, participant: Participant, payment: dict | None) -> bool:
    """The registrant's confirmation: what they are registered to (or that they are on the
    waitlist), the fee still due, and the link to cancel; the event as an .ics file."""
    event = services.get_event(session, participant.event_id)
    values = token_values(event, participant)
    if participant.status == WAITLIST:
        subject = gettext("You are on the waitlist: {event.title}")
        text = gettext(
            "Hello {contact.first_name},\n\nThe event {event.title} ({event.start_date}) is "
            "full: you are on the waitlist. We will write to you if a place frees up."
        )
    else:
        subject = gettext("Your registration: {event.title}")
        text = gettext(
            "Hello {contact.first_name},\n\nYou are registered to {event.title}, on "
            "{event.start_date}.\nStatus: {participant.status}."
        )
        if values["event.location"]:
            text += "\n" + gettext("Where: {event.location}")
    if participant.status == PENDING_PAYMENT:
        text += "\n" + gettext(
            "The fee of %(fee)s is still to be paid.", fee=str(participant.fee_amount)
        )
        if payment and payment.get("pay_url"):
            text += "\n" + gettext("Pay it here: %(url)s", url=payment["pay_url"])
    text += "\n\n" + gettext("If you cannot come, cancel here: {event.cancel_url}")
    text += "\n\n{organisation.name}"
    ics = calendar_of([event]) if participant.status != WAITLIST else None
    return _send(session, participant.contact_id, subject, text, values, ics)


def send_promotions(session: Session, promoted: list[Participant]) -> int:
    """Tell each person moved from the waitlist that a place is theirs."""
    sent = 0
    for p in promoted:
        event = services.get_event(session, p.event_id)
        values = token_values(event, p)
        subject = gettext("A place is free for you: {event.title}")
        text = gettext(
            "Hello {contact.first_name},\n\nA place has freed up at {event.title} "
            "({event.start_date}): it is yours, you are now registered.\n"
            "Status: {participant.status}.\n\n"
            "If you cannot come any more, cancel here so that someone else gets it: "
            "{event.cancel_url}\n\n{organisation.name}"
        )
        sent += _send(session, p.contact_id, subject, text, values, calendar_of([event]))
    return sent


# -- reminders -------------------------------------------------------------------------------------


@dataclass
class ReminderRun:
    reminded: int = 0
    summaries: int = 0
    failed: list[int] = field(default_factory=list)


def _day_window(days: int, today) -> tuple[datetime, datetime]:
    start = datetime.combine(today + timedelta(days=days), time.min)
    return start, start + timedelta(days=1)


def send_reminders(session: Session, today=None) -> ReminderRun:
    """Remind the participants of the events starting in ``reminder_days`` days (once each),
    and send the organiser the head count of ``summary_field`` ``summary_days`` days before."""
    today = today or services.local_now().date()
    run = ReminderRun()
    events = list(
        session.scalars(
            select(Event).where(
                Event.is_active.is_(True),
                Event.start_date >= datetime.combine(today, time.min),
                Event.start_date < datetime.combine(today, time.min) + timedelta(days=367),
            )
        )
    )
    for event in events:
        days_left = (event.start_date.date() - today).days
        if event.reminder_days is not None and days_left <= event.reminder_days:
            run.reminded += _remind_participants(session, event, run)
        if (
            event.summary_field
            and event.summary_days is not None
            and event.organiser_email
            and event.summary_sent_at is None
            and days_left <= event.summary_days
        ):
            if send_summary(session, event):
                event.summary_sent_at = utcnow()
                run.summaries += 1
    session.flush()
    return run


def _remind_participants(session: Session, event: Event, run: ReminderRun) -> int:
    due = list(
        session.scalars(
            select(Participant).where(
                Participant.event_id == event.id,
                Participant.status.in_(HOLDING),
                Participant.reminded_at.is_(None),
            )
        )
    )
    sent = 0
    for p in due:
        values = token_values(event, p)
        subject = gettext("Reminder: {event.title}")
        text = gettext(
            "Hello {contact.first_name},\n\nA reminder: {event.title} is on {event.start_date}."
        )
        if values["event.location"]:
            text += "\n" + gettext("Where: {event.location}")
        text += "\n\n" + gettext("If you cannot come, cancel here: {event.cancel_url}")
        text += "\n\n{organisation.name}"
        if _send(session, p.contact_id, subject, text, values):
            sent += 1
        else:
            run.failed.append(p.id)
        p.reminded_at = utcnow()  # once, sent or not: no email is not a reason to retry daily
    return sent


def summary_text(session: Session, event: Event) -> tuple[str, str]:
    """The organiser's head count: the subject and the text."""
    question = next(
        (q for q in event.participant_fields or [] if q["name"] == event.summary_field),
        {"label": event.summary_field},
    )
    counts = services.field_summary(session, event.id, event.summary_field)
    total = sum(counts.values())
    lines = [f"- {answer}: {n}" for answer, n in counts.items()]
    subject = gettext("%(title)s: %(n)d participants", title=event.title, n=total)
    text = gettext(
        "%(title)s, on %(date)s: %(n)d participants.\n\n%(question)s:\n%(lines)s",
        title=event.title,
        date=when(event.start_date, "long"),
        n=total,
        question=question["label"],
        lines="\n".join(lines) or "-",
    )
    return subject, text


def send_summary(session: Session, event: Event) -> bool:
    """Email the organiser the head count; the organiser's address needs a contact to send
    through the core's mail: the one with this email (found, never created)."""
    from amicale.api_for_plugins import contact_by_email

    subject, text = summary_text(session, event)
    contact = contact_by_email(session, event.organiser_email)
    if contact is None:
        contact = services_contact_for_organiser(session, event.organiser_email)
    return _send(session, contact.id, subject, text, {})


def services_contact_for_organiser(session: Session, email: str) -> Contact:
    from .contact_match import contact_for

    local = email.split("@", 1)[0]
    return contact_for(
        session,
        {"email": email, "first_name": local, "last_name": gettext("Organiser")},
        gettext("Event organiser"),
    )


def primary_email(session: Session, contact_id: int) -> str | None:
    return session.scalar(
        select(Email.email).where(Email.contact_id == contact_id, Email.is_primary.is_(True))
    )
