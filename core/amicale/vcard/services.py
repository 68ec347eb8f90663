"""vCard files (RFC 6350): contacts written as vCard 4.0, vCard 3.0 and 4.0 files read into
contact input, and an import that creates, updates or skips contacts found by email.

Decisions: ``KIND`` is ``individual``, ``org`` for an organisation and ``group`` for a household
(RFC 6350 §6.1.4: "a group of persons or entities"; a card of kind group that lists ``MEMBER``s
is a contact list and is not imported). ``UID`` is a ``urn:uuid`` derived from the contact's
number and creation time, so it stays the same for the contact's life and differs between two
databases. ``TEL`` is written as a ``tel:`` URI (``VALUE=uri``, what RFC 6350 §6.4.1 asks for).
``ADR`` carries the street lines in its street component and the country's English name.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

import vobject
from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from ..contacts.models import Contact, ContactType, Email
from ..contacts.normalise import PhoneError, fold, is_country_code, normalise_phone
from ..contacts.services import contact_details, create_contact, update_contact
from ..errors import DomainError, ValidationError
from ..organisation.services import get_setting

CHUNK = 500  # contacts per round of queries while writing, emails per IN list while importing
ON_DUPLICATE = ("skip", "update", "create")
MEDIA_TYPE = "text/vcard; charset=utf-8"

KINDS = {
    ContactType.INDIVIDUAL.value: "individual",
    ContactType.ORGANIZATION.value: "org",
    ContactType.HOUSEHOLD.value: "group",
}
GENDER_CODES = {"female": "F", "male": "M", "other": "O"}
UID_NAMESPACE = uuid.UUID("6f0c3b7e-2a1d-5c0e-9a55-616d6963616c")  # fixed: the UIDs stay put


# -- writing -------------------------------------------------------------------------------------


def escape(value: str) -> str:
    """A text value as RFC 6350 §3.4 wants it: backslash, comma, semicolon, newline escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", "\\n")
    )


def fold_line(line: str) -> str:
    """One content line folded at 75 octets (a continuation's leading space counts), never
    inside a multi-byte character, ended by CRLF."""
    if len(line.encode("utf-8")) <= 75:
        return line + "\r\n"
    parts: list[str] = []
    current: list[str] = []
    size, limit = 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, 74
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts) + "\r\n"


def _property(name: str, value: str, params: Iterable[tuple[str, str]] = ()) -> str:
    head = name + "".join(f";{k}={v}" for k, v in params)
    return fold_line(f"{head}:{value}")


def _structured(*components: str | None) -> str:
    return ";".join(escape(c or "") for c in components)


def contact_uid(contact: Contact) -> str:
    created = contact.created_at.replace(tzinfo=None).isoformat() if contact.created_at else ""
    return f"urn:uuid:{uuid.uuid5(UID_NAMESPACE, f'amicale:contact:{contact.id}:{created}')}"


def _location_param(location_type: str) -> list[tuple[str, str]]:
    return [("TYPE", location_type.lower())] if location_type in ("Home", "Work") else []


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y%m%dT%H%M%SZ")


