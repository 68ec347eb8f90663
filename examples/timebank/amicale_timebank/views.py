"""The pages of Timebank (mounted under /timebank/): thin, the rules are in ``services``.

- ``/timebank/``: the overview (offers and requests filtered by category and kind, the latest
  exchanges, the members' balances);
- ``/timebank/exchanges``: every exchange, with the form to record, change or delete one;
- ``/timebank/listings/...``: the form of an offer or a request, and deactivating one;
- ``/timebank/categories``: the admin's list of skill categories;
- ``/timebank/contact/<id>``: the Timebank tab of a contact's page.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from amicale.api_for_plugins import (
    DomainError,
    contact_page_context,
    gettext,
    permission_required,
    session,
    utcnow,
)

from . import services
from .models import KINDS
from .schemas import TimebankCategorySchema, TimebankExchangeSchema, TimebankListingSchema

bp = Blueprint("timebank", __name__, template_folder="templates")

VIEW, EDIT, ADMINISTER = "timebank.view", "timebank.edit", "timebank.administer"
PAGE_SIZE = 25
BALANCE_PAGE_SIZE = 50
RECENT = 10


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, type=int)
    return value if value and value > 0 else None


def _page_arg(name: str = "page") -> int:
    return max(request.args.get(name, 1, type=int) or 1, 1)


def _pages(total: int, size: int) -> int:
    return max((total + size - 1) // size, 1)


def _errors(exc: DomainError) -> dict[str, list[str]]:
    return exc.errors or {"": [exc.message]}


def _next_url(default: str) -> str:
    """Where to go after a form: a local path given as ``next``, else ``default``."""
    target = request.values.get("next", "")
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


@bp.route("/")
@permission_required(VIEW)
def index():
    s = session()
    category_id = _int_arg("category")
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else None
    page, balance_page = _page_arg(), _page_arg("balance_page")
    listings, listing_total = services.list_listings(
        s, category_id=category_id, kind=kind, active=True, page=page, page_size=PAGE_SIZE
    )
    exchanges, exchange_total = services.list_exchanges(s, page_size=RECENT)
    balances, balance_total = services.balance_table(
        s, page=balance_page, page_size=BALANCE_PAGE_SIZE
    )
    return render_template(
        "timebank/index.html",
        categories=services.category_options(s, keep=category_id),
        category_id=category_id,
        kind=kind,
        listings=listings,
        listing_total=listing_total,
        page=page,
        pages=_pages(listing_total, PAGE_SIZE),
        exchanges=exchanges,
        exchange_total=exchange_total,
        balances=balances,
        balance_page=balance_page,
        balance_pages=_pages(balance_total, BALANCE_PAGE_SIZE),
    )


# -- exchanges -----------------------------------------------------------------------------------


@bp.route("/exchanges")
@permission_required(VIEW)
def exchanges():
    s = session()
    category_id, contact_id = _int_arg("category"), _int_arg("contact_id")
    page = _page_arg()
    rows, total = services.list_exchanges(
        s, category_id=category_id, contact_id=contact_id, page=page, page_size=PAGE_SIZE
    )
    return render_template(
        "timebank/exchanges.html",
        rows=rows,
        total=total,
        page=page,
        pages=_pages(total, PAGE_SIZE),
        categories=services.category_options(s, keep=category_id),
        category_id=category_id,
        contact_id=contact_id,
    )


def _exchange_form(exchange_id: int | None):
    s = session()
    exchange = services.get_exchange(s, exchange_id) if exchange_id else None
    errors: dict = {}
    if request.method == "POST":
        values = {
            key: request.form.get(key, "")
            for key in ("provider_id", "receiver_id", "category_id", "hours", "exchange_date")
        }
        values["description"] = request.form.get("description", "")
        if exchange is not None:  # an erased member's side is not in the form: it stays empty
            for side in ("provider_id", "receiver_id"):
                if getattr(exchange, side) is None and side not in request.form:
                    values.pop(side)
        try:
            if exchange is None:
                services.create_exchange(s, values)
            else:
                services.update_exchange(s, exchange.id, values)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
            exchange = services.get_exchange(s, exchange_id) if exchange_id else None
        else:
            flash(gettext("The exchange is recorded."), "success")
            return redirect(_next_url(url_for("timebank.exchanges")))
    elif exchange is not None:
        values = TimebankExchangeSchema().dump(exchange)
    else:
        values = {
            "provider_id": request.args.get("provider_id", ""),
            "receiver_id": request.args.get("receiver_id", ""),
            "exchange_date": utcnow().date().isoformat(),
        }
    keep = exchange.category_id if exchange else None
    return render_template(
        "timebank/exchange_form.html",
        exchange=exchange,
        values=values,
        errors=errors,
        categories=services.category_options(s, keep=keep),
        members=services.participants(s),
        next_url=request.values.get("next", ""),
    ), (422 if errors else 200)


@bp.route("/exchanges/new", methods=["GET", "POST"])
@permission_required(EDIT)
def new_exchange():
    return _exchange_form(None)


@bp.route("/exchanges/<int:exchange_id>/edit", methods=["GET", "POST"])
@permission_required(EDIT)
def edit_exchange(exchange_id: int):
    return _exchange_form(exchange_id)


@bp.route("/exchanges/<int:exchange_id>/delete", methods=["POST"])
@permission_required(EDIT)
def delete_exchange(exchange_id: int):
    s = session()
    services.delete_exchange(s, exchange_id)
    s.commit()
    flash(gettext("The exchange is deleted."), "success")
    return redirect(_next_url(url_for("timebank.exchanges")))


# -- listings ------------------------------------------------------------------------------------


def _listing_form(listing_id: int | None):
    s = session()
    listing = services.get_listing(s, listing_id) if listing_id else None
    errors: dict = {}
    if request.method == "POST":
        values = {
            key: request.form.get(key, "")
            for key in ("contact_id", "category_id", "kind", "description")
        }
        if listing is not None:  # the check box says whether it still stands
            values["is_active"] = request.form.get("is_active") == "1"
        try:
            if listing is None:
                services.create_listing(s, values)
            else:
                services.update_listing(s, listing.id, values)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
            listing = services.get_listing(s, listing_id) if listing_id else None
        else:
            flash(gettext("The offer or request is saved."), "success")
            return redirect(_next_url(url_for("timebank.index")))
    elif listing is not None:
        values = TimebankListingSchema().dump(listing)
    else:
        values = {
            "contact_id": request.args.get("contact_id", ""),
            "kind": request.args.get("kind", "offer"),
        }
    keep = listing.category_id if listing else None
    return render_template(
        "timebank/listing_form.html",
        listing=listing,
        values=values,
        errors=errors,
        categories=services.category_options(s, keep=keep),
        members=services.participants(s),
        next_url=request.values.get("next", ""),
    ), (422 if errors else 200)


@bp.route("/listings/new", methods=["GET", "POST"])
@permission_required(EDIT)
def new_listing():
    return _listing_form(None)


@bp.route("/listings/<int:listing_id>/edit", methods=["GET", "POST"])
@permission_required(EDIT)
def edit_listing(listing_id: int):
    return _listing_form(listing_id)


@bp.route("/listings/<int:listing_id>/deactivate", methods=["POST"])
@permission_required(EDIT)
def deactivate_listing(listing_id: int):
    s = session()
    services.deactivate_listing(s, listing_id)
    s.commit()
    flash(gettext("The offer or request no longer stands."), "success")
    return redirect(_next_url(url_for("timebank.index")))


# -- categories (administration) -----------------------------------------------------------------


def _category_values(form) -> dict:
    return {
        "name": form.get("name", ""),
        "description": form.get("description", ""),
        "weight": form.get("weight", "") or "0",
        "is_active": form.get("is_active") == "1",
    }


@bp.route("/categories", methods=["GET", "POST"])
@permission_required(ADMINISTER)
def categories():
    s = session()
    errors: dict = {}
    values: dict = {"is_active": True, "weight": 0}
    if request.method == "POST":
        values = _category_values(request.form)
        try:
            category = services.create_category(s, values)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
        else:
            flash(gettext("The category %(name)s is created.", name=category.name), "success")
            return redirect(url_for("timebank.categories"))
    rows, _total = services.list_categories(s)
    return render_template(
        "timebank/categories.html",
        rows=rows,
        usage=services.category_usage(s),
        values=values,
        errors=errors,
    ), (422 if errors else 200)


@bp.route("/categories/<int:category_id>/edit", methods=["GET", "POST"])
@permission_required(ADMINISTER)
def edit_category(category_id: int):
    s = session()
    category = services.get_category(s, category_id)
    errors: dict = {}
    if request.method == "POST":
        values = _category_values(request.form)
        try:
            services.update_category(s, category_id, values)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
            category = services.get_category(s, category_id)
        else:
            flash(gettext("The category %(name)s is saved.", name=category.name), "success")
            return redirect(url_for("timebank.categories"))
    else:
        values = TimebankCategorySchema().dump(category)
    return render_template(
        "timebank/category_form.html", category=category, values=values, errors=errors
    ), (422 if errors else 200)


@bp.route("/categories/<int:category_id>/delete", methods=["POST"])
@permission_required(ADMINISTER)
def delete_category(category_id: int):
    s = session()
    try:
        services.delete_category(s, category_id)
        s.commit()
    except DomainError as exc:
        s.rollback()
        if exc.http_status == 404:
            raise
        flash(exc.message, "error")
    else:
        flash(gettext("The category is deleted."), "success")
    return redirect(url_for("timebank.categories"))


# -- the contact's tab ---------------------------------------------------------------------------


@bp.route("/contact/<int:contact_id>")
@permission_required(VIEW)
def contact_tab(contact_id: int):
    context = contact_page_context(contact_id, "timebank")
    s = session()
    listings, _ = services.list_listings(s, contact_id=contact_id, page_size=500)
    exchanges, exchange_total = services.list_exchanges(s, contact_id=contact_id, page_size=200)
    return render_template(
        "timebank/contact_tab.html",
        offers=[r for r in listings if r.listing.kind == "offer"],
        requests=[r for r in listings if r.listing.kind == "request"],
        exchanges=exchanges,
        exchange_total=exchange_total,
        balance=services.balances(s, [contact_id])[contact_id],
        **context,
    )
