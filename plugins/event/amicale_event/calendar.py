"""Events as iCalendar (RFC 5545, with the ``icalendar`` package): one event attached to a
confirmation email, and the feed of the public events that calendar applications subscribe to.
Times are floating (the organisation's local time, as the events are written)."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar
from icalendar import Event as VEvent

from amicale.api_for_plugins import utcnow

from .links import base_url
from .models import Event

PRODID = "-//Amicale//Events//FR"


def _vevent(event: Event, host: str) -> VEvent:
    item = VEvent()
    item.add("uid", f"event-{event.id}@{host}")
    item.add("dtstamp", utcnow())
    item.add("dtstart", event.start_date)
    item.add("dtend", event.end_date or event.start_date + timedelta(hours=2))
    item.add("summary", event.title)
    text = "\n\n".join(t for t in (event.summary, event.description) if t)
    if text:
        item.add("description", text)
    if event.location:
        item.add("location", event.location)
    if event.online_url:
        item.add("url", event.online_url)
    return item


def _host() -> str:
    url = base_url()
    return url.split("//", 1)[-1].split("/", 1)[0] or "amicale"


def calendar_of(events: list[Event], name: str | None = None) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    if name:
        cal.add("x-wr-calname", name)
    host = _host()
    for event in events:
        cal.add_component(_vevent(event, host))
    return cal.to_ical()