def write_vcard(contact: Contact, details: dict[str, list]) -> str:
    """One contact, with its details from ``contact_details``, as a vCard 4.0."""
    kind = KINDS.get(contact.contact_type, "individual")
    out = [_property("BEGIN", "VCARD"), _property("VERSION", "4.0")]
    out.append(_property("UID", contact_uid(contact)))
    out.append(_property("KIND", kind))
    out.append(_property("FN", escape(contact.display_name or f"#{contact.id}")))
    if kind == "individual":
        out.append(
            _property(
                "N",
                _structured(
                    contact.last_name,
                    contact.first_name,
                    contact.middle_name,
                    contact.prefix,
                    contact.suffix,
                ),
            )
        )
    if contact.nick_name:
        out.append(_property("NICKNAME", escape(contact.nick_name)))
    if kind == "org" and contact.organization_name:
        out.append(_property("ORG", _structured(contact.organization_name)))
    if kind == "individual":
        if contact.job_title:
            out.append(_property("TITLE", escape(contact.job_title)))
        if contact.birth_date:
            b = contact.birth_date
            out.append(_property("BDAY", f"{b.year:04d}{b.month:02d}{b.day:02d}"))
        if contact.gender in GENDER_CODES:
            out.append(_property("GENDER", GENDER_CODES[contact.gender]))
    if contact.preferred_language:
        out.append(_property("LANG", escape(contact.preferred_language.replace("_", "-"))))
    for e in details.get("emails", []):
        params = _location_param(e.location_type) + ([("PREF", "1")] if e.is_primary else [])
        out.append(_property("EMAIL", escape(e.email), params))
    for p in details.get("phones", []):
        types = {"Mobile": "cell", "Fax": "fax"}.get(p.phone_type, "voice")
        if p.location_type in ("Home", "Work"):
            types += "," + p.location_type.lower()
        params = [("VALUE", "uri"), ("TYPE", types)] + ([("PREF", "1")] if p.is_primary else [])
        out.append(_property("TEL", f"tel:{p.phone_normalized or p.phone}", params))
    for a in details.get("addresses", []):
        street = "\n".join(
            line
            for line in (a.street_address, a.supplemental_address_1, a.supplemental_address_2)
            if line
        )
        params = _location_param(a.location_type) + ([("PREF", "1")] if a.is_primary else [])
        value = _structured(
            "", "", street, a.city, a.state_province, a.postal_code, _country_name(a.country)
        )
        out.append(_property("ADR", value, params))
    for w in details.get("websites", []):
        params = [("TYPE", "work")] if w.website_type == "Work" else []
        out.append(_property("URL", w.url, params))
    if contact.modified_at:
        out.append(_property("REV", _timestamp(contact.modified_at)))
    out.append(_property("END", "VCARD"))
    return "".join(out)


def _ids_to_write(session: Session, contacts: Select | Iterable[int]) -> list[int]:
    if isinstance(contacts, Select):
        wanted = contacts.subquery()
        return list(
            session.execute(
                select(Contact.id)
                .where(
                    Contact.id.in_(select(wanted.c[0])),
                    Contact.is_deleted.is_(False),
                )
                .order_by(Contact.sort_name, Contact.id)
            ).scalars()
        )
    return list(dict.fromkeys(int(i) for i in contacts))


def write_vcards(session: Session, contacts: Select | Iterable[int]) -> Iterator[str]:
    """vCard 4.0 text of many contacts, one card each, by chunks of ``CHUNK`` contacts with
    five queries per chunk. ``contacts`` is a list of ids (kept in its order, trashed
    contacts included) or a query of one id column (trashed contacts left out, by name)."""
    ids = _ids_to_write(session, contacts)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        found = {
            c.id: c for c in session.execute(select(Contact).where(Contact.id.in_(chunk))).scalars()
        }
        details = contact_details(session, list(found))
        yield "".join(write_vcard(found[i], details[i]) for i in chunk if i in found)


# -- countries -----------------------------------------------------------------------------------

_NAME_LOCALES = ("en", "fr", "de", "es", "it", "nl", "pt")
_COUNTRY_ALIASES = {"usa": "US", "uk": "GB", "great britain": "GB", "england": "GB"}


def _country_name(code: str | None) -> str:
    if not code:
        return ""
    from babel import Locale

    return Locale("en").territories.get(code.upper(), code.upper())


@cache
def _countries_by_name() -> dict[str, str]:
    import pycountry
    from babel import Locale

    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name", "alpha_3"):
            value = getattr(country, attr, None)
            if value:
                names[fold(value)] = country.alpha_2
    for locale in _NAME_LOCALES:
        for code, name in Locale(locale).territories.items():
            if len(code) == 2 and code.isalpha() and is_country_code(code):
                names.setdefault(fold(name), code)
    names.update(_COUNTRY_ALIASES)
    return names


