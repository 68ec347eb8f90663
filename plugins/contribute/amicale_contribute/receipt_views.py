"""The pages of receipts (mounted under /contribute/receipts): thin, the rules are in
``receipt_services``.

- ``/receipts/``: the register of every receipt numbered, filtered by year, status and donor;
- ``/receipts/<id>.pdf``: a receipt's PDF; ``/receipts/<id>/send``, ``/reissue``, ``/void``;
- ``/receipts/contribution/<id>``: the receipt of one contribution (issue, download, email);
- ``/receipts/yearly``: the yearly tax receipts (dry run, then issue and send), and the pile of
  those to print at ``/receipts/yearly/<year>/print.pdf``;
- ``/receipts/settings``: the legal details the receipts print.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from amicale.api_for_plugins import (
    DomainError,
    current_user,
    gettext,
    permission_required,
    session,
    utcnow,
)

from . import receipt_services as rs
from .models import RECEIPT_STATUSES, Contribution
from .perms import ADMINISTER, EDIT, VIEW
from .receipt_pdf import render_pdf

bp = Blueprint("contribute_receipts", __name__, template_folder="templates")
PAGE_SIZE = 50
SEND_NOW = 50  # more are emailed by the scheduled job, not during the request


def _errors(exc: DomainError) -> dict[str, list[str]]:
    return exc.errors or {"": [exc.message]}


def _user_id() -> int | None:
    return getattr(current_user, "id", None)


def _pdf(data: bytes, filename: str) -> Response:
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _back(default: str) -> str:
    target = request.form.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else default


# -- legal details -----------------------------------------------------------------------------


@bp.route("/receipts/settings", methods=["GET", "POST"])
@permission_required(ADMINISTER)
def settings():
    s = session()
    errors: dict = {}
    values = rs.legal_details(s)
    if request.method == "POST":
        form = {key: request.form.get(key, "") for key, _label, _r in rs.LEGAL_FIELDS}
        form["articles"] = request.form.getlist("articles")
        try:
            rs.save_legal_details(s, form)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors, values = _errors(exc), form
        else:
            flash(gettext("The receipts' legal details are saved."), "success")
            return redirect(url_for("contribute_receipts.settings"))
    return render_template(
        "contribute/receipts/settings.html",
        values=values,
        errors=errors,
        fields=rs.LEGAL_FIELDS,
        body_kinds=rs.BODY_KINDS,
        articles=rs.ARTICLES,
        gift_forms=rs.GIFT_FORMS,
        missing=rs.missing_legal_details(rs.legal_details(s)),
    ), (422 if errors else 200)


# -- register ----------------------------------------------------------------------------------


@bp.route("/receipts/")
@permission_required(VIEW)
def register():
    s = session()
    year = request.args.get("year", type=int)
    status = request.args.get("status") or None
    donor = (request.args.get("donor") or "").strip() or None
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows, total = rs.list_receipts(
        s, year=year, status=status, donor=donor, page=page, page_size=PAGE_SIZE
    )
    return render_template(
        "contribute/receipts/register.html",
        rows=rows,
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        years=rs.receipt_years(s),
        statuses=RECEIPT_STATUSES,
        year=year,
        status=status,
        donor=donor or "",
        replaced_by=rs.replaced_by(s, [r.id for r in rows]),
        replaces=rs.numbers_of(s, [r.replaces_id for r in rows]),
    )


@bp.route("/receipts/<int:receipt_id>.pdf")
@permission_required(VIEW)
def pdf(receipt_id: int):
    s = session()
    receipt = rs.get_receipt(s, receipt_id)
    return _pdf(render_pdf(s, [receipt]), f"recu-{receipt.number}.pdf")


@bp.route("/receipts/<int:receipt_id>/send", methods=["POST"])
@permission_required(EDIT)
def send(receipt_id: int):
    s = session()
    receipt = rs.get_receipt(s, receipt_id)
    try:
        run = rs.send_receipts(s, [receipt.id], user=current_user)
        s.commit()
    except DomainError as exc:
        s.rollback()
        flash(exc.message, "error")
    else:
        if run.emailed:
            flash(
                gettext("The receipt %(number)s is sent by email.", number=receipt.number),
                "success",
            )
        else:
            flash(
                gettext(
                    "The receipt %(number)s could not be sent by email: print it and post it.",
                    number=receipt.number,
                ),
                "error",
            )
    return redirect(_back(url_for("contribute_receipts.register")))


@bp.route("/receipts/<int:receipt_id>/reissue", methods=["POST"])
@permission_required(ADMINISTER)
def reissue(receipt_id: int):
    s = session()
    try:
        new = rs.reissue_receipt(s, receipt_id, user_id=_user_id())
        s.commit()
    except DomainError as exc:
        s.rollback()
        flash(exc.message, "error")
    else:
        flash(
            gettext("The receipt is replaced by the receipt %(number)s.", number=new.number),
            "success",
        )
    return redirect(_back(url_for("contribute_receipts.register")))


@bp.route("/receipts/<int:receipt_id>/void", methods=["POST"])
@permission_required(ADMINISTER)
def void(receipt_id: int):
    s = session()
    try:
        receipt = rs.void_receipt(s, receipt_id)
        s.commit()
    except DomainError as exc:
        s.rollback()
        flash(exc.message, "error")
    else:
        flash(gettext("The receipt %(number)s is voided.", number=receipt.number), "success")
    return redirect(_back(url_for("contribute_receipts.register")))


# -- one contribution --------------------------------------------------------------------------


@bp.route("/receipts/contribution/<int:contribution_id>", methods=["GET", "POST"])
@permission_required(EDIT)
def contribution(contribution_id: int):
    s = session()
    c = s.get(Contribution, contribution_id)
    if c is None:
        from amicale.api_for_plugins import NotFound

        raise NotFound(gettext("No contribution with the number %(id)s.", id=contribution_id))
    error, status = None, 200
    if request.method == "POST":
        try:
            receipt = rs.issue_single(s, contribution_id, user_id=_user_id())
            if request.form.get("send") == "1":
                rs.send_receipts(s, [receipt.id], user=current_user)
            s.commit()
        except DomainError as exc:
            s.rollback()
            error, status = exc.message, exc.http_status
        else:
            flash(gettext("The receipt %(number)s is issued.", number=receipt.number), "success")
            if receipt.method == "email":
                flash(gettext("It is sent by email."), "success")
            return redirect(url_for("contribute_receipts.contribution", contribution_id=c.id))
    receipts = rs.receipts_for_contribution(s, contribution_id)
    return render_template(
        "contribute/receipts/contribution.html",
        contribution=c,
        receipts=receipts,
        donor=rs.donors(s, [c.contact_id]).get(c.contact_id, ("", None))[0],
        missing=rs.missing_legal_details(rs.legal_details(s)),
        error=error,
    ), status


# -- yearly receipts ---------------------------------------------------------------------------


@bp.route("/receipts/yearly", methods=["GET", "POST"])
@permission_required(ADMINISTER)
def yearly():
    s = session()
    default_year = utcnow().year - 1 if utcnow().month <= 6 else utcnow().year
    year = request.values.get("year", default_year, type=int) or default_year
    preview = run = sent = None
    error = None
    missing = rs.missing_legal_details(rs.legal_details(s))
    if request.method == "POST":
        if request.form.get("action") == "issue":
            try:
                run = rs.issue_yearly(s, year, user_id=_user_id())
                if request.form.get("send") == "1":
                    sent = rs.send_receipts(
                        s, run.receipt_ids, user=current_user, now_at_most=SEND_NOW
                    )
                s.commit()
            except DomainError as exc:
                s.rollback()
                error = exc.message
        else:
            preview = rs.preview_yearly(s, year)
    elif request.args.get("year"):
        preview = rs.preview_yearly(s, year)
    return render_template(
        "contribute/receipts/yearly.html",
        year=year,
        preview=preview,
        run=run,
        sent=sent,
        error=error,
        missing=missing,
        to_print=len(rs.to_print(s, year)),
        waiting=rs.waiting_to_send(s, year),
    ), (422 if error else 200)


@bp.route("/receipts/yearly/<int:year>/print.pdf")
@permission_required(ADMINISTER)
def print_pile(year: int):
    s = session()
    ids = rs.to_print(s, year)
    if not ids:
        flash(gettext("No receipt of %(year)s is waiting to be printed.", year=year), "info")
        return redirect(url_for("contribute_receipts.yearly", year=year))
    return _pdf(render_pdf(s, rs.receipts_by_ids(s, ids)), f"recus-{year}-a-imprimer.pdf")
