from __future__ import annotations

from sqlmodel import Field, SQLModel


class SampleItem(SQLModel, table=True):
    __tablename__ = "sample_ext_item"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    contact_id: int | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL")
