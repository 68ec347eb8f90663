"""pytest fixtures for Amicale and its extensions (a ``pytest11`` plugin of amicale-sdk).

Override ``amicale_components`` (names to enable) and ``amicale_plugins`` (plugins to register
besides the installed ones, ``{name: module}``) in your ``conftest.py``. Set
``AMICALE_TEST_DATABASE_URL=postgresql+psycopg://user@127.0.0.1/amicale_test`` to run on
PostgreSQL instead of SQLite.
"""

from __future__ import annotations

import itertools
import os

import pytest

from .testing import (
    AmicaleClient,
    ApiClient,
    Factories,
    PostgresTemplate,
    SmtpServer,
    SqliteTemplate,
)

TEST_PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def pytest_report_header(config):
    url = os.environ.get("AMICALE_TEST_DATABASE_URL")
    return f"amicale: database {'PostgreSQL ' + url if url else 'SQLite (temporary files)'}"


@pytest.fixture(scope="session")
def amicale_database_template(tmp_path_factory):
    """A database migrated to the core's head, copied for each test."""
    from amicale import migrations
    from amicale.config import normalise_database_url
    from amicale.db import Database
    from amicale.plugins import PluginRegistry

    url = os.environ.get("AMICALE_TEST_DATABASE_URL")
    if url:
        template = PostgresTemplate(normalise_database_url(url))
    else:
        template = SqliteTemplate(tmp_path_factory.mktemp("amicale-template"))
    db = Database(template.url)
    db.check_connection()
    with db.engine.connect() as conn, conn.begin():
        migrations.upgrade(PluginRegistry(discover=False), conn, [])
    db.dispose()
    yield template
    template.close()


@pytest.fixture
def amicale_components() -> list[str]:
    """Components to enable in ``amicale_app``; override it in an extension's conftest."""
    return []


@pytest.fixture
def amicale_plugins() -> dict:
    """Plugins to register besides the installed ones: ``{name: module}``."""
    return {}


@pytest.fixture(scope="session")
def amicale_enabled_templates(amicale_database_template, tmp_path_factory):
    """Databases with components already enabled, one per set of components (and plugins),
    made the first time a test asks for that set and copied for each test after it: enabling
    runs the components' migrations, which would otherwise run again in every test."""
    made: dict = {}
    yield made
    for template in made.values():
        template.close()


def _enabled_template(base, made: dict, components, plugins, folder):
    from amicale.app import create_app
    from amicale.components.services import enable_component, upgrade_database
    from amicale.config import Settings
    from amicale.plugins import PluginRegistry

    key = (tuple(components), tuple(sorted(plugins)))
    if key in made:
        return made[key]
    url = base.copy(folder)
    settings = Settings.from_env(
        {}, instance_path=folder / "instance", database_url=url, secret_key="template"
    )
    registry = PluginRegistry(extra=plugins)
    app = create_app(settings, registry=registry, testing=True)
    state = app.extensions["amicale"]
    with app.app_context():
        upgrade_database(state.db, registry)
        for name in components:
            enable_component(state.db, registry, name)
    state.db.dispose()
    made[key] = base.derived(url)
    return made[key]


@pytest.fixture
def amicale_database_url(
    amicale_database_template,
    amicale_enabled_templates,
    amicale_components,
    amicale_plugins,
    tmp_path,
    tmp_path_factory,
):
    template = _enabled_template(
        amicale_database_template,
        amicale_enabled_templates,
        amicale_components,
        amicale_plugins,
        tmp_path_factory.mktemp("amicale-enabled"),
    )
    url = template.copy(tmp_path)
    yield url
    template.drop(url)


