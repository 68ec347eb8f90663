"""Notes as a default plugin of the core: the model, the contact tab, the API, and erasing the
notes on a person with them."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from .. import hookimpl
from ..hooktypes import ContactTab


@hookimpl
def register_models():
    from .models import Note

    return [Note]


@hookimpl
def register_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def register_api():
    from .api import blp

    return [blp]


@hookimpl
def contact_tabs(contact, user):
    from ..db import session
    from .services import count_notes

    return [
        ContactTab(
            "notes",
            _l("Notes"),
            url_for("notes.contact_tab", contact_id=contact.id),
            count_notes(session(), contact.id, getattr(user, "contact_id", None)),
            60,
        )
    ]


@hookimpl
def erase_contact(contact_id, session):
    """Notes point to their contact by number (``entity_id``), without a foreign key: delete
    them when the contact is deleted for good."""
    from .services import erase_contact_notes

    erase_contact_notes(session, contact_id)


@hookimpl
def merge_contacts(winner_id, loser_id, session):
    from ..db import session as current_session
    from .services import merge_contact_notes

    merge_contact_notes(session or current_session(), winner_id, loser_id)
