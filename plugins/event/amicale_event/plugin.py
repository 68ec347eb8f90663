"""The event component as an Amicale plugin (entry point `amicale.plugins`: event).

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
    ReportFilter,
    ScheduledJob,
    SearchFilter,
    SummaryBlock,
    ValidationError,
    Widget,
    gettext,
    has_permission,
    import_each,
    session,
)
from amicale.api_for_plugins import lazy_gettext as _l

from . import mail, services
from . import reports as event_reports
from .dates import when
from .links import cancel_url
from .models import (
    NO_SHOW,
    ROLES,
    STATUSES,
    Event,
    EventType,
    Participant,
    ParticipantLog,
)

NAME = "event"
VIEW, EDIT, ADMINISTER = "view_events", "edit_events", "administer_events"
TOKENS = {
    "event.title": _l("Event title"),
    "event.start_date": _l("Event start"),
    "participant.status": _l("Participant status"),
    "event.cancel_url": _l("Registration cancellation link"),
}


@hookimpl
def amicale_component():
    return Manifest(
        name=NAME,
        label=_l("Events"),
        version="0.1.0",
        description=_l("Events, registrations, waitlists, fees, check-in and reminders."),
        plugin_api=PLUGIN_API_VERSION,
        requires=(),
        optional=("contribute",),
    )


@hookimpl
def register_models():
    return [EventType, Event, Participant, ParticipantLog]


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
    from .api import events, participants, types

    return [types, events, participants]


@hookimpl
def register_permissions():
    return [
        Permission(
            VIEW,
            _l("See events"),
            _l("Events, their participants, badges and the participant lists."),
            default_roles=("staff", "readonly", "volunteer"),
        ),
        Permission(
            EDIT,
            _l("Register participants"),
            _l("Register, cancel, transfer participants and check them in at the door."),
            default_roles=("staff", "volunteer"),
        ),
        Permission(
            ADMINISTER,
            _l("Administer events"),
            _l("Create, change and delete events and event types."),
            default_roles=("staff",),
        ),
    ]


@hookimpl
def register_activity_types():
    return [(services.REGISTRATION_ACTIVITY, "Event Registration")]


def _activity_labels() -> list:
    return [_l("Event Registration")]


def _type_labels() -> list:
    """The seeded event types (shown translated with ``|tr``)."""
    return [
        _l("Meeting"),
        _l("Workshop"),
        _l("Conference"),
        _l("Social evening"),
        _l("Fundraiser"),
        _l("Volunteering"),
    ]


@hookimpl
def register_custom_field_entities():
    return [(services.CUSTOM_ENTITY, _l("Event participant"))]


@hookimpl
def menu_items(user):
    return [
        MenuItem(NAME, _l("Events"), f"{NAME}.index", "main", 45, VIEW),
        MenuItem(
            f"admin.{NAME}.types", _l("Event types"), f"{NAME}.types", "admin", 45, ADMINISTER
        ),
    ]


@hookimpl
def contact_tabs(contact, user):
    if not has_permission(user, VIEW):
        return []
    count = services.count_for_contact(session(), contact.id)
    url = url_for(f"{NAME}.contact_tab", contact_id=contact.id)
    return [ContactTab(NAME, _l("Events"), url, count, 35)]


@hookimpl
def contact_summary(contact, user):
    if not has_permission(user, VIEW):
        return []
    found = services.next_registration(session(), [contact.id]).get(contact.id)
    if found is None:
        return []
    p, e = found
    value = f"{e.title} · {when(e.start_date, 'short')} · {gettext(p.status)}"
    return [SummaryBlock(gettext("Event"), value, 35)]


@hookimpl
def dashboard_widgets(user):
    if not has_permission(user, VIEW):
        return []
    rows, _ = services.list_events(session(), upcoming=True, page_size=5)
    return [
        Widget(
            NAME,
            _l("Upcoming events"),
            "event/widget.html",
            {"events": rows},
            weight=35,
            permission=VIEW,
        )
    ]


def _reminders_job(s):
    return mail.send_reminders(s)


@hookimpl
def scheduled_jobs():
    return [
        ScheduledJob(
            "event.send_reminders",
            _l("Send the event reminders and the organisers' head counts"),
            "0 9 * * *",
            _reminders_job,
        )
    ]


@hookimpl
def register_commands(cli):
    import click

    @cli.group(NAME)
    def group():
        """Événements."""

    @group.command("send-reminders")
    @click.option(
        "--date",
        "day",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="Envoyer comme ce jour-là (AAAA-MM-JJ) ; par défaut aujourd'hui.",
    )
    def send_reminders(day):
        """Rappels aux participants et décomptes aux organisateurs."""
        s = session()
        run = mail.send_reminders(s, day.date() if day else None)
        s.commit()
        click.echo(f"{run.reminded} rappel(s) envoyé(s) aux participants.")
        click.echo(f"{run.summaries} décompte(s) envoyé(s) aux organisateurs.")


@hookimpl
def payment_status_changed(
    entity, entity_id, contribution_id, status, amount, receive_date, session
):
    """The payment of a participant's fee changed (the payment component tells it)."""
    if entity == "participant":
        services.payment_changed(session, entity_id, status)


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
    """Each contact's next registration (else their last one) fills the tokens."""
    wanted = [t for t in tokens if t in TOKENS]
    if not wanted:
        return {}
    out = {}
    for cid, (p, e) in services.next_registration(session(), list(contact_ids)).items():
        values = {
            "event.title": e.title,
            "event.start_date": when(e.start_date, "long"),
            "participant.status": gettext(p.status),
        }
        row = {t: values[t] for t in wanted if t in values}
        if "event.cancel_url" in wanted:
            row["event.cancel_url"] = cancel_url(p.id)
        out[cid] = row
    return out


