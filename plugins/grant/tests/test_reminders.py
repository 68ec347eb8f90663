"""Reminders of the reports due: one email per grant and due date, only when not received."""

from datetime import date, timedelta

from click.testing import CliRunner

from amicale_grant import reminders, services
from amicale_grant.models import GrantReminderLog


def _approved_with_report_due(factories, in_app, due: date, email: str):
    applicant = factories.contact(first_name="Lucie", emails=[{"email": email}])
    grant = factories.grant.grant(contact_id=applicant.id)
    with in_app() as s:
        services.change_status(s, grant.id, {"status": "Eligible"})
        services.change_status(
            s, grant.id, {"status": "Approved", "grant_due_date": due.isoformat()}
        )
        s.commit()
    return grant


def test_the_applicant_is_reminded_once(smtp_server, organisation, factories, in_app, count_rows):
    today = date.today()
    soon = _approved_with_report_due(
        factories, in_app, today + timedelta(days=10), "soon@example.org"
    )
    _approved_with_report_due(factories, in_app, today + timedelta(days=60), "later@example.org")
    received = _approved_with_report_due(factories, in_app, today, "done@example.org")
    with in_app() as s:
        services.mark_report_received(s, received.id)
        s.commit()
        run = reminders.send_reminders(s)
        s.commit()
    assert run.sent == 1
    (message,) = smtp_server.to("soon@example.org")
    assert "report" in message["Subject"].lower()
    assert "Hello Lucie" in message.get_body().get_content()
    assert count_rows(GrantReminderLog, GrantReminderLog.grant_id == soon.id) == 1
    with in_app() as s:
        assert reminders.send_reminders(s).sent == 0  # once per due date
    assert smtp_server.to("later@example.org") == []


def test_the_command_says_how_many_in_french(app, smtp_server, organisation, factories, in_app):
    _approved_with_report_due(factories, in_app, date.today(), "late@example.org")
    from amicale.cli import cli

    result = CliRunner().invoke(cli, ["grant", "send-reminders"], obj=app)
    assert result.exit_code == 0, result.output
    assert "1 rappel(s) envoyé(s)." in result.output
