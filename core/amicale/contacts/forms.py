"""Turning the contact form's fields into the dict the contact schema reads, and back."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from .models import Contact
from .services import DETAILS

TEXT_FIELDS = [
    "prefix",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "nick_name",
    "organization_name",
    "household_name",
    "legal_name",
    "job_title",
    "gender",
    "birth_date",
    "deceased_date",
    "preferred_language",
    "external_identifier",
    "source",
]
FLAGS = ["do_not_email", "do_not_phone", "do_not_mail", "do_not_sms", "is_opt_out", "is_deceased"]
DETAIL_FIELDS = {
    "emails": ["email", "location_type", "on_hold"],
    "phones": ["phone", "phone_type", "location_type"],
    "addresses": [
        "street_address",
        "supplemental_address_1",
        "supplemental_address_2",
        "postal_code",
        "city",
        "state_province",
        "country",
        "location_type",
    ],
    "websites": ["url", "website_type"],
}
MAIN_FIELD = {"emails": "email", "phones": "phone", "websites": "url"}
BOOLEAN_DETAIL_FIELDS = {"on_hold"}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def form_to_data(form: MultiDict, *, custom_fields: list | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if name in form:
            value = form.get(name, "").strip()
            data[name] = value or None
    for name in FLAGS:
        data[name] = form.get(name) in {"1", "y", "on", "true"}
    if "contact_type" in form:
        data["contact_type"] = form["contact_type"]
    data["subtypes"] = form.getlist("subtypes")
    for kind, fields in DETAIL_FIELDS.items():
        rows = []
        primary = form.get(f"{kind}-primary")
        i = 0
        while any(f"{kind}-{i}-{f}" in form for f in fields):
            row = {}
            for f in fields:
                value = form.get(f"{kind}-{i}-{f}")
                if f in BOOLEAN_DETAIL_FIELDS:
                    row[f] = value in {"1", "y", "on", "true"}
                elif not _blank(value):
                    row[f] = value.strip()
            main = MAIN_FIELD.get(kind)
            filled = (
                (not _blank(row.get(main)))
                if main
                else any(not _blank(row.get(f)) for f in fields if f != "location_type")
            )
            if filled:
                if kind != "websites":
                    row["is_primary"] = primary == str(i)
                rows.append(row)
            i += 1
        data[kind] = rows
    if custom_fields:
        custom: dict[str, Any] = {}
        for field in custom_fields:
            key = f"custom-{field.name}"
            if field.data_type == "multiselect":
                custom[field.name] = form.getlist(key)
            elif field.data_type == "boolean":
                custom[field.name] = form.get(key) in {"1", "y", "on", "true"}
            else:
                value = form.get(key, "").strip()
                custom[field.name] = value or None
        data["custom"] = custom
    return data


def contact_to_form(
    contact: Contact, details: dict[str, list], subtypes: list[str], custom: dict[str, Any]
) -> dict[str, Any]:
    """The values the form shows for an existing contact (same keys as the form's fields)."""
    values: dict[str, Any] = {f: getattr(contact, f) for f in TEXT_FIELDS + FLAGS}
    values["contact_type"] = contact.contact_type
    values["subtypes"] = subtypes
    for kind in DETAILS:
        rows = details.get(kind, [])
        for i, row in enumerate(rows):
            for f in DETAIL_FIELDS[kind]:
                values[f"{kind}-{i}-{f}"] = getattr(row, f)
            if getattr(row, "is_primary", False):
                values[f"{kind}-primary"] = str(i)
        values[f"{kind}-count"] = len(rows)
    for name, value in custom.items():
        values[f"custom-{name}"] = value
    return values
