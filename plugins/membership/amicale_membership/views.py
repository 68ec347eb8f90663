"""The pages of Membership (mounted under /membership/): thin, the rules are in ``services``.

- ``/membership/``: memberships, filtered by status and type;
- ``/membership/types``, ``/membership/statuses``: the admin's types and status rules;
- ``/membership/contact/<id>``: the Memberships tab of a contact, with the forms to join, renew,
  change the type, cancel, and set the status by hand.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from amicale.api_for_plugins import (
    DomainError,
    contact_page_context,
    current_user,
    gettext,
    permission_required,
    session,
)
from amicale.api_for_plugins import lazy_gettext as _l

from . import reminders, services
from .models import ADJUST_UNITS, DURATION_UNITS, EVENTS, PERIOD_TYPES
from .schemas import (
    PAYMENT_INSTRUMENTS,
    MembershipStatusSchema,
    MembershipTypeSchema,
    ReminderSchema,
)

bp = Blueprint("membership", __name__, template_folder="templates")
INSTRUMENT_LABELS = {
    "cash": _l("Cash"),
    "cheque": _l("Cheque"),
    "transfer": _l("Transfer"),
    "card": _l("Card"),
    "direct_debit": _l("Direct debit"),
}

VIEW, EDIT, ADMINISTER = "view_memberships", "edit_memberships", "administer_memberships"
PAGE_SIZE = 25
ACTIONS = ("renew", "pay", "change-type", "cancel", "override")


def _errors(exc: DomainError) -> dict[str, list[str]]:
    return exc.errors or {"": [exc.message]}


def _user_id() -> int | None:
    return getattr(current_user, "id", None)


def _page_arg() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


@bp.route("/")
@permission_required(VIEW)
def index():
    s = session()
    status, type_name, page = request.args.get("status"), request.args.get("type"), _page_arg()
    rows, total = services.list_memberships(
        s, status=status or None, type_name=type_name or None, page=page, page_size=PAGE_SIZE
    )
    statuses, types = services.names_of(s)
    return render_template(
        "membership/index.html",
        rows=rows,
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        names=services.display_names(s, [m.contact_id for m in rows]),
        status_names=statuses,
        type_names=types,
        statuses=services.list_statuses(s),
        types=services.type_options(s),
        status=status,
        type_name=type_name,
    )


# -- types (administration) ----------------------------------------------------------------------


def _type_values(form) -> dict:
    values = {
        key: form.get(key, "")
        for key in (
            "name",
            "description",
            "owner_contact_id",
            "minimum_fee",
            "financial_type",
            "duration_unit",
            "duration_interval",
            "period_type",
            "fixed_period_start_day",
            "fixed_period_rollover_day",
            "max_related",
            "weight",
        )
    }
    values["minimum_fee"] = (values["minimum_fee"] or "0").replace(",", ".")
    values["weight"] = values["weight"] or "0"
    values["duration_interval"] = values["duration_interval"] or "1"
    values["relationship_types"] = form.getlist("relationship_types")
    values["auto_renew"] = form.get("auto_renew") == "1"
    values["is_active"] = form.get("is_active") == "1"
    values["is_public"] = form.get("is_public") == "1"
    values["confirmation_template_id"] = form.get("confirmation_template_id", "")
    return values


def _type_page(template: str, **context):
    s = session()
    return render_template(
        template,
        templates=reminders.template_options(s),
        units=DURATION_UNITS,
        period_types=PERIOD_TYPES,
        relationship_types=services.relationship_type_options(s),
        **context,
    )


@bp.route("/types", methods=["GET", "POST"])
@permission_required(ADMINISTER)
def types():
    s = session()
    errors: dict = {}
    values: dict = {"is_active": True, "duration_unit": "year", "duration_interval": 1}
    if request.method == "POST":
        values = _type_values(request.form)
        try:
            mtype = services.create_type(s, values)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
        else:
            flash(gettext("The membership type %(name)s is created.", name=mtype.name), "success")
            return redirect(url_for("membership.types"))
    rows, _total = services.list_types(s)
    return _type_page("membership/types.html", rows=rows, values=values, errors=errors), (
        422 if errors else 200
    )


@bp.route("/types/<int:type_id>/edit", methods=["GET", "POST"])
@permission_required(ADMINISTER)
def edit_type(type_id: int):
    s = session()
    mtype = services.get_type(s, type_id)
    errors: dict = {}
    if request.method == "POST":
        values = _type_values(request.form)
        try:
            services.update_type(s, type_id, values)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
            mtype = services.get_type(s, type_id)
        else:
            flash(gettext("The membership type %(name)s is saved.", name=mtype.name), "success")
            return redirect(url_for("membership.types"))
    else:
        values = MembershipTypeSchema().dump(mtype)
    return _type_page("membership/type_form.html", mtype=mtype, values=values, errors=errors), (
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
        flash(gettext("The membership type is deleted."), "success")
    return redirect(url_for("membership.types"))


# -- status rules (administration) ---------------------------------------------------------------


def _status_values(form) -> dict:
    values = {
        key: form.get(key, "")
        for key in (
            "name",
            "label",
            "start_event",
            "start_event_adjust_unit",
            "start_event_adjust_interval",
            "end_event",
            "end_event_adjust_unit",
            "end_event_adjust_interval",
            "weight",
        )
    }
    values["weight"] = values["weight"] or "0"
    for key in ("is_current_member", "is_admin", "is_active"):
        values[key] = form.get(key) == "1"
    return values


def _status_page(template: str, **context):
    return render_template(template, events=EVENTS, units=ADJUST_UNITS, **context)


@bp.route("/statuses", methods=["GET", "POST"])
@permission_required(ADMINISTER)
def statuses():
    s = session()
    errors: dict = {}
    values: dict = {"is_active": True}
    if request.method == "POST":
        values = _status_values(request.form)
        try:
            status = services.create_status(s, values)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
        else:
            flash(gettext("The status %(name)s is created.", name=status.name), "success")
            return redirect(url_for("membership.statuses"))
    return _status_page(
        "membership/statuses.html",
        rows=services.list_statuses(s),
        values=values,
        errors=errors,
    ), (422 if errors else 200)


@bp.route("/statuses/<int:status_id>/edit", methods=["GET", "POST"])
@permission_required(ADMINISTER)
def edit_status(status_id: int):
    s = session()
    status = services.get_status(s, status_id)
    errors: dict = {}
    if request.method == "POST":
        values = _status_values(request.form)
        try:
            services.update_status(s, status_id, values)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
            status = services.get_status(s, status_id)
        else:
            flash(gettext("The status %(name)s is saved.", name=status.name), "success")
            return redirect(url_for("membership.statuses"))
    else:
        values = MembershipStatusSchema().dump(status)
    return _status_page(
        "membership/status_form.html", status=status, values=values, errors=errors
    ), (422 if errors else 200)


# -- the contact's tab and the membership forms --------------------------------------------------


@bp.route("/contact/<int:contact_id>")
@permission_required(VIEW)
def contact_tab(contact_id: int):
    context = contact_page_context(contact_id, "membership")
    rows = services.contact_memberships(session(), contact_id)
    return render_template(
        "membership/contact_tab.html",
        current=[r for r in rows if r.is_current],
        past=[r for r in rows if not r.is_current],
        sent_reminders=reminders.sent_to_contact(session(), contact_id),
        **context,
    )


@bp.route("/contact/<int:contact_id>/join", methods=["GET", "POST"])
@permission_required(EDIT)
def join(contact_id: int):
    context = contact_page_context(contact_id, "membership")
    s = session()
    errors: dict = {}
    values: dict = {}
    if request.method == "POST":
        values = {
            key: request.form.get(key, "")
            for key in (
                "membership_type_id",
                "join_date",
                "start_date",
                "end_date",
                "source",
                "fee_amount",
            )
        }
        values["fee_amount"] = values["fee_amount"].replace(",", ".")
        values["record_payment"] = request.form.get("record_payment") == "1"
        values["contact_id"] = contact_id
        try:
            services.join(s, values, user_id=_user_id())
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
        else:
            flash(gettext("The membership is recorded."), "success")
            return redirect(url_for("membership.contact_tab", contact_id=contact_id))
    else:
        values = {"record_payment": True}
    return render_template(
        "membership/join_form.html",
        values=values,
        errors=errors,
        types=services.type_options(s),
        **context,
    ), (422 if errors else 200)


@bp.route("/<int:membership_id>/<action>", methods=["GET", "POST"])
@permission_required(EDIT)
def act(membership_id: int, action: str):
    """Renew, change the type, cancel or set the status of a membership (one form each)."""
    from werkzeug.exceptions import NotFound as RouteNotFound

    if action not in ACTIONS:
        raise RouteNotFound()
    s = session()
    membership = services.get_membership(s, membership_id)
    contact_id = membership.contact_id
    context = contact_page_context(contact_id, "membership")
    errors: dict = {}
    values: dict = {}
    if request.method == "POST":
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        if "fee_amount" in values:
            values["fee_amount"] = values["fee_amount"].replace(",", ".")
        if action == "renew":
            values["record_payment"] = request.form.get("record_payment") == "1"
        calls = {
            "renew": services.renew,
            "pay": services.record_dues_payment,
            "change-type": services.change_type,
            "cancel": services.cancel,
            "override": services.override_status,
        }
        try:
            if action == "override" and request.form.get("clear") == "1":
                services.clear_override(s, membership_id, user_id=_user_id())
            else:
                calls[action](s, membership_id, values, user_id=_user_id())
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
            membership = services.get_membership(s, membership_id)
        else:
            flash(gettext("The membership is saved."), "success")
            return redirect(url_for("membership.contact_tab", contact_id=contact_id))
    else:
        values = {"record_payment": True, "paid_date": services.today_().isoformat()}
    mtype = services.get_type(s, membership.membership_type_id)
    return render_template(
        "membership/action_form.html",
        instruments=[(name, INSTRUMENT_LABELS[name]) for name in PAYMENT_INSTRUMENTS],
        action=action,
        membership=membership,
        mtype=mtype,
        status=services.get_status(s, membership.status_id),
        values=values,
        errors=errors,
        types=services.type_options(s),
        statuses=services.list_statuses(s, active=True),
        **context,
    ), (422 if errors else 200)


# -- renewal reminders (administration) ----------------------------------------------------------


def _reminder_values(form) -> dict:
    values = {
        key: form.get(key, "") for key in ("name", "membership_type_id", "days", "template_id")
    }
    values["is_active"] = form.get("is_active") == "1"
    return values


def _reminder_page(template: str, **context):
    s = session()
    _statuses, type_names = services.names_of(s)
    return render_template(
        template,
        types=services.type_options(s),
        type_names=type_names,
        templates=reminders.template_options(s),
        **context,
    )


@bp.route("/reminders", methods=["GET", "POST"], endpoint="reminders")
@permission_required(ADMINISTER)
def reminders_page():
    s = session()
    errors: dict = {}
    values: dict = {"is_active": True, "days": -30}
    if request.method == "POST":
        values = _reminder_values(request.form)
        try:
            reminder = reminders.create_reminder(s, values)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
        else:
            flash(gettext("The reminder %(name)s is created.", name=reminder.name), "success")
            return redirect(url_for("membership.reminders"))
    template_names = dict(reminders.template_options(s))
    return _reminder_page(
        "membership/reminders.html",
        rows=reminders.list_reminders(s),
        template_names=template_names,
        values=values,
        errors=errors,
    ), (422 if errors else 200)


@bp.route("/reminders/<int:reminder_id>/edit", methods=["GET", "POST"])
@permission_required(ADMINISTER)
def edit_reminder(reminder_id: int):
    s = session()
    reminder = reminders.get_reminder(s, reminder_id)
    errors: dict = {}
    if request.method == "POST":
        values = _reminder_values(request.form)
        try:
            reminders.update_reminder(s, reminder_id, values)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
            reminder = reminders.get_reminder(s, reminder_id)
        else:
            flash(gettext("The reminder %(name)s is saved.", name=reminder.name), "success")
            return redirect(url_for("membership.reminders"))
    else:
        values = ReminderSchema().dump(reminder)
    return _reminder_page(
        "membership/reminder_form.html", reminder=reminder, values=values, errors=errors
    ), (422 if errors else 200)


@bp.route("/reminders/<int:reminder_id>/delete", methods=["POST"])
@permission_required(ADMINISTER)
def delete_reminder(reminder_id: int):
    s = session()
    reminders.delete_reminder(s, reminder_id)
    s.commit()
    flash(gettext("The reminder is deleted."), "success")
    return redirect(url_for("membership.reminders"))
