"""Exports of contacts as a default plugin of the core: CSV, Excel (French) and XLSX files of a
search or a group, with the columns the user picks."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import hookimpl
from ..hooktypes import Permission


@hookimpl
def register_permissions():
    return [
        Permission(
            "export_contacts",
            _l("Export contacts"),
            _l("Download contacts as CSV, XLSX or vCard files (a search, a group, a contact)."),
            default_roles=("staff",),
        )
    ]


@hookimpl
def register_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def register_api():
    from .api import blp

    return [blp]
