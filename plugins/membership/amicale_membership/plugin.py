"""The membership component as an Amicale plugin (entry point `amicale.plugins`: membership).

Amicale calls these hooks only while an administrator has the component enabled. The rules are
in ``services``; the hooks translate between Amicale and them.
"""

from __future__ import annotations

from datetime import date
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
    gettext,
    has_permission,
    import_each,
    session,
)
from amicale.api_for_plugins import lazy_gettext as _l

from . import reminders, services
from . import reports as membership_reports
from .models import (
    Membership,
    MembershipLog,
    MembershipReminder,
    MembershipReminderLog,
    MembershipStatus,
    MembershipType,
)

NAME = "membership"
VIEW, EDIT, ADMINISTER = "view_memberships", "edit_memberships", "administer_memberships"
TOKENS = {
    "membership.type": _l("Membership type"),
    "membership.status": _l("Membership status"),
    "membership.end_date": _l("Membership end date"),
    "membership.renewal_url": _l("Membership renewal link"),
}


@hookimpl
def amicale_component():
    return Manifest(
        name=NAME,
        label=_l("Membership"),
        version="0.1.0",
        description=_l(
            "Membership types, statuses computed from dates, renewals, dues and reminders."
        ),
        plugin_api=PLUGIN_API_VERSION,
        requires=(),
        optional=("contribute",),
    )


@hookimpl
def register_models():
    return [
        MembershipType,
        MembershipStatus,
        Membership,
        MembershipLog,
        MembershipReminder,
        MembershipReminderLog,
    ]


@hookimpl
def register_migrations():
    return (NAME, Path(__file__).parent / "migrations")


@hookimpl
def register_blueprints():
    from . import public_views  # noqa: F401  (its routes are on the same blueprint)
    from .views import bp

    return [bp]


@hookimpl
def register_api():
    from .api import memberships, statuses, types

    return [types, statuses, memberships]


@hookimpl
def register_permissions():
    return [
        Permission(
            VIEW,
            _l("See memberships"),
            _l("Members' memberships, their statuses and history."),
            default_roles=("staff", "readonly", "volunteer"),
        ),
        Permission(
            EDIT,
            _l("Record memberships"),
            _l("Join, renew, change the type of, cancel memberships and set their status."),
            default_roles=("staff",),
        ),
        Permission(
            ADMINISTER,
            _l("Administer memberships"),
            _l("Membership types and the status rules."),
            default_roles=(),
        ),
    ]


@hookimpl
def register_activity_types():
    return [
        (services.SIGNUP, "Membership Signup"),
        (services.RENEWAL, "Membership Renewal"),
        (services.TYPE_CHANGED, "Membership Type Change"),
        (services.CANCELLATION, "Membership Cancellation"),
    ]


def _activity_labels() -> list:
    """The labels of the activity types, listed so that the catalogue translates them."""
    return [
        _l("Membership Signup"),
        _l("Membership Renewal"),
        _l("Membership Type Change"),
        _l("Membership Cancellation"),
    ]


def _status_labels() -> list:
    """The labels of the seeded statuses (shown translated with ``|tr``)."""
    return [
        _l("New"),
        _l("Current"),
        _l("Grace"),
        _l("Expired"),
        _l("Pending"),
        _l("Cancelled"),
        _l("Deceased"),
    ]


@hookimpl
def menu_items(user):
    return [
        MenuItem(NAME, _l("Memberships"), f"{NAME}.index", "main", 40, VIEW),
        MenuItem(
            f"admin.{NAME}.types", _l("Membership types"), f"{NAME}.types", "admin", 40, ADMINISTER
        ),
        MenuItem(
            f"admin.{NAME}.statuses",
            _l("Membership status rules"),
            f"{NAME}.statuses",
            "admin",
            41,
            ADMINISTER,
        ),
        MenuItem(
            f"admin.{NAME}.reminders",
            _l("Membership renewal reminders"),
            f"{NAME}.reminders",
            "admin",
            42,
            ADMINISTER,
        ),
    ]


@hookimpl
def contact_tabs(contact, user):
    if not has_permission(user, VIEW):
        return []
    count = services.count_for_contact(session(), contact.id)
    url = url_for(f"{NAME}.contact_tab", contact_id=contact.id)
    return [ContactTab(NAME, _l("Memberships"), url, count, 30)]


