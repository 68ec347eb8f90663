"""The queries behind the search filters, the mail tokens, the contact summary and the dashboard
widget of contributions. Every one is set-based: a subquery of contact ids, or one GROUP BY for a
whole batch of contacts; only Completed and Partially paid money counts (``COUNTED``, through
``counted_amount()``). Functions that depend on the day take ``today``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Date, and_, bindparam, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from amicale.api_for_plugins import Contact

from .models import COUNTED, MONTH, Campaign, Contribution
from .services import counted_amount, money, step, today_

# The period of the "total given" filter: bound parameters, so that the period filter can set
# them whichever of the two criteria is applied first (``Select.params``).
TOTAL_FROM, TOTAL_TO = "contribute_total_from", "contribute_total_to"
CHUNK = 5000


def counted():
    return Contribution.status.in_(COUNTED)


def month_start(day: date, months: int = 0) -> date:
    """The first day of ``day``'s month, ``months`` months later (earlier when negative)."""
    return step(day.replace(day=1), MONTH, 1, months)


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year + 1, 1, 1)


# -- search filters: each returns a select of contact ids ----------------------------------------


def total_between(low: Decimal | None, high: Decimal | None, since=None, until=None):
    """Contacts whose counted gifts between ``since`` and ``until`` (both included, None: open;
    bound parameters the period filter may set later) add up to between ``low`` and ``high``."""
    since_p = bindparam(TOTAL_FROM, since, type_=Date)
    until_p = bindparam(TOTAL_TO, until, type_=Date)
    total = func.sum(counted_amount())
    having = []
    if low is not None:
        having.append(total >= low)
    if high is not None:
        having.append(total <= high)
    return (
        select(Contribution.contact_id)
        .where(
            counted(),
            or_(since_p.is_(None), Contribution.receive_date >= since_p),
            or_(until_p.is_(None), Contribution.receive_date <= until_p),
        )
        .group_by(Contribution.contact_id)
        .having(and_(*having) if having else total > 0)
    )


def gave_between(since: date | None, until: date | None):
    """Contacts with a counted gift between two days (included)."""
    query = select(Contribution.contact_id).where(counted())
    if since is not None:
        query = query.where(Contribution.receive_date >= since)
    if until is not None:
        query = query.where(Contribution.receive_date <= until)
    return query


def first_or_last_between(which: str, since: date | None, until: date | None):
    """Contacts whose first (``which="first"``) or last counted gift is between two days."""
    day = (func.min if which == "first" else func.max)(Contribution.receive_date)
    having = []
    if since is not None:
        having.append(day >= since)
    if until is not None:
        having.append(day <= until)
    return (
        select(Contribution.contact_id)
        .where(counted())
        .group_by(Contribution.contact_id)
        .having(and_(*having))
    )


def gave_to_campaigns(campaign_ids: list[int]):
    return select(Contribution.contact_id).where(
        counted(), Contribution.campaign_id.in_(campaign_ids)
    )


def gave_with_types(type_ids: list[int]):
    return select(Contribution.contact_id).where(
        counted(), Contribution.financial_type_id.in_(type_ids)
    )


def _in_year(year: int) -> list:
    start, end = year_bounds(year)
    return [counted(), Contribution.receive_date >= start, Contribution.receive_date < end]


def gave_in_year(year: int):
    return select(Contribution.contact_id).where(*_in_year(year))


def gave_but_not(gave, *without):
    """A condition on ``Contact.id``: in ``gave`` (a select of contact ids) and without any
    contribution matching ``without``. NOT EXISTS, not NOT IN: PostgreSQL runs a NOT IN of a
    large subquery as a loop over it for every contact (minutes at a million rows); NOT EXISTS
    is an anti-join on both databases."""
    other = select(Contribution.id).where(Contribution.contact_id == Contact.id, *without)
    return and_(Contact.id.in_(gave), ~other.exists())


def lybunt(year: int):
    """LYBUNT of ``year``: gave in ``year - 1`` but nothing in ``year`` (a condition)."""
    return gave_but_not(gave_in_year(year - 1), *_in_year(year))


def sybunt(year: int):
    """SYBUNT of ``year``: gave some year before ``year`` but nothing in ``year``."""
    before = select(Contribution.contact_id).where(
        counted(), Contribution.receive_date < date(year, 1, 1)
    )
    return gave_but_not(before, *_in_year(year))


def gave_within_months(months: int, today: date | None = None):
    """Contacts with a counted gift in the last ``months`` months (from the same day)."""
    since = step(today or today_(), MONTH, 1, -months)
    return select(Contribution.contact_id).where(counted(), Contribution.receive_date > since)


def lapsed_for_months(months: int, today: date | None = None):
    """Past donors with no counted gift in the last ``months`` months (a condition)."""
    since = step(today or today_(), MONTH, 1, -months)
    before = select(Contribution.contact_id).where(counted(), Contribution.receive_date <= since)
    return gave_but_not(before, counted(), Contribution.receive_date > since)


# -- mail tokens and the contact summary ---------------------------------------------------------


@dataclass
class GivingFacts:
    count: int = 0
    total: Decimal = Decimal("0.00")
    this_year: Decimal = Decimal("0.00")
    last_year: Decimal = Decimal("0.00")
    last_date: date | None = None
    last_amount: Decimal | None = None


