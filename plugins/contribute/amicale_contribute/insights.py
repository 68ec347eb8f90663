"""Search filters, mail tokens, the dashboard widget and the reports of contributions.

The queries are in ``insight_queries`` (filters, tokens, widget) and ``insight_reports``; this
module translates between the hooks and them.

Search criteria (advanced search, smart groups, the API):

- ``contribution_total``: the total given, ``{"from": min, "to": max}`` (either may be left
  out), over the period of ``contribution_total_period`` when that criterion is given too,
  whichever comes first (else over all time); the API may also pass ``"date_from"`` and
  ``"date_to"`` in the same dict;
- ``contribution_total_period``: alone, "gave between these days";
- ``contribution_first_date``, ``contribution_last_date``: first or last gift between two days;
- ``contribution_campaign``, ``contribution_financial_type``: gave to one of these campaigns,
  gave with one of these financial types (ids);
- ``contribution_lybunt``, ``contribution_sybunt``: yes (this year) or a year (``"2026"``);
- ``contribution_within_months``, ``contribution_lapsed_months``: a number of months.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from amicale.api_for_plugins import (
    Contact,
    Report,
    SearchFilter,
    SummaryBlock,
    ValidationError,
    Widget,
    format_date,
    format_money,
    gettext,
    has_permission,
    ngettext,
    session,
)
from amicale.api_for_plugins import lazy_gettext as _l

from . import insight_queries as q
from . import insight_reports as r
from .perms import VIEW
from .services import contact_totals, today_

NAME = "contribute"


def blueprints():
    """A blueprint without pages: it makes this area's templates (the widget) found."""
    from flask import Blueprint

    return [Blueprint("contribute_insights", __name__, template_folder="templates")]


# -- search filters -------------------------------------------------------------------------------


def _range(value, field: str) -> tuple:
    """``{"from": a, "to": b}`` or ``"a..b"`` -> (a, b), each None when blank."""
    if isinstance(value, str) and ".." in value:
        low, high = value.split("..", 1)
        value = {"from": low, "to": high}
    if not isinstance(value, dict):
        raise ValidationError(gettext("Give a range: from and to."), field=field)
    return value.get("from"), value.get("to")


