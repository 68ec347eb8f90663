"""Imports from files as a default plugin of the core: contacts, activities, relationships and
the records of components (the ``import_targets`` hook)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import hookimpl
from ..hooktypes import MenuItem, Permission


@hookimpl
def register_models():
    from .models import ImportItem, ImportJob, ImportMapping, ImportReject

    return [ImportJob, ImportItem, ImportReject, ImportMapping]


@hookimpl
def register_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def register_api():
    from .api import fields_blp, imports_blp, mappings_blp

    return [imports_blp, mappings_blp, fields_blp]


@hookimpl
def register_permissions():
    return [
        Permission(
            "import_contacts",
            _l("Import contacts"),
            _l("Import contacts and their records from CSV, XLSX and vCard files; undo an import."),
            default_roles=("staff",),
        )
    ]


@hookimpl
def menu_items(user):
    return [MenuItem("imports", _l("Import"), "imports.index", "main", 75, "import_contacts")]


@hookimpl
def import_targets():
    from .targets import core_targets

    return core_targets()
