"""Reminders of the reports due on grants: each applicant whose grant (Approved or Paid) has a
report due within ``grant.report_reminder_days`` days (default 14), or overdue, and not
received, gets one email per due date (``grant_reminder_log``). Run daily by the job
``grant.send_report_reminders`` or the command ``amicale grant send-reminders``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from amicale.api_for_plugins import (
    ValidationError,
    format_date,
    get_setting,
    gettext,
    send_email,
)

from . import services
from .models import APPROVED, PAID, Grant, GrantReminderLog

DEFAULT_DAYS = 14


@dataclass
class ReminderRun:
    sent: int = 0
    failed: list[int] = field(default_factory=list)


def reminder_days(session: Session) -> int:
    try:
        return max(int(get_setting(session, "grant.report_reminder_days", DEFAULT_DAYS)), 0)
    except (TypeError, ValueError):
        return DEFAULT_DAYS


def due_for_reminder(session: Session, today: date | None = None) -> list[Grant]:
    """The grants whose report is due soon or late, not received, not yet reminded."""
    today = today or services.today_()
    horizon = today + timedelta(days=reminder_days(session))
    sent = select(GrantReminderLog.id).where(
        and_(
            GrantReminderLog.grant_id == Grant.id,
            GrantReminderLog.due_date == Grant.grant_due_date,
        )
    )
    return list(
        session.scalars(
            select(Grant)
            .where(
                Grant.status.in_((APPROVED, PAID)),
                Grant.grant_report_received.is_(False),
                Grant.grant_due_date.is_not(None),
                Grant.grant_due_date <= horizon,
                ~sent.exists(),
            )
            .order_by(Grant.grant_due_date, Grant.id)
        )
    )


def send_reminders(session: Session, today: date | None = None) -> ReminderRun:
    """Email every applicant whose report is due (the caller commits)."""
    run = ReminderRun()
    for grant in due_for_reminder(session, today):
        text = gettext(
            "Hello {contact.first_name},\n\nThe report on the grant you received is due on "
            "%(day)s. Could you send it to us?\n\nThank you.",
            day=format_date(grant.grant_due_date, "long"),
        )
        try:
            report = send_email(
                session,
                {
                    "contact_ids": [grant.contact_id],
                    "subject": gettext("Your grant report is due"),
                    "body_text": text + "\n\n{organisation.name}",
                },
            )
        except ValidationError:
            run.failed.append(grant.id)
            continue
        if not report.sent:
            run.failed.append(grant.id)
            continue
        session.add(GrantReminderLog(grant_id=grant.id, due_date=grant.grant_due_date))
        session.flush()
        run.sent += 1
    return run
