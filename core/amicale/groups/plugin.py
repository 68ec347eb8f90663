"""Groups as a default plugin of the core: models, pages, the contact tab, the API, the menu
entry and the "member of a group" search criterion."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from .. import hookimpl
from ..hooktypes import ContactTab, MenuItem, SearchFilter


@hookimpl
def register_models():
    from .models import Group, GroupContact, GroupContactHistory

    return [Group, GroupContact, GroupContactHistory]


@hookimpl
def register_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def register_api():
    from .api import blp

    return [blp]


@hookimpl
def menu_items(user):
    return [MenuItem("groups", _l("Groups"), "groups.index", "main", 20, "view_contacts")]


@hookimpl
def contact_tabs(contact, user):
    from ..db import session
    from .services import count_contact_groups

    return [
        ContactTab(
            "groups",
            _l("Groups"),
            url_for("groups.contact_tab", contact_id=contact.id),
            count_contact_groups(session(), contact.id),
            40,
        )
    ]


def _options() -> list[tuple[str, str]]:
    from ..db import session
    from .services import group_options

    return group_options(session())


def _in_groups(query, value):
    from ..contacts.models import Contact
    from ..db import session
    from .services import contacts_in_groups_query

    members = contacts_in_groups_query(session(), value)
    return query if members is None else query.where(Contact.id.in_(members))


@hookimpl
def search_filters():
    return [
        SearchFilter(
            "group",
            _l("Member of the group"),
            "multiselect",
            _in_groups,
            options=_options,
            weight=20,
        )
    ]


@hookimpl
def merge_contacts(winner_id, loser_id, session):
    from ..db import session as current_session
    from .services import merge_contact_groups

    merge_contact_groups(session or current_session(), winner_id, loser_id)
