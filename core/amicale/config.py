"""Configuration read from the environment (AMICALE_*), with the embedded defaults."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from .errors import ConfigurationError

SUPPORTED_DRIVERS = {"sqlite", "sqlite+pysqlite", "postgresql", "postgresql+psycopg"}


@dataclass
class Settings:
    instance_path: Path
    database_url: str
    secret_key: str | None  # None: kept in the instance folder, made on first use
    smtp_url: str | None = None
    cookie_secure: bool | None = None  # None: secure unless served on loopback
    extra: dict = field(default_factory=dict)

    def resolved_secret_key(self) -> str:
        return self.secret_key or instance_secret(self.instance_path)

    @property
    def sqlite_file(self) -> Path | None:
        url = make_url(self.database_url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            return Path(url.database)
        return None

    @classmethod
    def from_env(cls, environ: dict | None = None, **overrides) -> Settings:
        env = os.environ if environ is None else environ
        instance = Path(
            overrides.pop("instance_path", None) or env.get("AMICALE_INSTANCE") or "instance"
        ).resolve()
        url = overrides.pop("database_url", None) or env.get("AMICALE_DATABASE_URL")
        if not url:
            url = f"sqlite:///{instance / 'amicale.sqlite3'}"
        secret = overrides.pop("secret_key", None) or env.get("AMICALE_SECRET_KEY") or None
        smtp = overrides.pop("smtp_url", None) or env.get("AMICALE_SMTP_URL") or None
        if smtp:
            from .mail.transport import parse_smtp_url

            parse_smtp_url(smtp)  # a bad URL stops the start, with what is wrong
        cookie = env.get("AMICALE_COOKIE_SECURE")
        cookie_secure = None if cookie is None else cookie.lower() in {"1", "true", "yes"}
        settings = cls(instance, normalise_database_url(url), secret, smtp, cookie_secure)
        # Read as they are (app.config): where links in emails point, the job queue, the pace.
        for key, default in (
            ("AMICALE_BASE_URL", "http://127.0.0.1:5000"),
            ("AMICALE_REDIS_URL", None),
            ("AMICALE_JOBS", "queue"),
            ("AMICALE_MAIL_RATE", "50"),
            ("AMICALE_MAIL_CONNECTIONS", "8"),
        ):
            settings.extra[key] = env.get(key) or default
        settings.extra.update(overrides)
        return settings


def normalise_database_url(url: str) -> str:
    """Check a database URL and pick psycopg 3 for PostgreSQL; raise ConfigurationError if unusable."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigurationError(
            f"AMICALE_DATABASE_URL is not a database URL: {url!r} "
            "(expected sqlite:///path or postgresql+psycopg://user@host/db)"
        ) from exc
    if parsed.drivername not in SUPPORTED_DRIVERS:
        raise ConfigurationError(
            f"Unsupported database {parsed.drivername!r} in AMICALE_DATABASE_URL: "
            "Amicale runs on SQLite or PostgreSQL."
        )
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def instance_secret(instance: Path) -> str:
    """A secret key kept in the instance folder, made on first use, so sessions survive restarts."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