def country_code(value: str | None) -> str | None:
    """An ISO alpha-2 code for a code or a country name (English, French and a few more
    languages; accents and case do not matter); None when unknown."""
    value = (value or "").strip()
    if not value:
        return None
    if len(value) == 2 and is_country_code(value):
        return value.upper()
    return _countries_by_name().get(fold(value).strip(" ."))


# -- reading -------------------------------------------------------------------------------------


@dataclass
class ReadCard:
    """A readable card: its number in the file (from 1), its name, the contact input for
    ``create_contact`` and what could not be kept."""

    number: int
    name: str
    data: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    @property
    def emails(self) -> list[str]:
        return [e["email"] for e in self.data.get("emails", [])]


@dataclass
class CardError:
    """A card that cannot be read or was refused: its number, its name if known, why."""

    number: int
    name: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "name": self.name, "reason": self.reason}


_BEGIN = re.compile(r"^(?:[\w-]+\.)?BEGIN:VCARD\s*$", re.IGNORECASE)
_END = re.compile(r"^(?:[\w-]+\.)?END:VCARD\s*$", re.IGNORECASE)
_FN = re.compile(r"^(?:[\w-]+\.)?FN[;:](?:[^:]*:)?(.*)$", re.IGNORECASE)


def _split_cards(text: str) -> list[tuple[int, str | None, str]]:
    """(number, text of the card or None when it does not end, its FN line) of each card."""
    cards: list[tuple[int, str | None, str]] = []
    current: list[str] | None = None
    for line in text.lstrip("\ufeff").splitlines():
        if _BEGIN.match(line):
            if current is not None:
                cards.append((len(cards) + 1, None, _guess_name(current)))
            current = [line]
        elif current is not None:
            current.append(line)
            if _END.match(line):
                cards.append((len(cards) + 1, "\r\n".join(current) + "\r\n", _guess_name(current)))
                current = None
    if current is not None:
        cards.append((len(cards) + 1, None, _guess_name(current)))
    return cards


def _guess_name(lines: list[str]) -> str:
    for line in lines:
        found = _FN.match(line)
        if found:
            return found.group(1).replace("\\,", ",").replace("\\;", ";").strip()
    return ""


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v).strip() for v in value if str(v).strip())
    return str(value or "").strip()


def _types(prop: Any) -> set[str]:
    """TYPE values of a property, lower-case, whether listed, comma-joined, or bare (2.1)."""
    found: set[str] = set()
    for key, values in prop.params.items():
        if key.upper() == "TYPE":
            for value in values:
                found.update(v.strip().lower() for v in str(value).split(",") if v.strip())
        elif not values:
            found.add(key.lower())
    found.update(str(p).lower() for p in getattr(prop, "singletonparams", []) or [])
    return found


def _pref(prop: Any) -> int | None:
    """The preference of a property: PREF=1..100 (4.0) or TYPE=pref (3.0); None if none."""
    for key, values in prop.params.items():
        if key.upper() == "PREF" and values:
            try:
                return int(str(values[0]))
            except ValueError:
                return 1
    return 1 if "pref" in _types(prop) else None


def _location(types: set[str]) -> str:
    if "home" in types:
        return "Home"
    if "work" in types:
        return "Work"
    return "Other"


def _phone_type(types: set[str]) -> str:
    if types & {"cell", "mobile", "iphone"}:
        return "Mobile"
    if "fax" in types:
        return "Fax"
    return "Phone"


def _mark_primary(rows: list[dict], prefs: list[int | None]) -> None:
    ranked = [(p, i) for i, p in enumerate(prefs) if p is not None]
    if ranked:
        rows[min(ranked)[1]]["is_primary"] = True


def _props(card: Any, *names: str) -> list[Any]:
    found = []
    for name in names:
        found.extend(card.contents.get(name.lower(), []))
    return found


def _first(card: Any, *names: str) -> str:
    for prop in _props(card, *names):
        value = _text(prop.value)
        if value:
            return value
    return ""


