"""The rules of contacts: create, update, trash, restore, delete for good; details with one
primary each; subtypes; search words; the change log of every write."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow.experimental.context import Context
from sqlalchemy import delete, func, insert, select
from sqlmodel import Session

from ..changelog.services import record
from ..clock import utcnow
from ..customfields import services as custom
from ..errors import NotFound, ValidationError
from ..organisation.services import get_setting
from ..validation import load_input
from .models import (
    Address,
    Contact,
    ContactSearchToken,
    ContactSubtype,
    ContactSubtypeLink,
    ContactType,
    Email,
    Phone,
    Website,
)
from .normalise import PhoneError, is_country_code, normalise_phone, search_words
from .schemas import ContactSchema

DETAILS = {"emails": Email, "phones": Phone, "addresses": Address, "websites": Website}
ENTITY_NAMES = {"emails": "email", "phones": "phone", "addresses": "address", "websites": "website"}
CONTACT_FIELDS = [
    c
    for c in Contact.model_fields
    if c not in {"id", "display_name", "sort_name", "created_at", "modified_at", "is_deleted"}
]


def _hooks():
    from ..plugins import hook

    return hook


def parse(session: Session, data: dict, *, partial: bool = False) -> dict:
    """Validate input with the contact schema; ValidationError with every field's message."""
    with Context({"region": _region(session)}):
        return load_input(ContactSchema(), data, partial=partial)


def get_contact(session: Session, contact_id: int, *, include_deleted: bool = True) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None or (contact.is_deleted and not include_deleted):
        raise NotFound(str(_l("No contact with the number %(id)s.", id=contact_id)))
    return contact


def _region(session: Session) -> str:
    return (get_setting(session, "organisation.country") or "FR").upper()


def _clean_details(session: Session, values: dict) -> dict[str, list[dict]]:
    """Normalise phones, check countries, make exactly one primary per kind."""
    errors: dict[str, list[str]] = {}
    region = _region(session)
    cleaned: dict[str, list[dict]] = {}
    for kind in DETAILS:
        rows = values.get(kind)
        if rows is None:
            continue
        rows = [dict(r) for r in rows]
        for i, row in enumerate(rows):
            if kind == "emails":
                row["email"] = row["email"].strip().lower()
            elif kind == "phones":
                try:
                    row["phone"], row["phone_normalized"] = normalise_phone(row["phone"], region)
                except PhoneError:
                    errors[f"phones.{i}.phone"] = [
                        str(
                            _l(
                                "This is not a valid phone number (region %(region)s).",
                                region=region,
                            )
                        )
                    ]
            elif kind == "addresses":
                country = (row.get("country") or "").strip().upper() or None
                if country and not is_country_code(country):
                    errors[f"addresses.{i}.country"] = [
                        str(
                            _l(
                                "Unknown country code %(code)s (use ISO codes such as FR, BE, CH).",
                                code=country,
                            )
                        )
                    ]
                row["country"] = country
            row.pop("id", None)
        if kind != "websites":
            primaries = [r for r in rows if r.get("is_primary")]
            if len(primaries) > 1:
                errors[f"{kind}.is_primary"] = [str(_l("Only one can be the primary one."))]
            for j, row in enumerate(rows):
                row["is_primary"] = (row is primaries[0]) if primaries else j == 0
        cleaned[kind] = rows
    emails = [r["email"] for r in cleaned.get("emails", [])]
    if len(emails) != len(set(emails)):
        errors["emails"] = [str(_l("The same email is given twice."))]
    if errors:
        raise ValidationError(str(_l("Some fields are not valid.")), errors=errors)
    return cleaned


def _check_names(contact: Contact) -> None:
    required = {
        ContactType.INDIVIDUAL: None,
        ContactType.ORGANIZATION: "organization_name",
        ContactType.HOUSEHOLD: "household_name",
    }[ContactType(contact.contact_type)]
    if required and not (getattr(contact, required) or "").strip():
        raise ValidationError(str(_l("A name is needed.")), field=required)
    if contact.contact_type == ContactType.INDIVIDUAL and not (
        (contact.first_name or "").strip() or (contact.last_name or "").strip()
    ):
        raise ValidationError(str(_l("Give a first name or a last name.")), field="last_name")


