"""The custom fields of grants (entity ``grant_grant``): the sets to show on the forms and the
public page, checking and saving the values, reading them back and deleting them (the core's
functions, from ``amicale.api_for_plugins``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from amicale.api_for_plugins import definitions_for, form_input, save_values, validate_values

ENTITY = "grant_grant"
PREFIX = "custom-"
# A reference to another contact has no place on a public page.
HIDDEN_ON_PUBLIC = ("contact_reference",)


def field_sets(session: Session, *, public: bool = False) -> list[tuple[Any, list[Any]]]:
    """``[(group, [field, ...])]`` of the active custom fields of grants."""
    out = []
    for group, fields in definitions_for(session, ENTITY):
        shown = [f for f in fields if not public or f.data_type not in HIDDEN_ON_PUBLIC]
        if shown:
            out.append((group, shown))
    return out


def form_values(form, sets) -> dict[str, Any]:
    """``{field_name: raw value}`` from a form's ``custom-<name>`` inputs (the core's)."""
    return form_input(form, sets)


def check(session: Session, values: dict[str, Any] | None, *, creating: bool) -> dict[str, Any]:
    """The cleaned values (ValidationError with ``custom.<name>`` fields otherwise)."""
    if not values:
        return {}
    return validate_values(session, ENTITY, values, creating=creating)


def save(session: Session, grant_id: int, cleaned: dict[str, Any]) -> None:
    if cleaned:
        save_values(session, ENTITY, grant_id, cleaned)


def values_of(session: Session, grant_ids: list[int]) -> dict[int, dict]:
    from amicale.api_for_plugins import values_for

    return values_for(session, ENTITY, grant_ids) if grant_ids else {}


def delete_of(session: Session, grant_ids: list[int]) -> None:
    from amicale.api_for_plugins import delete_values

    if grant_ids:
        delete_values(session, ENTITY, grant_ids)


def labels(session: Session) -> dict[str, str]:
    """``{field_name: label}`` of the active custom fields of grants."""
    return {f.name: f.label for _g, fields in field_sets(session) for f in fields}
