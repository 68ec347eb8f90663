"""Relationships between contacts ("Employee of" / "Employer of") and their admin-defined types,
read in both directions as CiviCRM does."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from ..clock import utcnow


class RelationshipType(SQLModel, table=True):
    """A kind of relationship with a label for each direction; ``contact_type_*`` None = any."""

    __tablename__ = "relationship_type"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    label_a_b: str = Field(max_length=120)
    label_b_a: str = Field(max_length=120)
    contact_type_a: str | None = Field(default=None, max_length=20)
    contact_type_b: str | None = Field(default=None, max_length=20)
    description: str | None = Field(default=None, max_length=500)
    is_active: bool = Field(default=True)
    # seeded or declared by a component: can be deactivated, never deleted
    is_reserved: bool = Field(default=False)

    @property
    def is_symmetric(self) -> bool:
        return self.label_a_b == self.label_b_a and self.contact_type_a == self.contact_type_b


class Relationship(SQLModel, table=True):
    """Contact A is ``label_a_b`` of contact B (and B is ``label_b_a`` of A)."""

    __tablename__ = "relationship"
    __table_args__ = (
        # a contact's relationships from each side, and "who has a relationship of this type"
        Index("ix_relationship_contact_id_a_type", "contact_id_a", "relationship_type_id"),
        Index("ix_relationship_contact_id_b_type", "contact_id_b", "relationship_type_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contact_id_a: int = Field(foreign_key="contact.id", ondelete="CASCADE")
    contact_id_b: int = Field(foreign_key="contact.id", ondelete="CASCADE")
    relationship_type_id: int = Field(foreign_key="relationship_type.id", index=True)
    start_date: date | None = None
    end_date: date | None = None
    is_active: bool = Field(default=True)
    description: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)

    def is_current(self, today: date) -> bool:
        """Active and not ended: a relationship whose end date is past reads as inactive."""
        return bool(self.is_active) and (self.end_date is None or self.end_date >= today)


def _seeded_labels() -> list:
    """The labels of the seeded types (migration 0002), shown translated with ``|tr``: listed
    here so that the translation catalogue has them. Labels an admin types stay as typed."""
    from flask_babel import lazy_gettext as _l

    return [
        _l("Employee of"),
        _l("Employer of"),
        _l("Spouse of"),
        _l("Partner of"),
        _l("Child of"),
        _l("Parent of"),
        _l("Sibling of"),
        _l("Household member of"),
        _l("Household of"),
        _l("Head of household for"),
        _l("Head of household is"),
        _l("Volunteer for"),
        _l("Volunteer is"),
    ]
