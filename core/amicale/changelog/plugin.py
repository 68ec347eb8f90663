"""The change log as a default plugin of the core: its table and the contact tab."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from .. import hookimpl
from ..hooktypes import ContactTab


@hookimpl
def register_models():
    from .models import ChangeLog

    return [ChangeLog]


@hookimpl
def register_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def contact_tabs(contact, user):
    return [
        ContactTab(
            "changelog",
            _l("Change log"),
            url_for("changelog.contact_log", contact_id=contact.id),
            None,
            90,
        )
    ]
