"""Groups of contacts as CiviCRM has them: static groups (members added by hand), smart groups
(a saved search evaluated when used, plus members added or removed by hand), mailing lists;
who is in a group with which status, and the history of every change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from ..clock import utcnow

STATIC, SMART = "static", "smart"
GROUP_TYPES = (STATIC, SMART)
ADDED, REMOVED, PENDING = "Added", "Removed", "Pending"
STATUSES = (ADDED, REMOVED, PENDING)
METHODS = ("Admin", "API", "Import", "Email", "Web")
VISIBILITIES = ("User and User Admin Only", "Public Pages")


class Group(SQLModel, table=True):
    """A group; the table is ``contact_group`` because "group" is an SQL keyword."""

    __tablename__ = "contact_group"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)  # machine name
    title: str = Field(max_length=255)
    description: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    group_type: str = Field(default=STATIC, max_length=20)
    is_mailing_list: bool = Field(default=False)
    is_active: bool = Field(default=True)
    visibility: str = Field(default=VISIBILITIES[0], max_length=40)
    # The saved search of a smart group: criteria as contact_ids_query takes them.
    criteria: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_by: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def is_smart(self) -> bool:
        return self.group_type == SMART


class GroupContact(SQLModel, table=True):
    """A contact's place in a group: Added, Removed (kept, so that a smart group leaves them
    out) or Pending (waiting for a double opt-in)."""

    __tablename__ = "group_contact"
    __table_args__ = (
        UniqueConstraint("group_id", "contact_id"),
        # "the members of these groups" (the search filter, member counts) from the index alone
        Index("ix_group_contact_group_id_status_contact_id", "group_id", "status", "contact_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="contact_group.id", ondelete="CASCADE")
    contact_id: int = Field(foreign_key="contact.id", ondelete="CASCADE", index=True)
    status: str = Field(default=ADDED, max_length=20)


class GroupContactHistory(SQLModel, table=True):
    """One row for every change of a contact's status in a group: added, removed, by whom,
    how, when, and where the consent came from (``tracking``)."""

    __tablename__ = "group_contact_history"
    __table_args__ = (
        Index("ix_group_contact_history_contact_id_changed_at", "contact_id", "changed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="contact_group.id", ondelete="CASCADE", index=True)
    contact_id: int = Field(foreign_key="contact.id", ondelete="CASCADE")
    status: str = Field(max_length=20)
    method: str = Field(default="Admin", max_length=20)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    changed_at: datetime = Field(default_factory=utcnow)
    tracking: str | None = Field(default=None, max_length=255)


def _option_labels() -> dict:
    """The words stored as values and shown translated (``_(value)`` in templates): listed here
    so that the translation catalogue has them."""
    from flask_babel import lazy_gettext as _l

    return {
        "Added": _l("Added"),
        "Removed": _l("Removed"),
        "Pending": _l("Pending"),
        "Admin": _l("Admin"),
        "API": _l("API"),
        "Import": _l("Import"),
        "Email": _l("Email"),
        "Web": _l("Web"),
        "User and User Admin Only": _l("User and User Admin Only"),
        "Public Pages": _l("Public Pages"),
    }
