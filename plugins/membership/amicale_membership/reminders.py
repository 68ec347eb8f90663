"""Renewal reminders: the rules an admin defines, the daily job that sends them, and the signed
link of the public renew page they carry (``{membership.renewal_url}``).

A rule sends its message template to the members whose end date is ``days`` away from today
(negative: before it, positive: after it). The job finds the members due for a rule in one
query (end date, status not Cancelled nor Deceased, a primary email not on hold, the contact
neither opted out, nor refusing emails, nor in the trash, not yet reminded for this end date);
a row of ``membership_reminder_log`` then makes sure each gets it once per end date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from amicale.api_for_plugins import (
    Contact,
    NotFound,
    ValidationError,
    format_date,
    gettext,
    load_input,
    utcnow,
)

from .models import (
    Membership,
    MembershipReminder,
    MembershipReminderLog,
    MembershipStatus,
    MembershipType,
)
from .schemas import ReminderSchema

RENEW_SALT = "amicale-membership-renew"
RENEW_MAX_AGE = 400 * 24 * 3600  # a link sent before the end date still works after it


# -- the signed link of the renew page -------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RENEW_SALT)


def renewal_token(membership_id: int) -> str:
    return _serializer().dumps({"m": membership_id})


def renewal_url(membership_id: int) -> str:
    """The absolute address of the public renew page of this membership."""
    base = current_app.config.get("AMICALE_BASE_URL", "").rstrip("/")
    return f"{base}/membership/renew/{renewal_token(membership_id)}"


def read_renewal_token(token: str) -> int:
    """The membership the token names; NotFound for a token that is not ours or too old."""
    try:
        data = _serializer().loads(token, max_age=RENEW_MAX_AGE)
    except BadSignature as exc:  # SignatureExpired is one too
        raise NotFound(gettext("This link is not valid.")) from exc
    return int(data["m"])


# -- rules -----------------------------------------------------------------------------------------


def list_reminders(session: Session) -> list[MembershipReminder]:
    return list(
        session.scalars(
            select(MembershipReminder).order_by(MembershipReminder.days, MembershipReminder.id)
        )
    )


def get_reminder(session: Session, reminder_id: int) -> MembershipReminder:
    reminder = session.get(MembershipReminder, reminder_id)
    if reminder is None:
        raise NotFound(gettext("No reminder with the number %(id)s.", id=reminder_id))
    return reminder


def template_options(session: Session) -> list[tuple[int, str]]:
    """``(id, name)`` of the active message templates of the core."""
    from amicale.api_for_plugins import MessageTemplate

    return list(
        session.execute(
            select(MessageTemplate.id, MessageTemplate.name)
            .where(MessageTemplate.is_active.is_(True))
            .order_by(MessageTemplate.name)
        ).all()
    )


def _check(session: Session, values: dict) -> None:
    errors: dict[str, list[str]] = {}
    if values.get("template_id") and values["template_id"] not in {
        tid for tid, _name in template_options(session)
    }:
        errors["template_id"] = [gettext("Choose one of the options.")]
    if values.get("membership_type_id") and (
        session.get(MembershipType, values["membership_type_id"]) is None
    ):
        errors["membership_type_id"] = [gettext("Choose one of the options.")]
    if errors:
        raise ValidationError(gettext("Some fields are not valid."), errors=errors)


def create_reminder(session: Session, data: dict) -> MembershipReminder:
    values = load_input(ReminderSchema(), data)
    _check(session, values)
    reminder = MembershipReminder(**values)
    session.add(reminder)
    session.flush()
    return reminder


def update_reminder(session: Session, reminder_id: int, data: dict) -> MembershipReminder:
    reminder = get_reminder(session, reminder_id)
    values = load_input(ReminderSchema(), data, partial=True)
    _check(session, values)
    for key, value in values.items():
        setattr(reminder, key, value)
    session.flush()
    return reminder


def delete_reminder(session: Session, reminder_id: int) -> None:
    session.delete(get_reminder(session, reminder_id))
    session.flush()


# -- the job ---------------------------------------------------------------------------------------


@dataclass
class DueReminder:
    membership_id: int
    contact_id: int
    end_date: date
    type_name: str
    status_label: str


def due_for(session: Session, reminder: MembershipReminder, today: date) -> list[DueReminder]:
    """The memberships that get ``reminder`` today (one query)."""
    from amicale.api_for_plugins import Email

    already = exists().where(
        MembershipReminderLog.reminder_id == reminder.id,
        MembershipReminderLog.membership_id == Membership.id,
        MembershipReminderLog.end_date == Membership.end_date,
    )
    reachable = exists().where(
        Email.contact_id == Contact.id,
        Email.is_primary.is_(True),
        Email.on_hold.is_(False),
        func.length(Email.email) > 0,
    )
    query = (
        select(
            Membership.id,
            Membership.contact_id,
            Membership.end_date,
            MembershipType.name,
            MembershipStatus.label,
        )
        .join(MembershipType, MembershipType.id == Membership.membership_type_id)
        .join(MembershipStatus, MembershipStatus.id == Membership.status_id)
        .join(Contact, Contact.id == Membership.contact_id)
        .where(
            Membership.end_date == today - timedelta(days=reminder.days),
            Membership.owner_membership_id.is_(None),  # the owner is reminded, not the household
            MembershipStatus.name.not_in(("Cancelled", "Deceased")),
            and_(
                Contact.is_deleted.is_(False),
                Contact.is_deceased.is_(False),
                Contact.is_opt_out.is_(False),
                Contact.do_not_email.is_(False),
            ),
            reachable,
            ~already,
        )
        .order_by(Membership.id)
    )
    if reminder.membership_type_id is not None:
        query = query.where(Membership.membership_type_id == reminder.membership_type_id)
    return [DueReminder(*row) for row in session.execute(query).all()]


def membership_values(row: DueReminder) -> dict[str, str]:
    """The ``membership.*`` tokens of the membership a reminder is about."""
    return {
        "membership.type": row.type_name,
        "membership.status": gettext(row.status_label),
        "membership.end_date": format_date(row.end_date, "long") if row.end_date else "",
        "membership.renewal_url": renewal_url(row.membership_id),
    }


def fill_membership_tokens(text: str | None, values: dict[str, str]) -> str | None:
    """Replace the ``membership.*`` tokens, and leave the others to the core's mail."""
    if text is None:
        return None
    for token, value in values.items():
        text = text.replace("{" + token + "}", value)
    return text


