"""The rules of relationships: types (admin-defined, seeded ones reserved), relationships between
two contacts whose kinds fit the type, read from either side; the one-step "employer" and
"household" shortcuts. Functions take a session and flush; the caller commits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select, union
from sqlmodel import Session

from ..changelog.services import record
from ..clock import utcnow
from ..contacts.models import Contact, ContactType
from ..errors import NotFound, ValidationError
from .models import Relationship, RelationshipType

RELATIONSHIP_FIELDS = ("start_date", "end_date", "is_active", "description")


def _hooks():
    from ..plugins import hook

    return hook


def today() -> date:
    return utcnow().date()


def current_condition(today_: date | None = None):
    """SQL for "active and not ended" (a relationship whose end date is past reads inactive)."""
    today_ = today_ or today()
    return and_(
        Relationship.is_active.is_(True),
        or_(Relationship.end_date.is_(None), Relationship.end_date >= today_),
    )


# -- types ---------------------------------------------------------------------------------------


def list_relationship_types(
    session: Session, *, is_active: bool | None = None
) -> list[RelationshipType]:
    query = select(RelationshipType).order_by(RelationshipType.label_a_b, RelationshipType.id)
    if is_active is not None:
        query = query.where(RelationshipType.is_active.is_(is_active))
    return list(session.execute(query).scalars())


def get_relationship_type(session: Session, type_id: int) -> RelationshipType:
    rtype = session.get(RelationshipType, type_id)
    if rtype is None:
        raise NotFound(str(_l("No relationship type with the number %(id)s.", id=type_id)))
    return rtype


def relationship_type_by_name(session: Session, name: str) -> RelationshipType:
    rtype = session.execute(select(RelationshipType).where(RelationshipType.name == name)).scalar()
    if rtype is None:
        raise ValidationError(
            str(_l("Unknown relationship type: %(name)s", name=name)), field="relationship_type"
        )
    return rtype


def _check_contact_type(value: str | None, field: str) -> str | None:
    value = (value or "").strip() or None
    if value is not None and value not in {t.value for t in ContactType}:
        raise ValidationError(str(_l("Choose a kind of contact.")), field=field)
    return value


def _check_label(value: str | None, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(str(_l("A label is needed.")), field=field)
    if len(value) > 120:
        raise ValidationError(str(_l("At most %(n)d characters.", n=120)), field=field)
    return value


def _check_name(value: str | None) -> str:
    name = (value or "").strip().lower()
    if (
        not name
        or not name[0].isalpha()
        or not name.replace("_", "").isalnum()
        or not name.isascii()
        or len(name) > 64
    ):
        raise ValidationError(
            str(_l("Use letters, digits and underscores for the name.")), field="name"
        )
    return name


def create_relationship_type(
    session: Session, data: dict[str, Any], *, is_reserved: bool = False
) -> RelationshipType:
    """A new type from ``name``, ``label_a_b``, ``label_b_a``, ``contact_type_a``,
    ``contact_type_b`` (None = any kind), ``description``, ``is_active``."""
    name = _check_name(data.get("name"))
    rtype = RelationshipType(
        name=name,
        label_a_b=_check_label(data.get("label_a_b"), "label_a_b"),
        label_b_a=_check_label(data.get("label_b_a"), "label_b_a"),
        contact_type_a=_check_contact_type(data.get("contact_type_a"), "contact_type_a"),
        contact_type_b=_check_contact_type(data.get("contact_type_b"), "contact_type_b"),
        description=(data.get("description") or "").strip() or None,
        is_active=bool(data.get("is_active", True)),
        is_reserved=is_reserved,
    )
    if session.execute(select(RelationshipType.id).where(RelationshipType.name == name)).scalar():
        raise ValidationError(str(_l("This name is already used.")), field="name")
    session.add(rtype)
    session.flush()
    return rtype


def update_relationship_type(
    session: Session, type_id: int, data: dict[str, Any]
) -> RelationshipType:
    """Change the labels, description or ``is_active`` of a type (its name and kinds of
    contact stay: relationships already recorded depend on them)."""
    rtype = get_relationship_type(session, type_id)
    if "label_a_b" in data:
        rtype.label_a_b = _check_label(data["label_a_b"], "label_a_b")
    if "label_b_a" in data:
        rtype.label_b_a = _check_label(data["label_b_a"], "label_b_a")
    if "description" in data:
        rtype.description = (data["description"] or "").strip() or None
    if "is_active" in data:
        rtype.is_active = bool(data["is_active"])
    session.flush()
    return rtype


def delete_relationship_type(session: Session, type_id: int) -> None:
    """Only a type of the admin's that no relationship uses can be deleted."""
    rtype = get_relationship_type(session, type_id)
    if rtype.is_reserved:
        raise ValidationError(
            str(_l("This type is built in: it can be deactivated, not deleted.")),
            field="is_reserved",
        )
    used = session.execute(
        select(func.count()).where(Relationship.relationship_type_id == type_id)
    ).scalar_one()
    if used:
        raise ValidationError(
            str(_l("%(n)d relationships use this type: deactivate it instead.", n=used)), field="id"
        )
    session.delete(rtype)
    session.flush()


