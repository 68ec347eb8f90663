"""What runs every day: the expected instalments of recurring gifts, overdue pledge instalments,
and the pledge reminders; as scheduled jobs and as ``amicale contribute`` commands."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from amicale.api_for_plugins import (
    ScheduledJob,
    ValidationError,
    format_date,
    format_money,
    gettext,
    send_email,
    session,
)
from amicale.api_for_plugins import lazy_gettext as _l

from . import services
from .models import PENDING, Pledge, PledgePayment


@dataclass
class PledgeReminders:
    sent: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)


def due_reminders(session: Session, today: date) -> list[tuple[PledgePayment, Pledge]]:
    """Instalments not yet reminded whose pledge asks a reminder ``reminder_days`` before the
    date, due from today on (one query; the day's window is computed per pledge in Python as
    the number of days differs)."""
    horizon = today + timedelta(days=365)
    rows = session.execute(
        select(PledgePayment, Pledge)
        .join(Pledge, Pledge.id == PledgePayment.pledge_id)
        .where(
            PledgePayment.status == PENDING,
            PledgePayment.contribution_id.is_(None),
            PledgePayment.reminder_count == 0,
            PledgePayment.scheduled_date >= today,
            PledgePayment.scheduled_date <= horizon,
            Pledge.reminder_days.is_not(None),
        )
    ).all()
    return [
        (payment, pledge)
        for payment, pledge in rows
        if payment.scheduled_date - timedelta(days=pledge.reminder_days) <= today
    ]


def send_pledge_reminders(session: Session, today: date | None = None) -> PledgeReminders:
    """Email each donor whose instalment is due within the pledge's reminder days, once per
    instalment (its ``reminder_date`` and count are kept); the caller commits."""
    today = today or services.today_()
    run = PledgeReminders()
    for payment, pledge in due_reminders(session, today):
        subject = gettext(
            "Your pledge: an instalment is due on %(day)s",
            day=format_date(payment.scheduled_date, "long"),
        )
        body = gettext(
            "Hello,\n\nThank you for your pledge. The next instalment, %(amount)s, is due on "
            "%(day)s.\n",
            amount=format_money(payment.scheduled_amount, pledge.currency),
            day=format_date(payment.scheduled_date, "long"),
        )
        try:
            report = send_email(
                session, {"contact_ids": [pledge.contact_id], "subject": subject, "body_text": body}
            )
        except ValidationError as exc:
            run.failed.append((payment.id, exc.message))
            continue
        if not report.sent:
            reasons = [f["reason"] for f in report.failed + report.skipped] or [""]
            run.failed.append((payment.id, str(reasons[0])))
            continue
        payment.reminder_date = today
        payment.reminder_count += 1
        run.sent += 1
    session.flush()
    return run


def _recurring_job(s):
    return services.record_due_recurring(s)


def _pledges_job(s):
    overdue = services.mark_overdue(s)
    reminded = send_pledge_reminders(s)
    return {"overdue": overdue, "reminders": reminded.sent}


def scheduled_jobs():
    return [
        ScheduledJob(
            "contribute.record_recurring",
            _l("Record the expected instalments of recurring contributions"),
            "30 0 * * *",
            _recurring_job,
        ),
        ScheduledJob(
            "contribute.pledges",
            _l("Mark overdue pledge instalments and send the pledge reminders"),
            "0 9 * * *",
            _pledges_job,
        ),
    ]


def commands(group):
    import click

    day_option = click.option(
        "--date",
        "day",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="As on this day (YYYY-MM-DD); default today.",
    )

    @group.command("record-recurring")
    @day_option
    def record_recurring(day):
        """Record the expected instalments of the recurring contributions due by the day."""
        s = session()
        run = services.record_due_recurring(s, day.date() if day else None)
        s.commit()
        click.echo(
            gettext(
                "%(recorded)d instalment(s) recorded, %(finished)d recurring contribution(s) "
                "finished.",
                recorded=run.recorded,
                finished=run.finished,
            )
        )

    @group.command("pledges")
    @day_option
    def pledges(day):
        """Mark the overdue pledge instalments and send the pledge reminders."""
        s = session()
        today = day.date() if day else None
        overdue = services.mark_overdue(s, today)
        run = send_pledge_reminders(s, today)
        s.commit()
        click.echo(
            gettext(
                "%(overdue)d instalment(s) overdue, %(sent)d reminder(s) sent.",
                overdue=overdue,
                sent=run.sent,
            )
        )
        for payment_id, reason in run.failed:
            click.echo(
                gettext("Instalment %(id)s: %(reason)s", id=payment_id, reason=reason), err=True
            )
