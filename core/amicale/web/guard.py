"""The one check in front of every request: component enabled, user known, permission held.

A view that states neither ``@public`` nor a permission is refused (fail closed).
"""

from __future__ import annotations

from flask import Flask, abort, current_app, g, redirect, request, url_for
from flask_login import current_user

from ..accounts.permissions import has_permission, view_requirement
from ..accounts.services import user_for_token
from ..components.state import enabled_components
from ..db import session
from .setup import csrf


def _api_user():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return user_for_token(session(), token.strip())


def check_request():
    state = current_app.extensions["amicale"]
    endpoint = request.endpoint
    if endpoint is None:
        return None  # 404 or 405 follows
    is_api = request.blueprint in state.api_blueprints or request.path.startswith("/api/")
    g._amicale_api_request = is_api
    if is_api:
        from flask_login import AnonymousUserMixin

        g._login_user = _api_user() or AnonymousUserMixin()

    # Routes of a disabled component do not exist for this organisation.
    owner = None
    for bp in request.blueprints:
        owner = state.blueprint_owner.get(bp)
        if owner:
            break
    if owner and owner not in enabled_components():
        abort(404)

    if endpoint == "static" or endpoint.endswith(".static"):
        return None
    view = current_app.view_functions[endpoint]
    is_public, permission = view_requirement(view, request.method)
    if is_public or request.method == "OPTIONS":
        if is_public and getattr(view, "_amicale_signed_link", False):
            return None  # the signed token of its URL stands for the CSRF token (RFC 8058)
        return _check_csrf(is_api)
    if not current_user.is_authenticated:
        if is_api:
            abort(401)
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    if permission is None:
        current_app.logger.error("route %s states no permission: refused", endpoint)
        abort(403)
    if not has_permission(current_user, permission):
        abort(403)
    return _check_csrf(is_api)


def _check_csrf(is_api: bool):
    """Forms are checked after the login and permission (so a stranger learns nothing more)."""
    if not is_api and request.method not in {"GET", "HEAD", "OPTIONS", "TRACE"}:
        csrf.protect()
    return None


def init_app(app: Flask) -> None:
    app.before_request(check_request)
