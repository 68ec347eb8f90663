"""The tables of Grant: every one is named with the prefix ``grant_``.

Grants the organisation awards:
- ``grant_type`` (Project, Operating...) and ``grant_programme`` (a call for applications, with
  its budget and, optionally, a public application page);
- ``grant_grant``: an application of a contact (a person or an organisation) with the amounts
  requested and granted, the dates and its status in the workflow (``services.TRANSITIONS``);
- ``grant_status_log`` (its history), ``grant_review`` (one score and comment per reviewer),
  ``grant_payment`` (paid in one or several parts), ``grant_attachment`` (files kept in the
  instance folder), ``grant_reminder_log`` (report reminders sent).

Funding the organisation applies for:
- ``grant_funding_application``: to a funder (an organisation contact), with its deadline and
  the amounts requested and obtained;
- ``grant_funding_report``: a report the funder requires, with its due date, and
  ``grant_funding_indicator``: a figure of it, typed by hand or pulled from a core report.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, Column, Numeric, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from amicale.api_for_plugins import utcnow

SUBMITTED, ELIGIBLE, APPROVED, PAID, INELIGIBLE, WITHDRAWN = (
    "Submitted",
    "Eligible",
    "Approved",
    "Paid",
    "Ineligible",
    "Withdrawn",
)
STATUSES = (SUBMITTED, ELIGIBLE, APPROVED, PAID, INELIGIBLE, WITHDRAWN)
_STATUS_CHECK = "status IN ('Submitted', 'Eligible', 'Approved', 'Paid', 'Ineligible', 'Withdrawn')"

DRAFT, SENT, AWARDED, REFUSED, ABANDONED = "Draft", "Submitted", "Awarded", "Refused", "Withdrawn"
FUNDING_STATUSES = (DRAFT, SENT, AWARDED, REFUSED, ABANDONED)
_FUNDING_CHECK = "status IN ('Draft', 'Submitted', 'Awarded', 'Refused', 'Withdrawn')"


def _money(nullable: bool = True) -> Column:
    return Column(Numeric(12, 2), nullable=nullable)


class GrantType(SQLModel, table=True):
    """A kind of grant (Project grant, Operating grant...)."""

    __tablename__ = "grant_type"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128, unique=True)
    description: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    is_active: bool = Field(default=True)
    weight: int = Field(default=0)


class GrantProgramme(SQLModel, table=True):
    """A programme (a call for applications) with its budget. ``is_public``: it has a public
    application page (no login), where ``public_intro`` is shown above the form."""

    __tablename__ = "grant_programme"
    __table_args__ = (CheckConstraint("budget >= 0", name="budget_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128, unique=True)
    description: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    grant_type_id: int | None = Field(
        default=None, foreign_key="grant_type.id", ondelete="SET NULL", index=True
    )
    start_date: date | None = None
    end_date: date | None = None
    budget: Decimal | None = Field(default=None, sa_column=_money())
    currency: str = Field(default="EUR", max_length=3)
    is_active: bool = Field(default=True)
    is_public: bool = Field(default=False)
    public_intro: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Grant(SQLModel, table=True):
    """An application for a grant by ``contact_id``. ``amount_total`` is the amount requested,
    ``amount_granted`` the one decided (it may differ); ``grant_due_date`` is when the report
    is due and ``grant_report_received`` whether it came."""

    __tablename__ = "grant_grant"
    __table_args__ = (
        CheckConstraint(_STATUS_CHECK, name="status"),
        CheckConstraint("amount_total >= 0", name="amount_total_positive"),
        CheckConstraint("amount_granted >= 0", name="amount_granted_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", ondelete="CASCADE", index=True)
    grant_type_id: int = Field(foreign_key="grant_type.id", ondelete="RESTRICT", index=True)
    programme_id: int | None = Field(
        default=None, foreign_key="grant_programme.id", ondelete="SET NULL", index=True
    )
    status: str = Field(default=SUBMITTED, max_length=16, index=True)
    amount_total: Decimal = Field(sa_column=_money(nullable=False))
    amount_granted: Decimal | None = Field(default=None, sa_column=_money())
    currency: str = Field(default="EUR", max_length=3)
    application_received_date: date | None = None
    decision_date: date | None = Field(default=None, index=True)
    money_transfer_date: date | None = None
    grant_due_date: date | None = Field(default=None, index=True)
    grant_report_received: bool = Field(default=False)
    rationale: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    source: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    modified_at: datetime = Field(default_factory=utcnow)


class GrantStatusLog(SQLModel, table=True):
    """One step of a grant's workflow: from which status to which, when, by whom."""

    __tablename__ = "grant_status_log"

    id: int | None = Field(default=None, primary_key=True)
    grant_id: int = Field(foreign_key="grant_grant.id", ondelete="CASCADE", index=True)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    note: str | None = Field(default=None, max_length=255)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    changed_at: datetime = Field(default_factory=utcnow)


