"""Contacts (people, households, organisations) and their emails, phones, addresses, websites;
the admin's contact subtypes; the search tokens behind the quick search."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from ..clock import utcnow


class ContactType(StrEnum):
    INDIVIDUAL = "Individual"
    ORGANIZATION = "Organization"
    HOUSEHOLD = "Household"


LOCATION_TYPES = ("Home", "Work", "Main", "Billing", "Other")
PHONE_TYPES = ("Phone", "Mobile", "Fax")
WEBSITE_TYPES = ("Main", "Work", "Social", "Other")
GENDERS = ("female", "male", "other")


class Contact(SQLModel, table=True):
    __tablename__ = "contact"
    __table_args__ = (Index("ix_contact_is_deleted_sort_name", "is_deleted", "sort_name"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_type: str = Field(default=ContactType.INDIVIDUAL, max_length=20, index=True)
    prefix: str | None = Field(default=None, max_length=20)
    first_name: str | None = Field(default=None, max_length=100)
    middle_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    suffix: str | None = Field(default=None, max_length=20)
    nick_name: str | None = Field(default=None, max_length=100)
    organization_name: str | None = Field(default=None, max_length=200)
    household_name: str | None = Field(default=None, max_length=200)
    legal_name: str | None = Field(default=None, max_length=200)
    job_title: str | None = Field(default=None, max_length=200)
    display_name: str = Field(default="", max_length=300)
    sort_name: str = Field(default="", max_length=300)
    gender: str | None = Field(default=None, max_length=20)
    birth_date: date | None = None
    deceased_date: date | None = None
    is_deceased: bool = Field(default=False)
    preferred_language: str | None = Field(default=None, max_length=10)
    external_identifier: str | None = Field(default=None, max_length=64, unique=True)
    source: str | None = Field(default=None, max_length=255)
    do_not_email: bool = Field(default=False)
    do_not_phone: bool = Field(default=False)
    do_not_mail: bool = Field(default=False)
    do_not_sms: bool = Field(default=False)
    is_opt_out: bool = Field(default=False)  # no bulk mail
    is_deleted: bool = Field(default=False)  # in the trash
    created_at: datetime = Field(default_factory=utcnow)
    modified_at: datetime = Field(default_factory=utcnow, index=True)

    def compute_names(self) -> None:
        self.display_name, self.sort_name = contact_names(
            {f: getattr(self, f) for f in NAME_FIELDS}
        )


NAME_FIELDS = (
    "contact_type",
    "prefix",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "organization_name",
    "household_name",
)


def contact_names(c: dict) -> tuple[str, str]:
    """(display name, sort name) of a contact's values: "Mme Hélène Durand", "Durand, Hélène";
    an organisation's or a household's name. Used for one contact and for a batch of rows."""
    kind = c.get("contact_type")
    if kind == ContactType.ORGANIZATION:
        name = (c.get("organization_name") or "").strip()
        return name, name
    if kind == ContactType.HOUSEHOLD:
        name = (c.get("household_name") or "").strip()
        return name, name
    first, last = (c.get("first_name") or "").strip(), (c.get("last_name") or "").strip()
    parts = (c.get("prefix"), first, c.get("middle_name"), last, c.get("suffix"))
    display = " ".join(p.strip() for p in parts if p and p.strip())
    if not display:
        return "", ""
    return display, ", ".join(p for p in (last, first) if p)


class ContactSubtype(SQLModel, table=True):
    """A kind of contact the admin defines (Volunteer, Donor, Family...) for one contact type."""

    __tablename__ = "contact_subtype"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    label: str = Field(max_length=120)
    contact_type: str = Field(max_length=20)
    is_active: bool = Field(default=True)


class ContactSubtypeLink(SQLModel, table=True):
    __tablename__ = "contact_subtype_link"

    contact_id: int = Field(foreign_key="contact.id", primary_key=True, ondelete="CASCADE")
    subtype_id: int = Field(
        foreign_key="contact_subtype.id", primary_key=True, ondelete="CASCADE", index=True
    )


class Email(SQLModel, table=True):
    __tablename__ = "email"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    email: str = Field(max_length=254, index=True)  # stored lower-case
    location_type: str = Field(default="Home", max_length=20)
    is_primary: bool = Field(default=False)
    on_hold: bool = Field(default=False)  # bounced


class Phone(SQLModel, table=True):
    __tablename__ = "phone"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    phone: str = Field(max_length=40)  # as shown (international format)
    phone_normalized: str = Field(max_length=20, index=True)  # E.164 digits, for search
    phone_type: str = Field(default="Phone", max_length=20)
    location_type: str = Field(default="Home", max_length=20)
    is_primary: bool = Field(default=False)


class Address(SQLModel, table=True):
    __tablename__ = "address"
    # (place, contact) indexes answer "who lives in Lyon" without reading the addresses.
    __table_args__ = (
        Index("ix_address_city_contact_id", "city", "contact_id"),
        Index("ix_address_postal_code_contact_id", "postal_code", "contact_id"),
        Index("ix_address_country_contact_id", "country", "contact_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    location_type: str = Field(default="Home", max_length=20)
    is_primary: bool = Field(default=False)
    street_address: str | None = Field(default=None, max_length=255)
    supplemental_address_1: str | None = Field(default=None, max_length=255)
    supplemental_address_2: str | None = Field(default=None, max_length=255)
    postal_code: str | None = Field(default=None, max_length=20)
    city: str | None = Field(default=None, max_length=100)
    state_province: str | None = Field(default=None, max_length=100)
    country: str | None = Field(default=None, max_length=2)  # ISO 3166-1 alpha-2
    latitude: float | None = None
    longitude: float | None = None


class Website(SQLModel, table=True):
    __tablename__ = "website"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    url: str = Field(max_length=255)
    website_type: str = Field(default="Main", max_length=20)


class ContactSearchToken(SQLModel, table=True):
    """Lower-case, accent-free words of a contact's names: "helene" finds "Hélène" by prefix.

    The primary key (token, contact_id) is the index a prefix search walks, without touching the
    table itself.
    """

    __tablename__ = "contact_search_token"

    __table_args__ = (Index("ix_contact_search_token_contact_id_token", "contact_id", "token"),)

    token: str = Field(max_length=100, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", primary_key=True, ondelete="CASCADE")


def _option_labels() -> dict:
    """The words stored as values and shown translated (``_(value)`` in templates): listed here
    so that the translation catalogue has them."""
    from flask_babel import lazy_gettext as _l

    return {
        "Individual": _l("Individual"),
        "Organization": _l("Organization"),
        "Household": _l("Household"),
        "Home": _l("Home"),
        "Work": _l("Work"),
        "Main": _l("Main"),
        "Billing": _l("Billing"),
        "Other": _l("Other"),
        "Phone": _l("Phone"),
        "Mobile": _l("Mobile"),
        "Fax": _l("Fax"),
        "Social": _l("Social"),
        "female": _l("female"),
        "male": _l("male"),
        "other": _l("other"),
        "create": _l("create"),
        "update": _l("update"),
        "delete": _l("delete"),
        "trash": _l("trash"),
        "restore": _l("restore"),
        "contact": _l("contact"),
        "email": _l("email"),
        "phone": _l("phone"),
        "address": _l("address"),
        "website": _l("website"),
    }