def _day(value, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(gettext("Give a date as YYYY-MM-DD."), field=field) from None


def _amount(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError(gettext("Give an amount."), field=field) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError(gettext("Give an amount."), field=field)
    return amount


def _months(value, field: str) -> int:
    try:
        months = int(str(value).strip())
        if months < 0:
            raise ValueError
    except ValueError:
        raise ValidationError(gettext("Give a number of months."), field=field) from None
    return months


def _ids(value, field: str) -> list[int]:
    values = value if isinstance(value, list | tuple) else [value]
    try:
        return [int(v) for v in values if v not in (None, "")]
    except (TypeError, ValueError):
        raise ValidationError(gettext("Choose one of the options."), field=field) from None


def _year_of(value, field: str) -> int | None:
    """Yes (``1``, ``true``) -> this year; a year (``2026``) -> that year; no -> None."""
    text = str(value).strip().lower()
    if text in {"0", "false", "no", "non", ""}:
        return None
    if text in {"1", "true", "yes", "oui", "on"}:
        return today_().year
    if text.isdigit() and 1900 <= int(text) <= 9999:
        return int(text)
    raise ValidationError(gettext("Give yes, no or a year."), field=field)


def _total(query, value):
    field = "contribution_total"
    low, high = _range(value, field)
    low, high = _amount(low, field), _amount(high, field)
    since = until = None
    if isinstance(value, dict):
        since, until = _day(value.get("date_from"), field), _day(value.get("date_to"), field)
    period = query.get_execution_options().get(q.TOTAL_FROM)
    if period is not None:  # the period criterion came first
        since, until = since or period[0], until or period[1]
    return query.where(Contact.id.in_(q.total_between(low, high, since, until)))


def _total_period(query, value):
    field = "contribution_total_period"
    low, high = _range(value, field)
    since, until = _day(low, field), _day(high, field)
    if since is None and until is None:
        return query
    query = query.where(Contact.id.in_(q.gave_between(since, until)))
    # The total criterion applied before this one: its period takes these days.
    params = {}
    if since is not None:
        params[q.TOTAL_FROM] = since
    if until is not None:
        params[q.TOTAL_TO] = until
    return query.params(**params).execution_options(**{q.TOTAL_FROM: (since, until)})


def _first_or_last(which: str):
    field = f"contribution_{which}_date"

    def apply(query, value):
        low, high = _range(value, field)
        since, until = _day(low, field), _day(high, field)
        if since is None and until is None:
            return query
        return query.where(Contact.id.in_(q.first_or_last_between(which, since, until)))

    return apply


def _campaign(query, value):
    ids = _ids(value, "contribution_campaign")
    return query.where(Contact.id.in_(q.gave_to_campaigns(ids))) if ids else query


def _financial_type(query, value):
    ids = _ids(value, "contribution_financial_type")
    return query.where(Contact.id.in_(q.gave_with_types(ids))) if ids else query


def _gave_not(make, field: str):
    def apply(query, value):
        year = _year_of(value, field)
        if year is None:
            return query
        return query.where(make(year))

    return apply


def _within(query, value):
    months = _months(value, "contribution_within_months")
    return query.where(Contact.id.in_(q.gave_within_months(months)))


def _lapsed(query, value):
    return query.where(q.lapsed_for_months(_months(value, "contribution_lapsed_months")))


def search_filters():
    return [
        SearchFilter(
            "contribution_total_period",
            _l("Gave between (dates; the period of the total given)"),
            "date_range",
            _total_period,
            weight=50,
        ),
        SearchFilter(
            "contribution_total",
            _l("Total given (amount)"),
            "number_range",
            _total,
            weight=51,
        ),
        SearchFilter(
            "contribution_first_date",
            _l("First gift between"),
            "date_range",
            _first_or_last("first"),
            weight=52,
        ),
        SearchFilter(
            "contribution_last_date",
            _l("Last gift between"),
            "date_range",
            _first_or_last("last"),
            weight=53,
        ),
        SearchFilter(
            "contribution_campaign",
            _l("Gave to the campaign"),
            "multiselect",
            _campaign,
            options=r.campaign_options,
            weight=54,
        ),
        SearchFilter(
            "contribution_financial_type",
            _l("Gave with the financial type"),
            "multiselect",
            _financial_type,
            options=r.type_options,
            weight=55,
        ),
        SearchFilter(
            "contribution_lybunt",
            _l("Gave last year but not this year (LYBUNT)"),
            "boolean",
            _gave_not(q.lybunt, "contribution_lybunt"),
            weight=56,
        ),
        SearchFilter(
            "contribution_sybunt",
            _l("Gave some year before but not this year (SYBUNT)"),
            "boolean",
            _gave_not(q.sybunt, "contribution_sybunt"),
            weight=57,
        ),
        SearchFilter(
            "contribution_within_months",
            _l("Gave in the last (months)"),
            "text",
            _within,
            weight=58,
        ),
        SearchFilter(
            "contribution_lapsed_months",
            _l("Past donor with no gift for (months)"),
            "text",
            _lapsed,
            weight=59,
        ),
    ]


# -- mail tokens ----------------------------------------------------------------------------------

TOKENS = {
    "contribution.last_amount": _l("Amount of the last contribution"),
    "contribution.last_date": _l("Date of the last contribution"),
    "contribution.total_this_year": _l("Contributions this year"),
    "contribution.total_last_year": _l("Contributions last year"),
    "contribution.total_lifetime": _l("Contributions in all"),
    "contribution.count": _l("Number of contributions"),
}


def mail_tokens():
    return dict(TOKENS)


def token_values(s, contact_ids, tokens, *, today: date | None = None) -> dict:
    """``{contact_id: {token: text}}`` for a batch of contacts: two queries per 5,000."""
    wanted = [t for t in tokens if t in TOKENS]
    if not wanted or not contact_ids:
        return {}
    facts = q.giving_facts(
        s, list(contact_ids), today=today, last_amount="contribution.last_amount" in wanted
    )
    out = {}
    for cid, f in facts.items():
        values = {
            "contribution.last_amount": format_money(f.last_amount) if f.last_amount else "",
            "contribution.last_date": format_date(f.last_date, "long") if f.last_date else "",
            "contribution.total_this_year": format_money(f.this_year),
            "contribution.total_last_year": format_money(f.last_year),
            "contribution.total_lifetime": format_money(f.total),
            "contribution.count": str(f.count),
        }
        out[cid] = {t: values[t] for t in wanted}
    return out


def mail_token_values(contact_ids, tokens):
    return token_values(session(), contact_ids, tokens)


# -- the contact's summary ------------------------------------------------------------------------


def summary_text(s, contact_id: int, *, today: date | None = None) -> str | None:
    totals = contact_totals(s, contact_id, today=today)
    if not totals.count:
        return None
    return ngettext(
        "Gave %(total)s in %(num)d gift, last on %(date)s",
        "Gave %(total)s in %(num)d gifts, last on %(date)s",
        totals.count,
        total=format_money(totals.total),
        date=format_date(totals.last, "long"),
    )


def contact_summary(contact, user):
    if not has_permission(user, VIEW):
        return []
    text = summary_text(session(), contact.id)
    return [SummaryBlock(gettext("Contributions"), text, 40)] if text else []


# -- the dashboard widget -------------------------------------------------------------------------


def widget_context(s, today: date | None = None) -> dict:
    """This month against last month, and the active campaigns with this month's donors."""
    today = today or today_()
    months = q.month_figures(s, today)
    this, last = months["this"], months["last"]
    return {
        "this": this,
        "last": last,
        "changes": {
            "amount": q.change(this.amount, last.amount),
            "gifts": q.change(this.gifts, last.gifts),
            "donors": q.change(this.donors, last.donors),
        },
        "month": q.month_start(today),
        "campaigns": q.active_campaigns(s, today),
    }


def dashboard_widgets(user):
    if not has_permission(user, VIEW):
        return []
    return [
        Widget(
            f"{NAME}_insights",
            _l("Contributions this month"),
            "contribute/insights/widget.html",
            widget_context(session()),
            weight=35,
            permission=VIEW,
        )
    ]


# -- reports --------------------------------------------------------------------------------------


def reports():
    return [
        Report(
            f"{NAME}_totals_by_month",
            _l("Contributions by month"),
            r.totals_by_month,
            description=_l("Money and gifts received each month of a year."),
            filters=(r.YEAR, r.TYPE, r.CAMPAIGN),
            chart="bar",
            permission=VIEW,
            weight=50,
        ),
        Report(
            f"{NAME}_by_campaign",
            _l("Contributions by campaign"),
            r.by_campaign,
            description=_l("Money raised, donors and the share of the goal of each campaign."),
            chart="bar",
            permission=VIEW,
            weight=51,
        ),
        Report(
            f"{NAME}_by_financial_type",
            _l("Contributions by financial type"),
            r.by_financial_type,
            description=_l("Money, gifts and donors of each financial type in a year."),
            filters=(r.YEAR,),
            chart="pie",
            permission=VIEW,
            weight=52,
        ),
        Report(
            f"{NAME}_top_donors",
            _l("Top donors"),
            r.top_donors,
            description=_l("The 50 contacts who gave the most in a period (this year unless set)."),
            filters=(r.SINCE, r.UNTIL),
            chart="bar",
            permission=VIEW,
            weight=53,
        ),
        Report(
            f"{NAME}_retention",
            _l("Donor retention"),
            r.retention,
            description=_l("For each year: its donors, and how many of them gave again the next."),
            chart="line",
            permission=VIEW,
            weight=54,
        ),
        Report(
            f"{NAME}_campaign_contributors",
            _l("Contributors to campaigns this month"),
            r.campaign_contributors,
            description=_l(
                "How many people contributed to each campaign in a month (this month unless set)."
            ),
            filters=(r.MONTH_FILTER, r.CAMPAIGN),
            chart="bar",
            permission=VIEW,
            weight=55,
        ),
    ]
