"""Contacts as a default plugin of the core: models, pages, API, permissions, menu."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import hookimpl
from ..hooktypes import MenuItem, Permission


@hookimpl
def register_models():
    from . import models as m

    return [
        m.Contact,
        m.ContactSubtype,
        m.ContactSubtypeLink,
        m.Email,
        m.Phone,
        m.Address,
        m.Website,
        m.ContactSearchToken,
    ]


@hookimpl
def register_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def register_api():
    from .api import blp, subtypes_blp

    return [blp, subtypes_blp]


@hookimpl
def register_permissions():
    return [
        Permission(
            "view_contacts",
            _l("See contacts"),
            _l("Search and read contacts, their details, activities and groups."),
            default_roles=("staff", "volunteer", "readonly"),
        ),
        Permission(
            "edit_contacts",
            _l("Edit contacts"),
            _l("Create and change contacts, relationships, activities, groups, tags and notes."),
            default_roles=("staff", "volunteer"),
        ),
        Permission(
            "delete_contacts",
            _l("Move contacts to the trash"),
            _l("Delete contacts (restorable from the trash)."),
            default_roles=("staff",),
        ),
        Permission(
            "purge_contacts",
            _l("Delete contacts for good"),
            _l("Empty the trash: the contact and all their data are erased."),
        ),
        Permission(
            "administer_settings",
            _l("Administer the CRM's settings"),
            _l(
                "Contact subtypes, relationship and activity types, tags, custom fields, "
                "the organisation's details."
            ),
        ),
    ]


@hookimpl
def menu_items(user):
    return [
        MenuItem("contacts", _l("Contacts"), "contacts.index", "main", 10, "view_contacts"),
        MenuItem("contacts.trash", _l("Trash"), "contacts.trash", "admin", 60, "delete_contacts"),
        MenuItem(
            "admin.contact_subtypes",
            _l("Contact subtypes"),
            "contacts.subtypes",
            "admin",
            40,
            "administer_settings",
        ),
    ]
