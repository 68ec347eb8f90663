"""The rules of custom data: defining sets and fields, checking and storing values (typed from
strings too, every error at once), reading them for many records in one query, showing them,
searching on them and counting a field's options."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import force_locale, format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select, update
from sqlmodel import Session

from ..contacts.models import Contact, ContactSubtype, ContactType
from ..errors import NotFound, ValidationError
from ..hooktypes import SearchFilter
from .models import (
    DATA_TYPES,
    NUMBER_TYPES,
    OPTION_TYPES,
    TEXT_MAX_LENGTH,
    CustomField,
    CustomGroup,
    CustomValue,
)

#: The core's entities that accept custom fields; components add theirs with the
#: ``register_custom_field_entities`` hook.
CORE_ENTITIES = {"contact": _l("Contact"), "activity": _l("Activity")}
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MEMO_MAX_LENGTH = 20_000
NUMBER_LIMIT = Decimal("1e15")  # Numeric(20, 4) holds 16 digits before the point
TRUE_WORDS = {"1", "true", "yes", "y", "on", "oui", "o", "vrai"}
FALSE_WORDS = {"0", "false", "no", "n", "off", "non", "faux"}
BATCH = 5000  # ids per IN (...) list


class _Bad(Exception):
    """One value that cannot be used; the message is for the user."""


# -- entities --------------------------------------------------------------------------------


def entities() -> dict[str, str]:
    """``{entity: label}`` of everything that accepts custom fields (core and enabled
    components)."""
    from ..plugins import hook

    out = {k: str(v) for k, v in CORE_ENTITIES.items()}
    for result in hook.register_custom_field_entities():
        for name, label in result or []:
            out[name] = str(label)
    return out


# -- definitions -----------------------------------------------------------------------------


def list_groups(
    session: Session, *, extends: str | None = None, is_active: bool | None = None
) -> list[CustomGroup]:
    query = select(CustomGroup).order_by(CustomGroup.weight, CustomGroup.title, CustomGroup.id)
    if extends:
        query = query.where(CustomGroup.extends == extends)
    if is_active is not None:
        query = query.where(CustomGroup.is_active.is_(is_active))
    return list(session.execute(query).scalars())


def get_group(session: Session, group_id: int) -> CustomGroup:
    group = session.get(CustomGroup, group_id)
    if group is None:
        raise NotFound(_("No set of custom fields with the number %(id)s.", id=group_id))
    return group


def list_fields(
    session: Session, *, custom_group_id: int | None = None, is_active: bool | None = None
) -> list[CustomField]:
    query = select(CustomField).order_by(
        CustomField.custom_group_id, CustomField.weight, CustomField.label, CustomField.id
    )
    if custom_group_id is not None:
        query = query.where(CustomField.custom_group_id == custom_group_id)
    if is_active is not None:
        query = query.where(CustomField.is_active.is_(is_active))
    return list(session.execute(query).scalars())


def get_field(session: Session, field_id: int) -> CustomField:
    field = session.get(CustomField, field_id)
    if field is None:
        raise NotFound(_("No custom field with the number %(id)s.", id=field_id))
    return field


def get_field_by_name(session: Session, name: str) -> CustomField:
    field = session.execute(select(CustomField).where(CustomField.name == name)).scalar()
    if field is None:
        raise NotFound(_("Unknown custom field: %(name)s", name=name), field="field")
    return field


def fields_by_group(session: Session, groups: list[CustomGroup]) -> dict[int, list[CustomField]]:
    """Every field of the given sets, in one query (the admin page)."""
    out: dict[int, list[CustomField]] = {g.id: [] for g in groups}
    if groups:
        for f in session.execute(
            select(CustomField)
            .where(CustomField.custom_group_id.in_(list(out)))
            .order_by(CustomField.weight, CustomField.label, CustomField.id)
        ).scalars():
            out[f.custom_group_id].append(f)
    return out


def _check_name(name: str | None, errors: dict[str, list[str]]) -> None:
    if not name or not NAME_PATTERN.match(name):
        errors.setdefault("name", []).append(
            _("Use lower-case letters, digits and underscores, starting with a letter.")
        )


def _clean_group(
    session: Session, group: CustomGroup, errors: dict[str, list[str]], *, new: bool
) -> None:
    if not (group.title or "").strip():
        errors.setdefault("title", []).append(_("Give the set a title."))
    group.title = (group.title or "").strip()
    # Checked when created only: a set stays editable while its component is disabled.
    if new and group.extends not in entities():
        errors.setdefault("extends", []).append(
            _("Custom fields cannot extend “%(entity)s”.", entity=group.extends)
        )
    if group.extends != "contact":
        if group.extends_contact_type or group.extends_subtypes:
            errors.setdefault("extends_contact_type", []).append(
                _("Only sets for contacts can be limited to a kind of contact.")
            )
        return
    kinds = [t.value for t in ContactType]
    if group.extends_contact_type and group.extends_contact_type not in kinds:
        errors.setdefault("extends_contact_type", []).append(
            _("Choose one of: %(kinds)s.", kinds=", ".join(kinds))
        )
        return
    names = list(dict.fromkeys(n for n in group.extends_subtypes or [] if n))
    group.extends_subtypes = names
    if names:
        if not group.extends_contact_type:
            errors.setdefault("extends_subtypes", []).append(
                _("Choose the kind of contact before its subtypes.")
            )
            return
        known = set(
            session.execute(
                select(ContactSubtype.name).where(
                    ContactSubtype.name.in_(names),
                    ContactSubtype.contact_type == group.extends_contact_type,
                )
            ).scalars()
        )
        wrong = [n for n in names if n not in known]
        if wrong:
            errors.setdefault("extends_subtypes", []).append(
                _(
                    "Unknown subtype for this kind of contact: %(names)s",
                    names=", ".join(wrong),
                )
            )


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        first = next(iter(errors.values()))[0]
        message = first if len(errors) == 1 else _("Some fields are not valid.")
        raise ValidationError(message, errors=errors)


GROUP_FIELDS = (
    "title",
    "extends_contact_type",
    "extends_subtypes",
    "is_active",
    "weight",
    "help_pre",
)


def create_group(session: Session, data: dict[str, Any]) -> CustomGroup:
    """A new set of fields: ``name``, ``title``, ``extends`` (default contact) and the rest."""
    errors: dict[str, list[str]] = {}
    name = (data.get("name") or "").strip()
    _check_name(name, errors)
    group = CustomGroup(
        name=name,
        extends=data.get("extends") or "contact",
        **{k: data[k] for k in GROUP_FIELDS if data.get(k) is not None},
    )
    group.help_pre = (group.help_pre or "").strip() or None
    if name and session.execute(select(CustomGroup.id).where(CustomGroup.name == name)).scalar():
        errors.setdefault("name", []).append(_("Another set already has this name."))
    _clean_group(session, group, errors, new=True)
    _raise(errors)
    session.add(group)
    session.flush()
    return group


def update_group(session: Session, group_id: int, data: dict[str, Any]) -> CustomGroup:
    """Change a set; its ``name`` and the entity it extends stay."""
    group = get_group(session, group_id)
    errors: dict[str, list[str]] = {}
    for key in GROUP_FIELDS:
        if key in data:
            value = data[key]
            if key == "extends_subtypes":
                value = list(value or [])
            elif key in ("is_active",) and value is None:
                continue
            elif key == "weight":
                value = value or 0
            setattr(group, key, value)
    group.help_pre = (group.help_pre or "").strip() or None
    _clean_group(session, group, errors, new=False)
    if errors:
        session.expire(group)
        _raise(errors)
    session.flush()
    return group


def _parse_options(raw: Any, errors: dict[str, list[str]]) -> list[dict[str, str]]:
    options: list[dict[str, str]] = []
    seen: set[str] = set()
    for item in raw or []:
        if isinstance(item, dict):
            value, label = item.get("value"), item.get("label")
        else:
            value, label = item, None
        value = str(value if value is not None else "").strip()
        label = str(label if label is not None else "").strip() or value
        if not value:
            errors.setdefault("options", []).append(_("Every option needs a value."))
            continue
        if len(value) > TEXT_MAX_LENGTH or len(label) > TEXT_MAX_LENGTH:
            errors.setdefault("options", []).append(
                _("An option is longer than %(n)s characters.", n=TEXT_MAX_LENGTH)
            )
            continue
        if value in seen:
            errors.setdefault("options", []).append(
                _("The option “%(value)s” is given twice.", value=value)
            )
            continue
        seen.add(value)
        options.append({"value": value, "label": label})
    return options


def _values_exist(session: Session, field_id: int | None) -> bool:
    if field_id is None:
        return False
    return (
        session.execute(
            select(CustomValue.id).where(CustomValue.field_id == field_id).limit(1)
        ).scalar()
        is not None
    )


def _clean_field(
    session: Session, field: CustomField, data: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    """Check and normalise a field's definition after ``data`` was applied to it."""
    field.label = (field.label or "").strip()
    if not field.label:
        errors.setdefault("label", []).append(_("Give the field a label."))
    if field.data_type not in DATA_TYPES:
        errors.setdefault("data_type", []).append(
            _("Choose one of: %(types)s.", types=", ".join(DATA_TYPES))
        )
        return
    if field.custom_group_id is None or session.get(CustomGroup, field.custom_group_id) is None:
        errors.setdefault("custom_group_id", []).append(
            _("No set of custom fields with the number %(id)s.", id=field.custom_group_id)
        )
    if field.data_type in OPTION_TYPES:
        if "options" in data or field.id is None:
            field.options = _parse_options(data.get("options"), errors)
        if not field.options and "options" not in errors:
            errors.setdefault("options", []).append(_("Give at least one option."))
    elif data.get("options"):
        errors.setdefault("options", []).append(_("Only select fields have options."))
    else:
        field.options = None
    if field.data_type == "text":
        if field.max_length is None:
            field.max_length = TEXT_MAX_LENGTH
        elif not 1 <= field.max_length <= TEXT_MAX_LENGTH:
            errors.setdefault("max_length", []).append(
                _("Between 1 and %(n)s characters.", n=TEXT_MAX_LENGTH)
            )
    elif data.get("max_length"):
        errors.setdefault("max_length", []).append(_("Only text fields have a maximum length."))
    else:
        field.max_length = None
    field.help_text = (field.help_text or "").strip() or None
    default = field.default_value
    if isinstance(default, str):
        default = default.strip()
    if default in (None, "", []):
        field.default_value = None
    elif not (
        (field.data_type in OPTION_TYPES and "options" in errors)
        or (field.data_type == "text" and "max_length" in errors)
    ):
        try:
            if field.data_type == "contact_reference":
                raise _Bad(_("A contact reference cannot have a default value."))
            typed = _coerce(field, default)
        except _Bad as exc:
            errors.setdefault("default_value", []).append(str(exc))
        else:
            field.default_value = _default_text(field, typed)
    if field.is_required and field.data_type == "boolean":
        # A yes/no field always has an answer; "required" would refuse "no" otherwise.
        field.is_required = False


