"""The reports of Membership (``reports`` hook): members by type and status, joins and lapses per
month, retention by cohort. Each is one or two GROUP BY queries, whatever the number of members.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, extract, func, select
from sqlalchemy.orm import Session

from amicale.api_for_plugins import ReportResult, gettext, utcnow

from .models import Membership, MembershipStatus, MembershipType
from .services import MONTH, add_units

MONTHS = 24


def _month_of(column, session: Session):
    """``YYYY-MM`` of a date column, on SQLite and PostgreSQL."""
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.to_char(column, "YYYY-MM")


def months_back(today: date, n: int = MONTHS) -> list[str]:
    """The ``n`` months up to ``today``'s, oldest first, as ``YYYY-MM``."""
    first = today.replace(day=1)
    return [add_units(first, MONTH, -i).strftime("%Y-%m") for i in range(n - 1, -1, -1)]


def members_by_type_and_status(session: Session, filters: dict) -> ReportResult:
    """Memberships per type (rows, labels) and status (columns, series)."""
    rows = session.execute(
        select(MembershipType.name, MembershipStatus.label, MembershipStatus.weight, func.count())
        .select_from(Membership)
        .join(MembershipType, MembershipType.id == Membership.membership_type_id)
        .join(MembershipStatus, MembershipStatus.id == Membership.status_id)
        .group_by(MembershipType.name, MembershipStatus.label, MembershipStatus.weight)
    ).all()
    counts: dict[str, dict[str, int]] = {}
    order: dict[str, int] = {}
    for type_name, label, weight, n in rows:
        counts.setdefault(type_name, {})[label] = n
        order[label] = weight
    statuses = sorted(order, key=lambda label: order[label])
    types = sorted(counts)
    labels = [gettext(s) for s in statuses]
    table = [(t, *[counts[t].get(s, 0) for s in statuses], sum(counts[t].values())) for t in types]
    return ReportResult(
        [gettext("Membership type"), *labels, gettext("Total")],
        table,
        types,
        {
            label: [counts[t].get(s, 0) for t in types]
            for s, label in zip(statuses, labels, strict=True)
        },
    )


def joins_and_lapses(session: Session, filters: dict) -> ReportResult:
    """Per month over the last 24 months: memberships joined, and memberships whose period
    ended that month and that are no longer those of a current member (lapsed)."""
    today = filters.get("today") or utcnow().date()
    months = months_back(today)
    start = date.fromisoformat(months[0] + "-01")
    joined_month = _month_of(Membership.join_date, session)
    joins = dict(
        session.execute(
            select(joined_month, func.count())
            .where(Membership.join_date >= start, Membership.join_date <= today)
            .group_by(joined_month)
        ).all()
    )
    ended_month = _month_of(Membership.end_date, session)
    lapses = dict(
        session.execute(
            select(ended_month, func.count())
            .select_from(Membership)
            .join(MembershipStatus, MembershipStatus.id == Membership.status_id)
            .where(
                Membership.end_date >= start,
                Membership.end_date < today,
                MembershipStatus.is_current_member.is_(False),
            )
            .group_by(ended_month)
        ).all()
    )
    joined_label, lapsed_label = gettext("Joined"), gettext("Lapsed")
    return ReportResult(
        [gettext("Month"), joined_label, lapsed_label],
        [(m, joins.get(m, 0), lapses.get(m, 0)) for m in months],
        months,
        {
            joined_label: [joins.get(m, 0) for m in months],
            lapsed_label: [lapses.get(m, 0) for m in months],
        },
    )


def retention_by_cohort(session: Session, filters: dict) -> ReportResult:
    """Members by the year they first joined, and the share of them still current members."""
    per_contact = (
        select(
            Membership.contact_id,
            func.min(Membership.join_date).label("first_join"),
            func.max(case((MembershipStatus.is_current_member, 1), else_=0)).label("current"),
        )
        .select_from(Membership)
        .join(MembershipStatus, MembershipStatus.id == Membership.status_id)
        .group_by(Membership.contact_id)
        .subquery()
    )
    year = extract("year", per_contact.c.first_join)
    rows = session.execute(
        select(year, func.count(), func.sum(per_contact.c.current)).group_by(year).order_by(year)
    ).all()
    table, labels, shares = [], [], []
    for cohort, members, current in rows:
        current = int(current or 0)
        share = round(100 * current / members, 1) if members else 0.0
        table.append((int(cohort), members, current, share))
        labels.append(str(int(cohort)))
        shares.append(share)
    return ReportResult(
        [
            gettext("Year joined"),
            gettext("Members"),
            gettext("Still current"),
            gettext("Share still current (%)"),
        ],
        table,
        labels,
        {gettext("Share still current (%)"): shares},
    )
