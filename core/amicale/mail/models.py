"""Message templates: a subject and a body (text, and HTML when wanted) with tokens such as
``{contact.first_name}``, reused for one-to-one emails, mailings and postal letters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from ..clock import utcnow


class MessageTemplate(SQLModel, table=True):
    __tablename__ = "message_template"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    subject: str = Field(max_length=255)
    body_text: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)
    modified_at: datetime = Field(default_factory=utcnow)


DRAFT, SCHEDULED, SENDING, SENT, CANCELLED = "draft", "scheduled", "sending", "sent", "cancelled"
MAILING_STATUSES = (DRAFT, SCHEDULED, SENDING, SENT, CANCELLED)
QUEUED, DELIVERED, FAILED, BOUNCED, UNSUBSCRIBED = (
    "queued",
    "sent",
    "failed",
    "bounced",
    "unsubscribed",
)
RECIPIENT_STATUSES = (QUEUED, DELIVERED, FAILED, BOUNCED, UNSUBSCRIBED)


class Mailing(SQLModel, table=True):
    """A bulk email to groups and mailing lists: drafted, then queued and delivered by a job."""

    __tablename__ = "mailing"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=255)
    subject: str = Field(max_length=255)
    body_text: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    template_id: int | None = Field(
        default=None, foreign_key="message_template.id", ondelete="SET NULL"
    )
    status: str = Field(default=DRAFT, max_length=20, index=True)
    scheduled_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    recipients_total: int = Field(default=0)
    created_by: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    modified_at: datetime = Field(default_factory=utcnow)


class MailingGroup(SQLModel, table=True):
    """A group the mailing goes to (``include``) or whose members it leaves out."""

    __tablename__ = "mailing_group"

    mailing_id: int = Field(foreign_key="mailing.id", primary_key=True, ondelete="CASCADE")
    group_id: int = Field(foreign_key="contact_group.id", primary_key=True, ondelete="CASCADE")
    include: bool = Field(default=True)


class MailingRecipient(SQLModel, table=True):
    """One address a mailing goes to (one per address even when several contacts share it),
    and what became of the message."""

    __tablename__ = "mailing_recipient"
    __table_args__ = (
        UniqueConstraint("mailing_id", "email"),
        Index("ix_mailing_recipient_mailing_id_status", "mailing_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    mailing_id: int = Field(foreign_key="mailing.id", ondelete="CASCADE")
    contact_id: int | None = Field(
        default=None, foreign_key="contact.id", ondelete="SET NULL", index=True
    )
    email: str = Field(max_length=254)
    status: str = Field(default=QUEUED, max_length=20)
    attempts: int = Field(default=0)
    error: str | None = Field(default=None, max_length=1000)
    sent_at: datetime | None = None
    changed_at: datetime = Field(default_factory=utcnow)


HARD, SOFT = "hard", "soft"


class EmailBounce(SQLModel, table=True):
    """A delivery status notification (RFC 3464) received for an address: hard (the address
    does not work: 5.x.x) or soft (4.x.x, delayed). After enough hard bounces the address is
    put on hold."""

    __tablename__ = "email_bounce"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    kind: str = Field(max_length=10)
    status: str | None = Field(default=None, max_length=20)
    diagnostic: str | None = Field(default=None, max_length=1000)
    mailing_id: int | None = Field(
        default=None, foreign_key="mailing.id", ondelete="SET NULL", index=True
    )
    received_at: datetime = Field(default_factory=utcnow)