def _default_text(field: CustomField, typed: Any) -> str | None:
    if typed is None:
        return None
    if field.data_type == "multiselect":
        return ",".join(typed)
    if field.data_type == "boolean":
        return "1" if typed else "0"
    if isinstance(typed, date):
        return typed.isoformat()
    return str(typed)


FIELD_FIELDS = (
    "custom_group_id",
    "label",
    "data_type",
    "is_required",
    "is_searchable",
    "is_active",
    "weight",
    "help_text",
    "default_value",
    "max_length",
)


def create_field(session: Session, data: dict[str, Any]) -> CustomField:
    """A new field in a set; ``name`` is unique across every field."""
    errors: dict[str, list[str]] = {}
    name = (data.get("name") or "").strip()
    _check_name(name, errors)
    if name and session.execute(select(CustomField.id).where(CustomField.name == name)).scalar():
        errors.setdefault("name", []).append(_("Another custom field already has this name."))
    field = CustomField(
        name=name,
        data_type=data.get("data_type") or "text",
        label=data.get("label") or "",
        **{
            k: data[k]
            for k in FIELD_FIELDS
            if data.get(k) is not None and k not in ("data_type", "label")
        },
    )
    _clean_field(session, field, data, errors)
    _raise(errors)
    session.add(field)
    session.flush()
    return field