# -- search --------------------------------------------------------------------------------------


def _ids(value) -> list[int]:
    values = value if isinstance(value, list | tuple) else [value]
    out = []
    for v in values:
        try:
            out.append(int(v))
        except (TypeError, ValueError):
            continue
    return out


def _event_options() -> list[tuple[str, str]]:
    rows, _ = services.list_events(session(), page_size=200)
    return [(str(e.id), f"{e.title} ({e.start_date:%Y-%m-%d})") for e in rows]


def _type_options() -> list[tuple[str, str]]:
    return [(str(i), n) for i, n in services.type_options(session())]


def _took_part(query, value):
    ids = _ids(value)
    if not ids:
        return query
    return query.where(Contact.id.in_(services.contacts_in_events(event_ids=ids)))


def _period(value) -> tuple[date | None, date | None]:
    if isinstance(value, str) and ".." in value:
        low, high = value.split("..", 1)
        value = {"from": low, "to": high}
    if not isinstance(value, dict):
        raise ValidationError(
            gettext('Give the period as {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}.'),
            field="event_period",
        )
    out = []
    for key in ("from", "to"):
        raw = value.get(key)
        if raw in (None, ""):
            out.append(None)
            continue
        try:
            out.append(raw if isinstance(raw, date) else date.fromisoformat(str(raw)))
        except ValueError:
            raise ValidationError(
                gettext("Give a date as YYYY-MM-DD."), field="event_period"
            ) from None
    return out[0], out[1]


def _of_type(query, value):
    ids = _ids(value)
    if not ids:
        return query
    return query.where(Contact.id.in_(services.contacts_in_events(type_ids=ids)))


def _in_period(query, value):
    low, high = _period(value)
    if low is None and high is None:
        return query
    return query.where(Contact.id.in_(services.contacts_in_events(start=low, end=high)))


def _no_show(query, value):
    if str(value).strip().lower() in {"0", "false", "no", "non", ""}:
        return query
    return query.where(Contact.id.in_(services.contacts_in_events(statuses=(NO_SHOW,))))


