"""The time Amicale stores: timezone-aware UTC datetimes (SQLModel's UTCDateTime columns)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
