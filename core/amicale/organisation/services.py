"""Read and write the organisation's settings."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from .models import Setting

DEFAULTS: dict[str, Any] = {
    "organisation.name": "Amicale",
    "organisation.default_locale": "fr",
    "organisation.currency": "EUR",
    "organisation.country": "FR",
}


def get_setting(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(Setting, key)
    if row is not None:
        return row.value
    return DEFAULTS.get(key, default)


def get_settings(session: Session, prefix: str) -> dict[str, Any]:
    values = {k: v for k, v in DEFAULTS.items() if k.startswith(prefix)}
    rows = session.exec(select(Setting).where(Setting.key.startswith(prefix))).all()
    values.update({r.key: r.value for r in rows})
    return values


def set_setting(session: Session, key: str, value: Any) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    session.flush()