@hookimpl
def contact_summary(contact, user):
    if not has_permission(user, VIEW):
        return []
    found = services.summary_for_contact(session(), contact.id)
    if found is None:
        return []
    since, label = found
    value = gettext("Member since %(year)s · %(status)s", year=since.year, status=gettext(label))
    return [SummaryBlock(gettext("Membership"), value, 30)]


@hookimpl
def dashboard_widgets(user):
    if not has_permission(user, VIEW):
        return []
    counts = services.widget_counts(session())
    return [
        Widget(
            NAME,
            _l("Members"),
            "membership/widget.html",
            {
                "counts": counts,
                "due": sum(c.due_this_month for c in counts if c.is_current_member),
            },
            weight=30,
            permission=VIEW,
        )
    ]


def _update_statuses_job(s) -> services.StatusUpdate:
    return services.update_statuses(s)


def _send_reminders_job(s) -> reminders.ReminderRun:
    return reminders.send_reminders(s)


@hookimpl
def scheduled_jobs():
    return [
        ScheduledJob(
            "membership.update_statuses",
            _l("Update membership statuses"),
            "15 0 * * *",
            _update_statuses_job,
        ),
        ScheduledJob(
            "membership.send_reminders",
            _l("Send the membership renewal reminders"),
            "0 8 * * *",  # after the statuses are updated, at a decent hour
            _send_reminders_job,
        ),
    ]


@hookimpl
def register_commands(cli):
    import click

    @cli.group(NAME)
    def group():
        """Memberships."""

    @group.command("update-statuses")
    @click.option(
        "--date",
        "day",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="Compute the statuses as on this day (YYYY-MM-DD); default today.",
    )
    def update_statuses(day):
        """Bring every membership's status up to date (New, Current, Grace, Expired...)."""
        s = session()
        result = services.update_statuses(s, day.date() if day else None)
        s.commit()
        for name, n in sorted(result.changed.items()):
            click.echo(f"{name}: {n}")
        click.echo(f"{result.total} membership(s) changed status.")
        if result.overrides_cleared:
            click.echo(f"{result.overrides_cleared} override(s) ended.")


@hookimpl
def post_save(entity, action, obj):
    """A relationship created, changed or deleted: the memberships inherited through it follow."""
    if entity != "relationship":
        return
    services.sync_for_relationship(
        session(), [obj.contact_id_a, obj.contact_id_b], obj.relationship_type_id
    )


@hookimpl
def payment_status_changed(
    entity, entity_id, contribution_id, status, amount, receive_date, session
):
    """The payment of a membership's dues changed (the payment component tells it)."""
    if entity == NAME:
        services.payment_changed(session, entity_id, status, amount, receive_date)


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
    services.erase_contact(session, contact_id)


@hookimpl
def mail_tokens():
    return dict(TOKENS)


@hookimpl
def mail_token_values(contact_ids, tokens):
    wanted = [t for t in tokens if t in TOKENS]
    if not wanted:
        return {}
    found = services.token_values(session(), contact_ids)
    out = {}
    for cid, values in found.items():
        row = {}
        for token in wanted:
            if token == "membership.renewal_url":
                mid = values.get("membership_id")
                row[token] = reminders.renewal_url(mid) if mid and values["end_date"] else ""
                continue
            value = values[token.split(".", 1)[1]]
            if token == "membership.status":
                value = gettext(value)
            elif token == "membership.end_date":
                value = format_date(value, "long") if value else ""
            row[token] = value
        out[cid] = row
    return out


# -- search --------------------------------------------------------------------------------------


def _names(value) -> list[str]:
    return [str(v) for v in (value if isinstance(value, list | tuple) else [value]) if v]


def _status_options() -> list[tuple[str, str]]:
    return [(s.name, gettext(s.label)) for s in services.list_statuses(session())]


def _type_options() -> list[tuple[str, str]]:
    return [(name, name) for _id, name in services.type_options(session())]


def _with_status(query, value):
    return query.where(Contact.id.in_(services.contacts_with(statuses=_names(value))))


def _with_type(query, value):
    return query.where(Contact.id.in_(services.contacts_with(types=_names(value))))


def _ending(query, value):
    if isinstance(value, str) and ".." in value:  # the API: "2024-01-01..2024-12-31"
        low, high = value.split("..", 1)
        value = {"from": low, "to": high}
    if not isinstance(value, dict):
        raise ValidationError(
            gettext('Give the period as {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}.'),
            field="membership_end_date",
        )
    low = services.parse_day(value.get("from"), "membership_end_date")
    high = services.parse_day(value.get("to"), "membership_end_date")
    if low is None and high is None:
        return query
    return query.where(Contact.id.in_(services.contacts_with(end_from=low, end_to=high)))