def giving_facts(
    session: Session, contact_ids: list[int], *, today: date | None = None, last_amount=True
) -> dict[int, GivingFacts]:
    """What each contact gave: one GROUP BY (and one window query for the last gift's amount)
    per chunk of contacts, whatever their number. Contacts without gifts get zeros."""
    today = today or today_()
    this_start, next_start = year_bounds(today.year)
    last_start = date(today.year - 1, 1, 1)
    amount = counted_amount()
    out = {cid: GivingFacts() for cid in contact_ids}
    ids = list(out)
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        rows = session.execute(
            select(
                Contribution.contact_id,
                func.count(Contribution.id),
                func.coalesce(func.sum(amount), 0),
                func.coalesce(
                    func.sum(
                        case(
                            (
                                and_(
                                    Contribution.receive_date >= this_start,
                                    Contribution.receive_date < next_start,
                                ),
                                amount,
                            ),
                            else_=0,
                        )
                    ),
                    0,
                ),
                func.coalesce(
                    func.sum(
                        case(
                            (
                                and_(
                                    Contribution.receive_date >= last_start,
                                    Contribution.receive_date < this_start,
                                ),
                                amount,
                            ),
                            else_=0,
                        )
                    ),
                    0,
                ),
                func.max(Contribution.receive_date),
            )
            .where(Contribution.contact_id.in_(chunk), counted())
            .group_by(Contribution.contact_id)
        )
        for cid, count, total, this_year, last_year, last in rows:
            f = out[cid]
            f.count, f.total, f.this_year, f.last_year = (
                count,
                money(total),
                money(this_year),
                money(last_year),
            )
            f.last_date = last if isinstance(last, date) else date.fromisoformat(str(last))
        if not last_amount:
            continue
        ranked = (
            select(
                Contribution.contact_id,
                amount.label("amount"),
                func.row_number()
                .over(
                    partition_by=Contribution.contact_id,
                    order_by=(Contribution.receive_date.desc(), Contribution.id.desc()),
                )
                .label("n"),
            )
            .where(Contribution.contact_id.in_(chunk), counted())
            .subquery()
        )
        for cid, value in session.execute(
            select(ranked.c.contact_id, ranked.c.amount).where(ranked.c.n == 1)
        ):
            out[cid].last_amount = money(value)
    return out


# -- the dashboard widget ------------------------------------------------------------------------


@dataclass
class MonthFigures:
    amount: Decimal
    gifts: int
    donors: int


@dataclass
class CampaignLine:
    id: int
    name: str
    goal: Decimal | None
    raised: Decimal
    donors_this_month: int
    gifts_this_month: int
    raised_this_month: Decimal

    @property
    def percent(self) -> int | None:
        if not self.goal:
            return None
        return int(self.raised * 100 / self.goal)

    @property
    def bar(self) -> int:
        return min(self.percent or 0, 100)


def change(now, before) -> int | None:
    """The change from ``before`` to ``now`` in percent (None when there was nothing)."""
    if not before:
        return None
    return round((Decimal(now) - Decimal(before)) * 100 / Decimal(before))


def month_figures(session: Session, today: date | None = None) -> dict[str, MonthFigures]:
    """This month's and last month's money, gifts and donors: one statement of two aggregates,
    each over a range of ``receive_date`` (the date index; no GROUP BY to sort)."""
    today = today or today_()
    bounds = {
        "this": (month_start(today), month_start(today, 1)),
        "last": (month_start(today, -1), month_start(today)),
    }
    parts = [
        select(
            literal(key).label("month"),
            func.coalesce(func.sum(counted_amount()), 0),
            func.count(),
            func.count(func.distinct(Contribution.contact_id)),
        ).where(Contribution.receive_date >= low, Contribution.receive_date < high, counted())
        for key, (low, high) in bounds.items()
    ]
    out = {}
    for key, amount, gifts, donors in session.execute(union_all(*parts)):
        out[key] = MonthFigures(money(amount), gifts, donors)
    return out


def active_campaigns(session: Session, today: date | None = None, limit: int = 5):
    """The active campaigns running today (not ended, started), with money raised in all (goal
    bar) and this month's donors, gifts and money: two GROUP BYs on the campaign index."""
    today = today or today_()
    this_start, next_start = month_start(today), month_start(today, 1)
    found = session.execute(
        select(Campaign.id, Campaign.name, Campaign.goal_amount)
        .where(
            Campaign.is_active.is_(True),
            or_(Campaign.start_date.is_(None), Campaign.start_date <= today),
            or_(Campaign.end_date.is_(None), Campaign.end_date >= this_start),
        )
        .order_by(Campaign.end_date.is_(None), Campaign.end_date, Campaign.name)
        .limit(limit)
    ).all()
    if not found:
        return []
    ids = [cid for cid, _name, _goal in found]
    raised = dict(
        session.execute(
            select(Contribution.campaign_id, func.coalesce(func.sum(counted_amount()), 0))
            .where(Contribution.campaign_id.in_(ids), counted())
            .group_by(Contribution.campaign_id)
        ).all()
    )
    month = {
        cid: (donors, gifts, amount)
        for cid, donors, gifts, amount in session.execute(
            select(
                Contribution.campaign_id,
                func.count(func.distinct(Contribution.contact_id)),
                func.count(),
                func.coalesce(func.sum(counted_amount()), 0),
            )
            .where(
                Contribution.campaign_id.in_(ids),
                Contribution.receive_date >= this_start,
                Contribution.receive_date < next_start,
                counted(),
            )
            .group_by(Contribution.campaign_id)
        )
    }
    return [
        CampaignLine(
            cid,
            name,
            goal,
            money(raised.get(cid, 0)),
            month.get(cid, (0, 0, 0))[0],
            month.get(cid, (0, 0, 0))[1],
            money(month.get(cid, (0, 0, 0))[2]),
        )
        for cid, name, goal in found
    ]
