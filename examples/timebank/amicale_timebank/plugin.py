"""The hooks of Timebank: what it tells Amicale about itself and what it adds to its pages.

Amicale calls these only while an administrator has the component enabled. ``amicale sdk hooks``
prints the reference of every hook.
"""

from __future__ import annotations

from pathlib import Path

from flask import url_for

from amicale import hookimpl
from amicale.api_for_plugins import (
    PLUGIN_API_VERSION,
    ContactTab,
    Manifest,
    MenuItem,
    Permission,
    has_permission,
    session,
)
from amicale.api_for_plugins import lazy_gettext as _l

from . import services
from .models import TimebankItem

NAME = "timebank"


@hookimpl
def amicale_component():
    return Manifest(
        name=NAME,
        label="Timebank",
        version="0.1.0",
        description="Timebank, an extension of Amicale.",
        plugin_api=PLUGIN_API_VERSION,
        requires=(),  # components that must be enabled first ("membership"...)
        optional=(),  # components it works with when they are enabled
    )


@hookimpl
def register_models():
    return [TimebankItem]


@hookimpl
def register_migrations():
    return (NAME, Path(__file__).parent / "migrations")


@hookimpl
def register_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def register_api():
    from .api import api

    return [api]


@hookimpl
def register_permissions():
    return [
        Permission(f"{NAME}.view", _l("See Timebank"), default_roles=("staff", "readonly")),
        Permission(f"{NAME}.edit", _l("Edit Timebank"), default_roles=("staff",)),
    ]


@hookimpl
def menu_items(user):
    return [MenuItem(NAME, _l("Timebank"), f"{NAME}.index", "main", 60, f"{NAME}.view")]


@hookimpl
def contact_tabs(contact, user):
    if not has_permission(user, f"{NAME}.view"):
        return []
    count = services.count_for_contact(session(), contact.id)
    url = url_for(f"{NAME}.contact_tab", contact_id=contact.id)
    return [ContactTab(NAME, _l("Timebank"), url, count, 70)]


@hookimpl
def mail_tokens():
    return {f"{NAME}.count": _l("Number of items in Timebank")}


@hookimpl
def mail_token_values(contact_ids, tokens):
    token = f"{NAME}.count"
    if token not in tokens:
        return {}
    counts = services.counts_by_contact(session(), list(contact_ids))
    return {cid: {token: str(counts.get(cid, 0))} for cid in contact_ids}


@hookimpl
def merge_contacts(winner_id, loser_id, session):
    services.move_items(session, loser_id, winner_id)


@hookimpl
def contact_data(contact_id, session):
    rows = services.contact_data(session, contact_id)
    return {"Timebank": rows} if rows else {}


@hookimpl
def erase_contact(contact_id, session):
    services.erase_contact(session, contact_id)
