"""Importing contacts: a row of the file becomes a contact (with its emails, phones, addresses,
websites, custom values, groups, tags and subtypes), or updates the contact it duplicates, or
is skipped or rejected with a reason.

Speed: the rows are checked in Python with the same rules as the contact form (names, lengths,
emails, phone numbers, countries, options), and the new contacts of a batch are written with one
multi-row INSERT per table (contacts with RETURNING, then details, search words, custom values,
change log, import items), never a statement per row. An update goes through the contacts
service, row by row (duplicates are the minority of a file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError as SchemaError
from marshmallow import validate
from sqlalchemy import Boolean, Integer, String, func, select, text, update
from sqlmodel import Session

from ..changelog.models import ChangeLog
from ..clock import utcnow
from ..contacts import services as contacts
from ..contacts.models import (
    Address,
    Contact,
    ContactSearchToken,
    ContactSubtype,
    ContactSubtypeLink,
    ContactType,
    Email,
    Phone,
    Website,
    contact_names,
)
from ..contacts.normalise import PhoneError, normalise_phone, search_words
from ..customfields import services as custom
from ..customfields.models import CustomField, CustomGroup, CustomValue
from ..errors import DomainError
from .fields import ADDRESS_PARTS, BOOL_FIELDS, DATE_FIELDS, TEXT_FIELDS, contact_fields
from .matching import Incoming
from .models import CREATED, ImportItem, ImportJob
from .reading import BadValue, parse_bool, parse_date, parse_decimal

_SPLIT = re.compile(r"\s*[,;|]\s*")
_email_ok = validate.Email()
_url_ok = validate.URL(schemes={"http", "https"})

GENDER_WORDS = {
    "female": "female",
    "f": "female",
    "femme": "female",
    "mme": "female",
    "mme.": "female",
    "madame": "female",
    "mlle": "female",
    "mademoiselle": "female",
    "mrs": "female",
    "mrs.": "female",
    "ms": "female",
    "ms.": "female",
    "miss": "female",
    "woman": "female",
    "male": "male",
    "m": "male",
    "m.": "male",
    "h": "male",
    "homme": "male",
    "monsieur": "male",
    "mr": "male",
    "mr.": "male",
    "man": "male",
    "other": "other",
    "autre": "other",
    "x": "other",
}
TYPE_WORDS = {
    "individual": ContactType.INDIVIDUAL.value,
    "particulier": ContactType.INDIVIDUAL.value,
    "personne": ContactType.INDIVIDUAL.value,
    "individu": ContactType.INDIVIDUAL.value,
    "organization": ContactType.ORGANIZATION.value,
    "organisation": ContactType.ORGANIZATION.value,
    "structure": ContactType.ORGANIZATION.value,
    "entreprise": ContactType.ORGANIZATION.value,
    "association": ContactType.ORGANIZATION.value,
    "household": ContactType.HOUSEHOLD.value,
    "foyer": ContactType.HOUSEHOLD.value,
    "menage": ContactType.HOUSEHOLD.value,
    "ménage": ContactType.HOUSEHOLD.value,
}
MAX_LENGTHS = {
    name: Contact.__table__.c[name].type.length
    for name in TEXT_FIELDS
    if getattr(Contact.__table__.c[name].type, "length", None)
}
ADDRESS_LENGTHS = {p: Address.__table__.c[p].type.length for p in ADDRESS_PARTS}
CONTACT_COLUMNS = [c.name for c in Contact.__table__.c if c.name != "id"]


@lru_cache(maxsize=65536)
def _phone(raw: str, region: str) -> tuple[str, str] | None:
    try:
        return normalise_phone(raw, region)
    except PhoneError:
        return None


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Country names in French and English (and the codes), accent-free -> ISO code."""
    from babel import Locale

    from ..contacts.normalise import fold

    out: dict[str, str] = {}
    for loc in ("en", "fr"):
        for code, name in Locale.parse(loc).territories.items():
            if len(code) == 2 and code.isalpha():
                out[fold(name)] = code
                out[code.lower()] = code
    return out


