"""Activities (meetings, calls, emails, follow-ups...) with their source, target and assignee
contacts; the activity types of the core and of the enabled components."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from ..clock import utcnow

STATUSES = ("Scheduled", "Completed", "Cancelled", "Left Message", "Unreachable", "Not Required")
PRIORITIES = ("Low", "Normal", "Urgent")
ROLES = ("source", "target", "assignee")


class ActivityType(SQLModel, table=True):
    __tablename__ = "activity_type"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    label: str = Field(max_length=120)
    is_active: bool = Field(default=True)
    component: str | None = Field(default=None, max_length=64)  # None: the core's
    is_reserved: bool = Field(default=False)  # seeded or a component's: never deleted


class Activity(SQLModel, table=True):
    __tablename__ = "activity"

    id: int | None = Field(default=None, primary_key=True)
    activity_type_id: int = Field(foreign_key="activity_type.id", index=True)
    subject: str | None = Field(default=None, max_length=255)
    details: str | None = Field(default=None, sa_type=Text)
    activity_date: datetime = Field(default_factory=utcnow, index=True)
    duration: int | None = None  # minutes
    location: str | None = Field(default=None, max_length=255)
    status: str = Field(default="Scheduled", max_length=32)
    priority: str = Field(default="Normal", max_length=16)
    source_contact_id: int | None = Field(
        default=None, foreign_key="contact.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow)
    modified_at: datetime = Field(default_factory=utcnow)
    is_deleted: bool = Field(default=False)


class ActivityContact(SQLModel, table=True):
    """Who an activity involves: its source (who recorded it), targets (with whom) and
    assignees (who must act). The source is also here, so a contact's timeline is one lookup."""

    __tablename__ = "activity_contact"
    __table_args__ = (Index("ix_activity_contact_contact_id_role", "contact_id", "role"),)

    activity_id: int = Field(foreign_key="activity.id", primary_key=True, ondelete="CASCADE")
    contact_id: int = Field(foreign_key="contact.id", primary_key=True, ondelete="CASCADE")
    role: str = Field(max_length=16, primary_key=True)


def _option_labels() -> dict:
    """Statuses and priorities are stored in English and shown translated (``_(value)``):
    listed here so that the translation catalogue has them."""
    from flask_babel import lazy_gettext as _l

    return {
        "Scheduled": _l("Scheduled"),
        "Completed": _l("Completed"),
        "Cancelled": _l("Cancelled"),
        "Left Message": _l("Left Message"),
        "Unreachable": _l("Unreachable"),
        "Not Required": _l("Not Required"),
        "Low": _l("Low"),
        "Normal": _l("Normal"),
        "Urgent": _l("Urgent"),
    }


def _seeded_labels() -> list:
    """The labels of the seeded activity types (migration 0002), shown translated with ``|tr``."""
    from flask_babel import lazy_gettext as _l

    return [
        _l("Meeting"),
        _l("Phone Call"),
        _l("Email"),
        _l("Inbound Email"),
        _l("SMS"),
        _l("Letter"),
        _l("Follow up"),
        _l("Interview"),
    ]
