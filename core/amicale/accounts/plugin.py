"""Accounts as a default plugin of the core: its models, pages, API, permissions and menu."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import hookimpl
from ..hooktypes import MenuItem, Permission


@hookimpl
def register_models():
    from .models import ApiKey, LoginAttempt, PermissionRecord, Role, RolePermission, User, UserRole

    return [User, Role, UserRole, PermissionRecord, RolePermission, ApiKey, LoginAttempt]


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
            "access_amicale",
            _l("Use Amicale"),
            _l("See the dashboard and one's own account; every staff role needs it."),
            default_roles=("staff", "volunteer", "readonly"),
        ),
        Permission(
            "administer_users",
            _l("Administer users and roles"),
            _l("Create users, give roles, choose what each role may do."),
        ),
    ]


@hookimpl
def menu_items(user):
    return [
        MenuItem("admin.users", _l("Users"), "accounts.users", "admin", 20, "administer_users"),
        MenuItem(
            "admin.roles",
            _l("Roles and permissions"),
            "accounts.roles",
            "admin",
            30,
            "administer_users",
        ),
    ]


@hookimpl
def merge_contacts(winner_id, loser_id, session):
    from ..db import session as current_session
    from .services import merge_contact_users

    merge_contact_users(session or current_session(), winner_id, loser_id)
