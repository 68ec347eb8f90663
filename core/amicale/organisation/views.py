"""Administer -> Organisation: the organisation's name, address and defaults."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..accounts.permissions import permission_required
from ..db import session
from ..errors import DomainError
from . import services

bp = Blueprint("organisation", __name__, template_folder="templates")


@bp.route("/admin/organisation", methods=["GET", "POST"])
@permission_required("administer_settings")
def settings():
    s = session()
    errors: dict = {}
    values = services.get_settings(s, "organisation.")
    if request.method == "POST":
        try:
            services.update_organisation(s, request.form.to_dict())
            s.commit()
            flash(_("The organisation's details are saved."), "success")
            return redirect(url_for("organisation.settings"))
        except DomainError as exc:
            s.rollback()
            errors = exc.errors
            values.update({f"organisation.{k}": v for k, v in request.form.items()})
    return render_template(
        "organisation/settings.html", values=values, errors=errors, fields=services.EDITABLE
    )
