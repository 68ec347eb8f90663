"""Tags: a hierarchy the admin defines (a parent may serve only to organise its children), put
on contacts (and later other entities) through ``entity_tag``."""

from __future__ import annotations

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

USED_FOR = ("contact",)


class Tag(SQLModel, table=True):
    __tablename__ = "tag"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    description: str | None = Field(default=None, max_length=255)
    # No ON DELETE: a tag with sub-tags cannot be deleted (the service says so, the database
    # stands behind it).
    parent_id: int | None = Field(default=None, foreign_key="tag.id", index=True)
    is_selectable: bool = Field(default=True)  # False: a heading that only organises others
    color: str | None = Field(default=None, max_length=7)  # "#1e88e5"
    used_for: str = Field(default="contact", max_length=64)


class EntityTag(SQLModel, table=True):
    """A tag on one record: ``entity_table`` names the kind ("contact"), ``entity_id`` the row."""

    __tablename__ = "entity_tag"
    __table_args__ = (
        # also the index of "the tags of this contact" (its first two columns)
        UniqueConstraint("entity_table", "entity_id", "tag_id"),
        # "the contacts with this tag", read from the index alone
        Index("ix_entity_tag_tag_id_entity_table", "tag_id", "entity_table", "entity_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    entity_table: str = Field(default="contact", max_length=64)
    entity_id: int
    tag_id: int = Field(foreign_key="tag.id", ondelete="CASCADE")
