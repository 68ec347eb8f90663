"""The custom fields of contributions (entity ``contribute_contribution``) on the donation page
and the staff form: the active ones to show, and what was typed in them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from amicale.api_for_plugins import definitions_for, form_input, save_values, validate_values

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
    """``{field_name: raw value}`` from a form's ``custom-<name>`` inputs (the core's)."""
    return form_input(form, sets)


def check(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    """The cleaned values (ValidationError with ``custom.<name>`` fields otherwise)."""
    return validate_values(session, ENTITY, values, creating=True)


def save(session: Session, contribution_id: int, cleaned: dict[str, Any]) -> None:
    if cleaned:
        save_values(session, ENTITY, contribution_id, cleaned)
