"""The rules of Timebank: its pages, its API and its hooks all go through these functions.

Each takes the session and leaves the commit to its caller, so a write is all or nothing. What
several contacts need (balances, counts) is asked in one set-based query, never one per contact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Select, delete, func, literal, or_, select, union_all, update
from sqlalchemy.orm import Session, aliased

from amicale.api_for_plugins import (
    Conflict,
    Contact,
    NotFound,
    ValidationError,
    gettext,
    load_input,
    utcnow,
)

from .models import (
    OFFER,
    REQUEST,
    TimebankCategory,
    TimebankExchange,
    TimebankListing,
)
from .schemas import (
    TimebankCategorySchema,
    TimebankExchangeSchema,
    TimebankListingSchema,
)

ZERO = Decimal("0.00")
#: Contacts per query when many are asked at once (SQLite limits the parameters of a query).
CHUNK = 5000


def hours(value) -> Decimal:
    """A number of hours as an exact decimal with two places (SQLite may give floats)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def latest_date() -> date:
    """The latest date an exchange may have: today somewhere on Earth (UTC+14), so that no
    member is refused today's exchange because of their time zone."""
    return (utcnow() + timedelta(hours=14)).date()


def _page(query: Select, page: int, page_size: int) -> Select:
    return query.limit(page_size).offset((max(page, 1) - 1) * page_size)


def _count(session: Session, query: Select) -> int:
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


# -- categories ------------------------------------------------------------------------------------


def get_category(session: Session, category_id: int) -> TimebankCategory:
    category = session.get(TimebankCategory, category_id)
    if category is None:
        raise NotFound(gettext("No category with the number %(id)s.", id=category_id))
    return category


def list_categories(
    session: Session, *, active: bool | None = None, page: int = 1, page_size: int = 500
) -> tuple[list[TimebankCategory], int]:
    """Categories in the admin's order (weight, then name)."""
    query = select(TimebankCategory)
    if active is not None:
        query = query.where(TimebankCategory.is_active.is_(active))
    total = _count(session, query)
    rows = session.scalars(
        _page(query.order_by(TimebankCategory.weight, TimebankCategory.name), page, page_size)
    ).all()
    return list(rows), total


def category_options(session: Session, *, keep: int | None = None) -> list[tuple[int, str]]:
    """``(id, name)`` of the active categories for a select; ``keep`` is kept even if inactive
    (the category of the record being edited)."""
    query = select(TimebankCategory.id, TimebankCategory.name).order_by(
        TimebankCategory.weight, TimebankCategory.name
    )
    cond = TimebankCategory.is_active.is_(True)
    if keep is not None:
        cond = or_(cond, TimebankCategory.id == keep)
    return [(cid, name) for cid, name in session.execute(query.where(cond))]


def category_usage(session: Session) -> dict[int, tuple[int, int]]:
    """``{category_id: (listings, exchanges)}`` for the categories in use (two GROUP BY)."""
    listings = dict(
        session.execute(
            select(TimebankListing.category_id, func.count()).group_by(TimebankListing.category_id)
        ).all()
    )
    exchanges = dict(
        session.execute(
            select(TimebankExchange.category_id, func.count()).group_by(
                TimebankExchange.category_id
            )
        ).all()
    )
    return {cid: (listings.get(cid, 0), exchanges.get(cid, 0)) for cid in {*listings, *exchanges}}


def _check_category_name(session: Session, name: str, category_id: int | None) -> None:
    query = select(TimebankCategory.id).where(func.lower(TimebankCategory.name) == name.lower())
    if category_id is not None:
        query = query.where(TimebankCategory.id != category_id)
    if session.scalar(query) is not None:
        raise ValidationError(
            gettext("A category named %(name)s already exists.", name=name), field="name"
        )


def create_category(session: Session, data: dict) -> TimebankCategory:
    values = load_input(TimebankCategorySchema(), data)
    _check_category_name(session, values["name"], None)
    category = TimebankCategory(**values)
    session.add(category)
    session.flush()
    return category


def update_category(session: Session, category_id: int, data: dict) -> TimebankCategory:
    category = get_category(session, category_id)
    values = load_input(TimebankCategorySchema(), data, partial=True)
    if "name" in values:
        _check_category_name(session, values["name"], category.id)
    for key, value in values.items():
        setattr(category, key, value)
    session.flush()
    return category


