"""Finding contacts: the quick search (names, email, phone, external identifier; by prefix and
without accents) and the advanced search, whose criteria the core and the components give
through the ``search_filters`` hook. Everything is one set-based query."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from ..errors import ValidationError
from ..hooktypes import SearchFilter
from ..organisation.services import get_setting
from .models import (
    Address,
    Contact,
    ContactSearchToken,
    ContactSubtype,
    ContactSubtypeLink,
    ContactType,
    Email,
    Phone,
)
from .normalise import phone_search_prefix, prefix_upper_bound, search_words


def _token_match(word: str, contact_col) -> Any:
    """The contact of ``contact_col`` has a word starting with ``word`` (an index lookup on
    (contact_id, token))."""
    other = aliased(ContactSearchToken)
    return exists().where(
        other.contact_id == contact_col,
        other.token >= word,
        other.token < prefix_upper_bound(word),
    )


def quick_search_query(session: Session, q: str) -> Select | None:
    """A ``select(Contact.id)`` for what was typed in the quick search box, or None if empty."""
    q = (q or "").strip()
    if not q:
        return None
    if "@" in q:
        low = q.lower()
        return (
            select(Email.contact_id.label("id"))
            .where(Email.email >= low, Email.email < prefix_upper_bound(low))
            .distinct()
        )
    region = (get_setting(session, "organisation.country") or "FR").upper()
    digits = sum(c.isdigit() for c in q)
    if digits >= 3 and digits >= len(q.replace(" ", "")) - 2:
        prefix = phone_search_prefix(q, region)
        by_phone = select(Phone.contact_id.label("id")).where(
            Phone.phone_normalized >= prefix, Phone.phone_normalized < prefix_upper_bound(prefix)
        )
        by_external = select(Contact.id).where(Contact.external_identifier == q)
        return by_phone.union(by_external)
    words = sorted(search_words(q), key=len, reverse=True)
    if not words:
        return select(Contact.id).where(Contact.external_identifier == q)
    first, rest = words[0], words[1:]
    query = select(ContactSearchToken.contact_id.label("id")).where(
        ContactSearchToken.token >= first, ContactSearchToken.token < prefix_upper_bound(first)
    )
    for word in rest:
        query = query.where(_token_match(word, ContactSearchToken.contact_id))
    by_external = select(Contact.id).where(Contact.external_identifier == q)
    return query.union(by_external)


def quick_search(
    session: Session, q: str, *, limit: int = 20, include_deleted: bool = False
) -> list[Contact]:
    """Contacts matching the quick search box, in the order of the index they were found in
    (the matching word, email or phone, alphabetically): the database walks one index and stops
    after ``limit`` contacts, whatever the number of contacts."""
    q = (q or "").strip()
    if not q:
        return []

    def live(contact_col):
        # A correlated test rather than a join: the planner must walk the searched index in
        # order (and stop at the limit) instead of scanning the contacts that are not deleted.
        if include_deleted:
            return []
        trashed = aliased(Contact)
        return [~exists().where(trashed.id == contact_col, trashed.is_deleted.is_(True))]

    fetch = limit * 3  # a contact may match on several words: enough to fill the page
    digits = sum(c.isdigit() for c in q)
    if "@" in q:
        low = q.lower()
        query = (
            select(Email.contact_id)
            .where(
                Email.email >= low, Email.email < prefix_upper_bound(low), *live(Email.contact_id)
            )
            .order_by(Email.email)
            .limit(fetch)
        )
    elif digits >= 3 and digits >= len(q.replace(" ", "")) - 2:
        region = (get_setting(session, "organisation.country") or "FR").upper()
        prefix = phone_search_prefix(q, region)
        query = (
            select(Phone.contact_id)
            .where(
                Phone.phone_normalized >= prefix,
                Phone.phone_normalized < prefix_upper_bound(prefix),
                *live(Phone.contact_id),
            )
            .order_by(Phone.phone_normalized)
            .limit(fetch)
        )
    else:
        words = sorted(search_words(q), key=len, reverse=True)
        if not words:
            query = select(Contact.id).where(Contact.external_identifier == q, *live(Contact.id))
        else:
            first = words[0]
            query = (
                select(ContactSearchToken.contact_id)
                .where(
                    ContactSearchToken.token >= first,
                    ContactSearchToken.token < prefix_upper_bound(first),
                    *live(ContactSearchToken.contact_id),
                    *[_token_match(w, ContactSearchToken.contact_id) for w in words[1:]],
                )
                .order_by(ContactSearchToken.token, ContactSearchToken.contact_id)
                .limit(fetch)
            )
    ids = list(dict.fromkeys(session.execute(query).scalars()))[:limit]
    if not ids and len(q) <= 64:  # a reference typed as is
        ids = list(
            session.execute(
                select(Contact.id).where(Contact.external_identifier == q, *live(Contact.id))
            ).scalars()
        )
    if not ids:
        return []
    by_id = {c.id: c for c in session.execute(select(Contact).where(Contact.id.in_(ids))).scalars()}
    return [by_id[i] for i in ids if i in by_id]


# -- advanced search -----------------------------------------------------------------------------


def _core_filters() -> list[SearchFilter]:
    def contact_type(query, value):
        return query.where(Contact.contact_type == value)

    def subtype(query, value):
        names = value if isinstance(value, list) else [value]
        return query.where(
            Contact.id.in_(
                select(ContactSubtypeLink.contact_id)
                .join(ContactSubtype, ContactSubtype.id == ContactSubtypeLink.subtype_id)
                .where(ContactSubtype.name.in_(names))
            )
        )

    def address_field(column, transform=lambda v: v):
        def apply(query, value):
            values = value if isinstance(value, list) else [value]
            return query.where(
                Contact.id.in_(
                    select(Address.contact_id).where(column.in_([transform(v) for v in values]))
                )
            )

        return apply

    def postal_code(query, value):
        value = str(value).strip()
        return query.where(
            Contact.id.in_(
                select(Address.contact_id).where(
                    Address.postal_code >= value, Address.postal_code < prefix_upper_bound(value)
                )
            )
        )

    def name(query, value):
        words = sorted(search_words(str(value)), key=len, reverse=True)
        for word in words:
            query = query.where(_token_match(word, Contact.id))
        return query

    def boolean(column):
        def apply(query, value):
            return query.where(
                column.is_(bool(value) and str(value).lower() not in {"0", "false", "no", "non"})
            )

        return apply

    return [
        SearchFilter("name", _l("Name"), "text", name, weight=0),
        SearchFilter(
            "contact_type",
            _l("Kind of contact"),
            "select",
            contact_type,
            options=lambda: [(t.value, t.value) for t in ContactType],
            weight=1,
        ),
        SearchFilter("subtype", _l("Subtype"), "multiselect", subtype, weight=2),
        SearchFilter("city", _l("City"), "text", address_field(Address.city), weight=10),
        SearchFilter(
            "postal_code", _l("Postal code (starts with)"), "text", postal_code, weight=11
        ),
        SearchFilter(
            "country",
            _l("Country"),
            "text",
            address_field(Address.country, lambda v: str(v).upper()),
            weight=12,
        ),
        SearchFilter(
            "do_not_email",
            _l("Does not want emails"),
            "boolean",
            boolean(Contact.do_not_email),
            weight=30,
        ),
        SearchFilter(
            "is_opt_out", _l("No bulk mail"), "boolean", boolean(Contact.is_opt_out), weight=31
        ),
        SearchFilter(
            "is_deceased", _l("Deceased"), "boolean", boolean(Contact.is_deceased), weight=32
        ),
    ]


def available_filters() -> dict[str, SearchFilter]:
    """The core's criteria and those of the enabled components, by name."""
    from ..plugins import hook

    filters = {f.name: f for f in _core_filters()}
    for result in hook.search_filters():
        for f in result or []:
            filters[f.name] = f
    return filters


