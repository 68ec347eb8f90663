"""Reports as a default plugin of the core: the pages, and the core's own reports."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import hookimpl
from ..hooktypes import MenuItem


@hookimpl
def register_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def reports():
    from .core_reports import core_reports

    return core_reports()


@hookimpl
def menu_items(user):
    return [MenuItem("reports", _l("Reports"), "reports.index", "main", 50, "view_contacts")]