def _status_filter(query, value):
    names = [v for v in (value if isinstance(value, list | tuple) else [value]) if v in STATUSES]
    if not names:
        return query
    return query.where(Contact.id.in_(services.contacts_in_events(statuses=names)))


@hookimpl
def search_filters():
    return [
        SearchFilter(
            "event_took_part",
            _l("Took part in the event"),
            "multiselect",
            _took_part,
            options=_event_options,
            weight=45,
        ),
        SearchFilter(
            "event_type_attended",
            _l("Took part in events of type"),
            "multiselect",
            _of_type,
            options=_type_options,
            weight=46,
        ),
        SearchFilter(
            "event_period",
            _l("Took part in an event in the period"),
            "date_range",
            _in_period,
            weight=47,
        ),
        SearchFilter(
            "event_participant_status",
            _l("Event registration status"),
            "multiselect",
            _status_filter,
            options=lambda: [(s, gettext(s)) for s in STATUSES],
            weight=48,
        ),
        SearchFilter(
            "event_no_show", _l("Did not come to an event"), "boolean", _no_show, weight=49
        ),
    ]


# -- reports ---------------------------------------------------------------------------------------

_PERIOD = (ReportFilter("start", _l("From"), "date"), ReportFilter("end", _l("To"), "date"))


@hookimpl
def reports():
    return [
        Report(
            f"{NAME}_attendance",
            _l("Attendance by event"),
            event_reports.attendance_by_event,
            description=_l("Registered, attended and no-show participants of each event."),
            filters=_PERIOD,
            chart="bar",
            permission=VIEW,
            weight=45,
        ),
        Report(
            f"{NAME}_attendance_by_type",
            _l("Attendance by event type"),
            event_reports.attendance_by_type,
            description=_l("Events and participants of each type."),
            filters=_PERIOD,
            chart="bar",
            permission=VIEW,
            weight=46,
        ),
        Report(
            f"{NAME}_no_show_rate",
            _l("No-show rate"),
            event_reports.no_show_rate,
            description=_l("Of the people expected at each event, the share who did not come."),
            filters=_PERIOD,
            chart="line",
            permission=VIEW,
            weight=47,
        ),
    ]


# -- import ----------------------------------------------------------------------------------------


def _import_participants(s, rows: list[dict]):
    def create(s2, row: dict):
        try:
            event_id = int(str(row.get("event_id") or "").strip())
        except ValueError:
            raise ValidationError(gettext("No such event."), field="event_id") from None
        status = row.get("status") or None
        data = {
            "contact_id": row["contact_id"],
            "role": row.get("role") or "attendee",
            "status": status,
            "fee_level": row.get("fee_level") or None,
            "source": row.get("source") or gettext("Import"),
            "record_payment": str(row.get("fee_paid") or "").lower() in ("1", "true", "yes", "oui"),
        }
        return services.register(s2, event_id, data).main

    return import_each(s, rows, create)


@hookimpl
def import_targets():
    return [
        ImportTarget(
            "participants",
            _l("Event participants"),
            (
                ImportField("contact_id", _l("Participant"), required=True, field_type="contact"),
                ImportField(
                    "event_id",
                    _l("Event"),
                    required=True,
                    field_type="choice",
                    options=_event_options,
                ),
                ImportField(
                    "role",
                    _l("Role"),
                    field_type="choice",
                    options=lambda: [(r, r) for r in ROLES],
                ),
                ImportField(
                    "status",
                    _l("Status"),
                    field_type="choice",
                    options=lambda: [(s, gettext(s)) for s in STATUSES],
                ),
                ImportField("source", _l("Source")),
                ImportField("fee_paid", _l("Fee paid"), field_type="boolean"),
            ),
            _import_participants,
            permission=EDIT,
            weight=45,
        )
    ]
