"""Custom data the admin defines without code: sets of fields (CustomGroup) extending an entity
(contacts, activities, or a component's entity), their fields (CustomField) and the values
(CustomValue, one row per value: a multiselect has one row per chosen option)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Index, Numeric, Text
from sqlmodel import Field, SQLModel

from ..clock import utcnow

DATA_TYPES = (
    "text",
    "memo",
    "integer",
    "number",
    "money",
    "date",
    "boolean",
    "select",
    "multiselect",
    "contact_reference",
)
OPTION_TYPES = ("select", "multiselect")
NUMBER_TYPES = ("integer", "number", "money")
TEXT_MAX_LENGTH = 255


class CustomGroup(SQLModel, table=True):
    """A set of fields shown together, extending one entity (and, for contacts, one contact
    type and some subtypes)."""

    __tablename__ = "custom_group"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    title: str = Field(max_length=120)
    extends: str = Field(default="contact", max_length=64, index=True)
    extends_contact_type: str | None = Field(default=None, max_length=20)
    # Names of contact subtypes; empty means every contact of the type.
    extends_subtypes: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    is_active: bool = Field(default=True)
    weight: int = Field(default=0)
    help_pre: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)


class CustomField(SQLModel, table=True):
    """One field of a set; ``name`` is its key in the API's ``custom`` object."""

    __tablename__ = "custom_field"

    id: int | None = Field(default=None, primary_key=True)
    custom_group_id: int = Field(foreign_key="custom_group.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=64, unique=True)
    label: str = Field(max_length=120)
    data_type: str = Field(max_length=20)
    is_required: bool = Field(default=False)
    is_searchable: bool = Field(default=False)
    is_active: bool = Field(default=True)
    weight: int = Field(default=0)
    help_text: str | None = Field(default=None, max_length=1000)
    default_value: str | None = Field(default=None, max_length=255)
    max_length: int | None = Field(default=None)
    # For select and multiselect: [{"value": "vegan", "label": "Vegan"}, ...], in display order.
    options: list[dict[str, Any]] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )

    def option_labels(self) -> dict[str, str]:
        return {str(o["value"]): str(o.get("label") or o["value"]) for o in self.options or []}


class CustomValue(SQLModel, table=True):
    """One value of one field for one record (``entity``, ``entity_id``).

    Texts and options go to ``value_text`` (indexed; long memos to ``value_memo``, which a
    B-tree index could not hold), numbers, money and booleans (0/1) to ``value_number``, dates
    to ``value_date``, contact references to ``value_contact_id`` (the value goes when the
    contact it names is deleted).
    """

    __tablename__ = "custom_value"
    __table_args__ = (
        Index("ix_custom_value_field_id_value_text", "field_id", "value_text"),
        Index("ix_custom_value_field_id_value_number", "field_id", "value_number"),
        Index("ix_custom_value_field_id_value_date", "field_id", "value_date"),
        Index("ix_custom_value_entity_entity_id", "entity", "entity_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    field_id: int = Field(foreign_key="custom_field.id", ondelete="CASCADE")
    entity: str = Field(max_length=64)
    entity_id: int
    value_text: str | None = Field(default=None, max_length=TEXT_MAX_LENGTH)
    value_memo: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    value_number: Decimal | None = Field(default=None, sa_column=Column(Numeric(20, 4)))
    value_date: date | None = None
    value_contact_id: int | None = Field(
        default=None, foreign_key="contact.id", index=True, ondelete="CASCADE"
    )
