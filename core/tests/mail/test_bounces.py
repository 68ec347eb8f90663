"""`amicale mail bounces`: delivery reports (RFC 3464) from a Maildir, an mbox or standard input
are recorded against the mailing and the address; three hard bounces put an address on hold."""

from __future__ import annotations

import mailbox

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from amicale.cli import cli
from amicale.db import session


def dsn(address: str, *, action="failed", status="5.1.1", mailing=None, recipient=None) -> bytes:
    quoted = "From: contact@grain-de-sel.example.org\r\nSubject: Lettre\r\n"
    if mailing:
        quoted += f"X-Amicale-Mailing: {mailing}\r\n"
    if recipient:
        quoted += f"X-Amicale-Recipient: {recipient}\r\n"
    return (
        "From: MAILER-DAEMON@mx.example.net\r\n"
        "To: contact@grain-de-sel.example.org\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.net\r\n\r\n"
        f"Final-Recipient: rfc822; {address}\r\n"
        f"Action: {action}\r\nStatus: {status}\r\n"
        f"Diagnostic-Code: smtp; {status[0]}50 {status} mailbox unavailable\r\n\r\n"
        f"--B\r\nContent-Type: text/rfc822-headers\r\n\r\n{quoted}\r\n--B--\r\n"
    ).encode()


@pytest.fixture
def sent(app, organisation, factories, api_client, smtp_server):
    """A mailing delivered to Ada and Bob."""
    from amicale.groups.services import add_contacts, create_group

    ada = factories.contact(first_name="Ada", emails=[{"email": "ada@example.org"}])
    bob = factories.contact(first_name="Bob", emails=[{"email": "bob@example.org"}])
    with app.app_context():
        s = session()
        group = create_group(s, {"title": "Infos", "is_mailing_list": True})
        add_contacts(s, group.id, [ada.id, bob.id])
        s.commit()
        group_id = group.id
    api = api_client("staff")
    mailing = api.post(
        "/api/v1/mailings",
        json={"name": "m", "subject": "s", "body_text": "b", "include_group_ids": [group_id]},
    ).get_json()
    api.post(f"/api/v1/mailings/{mailing['id']}/send", json={})
    headers = {m.envelope_to[0]: m for m in smtp_server.messages}
    return {
        "api": api,
        "mailing": mailing["id"],
        "ada": ada,
        "recipient": headers["ada@example.org"]["X-Amicale-Recipient"],
    }


def run(app, *args, input=None):
    return CliRunner().invoke(cli, ["mail", "bounces", *args], obj=app, input=input)


def test_a_hard_bounce_from_a_maildir_is_recorded_on_the_mailing(app, sent, tmp_path):
    box = mailbox.Maildir(str(tmp_path / "bounces"), create=True)
    box.add(dsn("ada@example.org", mailing=sent["mailing"], recipient=sent["recipient"]))
    box.add(b"From: someone@example.org\r\nSubject: Out of office\r\n\r\nI am away.\r\n")
    result = run(app, str(tmp_path / "bounces"))
    assert result.exit_code == 0, result.output
    assert (
        "2 message(s) read: 1 hard and 0 soft bounce(s) recorded, 1 not a delivery report."
        in result.output
    )
    figures = sent["api"].get(f"/api/v1/mailings/{sent['mailing']}/figures").get_json()
    assert (figures["bounced"], figures["sent"]) == (1, 1)


def test_three_hard_bounces_put_the_address_on_hold_and_soft_ones_do_not(app, sent, tmp_path):
    from amicale.contacts.models import Email

    mbox = mailbox.mbox(str(tmp_path / "bounces.mbox"))
    for _ in range(2):
        mbox.add(dsn("ada@example.org"))
    mbox.add(dsn("ada@example.org", action="delayed", status="4.2.2"))
    mbox.flush()
    first = run(app, str(tmp_path / "bounces.mbox"))
    assert "2 hard and 1 soft" in first.output and "On hold" not in first.output
    third = run(app, "-", input=dsn("ADA@example.org", status="5.1.1"))
    assert third.exit_code == 0
    assert "On hold: ada@example.org" in third.output
    with app.app_context():
        assert session().scalar(select(Email.on_hold).where(Email.email == "ada@example.org"))
    again = (
        sent["api"]
        .post(
            "/api/v1/mailings",
            json={
                "name": "n",
                "subject": "s",
                "body_text": "b",
                "include_group_ids": sent["api"]
                .get(f"/api/v1/mailings/{sent['mailing']}")
                .get_json()["include_group_ids"],
            },
        )
        .get_json()
    )
    figures = sent["api"].get(f"/api/v1/mailings/{again['id']}/figures").get_json()
    assert figures["recipients_now"] == 1  # Ada's address is on hold


def test_a_missing_source_is_a_usage_error(app):
    result = run(app, "/nonexistent/maildir")
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_a_folder_that_is_not_a_maildir_is_refused(app, tmp_path):
    (tmp_path / "notes").mkdir()
    result = run(app, str(tmp_path / "notes"))
    assert result.exit_code == 1
    assert "is not a Maildir" in result.output
