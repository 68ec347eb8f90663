"""French and English (French first): the locale of each request, and locale-aware formatting."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

from flask import Flask, has_request_context, request
from flask import session as http_session
from flask_babel import (
    Babel,
    format_currency,
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    gettext,
)
from flask_login import current_user

LOCALES = {"fr": "Français", "en": "English"}
DEFAULT_LOCALE = "fr"


def select_locale() -> str:
    if not has_request_context():  # a command or a job: the environment, else the organisation
        for var in ("AMICALE_LOCALE", "LC_ALL", "LC_MESSAGES", "LANG"):
            lang = (os.environ.get(var) or "")[:2].lower()
            if lang in LOCALES:
                return lang
        return _organisation_locale() or DEFAULT_LOCALE
    user = current_user
    if getattr(user, "is_authenticated", False) and getattr(user, "locale", None) in LOCALES:
        return user.locale
    chosen = http_session.get("locale")
    if chosen in LOCALES:
        return chosen
    browser = request.accept_languages.best_match(list(LOCALES))
    return browser or _organisation_locale() or DEFAULT_LOCALE


def _organisation_locale() -> str | None:
    from .db import session
    from .organisation.services import get_setting

    try:
        value = get_setting(session(), "organisation.default_locale")
    except Exception:  # not migrated yet
        session().rollback()
        return None
    return value if value in LOCALES else None


def translation_directories(app: Flask) -> list[str]:
    dirs = [str(Path(__file__).parent / "translations")]
    registry = app.extensions["amicale"].registry
    for comp in registry.usable().values():
        module = comp.plugin
        base = Path(getattr(module, "__file__", "") or "").parent
        if (base / "translations").is_dir():
            dirs.append(str(base / "translations"))
    return dirs


def money(amount, currency: str | None = None) -> str:
    from .db import session
    from .organisation.services import get_setting

    if amount is None:
        return ""
    currency = currency or get_setting(session(), "organisation.currency") or "EUR"
    return format_currency(Decimal(str(amount)), currency)


def init_app(app: Flask) -> None:
    Babel(
        app,
        locale_selector=select_locale,
        default_locale=DEFAULT_LOCALE,
        default_translation_directories=";".join(translation_directories(app)),
    )
    app.jinja_env.filters["date"] = lambda d, fmt="medium": format_date(d, fmt) if d else ""
    app.jinja_env.filters["datetime"] = lambda d, fmt="medium": format_datetime(d, fmt) if d else ""
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["number"] = format_decimal
    # A label stored as data (a seeded type's label): translated when the catalogue knows it.
    app.jinja_env.filters["tr"] = lambda text: gettext(text) if text else text
    app.jinja_env.globals["LOCALES"] = LOCALES
    app.jinja_env.globals["get_locale"] = get_locale
