"""The tables of Timebank: every one is named with the prefix ``timebank_``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from amicale.api_for_plugins import utcnow


class TimebankItem(SQLModel, table=True):
    """One item of Timebank, about a contact."""

    __tablename__ = "timebank_item"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", ondelete="CASCADE", index=True)
    title: str = Field(max_length=200)
    details: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
