"""The tables of Membership: every one is named with the prefix ``membership_``.

- ``membership_type``: what one can be a member of (fee, duration, rolling or fixed periods, the
  relationship types through which related contacts inherit it);
- ``membership_status``: the rules that compute a membership's status from its dates (New,
  Current, Grace, Expired...) and the statuses only set by hand (Pending, Cancelled, Deceased);
- ``membership_membership``: a contact's membership of a type, with its dates and status;
  inherited ones point to the membership they come from (``owner_membership_id``);
- ``membership_log``: the history of a membership (join, renewal, change of type or status);
- ``membership_reminder``: the renewal reminder rules, and ``membership_reminder_log`` the
  reminders sent (one per rule, membership and end date).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, Column, Index, Numeric, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from amicale.api_for_plugins import utcnow

DAY, MONTH, YEAR, LIFETIME = "day", "month", "year", "lifetime"
DURATION_UNITS = (DAY, MONTH, YEAR, LIFETIME)
ADJUST_UNITS = (DAY, MONTH, YEAR)
ROLLING, FIXED = "rolling", "fixed"
PERIOD_TYPES = (ROLLING, FIXED)
JOIN_DATE, START_DATE, END_DATE = "join_date", "start_date", "end_date"
EVENTS = (JOIN_DATE, START_DATE, END_DATE)
# What a log row records.
JOIN, RENEW, TYPE_CHANGE, CANCEL, STATUS, OVERRIDE = (
    "join",
    "renew",
    "type_change",
    "cancel",
    "status",
    "override",
)
ACTIONS = (JOIN, RENEW, TYPE_CHANGE, CANCEL, STATUS, OVERRIDE)


class MembershipType(SQLModel, table=True):
    """A kind of membership: its fee, how long a period lasts, and who inherits it.

    ``period_type`` rolling: a period starts on the day one joins or renews; fixed: periods
    start on ``fixed_period_start_day`` (MMDD: "0101" the calendar year, "0901" a school year),
    and whoever joins on or after ``fixed_period_rollover_day`` (MMDD) in a period gets the
    next period too. ``relationship_types`` are names of relationship types: the contacts
    related to a member through one of them inherit the membership (at most ``max_related``).
    ``is_public``: offered on the public join page, whose confirmation email is the message
    template ``confirmation_template_id`` (None: a plain text).
    """

    __tablename__ = "membership_type"
    __table_args__ = (
        CheckConstraint(
            "duration_unit IN ('day', 'month', 'year', 'lifetime')", name="duration_unit"
        ),
        CheckConstraint("period_type IN ('rolling', 'fixed')", name="period_type"),
        CheckConstraint("duration_interval > 0", name="duration_interval_positive"),
        CheckConstraint("minimum_fee >= 0", name="minimum_fee_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128, unique=True)
    description: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    owner_contact_id: int | None = Field(
        default=None, foreign_key="contact.id", ondelete="SET NULL", index=True
    )
    minimum_fee: Decimal = Field(
        default=Decimal("0.00"), sa_column=Column(Numeric(12, 2), nullable=False)
    )
    financial_type: str = Field(default="Member Dues", max_length=64)
    duration_unit: str = Field(default=YEAR, max_length=10)
    duration_interval: int = Field(default=1)
    period_type: str = Field(default=ROLLING, max_length=10)
    fixed_period_start_day: str | None = Field(default=None, max_length=4)
    fixed_period_rollover_day: str | None = Field(default=None, max_length=4)
    auto_renew: bool = Field(default=False)
    relationship_types: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    max_related: int | None = Field(default=None)
    is_active: bool = Field(default=True)
    weight: int = Field(default=0)
    is_public: bool = Field(default=False)
    confirmation_template_id: int | None = Field(
        default=None, foreign_key="message_template.id", ondelete="SET NULL"
    )


class MembershipStatus(SQLModel, table=True):
    """A status and, unless ``is_admin``, the rule that gives it from a membership's dates.

    The rule matches when ``start_event + start adjustment <= today`` (no start event: always)
    and ``today < end_event + end adjustment`` (no end event: always; the end is exclusive).
    The active rules are tried by ``weight``: the first that matches gives the status. An admin
    status (Pending, Cancelled, Deceased) is only set by hand or by an event, and a membership
    in one is left alone by the status job.
    """

    __tablename__ = "membership_status"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    label: str = Field(max_length=128)
    start_event: str | None = Field(default=None, max_length=16)
    start_event_adjust_unit: str | None = Field(default=None, max_length=8)
    start_event_adjust_interval: int | None = Field(default=None)
    end_event: str | None = Field(default=None, max_length=16)
    end_event_adjust_unit: str | None = Field(default=None, max_length=8)
    end_event_adjust_interval: int | None = Field(default=None)
    is_current_member: bool = Field(default=False)
    is_admin: bool = Field(default=False)
    weight: int = Field(default=0)
    is_active: bool = Field(default=True)
    is_reserved: bool = Field(default=False)


class Membership(SQLModel, table=True):
    """A contact's membership of a type. ``end_date`` None: for life.

    ``is_override``: the status was set by hand and the job leaves it until
    ``status_override_end_date`` (None: for good). ``paid_amount``/``paid_date`` note the dues
    when no payment component records them.
    """

    __tablename__ = "membership_membership"
    __table_args__ = (Index("ix_membership_membership_status_end", "status_id", "end_date"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", ondelete="CASCADE", index=True)
    membership_type_id: int = Field(
        foreign_key="membership_type.id", ondelete="RESTRICT", index=True
    )
    join_date: date
    start_date: date
    end_date: date | None = Field(default=None, index=True)
    status_id: int = Field(foreign_key="membership_status.id", ondelete="RESTRICT")
    is_override: bool = Field(default=False)
    status_override_end_date: date | None = None
    override_reason: str | None = Field(default=None, max_length=255)
    owner_membership_id: int | None = Field(
        default=None, foreign_key="membership_membership.id", ondelete="CASCADE", index=True
    )
    source: str | None = Field(default=None, max_length=255)
    paid_amount: Decimal | None = Field(
        default=None, sa_column=Column(Numeric(12, 2), nullable=True)
    )
    paid_date: date | None = None
    created_at: datetime = Field(default_factory=utcnow)
    modified_at: datetime = Field(default_factory=utcnow)


class MembershipLog(SQLModel, table=True):
    """One step of a membership's history: what happened (``action``), the status and dates it
    left the membership with, when and by whom (None: the status job)."""

    __tablename__ = "membership_log"

    id: int | None = Field(default=None, primary_key=True)
    membership_id: int = Field(
        foreign_key="membership_membership.id", ondelete="CASCADE", index=True
    )
    status_id: int = Field(foreign_key="membership_status.id", ondelete="RESTRICT")
    start_date: date | None = None
    end_date: date | None = None
    action: str = Field(max_length=20)
    modified_at: datetime = Field(default_factory=utcnow)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")


class MembershipReminder(SQLModel, table=True):
    """A renewal reminder rule: the email (a core message template) that members of a type (None:
    every type) get ``days`` days from their end date (negative: before it, positive: after
    it). Each member gets it once per end date (``membership_reminder_log``)."""

    __tablename__ = "membership_reminder"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128)
    membership_type_id: int | None = Field(
        default=None, foreign_key="membership_type.id", ondelete="CASCADE", index=True
    )
    days: int = Field(default=-30)
    template_id: int | None = Field(
        default=None, foreign_key="message_template.id", ondelete="SET NULL", index=True
    )
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)


class MembershipReminderLog(SQLModel, table=True):
    """A reminder sent: to the member of ``membership_id`` for the period ending ``end_date``."""

    __tablename__ = "membership_reminder_log"
    __table_args__ = (UniqueConstraint("reminder_id", "membership_id", "end_date"),)

    id: int | None = Field(default=None, primary_key=True)
    reminder_id: int = Field(foreign_key="membership_reminder.id", ondelete="CASCADE")
    membership_id: int = Field(
        foreign_key="membership_membership.id", ondelete="CASCADE", index=True
    )
    end_date: date
    sent_at: datetime = Field(default_factory=utcnow)