@dataclass
class Prepared:
    """A row turned into what a contact is made of."""

    row_number: int
    cells: list
    contact: dict[str, Any] = field(default_factory=dict)
    emails: list[dict] = field(default_factory=list)
    phones: list[dict] = field(default_factory=list)
    addresses: list[dict] = field(default_factory=list)
    websites: list[dict] = field(default_factory=list)
    custom: dict[str, Any] = field(default_factory=dict)
    groups: set[int] = field(default_factory=set)
    tags: set[int] = field(default_factory=set)
    subtypes: list[int] = field(default_factory=list)
    contact_id: int | None = None  # once written
    _incoming: Incoming | None = None

    def incoming(self, names: frozenset[str]) -> Incoming:
        """The row's values of the duplicate rule's fields (made once)."""
        if self._incoming is None:
            c = self.contact
            getters = {
                "email": lambda: [e["email"] for e in self.emails],
                "phone": lambda: [p["phone_normalized"] for p in self.phones],
                "postal_code": lambda: [a.get("postal_code") for a in self.addresses],
                "city": lambda: [a.get("city") for a in self.addresses],
                "street_address": lambda: [a.get("street_address") for a in self.addresses],
            }
            self._incoming = Incoming(
                {n: getters[n]() if n in getters else [c.get(n)] for n in names}, ref=self
            )
        return self._incoming

    def as_input(self) -> dict[str, Any]:
        """The row as the contacts service takes it (for updates)."""
        data = {k: v for k, v in self.contact.items() if k != "contact_type"}
        if self.custom:
            data["custom"] = dict(self.custom)
        return data


class Rejected(Exception):
    pass


