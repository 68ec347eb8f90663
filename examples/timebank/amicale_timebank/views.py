"""The pages of Timebank (mounted under /timebank/): thin, the rules are in ``services``."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from amicale.api_for_plugins import (
    ValidationError,
    contact_page_context,
    gettext,
    permission_required,
    session,
)

from . import services
from .schemas import TimebankItemSchema

bp = Blueprint("timebank", __name__, template_folder="templates")

PAGE_SIZE = 50


@bp.route("/")
@permission_required("timebank.view")
def index():
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows, total = services.list_items(session(), page=page, page_size=PAGE_SIZE)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render_template("timebank/index.html", rows=rows, total=total, page=page, pages=pages)


@bp.route("/new", methods=["GET", "POST"])
@permission_required("timebank.edit")
def new():
    return _edit(None)


@bp.route("/<int:item_id>/edit", methods=["GET", "POST"])
@permission_required("timebank.edit")
def edit(item_id: int):
    return _edit(item_id)


def _edit(item_id: int | None):
    s = session()
    item = services.get_item(s, item_id) if item_id else None
    errors: dict = {}
    if request.method == "POST":
        values = request.form.to_dict()
        try:
            if item is None:
                item = services.create_item(s, values)
            else:
                services.update_item(s, item.id, values)
            s.commit()
        except ValidationError as exc:
            s.rollback()
            errors = exc.errors or {"": [exc.message]}
        else:
            flash(gettext("The item is saved."), "success")
            return redirect(url_for("timebank.index"))
    elif item is not None:
        values = TimebankItemSchema().dump(item)
    else:
        values = {"contact_id": request.args.get("contact_id", "")}
    status = 422 if errors else 200
    return render_template("timebank/edit.html", item=item, values=values, errors=errors), status


@bp.route("/<int:item_id>/delete", methods=["POST"])
@permission_required("timebank.edit")
def delete(item_id: int):
    s = session()
    services.delete_item(s, item_id)
    s.commit()
    flash(gettext("The item is deleted."), "success")
    return redirect(url_for("timebank.index"))


@bp.route("/contact/<int:contact_id>")
@permission_required("timebank.view")
def contact_tab(contact_id: int):
    context = contact_page_context(contact_id, "timebank")
    rows, total = services.list_items(session(), contact_id=contact_id, page_size=200)
    return render_template("timebank/contact_tab.html", rows=rows, total=total, **context)
