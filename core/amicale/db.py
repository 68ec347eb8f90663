"""The organisation's database: engine, sessions and the shared metadata.

There is no module-global engine: a ``Database`` belongs to an app (one organisation), and
``session()`` hands out the session of the current request, job or CLI command.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app, g, has_app_context
from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, SQLModel, create_engine

from .errors import ConfigurationError

# One constraint naming convention for the core and every component (Alembic needs stable names).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata = SQLModel.metadata


class Database:
    """Engine and session factory of one organisation's database."""

    def __init__(self, url: str, *, echo: bool = False):
        self.url = url
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite:
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(
                url, echo=echo, connect_args={"timeout": 15, "check_same_thread": False}
            )
            _make_sqlite_transactional(self.engine)
        else:
            self.engine = create_engine(url, echo=echo, pool_pre_ping=True)
        self.sessionmaker = sessionmaker(self.engine, class_=Session, expire_on_commit=False)

    def check_connection(self) -> None:
        """Raise ConfigurationError with a readable message when the database cannot be reached."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise ConfigurationError(
                f"Cannot connect to the database {make_url(self.url).render_as_string()}: {reason}"
            ) from exc

    @contextmanager
    def begin(self) -> Iterator[Session]:
        """A session in one transaction: committed at the end, rolled back on error."""
        with self.sessionmaker() as s, s.begin():
            yield s

    def dispose(self) -> None:
        self.engine.dispose()


def _make_sqlite_transactional(engine: Engine) -> None:
    """SQLite pragmas, and real transactions around DDL too (pysqlite autocommits CREATE TABLE).

    With this, a component migration that fails half way leaves the database as it was.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=15000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = conn.get_execution_options().get(WRITER_OPTION)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


WRITER_OPTION = "amicale_writer"


def begin_write(session: Session) -> None:
    """Start ``session``'s next transaction as a writer, before anything is read: on SQLite a
    ``BEGIN IMMEDIATE`` (a writer waits its turn for ``busy_timeout``, where a transaction that
    reads and then writes fails at once with "database is locked" when another wrote in
    between); on PostgreSQL nothing changes (its row locks do this work). It ends the current
    transaction, so call it before the unit of work writes anything; with changes pending it
    does nothing."""
    if session.new or session.dirty or session.deleted:
        return
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return
    session.rollback()
    session.connection(execution_options={WRITER_OPTION: True})


def current_database() -> Database:
    return current_app.extensions["amicale"].db


def session() -> Session:
    """The session of the current request, job or command (one per app context)."""
    if not has_app_context():
        raise RuntimeError("amicale.db.session() needs an app context (request, job or command)")
    s = g.get("_amicale_session")
    if s is None:
        s = g._amicale_session = current_database().sessionmaker()
    return s


def close_session(_exc: BaseException | None = None) -> None:
    s = g.pop("_amicale_session", None)
    if s is not None:
        s.close()