def _lapsed(query, value):
    try:
        months = int(str(value).strip())
        if months < 0:
            raise ValueError
    except ValueError:
        raise ValidationError(
            gettext("Give a number of months."), field="membership_lapsed_months"
        ) from None
    return query.where(Contact.id.in_(services.lapsed_contacts(months)))


def _months(value, field: str) -> int:
    try:
        months = int(str(value).strip())
        if months < 0:
            raise ValueError
    except ValueError:
        raise ValidationError(gettext("Give a number of months."), field=field) from None
    return months


def _unpaid(query, value):
    if str(value).strip().lower() in {"0", "false", "no", "non", ""}:
        return query
    return query.where(Contact.id.in_(services.unpaid_contacts()))


def _inactive(query, value):
    return query.where(services.inactive_condition(_months(value, "membership_inactive_months")))


@hookimpl
def search_filters():
    return [
        SearchFilter(
            "membership_status",
            _l("Membership status"),
            "multiselect",
            _with_status,
            options=_status_options,
            weight=30,
        ),
        SearchFilter(
            "membership_type",
            _l("Membership type"),
            "multiselect",
            _with_type,
            options=_type_options,
            weight=31,
        ),
        SearchFilter(
            "membership_end_date", _l("Membership end date"), "date_range", _ending, weight=32
        ),
        SearchFilter(
            "membership_lapsed_months",
            _l("Membership lapsed for more than (months)"),
            "text",
            _lapsed,
            weight=33,
        ),
        SearchFilter(
            "membership_dues_unpaid", _l("Membership dues not paid"), "boolean", _unpaid, weight=34
        ),
        SearchFilter(
            "membership_inactive_months",
            _l("No activity for (months)"),
            "text",
            _inactive,
            weight=35,
        ),
    ]


# -- reports ---------------------------------------------------------------------------------------


@hookimpl
def reports():
    return [
        Report(
            f"{NAME}_by_type_and_status",
            _l("Members by type and status"),
            membership_reports.members_by_type_and_status,
            description=_l("How many memberships of each type are in each status."),
            chart="bar",
            permission=VIEW,
            weight=40,
        ),
        Report(
            f"{NAME}_joins_and_lapses",
            _l("Joins and lapses per month"),
            membership_reports.joins_and_lapses,
            description=_l(
                "Memberships joined, and memberships that ended without renewal, in each of the "
                "last 24 months."
            ),
            chart="line",
            permission=VIEW,
            weight=41,
        ),
        Report(
            f"{NAME}_retention",
            _l("Member retention by year joined"),
            membership_reports.retention_by_cohort,
            description=_l("For each year members first joined: how many are still current."),
            chart="bar",
            permission=VIEW,
            weight=42,
        ),
    ]


# -- import ----------------------------------------------------------------------------------------


def _import_memberships(s, rows: list[dict]):
    def create(s2, row: dict):
        data = {
            "contact_id": row["contact_id"],
            "membership_type": row.get("membership_type"),
            "join_date": row.get("join_date"),
            "start_date": row.get("start_date"),
            "end_date": row.get("end_date"),
            "status": row.get("status") or None,
            "source": row.get("source") or gettext("Import"),
            "fee_amount": row.get("fee_amount"),
            "record_payment": row.get("fee_amount") not in (None, ""),
        }
        for key in ("join_date", "start_date", "end_date"):
            if isinstance(data[key], date):
                data[key] = data[key].isoformat()
        if data["fee_amount"] is not None:
            data["fee_amount"] = str(data["fee_amount"])
        return services.join(s2, data)

    return import_each(s, rows, create)


@hookimpl
def import_targets():
    return [
        ImportTarget(
            "memberships",
            _l("Memberships"),
            (
                ImportField("contact_id", _l("Member"), required=True, field_type="contact"),
                ImportField(
                    "membership_type",
                    _l("Membership type"),
                    required=True,
                    field_type="choice",
                    options=_type_options,
                ),
                ImportField("join_date", _l("Member since"), field_type="date"),
                ImportField("start_date", _l("Start date"), field_type="date"),
                ImportField("end_date", _l("End date"), field_type="date"),
                ImportField("status", _l("Status"), field_type="choice", options=_status_options),
                ImportField("source", _l("Source")),
                ImportField("fee_amount", _l("Amount paid"), field_type="decimal"),
            ),
            _import_memberships,
            permission=EDIT,
            weight=40,
        )
    ]
