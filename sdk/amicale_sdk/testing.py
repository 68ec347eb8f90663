"""Test databases and clients for Amicale and its extensions.

A migrated template database is made once per test session; each test gets a copy of it (a file
copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL), which is much faster than
migrating every time.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

CSRF_RAW = "amicale-test-csrf"


def install_entry_point(site: Path, name: str, module: str, version: str = "1.0") -> None:
    """Write a dist-info in ``site`` so that ``module`` is found as the component ``name``
    (entry-point group ``amicale.plugins``); put ``site`` on ``sys.path`` to install it."""
    dist = site / f"{module.split('.')[0]}-{version}.dist-info"
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {module.split('.')[0].replace('_', '-', 1)}\n"
        f"Version: {version}\n"
    )
    (dist / "entry_points.txt").write_text(f"[amicale.plugins]\n{name} = {module}\n")


class SqliteTemplate:
    def __init__(self, folder: Path):
        self.path = folder / "template.sqlite3"

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def copy(self, folder: Path) -> str:
        target = folder / f"amicale-{uuid.uuid4().hex[:8]}.sqlite3"
        shutil.copyfile(self.path, target)
        return f"sqlite:///{target}"

    def drop(self, url: str) -> None:
        Path(make_url(url).database).unlink(missing_ok=True)

    def close(self) -> None:
        pass


class PostgresTemplate:
    """Databases named ``<base>_tpl`` and ``<base>_<random>`` on the server of ``url``."""

    def __init__(self, url: str):
        self.server = make_url(url)
        self.base = (self.server.database or "amicale_test").replace("-", "_")
        worker = os.environ.get("PYTEST_XDIST_WORKER")  # parallel runs: one template each
        if worker:
            self.base = f"{self.base}_{worker}"
        self.admin = create_engine(
            self.server.set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
        self.name = f"{self.base}_tpl"
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))

    @property
    def url(self) -> str:
        return self.server.set(database=self.name).render_as_string(hide_password=False)

    def copy(self, folder: Path) -> str:
        name = f"{self.base}_{uuid.uuid4().hex[:10]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}"'))
        return self.server.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        self.drop(self.url)
        self.admin.dispose()


class AmicaleClient(FlaskClient):
    """A test client that sends a valid CSRF token with ``post_form``."""

    def csrf_token(self) -> str:
        with self.session_transaction() as sess:
            sess.setdefault("csrf_token", CSRF_RAW)
            raw = sess["csrf_token"]
        secret = self.application.config["SECRET_KEY"]
        return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)


class ApiClient:
    """Calls the API with ``Authorization: Bearer <token>``; JSON in, response out."""

    def __init__(self, client: FlaskClient, token: str | None):
        self.client, self.token = client, token

    def _headers(self, extra: dict | None) -> dict:
        headers = dict(extra or {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return headers

    def open(self, method: str, url: str, json=None, headers=None, **kwargs):
        return self.client.open(
            url, method=method, json=json, headers=self._headers(headers), **kwargs
        )

    def get(self, url, **kw):
        return self.open("GET", url, **kw)

    def post(self, url, json=None, **kw):
        return self.open("POST", url, json=json, **kw)

    def put(self, url, json=None, **kw):
        return self.open("PUT", url, json=json, **kw)

    def patch(self, url, json=None, **kw):
        return self.open("PATCH", url, json=json, **kw)

    def delete(self, url, **kw):
        return self.open("DELETE", url, **kw)