def _birth_date(value: str) -> str | None:
    """ISO date of a BDAY (``19800415``, ``1980-04-15``, ``1980-04-15T00:00:00Z``); None for
    a date without a year (``--0415``) or anything else."""
    value = value.strip()
    found = re.match(r"^(\d{4})-?(\d{2})-?(\d{2})(?:T.*)?$", value)
    if not found:
        return None
    try:
        return date(*(int(g) for g in found.groups())).isoformat()
    except ValueError:
        return None


def _card_to_contact(card: Any, number: int, name: str) -> ReadCard | CardError:
    warnings: list[str] = []
    kind = (_first(card, "KIND", "X-ADDRESSBOOKSERVER-KIND") or "individual").lower()
    if kind == "group" and _props(card, "MEMBER", "X-ADDRESSBOOKSERVER-MEMBER"):
        return CardError(number, name, _("This card is a list of contacts, not a contact."))
    if kind == "location":
        return CardError(number, name, _("This card describes a place, not a contact."))
    if _first(card, "X-ABSHOWAS").upper() == "COMPANY":
        kind = "org"
    fn = _first(card, "FN")
    data: dict[str, Any] = {}
    if kind == "org":
        org = card.contents.get("org")
        org_value = org[0].value if org else ""
        org_name = _text(org_value[0] if isinstance(org_value, list) and org_value else org_value)
        data["contact_type"] = ContactType.ORGANIZATION.value
        data["organization_name"] = org_name or fn
    elif kind == "group":
        data["contact_type"] = ContactType.HOUSEHOLD.value
        data["household_name"] = fn
    else:
        data["contact_type"] = ContactType.INDIVIDUAL.value
        n = card.contents.get("n")
        if n and isinstance(n[0].value, vobject.vcard.Name):
            value = n[0].value
            for key, part in (
                ("last_name", value.family),
                ("first_name", value.given),
                ("middle_name", value.additional),
                ("prefix", value.prefix),
                ("suffix", value.suffix),
            ):
                text = _text(part).replace(", ", " ")
                if text:
                    data[key] = text
        if not (data.get("first_name") or data.get("last_name")) and fn:
            first, _sep, last = fn.rpartition(" ")
            data["last_name"] = last
            if first:
                data["first_name"] = first
        title = _first(card, "TITLE")
        if title:
            data["job_title"] = title
        bday = _first(card, "BDAY")
        if bday:
            birth = _birth_date(bday)
            if birth:
                data["birth_date"] = birth
            else:
                warnings.append(_("Birth date left out: %(value)s", value=bday))
        gender = (_first(card, "GENDER", "X-GENDER").split(";")[0] or "").strip().lower()
        gender = {"f": "female", "m": "male", "o": "other"}.get(gender, gender)
        if gender in GENDER_CODES:
            data["gender"] = gender
    nick = _first(card, "NICKNAME")
    if nick:
        data["nick_name"] = nick.split(",")[0].strip()
    lang = _first(card, "LANG")
    if lang:
        data["preferred_language"] = lang.split("-")[0].split("_")[0].lower()[:10]

    emails, prefs, seen = [], [], set()
    for prop in _props(card, "EMAIL"):
        address = _text(prop.value).removeprefix("mailto:").lower()
        if not address or address in seen:
            continue
        seen.add(address)
        emails.append(
            {"email": address, "location_type": _location(_types(prop)), "is_primary": False}
        )
        prefs.append(_pref(prop))
    if emails:
        _mark_primary(emails, prefs)
        data["emails"] = emails

    phones, prefs = [], []
    for prop in _props(card, "TEL"):
        number_text = _text(prop.value)
        if number_text.lower().startswith("tel:"):
            number_text = number_text[4:].split(";")[0]
        if not number_text:
            continue
        types = _types(prop)
        phones.append(
            {
                "phone": number_text,
                "phone_type": _phone_type(types),
                "location_type": _location(types),
                "is_primary": False,
            }
        )
        prefs.append(_pref(prop))
    if phones:
        _mark_primary(phones, prefs)
        data["phones"] = phones

    addresses, prefs = [], []
    for prop in _props(card, "ADR"):
        value = prop.value
        if not isinstance(value, vobject.vcard.Address):
            continue
        lines = [
            line.strip()
            for part in (value.street, value.extended, value.box)
            for line in _text(part).split("\n")
            if line.strip()
        ]
        row: dict[str, Any] = {"location_type": _location(_types(prop)), "is_primary": False}
        if lines:
            row["street_address"] = lines[0]
        if len(lines) > 1:
            row["supplemental_address_1"] = lines[1]
        if len(lines) > 2:
            row["supplemental_address_2"] = ", ".join(lines[2:])
        for key, part in (
            ("city", value.city),
            ("state_province", value.region),
            ("postal_code", value.code),
        ):
            if _text(part):
                row[key] = _text(part)
        country_text = _text(value.country)
        if country_text:
            code = country_code(country_text)
            if code:
                row["country"] = code
            else:
                warnings.append(_("Unknown country left out: %(value)s", value=country_text))
        if len(row) > 2:
            addresses.append(row)
            prefs.append(_pref(prop))
    if addresses:
        _mark_primary(addresses, prefs)
        data["addresses"] = addresses

    websites = []
    for prop in _props(card, "URL"):
        url = _text(prop.value).replace("\\:", ":")  # Google escapes the colon
        if not url:
            continue
        if "://" not in url and re.match(r"^[\w-]+(\.[\w-]+)+(/.*)?$", url):
            url = "https://" + url
        if not url.lower().startswith(("http://", "https://")):
            warnings.append(_("Web address left out: %(value)s", value=url))
            continue
        website_type = "Work" if "work" in _types(prop) else "Main"
        websites.append({"url": url, "website_type": website_type})
    if websites:
        data["websites"] = websites
    return ReadCard(number, name or fn, data, warnings)


