"""Report pages: the list, one report with its filters, table and chart, and its CSV."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import current_user
from markupsafe import Markup

from ..accounts.permissions import permission_required
from ..db import session
from ..errors import DomainError
from . import services

bp = Blueprint("reports", __name__, template_folder="templates")


@bp.route("/reports/")
@permission_required("view_contacts")
def index():
    return render_template("reports/index.html", reports=services.available_reports(current_user))


@bp.route("/reports/<name>")
@permission_required("view_contacts")
def show(name: str):
    report = services.get_report(current_user, name)
    errors, result, chart = {}, None, ""
    try:
        filters = services.clean_filters(report, request.args.to_dict())
        result = services.run_report(session(), report, filters)
        chart = Markup(services.chart_svg(report, result))
    except DomainError as exc:
        errors = exc.errors or {"": [exc.message]}
    return render_template(
        "reports/show.html",
        report=report,
        result=result,
        chart=chart,
        errors=errors,
        args=request.args,
    ), (422 if errors else 200)


@bp.route("/reports/<name>.csv")
@permission_required("view_contacts")
def download(name: str):
    report = services.get_report(current_user, name)
    filters = services.clean_filters(report, request.args.to_dict())
    result = services.run_report(session(), report, filters)
    return Response(
        services.to_csv(result),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