class ContactRows:
    """Turns rows into Prepared contacts with a mapping; built once per run (it loads the
    custom fields, groups, tags and subtypes once)."""

    def __init__(
        self, session: Session, headers: list[str], mapping: list[dict], options: dict, dialect
    ) -> None:
        from ..groups.models import Group
        from ..tags.models import Tag

        self.session = session
        self.headers = headers
        self.dialect = dialect
        self.default_type = options.get("contact_type") or ContactType.INDIVIDUAL.value
        self.region = contacts._region(session)
        known = {c.key for c in contact_fields(session)}
        self.entries = []
        for m in mapping:
            key = m["field"]
            if key not in known:
                continue
            values = {str(k).strip().casefold(): v for k, v in (m.get("values") or {}).items()}
            self.entries.append((int(m["column"]), key, values))
        self.custom_fields: dict[str, tuple[CustomField, CustomGroup]] = {
            f.name: (f, g)
            for f, g in session.execute(
                select(CustomField, CustomGroup)
                .join(CustomGroup, CustomGroup.id == CustomField.custom_group_id)
                .where(
                    CustomGroup.extends == "contact", CustomField.is_active, CustomGroup.is_active
                )
            ).all()
        }
        self.groups = {}
        for g in session.execute(select(Group)).scalars():
            self.groups[g.title.casefold()] = g.id
            self.groups[g.name.casefold()] = g.id
        self.tags = {t.name.casefold(): t.id for t in session.execute(select(Tag)).scalars()}
        self.subtypes = {}
        for st in session.execute(select(ContactSubtype).where(ContactSubtype.is_active)).scalars():
            self.subtypes[st.name.casefold()] = st
            self.subtypes[st.label.casefold()] = st
        self.subtype_by_id = {st.id: st for st in self.subtypes.values()}
        self.fixed_groups = set(options.get("groups") or [])
        self.fixed_tags = set(options.get("tags") or [])

    def _header(self, column: int) -> str:
        return self.headers[column] if column < len(self.headers) else str(column + 1)

    def prepare(self, row_number: int, cells: list) -> Prepared | str:
        """A Prepared row, or the reason it is rejected (every problem of the row at once)."""
        p = Prepared(row_number, cells)
        problems: list[str] = []
        addresses: dict[str, dict] = {}
        for column, key, values in self.entries:
            raw = cells[column] if column < len(cells) else ""
            if isinstance(raw, str):
                raw = raw.strip()
            if values:
                mapped = values.get(str(raw).casefold())
                if mapped is not None:
                    raw = mapped.strip() if isinstance(mapped, str) else mapped
            if raw is None or raw == "":
                continue
            try:
                self._assign(p, key, raw, addresses)
            except BadValue as exc:
                problems.append(f"{self._header(column)}: {exc}")
        c = p.contact
        contact_type = c.setdefault("contact_type", self.default_type)
        for loc, parts in addresses.items():
            p.addresses.append({"location_type": loc, **parts})
        for kind in ("emails", "phones", "addresses"):
            for i, item in enumerate(getattr(p, kind)):
                item["is_primary"] = i == 0
        emails = [e["email"] for e in p.emails]
        if len(set(emails)) != len(emails):
            p.emails = list({e["email"]: e for e in reversed(p.emails)}.values())[::-1]
            for i, item in enumerate(p.emails):
                item["is_primary"] = i == 0
        if contact_type == ContactType.INDIVIDUAL:
            if not (c.get("first_name") or c.get("last_name")):
                problems.append(str(_l("Give a first name or a last name.")))
        elif contact_type == ContactType.ORGANIZATION and not c.get("organization_name"):
            problems.append(str(_l("An organisation needs its name.")))
        elif contact_type == ContactType.HOUSEHOLD and not c.get("household_name"):
            problems.append(str(_l("A household needs its name.")))
        subtype_names = []
        for sid in p.subtypes:
            st = self.subtype_by_id[sid]
            if st.contact_type != contact_type:
                problems.append(
                    str(
                        _l(
                            "Unknown subtype for this kind of contact: %(names)s",
                            names=st.label,
                        )
                    )
                )
            subtype_names.append(st.name)
        for name, value in list(p.custom.items()):
            f, g = self.custom_fields[name]
            if not custom._applies(g, contact_type, subtype_names):
                problems.append(
                    str(
                        _l(
                            "The field “%(label)s” does not apply to this kind of contact.",
                            label=f.label,
                        )
                    )
                )
            elif value is None and f.is_required:
                problems.append(str(_l("“%(label)s” is required.", label=f.label)))
        p.groups |= self.fixed_groups
        p.tags |= self.fixed_tags
        if problems:
            return "; ".join(problems)
        p._subtype_names = subtype_names  # type: ignore[attr-defined]
        return p

    def creation_defaults(self, p: Prepared) -> str | None:
        """Defaults of the custom fields the row does not give; the reason to reject it when a
        required one is missing."""
        contact_type = p.contact["contact_type"]
        subtype_names = getattr(p, "_subtype_names", [])
        for name, (f, g) in self.custom_fields.items():
            if name in p.custom or not custom._applies(g, contact_type, subtype_names):
                continue
            if f.default_value is not None:
                try:
                    p.custom[name] = custom._coerce(f, f.default_value)
                    continue
                except custom._Bad:
                    pass
            if f.is_required:
                return str(_l("“%(label)s” is required.", label=f.label))
        return None

    def _assign(self, p: Prepared, key: str, raw: Any, addresses: dict) -> None:
        c = p.contact
        if key in TEXT_FIELDS:
            text = str(raw)
            limit = MAX_LENGTHS.get(key)
            if limit and len(text) > limit:
                raise BadValue(str(_l("Longer than %(n)s characters.", n=limit)))
            c[key] = text
        elif key == "gender":
            value = GENDER_WORDS.get(str(raw).casefold())
            if value is None:
                raise BadValue(
                    str(_l("“%(value)s” is not a gender (female, male, other).", value=raw))
                )
            c[key] = value
        elif key in DATE_FIELDS:
            c[key] = parse_date(raw, self.dialect.date_format)
        elif key in BOOL_FIELDS:
            c[key] = parse_bool(raw)
        elif key == "contact_type":
            value = TYPE_WORDS.get(str(raw).casefold()) or (
                str(raw) if str(raw) in {t.value for t in ContactType} else None
            )
            if value is None:
                raise BadValue(str(_l("“%(value)s” is not a kind of contact.", value=raw)))
            c[key] = value
        elif key.startswith("email:"):
            for text in _SPLIT.split(str(raw)):
                if not text:
                    continue
                email = text.lower()
                try:
                    _email_ok(email)
                except SchemaError:
                    raise BadValue(
                        str(_l("“%(value)s” is not an email address.", value=text))
                    ) from None
                if len(email) > 254:
                    raise BadValue(str(_l("Longer than %(n)s characters.", n=254)))
                p.emails.append(
                    {"email": email, "location_type": key.split(":")[1], "on_hold": False}
                )
        elif key.startswith("phone:"):
            _, loc, kind = key.split(":")
            number = _phone(str(raw), self.region)
            if number is None:
                raise BadValue(
                    str(
                        _l(
                            "This is not a valid phone number (region %(region)s).",
                            region=self.region,
                        )
                    )
                )
            if all(ph["phone_normalized"] != number[1] for ph in p.phones):
                p.phones.append(
                    {
                        "phone": number[0],
                        "phone_normalized": number[1],
                        "phone_type": kind,
                        "location_type": loc,
                    }
                )
        elif key.startswith("address:"):
            _, loc, part = key.split(":")
            text = str(raw)
            if part == "country":
                from ..contacts.normalise import fold

                code = _country_names().get(fold(text))
                if code is None:
                    raise BadValue(str(_l("Unknown country: %(value)s", value=text)))
                text = code
            elif len(text) > ADDRESS_LENGTHS[part]:
                raise BadValue(str(_l("Longer than %(n)s characters.", n=ADDRESS_LENGTHS[part])))
            addresses.setdefault(loc, {})[part] = text
        elif key.startswith("website:"):
            url = str(raw)
            if "://" not in url:
                url = "https://" + url
            try:
                _url_ok(url)
            except SchemaError:
                raise BadValue(str(_l("“%(value)s” is not a web address.", value=raw))) from None
            p.websites.append({"url": url[:255], "website_type": key.split(":")[1]})
        elif key.startswith("custom:"):
            f, _g = self.custom_fields[key.split(":", 1)[1]]
            value: Any = raw
            if f.data_type == "date":
                value = parse_date(raw, self.dialect.date_format)
            elif f.data_type in custom.NUMBER_TYPES:
                value = parse_decimal(raw, self.dialect.decimal)
                if f.data_type == "integer":
                    if value != value.to_integral_value():
                        raise BadValue(str(_l("“%(value)s” is not a whole number.", value=raw)))
                    value = int(value)
            elif f.data_type == "boolean":
                value = parse_bool(raw)
            elif f.data_type == "multiselect" and isinstance(raw, str):
                value = [v for v in _SPLIT.split(raw) if v]
            try:
                p.custom[f.name] = custom._coerce(f, value)
            except custom._Bad as exc:
                raise BadValue(str(exc)) from None
        elif key in ("groups", "tags", "subtypes"):
            names = [n for n in _SPLIT.split(str(raw)) if n]
            table = {"groups": self.groups, "tags": self.tags, "subtypes": self.subtypes}[key]
            unknown = [n for n in names if n.casefold() not in table]
            if unknown:
                message = {
                    "groups": _l("Unknown group: %(names)s"),
                    "tags": _l("Unknown tag: %(names)s"),
                    "subtypes": _l("Unknown contact subtype: %(names)s"),
                }[key]
                raise BadValue(str(message) % {"names": ", ".join(unknown)})
            for n in names:
                found = table[n.casefold()]
                if key == "groups":
                    p.groups.add(found)
                elif key == "tags":
                    p.tags.add(found)
                elif found.id not in p.subtypes:
                    p.subtypes.append(found.id)


