"""The rules of Timebank: its pages, its API and its hooks all go through these functions.

Each takes the session and leaves the commit to its caller, so a write is all or nothing.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from amicale.api_for_plugins import Contact, NotFound, ValidationError, gettext, load_input

from .models import TimebankItem
from .schemas import TimebankItemSchema


def get_item(session: Session, item_id: int) -> TimebankItem:
    item = session.get(TimebankItem, item_id)
    if item is None:
        raise NotFound(gettext("No item with the number %(id)s.", id=item_id))
    return item


def list_items(
    session: Session, *, contact_id: int | None = None, page: int = 1, page_size: int = 25
) -> tuple[list[tuple[TimebankItem, str]], int]:
    """A page of items, newest first, each with its contact's name; and how many there are."""
    where = [] if contact_id is None else [TimebankItem.contact_id == contact_id]
    total = session.scalar(select(func.count()).select_from(TimebankItem).where(*where))
    rows = session.execute(
        select(TimebankItem, Contact.display_name)
        .join(Contact, Contact.id == TimebankItem.contact_id)
        .where(*where)
        .order_by(TimebankItem.created_at.desc(), TimebankItem.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return [tuple(r) for r in rows], total or 0


def count_for_contact(session: Session, contact_id: int) -> int:
    return session.scalar(select(func.count()).where(TimebankItem.contact_id == contact_id)) or 0


def _check_contact(session: Session, contact_id: int) -> None:
    contact = session.get(Contact, contact_id)
    if contact is None or contact.is_deleted:
        raise ValidationError(
            gettext("No contact with the number %(id)s.", id=contact_id), field="contact_id"
        )


def create_item(session: Session, data: dict) -> TimebankItem:
    values = load_input(TimebankItemSchema(), data)
    _check_contact(session, values["contact_id"])
    item = TimebankItem(**values)
    session.add(item)
    session.flush()
    return item


def update_item(session: Session, item_id: int, data: dict) -> TimebankItem:
    item = get_item(session, item_id)
    values = load_input(TimebankItemSchema(), data, partial=True)
    if "contact_id" in values:
        _check_contact(session, values["contact_id"])
    for key, value in values.items():
        setattr(item, key, value)
    session.flush()
    return item


def delete_item(session: Session, item_id: int) -> None:
    session.delete(get_item(session, item_id))
    session.flush()


# -- what the hooks ask, for many contacts at once (never a query per contact) --------------------


def counts_by_contact(session: Session, contact_ids: list[int]) -> dict[int, int]:
    rows = session.execute(
        select(TimebankItem.contact_id, func.count())
        .where(TimebankItem.contact_id.in_(contact_ids))
        .group_by(TimebankItem.contact_id)
    )
    return {contact_id: count for contact_id, count in rows}


def move_items(session: Session, from_contact_id: int, to_contact_id: int) -> None:
    session.execute(
        update(TimebankItem)
        .where(TimebankItem.contact_id == from_contact_id)
        .values(contact_id=to_contact_id)
    )


def contact_data(session: Session, contact_id: int) -> list[dict]:
    items = session.scalars(
        select(TimebankItem).where(TimebankItem.contact_id == contact_id).order_by(TimebankItem.id)
    )
    return [TimebankItemSchema().dump(item) for item in items]


def erase_contact(session: Session, contact_id: int) -> None:
    session.execute(delete(TimebankItem).where(TimebankItem.contact_id == contact_id))
