"""Tags as a default plugin of the core: models, the admin page, the contact tab, the API, the
"has a tag" search criterion, and erasing a person's tags with them."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from .. import hookimpl
from ..hooktypes import ContactTab, MenuItem, SearchFilter


@hookimpl
def register_models():
    from .models import EntityTag, Tag

    return [Tag, EntityTag]


@hookimpl
def register_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def register_api():
    from .api import blp, entity_blp

    return [blp, entity_blp]


@hookimpl
def menu_items(user):
    return [MenuItem("admin.tags", _l("Tags"), "tags.admin", "admin", 45, "administer_settings")]


@hookimpl
def contact_tabs(contact, user):
    from ..db import session
    from .services import count_contact_tags

    return [
        ContactTab(
            "tags",
            _l("Tags"),
            url_for("tags.contact_tab", contact_id=contact.id),
            count_contact_tags(session(), contact.id),
            50,
        )
    ]


def _options() -> list[tuple[str, str]]:
    from ..db import session
    from .services import tag_options

    return tag_options(session())


def _tagged(query, value):
    from ..contacts.models import Contact
    from ..db import session
    from .services import contacts_tagged_query

    tagged = contacts_tagged_query(session(), value)
    return query if tagged is None else query.where(Contact.id.in_(tagged))


@hookimpl
def search_filters():
    return [
        SearchFilter(
            "tag",
            _l("Has the tag (or one below it)"),
            "multiselect",
            _tagged,
            options=_options,
            weight=21,
        )
    ]


@hookimpl
def erase_contact(contact_id, session):
    """Tags point to their contact by number (``entity_id``), without a foreign key: take them
    off when the contact is deleted for good."""
    from .services import erase_contact_tags

    erase_contact_tags(session, contact_id)


@hookimpl
def merge_contacts(winner_id, loser_id, session):
    from ..db import session as current_session
    from .services import merge_contact_tags

    merge_contact_tags(session or current_session(), winner_id, loser_id)
