"""Test databases and clients for Amicale and its extensions.

A migrated template database is made once per test session; each test gets a copy of it (a file
copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL), which is much faster than
migrating every time.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import threading
import uuid
import warnings
from email import message_from_bytes, policy
from email.message import EmailMessage
from importlib.metadata import entry_points
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

    def derived(self, url: str) -> SqliteTemplate:
        """The database at ``url`` (a copy of this one, changed) as a template of its own."""
        template = SqliteTemplate.__new__(SqliteTemplate)
        template.path = Path(make_url(url).database)
        return template

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

    def derived(self, url: str) -> PostgresTemplate:
        """The database at ``url`` (a copy of this one, changed) as a template of its own."""
        template = PostgresTemplate.__new__(PostgresTemplate)
        template.server, template.base, template.admin = self.server, self.base, self.admin
        template.name = make_url(url).database
        template.owns_admin = False
        return template

    def close(self) -> None:
        self.drop(self.url)
        if getattr(self, "owns_admin", True):
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


class _Capture:
    """aiosmtpd handler: keeps each message received, parsed."""

    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        refusal = self.server.refuse.get(address.lower())
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp_server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = message_from_bytes(
            envelope.original_content or envelope.content, policy=policy.default
        )
        message.envelope_from = envelope.mail_from
        message.envelope_to = list(envelope.rcpt_tos)
        with self.server._lock:
            self.server.messages.append(message)
        return "250 Message accepted"


class SmtpServer:
    """A real SMTP server on loopback that captures what it receives (for tests only).

    ``security``: ``plain``, ``starttls`` (STARTTLS required) or ``tls`` (TLS from the start),
    with a certificate of a throw-away CA (``cafile`` is its certificate, for the client);
    ``username``/``password``: AUTH LOGIN/PLAIN required with these. ``refuse`` maps an address
    to the answer its ``RCPT TO`` gets (a temporary 4xx or a permanent 5xx failure).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        *,
        security: str = "plain",
        username: str | None = None,
        password: str | None = None,
        folder: Path | None = None,
    ):
        self.host = host
        self.port = _free_port(host)
        self.security = security
        self.username, self.password = username, password
        self.folder = folder
        self.cafile: str | None = None
        self.messages: list[EmailMessage] = []
        self.logins: list[str] = []
        # address -> SMTP answer to RCPT TO, e.g. "451 4.3.0 Try later" or "550 5.1.1 No such user"
        self.refuse: dict[str, str] = {}
        self._lock = threading.Lock()
        self._controller = None

    @property
    def url(self) -> str:
        from urllib.parse import quote

        scheme = {"plain": "smtp", "starttls": "smtp+starttls", "tls": "smtps"}[self.security]
        auth = ""
        if self.username:
            auth = f"{quote(self.username, safe='')}:{quote(self.password or '', safe='')}@"
        query = f"?cafile={quote(self.cafile)}" if self.cafile else ""
        return f"{scheme}://{auth}{self.host}:{self.port}{query}"

    def _tls_context(self):
        import ssl
        import tempfile

        import trustme

        ca = trustme.CA()
        cert = ca.issue_cert(self.host)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        folder = Path(self.folder or tempfile.mkdtemp(prefix="amicale-smtp-"))
        cafile = folder / "smtp-test-ca.pem"
        ca.cert_pem.write_to_path(str(cafile))
        self.cafile = str(cafile)
        return context

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult, LoginPassword

        if isinstance(auth_data, LoginPassword):
            login = auth_data.login.decode()
            ok = login == self.username and auth_data.password.decode() == self.password
            if ok:
                with self._lock:
                    self.logins.append(login)
            return AuthResult(success=ok, handled=False)
        return AuthResult(success=False, handled=False)

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        kwargs: dict = {}
        if self.security in ("starttls", "tls"):
            context = self._tls_context()
            if self.security == "starttls":
                kwargs.update(tls_context=context, require_starttls=True)
            else:
                kwargs.update(ssl_context=context)
        if self.username:
            kwargs.update(
                authenticator=self._authenticate,
                auth_required=True,
                auth_require_tls=self.security == "starttls",
            )
        self._controller = Controller(_Capture(self), hostname=self.host, port=self.port, **kwargs)
        with warnings.catch_warnings():  # AUTH over plain text: only ever on loopback, in tests
            warnings.simplefilter("ignore")
            self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()

    def to(self, address: str) -> list[EmailMessage]:
        """The messages received for ``address`` (envelope recipients)."""
        with self._lock:
            return [
                m for m in self.messages if address.lower() in (a.lower() for a in m.envelope_to)
            ]


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


_numbers = itertools.count(1)


class Factories:
    """Records saved through the services, each in its own transaction, returned detached.

    Installed components add theirs through the entry point group ``amicale.factories``
    (``name = "package.testing:Factories"``, a class taking ``(app, factories)``).
    """

    def __init__(self, app):
        self.app = app
        self._entry_points = {}
        self._loaded: dict[str, object] = {}
        for ep in entry_points(group="amicale.factories"):
            self._entry_points.setdefault(ep.name, ep)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._loaded:
            ep = self._entry_points.get(name)
            if ep is None:
                raise AttributeError(f"no factories named '{name}' are installed")
            self._loaded[name] = ep.load()(self.app, self)
        return self._loaded[name]

    def contact(self, contact_type: str = "Individual", **values):
        """A contact; an individual gets a unique name and e-mail unless given."""
        from amicale.contacts.services import create_contact
        from amicale.db import session

        n = next(_numbers)
        data = {"contact_type": contact_type, **values}
        if contact_type == "Individual":
            data.setdefault("first_name", "Test")
            data.setdefault("last_name", f"Person {n}")
            data.setdefault("emails", [{"email": f"person{n}@example.org"}])
        elif contact_type == "Organization":
            data.setdefault("organization_name", f"Test organisation {n}")
        else:
            data.setdefault("household_name", f"Test household {n}")
        with self.app.app_context():
            s = session()
            contact = create_contact(s, data)
            s.commit()
            s.refresh(contact)
            s.expunge(contact)
        return contact

    def organization(self, **values):
        return self.contact("Organization", **values)

    def household(self, **values):
        return self.contact("Household", **values)
