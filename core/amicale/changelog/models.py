"""One row per changed field."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from ..clock import utcnow


class ChangeLog(SQLModel, table=True):
    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_contact_id_changed_at", "contact_id", "changed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int | None = Field(default=None)  # kept when the contact is deleted for good
    entity: str = Field(max_length=64)  # contact, email, phone, address, website...
    entity_id: int | None = None
    action: str = Field(max_length=10)  # create, update, delete, trash, restore
    field: str | None = Field(default=None, max_length=100)
    old_value: str | None = None
    new_value: str | None = None
    user_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    changed_at: datetime = Field(default_factory=utcnow)