def ensure_relationship_types(
    session: Session, definitions: Iterable[dict[str, Any]]
) -> list[RelationshipType]:
    """Create the types of ``definitions`` (dicts with ``name``, ``label_a_b``, ``label_b_a``,
    ``contact_type_a``, ``contact_type_b``) that do not exist yet; return those created.
    Types already there are left as the admin made them. Called when a component is enabled
    with what its ``register_relationship_types`` hook gives."""
    definitions = [d for d in definitions if d and d.get("name")]
    if not definitions:
        return []
    names = [_check_name(d["name"]) for d in definitions]
    existing = set(
        session.execute(
            select(RelationshipType.name).where(RelationshipType.name.in_(names))
        ).scalars()
    )
    created = []
    for name, definition in zip(names, definitions, strict=True):
        if name in existing:
            continue
        created.append(
            create_relationship_type(session, {**definition, "name": name}, is_reserved=True)
        )
        existing.add(name)
    return created


# -- relationships -------------------------------------------------------------------------------


def get_relationship(session: Session, relationship_id: int) -> Relationship:
    rel = session.get(Relationship, relationship_id)
    if rel is None:
        raise NotFound(str(_l("No relationship with the number %(id)s.", id=relationship_id)))
    return rel


def _check_dates(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise ValidationError(
            str(_l("The end date cannot be before the start date.")), field="end_date"
        )


def _check_duplicate(session: Session, rel: Relationship, rtype: RelationshipType) -> None:
    if not rel.is_current(today()):
        return
    pairs = [
        and_(
            Relationship.contact_id_a == rel.contact_id_a,
            Relationship.contact_id_b == rel.contact_id_b,
        )
    ]
    if rtype.is_symmetric:  # "Spouse of" both ways is the same relationship
        pairs.append(
            and_(
                Relationship.contact_id_a == rel.contact_id_b,
                Relationship.contact_id_b == rel.contact_id_a,
            )
        )
    query = select(Relationship.id).where(
        Relationship.relationship_type_id == rtype.id, or_(*pairs), current_condition()
    )
    if rel.id is not None:
        query = query.where(Relationship.id != rel.id)
    if session.execute(query.limit(1)).scalar() is not None:
        raise ValidationError(
            str(_l("These two contacts already have this relationship.")), field="contact_id_b"
        )


def _log(
    session: Session, rel: Relationship, action: str, changes: dict | None, user_id: int | None
) -> None:
    for contact_id in (rel.contact_id_a, rel.contact_id_b):
        record(
            session,
            contact_id=contact_id,
            entity="relationship",
            entity_id=rel.id,
            action=action,
            changes=changes,
            user_id=user_id,
        )


def _values(rel: Relationship) -> dict[str, Any]:
    return {
        "contact_id_a": rel.contact_id_a,
        "contact_id_b": rel.contact_id_b,
        "relationship_type_id": rel.relationship_type_id,
        **{f: getattr(rel, f) for f in RELATIONSHIP_FIELDS},
    }


def create_relationship(
    session: Session, data: dict[str, Any], *, user_id: int | None = None
) -> Relationship:
    """Contact ``contact_id_a`` is ``label_a_b`` of ``contact_id_b``. ``data`` holds typed values
    (dates as ``date``): ``relationship_type_id`` or ``relationship_type`` (name),
    ``start_date``, ``end_date``, ``is_active``, ``description``."""
    if data.get("relationship_type_id") is not None:
        rtype = session.get(RelationshipType, data["relationship_type_id"])
        if rtype is None:
            raise ValidationError(
                str(_l("Unknown relationship type.")), field="relationship_type_id"
            )
    elif data.get("relationship_type"):
        rtype = relationship_type_by_name(session, data["relationship_type"])
    else:
        raise ValidationError(
            str(_l("Choose the kind of relationship.")), field="relationship_type_id"
        )
    if not rtype.is_active:
        raise ValidationError(
            str(
                _l("The relationship type %(label)s is not in use any more.", label=rtype.label_a_b)
            ),
            field="relationship_type_id",
        )
    a_id, b_id = data.get("contact_id_a"), data.get("contact_id_b")
    if a_id is None:
        raise ValidationError(str(_l("Choose the contact.")), field="contact_id_a")
    if b_id is None:
        raise ValidationError(str(_l("Choose the other contact.")), field="contact_id_b")
    if a_id == b_id:
        raise ValidationError(
            str(_l("A contact cannot have a relationship with itself.")), field="contact_id_b"
        )
    contacts = {
        c.id: c
        for c in session.execute(select(Contact).where(Contact.id.in_([a_id, b_id]))).scalars()
    }
    for field, cid, wanted in (
        ("contact_id_a", a_id, rtype.contact_type_a),
        ("contact_id_b", b_id, rtype.contact_type_b),
    ):
        contact = contacts.get(cid)
        if contact is None or contact.is_deleted:
            raise ValidationError(
                str(_l("No contact with the number %(id)s.", id=cid)), field=field
            )
        if wanted and contact.contact_type != wanted:
            raise ValidationError(
                str(
                    _l(
                        "“%(label)s” needs a contact of the kind %(kind)s; %(name)s is a %(actual)s.",
                        label=rtype.label_a_b if field == "contact_id_a" else rtype.label_b_a,
                        kind=_l(wanted),
                        name=contact.display_name,
                        actual=_l(contact.contact_type),
                    )
                ),
                field=field,
            )
    description = (data.get("description") or "").strip() or None
    rel = Relationship(
        contact_id_a=a_id,
        contact_id_b=b_id,
        relationship_type_id=rtype.id,
        start_date=data.get("start_date"),
        end_date=data.get("end_date"),
        is_active=bool(data.get("is_active", True)),
        description=description,
    )
    _check_dates(rel.start_date, rel.end_date)
    _check_duplicate(session, rel, rtype)
    _hooks().pre_save(entity="relationship", action="create", values=_values(rel))
    session.add(rel)
    session.flush()
    _log(
        session,
        rel,
        "create",
        {k: (None, v) for k, v in _values(rel).items() if v not in (None, "")},
        user_id,
    )
    _hooks().post_save(entity="relationship", action="create", obj=rel)
    return rel


def update_relationship(
    session: Session, relationship_id: int, data: dict[str, Any], *, user_id: int | None = None
) -> Relationship:
    """Change the dates, ``is_active`` or description of a relationship."""
    rel = get_relationship(session, relationship_id)
    before = _values(rel)
    for field in RELATIONSHIP_FIELDS:
        if field in data:
            value = data[field]
            if field == "description":
                value = (value or "").strip() or None
            elif field == "is_active":
                value = bool(value)
            setattr(rel, field, value)
    _check_dates(rel.start_date, rel.end_date)
    rtype = session.get(RelationshipType, rel.relationship_type_id)
    _check_duplicate(session, rel, rtype)
    _hooks().pre_save(entity="relationship", action="update", values=_values(rel))
    session.flush()
    after = _values(rel)
    _log(session, rel, "update", {k: (before[k], after[k]) for k in RELATIONSHIP_FIELDS}, user_id)
    _hooks().post_save(entity="relationship", action="update", obj=rel)
    return rel


def end_relationship(
    session: Session, relationship_id: int, *, user_id: int | None = None
) -> Relationship:
    """End a relationship today (it stays, among the past ones)."""
    rel = get_relationship(session, relationship_id)
    now = today()
    changes: dict[str, Any] = {"is_active": False}
    if rel.end_date is None or rel.end_date > now:
        if rel.start_date is None or rel.start_date <= now:
            changes["end_date"] = now
    return update_relationship(session, relationship_id, changes, user_id=user_id)


def delete_relationship(
    session: Session, relationship_id: int, *, user_id: int | None = None
) -> None:
    rel = get_relationship(session, relationship_id)
    _hooks().pre_save(entity="relationship", action="delete", values=_values(rel))
    _log(
        session,
        rel,
        "delete",
        {k: (v, None) for k, v in _values(rel).items() if v not in (None, "")},
        user_id,
    )
    session.delete(rel)
    session.flush()
    _hooks().post_save(entity="relationship", action="delete", obj=rel)


def list_relationships(
    session: Session,
    *,
    contact_id: int | None = None,
    relationship_type: str | None = None,
    relationship_type_id: int | None = None,
    is_active: bool | None = None,
    page: int = 1,
    page_size: int = 25,
) -> tuple[list[Relationship], int]:
    """A page of relationships (newest first) and the total, for the API."""
    query = select(Relationship)
    if contact_id is not None:
        query = query.where(
            or_(Relationship.contact_id_a == contact_id, Relationship.contact_id_b == contact_id)
        )
    if relationship_type:
        rtype = relationship_type_by_name(session, relationship_type)
        query = query.where(Relationship.relationship_type_id == rtype.id)
    if relationship_type_id is not None:
        query = query.where(Relationship.relationship_type_id == relationship_type_id)
    if is_active is not None:
        cond = current_condition()
        query = query.where(cond if is_active else ~cond)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = (
        session.execute(
            query.order_by(Relationship.id.desc()).limit(page_size).offset((page - 1) * page_size)
        )
        .scalars()
        .all()
    )
    return list(rows), total


def represent(session: Session, relationships: list[Relationship]) -> list[dict[str, Any]]:
    """Relationships as the API shows them, with their type's name and labels (one query)."""
    type_ids = {r.relationship_type_id for r in relationships}
    types = {
        t.id: t
        for t in session.execute(
            select(RelationshipType).where(RelationshipType.id.in_(type_ids))
        ).scalars()
    }
    now = today()
    out = []
    for rel in relationships:
        rtype = types[rel.relationship_type_id]
        item = rel.model_dump()
        item.update(
            relationship_type=rtype.name,
            label_a_b=rtype.label_a_b,
            label_b_a=rtype.label_b_a,
            is_active=rel.is_current(now),
        )
        out.append(item)
    return out


# -- a contact's relationships, read from their side ---------------------------------------------


@dataclass
class ContactRelationship:
    """One relationship as a contact's page shows it: "Employee of Le Grain de SEL"."""

    relationship: Relationship
    type: RelationshipType
    other: Contact
    label: str  # the type's label read from this contact's side
    is_current: bool


def contact_relationships(session: Session, contact_id: int) -> list[ContactRelationship]:
    """Every relationship of the contact, both directions, current ones first (one query)."""
    other_id = case(
        (Relationship.contact_id_a == contact_id, Relationship.contact_id_b),
        else_=Relationship.contact_id_a,
    )
    rows = session.execute(
        select(Relationship, RelationshipType, Contact)
        .join(RelationshipType, RelationshipType.id == Relationship.relationship_type_id)
        .join(Contact, Contact.id == other_id)
        .where(
            or_(Relationship.contact_id_a == contact_id, Relationship.contact_id_b == contact_id)
        )
    ).all()
    now = today()
    out = [
        ContactRelationship(
            relationship=rel,
            type=rtype,
            other=other,
            label=rtype.label_a_b if rel.contact_id_a == contact_id else rtype.label_b_a,
            is_current=rel.is_current(now),
        )
        for rel, rtype, other in rows
    ]
    out.sort(
        key=lambda r: (
            not r.is_current,
            str(r.label).lower(),
            r.other.sort_name.lower(),
            -(r.relationship.id or 0),
        )
    )
    return out


def count_current_relationships(session: Session, contact_id: int) -> int:
    """How many current relationships the contact has (the tab's count; one query)."""
    return session.execute(
        select(func.count())
        .select_from(Relationship)
        .where(
            or_(Relationship.contact_id_a == contact_id, Relationship.contact_id_b == contact_id),
            current_condition(),
        )
    ).scalar_one()


def contacts_with_relationship_query(session: Session, type_names: list[str]):
    """``select`` of the ids of contacts having a current relationship of one of the types,
    on either side (for the search filter). Unknown type names are refused."""
    type_ids = list(
        session.execute(
            select(RelationshipType.id).where(RelationshipType.name.in_(type_names))
        ).scalars()
    )
    if len(type_ids) != len(set(type_names)):
        known = set(
            session.execute(
                select(RelationshipType.name).where(RelationshipType.id.in_(type_ids))
            ).scalars()
        )
        unknown = ", ".join(sorted(set(type_names) - known))
        raise ValidationError(
            str(_l("Unknown relationship type: %(name)s", name=unknown)), field="relationship_type"
        )
    side_a = select(Relationship.contact_id_a.label("id")).where(
        Relationship.relationship_type_id.in_(type_ids), current_condition()
    )
    side_b = select(Relationship.contact_id_b.label("id")).where(
        Relationship.relationship_type_id.in_(type_ids), current_condition()
    )
    return union(side_a, side_b)


# -- one-step shortcuts --------------------------------------------------------------------------


def _find_or_create(
    session: Session, contact_type: ContactType, name: str, user_id: int | None
) -> tuple[Contact, bool]:
    from ..contacts.services import create_contact

    field = "organization_name" if contact_type == ContactType.ORGANIZATION else "household_name"
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(str(_l("A name is needed.")), field="name")
    found = session.execute(
        select(Contact)
        .where(
            Contact.contact_type == contact_type.value,
            Contact.display_name == name,
            Contact.is_deleted.is_(False),
        )
        .order_by(Contact.id)
        .limit(1)
    ).scalar()
    if found is not None:
        return found, False
    try:
        contact = create_contact(
            session, {"contact_type": contact_type.value, field: name}, user_id=user_id
        )
    except ValidationError as exc:
        raise ValidationError(exc.message, field="name") from exc
    return contact, True


def _shortcut(
    session: Session,
    contact_id: int,
    type_name: str,
    contact_type: ContactType,
    name: str,
    start_date: date | None,
    user_id: int | None,
) -> tuple[Relationship, Contact, bool]:
    contact = session.get(Contact, contact_id)
    if contact is None or contact.is_deleted:
        raise NotFound(str(_l("No contact with the number %(id)s.", id=contact_id)))
    rtype = relationship_type_by_name(session, type_name)
    if rtype.contact_type_a and contact.contact_type != rtype.contact_type_a:
        raise ValidationError(str(_l("Only a person can have this relationship.")), field="name")
    other, created = _find_or_create(session, contact_type, name, user_id)
    rel = create_relationship(
        session,
        {
            "contact_id_a": contact_id,
            "contact_id_b": other.id,
            "relationship_type_id": rtype.id,
            "start_date": start_date,
        },
        user_id=user_id,
    )
    return rel, other, created


def add_employer(
    session: Session,
    contact_id: int,
    organization_name: str,
    *,
    start_date: date | None = None,
    user_id: int | None = None,
) -> tuple[Relationship, Contact, bool]:
    """One step: the organisation of this exact name (created if there is none) becomes the
    person's employer. Returns the relationship, the organisation and whether it was created."""
    return _shortcut(
        session,
        contact_id,
        "employee_of",
        ContactType.ORGANIZATION,
        organization_name,
        start_date,
        user_id,
    )


def add_household(
    session: Session,
    contact_id: int,
    household_name: str,
    *,
    start_date: date | None = None,
    user_id: int | None = None,
) -> tuple[Relationship, Contact, bool]:
    """One step: the person joins the household of this exact name (created if needed)."""
    return _shortcut(
        session,
        contact_id,
        "household_member_of",
        ContactType.HOUSEHOLD,
        household_name,
        start_date,
        user_id,
    )


def merge_contact_relationships(session: Session, winner_id: int, loser_id: int) -> None:
    """Two contacts merged: a relationship between them means nothing any more (deleted); the
    loser's others move to the winner, except those the winner already has (same type, same
    other contact, same direction)."""
    from sqlalchemy import delete, exists, update
    from sqlalchemy.orm import aliased

    session.execute(
        delete(Relationship).where(
            or_(
                and_(Relationship.contact_id_a == winner_id, Relationship.contact_id_b == loser_id),
                and_(Relationship.contact_id_a == loser_id, Relationship.contact_id_b == winner_id),
            )
        )
    )
    mine = aliased(Relationship)
    for own, other in (("contact_id_a", "contact_id_b"), ("contact_id_b", "contact_id_a")):
        col, other_col = getattr(Relationship, own), getattr(Relationship, other)
        session.execute(
            delete(Relationship).where(
                col == loser_id,
                exists().where(
                    getattr(mine, own) == winner_id,
                    getattr(mine, other) == other_col,
                    mine.relationship_type_id == Relationship.relationship_type_id,
                ),
            )
        )
        session.execute(update(Relationship).where(col == loser_id).values({own: winner_id}))
