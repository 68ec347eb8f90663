"""The core's reports: the questions funders' forms ask (how many contacts, where they live,
their breakdown by an option field, new contacts per month, activities per month)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..contacts.models import Address, Contact, ContactType
from ..hooktypes import Report, ReportFilter, ReportResult


def _live():
    return Contact.is_deleted.is_(False)


def contacts_by_type(session, filters) -> ReportResult:
    rows = session.execute(
        select(Contact.contact_type, func.count())
        .where(_live())
        .group_by(Contact.contact_type)
        .order_by(func.count().desc())
    ).all()
    labels = {t.value: str(_l(t.value)) for t in ContactType}
    table = [(labels.get(t, t), n) for t, n in rows]
    return ReportResult(
        [str(_l("Kind of contact")), str(_l("Contacts"))],
        table,
        [r[0] for r in table],
        {str(_l("Contacts")): [r[1] for r in table]},
    )


GEO_LEVELS = {"city": Address.city, "postal_code": Address.postal_code, "country": Address.country}


def contacts_by_place(session, filters) -> ReportResult:
    column = GEO_LEVELS[filters.get("level") or "city"]
    query = (
        select(column, func.count(func.distinct(Address.contact_id)))
        .join(Contact, Contact.id == Address.contact_id)
        .where(_live(), Address.is_primary, column.is_not(None))
        .group_by(column)
        .order_by(func.count(func.distinct(Address.contact_id)).desc(), column)
    )
    if filters.get("country"):
        query = query.where(Address.country == filters["country"].upper())
    rows = session.execute(query.limit(200)).all()
    table = [(place, n) for place, n in rows]
    top = table[:20]
    return ReportResult(
        [str(_l("Place")), str(_l("Contacts"))],
        table,
        [r[0] for r in top],
        {str(_l("Contacts")): [r[1] for r in top]},
    )


def _month_bounds(filters) -> tuple[datetime, datetime]:
    end = filters.get("date_to") or date.today()
    start = filters.get("date_from") or (end.replace(day=1) - timedelta(days=365)).replace(day=1)
    return (
        datetime(start.year, start.month, start.day, tzinfo=UTC),
        datetime(end.year, end.month, end.day, tzinfo=UTC) + timedelta(days=1),
    )


def _months(start: datetime, end: datetime) -> list[str]:
    months, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def month_of(column, dialect_name: str):
    if dialect_name == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.to_char(column, "YYYY-MM")


def new_contacts_per_month(session, filters) -> ReportResult:
    start, end = _month_bounds(filters)
    month = month_of(Contact.created_at, session.get_bind().dialect.name)
    counts = dict(
        session.execute(
            select(month, func.count())
            .where(_live(), Contact.created_at >= start, Contact.created_at < end)
            .group_by(month)
        ).all()
    )
    months = _months(start, end - timedelta(days=1))
    rows = [(m, counts.get(m, 0)) for m in months]
    return ReportResult(
        [str(_l("Month")), str(_l("New contacts"))],
        rows,
        months,
        {str(_l("New contacts")): [r[1] for r in rows]},
    )


def activities_by_type_per_month(session, filters) -> ReportResult:
    from ..activities.models import Activity, ActivityType

    start, end = _month_bounds(filters)
    month = month_of(Activity.activity_date, session.get_bind().dialect.name)
    query = (
        select(ActivityType.label, month, func.count())
        .join(ActivityType, ActivityType.id == Activity.activity_type_id)
        .where(
            Activity.is_deleted.is_(False),
            Activity.activity_date >= start,
            Activity.activity_date < end,
        )
        .group_by(ActivityType.label, month)
    )
    if filters.get("status"):
        query = query.where(Activity.status == filters["status"])
    counts: dict[str, dict[str, int]] = {}
    for label, m, n in session.execute(query):
        counts.setdefault(label, {})[m] = n
    months = _months(start, end - timedelta(days=1))
    types = sorted(counts)
    rows = [
        (m, *[counts[t].get(m, 0) for t in types], sum(counts[t].get(m, 0) for t in types))
        for m in months
    ]
    return ReportResult(
        [str(_l("Month")), *types, str(_l("Total"))],
        rows,
        months,
        {t: [counts[t].get(m, 0) for m in months] for t in types},
    )


def contacts_by_option_field(session, filters) -> ReportResult:
    from ..customfields.services import option_counts

    name = filters.get("field")
    if not name:
        return ReportResult([str(_l("Choose a field above."))], [])
    counts = option_counts(session, name)
    rows = [(label, n) for _value, label, n in counts]
    return ReportResult(
        [str(_l("Answer")), str(_l("Contacts"))],
        rows,
        [r[0] for r in rows],
        {str(_l("Contacts")): [r[1] for r in rows]},
    )


def _option_fields() -> list[tuple[str, str]]:
    from ..customfields.models import CustomField, CustomGroup
    from ..db import session

    rows = (
        session()
        .execute(
            select(CustomField.name, CustomField.label)
            .join(CustomGroup, CustomGroup.id == CustomField.custom_group_id)
            .where(
                CustomGroup.extends == "contact",
                CustomField.is_active,
                CustomField.data_type.in_(("select", "multiselect")),
            )
            .order_by(CustomField.label)
        )
        .all()
    )
    return [(name, label) for name, label in rows]


def _status_options() -> list[tuple[str, str]]:
    from ..activities.models import STATUSES

    return [(s, str(_l(s))) for s in STATUSES]


def _country_options() -> list[tuple[str, str]]:
    from ..db import session

    codes = (
        session()
        .execute(
            select(Address.country)
            .where(Address.country.is_not(None))
            .distinct()
            .order_by(Address.country)
        )
        .scalars()
    )
    return [(c, c) for c in codes]


def core_reports() -> list[Report]:
    period = (
        ReportFilter("date_from", _l("From"), "date"),
        ReportFilter("date_to", _l("To"), "date"),
    )
    return [
        Report(
            "contacts_by_type",
            _l("Contacts by kind"),
            contacts_by_type,
            _l("How many people, households and organisations."),
            chart="pie",
            weight=0,
        ),
        Report(
            "contacts_by_place",
            _l("Where contacts live"),
            contacts_by_place,
            _l("Contacts by city, postal code or country of their primary address."),
            filters=(
                ReportFilter(
                    "level",
                    _l("By"),
                    "select",
                    lambda: [
                        ("city", str(_l("City"))),
                        ("postal_code", str(_l("Postal code"))),
                        ("country", str(_l("Country"))),
                    ],
                    "city",
                ),
                ReportFilter("country", _l("Country"), "select", _country_options),
            ),
            weight=10,
        ),
        Report(
            "new_contacts_per_month",
            _l("New contacts per month"),
            new_contacts_per_month,
            _l("Contacts recorded each month."),
            filters=period,
            chart="line",
            weight=20,
        ),
        Report(
            "contacts_by_option_field",
            _l("Contacts by answer to a field"),
            contacts_by_option_field,
            _l(
                "The breakdown of contacts by a custom field with options (socio-professional "
                "category, district...)."
            ),
            filters=(ReportFilter("field", _l("Field"), "select", _option_fields),),
            chart="pie",
            weight=15,
        ),
        Report(
            "activities_by_type_per_month",
            _l("Activities by type per month"),
            activities_by_type_per_month,
            _l("What the team did, month by month."),
            filters=(*period, ReportFilter("status", _l("Status"), "select", _status_options)),
            chart="bar",
            weight=30,
        ),
    ]
