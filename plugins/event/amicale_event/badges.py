"""Name badges of an event's participants as a PDF (A4, eight badges a page), drawn with
WeasyPrint as the core draws its letters: from HTML, fetching nothing."""

from __future__ import annotations

from flask import render_template
from sqlalchemy.orm import Session

from amicale.api_for_plugins import get_setting

from . import services
from .models import HOLDING


def render_badges(session: Session, event_id: int) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    event = services.get_event(session, event_id)
    rows, _ = services.list_participants(session, event_id=event_id)
    rows = [p for p in rows if p.status in HOLDING]
    names = services.display_names(session, [p.contact_id for p in rows])
    people = sorted(
        ({"name": names.get(p.contact_id, ""), "role": p.role} for p in rows),
        key=lambda b: b["name"].lower(),
    )
    html = render_template(
        "event/badges.html",
        event=event,
        people=people,
        organisation=get_setting(session, "organisation.name", ""),
    )
    fetcher = URLFetcher(allowed_protocols=("data",))
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
