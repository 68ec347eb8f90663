"""Registering from the public pages (no login): the visitor is found by their email or becomes
a new contact, the people they bring become contacts too, and the registration follows the
rules of ``services.register`` (a place or the waitlist, Pending payment for a fee: the payment
component is asked for it and answers with the page where it is paid; without one the fee is
noted on the participant, "pay later").

Concurrent visitors: the whole registration is one transaction that takes its places with one
conditional UPDATE; on SQLite it becomes a writer from its first statement
(``lock_for_registration``), and a transaction that still meets a lock is tried again.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from amicale.api_for_plugins import NotFound, ValidationError, gettext, load_input

from . import services
from .contact_match import contact_for
from .models import Event
from .schemas import PublicRegisterSchema

ATTEMPTS = 8
T = TypeVar("T")


def public_events(session: Session) -> list[Event]:
    """The public events to come, soonest first."""
    rows, _ = services.list_events(session, is_public=True, upcoming=True, page_size=200)
    return [e for e in rows if e.is_active]


def public_event(session: Session, event_id: int) -> Event:
    event = services.get_event(session, event_id)
    if not (event.is_public and event.is_active):
        raise NotFound(gettext("No such event."))
    return event


def _register_once(session: Session, event_id: int, data: dict) -> services.Registration:
    event = public_event(session, event_id)
    if not services.registration_open(event):
        raise ValidationError(gettext("Registration is closed for this event."))
    values = load_input(PublicRegisterSchema(), data)
    answers = {q["name"]: data.get(f"field_{q['name']}") for q in event.participant_fields or []}
    source = gettext("Event registration page")
    contact = contact_for(session, values, source)
    guests = []
    for name in values["additional"]:
        first, _, last = name.partition(" ")
        guests.append(
            contact_for(
                session,
                {"first_name": first, "last_name": last or values["last_name"]},
                source,
            ).id
        )
    return services.register(
        session,
        event.id,
        {
            "contact_id": contact.id,
            "additional_contact_ids": guests,
            "fee_level": values["fee_level"],
            "field_values": answers,
            "custom": data.get("custom") or {},
            "source": services.PUBLIC_SOURCE,
        },
        public=True,
    )


def registering(session: Session, event_id: int, work: Callable[[], T]) -> T:
    """Run ``work`` (a registration to ``event_id``) in a transaction of its own, committed
    here: on SQLite a writer from its first statement, and tried again when it still meets a
    lock. The staff pages, the API and the public page register through it."""
    for attempt in range(ATTEMPTS):
        session.rollback()  # start a fresh transaction: no snapshot read before the write
        try:
            services.lock_for_registration(session, event_id)
            result = work()
            session.commit()
            return result
        except OperationalError as exc:
            session.rollback()
            if "locked" not in str(exc).lower() or attempt == ATTEMPTS - 1:
                raise
            time.sleep(0.05 * (attempt + 1) + random.random() * 0.05)
        except Exception:
            session.rollback()
            raise
    raise AssertionError("unreachable")


def register_from_page(session: Session, event_id: int, data: dict) -> services.Registration:
    """A visitor registers (the form's fields); committed here. The caller then sends the
    confirmation (``mail.send_confirmation``)."""
    return registering(session, event_id, lambda: _register_once(session, event_id, data))
