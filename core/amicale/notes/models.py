"""Notes on a contact (and later on any entity): a subject, a text, an author, and a privacy
("author only": nobody else sees it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from ..clock import utcnow

AUTHOR_ONLY = "author only"
PRIVACIES = (None, AUTHOR_ONLY)


class Note(SQLModel, table=True):
    __tablename__ = "note"
    __table_args__ = (Index("ix_note_entity_table_entity_id", "entity_table", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    entity_table: str = Field(default="contact", max_length=64)
    entity_id: int
    subject: str | None = Field(default=None, max_length=255)
    note: str = Field(sa_column=Column(Text, nullable=False))
    # The author: the contact of the user who wrote it.
    author_contact_id: int | None = Field(
        default=None, foreign_key="contact.id", ondelete="SET NULL"
    )
    privacy: str | None = Field(default=None, max_length=20)
    created_at: datetime = Field(default_factory=utcnow)
    modified_at: datetime = Field(default_factory=utcnow)
