"""The hooks of Timebank: what it tells Amicale about itself and what it adds to its pages.

Amicale calls these only while an administrator has the component enabled. ``amicale sdk hooks``
prints the reference of every hook.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from flask import url_for
from sqlalchemy import select

from amicale import hookimpl
from amicale.api_for_plugins import (
    PLUGIN_API_VERSION,
    Contact,
    ContactTab,
    Manifest,
    MenuItem,
    Permission,
    Report,
    ReportFilter,
    ReportResult,
    SearchFilter,
    SummaryBlock,
    ValidationError,
    Widget,
    gettext,
    has_permission,
    session,
    utcnow,
)
from amicale.api_for_plugins import lazy_gettext as _l

from . import services
from .models import OFFER, REQUEST, TimebankCategory, TimebankExchange, TimebankListing

NAME = "timebank"
VIEW, EDIT, ADMINISTER = f"{NAME}.view", f"{NAME}.edit", f"{NAME}.administer"
BALANCE_TOKEN = f"{NAME}.balance"


@hookimpl
def amicale_component():
    return Manifest(
        name=NAME,
        label=_l("Timebank"),
        version="0.1.0",
        description=_l(
            "The local exchange system of the association: members offer and request skills "
            "and exchange hours; each has a balance."
        ),
        plugin_api=PLUGIN_API_VERSION,
    )


@hookimpl
def register_models():
    return [TimebankCategory, TimebankListing, TimebankExchange]


@hookimpl
def register_migrations():
    return (NAME, Path(__file__).parent / "migrations")


@hookimpl
def register_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def register_api():
    from .api import api

    return [api]


@hookimpl
def register_permissions():
    return [
        Permission(
            VIEW,
            _l("See the timebank"),
            _l("Offers, requests, exchanges and balances of the members."),
            default_roles=("staff", "readonly", "volunteer"),
        ),
        Permission(
            EDIT,
            _l("Record timebank exchanges"),
            _l("Record exchanges and the members' offers and requests."),
            default_roles=("staff", "volunteer"),
        ),
        Permission(
            ADMINISTER,
            _l("Administer the timebank"),
            _l("The list of skill categories."),
            default_roles=(),
        ),
    ]


@hookimpl
def menu_items(user):
    return [
        MenuItem(NAME, _l("Timebank"), f"{NAME}.index", "main", 60, VIEW),
        MenuItem(
            f"admin.{NAME}",
            _l("Timebank categories"),
            f"{NAME}.categories",
            "admin",
            60,
            ADMINISTER,
        ),
    ]


@hookimpl
def contact_tabs(contact, user):
    if not has_permission(user, VIEW):
        return []
    count = services.counts_for_contact(session(), contact.id)
    url = url_for(f"{NAME}.contact_tab", contact_id=contact.id)
    return [ContactTab(NAME, _l("Timebank"), url, count, 70)]


def format_hours(value: Decimal) -> str:
    """Hours as the pages show numbers (the ``number`` filter: "3,5" in French)."""
    # Imported here: ``amicale sdk check`` reads every name of this module, and a proxy such as
    # current_app fails outside an application context.
    from flask import current_app

    return current_app.jinja_env.filters["number"](value.normalize() + 0)


@hookimpl
def contact_summary(contact, user):
    if not has_permission(user, VIEW):
        return []
    balance = services.balances(session(), [contact.id])[contact.id]
    if not balance.hours_given and not balance.hours_received:
        return []
    value = gettext("%(hours)s h", hours=format_hours(balance.balance))
    return [SummaryBlock(gettext("Timebank balance"), value, 70)]


@hookimpl
def dashboard_widgets(user):
    if not has_permission(user, VIEW):
        return []
    since = (utcnow() - timedelta(days=30)).date()
    return [
        Widget(
            NAME,
            _l("Timebank"),
            "timebank/widget.html",
            {"counts": services.overview_counts(session(), since)},
            weight=60,
            permission=VIEW,
        )
    ]


@hookimpl
def mail_tokens():
    return {BALANCE_TOKEN: _l("Timebank balance in hours (hours given minus received)")}


def plain_hours(value: Decimal) -> str:
    """ "3.5", "-2", "0": a dot, no trailing zeros, whatever the reader's language."""
    text = format(value.normalize() + 0, "f")
    return "0" if text in ("-0", "0") else text


