"""The tables of Events: every one is named with the prefix ``event_``.

- ``event_type``: the kinds of events (meeting, workshop, social evening...);
- ``event_event``: an event, with its capacity and ``taken`` (the places held now: the counter
  that registration takes a place from with one conditional UPDATE, so that concurrent
  registrations never overbook it); events of a series point to the first (``series_id``);
- ``event_participant``: a contact's registration to an event, its role, status and fee;
  additional participants point to whoever registered them (``registered_by_id``);
- ``event_participant_log``: the history of a registration (status changes, cancellation,
  transfer, waitlist promotion).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, Column, DateTime, Numeric, Text
from sqlmodel import Field, SQLModel

from amicale.api_for_plugins import utcnow

# Roles of a participant.
ATTENDEE, VOLUNTEER, SPEAKER, HOST = "attendee", "volunteer", "speaker", "host"
ROLES = (ATTENDEE, VOLUNTEER, SPEAKER, HOST)
# Statuses of a participant.
REGISTERED = "Registered"
ATTENDED = "Attended"
NO_SHOW = "No-show"
CANCELLED = "Cancelled"
WAITLIST = "On waitlist"
PENDING_PAYMENT = "Pending payment"
PENDING_APPROVAL = "Pending approval"
STATUSES = (
    REGISTERED,
    ATTENDED,
    NO_SHOW,
    CANCELLED,
    WAITLIST,
    PENDING_PAYMENT,
    PENDING_APPROVAL,
)
# The statuses that hold a place (the others do not count in ``taken``).
HOLDING = (REGISTERED, ATTENDED, NO_SHOW, PENDING_PAYMENT, PENDING_APPROVAL)
# Price options.
MEMBER, NON_MEMBER, REDUCED, FREE = "member", "non_member", "reduced", "free"
PRICE_LEVELS = (MEMBER, NON_MEMBER, REDUCED, FREE)
# How a series repeats.
WEEKLY, MONTHLY, DAILY = "weekly", "monthly", "daily"
FREQUENCIES = (DAILY, WEEKLY, MONTHLY)


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


class EventType(SQLModel, table=True):
    """A kind of event (Meeting, Workshop...)."""

    __tablename__ = "event_type"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128, unique=True)
    description: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    is_active: bool = Field(default=True)
    weight: int = Field(default=0)


class Event(SQLModel, table=True):
    """An event. ``max_participants`` None: no limit. ``taken``: places held now (kept by the
    services, never written by hand). Fees: ``fee_member``, ``fee_non_member``,
    ``fee_reduced`` (None: that option is not offered; all None or 0: free).
    ``participant_fields``: questions asked to each participant, a list of
    ``{"name", "label", "options": [...], "required"}`` (no options: a free text).
    ``reminder_days``: participants are reminded that many days before (None: never);
    ``summary_field`` and ``summary_days``: the organiser (``organiser_email``) gets the count
    of the answers to that question that many days before."""

    __tablename__ = "event_event"
    __table_args__ = (
        CheckConstraint("taken >= 0", name="taken_positive"),
        CheckConstraint(
            "max_participants IS NULL OR taken <= max_participants", name="not_overbooked"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=255)
    summary: str | None = Field(default=None, max_length=500)
    description: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    event_type_id: int | None = Field(
        default=None, foreign_key="event_type.id", ondelete="SET NULL", index=True
    )
    # The event's own dates are wall-clock times where it happens (naive), not instants.
    start_date: datetime = Field(sa_type=DateTime(), index=True)
    end_date: datetime | None = Field(default=None, sa_type=DateTime())
    location: str | None = Field(default=None, max_length=500)
    online_url: str | None = Field(default=None, max_length=500)
    max_participants: int | None = None
    taken: int = Field(default=0)
    is_public: bool = Field(default=False)
    is_active: bool = Field(default=True)
    is_online_registration: bool = Field(default=False)
    registration_start: datetime | None = Field(default=None, sa_type=DateTime())
    registration_end: datetime | None = Field(default=None, sa_type=DateTime())
    requires_approval: bool = Field(default=False)
    has_waitlist: bool = Field(default=True)
    fee_member: Decimal | None = Field(
        default=None, sa_column=Column(Numeric(12, 2), nullable=True)
    )
    fee_non_member: Decimal | None = Field(
        default=None, sa_column=Column(Numeric(12, 2), nullable=True)
    )
    fee_reduced: Decimal | None = Field(
        default=None, sa_column=Column(Numeric(12, 2), nullable=True)
    )
    financial_type: str = Field(default="Event Fee", max_length=64)
    participant_fields: list[dict] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    series_id: int | None = Field(
        default=None, foreign_key="event_event.id", ondelete="SET NULL", index=True
    )
    repeat_rule: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    organiser_email: str | None = Field(default=None, max_length=254)
    reminder_days: int | None = None
    summary_field: str | None = Field(default=None, max_length=64)
    summary_days: int | None = None
    summary_sent_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    modified_at: datetime = Field(default_factory=utcnow)


class Participant(SQLModel, table=True):
    """A contact registered to an event. ``fee_amount`` the fee of the chosen ``fee_level``;
    ``contribution_id`` the payment recorded by the payment component (no foreign key: the
    component may be absent); ``fee_paid`` notes a fee paid when nobody records payments."""

    __tablename__ = "event_participant"
    __table_args__ = (
        CheckConstraint(f"role IN ({_in(ROLES)})", name="role"),
        CheckConstraint(f"status IN ({_in(STATUSES)})", name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event_event.id", ondelete="CASCADE", index=True)
    contact_id: int = Field(foreign_key="contact.id", ondelete="CASCADE", index=True)
    role: str = Field(default=ATTENDEE, max_length=16)
    status: str = Field(default=REGISTERED, max_length=20, index=True)
    register_date: datetime = Field(default_factory=utcnow)
    source: str | None = Field(default=None, max_length=255)
    registered_by_id: int | None = Field(
        default=None, foreign_key="event_participant.id", ondelete="SET NULL", index=True
    )
    fee_level: str | None = Field(default=None, max_length=16)
    fee_amount: Decimal | None = Field(
        default=None, sa_column=Column(Numeric(12, 2), nullable=True)
    )
    fee_paid: bool = Field(default=False)
    contribution_id: int | None = None
    field_values: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    checked_in_at: datetime | None = None
    cancelled_at: datetime | None = None
    transferred_to_id: int | None = Field(
        default=None, foreign_key="event_participant.id", ondelete="SET NULL"
    )
    reminded_at: datetime | None = None
    note: str | None = Field(default=None, max_length=500)


class ParticipantLog(SQLModel, table=True):
    """One step of a registration's history: ``action`` (register, status, cancel, transfer,
    promote), the status before and after, when and by whom (None: the visitor or a job)."""

    __tablename__ = "event_participant_log"

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="event_participant.id", ondelete="CASCADE", index=True)
    action: str = Field(max_length=20)
    old_status: str | None = Field(default=None, max_length=20)
    new_status: str | None = Field(default=None, max_length=20)
    note: str | None = Field(default=None, max_length=500)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    at: datetime = Field(default_factory=utcnow)