def update_field(session: Session, field_id: int, data: dict[str, Any]) -> CustomField:
    """Change a field. Its ``name`` stays; its type changes only while no record has a value;
    an option still used by some records cannot be removed."""
    field = get_field(session, field_id)
    errors: dict[str, list[str]] = {}
    before_type = field.data_type
    before_options = field.option_labels()
    for key in FIELD_FIELDS:
        if key in data:
            value = data[key]
            if key in ("is_required", "is_searchable", "is_active") and value is None:
                continue
            if key == "weight":
                value = value or 0
            setattr(field, key, value)
    if field.data_type != before_type and _values_exist(session, field.id):
        errors.setdefault("data_type", []).append(
            _("Records already have a value for this field: its type cannot change.")
        )
    _clean_field(session, field, data, errors)
    if field.data_type in OPTION_TYPES and not errors:
        removed = set(before_options) - set(field.option_labels())
        if removed:
            used = sorted(
                session.execute(
                    select(CustomValue.value_text)
                    .where(CustomValue.field_id == field.id, CustomValue.value_text.in_(removed))
                    .distinct()
                ).scalars()
            )
            if used:
                errors.setdefault("options", []).append(
                    _(
                        "Records still use these options: %(values)s.",
                        values=", ".join(used),
                    )
                )
    if errors:
        session.expire(field)
        _raise(errors)
    session.flush()
    return field


def _applies(group: CustomGroup, contact_type: str | None, subtypes: Iterable[str]) -> bool:
    """Whether a set applies to a contact of this type and subtypes (other entities: always)."""
    if group.extends != "contact":
        return True
    if group.extends_contact_type and contact_type and group.extends_contact_type != contact_type:
        return False
    if group.extends_subtypes:
        return bool(set(group.extends_subtypes) & set(subtypes or ()))
    return True