def _resolve_subtypes(session: Session, names: Iterable[str], contact_type: str) -> list[int]:
    names = [n for n in dict.fromkeys(names) if n]
    if not names:
        return []
    rows = (
        session.execute(
            select(ContactSubtype).where(ContactSubtype.name.in_(names), ContactSubtype.is_active)
        )
        .scalars()
        .all()
    )
    by_name = {r.name: r for r in rows}
    wrong = [n for n in names if n not in by_name or by_name[n].contact_type != contact_type]
    if wrong:
        raise ValidationError(
            str(_l("Unknown subtype for this kind of contact: %(names)s", names=", ".join(wrong))),
            field="subtypes",
        )
    return [by_name[n].id for n in names]


def _write_tokens(session: Session, contact: Contact) -> None:
    session.execute(delete(ContactSearchToken).where(ContactSearchToken.contact_id == contact.id))
    words = search_words(
        contact.first_name,
        contact.last_name,
        contact.middle_name,
        contact.nick_name,
        contact.organization_name,
        contact.household_name,
        contact.legal_name,
    )
    if words:
        session.execute(
            insert(ContactSearchToken),
            [{"token": w, "contact_id": contact.id} for w in sorted(words)],
        )


def _subtype_names(session: Session, contact_id: int) -> list[str]:
    return list(
        session.execute(
            select(ContactSubtype.name)
            .join(ContactSubtypeLink, ContactSubtypeLink.subtype_id == ContactSubtype.id)
            .where(ContactSubtypeLink.contact_id == contact_id)
            .order_by(ContactSubtype.name)
        ).scalars()
    )


DETAIL_KEYS = {"emails": "email", "phones": "phone_normalized", "websites": "url"}


def _replace_details(
    session: Session, contact: Contact, kind: str, rows: list[dict], user_id: int | None
) -> None:
    """Make the contact's list of ``kind`` equal to ``rows``: a row whose value already exists
    keeps its record; others take the place of the records that are gone, then are added or
    deleted. Each change goes to the change log."""
    model = DETAILS[kind]
    entity = ENTITY_NAMES[kind]
    existing = list(
        session.execute(
            select(model).where(model.contact_id == contact.id).order_by(model.id)
        ).scalars()
    )
    fields = [f for f in model.model_fields if f not in {"id", "contact_id"}]
    key = DETAIL_KEYS.get(kind)
    pairs: list[tuple[Any, dict]] = []
    unmatched_rows = list(rows)
    free = list(existing)
    if key:
        for row in rows:
            match = next((e for e in free if getattr(e, key) == row.get(key)), None)
            if match is not None:
                pairs.append((match, row))
                free.remove(match)
                unmatched_rows.remove(row)
    pairs.extend(zip(free, unmatched_rows, strict=False))
    reused = len(free) if len(free) < len(unmatched_rows) else len(unmatched_rows)
    added, removed = unmatched_rows[reused:], free[reused:]
    for current, row in pairs:
        changes = {f: (getattr(current, f), row[f]) for f in fields if f in row}
        for f, (_old, new) in changes.items():
            setattr(current, f, new)
        record(
            session,
            contact_id=contact.id,
            entity=entity,
            entity_id=current.id,
            action="update",
            changes=changes,
            user_id=user_id,
        )
    for row in added:
        obj = model(contact_id=contact.id, **{f: row[f] for f in fields if f in row})
        session.add(obj)
        session.flush()
        record(
            session,
            contact_id=contact.id,
            entity=entity,
            entity_id=obj.id,
            action="create",
            changes={
                f: (None, getattr(obj, f))
                for f in fields
                if getattr(obj, f) not in (None, False, "")
            },
            user_id=user_id,
        )
    for current in removed:
        record(
            session,
            contact_id=contact.id,
            entity=entity,
            entity_id=current.id,
            action="delete",
            changes={
                f: (getattr(current, f), None)
                for f in fields
                if getattr(current, f) not in (None, False, "")
            },
            user_id=user_id,
        )
        session.delete(current)


