"""The staff pages of Grant (mounted under /grant/): thin, the rules are in ``services``.

- ``/grant/``: the grants, filtered by status, type and programme, with the pipeline;
- ``/grant/<id>``: a grant with its workflow (only the steps the user may take), reviews,
  payments, attachments and history; ``/grant/new``, ``/grant/<id>/edit``;
- ``/grant/programmes``, ``/grant/types``: the administrator's programmes and types;
- ``/grant/contact/<id>``: the Grants tab of a contact;
- ``/grant/funding/...``: the funding the organisation applies for (see ``funding_views``).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for

from amicale.api_for_plugins import (
    DomainError,
    contact_page_context,
    current_user,
    gettext,
    has_permission,
    permission_required,
    session,
)

from . import attachments, custom_fields, services
from .models import STATUSES
from .schemas import GrantProgrammeSchema, GrantTypeSchema
from .services import ADMINISTER, APPROVE, EDIT, PAY, REVIEW, VIEW

bp = Blueprint("grant", __name__, template_folder="templates")
PAGE_SIZE = 25
GRANT_FIELDS = (
    "contact_id",
    "grant_type_id",
    "programme_id",
    "amount_total",
    "currency",
    "application_received_date",
    "decision_date",
    "money_transfer_date",
    "grant_due_date",
    "rationale",
    "source",
)


def errors_of(exc: DomainError) -> dict[str, list[str]]:
    return exc.errors or {"": [exc.message]}


def _user_id() -> int | None:
    return getattr(current_user, "id", None)


def _amount(value: str | None) -> str | None:
    """ "1 500,50" as a French speaker types it is 1500.50."""
    if value is None:
        return None
    return value.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")


def _page_arg() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


@bp.route("/")
@permission_required(VIEW)
def index():
    s = session()
    status = request.args.get("status") or None
    type_id = request.args.get("type", type=int)
    programme_id = request.args.get("programme", type=int)
    page = _page_arg()
    rows, total = services.list_grants(
        s,
        status=status if status in STATUSES else None,
        grant_type_id=type_id,
        programme_id=programme_id,
        page=page,
        page_size=PAGE_SIZE,
    )
    return render_template(
        "grant/index.html",
        rows=services.represent(s, rows),
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        statuses=STATUSES,
        types=services.type_options(s),
        programmes=services.programme_options(s),
        status=status,
        type_id=type_id,
        programme_id=programme_id,
        pipeline=services.pipeline(s),
    )


# -- one grant ------------------------------------------------------------------------------------


def _grant_values(form, sets) -> dict:
    values = {key: form.get(key, "") for key in GRANT_FIELDS}
    values["amount_total"] = _amount(values["amount_total"])
    values["currency"] = (values["currency"] or "EUR").upper()
    values["grant_report_received"] = form.get("grant_report_received") == "1"
    custom = custom_fields.form_values(form, sets)
    if custom:
        values["custom"] = custom
    return values


def _form_page(template: str, grant=None, **context):
    s = session()
    keep = grant.grant_type_id if grant else None
    return render_template(
        template,
        grant=grant,
        types=services.type_options(s, keep=keep),
        programmes=services.programme_options(s),
        sets=custom_fields.field_sets(s),
        **context,
    )


@bp.route("/new", methods=["GET", "POST"])
@permission_required(EDIT)
def new():
    s = session()
    sets = custom_fields.field_sets(s)
    errors: dict = {}
    values: dict = {
        "contact_id": request.args.get("contact_id", ""),
        "programme_id": request.args.get("programme_id", ""),
        "currency": "EUR",
    }
    if request.method == "POST":
        values = _grant_values(request.form, sets)
        try:
            grant = services.create_grant(s, values, user=current_user)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = errors_of(exc)
        else:
            flash(gettext("The application is recorded."), "success")
            return redirect(url_for("grant.show", grant_id=grant.id))
    custom = {custom_fields.PREFIX + k: v for k, v in (values.get("custom") or {}).items()}
    return _form_page("grant/grant_form.html", values=values, custom=custom, errors=errors), (
        422 if errors else 200
    )


@bp.route("/<int:grant_id>/edit", methods=["GET", "POST"])
@permission_required(EDIT)
def edit(grant_id: int):
    s = session()
    grant = services.get_grant(s, grant_id)
    sets = custom_fields.field_sets(s)
    errors: dict = {}
    if request.method == "POST":
        values = _grant_values(request.form, sets)
        try:
            services.update_grant(s, grant_id, values, user=current_user)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = errors_of(exc)
            grant = services.get_grant(s, grant_id)
        else:
            flash(gettext("The application is saved."), "success")
            return redirect(url_for("grant.show", grant_id=grant_id))
        custom = {custom_fields.PREFIX + k: v for k, v in (values.get("custom") or {}).items()}
    else:
        values = services.represent(s, [grant])[0]
        custom = {custom_fields.PREFIX + k: _form_value(v) for k, v in values["custom"].items()}
    return _form_page(
        "grant/grant_form.html", grant=grant, values=values, custom=custom, errors=errors
    ), (422 if errors else 200)


def _form_value(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        return value
    return "" if value is None else str(value)


def _show(grant_id: int, errors: dict | None = None, form: str | None = None, values=None):
    s = session()
    grant = services.get_grant(s, grant_id)
    row = services.represent(s, [grant])[0]
    reviews = services.list_reviews(s, grant_id)
    mine = next((r for r in reviews if r.reviewer_id == _user_id()), None)
    return render_template(
        "grant/grant.html",
        grant=grant,
        row=row,
        transitions=services.allowed_transitions(grant, current_user),
        reviews=reviews,
        my_review=mine,
        payments=services.list_payments(s, grant_id),
        remaining=(grant.amount_granted or services.ZERO) - row["amount_paid"],
        files=services.list_attachments(s, grant_id),
        history=services.status_history(s, grant_id),
        custom_labels=custom_fields.labels(s),
        errors=errors or {},
        form=form,
        values=values or {},
        max_mb=round(attachments.max_size(s) / 1024 / 1024, 1),
        kinds=", ".join(sorted(attachments.ALLOWED)),
        can_review=has_permission(current_user, REVIEW),
        can_pay=has_permission(current_user, PAY),
        can_approve=has_permission(current_user, APPROVE),
    ), (422 if errors else 200)


@bp.route("/<int:grant_id>")
@permission_required(VIEW)
def show(grant_id: int):
    return _show(grant_id)


@bp.route("/<int:grant_id>/delete", methods=["POST"])
@permission_required(ADMINISTER)
def delete(grant_id: int):
    s = session()
    files = services.delete_grant(s, grant_id)
    s.commit()
    attachments.remove(files)
    flash(gettext("The application is deleted."), "success")
    return redirect(url_for("grant.index"))


@bp.route("/<int:grant_id>/status", methods=["POST"])
@permission_required(VIEW)  # each step checks its own permission (services.TRANSITIONS)
def change_status(grant_id: int):
    s = session()
    values = {
        key: request.form.get(key, "")
        for key in (
            "status",
            "amount_granted",
            "decision_date",
            "grant_due_date",
            "payment_date",
            "reference",
            "note",
        )
    }
    values["amount_granted"] = _amount(values["amount_granted"])
    try:
        grant = services.change_status(s, grant_id, values, user=current_user)
        s.commit()
    except DomainError as exc:
        s.rollback()
        if exc.http_status in (403, 404):
            raise
        return _show(grant_id, errors_of(exc), "status", values)
    flash(gettext("The grant is now %(status)s.", status=gettext(grant.status)), "success")
    return redirect(url_for("grant.show", grant_id=grant_id))


@bp.route("/<int:grant_id>/review", methods=["POST"])
@permission_required(REVIEW)
def review(grant_id: int):
    s = session()
    values = {"score": request.form.get("score", ""), "comment": request.form.get("comment", "")}
    try:
        services.save_review(s, grant_id, values, user=current_user)
        s.commit()
    except DomainError as exc:
        s.rollback()
        if exc.http_status == 404:
            raise
        return _show(grant_id, errors_of(exc), "review", values)
    flash(gettext("Your review is saved."), "success")
    return redirect(url_for("grant.show", grant_id=grant_id))


@bp.route("/<int:grant_id>/payments", methods=["POST"])
@permission_required(PAY)
def pay(grant_id: int):
    s = session()
    values = {
        "payment_date": request.form.get("payment_date", ""),
        "amount": _amount(request.form.get("amount", "")),
        "reference": request.form.get("reference", ""),
    }
    try:
        services.record_payment(s, grant_id, values, user=current_user)
        s.commit()
    except DomainError as exc:
        s.rollback()
        if exc.http_status == 404:
            raise
        return _show(grant_id, errors_of(exc), "payment", values)
    flash(gettext("The payment is recorded."), "success")
    return redirect(url_for("grant.show", grant_id=grant_id))


@bp.route("/<int:grant_id>/report-received", methods=["POST"])
@permission_required(EDIT)
def report_received(grant_id: int):
    s = session()
    received = request.form.get("received", "1") == "1"
    services.mark_report_received(s, grant_id, received)
    s.commit()
    flash(
        gettext("The report is marked as received.")
        if received
        else gettext("The report is marked as not received."),
        "success",
    )
    return redirect(url_for("grant.show", grant_id=grant_id))


@bp.route("/<int:grant_id>/attachments", methods=["POST"])
@permission_required(EDIT)
def upload(grant_id: int):
    s = session()
    services.get_grant(s, grant_id)
    stored: list[str] = []
    try:
        files = attachments.check(s, request.files.getlist(attachments.FIELD))
        if not files:
            raise DomainError(gettext("Choose a file."))
        added = attachments.store(s, grant_id, files, user_id=_user_id())
        stored = [a.stored_as for a in added]
        s.commit()
    except DomainError as exc:
        s.rollback()
        attachments.remove(stored)
        errors = exc.errors or {attachments.FIELD: [exc.message]}
        return _show(grant_id, errors, "attachments")
    flash(gettext("The file is joined to the application."), "success")
    return redirect(url_for("grant.show", grant_id=grant_id))


@bp.route("/<int:grant_id>/attachments/<int:attachment_id>")
@permission_required(VIEW)
def attachment(grant_id: int, attachment_id: int):
    found = services.get_attachment(session(), grant_id, attachment_id)
    return send_file(
        attachments.path_of(found),
        mimetype=found.mime_type,
        as_attachment=True,
        download_name=found.file_name,
        max_age=0,
    )


@bp.route("/<int:grant_id>/attachments/<int:attachment_id>/delete", methods=["POST"])
@permission_required(EDIT)
def delete_attachment(grant_id: int, attachment_id: int):
    s = session()
    stored = attachments.delete(s, grant_id, attachment_id)
    s.commit()
    attachments.remove([stored])
    flash(gettext("The file is deleted."), "success")
    return redirect(url_for("grant.show", grant_id=grant_id))


@bp.route("/contact/<int:contact_id>")
@permission_required(VIEW)
def contact_tab(contact_id: int):
    context = contact_page_context(contact_id, "grant")
    s = session()
    rows, _total = services.list_grants(s, contact_id=contact_id, page_size=500)
    funding, _n = services.list_funding(s, funder_contact_id=contact_id, page_size=500)
    return render_template(
        "grant/contact_tab.html",
        rows=services.represent(s, rows),
        funding=funding,
        can_see_funding=has_permission(current_user, services.VIEW_FUNDING),
        **context,
    )


# -- programmes and types (administration) -------------------------------------------------------


def _programme_values(form) -> dict:
    values = {
        key: form.get(key, "")
        for key in (
            "name",
            "description",
            "grant_type_id",
            "start_date",
            "end_date",
            "budget",
            "currency",
            "public_intro",
        )
    }
    values["budget"] = _amount(values["budget"])
    values["currency"] = (values["currency"] or "EUR").upper()
    values["is_active"] = form.get("is_active") == "1"
    values["is_public"] = form.get("is_public") == "1"
    return values


@bp.route("/programmes", methods=["GET", "POST"])
@permission_required(ADMINISTER)
def programmes():
    s = session()
    errors: dict = {}
    values: dict = {"is_active": True, "currency": "EUR"}
    if request.method == "POST":
        values = _programme_values(request.form)
        try:
            programme = services.create_programme(s, values)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = errors_of(exc)
        else:
            flash(gettext("The programme %(name)s is created.", name=programme.name), "success")
            return redirect(url_for("grant.programmes"))
    return render_template(
        "grant/programmes.html",
        rows=services.programme_figures(s),
        types=services.type_options(s),
        values=values,
        errors=errors,
    ), (422 if errors else 200)


@bp.route("/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
@permission_required(ADMINISTER)
def edit_programme(programme_id: int):
    s = session()
    programme = services.get_programme(s, programme_id)
    errors: dict = {}
    if request.method == "POST":
        values = _programme_values(request.form)
        try:
            services.update_programme(s, programme_id, values)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = errors_of(exc)
            programme = services.get_programme(s, programme_id)
        else:
            flash(gettext("The programme %(name)s is saved.", name=programme.name), "success")
            return redirect(url_for("grant.programmes"))
    else:
        values = GrantProgrammeSchema().dump(programme)
    return render_template(
        "grant/programme_form.html",
        programme=programme,
        types=services.type_options(s, keep=programme.grant_type_id),
        values=values,
        errors=errors,
    ), (422 if errors else 200)


def _type_values(form) -> dict:
    return {
        "name": form.get("name", ""),
        "description": form.get("description", ""),
        "weight": form.get("weight", "") or "0",
        "is_active": form.get("is_active") == "1",
    }


@bp.route("/types", methods=["GET", "POST"])
@permission_required(ADMINISTER)
def types():
    s = session()
    errors: dict = {}
    values: dict = {"is_active": True}
    if request.method == "POST":
        values = _type_values(request.form)
        try:
            gtype = services.create_type(s, values)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = errors_of(exc)
        else:
            flash(gettext("The grant type %(name)s is created.", name=gtype.name), "success")
            return redirect(url_for("grant.types"))
    return render_template(
        "grant/types.html", rows=services.list_types(s), values=values, errors=errors
    ), (422 if errors else 200)


@bp.route("/types/<int:type_id>/edit", methods=["GET", "POST"])
@permission_required(ADMINISTER)
def edit_type(type_id: int):
    s = session()
    gtype = services.get_type(s, type_id)
    errors: dict = {}
    if request.method == "POST":
        try:
            services.update_type(s, type_id, _type_values(request.form))
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = errors_of(exc)
            gtype = services.get_type(s, type_id)
        else:
            flash(gettext("The grant type %(name)s is saved.", name=gtype.name), "success")
            return redirect(url_for("grant.types"))
        values = _type_values(request.form)
    else:
        values = GrantTypeSchema().dump(gtype)
    return render_template("grant/type_form.html", gtype=gtype, values=values, errors=errors), (
        422 if errors else 200
    )


@bp.route("/types/<int:type_id>/delete", methods=["POST"])
@permission_required(ADMINISTER)
def delete_type(type_id: int):
    s = session()
    try:
        services.delete_type(s, type_id)
        s.commit()
    except DomainError as exc:
        s.rollback()
        if exc.http_status == 404:
            raise
        flash(exc.message, "error")
    else:
        flash(gettext("The grant type is deleted."), "success")
    return redirect(url_for("grant.types"))
