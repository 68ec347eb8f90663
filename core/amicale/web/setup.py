"""Mount the web UI: login manager, CSRF, blueprints of the core and components, template helpers."""

from __future__ import annotations

from flask import Flask, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from markupsafe import Markup

from ..accounts.models import User
from ..accounts.permissions import has_permission
from ..db import session
from ..errors import DomainError

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    if getattr(g, "_amicale_api_request", False):
        return None  # the API authenticates by token only
    try:
        uid, version = (int(x) for x in user_id.split(":"))
    except ValueError:
        return None
    user = session().get(User, uid)
    if user is None or not user.is_active or user.session_version != version:
        return None
    return user


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    csrf.init_app(app)
    state = app.extensions["amicale"]
    registry = state.registry

    for bps in registry.core_relay().register_blueprints():
        for bp in bps:
            app.register_blueprint(bp)
    for name, comp in registry.usable().items():
        for bp in comp.blueprints:
            prefix = bp.url_prefix or f"/{name}"
            app.register_blueprint(bp, url_prefix=prefix)
            state.blueprint_owner[bp.name] = name

    app.jinja_env.globals.update(
        menu=_menu,
        slot=_slot,
        can=lambda perm: has_permission(current_user, perm),
    )

    @app.errorhandler(CSRFError)
    def _csrf_error(exc):
        return render_template(
            "errors/error.html",
            code=400,
            message=_l(
                "The form expired or was sent from elsewhere. Reload the page and try again."
            ),
        ), 400

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError):
        if request.path.startswith("/api/"):
            from ..api import error_body

            body = error_body(exc.http_status, exc.message, exc.errors)
            return body, exc.http_status
        return render_template(
            "errors/error.html", code=exc.http_status, message=exc.message
        ), exc.http_status

    for code in (403, 404, 405, 500):
        app.register_error_handler(code, _http_error(code))

    @app.route("/")
    def _root():
        return redirect(url_for("web.dashboard"))

    _root._amicale_public = True


def _http_error(code: int):
    messages = {
        403: _l("You do not have the permission to see this page."),
        404: _l("This page does not exist, or is not enabled for your organisation."),
        405: _l("This action is not allowed here."),
        500: _l("Something went wrong on our side. The error has been logged."),
    }

    def handler(exc):
        if request.path.startswith("/api/"):
            from ..api import error_body

            return error_body(code, None), code
        return render_template("errors/error.html", code=code, message=messages[code]), code

    return handler


def _menu() -> dict[str, list]:
    """The menu for the current user, grouped by section and sorted, from ``menu_items``."""
    from ..plugins import hook

    cached = g.get("_amicale_menu")
    if cached is not None:
        return cached
    user = current_user
    items = []
    for result in hook.menu_items(user=user):
        for item in result or []:
            if has_permission(user, item.permission if item.permission is not None else ""):
                items.append(item)
    sections: dict[str, list] = {}
    for item in sorted(items, key=lambda i: (i.weight, str(i.label))):
        sections.setdefault(item.section, []).append(item)
    g._amicale_menu = sections
    return sections


def _slot(name: str, **context) -> Markup:
    """Markup that the core and enabled components give for a named page slot, by priority."""
    from ..plugins import hook

    parts = []
    for result in hook.template_slot(name=name, context=context):
        if result is None:
            continue
        priority, html = result if isinstance(result, tuple) else (50, result)
        parts.append((priority, str(html)))
    return Markup("\n".join(html for _p, html in sorted(parts, key=lambda p: p[0])))
