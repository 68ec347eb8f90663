"""Relationships as a default plugin of the core: models, the contact tab, the admin page of
types, the API and the "has a relationship of type" search criterion."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from .. import hookimpl
from ..hooktypes import ContactTab, MenuItem, SearchFilter


@hookimpl
def register_models():
    from .models import Relationship, RelationshipType

    return [RelationshipType, Relationship]


@hookimpl
def register_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def register_api():
    from .api import blp, types_blp

    return [types_blp, blp]


@hookimpl
def menu_items(user):
    return [
        MenuItem(
            "relationship_types",
            _l("Relationship types"),
            "relationships.types",
            "admin",
            40,
            "administer_settings",
        )
    ]


@hookimpl
def contact_tabs(contact, user):
    from ..db import session
    from .services import count_current_relationships

    return [
        ContactTab(
            "relationships",
            _l("Relationships"),
            url_for("relationships.contact_tab", contact_id=contact.id),
            count_current_relationships(session(), contact.id),
            20,
        )
    ]


def _type_options() -> list[tuple[str, str]]:
    from ..db import session
    from .services import list_relationship_types

    return [
        (t.name, t.label_a_b if t.is_symmetric else f"{t.label_a_b} / {t.label_b_a}")
        for t in list_relationship_types(session())
    ]


def _has_relationship(query, value):
    from ..contacts.models import Contact
    from ..db import session
    from .services import contacts_with_relationship_query

    names = [v for v in (value if isinstance(value, list | tuple) else [value]) if v]
    sub = contacts_with_relationship_query(session(), [str(n) for n in names]).subquery()
    return query.where(Contact.id.in_(sub.select()))


@hookimpl
def search_filters():
    return [
        SearchFilter(
            "relationship_type",
            _l("Has a current relationship"),
            "select",
            _has_relationship,
            options=_type_options,
            weight=40,
        )
    ]


@hookimpl
def merge_contacts(winner_id, loser_id, session):
    from ..db import session as current_session
    from .services import merge_contact_relationships

    merge_contact_relationships(session or current_session(), winner_id, loser_id)
