"""Configuration from the environment, and the embedded SQLite set up for real use."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from amicale.app import create_app
from amicale.config import Settings
from amicale.db import Database
from amicale.errors import ConfigurationError


def test_settings_come_from_the_environment(tmp_path):
    settings = Settings.from_env(
        {
            "AMICALE_INSTANCE": str(tmp_path / "org"),
            "AMICALE_DATABASE_URL": "postgresql://amicale@db.internal/amicale",
            "AMICALE_SECRET_KEY": "s3cret",
            "AMICALE_SMTP_URL": "smtp://mail.internal:587",
        }
    )
    assert settings.instance_path == tmp_path / "org"
    assert settings.database_url == "postgresql+psycopg://amicale@db.internal/amicale"
    assert settings.secret_key == "s3cret"
    assert settings.smtp_url == "smtp://mail.internal:587"


def test_the_default_is_sqlite_in_the_instance_folder_with_a_kept_secret(tmp_path):
    settings = Settings.from_env({"AMICALE_INSTANCE": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'amicale.sqlite3'}"
    first = settings.resolved_secret_key()
    assert first == Settings.from_env({"AMICALE_INSTANCE": str(tmp_path)}).resolved_secret_key()
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # readable by its owner only


@pytest.mark.parametrize(
    "url, message",
    [
        ("mysql://root@localhost/crm", "Unsupported database 'mysql'"),
        ("not a url at all", "is not a database URL"),
    ],
)
def test_a_wrong_database_url_is_refused_with_a_clear_message(url, message):
    with pytest.raises(ConfigurationError, match=message):
        Settings.from_env({"AMICALE_DATABASE_URL": url})


def test_an_unreachable_database_is_refused_at_start(tmp_path):
    settings = Settings.from_env(
        {},
        instance_path=tmp_path,
        secret_key="k",
        database_url="postgresql://nobody@127.0.0.1:1/none",
    )
    with pytest.raises(ConfigurationError, match="Cannot connect to the database"):
        create_app(settings)


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 15000
    db.dispose()


def test_sqlite_ddl_is_transactional(tmp_path):
    """What lets a failed component migration leave nothing behind."""
    db = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with pytest.raises(RuntimeError), db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER)"))
        raise RuntimeError("stop")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sqlite_master WHERE name='t'")).scalar() == 0
    db.dispose()


def test_two_apps_are_independent(tmp_path, amicale_database_url):
    """No module-global engine: each app (organisation) has its own database."""
    a = create_app(
        Settings.from_env(
            {}, instance_path=tmp_path / "a", secret_key="k", database_url=amicale_database_url
        ),
        testing=True,
    )
    b = create_app(
        Settings.from_env(
            {},
            instance_path=tmp_path / "b",
            secret_key="k",
            database_url=f"sqlite:///{tmp_path / 'b.sqlite3'}",
        ),
        testing=True,
    )
    assert a.extensions["amicale"].db.engine is not b.extensions["amicale"].db.engine
    for app in (a, b):
        app.extensions["amicale"].db.dispose()