def delete_category(session: Session, category_id: int) -> None:
    """Delete a category nobody uses; one in use is refused (Conflict): deactivate it."""
    category = get_category(session, category_id)
    used = (
        session.scalar(select(func.count()).where(TimebankListing.category_id == category.id)) or 0
    )
    used += (
        session.scalar(select(func.count()).where(TimebankExchange.category_id == category.id)) or 0
    )
    if used:
        raise Conflict(
            gettext(
                "The category %(name)s is used by offers, requests or exchanges: it cannot be "
                "deleted. Deactivate it instead.",
                name=category.name,
            )
        )
    session.delete(category)
    session.flush()


def _check_category(session: Session, category_id: int, *, unchanged: int | None = None) -> None:
    """The category exists and is active (a record may keep an inactive category it has)."""
    category = session.get(TimebankCategory, category_id)
    if category is None:
        raise ValidationError(
            gettext("No category with the number %(id)s.", id=category_id), field="category_id"
        )
    if not category.is_active and category_id != unchanged:
        raise ValidationError(
            gettext("The category %(name)s is no longer in use.", name=category.name),
            field="category_id",
        )


def _check_contacts(session: Session, fields: dict[str, int]) -> None:
    """Each ``{field: contact id}`` names a contact that exists and is not in the trash."""
    if not fields:
        return
    live = set(
        session.scalars(
            select(Contact.id).where(
                Contact.id.in_(set(fields.values())), Contact.is_deleted.is_(False)
            )
        )
    )
    errors = {
        field: [gettext("No contact with the number %(id)s.", id=contact_id)]
        for field, contact_id in fields.items()
        if contact_id not in live
    }
    if errors:
        raise ValidationError(gettext("Some fields are not valid."), errors=errors)


# -- listings (offers and requests) --------------------------------------------------------------


@dataclass
class ListingRow:
    listing: TimebankListing
    contact_name: str
    category_name: str


def get_listing(session: Session, listing_id: int) -> TimebankListing:
    listing = session.get(TimebankListing, listing_id)
    if listing is None:
        raise NotFound(gettext("No offer or request with the number %(id)s.", id=listing_id))
    return listing


def list_listings(
    session: Session,
    *,
    contact_id: int | None = None,
    category_id: int | None = None,
    kind: str | None = None,
    active: bool | None = None,
    page: int = 1,
    page_size: int = 25,
) -> tuple[list[ListingRow], int]:
    """A page of offers and requests, newest first, with the member's and category's names."""
    query = (
        select(TimebankListing, Contact.display_name, TimebankCategory.name)
        .join(Contact, Contact.id == TimebankListing.contact_id)
        .join(TimebankCategory, TimebankCategory.id == TimebankListing.category_id)
    )
    if contact_id is not None:
        query = query.where(TimebankListing.contact_id == contact_id)
    else:
        query = query.where(Contact.is_deleted.is_(False))
    if category_id is not None:
        query = query.where(TimebankListing.category_id == category_id)
    if kind is not None:
        query = query.where(TimebankListing.kind == kind)
    if active is not None:
        query = query.where(TimebankListing.is_active.is_(active))
    total = _count(session, query)
    rows = session.execute(
        _page(
            query.order_by(TimebankListing.created_at.desc(), TimebankListing.id.desc()),
            page,
            page_size,
        )
    ).all()
    return [ListingRow(listing, name, category) for listing, name, category in rows], total


def create_listing(session: Session, data: dict) -> TimebankListing:
    values = load_input(TimebankListingSchema(), data)
    _check_contacts(session, {"contact_id": values["contact_id"]})
    _check_category(session, values["category_id"])
    listing = TimebankListing(**values)
    session.add(listing)
    session.flush()
    return listing


def update_listing(session: Session, listing_id: int, data: dict) -> TimebankListing:
    listing = get_listing(session, listing_id)
    values = load_input(TimebankListingSchema(), data, partial=True)
    if "contact_id" in values and values["contact_id"] != listing.contact_id:
        _check_contacts(session, {"contact_id": values["contact_id"]})
    if "category_id" in values:
        _check_category(session, values["category_id"], unchanged=listing.category_id)
    for key, value in values.items():
        setattr(listing, key, value)
    session.flush()
    return listing


