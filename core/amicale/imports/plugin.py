"""Imports from files as a default plugin of the core: contacts, activities, relationships and
the records of components (the ``import_targets`` hook)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import hookimpl
from ..hooktypes import Permission


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
