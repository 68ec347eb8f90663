"""The custom fields of contributions (entity ``contribute_contribution``) on the donation page
and the staff form: the active ones to show, and what was typed in them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from amicale.api_for_plugins import definitions_for, save_values, validate_values

ENTITY = "contribute_contribution"
PREFIX = "custom-"
# A reference to another contact has no place on a public page.
HIDDEN_TYPES = ("contact_reference",)


def public_sets(session: Session) -> list[tuple[Any, list[Any]]]:
    """``[(group, [field, ...])]`` of the active custom fields of contributions."""
    out = []
    for group, fields in definitions_for(session, ENTITY):
        shown = [f for f in fields if f.data_type not in HIDDEN_TYPES]
        if shown:
            out.append((group, shown))
    return out


def form_values(form, sets) -> dict[str, Any]:
    """``{field_name: raw value}`` from the form (``custom-<name>`` inputs)."""
    values: dict[str, Any] = {}
    for _group, fields in sets:
        for field in fields:
            key = PREFIX + field.name
            if field.data_type == "multiselect":
                values[field.name] = form.getlist(key)
            elif field.data_type == "boolean":
                values[field.name] = "1" if form.get(key) else "0"
            else:
                values[field.name] = form.get(key, "")
    return values


def check(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    """The cleaned values (ValidationError with ``custom.<name>`` fields otherwise)."""
    return validate_values(session, ENTITY, values, creating=True)


def save(session: Session, contribution_id: int, cleaned: dict[str, Any]) -> None:
    if cleaned:
        save_values(session, ENTITY, contribution_id, cleaned)
