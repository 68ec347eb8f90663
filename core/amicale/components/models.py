"""Which components the organisation enabled, and with which version."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class ComponentState(SQLModel, table=True):
    __tablename__ = "component"

    name: str = Field(primary_key=True, max_length=64)
    is_enabled: bool = Field(default=False)
    installed_version: str | None = Field(default=None, max_length=40)
    enabled_at: datetime | None = None
    disabled_at: datetime | None = None
