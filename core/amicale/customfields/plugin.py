"""Custom fields as a default plugin of the core: models, admin pages, API, menu, search
criteria, and the erasure of a contact's values."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import hookimpl
from ..hooktypes import MenuItem


@hookimpl
def register_models():
    from .models import CustomField, CustomGroup, CustomValue

    return [CustomGroup, CustomField, CustomValue]


@hookimpl
def register_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def register_api():
    from .api import fields_blp, groups_blp

    return [groups_blp, fields_blp]


@hookimpl
def menu_items(user):
    return [
        MenuItem(
            "admin.custom_fields",
            _l("Custom fields"),
            "customfields.index",
            "admin",
            45,
            "administer_settings",
        )
    ]


@hookimpl
def search_filters():
    from ..db import session
    from .services import search_filters as filters

    return filters(session())


@hookimpl
def erase_contact(contact_id, session):
    from ..db import session as current_session
    from .services import erase_contact_values

    erase_contact_values(session or current_session(), contact_id)


@hookimpl
def merge_contacts(winner_id, loser_id, session):
    from ..db import session as current_session
    from .services import merge_contact_values

    merge_contact_values(session or current_session(), winner_id, loser_id)


@hookimpl
def contact_data(contact_id, session):
    from ..db import session as current_session
    from .services import contact_data as data

    return data(session or current_session(), contact_id)
