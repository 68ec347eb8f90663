"""The reports of Events (``reports`` hook): attendance by event, by event type, and the
no-show rate, each with one GROUP BY query."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from amicale.api_for_plugins import ReportResult, gettext

from .models import ATTENDED, HOLDING, NO_SHOW, Event, EventType, Participant


def _period(query, filters: dict):
    start, end = filters.get("start"), filters.get("end")
    if start:
        query = query.where(Event.start_date >= datetime.combine(_day(start), time.min))
    if end:
        query = query.where(Event.start_date < datetime.combine(_day(end), time.min) + timedelta(1))
    return query


def _day(value):
    from datetime import date

    return value if isinstance(value, date) else date.fromisoformat(str(value))


_registered = func.sum(case((Participant.status.in_(HOLDING), 1), else_=0))
_attended = func.sum(case((Participant.status == ATTENDED, 1), else_=0))
_no_show = func.sum(case((Participant.status == NO_SHOW, 1), else_=0))


def attendance_by_event(session: Session, filters: dict) -> ReportResult:
    query = _period(
        select(Event.title, Event.start_date, _registered, _attended, _no_show)
        .join(Participant, Participant.event_id == Event.id)
        .group_by(Event.id, Event.title, Event.start_date)
        .order_by(Event.start_date),
        filters,
    )
    rows = [
        (title, start.strftime("%Y-%m-%d"), int(r or 0), int(a or 0), int(n or 0))
        for title, start, r, a, n in session.execute(query)
    ]
    return ReportResult(
        columns=[
            gettext("Event"),
            gettext("Date"),
            gettext("Registered"),
            gettext("Attended"),
            gettext("No-show"),
        ],
        rows=rows,
        labels=[f"{r[0]} ({r[1]})" for r in rows],
        series={
            gettext("Registered"): [r[2] for r in rows],
            gettext("Attended"): [r[3] for r in rows],
        },
    )


def attendance_by_type(session: Session, filters: dict) -> ReportResult:
    name = func.coalesce(EventType.name, "-")
    query = _period(
        select(name, func.count(func.distinct(Event.id)), _registered, _attended)
        .select_from(Event)
        .join(Participant, Participant.event_id == Event.id)
        .outerjoin(EventType, EventType.id == Event.event_type_id)
        .group_by(name)
        .order_by(name),
        filters,
    )
    rows = [(t, int(e), int(r or 0), int(a or 0)) for t, e, r, a in session.execute(query)]
    return ReportResult(
        columns=[
            gettext("Event type"),
            gettext("Events"),
            gettext("Registered"),
            gettext("Attended"),
        ],
        rows=rows,
        labels=[r[0] for r in rows],
        series={gettext("Attended"): [r[3] for r in rows]},
    )


def no_show_rate(session: Session, filters: dict) -> ReportResult:
    """Of the people expected (attended or no-show), the share who did not come, per event."""
    query = _period(
        select(Event.title, Event.start_date, _attended, _no_show)
        .join(Participant, Participant.event_id == Event.id)
        .group_by(Event.id, Event.title, Event.start_date)
        .order_by(Event.start_date),
        filters,
    )
    rows = []
    for title, start, attended, no_show in session.execute(query):
        attended, no_show = int(attended or 0), int(no_show or 0)
        expected = attended + no_show
        if not expected:
            continue
        rate = round(100.0 * no_show / expected, 1)
        rows.append((title, start.strftime("%Y-%m-%d"), attended, no_show, rate))
    return ReportResult(
        columns=[
            gettext("Event"),
            gettext("Date"),
            gettext("Attended"),
            gettext("No-show"),
            gettext("No-show rate (%)"),
        ],
        rows=rows,
        labels=[f"{r[0]} ({r[1]})" for r in rows],
        series={gettext("No-show rate (%)"): [r[4] for r in rows]},
    )
