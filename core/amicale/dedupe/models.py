"""Duplicate rules as CiviCRM has them (weighted fields and a threshold, per contact type), the
pairs marked "not a duplicate", and the record of each merge (the trashed contact's link to the
contact it was merged into)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from ..clock import utcnow

EXACT, FUZZY = "exact", "fuzzy"
MATCHES = (EXACT, FUZZY)
# Fields a rule can compare: the contact's own columns and its details (any of several values).
RULE_FIELDS = (
    "first_name",
    "last_name",
    "organization_name",
    "household_name",
    "birth_date",
    "external_identifier",
    "email",
    "phone",
    "postal_code",
    "city",
    "street_address",
)
DEFAULT_CUTOFF = 85


class DedupeRule(SQLModel, table=True):
    """Two contacts of ``contact_type`` are duplicates when the weights of their matching
    fields add up to ``threshold`` or more."""

    __tablename__ = "dedupe_rule"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    contact_type: str = Field(default="Individual", max_length=20)
    threshold: int = Field(default=10)
    # The rule offered first for its contact type (CiviCRM's "unsupervised" rule).
    is_default: bool = Field(default=False)
    # Seeded: its name is shown translated.
    is_reserved: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)


class DedupeRuleField(SQLModel, table=True):
    """One field of a rule: compared exactly (case and surrounding spaces aside) or fuzzily
    (rapidfuzz ratio of the accent-free values at least ``cutoff`` out of 100)."""

    __tablename__ = "dedupe_rule_field"

    id: int | None = Field(default=None, primary_key=True)
    rule_id: int = Field(foreign_key="dedupe_rule.id", index=True, ondelete="CASCADE")
    field: str = Field(max_length=40)
    match: str = Field(default=EXACT, max_length=10)
    weight: int = Field(default=10)
    cutoff: int = Field(default=DEFAULT_CUTOFF)


class DedupeException(SQLModel, table=True):
    """A pair someone marked "not a duplicate": never proposed again (smaller id first)."""

    __tablename__ = "dedupe_exception"
    __table_args__ = (UniqueConstraint("contact_id_a", "contact_id_b"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id_a: int = Field(foreign_key="contact.id", ondelete="CASCADE")
    contact_id_b: int = Field(foreign_key="contact.id", ondelete="CASCADE", index=True)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)


class DedupeMerge(SQLModel, table=True):
    """A merge: ``loser_id`` went to the trash, merged into ``winner_id``."""

    __tablename__ = "dedupe_merge"
    __table_args__ = (Index("ix_dedupe_merge_winner_id", "winner_id"),)

    id: int | None = Field(default=None, primary_key=True)
    winner_id: int = Field(foreign_key="contact.id", ondelete="CASCADE")
    loser_id: int = Field(foreign_key="contact.id", ondelete="CASCADE", unique=True)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    merged_at: datetime = Field(default_factory=utcnow)


def _seeded_labels() -> list:
    """The names of the seeded rules (migration 0006) and the field names, shown translated:
    listed here so that the translation catalogue has them."""
    from flask_babel import lazy_gettext as _l

    return [
        _l("Same email"),
        _l("Same first name, last name and email"),
        _l("Same first name, last name and postal code"),
        _l("Similar name in the same postal code"),
        _l("Similar organisation name and same email"),
    ]
