"""The admin pages of donation pages (``contribute_donations``, under /contribute/pages): list,
create, edit, deactivate, and the settings of payments made on the public pages (the
instructions of "pay later", the processors of the pay links). Thin: the rules are in
``donation_pages``."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from amicale.api_for_plugins import (
    DomainError,
    MessageTemplate,
    gettext,
    permission_required,
    session,
    set_setting,
)

from . import donation_pages, services
from .donation_give import pay_processors
from .models import FREQUENCY_UNITS
from .perms import ADMINISTER
from .processors import available, label_of, manual_instructions

bp = Blueprint("contribute_donations", __name__, template_folder="templates")

TEXT_FIELDS = (
    "title",
    "slug",
    "intro",
    "thankyou_text",
    "financial_type_id",
    "campaign_id",
    "preset_amounts",
    "minimum_amount",
    "maximum_amount",
    "thankyou_template_id",
    "currency",
)
FLAGS = ("allow_other_amount", "allow_recurring", "is_active")


def _errors(exc: DomainError) -> dict[str, list[str]]:
    return exc.errors or {"": [exc.message]}


def _form_values(form) -> dict:
    values: dict = {key: form.get(key, "") for key in TEXT_FIELDS}
    for key in ("minimum_amount", "maximum_amount"):
        values[key] = values[key].replace(",", ".").replace(" ", "")
    for key in FLAGS:
        values[key] = form.get(key) == "1"
    values["recurring_units"] = form.getlist("recurring_units")
    values["processors"] = form.getlist("processors")
    values["currency"] = values["currency"].upper()
    return values


def _form_page(template: str, **context):
    s = session()
    return render_template(
        template,
        financial_types=[
            (t.id, services.financial_type_label(t))
            for t in services.financial_types(s, active_only=True)
        ],
        campaigns=[(c.id, c.name) for c in services.campaigns(s)],
        templates=list(
            s.execute(
                select(MessageTemplate.id, MessageTemplate.name)
                .where(MessageTemplate.is_active.is_(True))
                .order_by(MessageTemplate.name)
            ).all()
        ),
        processors=[(name, label_of(p)) for name, p in available().items()],
        units=FREQUENCY_UNITS,
        **context,
    )


@bp.route("/pages", endpoint="pages")
@permission_required(ADMINISTER)
def pages():
    s = session()
    return render_template(
        "contribute/donations/pages.html",
        rows=donation_pages.list_pages(s),
        processors=[(name, label_of(p)) for name, p in available().items()],
        settings={
            "manual_instructions": manual_instructions(s),
            "pay_processors": pay_processors(s),
        },
    )


@bp.route("/pages/settings", methods=["POST"], endpoint="settings")
@permission_required(ADMINISTER)
def save_settings():
    s = session()
    known = available()
    text = (request.form.get("manual_instructions") or "").strip()[:5000]
    set_setting(s, "contribute.manual_instructions", text or None)
    set_setting(
        s,
        "contribute.pay_processors",
        [n for n in request.form.getlist("pay_processors") if n in known] or None,
    )
    s.commit()
    flash(gettext("The payment settings are saved."), "success")
    return redirect(url_for("contribute_donations.pages"))


@bp.route("/pages/new", methods=["GET", "POST"], endpoint="new_page")
@permission_required(ADMINISTER)
def new_page():
    s = session()
    errors: dict = {}
    values: dict = {
        "is_active": True,
        "allow_other_amount": True,
        "preset_amounts": "10, 25, 50",
        "recurring_units": ["month"],
        "processors": ["manual"],
        "currency": services.currency_of(s),
    }
    if request.method == "POST":
        values = _form_values(request.form)
        try:
            page = donation_pages.create_page(s, values)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
        else:
            flash(gettext("The donation page %(title)s is created.", title=page.title), "success")
            return redirect(url_for("contribute_donations.pages"))
    return _form_page(
        "contribute/donations/page_form.html", page=None, values=values, errors=errors
    ), (422 if errors else 200)


@bp.route("/pages/<int:page_id>/edit", methods=["GET", "POST"], endpoint="edit_page")
@permission_required(ADMINISTER)
def edit_page(page_id: int):
    s = session()
    page = donation_pages.get_page(s, page_id)
    errors: dict = {}
    values = donation_pages.form_values(page)
    if request.method == "POST":
        values = _form_values(request.form)
        try:
            page = donation_pages.update_page(s, page_id, values)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
            page = donation_pages.get_page(s, page_id)
        else:
            flash(gettext("The donation page %(title)s is saved.", title=page.title), "success")
            return redirect(url_for("contribute_donations.pages"))
    return _form_page(
        "contribute/donations/page_form.html", page=page, values=values, errors=errors
    ), (422 if errors else 200)


@bp.route("/pages/<int:page_id>/deactivate", methods=["POST"], endpoint="deactivate_page")
@permission_required(ADMINISTER)
def deactivate_page(page_id: int):
    s = session()
    page = donation_pages.set_active(s, page_id, False)
    s.commit()
    flash(gettext("The donation page %(title)s is closed.", title=page.title), "success")
    return redirect(url_for("contribute_donations.pages"))


@bp.route("/pages/<int:page_id>/activate", methods=["POST"], endpoint="activate_page")
@permission_required(ADMINISTER)
def activate_page(page_id: int):
    s = session()
    page = donation_pages.set_active(s, page_id, True)
    s.commit()
    flash(gettext("The donation page %(title)s is open.", title=page.title), "success")
    return redirect(url_for("contribute_donations.pages"))
