"""Renewal reminders: the admin's rules, the daily job that emails each member once per end
date with the tokens of their membership, and the log on the contact's tab."""

import re
from datetime import date, timedelta

from sqlalchemy import update

from amicale.api_for_plugins import hook, session
from amicale_membership import reminders
from amicale_membership.models import Membership, MembershipReminderLog

BODY = (
    "Dear {contact.first_name}, your {membership.type} membership ({membership.status}) "
    "ends on {membership.end_date}. Renew: {membership.renewal_url}"
)


def _ending_in(factories, contact_id, type_id, days: int):
    today = date.today()
    return factories.membership.membership(
        contact_id=contact_id,
        membership_type_id=type_id,
        join_date=(today - timedelta(days=300)).isoformat(),
        end_date=(today + timedelta(days=days)).isoformat(),
    )


def _rule(app, **values) -> int:
    with app.app_context():
        s = session()
        rule = reminders.create_reminder(s, values)
        s.commit()
        return rule.id


def _run_job(app):
    (job,) = [j for r in hook.scheduled_jobs() for j in r if j.name.endswith("send_reminders")]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        s = session()
        result = job.run(s)
        s.commit()
    return result


def test_a_member_gets_the_reminder_once_with_its_tokens_filled(
    app, organisation, factories, message_template, smtp_server, login_as
):
    ada = factories.contact(
        first_name="Ada", last_name="Lovelace", emails=[{"email": "ada@example.org"}]
    )
    kind = factories.membership.type(name="Individual")
    m = _ending_in(factories, ada.id, kind.id, 30)
    template = message_template("Renewal", "Your {membership.type} membership ends soon", BODY)
    _rule(app, name="A month before", days=-30, template_id=template, membership_type_id=kind.id)
    with app.app_context():
        assert _run_job(app).total == 1
    (received,) = smtp_server.to("ada@example.org")
    assert received["Subject"] == "Your Individual membership ends soon"
    text = received.get_content().replace("=\r\n", "")
    end = date.today() + timedelta(days=30)
    assert "Dear Ada, your Individual membership (Current) ends on" in text
    assert f"{end:%B} {end.day}, {end.year}" in text
    link = re.search(r"Renew: (\S+)", text).group(1)
    assert "/membership/renew/" in link
    with app.app_context():
        assert _run_job(app).total == 0  # the next day's run: nothing twice
    assert len(smtp_server.messages) == 1
    # The link opens the public renew page of this membership, without a login.
    page = app.test_client().get(link[link.index("/membership/") :])
    assert page.status_code == 200 and "Individual" in page.get_data(as_text=True)
    tab = login_as("staff", locale="en").get(f"/membership/contact/{ada.id}").get_data(as_text=True)
    assert "A month before" in tab.split('id="membership-reminders-sent"', 1)[1]
    assert m.id


def test_who_is_left_out_and_a_new_end_date_gets_the_reminder_again(
    app, organisation, factories, message_template, smtp_server, count_rows
):
    template = message_template("Expired", "Come back", "Hello {contact.first_name}")
    kind = factories.membership.type(name="Family")
    other = factories.membership.type(name="Sponsor")
    people = {
        name: factories.contact(first_name=name, emails=[{"email": f"{name}@example.org"}], **kw)
        for name, kw in {
            "due": {},
            "optout": {"is_opt_out": True},
            "noemail": {"do_not_email": True},
        }.items()
    }
    nomail = factories.contact(first_name="nomail", emails=[])
    for c in [*people.values(), nomail]:
        _ending_in(factories, c.id, kind.id, -7)
    _ending_in(factories, people["due"].id, other.id, -7)  # another type: not this rule
    cancelled = factories.contact(first_name="gone", emails=[{"email": "gone@example.org"}])
    m = _ending_in(factories, cancelled.id, kind.id, -7)
    with app.app_context():
        from amicale_membership import services

        s = session()
        services.cancel(s, m.id)
        s.commit()
    _rule(app, name="A week after", days=7, template_id=template, membership_type_id=kind.id)
    _rule(app, name="Inactive", days=7, template_id=template, is_active=False)
    with app.app_context():
        assert _run_job(app).total == 1
    assert [msg.envelope_to for msg in smtp_server.messages] == [["due@example.org"]]
    assert count_rows(MembershipReminderLog) == 1
    # Renewed, then lapsed again: a new end date, a new reminder.
    with app.app_context():
        s = session()
        s.execute(
            update(Membership)
            .where(Membership.contact_id == people["due"].id)
            .values(end_date=date.today() - timedelta(days=7), join_date=date(2020, 1, 1))
        )
        s.execute(update(MembershipReminderLog).values(end_date=date(2020, 12, 31)))
        s.commit()
        assert _run_job(app).total == 1
    assert len(smtp_server.messages) == 2


