"""Components administration as a default plugin of the core."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import hookimpl
from ..hooktypes import MenuItem, Permission


@hookimpl
def register_models():
    from .models import ComponentState

    return [ComponentState]


@hookimpl
def register_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def register_api():
    from .api import blp

    return [blp]


@hookimpl
def register_permissions():
    return [
        Permission(
            "administer_components",
            _l("Administer components"),
            _l("Enable and disable components for the organisation."),
        )
    ]


@hookimpl
def menu_items(user):
    return [
        MenuItem(
            "admin.components",
            _l("Components"),
            "component_admin.index",
            "admin",
            10,
            "administer_components",
        )
    ]
