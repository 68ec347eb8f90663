"""The dashboard and the basic permission, as a default plugin of the core."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import hookimpl
from ..hooktypes import MenuItem, Widget


@hookimpl
def register_models():
    from ..organisation.models import Setting

    return [Setting]


@hookimpl
def register_blueprints():
    from ..organisation.views import bp as organisation
    from .views import bp

    return [bp, organisation]


@hookimpl
def menu_items(user):
    return [
        MenuItem("dashboard", _l("Dashboard"), "web.dashboard", "main", 0, "access_amicale"),
        MenuItem(
            "admin.organisation",
            _l("Organisation"),
            "organisation.settings",
            "admin",
            5,
            "administer_settings",
        ),
    ]


@hookimpl
def dashboard_widgets(user):
    from ..components.state import enabled_components
    from ..db import session
    from ..organisation.services import get_settings

    return [
        Widget(
            "organisation",
            _l("Your organisation"),
            "web/widget_organisation.html",
            {
                "settings": get_settings(session(), "organisation."),
                "enabled": sorted(enabled_components()),
            },
            weight=0,
            permission="access_amicale",
        )
    ]
