"""How an event's date is written: its dates are wall-clock times where it happens (naive), so
they are shown as written, never converted (``format_datetime`` would read them as UTC)."""

from __future__ import annotations

from datetime import datetime

from amicale.api_for_plugins import format_date


def when(value: datetime | None, style: str = "full") -> str:
    """ "jeudi 10 décembre 2026, 19:00" (``style`` of the day: full, long, medium, short)."""
    if value is None:
        return ""
    return f"{format_date(value.date(), style)}, {value:%H:%M}"