def contact_by_email(session: Session, email: str | None) -> Contact | None:
    """The contact a public page's visitor is, by the duplicate rule of the public pages: the
    oldest contact not in the trash with this email address (case ignored); None when nobody
    has it."""
    if not email:
        return None
    contact_id = session.scalar(
        select(func.min(Email.contact_id))
        .join(Contact, Contact.id == Email.contact_id)
        .where(func.lower(Email.email) == email.strip().lower(), Contact.is_deleted.is_(False))
    )
    return session.get(Contact, contact_id) if contact_id is not None else None


def create_contact(session: Session, data: dict, *, user_id: int | None = None) -> Contact:
    """Create a contact with its details, subtypes and custom values, in the caller's
    transaction (the caller commits)."""
    values = parse(session, data)
    details = _clean_details(session, values)
    contact = Contact(**{k: values[k] for k in CONTACT_FIELDS if k in values})
    contact.contact_type = ContactType(contact.contact_type).value
    _check_names(contact)
    subtype_ids = _resolve_subtypes(session, values.get("subtypes") or [], contact.contact_type)
    customs = custom.validate_values(
        session,
        "contact",
        values.get("custom"),
        contact_type=contact.contact_type,
        subtypes=tuple(values.get("subtypes") or ()),
        creating=True,
    )
    if contact.external_identifier:
        _check_external_identifier(session, contact.external_identifier, None)
    contact.compute_names()
    hook_values = {k: getattr(contact, k) for k in CONTACT_FIELDS}
    _hooks().pre_save(entity="contact", action="create", values=hook_values)
    session.add(contact)
    session.flush()
    record(
        session,
        contact_id=contact.id,
        entity="contact",
        entity_id=contact.id,
        action="create",
        changes={
            f: (None, getattr(contact, f))
            for f in CONTACT_FIELDS
            if getattr(contact, f) not in (None, False, "")
        },
        user_id=user_id,
    )
    for sid in subtype_ids:
        session.add(ContactSubtypeLink(contact_id=contact.id, subtype_id=sid))
    for kind, rows in details.items():
        _replace_details(session, contact, kind, rows, user_id)
    if customs:
        changes = custom.save_values(session, "contact", contact.id, customs)
        record(
            session,
            contact_id=contact.id,
            entity="contact",
            entity_id=contact.id,
            action="create",
            changes={f"custom.{k}": v for k, v in changes.items()},
            user_id=user_id,
        )
    _write_tokens(session, contact)
    session.flush()
    _hooks().post_save(entity="contact", action="create", obj=contact)
    return contact


def _check_external_identifier(session: Session, value: str, contact_id: int | None) -> None:
    other = session.execute(select(Contact.id).where(Contact.external_identifier == value)).scalar()
    if other is not None and other != contact_id:
        raise ValidationError(
            str(_l("Contact %(id)s already has this external identifier.", id=other)),
            field="external_identifier",
        )


