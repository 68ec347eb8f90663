"""The pages of the funding the organisation applies for (on the ``grant`` blueprint):

- ``/grant/funding/``: the applications to funders, with the funders' reports due soon;
- ``/grant/funding/<id>``: one application with the reports the funder requires and their
  indicators; an indicator taken from a core report is pulled again in one click.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from amicale.api_for_plugins import DomainError, gettext, permission_required, session

from . import services
from .models import FUNDING_STATUSES
from .schemas import FundingApplicationSchema
from .services import EDIT_FUNDING, VIEW_FUNDING
from .views import _amount, bp, errors_of

FIELDS = (
    "funder_contact_id",
    "title",
    "status",
    "deadline",
    "submitted_date",
    "decision_date",
    "amount_requested",
    "amount_obtained",
    "currency",
    "notes",
)


def _values(form) -> dict:
    values = {key: form.get(key, "") for key in FIELDS}
    values["amount_requested"] = _amount(values["amount_requested"])
    values["amount_obtained"] = _amount(values["amount_obtained"])
    values["currency"] = (values["currency"] or "EUR").upper()
    return values


def _filter_fields() -> list[dict]:
    """The filters of every report an indicator can take its figures from, once each by name
    (a report uses those it knows): ``{name, label, field_type, options}``."""
    seen: dict[str, dict] = {}
    for report in services.core_reports().values():
        for f in report.filters:
            if f.name in seen:
                continue
            options = [(str(v), str(label)) for v, label in f.options()] if f.options else []
            seen[f.name] = {
                "name": f"filter-{f.name}",
                "label": str(f.label),
                "field_type": f.field_type,
                "options": options,
            }
    return list(seen.values())


def _report_options() -> list[tuple[str, str]]:
    return sorted(
        ((name, str(r.label)) for name, r in services.core_reports().items()),
        key=lambda o: o[1].lower(),
    )


@bp.route("/funding/")
@permission_required(VIEW_FUNDING)
def funding_index():
    s = session()
    status = request.args.get("status") or None
    rows, total = services.list_funding(
        s, status=status if status in FUNDING_STATUSES else None, page_size=200
    )
    due = services.funding_due(s)
    titles = {a.id: a.title for a in rows}
    return render_template(
        "grant/funding_index.html",
        rows=services.represent_funding(s, rows),
        total=total,
        statuses=FUNDING_STATUSES,
        status=status,
        due=due,
        titles=titles,
        today=services.today_(),
    )


@bp.route("/funding/new", methods=["GET", "POST"])
@permission_required(EDIT_FUNDING)
def funding_new():
    s = session()
    errors: dict = {}
    values: dict = {
        "status": "Draft",
        "currency": "EUR",
        "funder_contact_id": request.args.get("funder_contact_id", ""),
    }
    if request.method == "POST":
        values = _values(request.form)
        try:
            application = services.create_funding(s, values)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = errors_of(exc)
        else:
            flash(gettext("The funding application is recorded."), "success")
            return redirect(url_for("grant.funding_show", application_id=application.id))
    return render_template(
        "grant/funding_form.html",
        application=None,
        values=values,
        errors=errors,
        statuses=FUNDING_STATUSES,
    ), (422 if errors else 200)


@bp.route("/funding/<int:application_id>/edit", methods=["GET", "POST"])
@permission_required(EDIT_FUNDING)
def funding_edit(application_id: int):
    s = session()
    application = services.get_funding(s, application_id)
    errors: dict = {}
    if request.method == "POST":
        values = _values(request.form)
        try:
            services.update_funding(s, application_id, values)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = errors_of(exc)
            application = services.get_funding(s, application_id)
        else:
            flash(gettext("The funding application is saved."), "success")
            return redirect(url_for("grant.funding_show", application_id=application_id))
    else:
        values = FundingApplicationSchema().dump(application)
    return render_template(
        "grant/funding_form.html",
        application=application,
        values=values,
        errors=errors,
        statuses=FUNDING_STATUSES,
    ), (422 if errors else 200)


def _show(application_id: int, errors: dict | None = None, form: str | None = None, values=None):
    s = session()
    application = services.get_funding(s, application_id)
    reports = services.list_funding_reports(s, application_id)
    return render_template(
        "grant/funding.html",
        application=application,
        row=services.represent_funding(s, [application])[0],
        reports=reports,
        indicators=services.indicators_of(s, [r.id for r in reports]),
        report_options=_report_options(),
        report_labels=dict(_report_options()),
        filter_fields=_filter_fields(),
        errors=errors or {},
        form=form,
        values=values or {},
        today=services.today_(),
    ), (422 if errors else 200)


@bp.route("/funding/<int:application_id>")
@permission_required(VIEW_FUNDING)
def funding_show(application_id: int):
    return _show(application_id)


@bp.route("/funding/<int:application_id>/reports", methods=["POST"])
@permission_required(EDIT_FUNDING)
def funding_add_report(application_id: int):
    s = session()
    values = {k: request.form.get(k, "") for k in ("title", "due_date", "notes")}
    try:
        services.add_funding_report(s, application_id, values)
        s.commit()
    except DomainError as exc:
        s.rollback()
        if exc.http_status == 404:
            raise
        return _show(application_id, errors_of(exc), "report", values)
    flash(gettext("The report is added."), "success")
    return redirect(url_for("grant.funding_show", application_id=application_id))


@bp.route("/funding/reports/<int:report_id>/submitted", methods=["POST"])
@permission_required(EDIT_FUNDING)
def funding_report_submitted(report_id: int):
    s = session()
    report = services.get_funding_report(s, report_id)
    day = request.form.get("submitted_date") or services.today_().isoformat()
    try:
        services.update_funding_report(s, report_id, {"submitted_date": day})
        s.commit()
    except DomainError as exc:
        s.rollback()
        flash(exc.message, "error")
    else:
        flash(gettext("The report is marked as sent."), "success")
    return redirect(url_for("grant.funding_show", application_id=report.funding_application_id))


@bp.route("/funding/reports/<int:report_id>/indicators", methods=["POST"])
@permission_required(EDIT_FUNDING)
def funding_add_indicator(report_id: int):
    s = session()
    report = services.get_funding_report(s, report_id)
    values = {k: request.form.get(k, "") for k in ("label", "target", "value", "source_report")}
    filters = {}
    for key in request.form:
        if key.startswith("filter-") and request.form[key].strip():
            filters[key.removeprefix("filter-")] = request.form[key].strip()
    data = {**values, "source_filters": filters}
    values.update({k: v for k, v in request.form.items() if k.startswith("filter-")})
    try:
        services.add_indicator(s, report_id, data)
        s.commit()
    except DomainError as exc:
        s.rollback()
        return _show(
            report.funding_application_id,
            errors_of(exc),
            f"indicator-{report_id}",
            values,
        )
    flash(gettext("The indicator is added."), "success")
    return redirect(url_for("grant.funding_show", application_id=report.funding_application_id))


@bp.route("/funding/indicators/<int:indicator_id>/pull", methods=["POST"])
@permission_required(EDIT_FUNDING)
def funding_pull(indicator_id: int):
    s = session()
    indicator = services.get_indicator(s, indicator_id)
    report = services.get_funding_report(s, indicator.report_id)
    try:
        services.pull_figures(s, indicator_id)
        s.commit()
    except DomainError as exc:
        s.rollback()
        flash(exc.message, "error")
    else:
        flash(gettext("The figures are up to date."), "success")
    return redirect(url_for("grant.funding_show", application_id=report.funding_application_id))