def deactivate_listing(session: Session, listing_id: int) -> TimebankListing:
    """The offer or request no longer stands; it stays in the member's history."""
    listing = get_listing(session, listing_id)
    listing.is_active = False
    session.flush()
    return listing


def delete_listing(session: Session, listing_id: int) -> None:
    session.delete(get_listing(session, listing_id))
    session.flush()


# -- exchanges -----------------------------------------------------------------------------------


@dataclass
class ExchangeRow:
    exchange: TimebankExchange
    provider_name: str | None
    receiver_name: str | None
    category_name: str


def get_exchange(session: Session, exchange_id: int) -> TimebankExchange:
    exchange = session.get(TimebankExchange, exchange_id)
    if exchange is None:
        raise NotFound(gettext("No exchange with the number %(id)s.", id=exchange_id))
    return exchange


def list_exchanges(
    session: Session,
    *,
    contact_id: int | None = None,
    category_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    page_size: int = 25,
) -> tuple[list[ExchangeRow], int]:
    """A page of exchanges, latest first, with both members' and the category's names (a
    member whose data was erased has no name: None)."""
    provider, receiver = aliased(Contact), aliased(Contact)
    query = (
        select(
            TimebankExchange, provider.display_name, receiver.display_name, TimebankCategory.name
        )
        .outerjoin(provider, provider.id == TimebankExchange.provider_id)
        .outerjoin(receiver, receiver.id == TimebankExchange.receiver_id)
        .join(TimebankCategory, TimebankCategory.id == TimebankExchange.category_id)
    )
    if contact_id is not None:
        query = query.where(
            or_(
                TimebankExchange.provider_id == contact_id,
                TimebankExchange.receiver_id == contact_id,
            )
        )
    if category_id is not None:
        query = query.where(TimebankExchange.category_id == category_id)
    if date_from is not None:
        query = query.where(TimebankExchange.exchange_date >= date_from)
    if date_to is not None:
        query = query.where(TimebankExchange.exchange_date <= date_to)
    total = _count(session, query)
    rows = session.execute(
        _page(
            query.order_by(TimebankExchange.exchange_date.desc(), TimebankExchange.id.desc()),
            page,
            page_size,
        )
    ).all()
    return [ExchangeRow(*row) for row in rows], total


def _check_exchange(
    session: Session, values: dict, current: TimebankExchange | None = None
) -> None:
    """What the schema cannot know: the members exist and differ, the category is usable, the
    date is not in the future. For a change, the fields not given keep their value."""

    def final(name):
        return values[name] if name in values else getattr(current, name, None)

    errors: dict[str, list[str]] = {}
    if "exchange_date" in values and values["exchange_date"] > latest_date():
        errors["exchange_date"] = [gettext("An exchange cannot be recorded before it happens.")]
    provider_id, receiver_id = final("provider_id"), final("receiver_id")
    if provider_id is not None and provider_id == receiver_id:
        errors["receiver_id"] = [gettext("A member cannot exchange with themselves.")]
    contacts = {
        name: values[name]
        for name in ("provider_id", "receiver_id")
        if name in values and values[name] != getattr(current, name, None)
    }
    try:
        _check_contacts(session, contacts)
    except ValidationError as exc:
        errors.update(exc.errors)
    if "category_id" in values:
        try:
            _check_category(
                session, values["category_id"], unchanged=getattr(current, "category_id", None)
            )
        except ValidationError as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationError(gettext("Some fields are not valid."), errors=errors)


def create_exchange(session: Session, data: dict) -> TimebankExchange:
    values = load_input(TimebankExchangeSchema(), data)
    _check_exchange(session, values)
    exchange = TimebankExchange(**values)
    session.add(exchange)
    session.flush()
    return exchange


def update_exchange(session: Session, exchange_id: int, data: dict) -> TimebankExchange:
    exchange = get_exchange(session, exchange_id)
    values = load_input(TimebankExchangeSchema(), data, partial=True)
    _check_exchange(session, values, exchange)
    for key, value in values.items():
        setattr(exchange, key, value)
    session.flush()
    return exchange


def delete_exchange(session: Session, exchange_id: int) -> None:
    session.delete(get_exchange(session, exchange_id))
    session.flush()


# -- balances ------------------------------------------------------------------------------------


