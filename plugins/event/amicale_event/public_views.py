"""The public pages of Events (no login, on the ``event`` blueprint):

- ``/event/public/``: the public events to come;
- ``/event/public/<id>``: an event and its registration form (CSRF-protected, with a hidden
  field people leave empty and robots fill, and a nonce so that a double submit registers once);
- ``/event/public/<id>/event.ics`` and ``/event/public/feed.ics``: iCalendar;
- ``/event/public/cancel/<token>``: the signed self-service cancellation link.
"""

from __future__ import annotations

import secrets

from flask import Response, render_template, request
from flask import session as web_session

from amicale.api_for_plugins import DomainError, gettext, public, session

from . import mail, services, signup
from .calendar import calendar_of
from .links import read_cancel_token
from .models import CANCELLED
from .views import PRICE_LABELS, _errors, bp

HONEYPOT = "website"
NONCES = "event_nonces"
FIELDS = ("first_name", "last_name", "email", "phone", "fee_level", "additional")


@bp.route("/public/", endpoint="public_list")
@public
def public_list():
    return render_template("event/public_list.html", events=signup.public_events(session()))


def _new_nonce() -> str:
    nonce = secrets.token_urlsafe(12)
    web_session[NONCES] = (web_session.get(NONCES) or [])[-9:] + [nonce]
    return nonce


def _use_nonce(nonce: str | None) -> bool:
    """True the first time a form's nonce comes back (a second submit: False)."""
    known = web_session.get(NONCES) or []
    if not nonce or nonce not in known:
        return False
    web_session[NONCES] = [n for n in known if n != nonce]
    return True


def _page(event, values, errors, status=200):
    return render_template(
        "event/public_register.html",
        event=event,
        values=values,
        errors=errors,
        fees=services.fee_options(event),
        price_labels=PRICE_LABELS,
        is_open=services.registration_open(event),
        places_left=services.places_left(event),
        nonce=_new_nonce(),
        sets=services.custom_sets(session()),
    ), status


@bp.route("/public/<int:event_id>", methods=["GET", "POST"], endpoint="public_register")
@public
def public_register(event_id: int):
    s = session()
    event = signup.public_event(s, event_id)
    if request.method == "GET":
        return _page(event, {}, {})
    values = {key: request.form.get(key, "") for key in FIELDS}
    for question in event.participant_fields or []:
        key = f"field_{question['name']}"
        values[key] = request.form.get(key, "")
    custom = services.custom_input(request.form, services.custom_sets(s))
    values.update({f"custom-{name}": value for name, value in custom.items()})
    if request.form.get(HONEYPOT):
        # A robot: told nothing more than a person would be, and nothing is written.
        return render_template("event/public_thanks.html", event=event, participant=None)
    if request.form.get("nonce") and not _use_nonce(request.form.get("nonce")):
        # The form was sent again (a double click, the back button): it registered already.
        return render_template("event/public_thanks.html", event=event, participant=None)
    try:
        result = signup.register_from_page(s, event_id, {**values, "custom": custom})
    except DomainError as exc:
        return _page(services.get_event(s, event_id), values, _errors(exc), 422)
    mail.send_confirmation(s, result.main, result.payment)
    s.commit()
    return render_template(
        "event/public_thanks.html",
        event=event,
        participant=result.main,
        guests=len(result.participants) - 1,
        pay_url=(result.payment or {}).get("pay_url"),
    )


@bp.route("/public/<int:event_id>/event.ics", endpoint="public_event_ics")
@public
def public_event_ics(event_id: int):
    event = signup.public_event(session(), event_id)
    return Response(
        calendar_of([event]),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="event-{event_id}.ics"'},
    )


@bp.route("/public/feed.ics", endpoint="public_feed")
@public
def public_feed():
    events = signup.public_events(session())
    return Response(calendar_of(events, gettext("Events")), mimetype="text/calendar")


@bp.route("/public/cancel/<token>", methods=["GET", "POST"], endpoint="public_cancel")
@public
def public_cancel(token: str):
    s = session()
    participant = services.get_participant(s, read_cancel_token(token))
    event = services.get_event(s, participant.event_id)
    done = participant.status == CANCELLED
    if request.method == "POST" and not done:
        _, promoted = services.cancel(s, participant.id, note=gettext("Cancelled online"))
        s.commit()
        mail.send_promotions(s, promoted)
        s.commit()
        done = True
    return render_template(
        "event/public_cancel.html", event=event, participant=participant, done=done
    )
