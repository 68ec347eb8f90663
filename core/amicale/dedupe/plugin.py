"""Duplicates and merging as a default plugin of the core: models, pages, API, permission, menu,
and the "merged into" link on a merged contact's page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import hookimpl
from ..hooktypes import MenuItem, Permission


@hookimpl
def register_models():
    from .models import DedupeException, DedupeMerge, DedupeRule, DedupeRuleField

    return [DedupeRule, DedupeRuleField, DedupeException, DedupeMerge]


@hookimpl
def register_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def register_api():
    from .api import duplicates_blp, merge_blp, rules_blp

    return [rules_blp, duplicates_blp, merge_blp]


@hookimpl
def register_permissions():
    return [
        Permission(
            "merge_contacts",
            _l("Find and merge duplicate contacts"),
            _l(
                "List the likely duplicates, mark pairs as not duplicates, merge two contacts "
                "(the other one goes to the trash)."
            ),
            default_roles=("staff",),
        )
    ]


@hookimpl
def menu_items(user):
    return [
        MenuItem("dedupe", _l("Duplicates"), "dedupe.index", "main", 70, "merge_contacts"),
        MenuItem(
            "admin.dedupe_rules",
            _l("Duplicate rules"),
            "dedupe.rules",
            "admin",
            47,
            "administer_settings",
        ),
    ]


@hookimpl
def template_slot(name, context, **kwargs):
    """On a merged contact's page: the link to the contact it was merged into."""
    if name != "contact.sidebar":
        return None
    contact = context.get("contact")
    if contact is None or not contact.is_deleted:
        return None
    from flask import render_template

    from ..db import session
    from .services import merged_into

    winner = merged_into(session(), contact.id)
    if winner is None:
        return None
    return (10, render_template("dedupe/merged_into.html", winner=winner))
