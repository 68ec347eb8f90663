"""The labels of a contact's fields, shared by the pages that list them: export columns, import
fields."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

CONTACT_FIELD_LABELS: dict[str, Any] = {
    "id": _l("Contact number"),
    "contact_type": _l("Kind of contact"),
    "display_name": _l("Display name"),
    "sort_name": _l("Sort name"),
    "prefix": _l("Prefix"),
    "first_name": _l("First name"),
    "middle_name": _l("Middle name"),
    "last_name": _l("Last name"),
    "suffix": _l("Suffix"),
    "nick_name": _l("Nickname"),
    "organization_name": _l("Organisation name"),
    "household_name": _l("Household name"),
    "legal_name": _l("Legal name"),
    "job_title": _l("Job title"),
    "gender": _l("Gender"),
    "birth_date": _l("Birth date"),
    "is_deceased": _l("Deceased"),
    "deceased_date": _l("Deceased on"),
    "preferred_language": _l("Preferred language"),
    "external_identifier": _l("External identifier"),
    "source": _l("Source"),
    "do_not_email": _l("Does not want emails"),
    "do_not_phone": _l("Does not want phone calls"),
    "do_not_mail": _l("Does not want postal mail"),
    "do_not_sms": _l("Does not want SMS"),
    "is_opt_out": _l("No bulk mail"),
    "created_at": _l("Created"),
    "modified_at": _l("Modified"),
}

ADDRESS_PART_LABELS: dict[str, Any] = {
    "street_address": _l("Street address"),
    "supplemental_address_1": _l("Supplemental address"),
    "supplemental_address_2": _l("Supplemental address 2"),
    "postal_code": _l("Postal code"),
    "city": _l("City"),
    "state_province": _l("State or province"),
    "country": _l("Country"),
}