def definitions_for(
    session: Session,
    entity: str,
    contact_type: str | None = None,
    subtypes: tuple[str, ...] = (),
) -> list[tuple[CustomGroup, list[CustomField]]]:
    """The active sets of ``entity`` that apply (to this contact type and subtypes), each with
    its active fields, ordered by weight; one query."""
    rows = session.execute(
        select(CustomGroup, CustomField)
        .join(CustomField, CustomField.custom_group_id == CustomGroup.id)
        .where(CustomGroup.extends == entity, CustomGroup.is_active, CustomField.is_active)
        .order_by(
            CustomGroup.weight,
            CustomGroup.title,
            CustomGroup.id,
            CustomField.weight,
            CustomField.label,
            CustomField.id,
        )
    ).all()
    out: list[tuple[CustomGroup, list[CustomField]]] = []
    for group, field in rows:
        if not _applies(group, contact_type, subtypes):
            continue
        if not out or out[-1][0].id != group.id:
            out.append((group, []))
        out[-1][1].append(field)
    return out


# -- values: checking ------------------------------------------------------------------------


def _empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []


def _decimal(raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise _Bad(_("Enter a number, such as 12.5 or 12,5."))
    if isinstance(raw, int | Decimal):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))
    elif isinstance(raw, str):
        text = re.sub(r"[\s\u00a0\u202f']", "", raw)
        if "," in text and "." in text:  # 1.234,56 or 1,234.56: the last one is the decimal point
            point = "," if text.rfind(",") > text.rfind(".") else "."
            text = text.replace("." if point == "," else ",", "").replace(",", ".")
        else:
            text = text.replace(",", ".")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise _Bad(_("Enter a number, such as 12.5 or 12,5.")) from None
    else:
        raise _Bad(_("Enter a number, such as 12.5 or 12,5."))
    if not value.is_finite():
        raise _Bad(_("Enter a number, such as 12.5 or 12,5."))
    if abs(value) >= NUMBER_LIMIT:
        raise _Bad(_("This number is too large."))
    return value


def _date(raw: Any) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        text = raw.strip()
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return datetime.strptime(text, pattern).date()
            except ValueError:
                pass
    raise _Bad(_("Enter a date such as 2026-03-14 or 14/03/2026."))


def _option(field: CustomField, raw: Any) -> str:
    labels = field.option_labels()
    value = str(raw).strip()
    if value in labels:
        return value
    for key, label in labels.items():  # the label as typed in a spreadsheet ("Vegan")
        if label.casefold() == value.casefold():
            return key
    raise _Bad(
        _(
            "“%(value)s” is not one of the options: %(options)s.",
            value=value,
            options=", ".join(labels),
        )
    )


def _coerce(field: CustomField, raw: Any) -> Any:
    """The typed value of ``raw`` for ``field`` (None when empty), or _Bad."""
    if _empty(raw):
        return None
    kind = field.data_type
    if kind in ("text", "memo"):
        if isinstance(raw, dict | list | tuple | set | bool):
            raise _Bad(_("Enter some text."))
        text = str(raw).strip()
        limit = (field.max_length or TEXT_MAX_LENGTH) if kind == "text" else MEMO_MAX_LENGTH
        if len(text) > limit:
            raise _Bad(_("At most %(n)s characters.", n=limit))
        return text
    if kind == "integer":
        try:
            value = _decimal(raw)
        except _Bad:
            raise _Bad(_("Enter a whole number.")) from None
        if value != value.to_integral_value():
            raise _Bad(_("Enter a whole number."))
        return int(value)
    if kind == "number":
        return _decimal(raw).quantize(Decimal("0.0001"))
    if kind == "money":
        value = _decimal(raw)
        if value != value.quantize(Decimal("0.01")):
            raise _Bad(_("An amount has at most two decimals."))
        return value.quantize(Decimal("0.01"))
    if kind == "date":
        return _date(raw)
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int) and raw in (0, 1):
            return bool(raw)
        word = str(raw).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise _Bad(_("Answer yes or no (1/0, true/false, oui/non)."))
    if kind == "select":
        if isinstance(raw, list | tuple | set | dict):
            raise _Bad(_("Choose one option."))
        return _option(field, raw)
    if kind == "multiselect":
        if isinstance(raw, str):
            raw = [p for p in raw.split(",") if p.strip()]
        if not isinstance(raw, list | tuple | set):
            raise _Bad(_("Give a list of options."))
        chosen = {_option(field, item) for item in raw if not _empty(item)}
        ordered = [v for v in field.option_labels() if v in chosen]
        return ordered or None
    if kind == "contact_reference":
        if isinstance(raw, bool):
            raise _Bad(_("Give the number of a contact."))
        try:
            return int(str(raw).strip())
        except ValueError:
            raise _Bad(_("Give the number of a contact.")) from None
    raise _Bad(_("Unknown type of field."))


