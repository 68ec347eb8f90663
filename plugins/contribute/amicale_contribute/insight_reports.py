"""The reports of contributions (``reports`` hook): totals by month, by campaign, by financial
type, top donors, donor retention and the contributors to campaigns this month. Each is one or
two GROUP BY queries whatever the number of contributions; only Completed and Partially paid
money counts. ``filters["today"]`` (a date) fixes the day the defaults are computed from.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import and_, func, intersect, literal, select, union_all
from sqlalchemy.orm import Session

from amicale.api_for_plugins import Contact, ReportFilter, ReportResult, ValidationError, gettext
from amicale.api_for_plugins import lazy_gettext as _l

from .insight_queries import counted, month_start, year_bounds
from .models import Campaign, Contribution, FinancialType
from .services import (
    campaign_progress,
    counted_amount,
    currency_of,
    financial_type_label,
    financial_types,
    money,
    today_,
)
from .services import campaigns as all_campaigns

TOP = 50


def _today(filters: dict) -> date:
    return filters.get("today") or today_()


def _money_label(session: Session, label: str) -> str:
    return f"{label} ({currency_of(session)})"


def _int(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(gettext("Choose one of the options."), field=field) from None


# -- options of the filters -----------------------------------------------------------------------


def year_options() -> list[tuple[str, str]]:
    from amicale.api_for_plugins import session

    s = session()
    first, last = s.execute(
        select(func.min(Contribution.receive_date), func.max(Contribution.receive_date))
    ).one()
    this_year = today_().year
    low = first.year if first else this_year
    high = max(last.year if last else this_year, this_year)
    return [(str(y), str(y)) for y in range(high, low - 1, -1)]


def type_options() -> list[tuple[str, str]]:
    from amicale.api_for_plugins import session

    return [(str(t.id), financial_type_label(t)) for t in financial_types(session())]


def campaign_options() -> list[tuple[str, str]]:
    from amicale.api_for_plugins import session

    return [(str(c.id), c.name) for c in all_campaigns(session())]


YEAR = ReportFilter("year", _l("Year"), "select", options=year_options)
TYPE = ReportFilter("financial_type", _l("Financial type"), "select", options=type_options)
CAMPAIGN = ReportFilter("campaign", _l("Campaign"), "select", options=campaign_options)


# -- totals by month ------------------------------------------------------------------------------


def totals_by_month(session: Session, filters: dict) -> ReportResult:
    """Money and gifts of each month of a year (this year by default). Grouped by day over a
    range of ``receive_date`` (the covering index, read in order: no sort, no date function per
    row), then summed by month here: at most 366 rows come back."""
    today = _today(filters)
    year = _int(filters.get("year"), "year") or today.year
    start, end = year_bounds(year)
    query = (
        select(Contribution.receive_date, func.sum(counted_amount()), func.count())
        .where(Contribution.receive_date >= start, Contribution.receive_date < end, counted())
        .group_by(Contribution.receive_date)
    )
    type_id = _int(filters.get("financial_type"), "financial_type")
    if type_id:
        # "+ 0": not the financial type's own index (half the table for the main type, a
        # lookup per row) but the date range of the covering index, filtered as it is read.
        query = query.where(Contribution.financial_type_id + 0 == type_id)
    campaign_id = _int(filters.get("campaign"), "campaign")
    if campaign_id:
        query = query.where(Contribution.campaign_id == campaign_id)
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    amounts = {m: Decimal("0.00") for m in months}
    gifts = dict.fromkeys(months, 0)
    for day, amount, n in session.execute(query):
        key = str(day)[:7]
        amounts[key] += Decimal(str(amount or 0))
        gifts[key] += n
    amount_label = _money_label(session, gettext("Amount"))
    rows = [
        (
            m,
            gifts[m],
            money(amounts[m]),
            money(amounts[m] / gifts[m]) if gifts[m] else Decimal("0.00"),
        )
        for m in months
    ]
    rows.append(
        (
            gettext("Total"),
            sum(gifts.values()),
            money(sum(amounts.values())),
            money(sum(amounts.values()) / sum(gifts.values()))
            if sum(gifts.values())
            else Decimal("0.00"),
        )
    )
    return ReportResult(
        [
            gettext("Month"),
            gettext("Gifts"),
            amount_label,
            _money_label(session, gettext("Average gift")),
        ],
        rows,
        months,
        {amount_label: [float(amounts[m]) for m in months]},
    )


# -- by campaign ----------------------------------------------------------------------------------


def by_campaign(session: Session, filters: dict) -> ReportResult:
    """Every campaign: money raised, donors, gifts, goal and the share of it reached."""
    names = {c.id: c for c in all_campaigns(session)}
    progress = campaign_progress(session)
    raised_label = _money_label(session, gettext("Raised"))
    rows, labels, raised = [], [], []
    for cid, p in sorted(progress.items(), key=lambda kv: -kv[1].raised):
        campaign = names[cid]
        rows.append(
            (
                campaign.name,
                p.raised,
                p.donors,
                p.gifts,
                money(p.goal) if p.goal is not None else None,
                p.percent,
            )
        )
        labels.append(campaign.name)
        raised.append(float(p.raised))
    return ReportResult(
        [
            gettext("Campaign"),
            raised_label,
            gettext("Donors"),
            gettext("Gifts"),
            _money_label(session, gettext("Goal")),
            gettext("Goal reached (%)"),
        ],
        rows,
        labels,
        {raised_label: raised},
    )


# -- by financial type ----------------------------------------------------------------------------


def by_financial_type(session: Session, filters: dict) -> ReportResult:
    """Money, gifts and donors of each financial type in a year (this year by default)."""
    year = _int(filters.get("year"), "year") or _today(filters).year
    start, end = year_bounds(year)
    found = session.execute(
        select(
            Contribution.financial_type_id,
            func.sum(counted_amount()),
            func.count(),
            func.count(func.distinct(Contribution.contact_id)),
        )
        .where(Contribution.receive_date >= start, Contribution.receive_date < end, counted())
        .group_by(Contribution.financial_type_id)
    ).all()
    types = {t.id: financial_type_label(t) for t in session.scalars(select(FinancialType))}
    amount_label = _money_label(session, gettext("Amount"))
    rows = sorted(
        ((types.get(tid, str(tid)), money(amount), n, donors) for tid, amount, n, donors in found),
        key=lambda r: -r[1],
    )
    return ReportResult(
        [gettext("Financial type"), amount_label, gettext("Gifts"), gettext("Donors")],
        rows,
        [r[0] for r in rows],
        {amount_label: [float(r[1]) for r in rows]},
    )


# -- top donors -----------------------------------------------------------------------------------


def top_donors(session: Session, filters: dict) -> ReportResult:
    """The 50 contacts who gave the most between two days (this year by default)."""
    today = _today(filters)
    since = filters.get("since") or date(today.year, 1, 1)
    until = filters.get("until") or date(today.year, 12, 31)
    total = func.sum(counted_amount()).label("total")
    ranked = (
        select(
            Contribution.contact_id,
            total,
            func.count().label("gifts"),
            func.max(Contribution.receive_date).label("last"),
        )
        .where(Contribution.receive_date >= since, Contribution.receive_date <= until, counted())
        .group_by(Contribution.contact_id)
        .order_by(total.desc(), Contribution.contact_id)
        .limit(TOP)
        .subquery()
    )
    found = session.execute(
        select(
            Contact.display_name,
            ranked.c.total,
            ranked.c.gifts,
            ranked.c.last,
            Contact.id,
        )
        .join(ranked, ranked.c.contact_id == Contact.id)
        .order_by(ranked.c.total.desc(), Contact.id)
    ).all()
    amount_label = _money_label(session, gettext("Amount"))
    rows = [
        (name or f"#{cid}", money(amount), gifts, last, cid)
        for name, amount, gifts, last, cid in found
    ]
    return ReportResult(
        [
            gettext("Donor"),
            amount_label,
            gettext("Gifts"),
            gettext("Last gift"),
            gettext("Contact number"),
        ],
        rows,
        [r[0] for r in rows[:10]],
        {amount_label: [float(r[1]) for r in rows[:10]]},
    )


# -- donor retention ------------------------------------------------------------------------------


def retention(session: Session, filters: dict) -> ReportResult:
    """For each year: its donors, how many of them gave again the next year, and the share.

    One statement of one part per year, each two ranges of ``receive_date`` (the date index)
    and an INTERSECT of their donors: no date function on every row, no join of a million
    grouped rows with themselves."""
    first, last = session.execute(
        select(func.min(Contribution.receive_date), func.max(Contribution.receive_date))
    ).one()
    if first is None:
        return ReportResult(
            [gettext("Year"), gettext("Donors"), gettext("Gave again the next year")], []
        )
    first, last = _as_date(first), _as_date(last)

    def donors_in(year: int):
        start, end = year_bounds(year)
        return select(Contribution.contact_id).where(
            Contribution.receive_date >= start, Contribution.receive_date < end, counted()
        )

    parts = []
    for y in range(first.year, last.year + 1):
        donors = select(func.count()).select_from(donors_in(y).distinct().subquery())
        again = select(func.count()).select_from(
            intersect(donors_in(y), donors_in(y + 1)).subquery()
        )
        parts.append(
            select(
                literal(y).label("year"),
                donors.scalar_subquery().label("donors"),
                again.scalar_subquery().label("again"),
            )
        )
    found = session.execute(union_all(*parts) if len(parts) > 1 else parts[0]).all()
    this_year = _today(filters).year
    rows, labels, shares = [], [], []
    for y, donors, again in sorted(found):
        y = int(y)
        if y >= this_year:  # the next year has not happened yet
            rows.append((y, donors, None, None))
            continue
        share = round(100 * again / donors, 1) if donors else 0.0
        rows.append((y, donors, again, share))
        labels.append(str(y))
        shares.append(share)
    share_label = gettext("Gave again the next year (%)")
    return ReportResult(
        [gettext("Year"), gettext("Donors"), gettext("Gave again the next year"), share_label],
        rows,
        labels,
        {share_label: shares},
    )


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


# -- contributors to campaigns this month ---------------------------------------------------------


def parse_month(value, today: date) -> date:
    if value in (None, ""):
        return month_start(today)
    if isinstance(value, date):
        return value.replace(day=1)
    try:
        year, month = str(value).strip().split("-")[:2]
        return date(int(year), int(month), 1)
    except ValueError:
        raise ValidationError(gettext("Give the month as YYYY-MM."), field="month") from None


def campaign_contributors(session: Session, filters: dict) -> ReportResult:
    """How many people contributed to each campaign in a month (this month by default), their
    gifts and the money; the active campaigns appear even when nobody gave yet."""
    start = parse_month(filters.get("month"), _today(filters))
    end = month_start(start, 1)
    campaign_id = _int(filters.get("campaign"), "campaign")
    donors = func.count(func.distinct(Contribution.contact_id))
    query = (
        select(
            Campaign.name,
            donors,
            func.count(Contribution.id),
            func.coalesce(func.sum(counted_amount()), 0),
        )
        .select_from(Campaign)
        .outerjoin(
            Contribution,
            and_(
                Contribution.campaign_id == Campaign.id,
                Contribution.receive_date >= start,
                Contribution.receive_date < end,
                counted(),
            ),
        )
        .group_by(Campaign.id, Campaign.name, Campaign.is_active)
        .having((Campaign.is_active.is_(True)) | (func.count(Contribution.id) > 0))
        .order_by(donors.desc(), Campaign.name)
    )
    if campaign_id:
        query = query.where(Campaign.id == campaign_id)
    found = session.execute(query).all()
    amount_label = _money_label(session, gettext("Amount"))
    donors_label = gettext("Contributors")
    rows = [(name, people, gifts, money(amount)) for name, people, gifts, amount in found]
    return ReportResult(
        [gettext("Campaign"), donors_label, gettext("Gifts"), amount_label],
        rows,
        [r[0] for r in rows],
        {donors_label: [r[1] for r in rows]},
    )


MONTH_FILTER = ReportFilter("month", _l("Month (YYYY-MM)"), "text")
SINCE = ReportFilter("since", _l("From"), "date")
UNTIL = ReportFilter("until", _l("To"), "date")
