"""Where outgoing mail goes: the SMTP server of ``AMICALE_SMTP_URL`` or, with none configured,
``.eml`` files in the instance's outbox folder. Nothing is dropped silently: every message gets a
result (sent, or failed with the server's reason, temporary or not).

URLs: ``smtp://host:25`` (plain), ``smtp+starttls://user:password@host:587`` (STARTTLS),
``smtps://user:password@host:465`` (TLS from the start); user and password are URL-encoded.
``?timeout=30`` sets the connection timeout in seconds, ``?cafile=/path/ca.pem`` a private CA
whose certificate the server's must be signed by.
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from ..clock import utcnow
from ..errors import ConfigurationError

SECURITY_BY_SCHEME = {"smtp": "plain", "smtp+starttls": "starttls", "smtps": "tls"}
DEFAULT_PORTS = {"plain": 25, "starttls": 587, "tls": 465}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # plain, starttls, tls
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0
    cafile: str | None = None  # a private CA's certificate, to check the server's

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.cafile)

    def describe(self) -> str:
        return f"{self.host}:{self.port} ({self.security})"


def parse_smtp_url(url: str) -> SmtpSettings:
    """Read an ``AMICALE_SMTP_URL``; ConfigurationError saying what is wrong."""
    parts = urlsplit(url.strip())
    security = SECURITY_BY_SCHEME.get(parts.scheme.lower())
    if security is None:
        raise ConfigurationError(
            f"AMICALE_SMTP_URL: unknown scheme '{parts.scheme}' (use smtp://, "
            "smtp+starttls:// or smtps://)"
        )
    if not parts.hostname:
        raise ConfigurationError("AMICALE_SMTP_URL: no host")
    try:
        port = parts.port or DEFAULT_PORTS[security]
    except ValueError as exc:
        raise ConfigurationError(f"AMICALE_SMTP_URL: {exc}") from exc
    query = parse_qs(parts.query)
    try:
        timeout = float(query.get("timeout", ["30"])[0])
    except ValueError as exc:
        raise ConfigurationError("AMICALE_SMTP_URL: timeout must be a number") from exc
    return SmtpSettings(
        host=parts.hostname,
        port=port,
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        timeout=timeout,
        cafile=query.get("cafile", [None])[0],
    )


@dataclass
class SendResult:
    """What became of one message: ``ok``, or the reason, and whether trying again may help."""

    ok: bool
    error: str | None = None
    temporary: bool = False
    where: str | None = None  # the outbox file, when written there


class SmtpTransport:
    """One connection for a batch of messages (``with transport: transport.send(msg)``)."""

    kind = "smtp"

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def describe(self) -> str:
        return self.settings.describe()

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "tls":
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=s.tls_context())
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.security == "starttls":
                smtp.starttls(context=s.tls_context())
        if s.username:
            smtp.login(s.username, s.password or "")
        return smtp

    def send(self, message: EmailMessage, recipients: list[str] | None = None) -> SendResult:
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            refused = self._smtp.send_message(message, to_addrs=recipients)
        except smtplib.SMTPRecipientsRefused as exc:
            self.close()
            code, reason = next(iter(exc.recipients.values()))
            return _failure(code, reason)
        except smtplib.SMTPResponseException as exc:
            self.close()
            return _failure(exc.smtp_code, exc.smtp_error)
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            self.close()
            return SendResult(False, f"{self.describe()}: {exc}", temporary=True)
        if refused:
            code, reason = next(iter(refused.values()))
            return _failure(code, reason)
        return SendResult(True)

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._smtp = None


def _failure(code: int, reason) -> SendResult:
    text = reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
    return SendResult(False, f"{code} {text}", temporary=400 <= int(code) < 500)


class OutboxTransport:
    """Writes each message as an ``.eml`` file in the outbox folder (no SMTP configured)."""

    kind = "outbox"

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def describe(self) -> str:
        return str(self.folder)

    def __enter__(self) -> OutboxTransport:
        return self

    def __exit__(self, *exc) -> None:
        pass

    def send(self, message: EmailMessage, recipients: list[str] | None = None) -> SendResult:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            stamp = utcnow().strftime("%Y%m%dT%H%M%S")
            path = self.folder / f"{stamp}-{uuid.uuid4().hex[:12]}.eml"
            path.write_bytes(bytes(message))
        except OSError as exc:
            return SendResult(False, f"{self.folder}: {exc}", temporary=True)
        return SendResult(True, where=str(path))

    def close(self) -> None:
        pass


def transport_for(smtp_url: str | None, instance_path: Path) -> SmtpTransport | OutboxTransport:
    if smtp_url:
        return SmtpTransport(parse_smtp_url(smtp_url))
    return OutboxTransport(Path(instance_path) / "outbox")


def current_transport():
    """The transport of the current app (its ``AMICALE_SMTP_URL`` or its outbox)."""
    from flask import current_app

    return transport_for(
        current_app.config.get("AMICALE_SMTP_URL"), Path(current_app.instance_path)
    )