def contact_ids_query(
    session: Session, criteria: dict[str, Any], *, include_deleted: bool = False
) -> Select:
    """``select(Contact.id)`` narrowed by every criterion given (AND). Unknown criteria are
    refused with a ValidationError naming them; so are empty searches of nothing."""
    filters = available_filters()
    unknown = sorted(k for k in criteria if k not in filters and k != "q")
    if unknown:
        raise ValidationError(
            str(_l("Unknown search criterion: %(names)s", names=", ".join(unknown))),
            field=unknown[0],
        )
    query = select(Contact.id)
    narrowed = any(v not in (None, "", []) for v in criteria.values())
    if not include_deleted:
        # Without criteria, "not deleted" walks the (is_deleted, sort_name) index in order. With
        # criteria, it is written so that no index serves it: the planner then starts from the
        # criteria's own indexes instead of reading every contact.
        query = query.where(~Contact.is_deleted if narrowed else Contact.is_deleted.is_(False))
    q = criteria.get("q")
    if q:
        quick = quick_search_query(session, q)
        if quick is not None:
            sub = quick.subquery()
            query = query.where(Contact.id.in_(select(sub.c.id)))
    for name, value in criteria.items():
        if name == "q" or value in (None, "", []):
            continue
        query = filters[name].apply(query, value)
    return query


def search_contacts(
    session: Session,
    criteria: dict[str, Any],
    *,
    page: int = 1,
    page_size: int = 25,
    sort: str = "sort_name",
    include_deleted: bool = False,
    count_limit: int | None = None,
) -> tuple[list[Contact], int]:
    """A page of contacts and the total count for the criteria. With ``count_limit``, counting
    stops there (the page says "more than 10,000"): counting a million rows to print a number
    is the slowest part of a list, and nobody pages that far."""
    ids = contact_ids_query(session, criteria, include_deleted=include_deleted)
    column_name = sort.lstrip("-")
    column = getattr(Contact, column_name)
    order = column.desc() if sort.startswith("-") else column.asc()
    page_query = ids.order_by(order, Contact.id).limit(page_size).offset((page - 1) * page_size)
    if any(v not in (None, "", []) for v in criteria.values()):
        # With criteria, the matches are found once: the page and the count come from the same
        # pass (a window count) instead of filtering twice.
        if session.get_bind().dialect.name == "postgresql":
            # PostgreSQL would walk the name index and probe every contact (LIMIT makes it
            # hope for early matches): find the matches first, then sort them.
            matches = ids.cte("matches").prefix_with("MATERIALIZED")
            query = (
                select(Contact, func.count().over().label("total"))
                .join(matches, matches.c.id == Contact.id)
                .order_by(order, Contact.id)
                .limit(page_size)
                .offset((page - 1) * page_size)
            )
        else:
            query = page_query.with_only_columns(Contact, func.count().over().label("total"))
        rows = session.execute(query).all()
        if rows:
            return [r[0] for r in rows], rows[0][1]
        if page == 1:
            return [], 0
    counted = ids if count_limit is None else ids.limit(count_limit + 1)
    total = session.execute(select(func.count()).select_from(counted.subquery())).scalar_one()
    rows = session.execute(page_query.with_only_columns(Contact)).scalars().all()
    return list(rows), total
