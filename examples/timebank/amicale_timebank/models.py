"""The tables of Timebank: every one is named with the prefix ``timebank_``.

- ``timebank_category``: the skills the association lists (gardening, sewing...), admin-defined;
- ``timebank_listing``: a member's offer or request of a skill;
- ``timebank_exchange``: hours one member gave another. A member's balance is the hours they
  provided minus the hours they received (see ``services.balances``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Column, Numeric, Text
from sqlmodel import Field, SQLModel

from amicale.api_for_plugins import utcnow

OFFER, REQUEST = "offer", "request"
KINDS = (OFFER, REQUEST)
#: Most hours one exchange may record.
MAX_HOURS = Decimal("100")


class TimebankCategory(SQLModel, table=True):
    """A skill members offer or request. In use, it cannot be deleted: deactivate it."""

    __tablename__ = "timebank_category"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    description: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    is_active: bool = Field(default=True)
    weight: int = Field(default=0)


class TimebankListing(SQLModel, table=True):
    """A member offers (``offer``) or looks for (``request``) a skill."""

    __tablename__ = "timebank_listing"
    __table_args__ = (CheckConstraint("kind IN ('offer', 'request')", name="kind"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", ondelete="CASCADE", index=True)
    category_id: int = Field(foreign_key="timebank_category.id", ondelete="RESTRICT", index=True)
    kind: str = Field(max_length=10)
    description: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)


class TimebankExchange(SQLModel, table=True):
    """``hours`` of a skill that ``provider_id`` gave ``receiver_id``. When a member's data is
    erased, their side becomes NULL and the other keeps the hours in their balance."""

    __tablename__ = "timebank_exchange"
    __table_args__ = (
        CheckConstraint("hours > 0", name="hours_positive"),
        CheckConstraint("provider_id <> receiver_id", name="two_members"),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int | None = Field(
        default=None, foreign_key="contact.id", ondelete="SET NULL", index=True
    )
    receiver_id: int | None = Field(
        default=None, foreign_key="contact.id", ondelete="SET NULL", index=True
    )
    category_id: int = Field(foreign_key="timebank_category.id", ondelete="RESTRICT", index=True)
    hours: Decimal = Field(sa_column=Column(Numeric(6, 2), nullable=False))
    exchange_date: date = Field(index=True)
    description: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