@dataclass
class Balance:
    contact_id: int
    hours_given: Decimal = ZERO
    hours_received: Decimal = ZERO
    display_name: str | None = None

    @property
    def balance(self) -> Decimal:
        return self.hours_given - self.hours_received


def _movements(contact_ids: list[int] | None = None):
    """One row per side of each exchange: (contact_id, given, received), as a UNION ALL."""
    given = select(
        TimebankExchange.provider_id.label("contact_id"),
        TimebankExchange.hours.label("given"),
        literal(0).label("received"),
    ).where(TimebankExchange.provider_id.is_not(None))
    received = select(
        TimebankExchange.receiver_id.label("contact_id"),
        literal(0).label("given"),
        TimebankExchange.hours.label("received"),
    ).where(TimebankExchange.receiver_id.is_not(None))
    if contact_ids is not None:
        given = given.where(TimebankExchange.provider_id.in_(contact_ids))
        received = received.where(TimebankExchange.receiver_id.in_(contact_ids))
    return union_all(given, received).subquery("movements")


def balances(session: Session, contact_ids) -> dict[int, Balance]:
    """The balance of every contact of ``contact_ids`` (zero for one without exchanges): hours
    provided minus hours received, in one GROUP BY over the UNION ALL of both sides of the
    exchanges (one query per 5,000 contacts)."""
    ids = list(dict.fromkeys(int(c) for c in contact_ids))
    out = {cid: Balance(cid) for cid in ids}
    for start in range(0, len(ids), CHUNK):  # one query, or one per 5,000 contacts
        moves = _movements(ids[start : start + CHUNK])
        rows = session.execute(
            select(
                moves.c.contact_id, func.sum(moves.c.given), func.sum(moves.c.received)
            ).group_by(moves.c.contact_id)
        )
        for contact_id, given, received in rows:
            out[contact_id] = Balance(contact_id, hours(given), hours(received))
    return out


def balance_of(session: Session, contact_id: int) -> Balance:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(gettext("No contact with the number %(id)s.", id=contact_id))
    result = balances(session, [contact_id])[contact_id]
    result.display_name = contact.display_name
    return result


def balance_table(session: Session, *, page: int = 1, page_size: int = 50) -> tuple[list, int]:
    """A page of the members who took part in an exchange (not in the trash), by name, with
    their hours; and how many there are. One GROUP BY over the UNION ALL of both sides."""
    moves = _movements()
    query = (
        select(
            Contact.id,
            Contact.display_name,
            func.sum(moves.c.given),
            func.sum(moves.c.received),
        )
        .join(moves, moves.c.contact_id == Contact.id)
        .where(Contact.is_deleted.is_(False))
        .group_by(Contact.id, Contact.display_name, Contact.sort_name)
    )
    total = _count(session, query)
    rows = session.execute(_page(query.order_by(Contact.sort_name, Contact.id), page, page_size))
    return [
        Balance(cid, hours(given), hours(received), name) for cid, name, given, received in rows
    ], total


def participants(session: Session, limit: int = 500) -> list[tuple[int, str]]:
    """``(id, name)`` of members with an offer, a request or an exchange, for the forms'
    suggestions (capped)."""
    ids = union_all(
        select(TimebankListing.contact_id.label("id")),
        select(TimebankExchange.provider_id.label("id")),
        select(TimebankExchange.receiver_id.label("id")),
    ).subquery()
    rows = session.execute(
        select(Contact.id, Contact.display_name)
        .where(Contact.id.in_(select(ids.c.id)), Contact.is_deleted.is_(False))
        .order_by(Contact.sort_name, Contact.id)
        .limit(limit)
    )
    return [(cid, name) for cid, name in rows]


def overview_counts(session: Session, since: date) -> dict[str, Decimal | int]:
    """For the dashboard: active offers and requests, and hours exchanged since ``since``."""
    kinds = dict(
        session.execute(
            select(TimebankListing.kind, func.count())
            .where(TimebankListing.is_active.is_(True))
            .group_by(TimebankListing.kind)
        ).all()
    )
    total = session.scalar(
        select(func.sum(TimebankExchange.hours)).where(TimebankExchange.exchange_date >= since)
    )
    return {
        "offers": kinds.get(OFFER, 0),
        "requests": kinds.get(REQUEST, 0),
        "hours": hours(total),
    }