@dataclass
class ReminderRun:
    sent: dict[str, int] = field(default_factory=dict)
    failed: list[tuple[int, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.sent.values())


def send_reminders(session: Session, today: date | None = None) -> ReminderRun:
    """Send every active rule's reminders due today; the caller commits. Each email goes
    through the core's ``send_email`` (an Email activity records it) with the ``membership.*``
    tokens of the membership it is about, and a log row per membership reached."""
    from amicale.api_for_plugins import MessageTemplate, send_email

    today = today or utcnow().date()
    run = ReminderRun()
    for reminder in list_reminders(session):
        if not reminder.is_active or reminder.template_id is None:
            continue
        template = session.get(MessageTemplate, reminder.template_id)
        if template is None or not template.is_active:
            continue
        for row in due_for(session, reminder, today):
            values = membership_values(row)
            try:
                report = send_email(
                    session,
                    {
                        "contact_ids": [row.contact_id],
                        "subject": fill_membership_tokens(template.subject, values),
                        "body_text": fill_membership_tokens(template.body_text, values),
                        "body_html": fill_membership_tokens(template.body_html, values),
                    },
                )
            except ValidationError as exc:
                run.failed.append((row.membership_id, exc.message))
                continue
            if not report.sent:
                reasons = [f["reason"] for f in report.failed] or [""]
                run.failed.append((row.membership_id, str(reasons[0])))
                continue
            session.add(
                MembershipReminderLog(
                    reminder_id=reminder.id,
                    membership_id=row.membership_id,
                    end_date=row.end_date,
                    sent_at=utcnow(),
                )
            )
            session.flush()
            run.sent[reminder.name] = run.sent.get(reminder.name, 0) + 1
    return run


# -- what the contact's tab shows ----------------------------------------------------------------


@dataclass
class SentReminder:
    name: str
    type_name: str
    end_date: date
    sent_at: object


def sent_to_contact(session: Session, contact_id: int) -> list[SentReminder]:
    """The reminders a contact received, the latest first (one query)."""
    rows = session.execute(
        select(
            MembershipReminder.name,
            MembershipType.name,
            MembershipReminderLog.end_date,
            MembershipReminderLog.sent_at,
        )
        .join(MembershipReminder, MembershipReminder.id == MembershipReminderLog.reminder_id)
        .join(Membership, Membership.id == MembershipReminderLog.membership_id)
        .join(MembershipType, MembershipType.id == Membership.membership_type_id)
        .where(Membership.contact_id == contact_id)
        .order_by(MembershipReminderLog.sent_at.desc(), MembershipReminderLog.id.desc())
    ).all()
    return [SentReminder(*row) for row in rows]
