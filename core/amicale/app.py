"""The application factory: one Flask app per organisation database."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask import Flask

from .components.state import EnabledCache
from .config import Settings
from .db import Database, close_session
from .plugins import PluginRegistry


@dataclass
class AmicaleState:
    """What the app knows about its organisation; ``app.extensions["amicale"]``."""

    settings: Settings
    db: Database
    registry: PluginRegistry
    enabled_cache: EnabledCache = field(default_factory=EnabledCache)
    blueprint_owner: dict[str, str] = field(default_factory=dict)
    api_blueprints: set[str] = field(default_factory=set)


def create_app(
    settings: Settings | None = None,
    *,
    registry: PluginRegistry | None = None,
    check_database: bool = True,
    testing: bool = False,
) -> Flask:
    from . import api as api_setup
    from . import i18n
    from .web import guard
    from .web import setup as web_setup

    settings = settings or Settings.from_env()
    app = Flask("amicale", instance_path=str(settings.instance_path))
    app.config.update(
        SECRET_KEY=settings.resolved_secret_key(),
        TESTING=testing,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="amicale_session",
        SESSION_COOKIE_SECURE=bool(settings.cookie_secure),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=bool(settings.cookie_secure),
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_CHECK_DEFAULT=False,  # checked by amicale.web.guard, after the permission
        MAX_CONTENT_LENGTH=32 * 1024 * 1024,
        AMICALE_SMTP_URL=settings.smtp_url,
    )
    app.config.update(settings.extra)
    db = Database(settings.database_url)
    if check_database:
        db.check_connection()
    registry = registry or PluginRegistry()
    state = AmicaleState(settings=settings, db=db, registry=registry)
    app.extensions["amicale"] = state
    app.teardown_appcontext(close_session)

    i18n.init_app(app)
    web_setup.init_app(app)
    api_setup.init_app(app)
    guard.init_app(app)
    if not app.debug and not testing:
        logging.basicConfig(level=logging.WARNING)
        logging.getLogger("amicale").setLevel(logging.INFO)
    return app
