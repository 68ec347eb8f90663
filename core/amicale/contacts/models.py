"""The contact: the minimum that accounts need; the contacts issue extends it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from ..clock import utcnow


class ContactType(StrEnum):
    INDIVIDUAL = "Individual"
    ORGANIZATION = "Organization"
    HOUSEHOLD = "Household"


class Contact(SQLModel, table=True):
    __tablename__ = "contact"

    id: int | None = Field(default=None, primary_key=True)
    contact_type: str = Field(default=ContactType.INDIVIDUAL, max_length=20, index=True)
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    organization_name: str | None = Field(default=None, max_length=200)
    household_name: str | None = Field(default=None, max_length=200)
    display_name: str = Field(default="", max_length=300)
    sort_name: str = Field(default="", max_length=300, index=True)
    is_deleted: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)
    modified_at: datetime = Field(default_factory=utcnow)

    def compute_names(self) -> None:
        if self.contact_type == ContactType.ORGANIZATION:
            self.display_name = self.sort_name = self.organization_name or ""
        elif self.contact_type == ContactType.HOUSEHOLD:
            self.display_name = self.sort_name = self.household_name or ""
        else:
            first, last = (self.first_name or "").strip(), (self.last_name or "").strip()
            self.display_name = " ".join(p for p in (first, last) if p)
            self.sort_name = ", ".join(p for p in (last, first) if p)