@pytest.fixture
def amicale_app(request, amicale_database_url, amicale_components, amicale_plugins, tmp_path):
    """An Amicale app on a fresh database, upgraded, with ``amicale_components`` enabled (a copy
    of the template made for that set of components, ``amicale_database_url``). When the test
    also uses ``smtp_server``, the app sends its mail there."""
    from amicale.app import create_app
    from amicale.config import Settings
    from amicale.plugins import PluginRegistry

    smtp_url = None
    if "smtp_server" in request.fixturenames:
        smtp_url = request.getfixturevalue("smtp_server").url
    settings = Settings.from_env(
        {},
        instance_path=tmp_path / "instance",
        database_url=amicale_database_url,
        secret_key="test-secret-key",
        smtp_url=smtp_url,
        AMICALE_JOBS="immediate",  # background jobs run at once, inside the test
        AMICALE_MAIL_RATE="0",  # no pace limit
    )
    registry = PluginRegistry(extra=amicale_plugins)
    app = create_app(settings, registry=registry, testing=True)
    app.test_client_class = AmicaleClient
    state = app.extensions["amicale"]
    yield app
    state.db.dispose()


@pytest.fixture
def app(amicale_app):
    return amicale_app


@pytest.fixture
def client(amicale_app) -> AmicaleClient:
    return amicale_app.test_client()


@pytest.fixture
def make_user(amicale_app):
    """``make_user(roles=("staff",), email=None, password=TEST_PASSWORD)`` -> User."""
    from amicale.accounts.services import create_user
    from amicale.db import session

    def make(roles=("staff",), email: str | None = None, password: str = TEST_PASSWORD, **kw):
        email = email or f"user{next(_counter)}@example.org"
        with amicale_app.app_context():
            s = session()
            user = create_user(s, email, password, roles, **kw)
            s.commit()
            s.refresh(user)
            s.expunge(user)
        return user

    return make


@pytest.fixture
def login_as(amicale_app, make_user):
    """``login_as("staff")`` -> a web client logged in as a new user with that role
    (``None`` for a user without any role)."""

    def login(role: str | None = "administrator", **kw) -> AmicaleClient:
        user = make_user(roles=(role,) if role else (), **kw)
        client = amicale_app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
        client.user = user
        return client

    return login


@pytest.fixture
def api_client(amicale_app, make_user):
    """``api_client("staff")`` -> an API client with a token of a new user with that role
    (messages in English unless ``locale="fr"``); ``api_client(None)`` sends no token."""
    from amicale.accounts.services import create_token
    from amicale.db import session

    def make(role: str | None = "administrator", locale: str | None = "en") -> ApiClient:
        if role is None:
            return ApiClient(amicale_app.test_client(), None)
        user = make_user(roles=(role,) if role != "norole" else (), locale=locale)
        with amicale_app.app_context():
            s = session()
            _key, token = create_token(s, user, "tests")
            s.commit()
        api = ApiClient(amicale_app.test_client(), token)
        api.user = user
        return api

    return make


@pytest.fixture
def factories(amicale_app) -> Factories:
    """Records saved in the test database: ``factories.contact(first_name="Ada")``,
    ``factories.organization()``, ``factories.household()``, and one attribute per installed
    component that ships factories (``factories.timebank.exchange(...)``, entry point group
    ``amicale.factories``)."""
    return Factories(amicale_app)


@pytest.fixture
def make_contact(factories):
    """``make_contact(**values)`` -> a saved Contact (an individual unless ``contact_type``)."""
    return factories.contact


@pytest.fixture
def make_smtp_server(tmp_path):
    """``make_smtp_server(security="starttls", username="u", password="p")`` -> a started
    SmtpServer (plain, STARTTLS or TLS, with or without login), stopped after the test."""
    servers = []

    def make(**kwargs) -> SmtpServer:
        server = SmtpServer(folder=tmp_path, **kwargs)
        server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives:
    ``smtp_server.messages`` (``email.message.EmailMessage`` with ``.envelope_from`` and
    ``.envelope_to``), ``smtp_server.url`` (``smtp://127.0.0.1:PORT``). An ``amicale_app`` of
    the same test sends its mail there."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()