def _entity_fields(session: Session, entity: str) -> dict[str, tuple[CustomField, CustomGroup]]:
    rows = session.execute(
        select(CustomField, CustomGroup)
        .join(CustomGroup, CustomGroup.id == CustomField.custom_group_id)
        .where(CustomGroup.extends == entity)
    ).all()
    return {f.name: (f, g) for f, g in rows}


def form_input(form, sets) -> dict[str, Any]:
    """``{field_name: raw value}`` typed in a form's ``custom-<name>`` inputs (those
    ``macros/custom_fields.html`` writes for ``sets``, as ``definitions_for`` gives them), for
    ``validate_values``."""
    values: dict[str, Any] = {}
    for _group, fields in sets:
        for field in fields:
            key = f"custom-{field.name}"
            if field.data_type == "multiselect":
                values[field.name] = form.getlist(key)
            elif field.data_type == "boolean":
                values[field.name] = "1" if form.get(key) else "0"
            else:
                values[field.name] = form.get(key, "")
    return values


def validate_values(
    session: Session,
    entity: str,
    values: dict[str, Any] | None,
    *,
    contact_type: str | None = None,
    subtypes: tuple[str, ...] = (),
    creating: bool | None = None,
) -> dict[str, Any]:
    """Check ``{field_name: value}`` for ``entity``; return the cleaned values, typed (str,
    int, Decimal, date, bool, list of option values, contact id; None clears a value).

    Strings are accepted for every type (web forms send strings). Every problem is reported at
    once, as ``ValidationError(errors={"custom.<name>": [...]})``.

    A record being created (``creating``, which defaults to ``values is None``, as the contacts
    service calls it when no custom values are given) gets the default of every applicable
    field it was not given, and a required field left without a value is refused. On an update
    only the fields given are checked: a required field cannot be emptied.
    """
    if values is not None and not isinstance(values, dict):
        raise ValidationError(
            _("Custom values are given as an object {field name: value}."), field="custom"
        )
    if creating is None:
        creating = values is None
    values = values or {}
    known = _entity_fields(session, entity)
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    references: dict[str, int] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(f"custom.{name}", []).append(message)

    for name, raw in values.items():
        found = known.get(name)
        if found is None:
            fail(name, _("Unknown custom field: %(name)s", name=name))
            continue
        field, group = found
        if not field.is_active or not group.is_active:
            fail(name, _("The field “%(label)s” is no longer in use.", label=field.label))
            continue
        if not _applies(group, contact_type, subtypes):
            fail(
                name,
                _(
                    "The field “%(label)s” does not apply to this kind of contact.",
                    label=field.label,
                ),
            )
            continue
        try:
            value = _coerce(field, raw)
        except _Bad as exc:
            fail(name, str(exc))
            continue
        if value is None and field.is_required:
            fail(name, _("“%(label)s” is required.", label=field.label))
            continue
        if field.data_type == "contact_reference" and value is not None:
            references[name] = value
        cleaned[name] = value
    if creating:
        for name, (field, group) in known.items():
            if name in values or not (field.is_active and group.is_active):
                continue
            if not _applies(group, contact_type, subtypes):
                continue
            if field.default_value is not None:
                try:
                    cleaned[name] = _coerce(field, field.default_value)
                except _Bad:  # a default made invalid by later changes: treat as none
                    pass
                else:
                    continue
            if field.is_required:
                fail(name, _("“%(label)s” is required.", label=field.label))
    if references:
        existing = set(
            session.execute(
                select(Contact.id).where(
                    Contact.id.in_(set(references.values())), Contact.is_deleted.is_(False)
                )
            ).scalars()
        )
        for name, contact_id in references.items():
            if contact_id not in existing:
                fail(name, _("No contact with the number %(id)s.", id=contact_id))
    if errors:
        first = next(iter(errors.values()))[0]
        message = first if len(errors) == 1 else _("Some custom fields are not valid.")
        raise ValidationError(message, errors=errors)
    return cleaned


# -- values: storing and reading -------------------------------------------------------------


def _rows_for(field: CustomField, value: Any) -> list[dict[str, Any]]:
    """The column values of the rows that store ``value`` (none when empty)."""
    if value is None:
        return []
    kind = field.data_type
    if kind == "multiselect":
        return [{"value_text": v} for v in value]
    if kind in ("text", "select"):
        return [{"value_text": value}]
    if kind == "memo":
        return [{"value_memo": value}]
    if kind in NUMBER_TYPES:
        return [{"value_number": Decimal(value)}]
    if kind == "boolean":
        return [{"value_number": Decimal(1 if value else 0)}]
    if kind == "date":
        return [{"value_date": value}]
    if kind == "contact_reference":
        return [{"value_contact_id": value}]
    return []


