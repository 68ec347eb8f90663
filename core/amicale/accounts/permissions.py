"""Route permissions: every view states one (``@permission_required``) or is ``@public``.

The check itself runs once, before every request (see ``amicale.web.guard``), so a view that
forgets to declare anything is refused rather than left open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import g
from sqlalchemy import select

from ..db import session
from .models import Role, RolePermission, UserRole

F = TypeVar("F", bound=Callable)

ADMINISTRATOR = "administrator"
SYSTEM_ROLES = {
    "administrator": "Administrator",
    "staff": "Staff",
    "volunteer": "Volunteer",
    "readonly": "Read-only",
}


def permission_required(name: str) -> Callable[[F], F]:
    """Declare the permission a view (or a MethodView method) needs."""

    def mark(view: F) -> F:
        view._amicale_permission = name
        return view

    return mark


def public(view: F) -> F:
    """Declare a view open to anonymous visitors (public pages, login)."""
    view._amicale_public = True
    return view


def signed_link(view: F) -> F:
    """A public view reached through a link signed for one person (unsubscribe, confirm a
    subscription): anonymous, and its POST needs no CSRF token, since mail clients post to it
    (RFC 8058 one-click unsubscribe); the view must check the signature itself."""
    view._amicale_public = True
    view._amicale_signed_link = True
    return view


def login_only(view: F) -> F:
    """Any logged-in user may use the view (logout, one's own account page)."""
    view._amicale_permission = ""
    return view


def view_requirement(view_func: Callable, method: str) -> tuple[bool, str | None]:
    """(is_public, permission) stated by a view; permission None means nothing was stated."""
    target = view_func
    view_class = getattr(view_func, "view_class", None)
    if view_class is not None:
        target = getattr(view_class, method.lower(), None)
        if target is None and method == "HEAD":
            target = getattr(view_class, "get", None)
        if target is None:
            return False, None
    if getattr(target, "_amicale_public", False):
        return True, None
    return False, getattr(target, "_amicale_permission", None)


def user_role_names(user_id: int) -> set[str]:
    return set(
        session()
        .execute(
            select(Role.name)
            .join(UserRole, UserRole.role_id == Role.id)
            .where(UserRole.user_id == user_id)
        )
        .scalars()
    )


def user_permissions(user) -> frozenset[str] | None:
    """The permissions of ``user`` for this request; None means all (an administrator)."""
    cache = g.get("_amicale_perms")
    if cache is not None and cache[0] == user.id:
        return cache[1]
    roles = user_role_names(user.id)
    if ADMINISTRATOR in roles:
        perms = None
    else:
        perms = frozenset(
            session()
            .execute(
                select(RolePermission.permission)
                .join(UserRole, UserRole.role_id == RolePermission.role_id)
                .where(UserRole.user_id == user.id)
            )
            .scalars()
        )
    g._amicale_perms = (user.id, perms)
    return perms


def has_permission(user, name: str | None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not getattr(user, "is_active", False):
        return False
    if not name:
        return True
    perms = user_permissions(user)
    return perms is None or name in perms