def update_contact(
    session: Session, contact_id: int, data: dict, *, user_id: int | None = None
) -> Contact:
    """Change the fields given (details lists, when given, replace the contact's list)."""
    contact = get_contact(session, contact_id)
    values = parse(session, data, partial=True)
    details = _clean_details(session, values)
    before = {f: getattr(contact, f) for f in CONTACT_FIELDS}
    for f in CONTACT_FIELDS:
        if f in values:
            setattr(contact, f, values[f])
    contact.contact_type = before["contact_type"]  # a contact does not change type
    _check_names(contact)
    if contact.external_identifier and contact.external_identifier != before["external_identifier"]:
        _check_external_identifier(session, contact.external_identifier, contact.id)
    subtypes = values.get("subtypes")
    subtype_ids = (
        _resolve_subtypes(session, subtypes, contact.contact_type) if subtypes is not None else None
    )
    customs = None
    if values.get("custom") is not None:
        customs = custom.validate_values(
            session,
            "contact",
            values["custom"],
            contact_type=contact.contact_type,
            subtypes=tuple(
                subtypes if subtypes is not None else _subtype_names(session, contact.id)
            ),
        )
    contact.compute_names()
    changes = {f: (before[f], getattr(contact, f)) for f in CONTACT_FIELDS}
    _hooks().pre_save(
        entity="contact", action="update", values={f: getattr(contact, f) for f in CONTACT_FIELDS}
    )
    contact.modified_at = utcnow()
    record(
        session,
        contact_id=contact.id,
        entity="contact",
        entity_id=contact.id,
        action="update",
        changes=changes,
        user_id=user_id,
    )
    if subtype_ids is not None:
        old = _subtype_names(session, contact.id)
        session.execute(
            delete(ContactSubtypeLink).where(ContactSubtypeLink.contact_id == contact.id)
        )
        for sid in subtype_ids:
            session.add(ContactSubtypeLink(contact_id=contact.id, subtype_id=sid))
        if sorted(old) != sorted(subtypes):
            record(
                session,
                contact_id=contact.id,
                entity="contact",
                entity_id=contact.id,
                action="update",
                changes={"subtypes": (", ".join(sorted(old)), ", ".join(sorted(subtypes)))},
                user_id=user_id,
            )
    for kind, rows in details.items():
        _replace_details(session, contact, kind, rows, user_id)
    if customs:
        changed = custom.save_values(session, "contact", contact.id, customs)
        if changed:
            record(
                session,
                contact_id=contact.id,
                entity="contact",
                entity_id=contact.id,
                action="update",
                changes={f"custom.{k}": v for k, v in changed.items()},
                user_id=user_id,
            )
    _write_tokens(session, contact)
    session.flush()
    _hooks().post_save(entity="contact", action="update", obj=contact)
    return contact


def _set_trashed(session: Session, contact_id: int, trashed: bool, user_id: int | None) -> Contact:
    """Move a contact to the trash or back; logged and announced only when it changes."""
    contact = get_contact(session, contact_id)
    if contact.is_deleted != trashed:
        action = "trash" if trashed else "restore"
        contact.is_deleted = trashed
        contact.modified_at = utcnow()
        record(
            session,
            contact_id=contact.id,
            entity="contact",
            entity_id=contact.id,
            action=action,
            user_id=user_id,
        )
        session.flush()
        _hooks().post_save(entity="contact", action=action, obj=contact)
    return contact


def trash_contact(session: Session, contact_id: int, *, user_id: int | None = None) -> Contact:
    return _set_trashed(session, contact_id, True, user_id)


def restore_contact(session: Session, contact_id: int, *, user_id: int | None = None) -> Contact:
    return _set_trashed(session, contact_id, False, user_id)


def purge_contact(session: Session, contact_id: int, *, user_id: int | None = None) -> None:
    """Delete a contact in the trash for good, with everything that hangs from it."""
    contact = get_contact(session, contact_id)
    if not contact.is_deleted:
        raise ValidationError(
            str(_l("Move the contact to the trash before deleting it for good.")),
            field="is_deleted",
        )
    _hooks().pre_save(entity="contact", action="delete", values={"id": contact.id})
    _hooks().erase_contact(contact_id=contact.id, session=session)
    record(
        session,
        contact_id=contact.id,
        entity="contact",
        entity_id=contact.id,
        action="delete",
        changes={"display_name": (contact.display_name, None)},
        user_id=user_id,
    )
    session.delete(contact)
    session.flush()


def contact_details(session: Session, contact_ids: list[int]) -> dict[int, dict[str, list]]:
    """Emails, phones, addresses and websites of many contacts: one query per kind."""
    out: dict[int, dict[str, list]] = {cid: {k: [] for k in DETAILS} for cid in contact_ids}
    if not contact_ids:
        return out
    for kind, model in DETAILS.items():
        rows = session.execute(
            select(model)
            .where(model.contact_id.in_(contact_ids))
            .order_by(
                model.contact_id,
                model.is_primary.desc() if hasattr(model, "is_primary") else model.id,
                model.id,
            )
        ).scalars()
        for row in rows:
            out[row.contact_id][kind].append(row)
    return out