# -- writing ------------------------------------------------------------------------------------


def allocate_ids(session: Session, table, n: int) -> list[int]:
    """``n`` new ids for ``table``: from its sequence on PostgreSQL; on SQLite after the
    largest id, which is safe because the caller's transaction has already written (SQLite
    then lets no other connection write until it commits)."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        return list(
            conn.execute(
                text(
                    "SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"
                ),
                {"t": table.name, "n": n},
            ).scalars()
        )
    top = conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    return list(range(top + 1, top + n + 1))


def bulk_insert(session: Session, table, columns: list[str], rows: list[tuple]) -> None:
    """One driver-level executemany of ready tuples (no per-row statement building): the
    values go through the columns' own bind processing (dates, times, decimals)."""
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote
    if dialect.name == "postgresql":
        # COPY: one stream for all the rows (an executemany would cost a round trip per row)
        sql = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        with conn.connection.driver_connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    # texts, numbers and booleans go to the driver as they are; dates, times and decimals
    # through the column's processing (SQLite stores them as texts of a set form)
    procs = [
        None
        if isinstance(table.c[c].type, Boolean | Integer | String)
        else table.c[c].type._cached_bind_processor(dialect)
        for c in columns
    ]
    if any(procs):
        rows = [
            tuple(v if v is None or f is None else f(v) for f, v in zip(procs, row, strict=True))
            for row in rows
        ]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    conn.exec_driver_sql(sql, rows)


