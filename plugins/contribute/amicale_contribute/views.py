"""The staff pages of Contributions (mounted under /contribute/): thin, the rules are in
``services``.

- ``/contribute/``: contributions, filtered by status, type, campaign and dates, with totals;
- ``/contribute/contact/<id>``: the Contributions tab of a contact (totals, gifts, soft credits,
  pledges, recurring gifts, receipts) and the forms to record them;
- ``/contribute/<id>/...``: change a contribution, record a payment, cancel or refund it;
- ``/contribute/financial-types``, ``/contribute/campaigns``: the admin's lists.

The forms are one template (``contribute/form.html``) fed with field descriptions, so that
every form shows its errors beside its fields the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from amicale.api_for_plugins import (
    ContactTab,
    DomainError,
    MenuItem,
    contact_page_context,
    current_user,
    gettext,
    has_permission,
    permission_required,
    session,
)
from amicale.api_for_plugins import lazy_gettext as _l

from . import services
from .models import (
    CANCELLED,
    FAILED,
    FREQUENCY_UNITS,
    PLEDGE_STATUSES,
    REFUNDED,
    SOFT_CREDIT_KINDS,
    STATUSES,
    Campaign,
    Contribution,
    FinancialType,
    PaymentInstrument,
    Pledge,
    Recurring,
    SoftCredit,
)
from .perms import ADMINISTER, EDIT, VIEW

bp = Blueprint("contribute", __name__, template_folder="templates")
PAGE_SIZE = 50

# Words the pages show for stored values (extracted for translation).
STATUS_LABELS = {
    "Pending": _l("Pending"),
    "Completed": _l("Completed"),
    "Cancelled": _l("Cancelled"),
    "Refunded": _l("Refunded"),
    "Failed": _l("Failed"),
    "Partially paid": _l("Partially paid"),
    "In Progress": _l("In Progress"),
    "Overdue": _l("Overdue"),
}
SEEDED_NAMES = (
    _l("Donation"),
    _l("Member Dues"),
    _l("Event Fee"),
    _l("Campaign Contribution"),
    _l("Cash"),
    _l("Cheque"),
    _l("Transfer"),
    _l("Card"),
    _l("Direct debit"),
)
KIND_LABELS = {
    "in_honor": _l("In honour of"),
    "in_memory": _l("In memory of"),
    "solicitor": _l("Solicited by"),
}
UNIT_LABELS = {"week": _l("week(s)"), "month": _l("month(s)"), "year": _l("year(s)")}


def blueprints():
    return [bp]


def menu_items(user):
    return [
        MenuItem("contribute", _l("Contributions"), "contribute.index", "contribute", 45, VIEW),
        MenuItem(
            "contribute.campaigns", _l("Campaigns"), "contribute.campaigns", "contribute", 46, VIEW
        ),
        MenuItem(
            "admin.contribute.types",
            _l("Financial types"),
            "contribute.financial_types",
            "admin",
            45,
            ADMINISTER,
        ),
    ]


def contact_tabs(contact, user):
    if not has_permission(user, VIEW):
        return []
    count = session().scalar(
        select(func.count(Contribution.id)).where(Contribution.contact_id == contact.id)
    )
    url = url_for("contribute.contact_tab", contact_id=contact.id)
    return [ContactTab("contribute", _l("Contributions"), url, count, 35)]


# -- the form machinery ---------------------------------------------------------------------------


@dataclass
class Field:
    """One input of a form: ``kind`` text, number, money, date, select, check or textarea."""

    name: str
    label: str
    kind: str = "text"
    options: list = field(default_factory=list)
    hint: str | None = None
    required: bool = False


def _errors(exc: DomainError) -> dict[str, list[str]]:
    errors = dict(exc.errors or {})
    if getattr(exc, "field", None) and exc.field not in errors:
        errors[exc.field] = [exc.message]
    return errors or {"": [exc.message]}


def _user_id() -> int | None:
    return getattr(current_user, "id", None)


def _form_values(fields: list[Field]) -> dict:
    values = {}
    for f in fields:
        if f.kind == "check":
            values[f.name] = request.form.get(f.name) == "1"
        else:
            value = request.form.get(f.name, "").strip()
            if f.kind == "money":
                value = value.replace(" ", "").replace("\u202f", "").replace(",", ".")
            values[f.name] = value
    return values


def _custom_input(values: dict, sets) -> dict:
    """The custom fields typed in the form: shown again as ``custom-<name>`` in ``values``,
    and returned as ``{name: value}`` for the service."""
    from . import donation_fields

    raw = donation_fields.form_values(request.form, sets)
    values.update({donation_fields.PREFIX + name: value for name, value in raw.items()})
    return raw


def _form(title: str, fields: list[Field], values: dict, errors: dict, back: str, **context):
    template = "contribute/contact_form.html" if "contact" in context else "contribute/form.html"
    return (
        render_template(
            template,
            title=title,
            fields=fields,
            values=values,
            errors=errors,
            back=back,
            **context,
        ),
        422 if errors else 200,
    )


def _options(rows, label=lambda r: r.name) -> list[tuple]:
    return [(r.id, label(r)) for r in rows]


def _type_options(s) -> list[tuple]:
    return _options(services.financial_types(s, active_only=True), services.financial_type_label)


def _instrument_options(s) -> list[tuple]:
    return _options(services.instruments(s, active_only=True), services.instrument_label)


def _campaign_options(s) -> list[tuple]:
    return _options(services.campaigns(s, active_only=True))


def _status_options(statuses=STATUSES) -> list[tuple]:
    return [(name, STATUS_LABELS[name]) for name in statuses]


# -- the list -------------------------------------------------------------------------------------


@bp.route("/")
@permission_required(VIEW)
def index():
    s = session()
    filters = {
        "status": request.args.get("status") or None,
        "financial_type_id": request.args.get("financial_type_id", type=int),
        "campaign_id": request.args.get("campaign_id", type=int),
    }
    errors = {}
    for key, arg in (("received_from", "from"), ("received_to", "to")):
        raw = request.args.get(arg)
        try:
            filters[key] = date.fromisoformat(raw) if raw else None
        except ValueError:
            errors[arg] = [gettext("Give a date as YYYY-MM-DD.")]
    if filters["status"] not in (None, *STATUSES):
        errors["status"] = [gettext("Choose one of the options.")]
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows, total = ([], 0)
    if not errors:
        rows, total = services.list_contributions(s, filters, page=page, page_size=PAGE_SIZE)
    return render_template(
        "contribute/index.html",
        rows=rows,
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        names=_names(s, [c.contact_id for c in rows]),
        labels=_labels(s),
        types=_type_options(s),
        campaigns=_options(services.campaigns(s)),
        statuses=_status_options(),
        args=request.args,
        errors=errors,
    ), (422 if errors else 200)


def _names(s, contact_ids) -> dict[int, str]:
    from amicale.api_for_plugins import Contact

    ids = list(set(contact_ids))
    if not ids:
        return {}
    return dict(s.execute(select(Contact.id, Contact.display_name).where(Contact.id.in_(ids))))


def _labels(s) -> dict:
    """Names to show for the ids a list carries (types, instruments, campaigns)."""
    return {
        "types": {t.id: services.financial_type_label(t) for t in services.financial_types(s)},
        "instruments": {i.id: services.instrument_label(i) for i in services.instruments(s)},
        "campaigns": {c.id: c.name for c in services.campaigns(s)},
        "statuses": STATUS_LABELS,
        "kinds": KIND_LABELS,
        "units": UNIT_LABELS,
    }


# -- the contact tab ------------------------------------------------------------------------------


@bp.route("/contact/<int:contact_id>")
@permission_required(VIEW)
def contact_tab(contact_id: int):
    context = contact_page_context(contact_id, "contribute")
    s = session()
    credits = list(
        s.execute(
            select(SoftCredit, Contribution)
            .join(Contribution, Contribution.id == SoftCredit.contribution_id)
            .where(SoftCredit.contact_id == contact_id)
            .order_by(Contribution.receive_date.desc())
        )
    )
    pledges = list(
        s.scalars(select(Pledge).where(Pledge.contact_id == contact_id).order_by(Pledge.id.desc()))
    )
    recurring = list(
        s.scalars(
            select(Recurring)
            .where(Recurring.contact_id == contact_id)
            .order_by(Recurring.id.desc())
        )
    )
    from . import receipts

    finder = getattr(receipts, "receipts_for_contact", None)
    contributions = services.contributions_of(s, contact_id)
    return render_template(
        "contribute/contact_tab.html",
        totals=services.contact_totals(s, contact_id),
        contributions=contributions,
        credits=credits,
        pledges=pledges,
        recurring=recurring,
        receipts=finder(s, contact_id) if finder else [],
        names=_names(s, [c.contact_id for _sc, c in credits]),
        labels=_labels(s),
        **context,
    )


def _contribution_fields(s, *, with_status: bool = True) -> list[Field]:
    fields = [
        Field("financial_type_id", _l("Financial type"), "select", _type_options(s), required=True),
        Field("amount", _l("Amount"), "money", required=True),
        Field("receive_date", _l("Date received"), "date"),
        Field("payment_instrument_id", _l("Paid by"), "select", _instrument_options(s)),
        Field("check_number", _l("Cheque number")),
    ]
    if with_status:
        fields.append(Field("status", _l("Status"), "select", _status_options(), required=True))
    fields += [
        Field("campaign_id", _l("Campaign"), "select", _campaign_options(s)),
        Field("source", _l("Source")),
        Field(
            "non_deductible_amount",
            _l("Non-deductible part"),
            "money",
            hint=_l("What the donor received in return (a dinner, a magazine)."),
        ),
        Field("paid_amount", _l("Paid so far"), "money", hint=_l("For a partially paid one.")),
        Field("transaction_id", _l("Transaction number")),
        Field("soft_credit_contact_id", _l("Also credit"), "contact"),
        Field(
            "soft_credit_kind",
            _l("Credited as"),
            "select",
            [(k, KIND_LABELS[k]) for k in SOFT_CREDIT_KINDS],
        ),
        Field("note", _l("Note"), "textarea"),
    ]
    return fields


def _contribution_input(values: dict) -> dict:
    data = {k: v for k, v in values.items() if not k.startswith("soft_credit_")}
    if values.get("soft_credit_contact_id"):
        data["soft_credits"] = [
            {
                "contact_id": values["soft_credit_contact_id"],
                "kind": values.get("soft_credit_kind") or "solicitor",
            }
        ]
    return data


@bp.route("/contact/<int:contact_id>/new", methods=["GET", "POST"])
@permission_required(EDIT)
def new_contribution(contact_id: int):
    from . import donation_fields

    context = contact_page_context(contact_id, "contribute")
    s = session()
    fields = _contribution_fields(s)
    sets = donation_fields.public_sets(s)
    errors: dict = {}
    values: dict = {
        "status": "Completed",
        "receive_date": services.today_().isoformat(),
        "financial_type_id": _donation_id(s),
    }
    if request.method == "POST":
        values = _form_values(fields)
        custom = _custom_input(values, sets)
        try:
            data = {**_contribution_input(values), "contact_id": contact_id, "custom": custom}
            services.create_contribution(s, data, user_id=_user_id())
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
        else:
            flash(gettext("The contribution is recorded."), "success")
            return redirect(url_for("contribute.contact_tab", contact_id=contact_id))
    back = url_for("contribute.contact_tab", contact_id=contact_id)
    title = gettext("Record a contribution")
    return _form(title, fields, values, errors, back, sets=sets, **context)


def _donation_id(s) -> int | None:
    return s.scalar(select(FinancialType.id).where(FinancialType.name == "Donation"))


@bp.route("/<int:contribution_id>/edit", methods=["GET", "POST"])
@permission_required(EDIT)
def edit_contribution(contribution_id: int):
    from . import donation_fields

    s = session()
    contribution = services.get_contribution(s, contribution_id)
    context = contact_page_context(contribution.contact_id, "contribute")
    fields = _contribution_fields(s)
    sets = donation_fields.public_sets(s)
    errors: dict = {}
    values = {f.name: getattr(contribution, f.name, None) for f in fields}
    stored = services.custom_values(s, [contribution.id])[contribution.id]
    values.update({donation_fields.PREFIX + k: v for k, v in stored.items()})
    credit = s.scalar(select(SoftCredit).where(SoftCredit.contribution_id == contribution.id))
    if credit is not None:
        values["soft_credit_contact_id"], values["soft_credit_kind"] = (
            credit.contact_id,
            credit.kind,
        )
    if request.method == "POST":
        values = _form_values(fields)
        custom = _custom_input(values, sets)
        try:
            data = {**_contribution_input(values), "custom": custom}
            data.setdefault("soft_credits", [])
            services.update_contribution(s, contribution.id, data, user_id=_user_id())
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
        else:
            flash(gettext("The contribution is saved."), "success")
            return redirect(url_for("contribute.contact_tab", contact_id=contribution.contact_id))
    back = url_for("contribute.contact_tab", contact_id=contribution.contact_id)
    title = gettext("Contribution %(id)s", id=contribution.id)
    return _form(
        title, fields, values, errors, back, contribution=contribution, sets=sets, **context
    )


@bp.route("/<int:contribution_id>/payment", methods=["GET", "POST"])
@permission_required(EDIT)
def record_payment(contribution_id: int):
    s = session()
    contribution = services.get_contribution(s, contribution_id)
    context = contact_page_context(contribution.contact_id, "contribute")
    fields = [
        Field("amount", _l("Amount received"), "money", required=True),
        Field("receive_date", _l("Date received"), "date"),
        Field("payment_instrument_id", _l("Paid by"), "select", _instrument_options(s)),
        Field("check_number", _l("Cheque number")),
        Field("transaction_id", _l("Transaction number")),
    ]
    left = contribution.amount - services.money(contribution.paid_amount)
    values: dict = {"amount": left, "receive_date": services.today_().isoformat()}
    errors: dict = {}
    if request.method == "POST":
        values = _form_values(fields)
        try:
            services.record_payment(s, contribution.id, values, user_id=_user_id())
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
        else:
            flash(gettext("The payment is recorded."), "success")
            return redirect(url_for("contribute.contact_tab", contact_id=contribution.contact_id))
    back = url_for("contribute.contact_tab", contact_id=contribution.contact_id)
    title = gettext("Record a payment for contribution %(id)s", id=contribution.id)
    return _form(title, fields, values, errors, back, contribution=contribution, **context)


@bp.route("/<int:contribution_id>/status", methods=["POST"])
@permission_required(EDIT)
def set_status(contribution_id: int):
    s = session()
    contribution = services.get_contribution(s, contribution_id)
    status = request.form.get("status")
    if status not in (CANCELLED, REFUNDED, FAILED, "Completed"):
        abort(400)
    try:
        services.set_status(
            s,
            contribution.id,
            status,
            reason=request.form.get("reason") or None,
            user_id=_user_id(),
        )
        s.commit()
    except DomainError as exc:
        s.rollback()
        flash(exc.message, "error")
    else:
        flash(
            gettext("The contribution is now %(status)s.", status=STATUS_LABELS[status]), "success"
        )
    return redirect(url_for("contribute.contact_tab", contact_id=contribution.contact_id))


@bp.route("/<int:contribution_id>/delete", methods=["POST"])
@permission_required(EDIT)
def delete_contribution(contribution_id: int):
    s = session()
    contribution = services.get_contribution(s, contribution_id)
    contact_id = contribution.contact_id
    try:
        services.delete_contribution(s, contribution.id)
        s.commit()
    except DomainError as exc:
        s.rollback()
        flash(exc.message, "error")
    else:
        flash(gettext("The contribution is deleted."), "success")
    return redirect(url_for("contribute.contact_tab", contact_id=contact_id))


# -- pledges and recurring gifts ------------------------------------------------------------------


def _schedule_fields(s, *, pledge: bool) -> list[Field]:
    fields = [
        Field("financial_type_id", _l("Financial type"), "select", _type_options(s), required=True),
        Field("amount", _l("Total promised") if pledge else _l("Amount each time"), "money"),
        Field("installments", _l("Instalments"), "number"),
        Field("frequency_interval", _l("Every"), "number"),
        Field(
            "frequency_unit", _l("Unit"), "select", [(u, UNIT_LABELS[u]) for u in FREQUENCY_UNITS]
        ),
        Field("start_date", _l("First one on"), "date"),
        Field("campaign_id", _l("Campaign"), "select", _campaign_options(s)),
    ]
    if pledge:
        fields.append(Field("reminder_days", _l("Remind this many days before"), "number"))
    else:
        fields.insert(
            4, Field("payment_instrument_id", _l("Paid by"), "select", _instrument_options(s))
        )
        fields[2].hint = _l("Leave empty: until cancelled.")
    return fields


def _schedule(contact_id: int, *, pledge: bool):
    context = contact_page_context(contact_id, "contribute")
    s = session()
    fields = _schedule_fields(s, pledge=pledge)
    values: dict = {
        "financial_type_id": _donation_id(s),
        "frequency_interval": 1,
        "frequency_unit": "month",
        "installments": 1 if pledge else "",
        "start_date": services.today_().isoformat(),
        "reminder_days": 7,
    }
    errors: dict = {}
    if request.method == "POST":
        values = _form_values(fields)
        data = {k: v for k, v in values.items() if v != ""}
        try:
            create = services.create_pledge if pledge else services.create_recurring
            create(s, {**data, "contact_id": contact_id}, user_id=_user_id())
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
        else:
            flash(
                gettext("The pledge is recorded.")
                if pledge
                else gettext("The recurring contribution is recorded."),
                "success",
            )
            return redirect(url_for("contribute.contact_tab", contact_id=contact_id))
    title = gettext("Record a pledge") if pledge else gettext("Record a recurring contribution")
    back = url_for("contribute.contact_tab", contact_id=contact_id)
    return _form(title, fields, values, errors, back, **context)


@bp.route("/contact/<int:contact_id>/pledge", methods=["GET", "POST"])
@permission_required(EDIT)
def new_pledge(contact_id: int):
    return _schedule(contact_id, pledge=True)


@bp.route("/contact/<int:contact_id>/recurring", methods=["GET", "POST"])
@permission_required(EDIT)
def new_recurring(contact_id: int):
    return _schedule(contact_id, pledge=False)


@bp.route("/pledges/<int:pledge_id>")
@permission_required(VIEW)
def pledge(pledge_id: int):
    s = session()
    p = services.get_pledge(s, pledge_id)
    context = contact_page_context(p.contact_id, "contribute")
    return render_template(
        "contribute/pledge.html",
        pledge=p,
        payments=services.pledge_payments(s, p.id),
        labels=_labels(s),
        statuses=PLEDGE_STATUSES,
        **context,
    )


@bp.route("/pledges/<int:pledge_id>/pay", methods=["POST"])
@permission_required(EDIT)
def pay_pledge(pledge_id: int):
    s = session()
    p = services.get_pledge(s, pledge_id)
    data = {
        k: request.form.get(k)
        for k in ("receive_date", "payment_instrument_id", "check_number")
        if request.form.get(k)
    }
    try:
        services.pay_pledge(s, p.id, data, user_id=_user_id())
        s.commit()
    except DomainError as exc:
        s.rollback()
        flash(exc.message, "error")
    else:
        flash(gettext("The instalment is recorded."), "success")
    return redirect(url_for("contribute.pledge", pledge_id=p.id))


@bp.route("/pledges/<int:pledge_id>/cancel", methods=["POST"])
@permission_required(EDIT)
def cancel_pledge(pledge_id: int):
    s = session()
    p = services.cancel_pledge(s, pledge_id)
    s.commit()
    flash(gettext("The pledge is cancelled."), "success")
    return redirect(url_for("contribute.contact_tab", contact_id=p.contact_id))


@bp.route("/recurring/<int:recurring_id>/cancel", methods=["POST"])
@permission_required(EDIT)
def cancel_recurring(recurring_id: int):
    s = session()
    r = services.cancel_recurring(s, recurring_id)
    s.commit()
    flash(gettext("The recurring contribution is cancelled."), "success")
    return redirect(url_for("contribute.contact_tab", contact_id=r.contact_id))


# -- campaigns ------------------------------------------------------------------------------------


def _campaign_fields() -> list[Field]:
    return [
        Field("name", _l("Name"), required=True),
        Field("goal_amount", _l("Goal"), "money"),
        Field("start_date", _l("Start date"), "date"),
        Field("end_date", _l("End date"), "date"),
        Field("description", _l("Description"), "textarea"),
        Field("is_active", _l("Active"), "check"),
    ]


@bp.route("/campaigns")
@permission_required(VIEW)
def campaigns():
    s = session()
    rows = services.campaigns(s)
    month_start = services.today_().replace(day=1)
    return render_template(
        "contribute/campaigns.html",
        rows=rows,
        progress=services.campaign_progress(s),
        this_month=services.campaign_progress(s, since=month_start),
    )


def _campaign_form(campaign: Campaign | None):
    s = session()
    fields = _campaign_fields()
    values: dict = {"is_active": True}
    if campaign is not None:
        values = {f.name: getattr(campaign, f.name) for f in fields}
    errors: dict = {}
    if request.method == "POST":
        values = _form_values(fields)
        try:
            if campaign is None:
                services.create_campaign(s, values)
            else:
                services.update_campaign(s, campaign.id, values)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
        else:
            flash(gettext("The campaign %(name)s is saved.", name=values["name"]), "success")
            return redirect(url_for("contribute.campaigns"))
    title = campaign.name if campaign else gettext("New campaign")
    return _form(title, fields, values, errors, url_for("contribute.campaigns"))


@bp.route("/campaigns/new", methods=["GET", "POST"])
@permission_required(EDIT)
def new_campaign():
    return _campaign_form(None)


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@permission_required(EDIT)
def edit_campaign(campaign_id: int):
    return _campaign_form(services.get_campaign(session(), campaign_id))


# -- financial types and payment instruments ------------------------------------------------------


def _type_fields() -> list[Field]:
    return [
        Field("name", _l("Name"), required=True),
        Field("is_deductible", _l("Gives a tax receipt"), "check"),
        Field("account_code", _l("Income account"), hint=_l("For the accounting export (754).")),
        Field("description", _l("Description"), "textarea"),
        Field("weight", _l("Order"), "number"),
        Field("is_active", _l("Active"), "check"),
    ]


@bp.route("/financial-types")
@permission_required(ADMINISTER)
def financial_types():
    s = session()
    return render_template(
        "contribute/financial_types.html",
        types=services.financial_types(s),
        instruments=services.instruments(s),
        type_label=services.financial_type_label,
        instrument_label=services.instrument_label,
    )


def _financial_type_form(ftype: FinancialType | None):
    s = session()
    fields = _type_fields()
    values: dict = {"is_active": True, "weight": 0}
    if ftype is not None:
        values = {f.name: getattr(ftype, f.name) for f in fields}
    errors: dict = {}
    if request.method == "POST":
        values = _form_values(fields)
        values["weight"] = values["weight"] or "0"
        try:
            if ftype is None:
                services.create_financial_type(s, values)
            else:
                services.update_financial_type(s, ftype.id, values)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
        else:
            flash(gettext("The financial type %(name)s is saved.", name=values["name"]), "success")
            return redirect(url_for("contribute.financial_types"))
    title = services.financial_type_label(ftype) if ftype else gettext("New financial type")
    return _form(title, fields, values, errors, url_for("contribute.financial_types"))


@bp.route("/financial-types/new", methods=["GET", "POST"])
@permission_required(ADMINISTER)
def new_financial_type():
    return _financial_type_form(None)


@bp.route("/financial-types/<int:type_id>/edit", methods=["GET", "POST"])
@permission_required(ADMINISTER)
def edit_financial_type(type_id: int):
    return _financial_type_form(services.get_financial_type(session(), type_id))


@bp.route("/instruments/<int:instrument_id>/edit", methods=["GET", "POST"])
@permission_required(ADMINISTER)
def edit_instrument(instrument_id: int):
    s = session()
    instrument = s.get(PaymentInstrument, instrument_id)
    if instrument is None:
        abort(404)
    fields = [
        Field("label", _l("Label"), required=True),
        Field("account_code", _l("Account"), hint=_l("For the accounting export (5112).")),
        Field("weight", _l("Order"), "number"),
        Field("is_active", _l("Active"), "check"),
    ]
    values = {f.name: getattr(instrument, f.name) for f in fields}
    errors: dict = {}
    if request.method == "POST":
        values = _form_values(fields)
        values["weight"] = values["weight"] or "0"
        try:
            services.update_instrument(s, instrument.id, values)
            s.commit()
        except DomainError as exc:
            s.rollback()
            errors = _errors(exc)
        else:
            flash(gettext("The payment instrument is saved."), "success")
            return redirect(url_for("contribute.financial_types"))
    title = services.instrument_label(instrument)
    return _form(title, fields, values, errors, url_for("contribute.financial_types"))
