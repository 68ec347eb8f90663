"""The pages of batches (under /contribute/): the list, opening one, the entry page made for
typing at the keyboard, the deposit slip (PDF, CSV), and the accounting journal. Thin: the rules
are in ``batch_services`` and ``batch_journal``."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from amicale.api_for_plugins import (
    DomainError,
    current_user,
    gettext,
    has_permission,
    permission_required,
    session,
)

from . import batch_journal, batch_services, services
from .batch_services import ContactChoice
from .models import OPEN
from .perms import ADMINISTER, EDIT, VIEW

bp = Blueprint("contribute_batches", __name__, template_folder="templates")

PAGE_SIZE = 50
ENTRY_FIELDS = ("contact", "contact_id", "amount", "check_number", "receive_date")


def _errors(exc: DomainError) -> dict[str, list[str]]:
    return exc.errors or {"": [exc.message]}


def _user_id() -> int | None:
    return getattr(current_user, "id", None)


def _amount(text: str) -> str:
    """An amount as typed in French ("1 234,50 €") as the schema reads it ("1234.50")."""
    return (
        text.replace("\u202f", "")
        .replace("\xa0", "")
        .replace(" ", "")
        .replace("€", "")
        .replace(",", ".")
    )


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _type_options(s) -> list[tuple[int, str]]:
    return [
        (t.id, services.financial_type_label(t))
        for t in services.financial_types(s, active_only=True)
    ]


def _instrument_options(s) -> list[tuple[int, str]]:
    return [(i.id, services.instrument_label(i)) for i in services.instruments(s, active_only=True)]


@bp.route("/batches/")
@permission_required(VIEW)
def index():
    s = session()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows, total = batch_services.list_batches(s, page=page, page_size=PAGE_SIZE)
    return render_template(
        "contribute/batches/index.html",
        rows=rows,
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        can_edit=has_permission(current_user, EDIT),
        status_label=batch_services.status_label,
    )


@bp.route("/batches/new", methods=["GET", "POST"])
@permission_required(EDIT)
def new():
    s = session()
    errors: dict = {}
    values: dict = {"receive_date": services.today_().isoformat()}
    if request.method == "POST":
        values = {
            key: request.form.get(key, "")
            for key in (
                "title",
                "expected_count",
                "expected_total",
                "financial_type_id",
                "payment_instrument_id",
                "receive_date",
            )
        }
        values["expected_total"] = _amount(values["expected_total"]) or "0"
        values["expected_count"] = values["expected_count"] or "0"
        try:
            batch = batch_services.open_batch(s, values, user_id=_user_id())
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
        else:
            flash(gettext("The batch %(title)s is open.", title=batch.title), "success")
            return redirect(url_for("contribute_batches.view", batch_id=batch.id))
    return render_template(
        "contribute/batches/new.html",
        values=values,
        errors=errors,
        types=_type_options(s),
        instruments=_instrument_options(s),
    ), (422 if errors else 200)


def _batch_page(batch_id: int, *, values=None, errors=None, choices=None, status: int = 200):
    s = session()
    batch = batch_services.get_batch(s, batch_id)
    if values is None:
        values = {
            "receive_date": (batch.receive_date or services.today_()).isoformat(),
            "financial_type_id": batch.financial_type_id,
        }
    return render_template(
        "contribute/batches/view.html",
        batch=batch,
        is_open=batch.status == OPEN,
        totals=batch_services.batch_totals(s, batch),
        entries=batch_services.entries(s, batch.id),
        values=values,
        errors=errors or {},
        choices=choices or [],
        types=_type_options(s),
        can_edit=has_permission(current_user, EDIT),
        can_reopen=has_permission(current_user, ADMINISTER),
        status_label=batch_services.status_label,
        signed=batch_services.signed,
    ), status


@bp.route("/batches/<int:batch_id>")
@permission_required(VIEW)
def view(batch_id: int):
    return _batch_page(batch_id)


@bp.route("/batches/<int:batch_id>/entries", methods=["POST"])
@permission_required(EDIT)
def add_entry(batch_id: int):
    s = session()
    values = {key: request.form.get(key, "") for key in ENTRY_FIELDS}
    values["financial_type_id"] = request.form.get("financial_type_id", "")
    values["amount"] = _amount(values["amount"])
    try:
        contribution = batch_services.add_entry(s, batch_id, values, user_id=_user_id())
        s.commit()
    except ContactChoice as exc:
        s.rollback()
        return _batch_page(
            batch_id, values=values, errors=_errors(exc), choices=exc.choices, status=422
        )
    except DomainError as exc:
        s.rollback()
        if exc.http_status == 404:
            raise
        return _batch_page(batch_id, values=values, errors=_errors(exc), status=422)
    flash(
        gettext(
            "Entry %(number)s is recorded: %(amount)s.",
            number=contribution.id,
            amount=contribution.amount,
        ),
        "success",
    )
    return redirect(url_for("contribute_batches.view", batch_id=batch_id) + "#entry")


@bp.route("/batches/<int:batch_id>/entries/<int:contribution_id>/delete", methods=["POST"])
@permission_required(EDIT)
def delete_entry(batch_id: int, contribution_id: int):
    s = session()
    try:
        batch_services.remove_entry(s, batch_id, contribution_id)
        s.commit()
    except DomainError as exc:
        s.rollback()
        if exc.http_status == 404:
            raise
        flash(exc.message, "error")
    else:
        flash(gettext("The entry is deleted."), "success")
    return redirect(url_for("contribute_batches.view", batch_id=batch_id) + "#entry")


@bp.route("/batches/<int:batch_id>/close", methods=["POST"])
@permission_required(EDIT)
def close(batch_id: int):
    s = session()
    try:
        batch = batch_services.close_batch(s, batch_id)
        s.commit()
    except DomainError as exc:
        s.rollback()
        if exc.http_status == 404:
            raise
        flash(exc.message, "error")
    else:
        flash(gettext("The batch %(title)s is closed.", title=batch.title), "success")
    return redirect(url_for("contribute_batches.view", batch_id=batch_id))


@bp.route("/batches/<int:batch_id>/reopen", methods=["POST"])
@permission_required(ADMINISTER)
def reopen(batch_id: int):
    s = session()
    try:
        batch = batch_services.reopen_batch(s, batch_id)
        s.commit()
    except DomainError as exc:
        s.rollback()
        if exc.http_status == 404:
            raise
        flash(exc.message, "error")
    else:
        flash(gettext("The batch %(title)s is open again.", title=batch.title), "success")
    return redirect(url_for("contribute_batches.view", batch_id=batch_id))


@bp.route("/batches/<int:batch_id>/deposit-slip.pdf")
@permission_required(VIEW)
def deposit_slip_pdf(batch_id: int):
    slip = batch_services.deposit_slip(session(), batch_id)
    html = render_template("contribute/batches/deposit_slip.html", slip=slip)
    return _download(
        batch_services.pdf_from_html(html),
        "application/pdf",
        f"deposit-slip-{batch_id}-{batch_services.slug(slip.batch.title)}.pdf",
    )


@bp.route("/batches/<int:batch_id>/deposit-slip.csv")
@permission_required(VIEW)
def deposit_slip_csv(batch_id: int):
    slip = batch_services.deposit_slip(session(), batch_id)
    return _download(
        batch_services.deposit_slip_csv(slip),
        "text/csv; charset=utf-8",
        f"deposit-slip-{batch_id}-{batch_services.slug(slip.batch.title)}.csv",
    )


@bp.route("/batches/<int:batch_id>/journal.csv")
@permission_required(VIEW)
def batch_journal_csv(batch_id: int):
    entries = batch_journal.journal(session(), {"batch_id": batch_id})
    return _download(
        batch_journal.journal_csv(entries),
        "text/csv; charset=utf-8",
        batch_journal.journal_filename(entries),
    )


@bp.route("/journal")
@permission_required(VIEW)
def journal():
    """The period form; with a period, the lines on the page, or the CSV (``format=csv``)."""
    values = {key: request.args.get(key, "") for key in ("date_from", "date_to", "batch_id")}
    entries, errors = None, {}
    if any(values.values()):
        try:
            entries = batch_journal.journal(session(), values)
        except DomainError as exc:
            if exc.http_status == 404:
                raise
            errors = _errors(exc)
        else:
            if request.args.get("format") == "csv":
                return _download(
                    batch_journal.journal_csv(entries),
                    "text/csv; charset=utf-8",
                    batch_journal.journal_filename(entries),
                )
    return render_template(
        "contribute/batches/journal.html",
        values=values,
        errors=errors,
        journal=entries,
        code=batch_journal.journal_code(session()),
        can_set_code=has_permission(current_user, ADMINISTER),
        code_errors={},
    ), (422 if errors else 200)


@bp.route("/journal/code", methods=["POST"])
@permission_required(ADMINISTER)
def journal_code():
    """The administrator sets the journal code of the lines."""
    s = session()
    try:
        code = batch_journal.set_journal_code(s, request.form.get("journal_code"))
        s.commit()
    except DomainError as exc:
        s.rollback()
        return render_template(
            "contribute/batches/journal.html",
            values={},
            errors={},
            journal=None,
            code=request.form.get("journal_code", ""),
            can_set_code=True,
            code_errors=_errors(exc),
        ), 422
    flash(gettext("The journal code is now %(code)s.", code=code), "success")
    return redirect(url_for("contribute_batches.journal"))