DEFAULTS = {
    "is_deceased": False,
    "do_not_email": False,
    "do_not_phone": False,
    "do_not_mail": False,
    "do_not_sms": False,
    "is_opt_out": False,
    "is_deleted": False,
}
EMAIL_COLUMNS = ["contact_id", "email", "location_type", "is_primary", "on_hold"]
PHONE_COLUMNS = [
    "contact_id",
    "phone",
    "phone_normalized",
    "phone_type",
    "location_type",
    "is_primary",
]
ADDRESS_COLUMNS = ["contact_id", "location_type", "is_primary", *ADDRESS_PARTS]
WEBSITE_COLUMNS = ["contact_id", "url", "website_type"]
CUSTOM_COLUMNS = [
    "field_id",
    "entity",
    "entity_id",
    "value_text",
    "value_memo",
    "value_number",
    "value_date",
    "value_contact_id",
]
LOG_COLUMNS = [
    "contact_id",
    "entity",
    "entity_id",
    "action",
    "field",
    "new_value",
    "user_id",
    "changed_at",
]
ITEM_COLUMNS = ["import_id", "row_number", "action", "entity_id"]


def write_new(
    session: Session,
    rows: list[Prepared],
    *,
    custom_fields: dict[str, tuple[CustomField, CustomGroup]],
    import_id: int,
    label: str,
    user_id: int | None,
) -> None:
    """Create the contacts of ``rows`` (already checked) with one executemany per table; sets
    ``contact_id`` on each."""
    if not rows:
        return
    now = utcnow()
    # a first write: on SQLite, the transaction now holds the write lock (see allocate_ids)
    session.execute(
        update(ImportJob.__table__).where(ImportJob.id == import_id).values(heartbeat_at=now)
    )
    ids = allocate_ids(session, Contact.__table__, len(rows))
    columns = ["id", *CONTACT_COLUMNS]
    contact_rows, emails, phones, addresses, websites = [], [], [], [], []
    tokens, customs, links, log, items = [], [], [], [], []
    for p, cid in zip(rows, ids, strict=True):
        p.contact_id = cid
        c = p.contact
        display, sort = contact_names(c)
        values = {**DEFAULTS, **c, "id": cid, "display_name": display, "sort_name": sort}
        values["created_at"] = values["modified_at"] = now
        contact_rows.append(tuple(values.get(name) for name in columns))
        for e in p.emails:
            emails.append((cid, e["email"], e["location_type"], e["is_primary"], False))
        for ph in p.phones:
            phones.append(
                (
                    cid,
                    ph["phone"],
                    ph["phone_normalized"],
                    ph["phone_type"],
                    ph["location_type"],
                    ph["is_primary"],
                )
            )
        for a in p.addresses:
            addresses.append(
                (cid, a["location_type"], a["is_primary"], *(a.get(part) for part in ADDRESS_PARTS))
            )
        for w in p.websites:
            websites.append((cid, w["url"], w["website_type"]))
        for word in sorted(
            search_words(
                c.get("first_name"),
                c.get("last_name"),
                c.get("middle_name"),
                c.get("nick_name"),
                c.get("organization_name"),
                c.get("household_name"),
                c.get("legal_name"),
            )
        ):
            tokens.append((word, cid))
        for name, value in p.custom.items():
            f, _g = custom_fields[name]
            for stored in custom._rows_for(f, value):
                customs.append(
                    (f.id, "contact", cid, *(stored.get(col) for col in CUSTOM_COLUMNS[3:]))
                )
        for sid in p.subtypes:
            links.append((cid, sid))
        log.append((cid, "contact", cid, "create", "import", label, user_id, now))
        items.append((import_id, p.row_number, CREATED, cid))
    bulk_insert(session, Contact.__table__, columns, contact_rows)
    bulk_insert(session, Email.__table__, EMAIL_COLUMNS, emails)
    bulk_insert(session, Phone.__table__, PHONE_COLUMNS, phones)
    bulk_insert(session, Address.__table__, ADDRESS_COLUMNS, addresses)
    bulk_insert(session, Website.__table__, WEBSITE_COLUMNS, websites)
    bulk_insert(session, ContactSearchToken.__table__, ["token", "contact_id"], tokens)
    bulk_insert(session, CustomValue.__table__, CUSTOM_COLUMNS, customs)
    bulk_insert(session, ContactSubtypeLink.__table__, ["contact_id", "subtype_id"], links)
    bulk_insert(session, ChangeLog.__table__, LOG_COLUMNS, log)
    bulk_insert(session, ImportItem.__table__, ITEM_COLUMNS, items)
    from ..plugins import hook

    if hook.post_save.get_hookimpls():
        for p in rows:
            contact = Contact(id=p.contact_id, **p.contact)
            contact.compute_names()
            hook.post_save(entity="contact", action="create", obj=contact)