class GrantReview(SQLModel, table=True):
    """A reviewer's score (0 to 10) and comment on an application; one per reviewer."""

    __tablename__ = "grant_review"
    __table_args__ = (
        UniqueConstraint("grant_id", "reviewer_id"),
        CheckConstraint("score >= 0 AND score <= 10", name="score_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    grant_id: int = Field(foreign_key="grant_grant.id", ondelete="CASCADE", index=True)
    reviewer_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    reviewer_name: str = Field(max_length=255)
    score: int | None = None
    comment: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    modified_at: datetime = Field(default_factory=utcnow)


class GrantPayment(SQLModel, table=True):
    """A payment of (part of) a grant."""

    __tablename__ = "grant_payment"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    grant_id: int = Field(foreign_key="grant_grant.id", ondelete="CASCADE", index=True)
    payment_date: date
    amount: Decimal = Field(sa_column=_money(nullable=False))
    reference: str | None = Field(default=None, max_length=128)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)


class GrantAttachment(SQLModel, table=True):
    """A file joined to an application, stored as ``stored_as`` in the instance's
    ``grant_attachments`` folder (never under its own name)."""

    __tablename__ = "grant_attachment"

    id: int | None = Field(default=None, primary_key=True)
    grant_id: int = Field(foreign_key="grant_grant.id", ondelete="CASCADE", index=True)
    file_name: str = Field(max_length=255)
    stored_as: str = Field(max_length=64, unique=True)
    mime_type: str = Field(max_length=128)
    size: int
    user_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    uploaded_at: datetime = Field(default_factory=utcnow)


class GrantReminderLog(SQLModel, table=True):
    """A report reminder sent for a grant and its due date (once per due date)."""

    __tablename__ = "grant_reminder_log"
    __table_args__ = (UniqueConstraint("grant_id", "due_date"),)

    id: int | None = Field(default=None, primary_key=True)
    grant_id: int = Field(foreign_key="grant_grant.id", ondelete="CASCADE", index=True)
    due_date: date
    sent_at: datetime = Field(default_factory=utcnow)


class FundingApplication(SQLModel, table=True):
    """Funding the organisation applies for, from ``funder_contact_id`` (an organisation)."""

    __tablename__ = "grant_funding_application"
    __table_args__ = (
        CheckConstraint(_FUNDING_CHECK, name="status"),
        CheckConstraint("amount_requested >= 0", name="amount_requested_positive"),
        CheckConstraint("amount_obtained >= 0", name="amount_obtained_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    funder_contact_id: int = Field(foreign_key="contact.id", ondelete="CASCADE", index=True)
    title: str = Field(max_length=255)
    status: str = Field(default=DRAFT, max_length=16, index=True)
    deadline: date | None = Field(default=None, index=True)
    submitted_date: date | None = None
    decision_date: date | None = None
    amount_requested: Decimal = Field(sa_column=_money(nullable=False))
    amount_obtained: Decimal | None = Field(default=None, sa_column=_money())
    currency: str = Field(default="EUR", max_length=3)
    notes: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    modified_at: datetime = Field(default_factory=utcnow)


class FundingReport(SQLModel, table=True):
    """A report a funder requires, due on ``due_date``; ``submitted_date`` once sent."""

    __tablename__ = "grant_funding_report"

    id: int | None = Field(default=None, primary_key=True)
    funding_application_id: int = Field(
        foreign_key="grant_funding_application.id", ondelete="CASCADE", index=True
    )
    title: str = Field(max_length=255)
    due_date: date | None = Field(default=None, index=True)
    submitted_date: date | None = None
    notes: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class FundingIndicator(SQLModel, table=True):
    """A figure a funder's report asks for: typed by hand (``value``), or pulled from a core
    report (``source_report`` with ``source_filters``): the figures pulled are kept in
    ``figures`` ({"columns": [...], "rows": [[...]]}) with the time they were pulled."""

    __tablename__ = "grant_funding_indicator"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="grant_funding_report.id", ondelete="CASCADE", index=True)
    label: str = Field(max_length=255)
    target: str | None = Field(default=None, max_length=255)
    value: str | None = Field(default=None, max_length=255)
    source_report: str | None = Field(default=None, max_length=128)
    source_filters: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    figures: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    pulled_at: datetime | None = None