def read_vcards(text: str) -> list[ReadCard | CardError]:
    """Every card of a vCard 3.0 or 4.0 file, in order: the contact input of each readable
    card, or why a card cannot be read (none is left out silently)."""
    out: list[ReadCard | CardError] = []
    for number, card_text, name in _split_cards(text):
        if card_text is None:
            out.append(CardError(number, name, _("The card does not end (END:VCARD missing).")))
            continue
        try:
            card = vobject.readOne(card_text, ignoreUnreadable=False)
        except Exception as exc:  # vobject raises many kinds of errors on a damaged card
            out.append(
                CardError(number, name, _("The card cannot be read: %(error)s", error=str(exc)))
            )
            continue
        try:
            out.append(_card_to_contact(card, number, name))
        except Exception as exc:  # a property vobject read but in a shape we did not expect
            out.append(
                CardError(number, name, _("The card cannot be read: %(error)s", error=str(exc)))
            )
    return out


# -- importing -----------------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)  # {number, name, contact_id}
    rejected: list[CardError] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)  # {number, name, message}

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "skipped": len(self.skipped),
            "rejected": len(self.rejected),
            "created_ids": self.created,
            "updated_ids": self.updated,
            "skipped_cards": self.skipped,
            "rejected_cards": [r.as_dict() for r in self.rejected],
            "warnings": self.warnings,
        }


def _contacts_by_email(session: Session, emails: set[str]) -> dict[str, int]:
    """{email: contact id} of the contacts not in the trash that have one of ``emails``."""
    found: dict[str, int] = {}
    ordered = sorted(emails)
    for start in range(0, len(ordered), CHUNK):
        rows = session.execute(
            select(Email.email, Email.contact_id)
            .join(Contact, Contact.id == Email.contact_id)
            .where(Email.email.in_(ordered[start : start + CHUNK]), Contact.is_deleted.is_(False))
            .order_by(Email.contact_id)
        )
        for email, contact_id in rows:
            found.setdefault(email, contact_id)
    return found


_DETAIL_FIELDS = {
    "emails": ("email", "location_type", "is_primary", "on_hold"),
    "phones": ("phone", "phone_type", "location_type", "is_primary"),
    "websites": ("url", "website_type"),
}


