"""What Events gives the rest of Amicale: search filters, mail tokens, the dashboard widget, the
reports, merge, the person's data export and erasure, the import of participants, and the
reminders with the organiser's head count (and the French command that sends them)."""

from datetime import datetime, timedelta

from click.testing import CliRunner
from sqlalchemy import select

from amicale.api_for_plugins import Contact, hook, send_email
from amicale_event import mail, services
from amicale_event.models import Event, Participant


def _merged(results) -> dict:
    out = {}
    for r in results:
        out.update(r or {})
    return out


def _filter(name):
    return next(f for result in hook.search_filters() for f in result if f.name == name)


def _report(name):
    return next(r for result in hook.reports() for r in result if r.name == name)


def _ago(days):
    return (datetime.now() - timedelta(days=days)).replace(second=0, microsecond=0).isoformat()


def test_search_took_part_of_a_type_in_a_period_and_no_shows(app, factories, in_app):
    workshop = factories.event.type(name="Sewing workshop")
    past = factories.event.event(event_type_id=workshop.id, start_date=_ago(20))
    other = factories.event.event(start_date=_ago(5))
    ada, bob, eve = factories.contact(), factories.contact(), factories.contact()
    factories.event.participant(past.id, ada.id, status="Attended")
    factories.event.participant(past.id, bob.id, status="No-show")
    factories.event.participant(other.id, eve.id, status="Attended")
    base = select(Contact.id)
    with in_app() as s:

        def found(name, value):
            return set(s.scalars(_filter(name).apply(base, value)))

        assert found("event_took_part", [str(past.id)]) == {ada.id}
        assert found("event_type_attended", [str(workshop.id)]) == {ada.id}
        since = (datetime.now() - timedelta(days=10)).date().isoformat()
        assert found("event_period", {"from": since, "to": ""}) == {eve.id}
        assert found("event_no_show", True) == {bob.id}


def test_mail_tokens_take_the_next_registration(app, factories, in_app, organisation, smtp_server):
    event = factories.event.event(title="Spring fair")
    ada = factories.contact(first_name="Ada", emails=[{"email": "ada@example.org"}])
    factories.event.participant(event.id, ada.id)
    with in_app() as s:
        assert {"event.title", "event.cancel_url"} <= set(_merged(hook.mail_tokens()))
        send_email(
            s,
            {
                "contact_ids": [ada.id],
                "subject": "{event.title}",
                "body_text": "{event.start_date} {participant.status} {event.cancel_url}",
            },
        )
        s.commit()
    (message,) = smtp_server.messages
    assert message["Subject"] == "Spring fair"
    assert (
        "Registered" in message.get_content() and "/event/public/cancel/" in message.get_content()
    )


def test_the_dashboard_widget_shows_the_fill_rate(login_as, factories):
    event = factories.event.event(title="Book club", max_participants=4)
    factories.event.participant(event.id)
    dashboard = login_as("staff", locale="en").get("/dashboard").get_data(as_text=True)
    widget = dashboard.split('id="event-widget"', 1)[1].split("</table>", 1)[0]
    assert "Book club" in widget and "1 / 4 (25 %)" in widget


def test_the_reports_count_attendance_and_no_shows(app, factories, in_app):
    kind = factories.event.type(name="Talk")
    talk = factories.event.event(title="Bees", event_type_id=kind.id, start_date=_ago(3))
    for status in ("Attended", "Attended", "Attended", "No-show"):
        factories.event.participant(talk.id, status=status)
    with in_app() as s:
        by_event = _report("event_attendance").run(s, {})
        assert by_event.rows[0][2:] == (4, 3, 1)
        by_type = _report("event_attendance_by_type").run(s, {})
        assert ("Talk", 1, 4, 3) in by_type.rows
        rate = _report("event_no_show_rate").run(s, {})
        assert rate.rows[0][-1] == 25.0 and rate.series


def test_merge_export_and_erasure(app, factories, in_app):
    event = factories.event.event(title="Picnic", max_participants=5)
    kept, away = factories.contact(), factories.contact()
    factories.event.participant(event.id, away.id)
    with in_app() as s:
        hook.merge_contacts(winner_id=kept.id, loser_id=away.id, session=s)
        s.commit()
        export = _merged(hook.contact_data(contact_id=kept.id, session=s))
        (row,) = export["Event registrations"]
        assert row["event"] == "Picnic"
        hook.erase_contact(contact_id=kept.id, session=s)
        s.commit()
        assert services.count_for_contact(s, kept.id) == 0
        assert s.get(Event, event.id).taken == 0


