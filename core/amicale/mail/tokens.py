"""Tokens in mail templates: ``{contact.first_name}``, ``{organisation.name}`` and every token
the enabled components declare (``mail_tokens`` / ``mail_token_values``).

Values are fetched for a whole batch of contacts at once (one query for the core's tokens, one
hook call per batch for the components'), never per recipient.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..contacts.models import Address, Contact, Email
from ..errors import ValidationError
from ..organisation.services import get_settings

TOKEN_RE = re.compile(r"\{([a-z][a-z0-9_]*\.[a-z][a-z0-9_]*)\}")

CONTACT_TOKENS = {
    "contact.first_name": _l("First name"),
    "contact.last_name": _l("Last name"),
    "contact.display_name": _l("Display name"),
    "contact.email": _l("Primary email"),
    "contact.prefix": _l("Prefix"),
    "contact.city": _l("City (primary address)"),
    "contact.postal_code": _l("Postal code (primary address)"),
    "contact.id": _l("Contact number"),
}
ORGANISATION_TOKENS = {
    "organisation.name": _l("Organisation: name"),
    "organisation.street_address": _l("Organisation: street address"),
    "organisation.postal_code": _l("Organisation: postal code"),
    "organisation.city": _l("Organisation: city"),
    "organisation.address": _l("Organisation: full address"),
    "organisation.email": _l("Organisation: email"),
}


def available_tokens() -> dict[str, str]:
    """Every token usable now: the core's and the enabled components' (token -> label)."""
    from ..plugins import hook

    tokens: dict[str, str] = {**CONTACT_TOKENS, **ORGANISATION_TOKENS}
    for result in hook.mail_tokens():
        tokens.update(result or {})
    return tokens


def tokens_in(*texts: str | None) -> list[str]:
    found: list[str] = []
    for text in texts:
        for token in TOKEN_RE.findall(text or ""):
            if token not in found:
                found.append(token)
    return found


def check_tokens(fields: dict[str, str | None]) -> None:
    """ValidationError on each field naming a token that does not exist (a typo would otherwise
    reach every recipient as is)."""
    known = available_tokens()
    errors: dict[str, list[str]] = {}
    for field, text in fields.items():
        unknown = [t for t in tokens_in(text) if t not in known]
        if unknown:
            errors[field] = [
                str(
                    _l(
                        "Unknown token: %(tokens)s.",
                        tokens=", ".join("{" + t + "}" for t in unknown),
                    )
                )
            ]
    if errors:
        raise ValidationError(str(_l("Some fields are not valid.")), errors=errors)


def _organisation_values(session: Session) -> dict[str, str]:
    org = get_settings(session, "organisation.")
    values = {
        key: str(org.get(key) or "") for key in ORGANISATION_TOKENS if key != "organisation.address"
    }
    city_line = " ".join(
        v for v in (org.get("organisation.postal_code"), org.get("organisation.city")) if v
    )
    values["organisation.address"] = "\n".join(
        v for v in (org.get("organisation.street_address"), city_line) if v
    )
    return values


def token_values(
    session: Session, contact_ids: Iterable[int], tokens: Iterable[str]
) -> dict[int, dict[str, str]]:
    """``{contact_id: {token: value}}`` for the tokens in use (missing values are empty)."""
    from ..plugins import hook

    ids = list(dict.fromkeys(contact_ids))
    tokens = list(tokens)
    out: dict[int, dict[str, str]] = {cid: {} for cid in ids}
    if not ids or not tokens:
        return out
    if any(t.startswith("organisation.") for t in tokens):
        org = _organisation_values(session)
        for values in out.values():
            values.update({t: org[t] for t in tokens if t in org})
    if any(t.startswith("contact.") for t in tokens):
        for chunk in _chunks(ids, 5000):
            rows = session.execute(
                select(
                    Contact.id,
                    Contact.first_name,
                    Contact.last_name,
                    Contact.display_name,
                    Contact.prefix,
                    Email.email,
                    Address.city,
                    Address.postal_code,
                )
                .outerjoin(Email, (Email.contact_id == Contact.id) & Email.is_primary)
                .outerjoin(Address, (Address.contact_id == Contact.id) & Address.is_primary)
                .where(Contact.id.in_(chunk))
            )
            for cid, first, last, display, prefix, email, city, postal in rows:
                values = {
                    "contact.id": str(cid),
                    "contact.first_name": first or "",
                    "contact.last_name": last or "",
                    "contact.display_name": display or "",
                    "contact.prefix": prefix or "",
                    "contact.email": email or "",
                    "contact.city": city or "",
                    "contact.postal_code": postal or "",
                }
                out[cid].update({t: values[t] for t in tokens if t in values})
    component_tokens = [t for t in tokens if not t.startswith(("contact.", "organisation."))]
    if component_tokens:
        for result in hook.mail_token_values(contact_ids=ids, tokens=component_tokens):
            for cid, values in (result or {}).items():
                if cid in out:
                    out[cid].update({t: "" if v is None else str(v) for t, v in values.items()})
    return out


def render(text: str | None, values: dict[str, str], *, html: bool = False) -> str:
    """Replace every token by its value (escaped in HTML); an unknown one by nothing."""
    if not text:
        return ""

    def value(match: re.Match) -> str:
        v = values.get(match.group(1), "")
        return str(escape(v)).replace("\n", "<br>") if html else v

    return TOKEN_RE.sub(value, text)


def _chunks(items: list[int], size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]
