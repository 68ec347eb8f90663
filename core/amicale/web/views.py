"""The dashboard, composed of the widgets of the core and the enabled components."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from ..accounts.permissions import has_permission, permission_required
from ..plugins import hook

bp = Blueprint(
    "web",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/amicale",
)


@bp.route("/dashboard")
@permission_required("access_amicale")
def dashboard():
    widgets = [
        w
        for result in hook.dashboard_widgets(user=current_user)
        for w in (result or [])
        if has_permission(current_user, w.permission or "")
    ]
    widgets.sort(key=lambda w: (w.weight, str(w.title)))
    return render_template("web/dashboard.html", widgets=widgets)