def _merged_details(region: str, card: dict, current: dict) -> dict:
    """The card's details added to the contact's own (none removed, the primaries kept)."""
    merged: dict[str, list[dict]] = {}
    for kind in ("emails", "phones", "addresses", "websites"):
        if kind not in card:
            continue
        rows = sorted(current.get(kind, []), key=lambda r: r.id)
        if kind == "addresses":
            keep = [r.model_dump(exclude={"id", "contact_id"}) for r in rows]
        else:
            keep = [{f: getattr(r, f) for f in _DETAIL_FIELDS[kind]} for r in rows]
        known = {_detail_key(kind, r, region) for r in keep}
        for row in card[kind]:
            key = _detail_key(kind, row, region)
            if key in known:
                continue
            known.add(key)
            keep.append({**row, "is_primary": False} if kind != "websites" else row)
        merged[kind] = keep
    return merged


def _detail_key(kind: str, row: dict, region: str) -> Any:
    if kind == "emails":
        return row["email"].lower()
    if kind == "phones":
        try:
            return normalise_phone(row["phone"], region)[1]
        except PhoneError:
            return row["phone"]
    if kind == "websites":
        return row["url"].rstrip("/").lower()
    return tuple(
        fold(row.get(f) or "") for f in ("street_address", "postal_code", "city", "country")
    )


def _reason(exc: DomainError) -> str:
    details = [f"{f}: {' '.join(m)}" if f else " ".join(m) for f, m in (exc.errors or {}).items()]
    return " ".join([exc.message, *details]) if details else exc.message


def import_vcards(
    session: Session, text: str, *, on_duplicate: str = "skip", user_id: int | None = None
) -> ImportReport:
    """Make a contact of every readable card, each in its own savepoint (in the caller's
    transaction: the caller commits). A card sharing an email with a contact (or with an
    earlier card) is skipped, added to that contact (``update``: the card's fields replace,
    its details are added) or made a new contact anyway (``create``). Refused cards change
    nothing and are listed with the reason. ValidationError when the text holds no card."""
    if on_duplicate not in ON_DUPLICATE:
        raise ValidationError(_("Choose what to do with duplicates."), field="on_duplicate")
    cards = read_vcards(text)
    if not cards:
        raise ValidationError(_("This file holds no vCard."), field="file")
    report = ImportReport()
    readable = [c for c in cards if isinstance(c, ReadCard)]
    by_email = _contacts_by_email(session, {e for c in readable for e in c.emails})
    current: dict[int, dict] = {}
    if on_duplicate == "update":
        current = contact_details(session, sorted(set(by_email.values())))
    region = (get_setting(session, "organisation.country") or "FR").upper()
    for card in cards:
        if isinstance(card, CardError):
            report.rejected.append(card)
            continue
        match = next((by_email[e] for e in card.emails if e in by_email), None)
        if match is not None and on_duplicate == "skip":
            report.skipped.append({"number": card.number, "name": card.name, "contact_id": match})
            continue
        try:
            with session.begin_nested():
                if match is not None and on_duplicate == "update":
                    if match not in current:
                        current.update(contact_details(session, [match]))
                    data = {k: v for k, v in card.data.items() if k != "contact_type"}
                    data.update(_merged_details(region, card.data, current.pop(match)))
                    contact_id = update_contact(session, match, data, user_id=user_id).id
                    report.updated.append(contact_id)
                else:
                    contact_id = create_contact(session, card.data, user_id=user_id).id
                    report.created.append(contact_id)
        except DomainError as exc:
            report.rejected.append(CardError(card.number, card.name, _reason(exc)))
            continue
        except SQLAlchemyError as exc:
            report.rejected.append(
                CardError(
                    card.number,
                    card.name,
                    _(
                        "The database refused this card: %(error)s",
                        error=str(getattr(exc, "orig", None) or exc),
                    ),
                )
            )
            continue
        for message in card.warnings:
            report.warnings.append({"number": card.number, "name": card.name, "message": message})
        for email in card.emails:
            by_email.setdefault(email, contact_id)
    return report
