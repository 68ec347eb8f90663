"""Message templates: a subject and a body (text, and HTML when wanted) with tokens such as
``{contact.first_name}``, reused for one-to-one emails, mailings and postal letters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
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