def counts_for_contact(session: Session, contact_id: int) -> int:
    """Active offers and requests plus exchanges of one member (the tab's count)."""
    listings = select(TimebankListing.id).where(
        TimebankListing.contact_id == contact_id, TimebankListing.is_active.is_(True)
    )
    exchanges = select(TimebankExchange.id).where(
        or_(TimebankExchange.provider_id == contact_id, TimebankExchange.receiver_id == contact_id)
    )
    return _count(session, union_all(listings, exchanges))


# -- reports -------------------------------------------------------------------------------------


def month_of(session: Session, column):
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.to_char(column, "YYYY-MM")


def months_between(start: date, end: date) -> list[str]:
    months, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def hours_per_month_and_category(
    session: Session, start: date, end: date, category_id: int | None = None
) -> dict[str, dict[str, Decimal]]:
    """``{category name: {"YYYY-MM": hours}}`` between two dates (included): one GROUP BY."""
    month = month_of(session, TimebankExchange.exchange_date)
    query = (
        select(TimebankCategory.name, month, func.sum(TimebankExchange.hours))
        .join(TimebankCategory, TimebankCategory.id == TimebankExchange.category_id)
        .where(TimebankExchange.exchange_date >= start, TimebankExchange.exchange_date <= end)
        .group_by(TimebankCategory.name, month)
    )
    if category_id is not None:
        query = query.where(TimebankExchange.category_id == category_id)
    out: dict[str, dict[str, Decimal]] = {}
    for name, m, total in session.execute(query):
        out.setdefault(name, {})[m] = hours(total)
    return out


# -- what the hooks ask ----------------------------------------------------------------------------


def move_contact(session: Session, from_contact_id: int, to_contact_id: int) -> None:
    """Give ``to_contact_id`` the listings and both sides of the exchanges of
    ``from_contact_id`` (two contacts merged into one).

    An exchange between the two would become one between the kept contact and themselves: it
    is deleted, which leaves the kept contact's balance as the sum of both balances (it added
    as many hours to one as it took from the other).
    """
    pair = {from_contact_id, to_contact_id}
    session.execute(
        delete(TimebankExchange).where(
            TimebankExchange.provider_id.in_(pair), TimebankExchange.receiver_id.in_(pair)
        )
    )
    session.execute(
        update(TimebankListing)
        .where(TimebankListing.contact_id == from_contact_id)
        .values(contact_id=to_contact_id)
    )
    for column in ("provider_id", "receiver_id"):
        session.execute(
            update(TimebankExchange)
            .where(getattr(TimebankExchange, column) == from_contact_id)
            .values({column: to_contact_id})
        )


def contact_data(session: Session, contact_id: int) -> dict[str, list[dict]]:
    """A member's offers, requests and exchanges, as plain values, by section."""
    listings, _ = list_listings(session, contact_id=contact_id, page_size=100_000)
    exchanges, _ = list_exchanges(session, contact_id=contact_id, page_size=100_000)
    out: dict[str, list[dict]] = {}
    if listings:
        out[gettext("Timebank: offers and requests")] = [
            {
                "id": r.listing.id,
                "kind": r.listing.kind,
                "category": r.category_name,
                "description": r.listing.description,
                "is_active": r.listing.is_active,
                "created_at": r.listing.created_at.isoformat(),
            }
            for r in listings
        ]
    if exchanges:
        rows = []
        for r in exchanges:
            gave = r.exchange.provider_id == contact_id
            rows.append(
                {
                    "id": r.exchange.id,
                    "role": "provider" if gave else "receiver",
                    "other_member": r.receiver_name if gave else r.provider_name,
                    "category": r.category_name,
                    "hours": str(r.exchange.hours),
                    "exchange_date": r.exchange.exchange_date.isoformat(),
                    "description": r.exchange.description,
                }
            )
        out[gettext("Timebank: exchanges")] = rows
    return out


def erase_contact(session: Session, contact_id: int) -> None:
    """Delete the member's offers and requests; in their exchanges, forget them (their side
    becomes empty) and the description, which may speak of them. The other member keeps the
    hours in their balance."""
    session.execute(delete(TimebankListing).where(TimebankListing.contact_id == contact_id))
    for column in ("provider_id", "receiver_id"):
        session.execute(
            update(TimebankExchange)
            .where(getattr(TimebankExchange, column) == contact_id)
            .values({column: None, "description": None})
        )