@hookimpl
def mail_token_values(contact_ids, tokens):
    if BALANCE_TOKEN not in tokens:
        return {}
    found = services.balances(session(), contact_ids)
    return {cid: {BALANCE_TOKEN: plain_hours(b.balance)} for cid, b in found.items()}


def _category_options() -> list[tuple[str, str]]:
    return [(str(cid), name) for cid, name in services.category_options(session())]


def _listed(kind: str):
    def apply(query, value):
        try:
            category_id = int(str(value).strip())
        except ValueError:
            raise ValidationError(
                gettext("Choose one of the categories."), field=f"{NAME}_{kind}s"
            ) from None
        return query.where(
            Contact.id.in_(
                select(TimebankListing.contact_id).where(
                    TimebankListing.kind == kind,
                    TimebankListing.is_active.is_(True),
                    TimebankListing.category_id == category_id,
                )
            )
        )

    return apply


@hookimpl
def search_filters():
    return [
        SearchFilter(
            f"{NAME}_offers",
            _l("Offers the skill (timebank)"),
            "select",
            _listed(OFFER),
            options=_category_options,
            weight=60,
        ),
        SearchFilter(
            f"{NAME}_requests",
            _l("Looks for the skill (timebank)"),
            "select",
            _listed(REQUEST),
            options=_category_options,
            weight=61,
        ),
    ]


def _all_category_options() -> list[tuple[str, str]]:
    rows, _total = services.list_categories(session())
    return [(str(c.id), c.name) for c in rows]


def hours_report(s, filters) -> ReportResult:
    """Hours exchanged per month (rows, labels) and per category (columns, series)."""
    end = filters.get("date_to") or utcnow().date()
    start = filters.get("date_from") or date(end.year - 1, end.month, 1)
    if start > end:
        raise ValidationError(gettext("The start must come before the end."), field="date_from")
    category = filters.get("category")
    found = services.hours_per_month_and_category(
        s, start, end, int(category) if category else None
    )
    months = services.months_between(start, end)
    names = sorted(found)
    zero = Decimal("0.00")
    rows = []
    for m in months:
        values = [found[n].get(m, zero) for n in names]
        rows.append((m, *values, sum(values, zero)))
    return ReportResult(
        [gettext("Month"), *names, gettext("Total")],
        rows,
        months,
        {n: [float(found[n].get(m, 0)) for m in months] for n in names},
    )


@hookimpl
def reports():
    return [
        Report(
            f"{NAME}_hours_per_month",
            _l("Hours exchanged per month per category"),
            hours_report,
            _l("Timebank: the hours members gave each other, month by month, by skill."),
            filters=(
                ReportFilter("date_from", _l("From"), "date"),
                ReportFilter("date_to", _l("To"), "date"),
                ReportFilter("category", _l("Category"), "select", _all_category_options),
            ),
            chart="bar",
            permission=VIEW,
            weight=60,
        )
    ]


@hookimpl
def merge_contacts(winner_id, loser_id, session):
    """Move the listings and both sides of the exchanges of ``loser_id`` to ``winner_id``.

    An exchange between the two would become one between the winner and themselves: it is
    deleted. It cancels out in the balance (the hours it added to one it took from the other),
    so the winner's balance is the sum of both balances.
    """
    services.move_contact(session, loser_id, winner_id)


@hookimpl
def contact_data(contact_id, session):
    return services.contact_data(session, contact_id)


@hookimpl
def erase_contact(contact_id, session):
    """Offers and requests go; in exchanges the person's side and the description are cleared,
    and the other member keeps their balance."""
    services.erase_contact(session, contact_id)