def _public(data_type: str, value: Any) -> Any:
    """A typed value as the API shows it: JSON types, dates as ISO strings."""
    if value is None:
        return None
    if data_type == "integer":
        return int(value)
    if data_type in ("number", "money"):
        return float(value)
    if data_type == "boolean":
        return bool(value)
    if data_type == "date":
        return value.isoformat() if isinstance(value, date) else str(value)
    if data_type == "contact_reference":
        return int(value)
    if data_type == "multiselect":
        return list(value)
    return value


def _read(data_type: str, text, memo, number, day, contact_id) -> Any:
    if data_type in ("text", "select", "multiselect"):
        return text
    if data_type == "memo":
        return memo
    if data_type in NUMBER_TYPES:
        return None if number is None else Decimal(number)
    if data_type == "boolean":
        return None if number is None else bool(number)
    if data_type == "date":
        return day
    if data_type == "contact_reference":
        return contact_id
    return None


def _log(data_type: str, value: Any) -> Any:
    """A public value as the change log shows it."""
    if isinstance(value, list):
        return ", ".join(value) or None
    if data_type == "money" and value is not None:
        return f"{value:.2f}"
    return value


def save_values(
    session: Session, entity: str, entity_id: int, values: dict[str, Any]
) -> dict[str, tuple[Any, Any]]:
    """Store cleaned values (from ``validate_values``; None clears a field); return
    ``{field_name: (old, new)}`` of the fields that changed, for the change log.

    Three statements whatever the number of fields: read the current rows, delete those of the
    changed fields, insert their new rows.
    """
    if not values:
        return {}
    fields = {
        f.name: f
        for f in session.execute(
            select(CustomField).where(CustomField.name.in_(list(values)))
        ).scalars()
    }
    unknown = [n for n in values if n not in fields]
    if unknown:
        raise ValidationError(
            _("Unknown custom field: %(name)s", name=unknown[0]), field=f"custom.{unknown[0]}"
        )
    by_id = {f.id: f for f in fields.values()}
    current: dict[str, Any] = {}
    for field_id, text, memo, number, day, contact_id in session.execute(
        select(
            CustomValue.field_id,
            CustomValue.value_text,
            CustomValue.value_memo,
            CustomValue.value_number,
            CustomValue.value_date,
            CustomValue.value_contact_id,
        )
        .where(
            CustomValue.entity == entity,
            CustomValue.entity_id == entity_id,
            CustomValue.field_id.in_(list(by_id)),
        )
        .order_by(CustomValue.id)
    ):
        field = by_id[field_id]
        value = _read(field.data_type, text, memo, number, day, contact_id)
        if field.data_type == "multiselect":
            current.setdefault(field.name, []).append(value)
        else:
            current[field.name] = value
    changes: dict[str, tuple[Any, Any]] = {}
    rows: list[dict[str, Any]] = []
    for name, value in values.items():
        field = fields[name]
        old = _public(field.data_type, current.get(name))
        if field.data_type == "multiselect" and old is not None:
            order = list(field.option_labels())
            old = sorted(old, key=lambda v: order.index(v) if v in order else len(order))
        new = _public(field.data_type, value)
        if old == new:
            continue
        changes[name] = (_log(field.data_type, old), _log(field.data_type, new))
        for row in _rows_for(field, value):
            rows.append(
                {
                    "field_id": field.id,
                    "entity": entity,
                    "entity_id": entity_id,
                    "value_text": None,
                    "value_memo": None,
                    "value_number": None,
                    "value_date": None,
                    "value_contact_id": None,
                    **row,
                }
            )
    if not changes:
        return {}
    session.execute(
        delete(CustomValue).where(
            CustomValue.entity == entity,
            CustomValue.entity_id == entity_id,
            CustomValue.field_id.in_([fields[n].id for n in changes]),
        )
    )
    if rows:
        session.execute(insert(CustomValue.__table__), rows)  # one executemany
    session.flush()
    return changes


