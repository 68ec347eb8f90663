"""Activities as a default plugin of the core: models, the contact tab (the timeline), the
"My follow-ups" dashboard widget, the API and the activity search criteria."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from .. import hookimpl
from ..hooktypes import ContactTab, SearchFilter, Widget


@hookimpl
def register_models():
    from .models import Activity, ActivityContact, ActivityType

    return [ActivityType, Activity, ActivityContact]


@hookimpl
def register_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def register_api():
    from .api import blp, types_blp

    return [types_blp, blp]


@hookimpl
def contact_tabs(contact, user):
    from ..db import session
    from .services import count_for_contact

    return [
        ContactTab(
            "activities",
            _l("Activities"),
            url_for("activities.contact_tab", contact_id=contact.id),
            count_for_contact(session(), contact.id),
            10,
        )
    ]


@hookimpl
def dashboard_widgets(user):
    from ..accounts.permissions import has_permission
    from ..clock import utcnow
    from ..db import session
    from .services import follow_ups

    if user is None or not has_permission(user, "view_contacts"):
        return []  # the dashboard would hide it anyway: spare the query
    contact_id = getattr(user, "contact_id", None)
    entries = follow_ups(session(), contact_id) if contact_id else []
    return [
        Widget(
            "my_follow_ups",
            _l("My follow-ups"),
            "activities/widget_follow_ups.html",
            {
                "entries": entries,
                "now": utcnow(),
                "linked": contact_id is not None,
                "contact_id": contact_id,
            },
            weight=20,
            permission="view_contacts",
        )
    ]


def _type_options() -> list[tuple[str, str]]:
    from ..db import session
    from .services import list_activity_types

    return [(t.name, t.label) for t in list_activity_types(session())]


def _names(value) -> list[str]:
    return [str(v) for v in (value if isinstance(value, list | tuple) else [value]) if v]


def _has_activity_of_type(query, value):
    from ..contacts.models import Contact
    from ..db import session
    from .services import contacts_with_activity_query

    return query.where(
        Contact.id.in_(contacts_with_activity_query(session(), type_names=_names(value)))
    )


def _has_activity_in_period(query, value):
    from datetime import date

    from ..contacts.models import Contact
    from ..db import session
    from ..errors import ValidationError
    from .services import contacts_with_activity_query

    if not isinstance(value, dict):
        raise ValidationError(
            str(_l('Give the period as {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}.')),
            field="activity_date",
        )
    bounds = {}
    for key in ("from", "to"):
        raw = value.get(key)
        if raw in (None, ""):
            bounds[key] = None
            continue
        try:
            bounds[key] = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
        except ValueError:
            raise ValidationError(
                str(_l("%(value)s is not a date (YYYY-MM-DD).", value=raw)), field="activity_date"
            ) from None
    if bounds["from"] is None and bounds["to"] is None:
        return query
    return query.where(
        Contact.id.in_(
            contacts_with_activity_query(session(), date_from=bounds["from"], date_to=bounds["to"])
        )
    )


@hookimpl
def search_filters():
    return [
        SearchFilter(
            "activity_type",
            _l("Has an activity of type"),
            "select",
            _has_activity_of_type,
            options=_type_options,
            weight=45,
        ),
        SearchFilter(
            "activity_date",
            _l("Has an activity between"),
            "date_range",
            _has_activity_in_period,
            weight=46,
        ),
    ]


@hookimpl
def merge_contacts(winner_id, loser_id, session):
    from ..db import session as current_session
    from .services import merge_contact_activities

    merge_contact_activities(session or current_session(), winner_id, loser_id)
