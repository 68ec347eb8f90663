"""The grant component as an Amicale plugin (entry point `amicale.plugins`: grant).

Amicale calls these hooks only while an administrator has the component enabled. The rules are
in ``services``; the hooks translate between Amicale and them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from flask import url_for

from amicale import hookimpl
from amicale.api_for_plugins import (
    PLUGIN_API_VERSION,
    Contact,
    ContactTab,
    ImportField,
    ImportTarget,
    Manifest,
    MenuItem,
    Permission,
    Report,
    ScheduledJob,
    SearchFilter,
    SummaryBlock,
    ValidationError,
    Widget,
    format_date,
    format_money,
    gettext,
    has_permission,
    import_each,
    ngettext,
    session,
)
from amicale.api_for_plugins import lazy_gettext as _l

from . import reminders, services
from . import reports as grant_reports
from .models import STATUSES

NAME = "grant"
VIEW, EDIT, REVIEW, APPROVE, PAY, ADMINISTER = (
    services.VIEW,
    services.EDIT,
    services.REVIEW,
    services.APPROVE,
    services.PAY,
    services.ADMINISTER,
)
VIEW_FUNDING, EDIT_FUNDING = services.VIEW_FUNDING, services.EDIT_FUNDING
TOKENS = {
    "grant.status": _l("Grant status"),
    "grant.amount_granted": _l("Grant amount granted"),
    "grant.report_due_date": _l("Grant report due date"),
}


@hookimpl
def amicale_component():
    return Manifest(
        name=NAME,
        label=_l("Grants"),
        version="0.1.0",
        description=_l("Grants the organisation awards and the funding it applies for."),
        plugin_api=PLUGIN_API_VERSION,
        requires=(),
        optional=(),
    )


@hookimpl
def register_models():
    from . import models

    return [
        models.GrantType,
        models.GrantProgramme,
        models.Grant,
        models.GrantStatusLog,
        models.GrantReview,
        models.GrantPayment,
        models.GrantAttachment,
        models.GrantReminderLog,
        models.FundingApplication,
        models.FundingReport,
        models.FundingIndicator,
    ]


@hookimpl
def register_migrations():
    return (NAME, Path(__file__).parent / "migrations")


@hookimpl
def register_blueprints():
    from . import funding_views, public_views  # noqa: F401  (their routes are on the blueprint)
    from .views import bp

    return [bp]


@hookimpl
def register_api():
    from .api import funding, grants, programmes, types

    return [types, programmes, grants, funding]


@hookimpl
def register_permissions():
    return [
        Permission(
            VIEW,
            _l("See grants"),
            _l("Grant applications, their reviews, payments and attachments."),
            default_roles=("staff", "readonly"),
        ),
        Permission(
            EDIT,
            _l("Record grant applications"),
            _l("Record and edit applications, join files, withdraw an application."),
            default_roles=("staff",),
        ),
        Permission(
            REVIEW,
            _l("Review grant applications"),
            _l("Score and comment applications; decide whether they are eligible."),
            default_roles=("staff",),
        ),
        Permission(
            APPROVE,
            _l("Approve grants"),
            _l("Approve an application and decide the amount granted."),
            default_roles=(),
        ),
        Permission(
            PAY,
            _l("Pay grants"),
            _l("Record the payments of approved grants."),
            default_roles=(),
        ),
        Permission(
            ADMINISTER,
            _l("Administer grants"),
            _l("Grant types and programmes, and their public application pages."),
            default_roles=(),
        ),
        Permission(
            VIEW_FUNDING,
            _l("See the funding we apply for"),
            _l("Applications to funders, the reports and indicators they require."),
            default_roles=("staff", "readonly"),
        ),
        Permission(
            EDIT_FUNDING,
            _l("Record the funding we apply for"),
            _l("Record applications to funders, their reports and indicators."),
            default_roles=("staff",),
        ),
    ]


@hookimpl
def register_activity_types():
    return [
        (services.APPLICATION_ACTIVITY, "Grant Application"),
        (services.STATUS_ACTIVITY, "Grant Status Change"),
    ]


@hookimpl
def register_custom_field_entities():
    return [("grant_grant", _l("Grant"))]


def _catalogue_labels() -> list:
    """Labels stored as data (statuses, seeded types), listed so that the catalogue translates
    them (shown with ``|tr``)."""
    return [
        _l("Submitted"),
        _l("Eligible"),
        _l("Approved"),
        _l("Paid"),
        _l("Ineligible"),
        _l("Withdrawn"),
        _l("Draft"),
        _l("Awarded"),
        _l("Refused"),
        _l("Project grant"),
        _l("Operating grant"),
        _l("Emergency grant"),
        _l("Grant Application"),
        _l("Grant Status Change"),
    ]


@hookimpl
def menu_items(user):
    return [
        MenuItem(NAME, _l("Grants"), f"{NAME}.index", NAME, 60, VIEW),
        MenuItem(
            f"{NAME}.funding",
            _l("Funding we apply for"),
            f"{NAME}.funding_index",
            NAME,
            61,
            VIEW_FUNDING,
        ),
        MenuItem(
            f"admin.{NAME}.programmes",
            _l("Grant programmes"),
            f"{NAME}.programmes",
            "admin",
            60,
            ADMINISTER,
        ),
        MenuItem(
            f"admin.{NAME}.types", _l("Grant types"), f"{NAME}.types", "admin", 61, ADMINISTER
        ),
    ]


@hookimpl
def contact_tabs(contact, user):
    if not has_permission(user, VIEW):
        return []
    count = services.count_for_contact(session(), contact.id)
    url = url_for(f"{NAME}.contact_tab", contact_id=contact.id)
    return [ContactTab(NAME, _l("Grants"), url, count, 60)]


@hookimpl
def contact_summary(contact, user):
    if not has_permission(user, VIEW):
        return []
    rows, total = services.list_grants(session(), contact_id=contact.id, page_size=1)
    if not total:
        return []
    latest = rows[0]
    value = ngettext(
        "%(num)d application · latest: %(status)s",
        "%(num)d applications · latest: %(status)s",
        total,
        status=gettext(latest.status),
    )
    return [SummaryBlock(gettext("Grants"), value, 60)]


@hookimpl
def dashboard_widgets(user):
    s = session()
    out = []
    if has_permission(user, VIEW):
        pipeline = services.pipeline(s)
        out.append(
            Widget(
                NAME,
                _l("Grants"),
                "grant/widget.html",
                {
                    "pipeline": pipeline,
                    "names": services.display_names(
                        s, [g.contact_id for g in pipeline.reports_due]
                    ),
                },
                weight=60,
                permission=VIEW,
            )
        )
    if has_permission(user, VIEW_FUNDING):
        due = services.funding_due(s)
        if due:
            out.append(
                Widget(
                    f"{NAME}.funding",
                    _l("Reports our funders expect"),
                    "grant/funding_widget.html",
                    {"due": due, "today": services.today_()},
                    weight=61,
                    permission=VIEW_FUNDING,
                )
            )
    return out


def _send_reminders_job(s) -> reminders.ReminderRun:
    return reminders.send_reminders(s)


@hookimpl
def scheduled_jobs():
    return [
        ScheduledJob(
            "grant.send_report_reminders",
            _l("Send the reminders of the grant reports due"),
            "30 8 * * *",
            _send_reminders_job,
        )
    ]


@hookimpl
def register_commands(cli):
    import click

    @cli.group(NAME)
    def group():
        """Subventions."""

    @group.command("send-reminders")
    def send_reminders():
        """Envoie les rappels des comptes rendus de subvention attendus."""
        s = session()
        run = reminders.send_reminders(s)
        s.commit()
        click.echo(f"{run.sent} rappel(s) envoyé(s).")
        if run.failed:
            click.echo(f"{len(run.failed)} rappel(s) non envoyé(s) (subventions {run.failed}).")


@hookimpl
def demo_data(session):
    from .demo import demo_data as sample

    sample(session)


@hookimpl
def merge_contacts(winner_id, loser_id, session):
    services.move_contact(session, loser_id, winner_id)


@hookimpl
def contact_data(contact_id, session):
    return services.contact_data(session, contact_id)


@hookimpl
def erase_contact(contact_id, session):
    from . import attachments

    files = services.erase_contact(session, contact_id)
    try:
        attachments.remove(files)
    except RuntimeError:  # no application context (a command without an app): files stay
        pass


@hookimpl
def mail_tokens():
    return dict(TOKENS)


@hookimpl
def mail_token_values(contact_ids, tokens):
    wanted = [t for t in tokens if t in TOKENS]
    if not wanted:
        return {}
    out = {}
    for cid, values in services.token_values(session(), contact_ids).items():
        row = {}
        for token in wanted:
            if token == "grant.status":
                row[token] = gettext(values["status"])
            elif token == "grant.amount_granted":
                amount = values["amount_granted"]
                row[token] = format_money(amount, values["currency"]) if amount is not None else ""
            else:
                day = values["report_due_date"]
                row[token] = format_date(day, "long") if day else ""
        out[cid] = row
    return out


# -- search --------------------------------------------------------------------------------------


def _names(value) -> list[str]:
    return [str(v) for v in (value if isinstance(value, list | tuple) else [value]) if v]


def _status_options() -> list[tuple[str, str]]:
    return [(s, gettext(s)) for s in STATUSES]


def _type_options() -> list[tuple[str, str]]:
    return [(name, gettext(name)) for _id, name in services.type_options(session())]


def _range(value, field: str) -> tuple:
    if isinstance(value, str) and ".." in value:  # the API: "100..5000"
        low, high = value.split("..", 1)
        value = {"from": low, "to": high}
    if isinstance(value, list | tuple) and len(value) == 2:
        value = {"from": value[0], "to": value[1]}
    if not isinstance(value, dict):
        raise ValidationError(gettext('Give a range as {"from": ..., "to": ...}.'), field=field)
    return value.get("from"), value.get("to")


def _amount(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        raise ValidationError(gettext("Give an amount, such as 25.00."), field=field) from None


def _day(value, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(
            gettext("%(value)s is not a date (YYYY-MM-DD).", value=value), field=field
        ) from None


def _with_status(query, value):
    return query.where(Contact.id.in_(services.contacts_with(status=_names(value))))


def _with_type(query, value):
    return query.where(Contact.id.in_(services.contacts_with(type_names=_names(value))))


def _amount_between(query, value):
    low, high = _range(value, "grant_amount")
    low, high = _amount(low, "grant_amount"), _amount(high, "grant_amount")
    if low is None and high is None:
        return query
    return query.where(Contact.id.in_(services.contacts_with(amount_min=low, amount_max=high)))


def _decided_between(query, value):
    low, high = _range(value, "grant_decision_date")
    low, high = _day(low, "grant_decision_date"), _day(high, "grant_decision_date")
    if low is None and high is None:
        return query
    return query.where(Contact.id.in_(services.contacts_with(decided_from=low, decided_to=high)))


@hookimpl
def search_filters():
    return [
        SearchFilter(
            "grant_type",
            _l("Applicant of a grant of type"),
            "multiselect",
            _with_type,
            options=_type_options,
            weight=60,
        ),
        SearchFilter(
            "grant_status",
            _l("Grant status"),
            "multiselect",
            _with_status,
            options=_status_options,
            weight=61,
        ),
        SearchFilter(
            "grant_amount", _l("Grant amount requested"), "number_range", _amount_between, weight=62
        ),
        SearchFilter(
            "grant_decision_date",
            _l("Grant decided between"),
            "date_range",
            _decided_between,
            weight=63,
        ),
    ]


# -- reports -----------------------------------------------------------------------------------------


@hookimpl
def reports():
    return [
        Report(
            f"{NAME}_amounts_by_type_and_year",
            _l("Grants requested and granted by type and year"),
            grant_reports.amounts_by_type_and_year,
            description=_l(
                "The amounts requested and granted for each grant type, by the year the "
                "applications were received."
            ),
            chart="bar",
            permission=VIEW,
            weight=60,
        ),
        Report(
            f"{NAME}_success_by_funder",
            _l("Success rate of our funding applications by funder"),
            grant_reports.success_by_funder,
            description=_l(
                "For each funder: the applications decided, those awarded, and the amounts "
                "requested and obtained."
            ),
            chart="bar",
            permission=VIEW_FUNDING,
            weight=61,
        ),
    ]


# -- import ------------------------------------------------------------------------------------------


def _type_id_options() -> list[tuple[str, str]]:
    return [(name, gettext(name)) for _id, name in services.type_options(session())]


def _import_grants(s, rows: list[dict]):
    types = {name.lower(): tid for tid, name in services.type_options(s)}

    def create(s2, row: dict):
        type_name = str(row.get("grant_type") or "")
        data = {
            "contact_id": row["contact_id"],
            "grant_type_id": types.get(type_name.lower()),
            "amount_total": str(row["amount_total"])
            if row.get("amount_total") is not None
            else None,
            "currency": row.get("currency") or "EUR",
            "application_received_date": row.get("application_received_date"),
            "grant_due_date": row.get("grant_due_date"),
            "rationale": row.get("rationale"),
            "source": row.get("source") or gettext("Import"),
        }
        for key in ("application_received_date", "grant_due_date"):
            if isinstance(data[key], date):
                data[key] = data[key].isoformat()
        grant = services.create_grant(s2, data)
        status = row.get("status") or services.SUBMITTED
        _walk_to(s2, grant, status, row)
        return grant

    return import_each(s, rows, create)


#: The steps an imported grant takes from Submitted to reach its status (the log keeps them).
PATHS = {
    "Submitted": [],
    "Eligible": ["Eligible"],
    "Ineligible": ["Ineligible"],
    "Withdrawn": ["Withdrawn"],
    "Approved": ["Eligible", "Approved"],
    "Paid": ["Eligible", "Approved", "Paid"],
}


def _walk_to(s, grant, status: str, row: dict) -> None:
    if status not in PATHS:
        raise ValidationError(gettext("Choose one of the options."), field="status")
    for step in PATHS[status]:
        data: dict = {"status": step}
        if step == "Approved":
            data["amount_granted"] = (
                str(row["amount_granted"]) if row.get("amount_granted") is not None else None
            )
            decided = row.get("decision_date")
            data["decision_date"] = decided.isoformat() if isinstance(decided, date) else decided
        if step == "Paid":
            paid = row.get("money_transfer_date")
            data["payment_date"] = paid.isoformat() if isinstance(paid, date) else paid
        services.change_status(s, grant.id, data)


@hookimpl
def import_targets():
    return [
        ImportTarget(
            "grants",
            _l("Grants"),
            (
                ImportField("contact_id", _l("Applicant"), required=True, field_type="contact"),
                ImportField(
                    "grant_type",
                    _l("Grant type"),
                    required=True,
                    field_type="choice",
                    options=_type_id_options,
                ),
                ImportField(
                    "amount_total", _l("Amount requested"), required=True, field_type="decimal"
                ),
                ImportField("currency", _l("Currency")),
                ImportField("status", _l("Status"), field_type="choice", options=_status_options),
                ImportField("amount_granted", _l("Amount granted"), field_type="decimal"),
                ImportField(
                    "application_received_date", _l("Application received on"), field_type="date"
                ),
                ImportField("decision_date", _l("Decision date"), field_type="date"),
                ImportField("money_transfer_date", _l("Money transferred on"), field_type="date"),
                ImportField("grant_due_date", _l("Report due on"), field_type="date"),
                ImportField("rationale", _l("Rationale")),
                ImportField("source", _l("Source")),
            ),
            _import_grants,
            permission=EDIT,
            weight=60,
        )
    ]