def primary_email_and_city(
    session: Session, contact_ids: list[int]
) -> tuple[dict[int, str], dict[int, str]]:
    """The primary email and city of many contacts, in two queries (for lists)."""
    if not contact_ids:
        return {}, {}
    emails = dict(
        session.execute(
            select(Email.contact_id, Email.email).where(
                Email.contact_id.in_(contact_ids), Email.is_primary
            )
        ).all()
    )
    cities = dict(
        session.execute(
            select(Address.contact_id, Address.city).where(
                Address.contact_id.in_(contact_ids), Address.is_primary
            )
        ).all()
    )
    return emails, cities


def represent(session: Session, contacts: list[Contact]) -> list[dict[str, Any]]:
    """Contacts as the API shows them: details nested, subtypes, custom values."""
    ids = [c.id for c in contacts]
    details = contact_details(session, ids)
    customs = custom.values_for(session, "contact", ids)
    subtypes: dict[int, list[str]] = {i: [] for i in ids}
    for cid, name in session.execute(
        select(ContactSubtypeLink.contact_id, ContactSubtype.name)
        .join(ContactSubtype, ContactSubtype.id == ContactSubtypeLink.subtype_id)
        .where(ContactSubtypeLink.contact_id.in_(ids))
        .order_by(ContactSubtype.name)
    ):
        subtypes[cid].append(name)
    out = []
    for c in contacts:
        item = c.model_dump()
        item.update(details[c.id])
        item["subtypes"] = subtypes[c.id]
        item["custom"] = customs.get(c.id, {})
        out.append(item)
    return out


# -- subtypes (admin) ----------------------------------------------------------------------------


def list_subtypes(session: Session, contact_type: str | None = None) -> list[ContactSubtype]:
    query = select(ContactSubtype).order_by(ContactSubtype.contact_type, ContactSubtype.label)
    if contact_type:
        query = query.where(ContactSubtype.contact_type == contact_type)
    return list(session.execute(query).scalars())


def create_subtype(session: Session, name: str, label: str, contact_type: str) -> ContactSubtype:
    name = (name or "").strip().lower()
    if not name or not name.replace("_", "").isalnum():
        raise ValidationError(
            str(_l("Use letters, digits and underscores for the name.")), field="name"
        )
    if not (label or "").strip():
        raise ValidationError(str(_l("A label is needed.")), field="label")
    if contact_type not in {t.value for t in ContactType}:
        raise ValidationError(str(_l("Choose a kind of contact.")), field="contact_type")
    if session.execute(select(ContactSubtype).where(ContactSubtype.name == name)).scalar():
        raise ValidationError(str(_l("This name is already used.")), field="name")
    subtype = ContactSubtype(name=name, label=label.strip(), contact_type=contact_type)
    session.add(subtype)
    session.flush()
    return subtype


def trash_contacts(session: Session, contact_ids: list[int], *, user_id: int | None = None) -> int:
    """Move many contacts to the trash at once; returns how many moved."""
    from sqlalchemy import update

    from ..changelog.models import ChangeLog

    ids = list(
        session.execute(
            select(Contact.id).where(Contact.id.in_(contact_ids), Contact.is_deleted.is_(False))
        ).scalars()
    )
    if not ids:
        return 0
    now = utcnow()
    session.execute(
        update(Contact).where(Contact.id.in_(ids)).values(is_deleted=True, modified_at=now)
    )
    session.execute(
        insert(ChangeLog),
        [
            {
                "contact_id": i,
                "entity": "contact",
                "entity_id": i,
                "action": "trash",
                "user_id": user_id,
                "changed_at": now,
            }
            for i in ids
        ],
    )
    session.flush()
    return len(ids)