def test_the_admin_pages_of_the_reminders(login_as, factories, message_template):
    template = message_template("Soon", "Soon", "Renew {membership.renewal_url}")
    kind = factories.membership.type(name="Individual")
    admin = login_as("administrator", locale="en")
    page = admin.get("/membership/reminders").get_data(as_text=True)
    assert "No reminder yet." in page and "Soon" in page
    bad = admin.post_form("/membership/reminders", {"name": "", "days": "soon"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert 'id="f-name-error"' in text and 'id="f-days-error"' in text
    assert 'id="f-template_id-error"' in text
    created = admin.post_form(
        "/membership/reminders",
        {
            "name": "Two weeks before",
            "days": "-14",
            "template_id": template,
            "membership_type_id": kind.id,
            "is_active": "1",
        },
    )
    assert created.status_code == 302
    listing = admin.get("/membership/reminders").get_data(as_text=True)
    assert "14 days before the end date" in listing and "Individual" in listing
    rid = re.search(r'data-reminder-id="(\d+)"', listing).group(1)
    assert admin.get(f"/membership/reminders/{rid}/edit").status_code == 200
    saved = admin.post_form(
        f"/membership/reminders/{rid}/edit",
        {"name": "After", "days": "10", "template_id": template, "is_active": "1"},
    )
    assert saved.status_code == 302
    listing = admin.get("/membership/reminders").get_data(as_text=True)
    assert "10 days after the end date" in listing and "every type" in listing
    assert admin.post_form(f"/membership/reminders/{rid}/delete").status_code == 302
    assert "No reminder yet." in admin.get("/membership/reminders").get_data(as_text=True)
    assert login_as("staff").get("/membership/reminders").status_code == 403
    assert 'data-menu-id="admin.membership.reminders"' in admin.get("/dashboard").get_data(
        as_text=True
    )


def test_the_renewal_url_token_in_a_mailing(app, factories):
    ada = factories.contact(first_name="Ada")
    m = factories.membership.membership(contact_id=ada.id, join_date=date.today().isoformat())
    with app.test_request_context():
        values = {}
        for r in hook.mail_token_values(contact_ids=[ada.id], tokens=["membership.renewal_url"]):
            values.update(r or {})
        link = values[ada.id]["membership.renewal_url"]
        assert reminders.read_renewal_token(link.rsplit("/", 1)[1]) == m.id
        assert "membership.renewal_url" in {k for r in hook.mail_tokens() for k in r}


def test_the_members_due_for_a_rule_are_found_in_one_query(app, factories, message_template):
    from sqlalchemy import event

    template = message_template("One", "One", "One")
    kind = factories.membership.type(name="Individual")
    for _ in range(5):
        c = factories.contact(emails=[{"email": f"m{_}@example.org"}])
        _ending_in(factories, c.id, kind.id, 30)
    rid = _rule(app, name="Soon", days=-30, template_id=template)
    with app.app_context():
        s = session()
        rule = reminders.get_reminder(s, rid)
        statements = []
        engine = s.get_bind()

        def listener(*args, **_kw):
            statements.append(args[2])

        event.listen(engine, "before_cursor_execute", listener)
        try:
            due = reminders.due_for(s, rule, date.today())
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    assert len(due) == 5 and len(statements) == 1
