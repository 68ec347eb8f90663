"""Read and write the organisation's settings."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from ..errors import ValidationError
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


# Fields of the organisation page: (key, label, kind)
EDITABLE = [
    ("name", _l("Name"), "text"),
    ("legal_name", _l("Legal name"), "text"),
    ("street_address", _l("Street address"), "text"),
    ("postal_code", _l("Postal code"), "text"),
    ("city", _l("City"), "text"),
    ("country", _l("Country (ISO code): also the default region of phone numbers"), "text"),
    ("email", _l("Email"), "email"),
    ("default_locale", _l("Default language"), "locale"),
    ("currency", _l("Currency (ISO code)"), "text"),
]


def update_organisation(session: Session, form: dict[str, str]) -> None:
    """Check and save the organisation's details; ValidationError with every bad field."""
    import pycountry
    from email_validator import EmailNotValidError, validate_email

    values = {key: (form.get(key) or "").strip() for key, _label, _kind in EDITABLE}
    errors: dict[str, list[str]] = {}
    if not values["name"]:
        errors["name"] = [str(_l("The organisation needs a name."))]
    country = values["country"].upper()
    if country and pycountry.countries.get(alpha_2=country) is None:
        errors["country"] = [str(_l("Unknown country code %(code)s.", code=country))]
    values["country"] = country or "FR"
    currency = values["currency"].upper()
    if currency and pycountry.currencies.get(alpha_3=currency) is None:
        errors["currency"] = [str(_l("Unknown currency %(code)s.", code=currency))]
    values["currency"] = currency or "EUR"
    if values["email"]:
        try:
            values["email"] = validate_email(values["email"], check_deliverability=False).normalized
        except EmailNotValidError:
            errors["email"] = [str(_l("This is not a valid email address."))]
    if values["default_locale"] not in {"fr", "en"}:
        errors["default_locale"] = [str(_l("Choose French or English."))]
    if errors:
        raise ValidationError(str(_l("Some fields are not valid.")), errors=errors)
    for key, value in values.items():
        set_setting(session, f"organisation.{key}", value or None)