def test_participants_are_imported(app, factories, in_app):
    event = factories.event.event(max_participants=1)
    a, b = factories.contact(), factories.contact()
    with in_app() as s:
        target = next(
            t for result in hook.import_targets() for t in result if t.name == "participants"
        )
        results = target.import_rows(
            s,
            [
                {"contact_id": a.id, "event_id": str(event.id), "role": "speaker"},
                {"contact_id": b.id, "event_id": "999"},
            ],
        )
        s.commit()
        assert [r.action for r in results] == ["created", "rejected"]
        (p,) = s.scalars(select(Participant)).all()
        assert (p.contact_id, p.role) == (a.id, "speaker")


def test_reminders_and_the_organisers_head_count(app, factories, in_app, organisation, smtp_server):
    soon = (datetime.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    dinner = factories.event.event(
        title="Harvest dinner",
        start_date=soon.isoformat(),
        reminder_days=3,
        organiser_email="chef@example.org",
        summary_field="diet",
        summary_days=2,
        participant_fields=[
            {"name": "diet", "label": "Dietary preference", "options": ["vegetarian", "omnivore"]}
        ],
    )
    for i, diet in enumerate(("vegetarian", "omnivore", "vegetarian")):
        person = factories.contact(emails=[{"email": f"guest{i}@example.org"}])
        factories.event.participant(dinner.id, person.id, field_values={"diet": diet})
    with in_app() as s:
        run = mail.send_reminders(s)
        s.commit()
        assert (run.reminded, run.summaries) == (3, 1)
        again = mail.send_reminders(s)
        assert (again.reminded, again.summaries) == (0, 0)
    summary = next(m for m in smtp_server.messages if "chef@example.org" in m["To"])
    assert summary["Subject"] == "Harvest dinner: 3 participants"
    text = summary.get_content()
    assert "vegetarian: 2" in text and "omnivore: 1" in text
    reminders = [m for m in smtp_server.messages if m["Subject"] == "Reminder: Harvest dinner"]
    assert len(reminders) == 3


def test_the_command_tells_in_french_what_it_sent(app, factories):
    from amicale.cli import cli

    soon = (datetime.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    event = factories.event.event(start_date=soon.isoformat(), reminder_days=2)
    factories.event.participant(event.id)
    result = CliRunner().invoke(cli, ["event", "send-reminders"], obj=app)
    assert result.exit_code == 0, result.output
    assert "rappel(s) envoyé(s) aux participants" in result.output


def test_the_report_pages_draw_with_a_period(login_as, factories):
    talk = factories.event.event(title="Bees", start_date=_ago(3))
    factories.event.participant(talk.id, status="Attended")
    staff = login_as("staff", locale="en")
    for name in ("event_attendance", "event_attendance_by_type", "event_no_show_rate"):
        since = (datetime.now() - timedelta(days=10)).date().isoformat()
        page = staff.get(f"/reports/{name}?start={since}&end=")
        assert page.status_code == 200, name
    assert "Bees" in staff.get("/reports/event_attendance").get_data(as_text=True)


def test_the_demo_has_the_weekly_knitting_evening_and_a_dinner(app):
    from sqlalchemy import select

    from amicale.api_for_plugins import session
    from amicale.organisation.demo import load_demo
    from amicale_event import demo
    from amicale_event.models import Event, Participant

    with app.test_request_context(headers={"Accept-Language": "en"}):
        s = session()
        load_demo(s)
        demo.demo_data(s)
        s.commit()
        knitting = s.scalars(select(Event).where(Event.title == "Soirée tricot")).all()
        assert len(knitting) == 8 and len({e.start_date.weekday() for e in knitting}) == 1
        answers = [p.field_values["regime"] for p in s.scalars(select(Participant)).all()]
        assert sorted(set(answers)) == ["omnivore", "végétarien"]


def test_merging_two_registered_contacts_keeps_one_place(app, factories, in_app):
    from sqlalchemy import select

    from amicale_event.models import Participant

    event = factories.event.event(title="Concert", max_participants=2)
    kept, away, waiting = factories.contact(), factories.contact(), factories.contact()
    for contact in (kept, away, waiting):
        factories.event.participant(event.id, contact.id)
    with in_app() as s:
        assert s.get(Event, event.id).taken == 2
        hook.merge_contacts(winner_id=kept.id, loser_id=away.id, session=s)
        s.commit()
        rows = s.execute(select(Participant.contact_id, Participant.status)).all()
        statuses = sorted(status for cid, status in rows if cid == kept.id)
        assert statuses == ["Cancelled", "Registered"]
        assert dict((cid, st) for cid, st in rows if cid == waiting.id) == {
            waiting.id: "Registered"
        }
        assert s.get(Event, event.id).taken == 2