def values_for(session: Session, entity: str, entity_ids: list[int]) -> dict[int, dict]:
    """``{entity_id: {field_name: value}}`` of many records in one query (per 5,000 ids), as the
    API shows them: int, float, bool, ISO date strings, lists for multiselects. Fields of
    inactive sets or inactive fields are left out; records without values get ``{}``."""
    out: dict[int, dict[str, Any]] = {i: {} for i in entity_ids}
    ids = list(out)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        rows = session.execute(
            select(
                CustomValue.entity_id,
                CustomField.name,
                CustomField.data_type,
                CustomValue.value_text,
                CustomValue.value_memo,
                CustomValue.value_number,
                CustomValue.value_date,
                CustomValue.value_contact_id,
            )
            .join(CustomField, CustomField.id == CustomValue.field_id)
            .join(CustomGroup, CustomGroup.id == CustomField.custom_group_id)
            .where(
                CustomValue.entity == entity,
                CustomValue.entity_id.in_(chunk),
                CustomField.is_active,
                CustomGroup.is_active,
            )
            .order_by(CustomValue.entity_id, CustomValue.field_id, CustomValue.id)
        )
        for entity_id, name, data_type, *columns in rows:
            value = _read(data_type, *columns)
            if data_type == "multiselect":
                out[entity_id].setdefault(name, []).append(value)
            else:
                out[entity_id][name] = _public(data_type, value)
    return out


def delete_values(session: Session, entity: str, entity_ids: list[int]) -> None:
    """Forget every custom value of these records (a record deleted for good)."""
    for start in range(0, len(entity_ids), BATCH):
        session.execute(
            delete(CustomValue).where(
                CustomValue.entity == entity,
                CustomValue.entity_id.in_(entity_ids[start : start + BATCH]),
            )
        )


def erase_contact_values(session: Session, contact_id: int) -> None:
    """A contact erased: its own values, and the references to it in others' values."""
    session.execute(
        delete(CustomValue).where(
            CustomValue.entity == "contact", CustomValue.entity_id == contact_id
        )
    )
    session.execute(delete(CustomValue).where(CustomValue.value_contact_id == contact_id))


def merge_contact_values(session: Session, winner_id: int, loser_id: int) -> None:
    """Two contacts merged: the winner keeps its values and takes the loser's for the fields
    it has none of; references to the loser now name the winner."""
    winner_fields = select(CustomValue.field_id).where(
        CustomValue.entity == "contact", CustomValue.entity_id == winner_id
    )
    session.execute(
        update(CustomValue)
        .where(
            CustomValue.entity == "contact",
            CustomValue.entity_id == loser_id,
            CustomValue.field_id.not_in(winner_fields.scalar_subquery()),
        )
        .values(entity_id=winner_id)
    )
    session.execute(
        delete(CustomValue).where(
            CustomValue.entity == "contact", CustomValue.entity_id == loser_id
        )
    )
    session.execute(
        update(CustomValue)
        .where(CustomValue.value_contact_id == loser_id)
        .values(value_contact_id=winner_id)
    )


def contact_data(session: Session, contact_id: int) -> dict[str, list[dict]] | None:
    """A person's custom values for their data export, as they would read them."""
    values = values_for(session, "contact", [contact_id]).get(contact_id)
    if not values:
        return None
    fields = {
        f.name: f
        for f in session.execute(
            select(CustomField).where(CustomField.name.in_(list(values)))
        ).scalars()
    }
    rows = [
        {"field": fields[name].label, "value": display_value(fields[name], value)}
        for name, value in values.items()
    ]
    return {_("Custom fields"): rows}


# -- showing ---------------------------------------------------------------------------------


def _display(field: CustomField, value: Any) -> str:
    kind = field.data_type
    if kind == "boolean":
        return _("Yes") if value else _("No")
    if kind == "date":
        return format_date(_date(value), "medium")
    if kind == "integer":
        return format_decimal(int(value))
    if kind == "number":
        return format_decimal(Decimal(str(value)))
    if kind == "money":
        from ..i18n import money

        return money(Decimal(str(value)))
    if kind == "select":
        return field.option_labels().get(str(value), str(value))
    if kind == "multiselect":
        labels = field.option_labels()
        items = value if isinstance(value, list | tuple) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in items)
    if kind == "contact_reference":
        from ..db import session

        contact = session().get(Contact, int(value))
        return contact.display_name if contact is not None else f"#{value}"
    return str(value)


def display_value(field: CustomField, value: Any, locale: str | None = None) -> str:
    """A value as a person reads it: dates and numbers in the locale's format, option labels
    instead of values, Yes/No; "" when there is no value."""
    if _empty(value):
        return ""
    try:
        if locale:
            with force_locale(locale):
                return _display(field, value)
        return _display(field, value)
    except (_Bad, ValueError, ArithmeticError, TypeError):
        return str(value)


# -- search and reports ----------------------------------------------------------------------


