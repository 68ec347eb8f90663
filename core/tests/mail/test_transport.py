"""Where mail goes: the SMTP server of AMICALE_SMTP_URL (plain, STARTTLS or TLS, with login), or
the outbox folder; every message gets a result, nothing is dropped silently."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from amicale.config import Settings
from amicale.errors import ConfigurationError
from amicale.mail.transport import OutboxTransport, parse_smtp_url, transport_for


def message(to="ada@example.org") -> EmailMessage:
    m = EmailMessage()
    m["From"] = "Le Grain de SEL <contact@grain-de-sel.example.org>"
    m["To"] = to
    m["Subject"] = "Assemblée générale"
    m.set_content("Bonjour,\nl'assemblée a lieu samedi.")
    return m


@pytest.mark.parametrize("security", ["plain", "starttls", "tls"])
def test_mail_reaches_the_smtp_server_with_each_security_and_a_login(make_smtp_server, security):
    server = make_smtp_server(security=security, username="sel@example.org", password="p@ss w:rd")
    transport = transport_for(server.url, "/nonexistent")
    with transport:
        first = transport.send(message())
        second = transport.send(message("bob@example.org"))
    assert first.ok and second.ok
    assert [m["To"] for m in server.messages] == ["ada@example.org", "bob@example.org"]
    assert server.logins and set(server.logins) == {"sel@example.org"}
    assert "samedi" in server.messages[0].get_content()


def test_a_wrong_password_is_a_failure_with_the_servers_reason(make_smtp_server):
    server = make_smtp_server(username="sel", password="right")
    url = server.url.replace("right", "wrong")
    with transport_for(url, "/nonexistent") as transport:
        result = transport.send(message())
    assert not result.ok
    assert "535" in result.error
    assert server.messages == []


def test_a_server_that_does_not_answer_is_a_temporary_failure():
    settings = parse_smtp_url("smtp://127.0.0.1:9?timeout=2")
    assert settings.port == 9
    with transport_for("smtp://127.0.0.1:9?timeout=2", "/nonexistent") as transport:
        result = transport.send(message())
    assert not result.ok and result.temporary
    assert "127.0.0.1:9" in result.error


def test_without_smtp_the_message_is_written_to_the_outbox(tmp_path):
    transport = transport_for(None, tmp_path)
    assert isinstance(transport, OutboxTransport)
    result = transport.send(message())
    assert result.ok
    (written,) = (tmp_path / "outbox").glob("*.eml")
    assert str(written) == result.where
    saved = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert saved["Subject"] == "Assemblée générale"
    assert "samedi" in saved.get_content()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.org", ("mail.example.org", 25, "plain", None)),
        (
            "smtp+starttls://me%40x.org:s%3Acret@mail.example.org",
            ("mail.example.org", 587, "starttls", "me@x.org"),
        ),
        ("smtps://u:p@mail.example.org:2465", ("mail.example.org", 2465, "tls", "u")),
    ],
)
def test_smtp_urls_are_read_with_their_defaults(url, expected):
    s = parse_smtp_url(url)
    assert (s.host, s.port, s.security, s.username) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://mail.example.org", "unknown scheme 'http'"),
        ("smtp://", "no host"),
        ("smtp://mail.example.org:port", "AMICALE_SMTP_URL"),
        ("smtp://mail.example.org?timeout=soon", "timeout must be a number"),
    ],
)
def test_a_bad_smtp_url_stops_the_start_with_what_is_wrong(url, message, tmp_path):
    with pytest.raises(ConfigurationError, match=message):
        Settings.from_env({"AMICALE_SMTP_URL": url}, instance_path=tmp_path)
