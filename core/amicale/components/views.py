"""Administer -> Components: the installed components, enabled or not, and the switch."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..accounts.permissions import permission_required
from ..db import session
from ..errors import DomainError
from . import services

bp = Blueprint(
    "component_admin", __name__, url_prefix="/admin/components", template_folder="templates"
)


@bp.route("/")
@permission_required("administer_components")
def index():
    state = current_app.extensions["amicale"]
    rows = services.list_components(session(), state.registry)
    return render_template("components/index.html", components=rows)


@bp.route("/<name>", methods=["POST"])
@permission_required("administer_components")
def toggle(name: str):
    state = current_app.extensions["amicale"]
    enable = request.form.get("enabled") == "1"
    session().close()
    try:
        if enable:
            info = services.enable_component(state.db, state.registry, name)
            flash(_("%(label)s is enabled.", label=info.label), "success")
        else:
            info = services.disable_component(state.db, state.registry, name)
            flash(_("%(label)s is disabled; its data is kept.", label=info.label), "success")
    except DomainError as exc:
        flash(exc.message, "error")
    return redirect(url_for("component_admin.index"))