def _detail_input(item: Any, kind: str) -> dict:
    fields = {
        "emails": ("email", "location_type", "is_primary", "on_hold"),
        "phones": ("phone", "phone_type", "location_type", "is_primary"),
        "addresses": ("location_type", "is_primary", *ADDRESS_PARTS),
        "websites": ("url", "website_type"),
    }[kind]
    return {f: getattr(item, f) if not isinstance(item, dict) else item.get(f) for f in fields}


def update_existing(
    session: Session,
    contact_id: int,
    p: Prepared,
    *,
    custom_fields: dict[str, tuple[CustomField, CustomGroup]],
    fill_only: bool,
    user_id: int | None,
) -> dict[str, Any]:
    """Update a contact from a row (``fill_only``: only what the contact lacks); returns what
    was there before (for undo). Details are added, never removed; an address replaces the one
    of the same location (update) or is added when there is none (both)."""
    contact = contacts.get_contact(session, contact_id)
    data: dict[str, Any] = {}
    before: dict[str, Any] = {"fields": {}, "details": {}, "custom": {}}
    for key, value in p.contact.items():
        if key == "contact_type":
            continue
        current = getattr(contact, key)
        if fill_only and current not in (None, "", False):
            continue
        if current != value:
            data[key] = value
            before["fields"][key] = (
                current.isoformat() if hasattr(current, "isoformat") else current
            )
    existing = contacts.contact_details(session, [contact_id])[contact_id]
    new_lists = {"emails": p.emails, "phones": p.phones, "websites": p.websites}
    keys = {"emails": "email", "phones": "phone_normalized", "websites": "url"}
    for kind, incoming in new_lists.items():
        have = {getattr(x, keys[kind]) for x in existing[kind]}
        added = [x for x in incoming if x[keys[kind]] not in have]
        if added:
            current = [_detail_input(x, kind) for x in existing[kind]]
            for x in added:
                item = _detail_input(x, kind)
                if kind != "websites":
                    item["is_primary"] = False
                current.append(item)
            if kind != "websites" and current and not any(x["is_primary"] for x in current):
                current[0]["is_primary"] = True
            data[kind] = current
            before["details"][kind] = [_detail_input(x, kind) for x in existing[kind]]
    if p.addresses:
        current = [_detail_input(x, "addresses") for x in existing["addresses"]]
        by_location = {a["location_type"]: i for i, a in enumerate(current)}
        changed = False
        for a in p.addresses:
            item = {**{part: None for part in ADDRESS_PARTS}, **a}
            i = by_location.get(a["location_type"])
            if i is None:
                item["is_primary"] = not current
                current.append(item)
                changed = True
            elif not fill_only:
                item["is_primary"] = current[i]["is_primary"]
                if any(current[i].get(k) != item.get(k) for k in ADDRESS_PARTS):
                    current[i] = item
                    changed = True
        if changed:
            data["addresses"] = current
            before["details"]["addresses"] = [
                _detail_input(x, "addresses") for x in existing["addresses"]
            ]
    if p.custom:
        old = custom.values_for(session, "contact", [contact_id]).get(contact_id, {})
        changes = {
            k: v
            for k, v in p.custom.items()
            if not (fill_only and old.get(k) not in (None, [], ""))
        }
        changes = {
            k: v
            for k, v in changes.items()
            if old.get(k) != custom._public(custom_fields[k][0].data_type, v)
        }
        if changes:
            data["custom"] = {k: _as_input(v) for k, v in changes.items()}
            before["custom"] = {k: old.get(k) for k in changes}
    if not data:
        return {}
    contacts.update_contact(session, contact_id, data, user_id=user_id)
    return before


def _as_input(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "as_tuple"):  # Decimal
        return str(value)
    return value


def undo_update(session: Session, contact_id: int, before: dict, *, user_id: int | None) -> None:
    data: dict[str, Any] = dict(before.get("fields") or {})
    data.update(before.get("details") or {})
    if before.get("custom"):
        data["custom"] = before["custom"]
    if data:
        try:
            contacts.update_contact(session, contact_id, data, user_id=user_id)
        except DomainError:
            pass  # the contact changed since in a way that makes the old values invalid
