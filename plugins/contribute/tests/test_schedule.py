"""The daily work: recurring instalments, overdue pledges, pledge reminders (jobs and CLI)."""

from datetime import date

from click.testing import CliRunner
from sqlalchemy import select

from amicale.api_for_plugins import session
from amicale_contribute import schedule, services
from amicale_contribute.models import Contribution, PledgePayment


def test_pledge_reminders_go_once_before_each_instalment(
    app, factories, organisation, smtp_server, in_app
):
    donor = factories.contact(first_name="Ada", emails=[{"email": "ada@example.org"}])
    pledge = factories.contribute.pledge(
        donor.id, amount="300.00", installments=3, start_date="2026-05-10", reminder_days=7
    )
    with in_app() as s:
        early = schedule.send_pledge_reminders(s, date(2026, 5, 1))
        assert early.sent == 0  # nine days before: not yet
        run = schedule.send_pledge_reminders(s, date(2026, 5, 4))
        s.commit()
    assert run.sent == 1
    (message,) = smtp_server.messages
    assert message["To"].endswith("<ada@example.org>") or "ada@example.org" in message["To"]
    assert "100.00" in message.get_payload(decode=True).decode() or "100,00" in str(message)
    with in_app() as s:
        again = schedule.send_pledge_reminders(s, date(2026, 5, 5))
        assert again.sent == 0
        first = s.scalars(
            select(PledgePayment)
            .where(PledgePayment.pledge_id == pledge.id)
            .order_by(PledgePayment.scheduled_date)
        ).first()
        assert first.reminder_date == date(2026, 5, 4) and first.reminder_count == 1


def test_overdue_instalments_and_the_commands(app, factories):
    from amicale.cli import cli

    donor = factories.contact()
    pledge = factories.contribute.pledge(
        donor.id, amount="50.00", installments=2, start_date="2026-01-01"
    )
    factories.contribute.recurring(donor.id, amount="5.00", start_date="2026-01-01")
    result = CliRunner().invoke(cli, ["contribute", "pledges", "--date", "2026-01-15"], obj=app)
    assert result.exit_code == 0, result.output
    assert "1 échéance(s) en retard" in result.output
    with app.app_context():
        assert services.get_pledge(session(), pledge.id).status == "Overdue"
    done = CliRunner().invoke(
        cli, ["contribute", "record-recurring", "--date", "2026-03-02"], obj=app
    )
    assert done.exit_code == 0, done.output
    assert "3 échéance(s) enregistrée(s)" in done.output
    with app.app_context():
        rows = (
            session()
            .scalars(select(Contribution).where(Contribution.recurring_id.is_not(None)))
            .all()
        )
        assert [r.receive_date for r in rows] == [
            date(2026, 1, 1),
            date(2026, 2, 1),
            date(2026, 3, 1),
        ]
        assert {r.status for r in rows} == {"Pending"}
    bad = CliRunner().invoke(cli, ["contribute", "pledges", "--date", "demain"], obj=app)
    assert bad.exit_code == 2


def test_the_jobs_are_scheduled(app):
    from amicale.api_for_plugins import hook

    with app.app_context():
        names = {j.name for found in hook.scheduled_jobs() for j in found}
    assert {"contribute.record_recurring", "contribute.pledges"} <= names