def _bounds(field: CustomField, value: Any) -> tuple[Any, Any]:
    """``(low, high)`` of a range criterion: ``{"from": .., "to": ..}``, a pair, ``"a..b"``,
    or one value (exactly that)."""
    if isinstance(value, dict):
        low, high = value.get("from"), value.get("to")
    elif isinstance(value, list | tuple) and len(value) == 2:
        low, high = value
    elif isinstance(value, str) and ".." in value:
        low, high = value.split("..", 1)
    else:
        low = high = value
    kind = "number" if field.data_type in NUMBER_TYPES else field.data_type
    probe = CustomField(name=field.name, label=field.label, data_type=kind)
    try:
        return _coerce(probe, low), _coerce(probe, high)
    except _Bad as exc:
        raise ValidationError(str(exc), field=f"custom_{field.name}") from None


def _filter_for(field: CustomField) -> SearchFilter:
    field_id = field.id
    kind = field.data_type

    def narrow(query, *conditions):
        return query.where(
            Contact.id.in_(
                select(CustomValue.entity_id).where(
                    CustomValue.field_id == field_id, CustomValue.entity == "contact", *conditions
                )
            )
        )

    def as_list(value) -> list:
        items = value if isinstance(value, list | tuple | set) else str(value).split(",")
        return [str(v).strip() for v in items if str(v).strip()]

    if kind in ("text", "memo"):
        column = CustomValue.value_text if kind == "text" else CustomValue.value_memo

        def apply(query, value):
            text = str(value).strip().lower()
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            return narrow(query, func.lower(column).like(f"%{escaped}%", escape="\\"))

        field_type = "text"
    elif kind in OPTION_TYPES:

        def apply(query, value):
            return narrow(query, CustomValue.value_text.in_(as_list(value)))

        field_type = kind
    elif kind in NUMBER_TYPES or kind == "date":
        column = CustomValue.value_date if kind == "date" else CustomValue.value_number

        def apply(query, value):
            low, high = _bounds(field, value)
            conditions = []
            if low is not None:
                conditions.append(column >= low)
            if high is not None:
                conditions.append(column <= high)
            return narrow(query, *conditions) if conditions else query

        field_type = "date_range" if kind == "date" else "number_range"
    elif kind == "boolean":

        def apply(query, value):
            try:
                wanted = _coerce(field, value)
            except _Bad as exc:
                raise ValidationError(str(exc), field=f"custom_{field.name}") from None
            if wanted is None:
                return query
            yes = select(CustomValue.entity_id).where(
                CustomValue.field_id == field_id,
                CustomValue.entity == "contact",
                CustomValue.value_number == 1,
            )
            # "No" is every contact not marked yes (no answer counts as no).
            return query.where(Contact.id.in_(yes) if wanted else Contact.id.not_in(yes))

        field_type = "boolean"
    else:  # contact_reference

        def apply(query, value):
            try:
                ids = [int(v) for v in as_list(value)]
            except ValueError:
                raise ValidationError(
                    _("Give the number of a contact."), field=f"custom_{field.name}"
                ) from None
            return narrow(query, CustomValue.value_contact_id.in_(ids))

        field_type = "contact"
    options = None
    if kind in OPTION_TYPES:
        pairs = list(field.option_labels().items())

        def options():
            return pairs

    return SearchFilter(
        f"custom_{field.name}", field.label, field_type, apply, options=options, weight=80
    )


def search_filters(session: Session) -> list[SearchFilter]:
    """A criterion ``custom_<name>`` for every active, searchable field of contacts."""
    fields = session.execute(
        select(CustomField)
        .join(CustomGroup, CustomGroup.id == CustomField.custom_group_id)
        .where(
            CustomGroup.extends == "contact",
            CustomGroup.is_active,
            CustomField.is_active,
            CustomField.is_searchable,
        )
        .order_by(CustomGroup.weight, CustomField.weight, CustomField.id)
    ).scalars()
    return [_filter_for(f) for f in fields]


def option_counts(session: Session, field_name: str) -> list[tuple[str, str, int]]:
    """``[(value, label, count)]`` of an option field, in the options' order (zero counts
    included; values no longer offered come last). For contacts, those in the trash are left
    out. One GROUP BY query."""
    field = get_field_by_name(session, field_name)
    if field.data_type not in OPTION_TYPES:
        raise ValidationError(
            _("“%(label)s” has no options to count.", label=field.label), field="field"
        )
    group = session.get(CustomGroup, field.custom_group_id)
    query = (
        select(CustomValue.value_text, func.count(func.distinct(CustomValue.entity_id)))
        .where(CustomValue.field_id == field.id, CustomValue.entity == group.extends)
        .group_by(CustomValue.value_text)
    )
    if group.extends == "contact":
        query = query.join(Contact, Contact.id == CustomValue.entity_id).where(
            Contact.is_deleted.is_(False)
        )
    counts = dict(session.execute(query).all())
    labels = field.option_labels()
    out = [(value, label, counts.pop(value, 0)) for value, label in labels.items()]
    out.extend((value, value, n) for value, n in sorted(counts.items()))
    return out
