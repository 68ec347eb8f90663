"""The rules of tags: a hierarchy without cycles (a tag with sub-tags cannot be deleted), tags
put on and taken off many contacts at once with set-based SQL, a contact's tags, and the tag
search criterion (a tag finds the contacts of its sub-tags too). Functions take a session and
flush; the caller commits."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, delete, exists, func, insert, literal, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from ..contacts.models import Contact
from ..errors import NotFound, ValidationError
from .models import USED_FOR, EntityTag, Tag

CONTACT = "contact"
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
CHUNK = 5000


def list_tags(session: Session, *, used_for: str | None = None) -> list[Tag]:
    query = select(Tag).order_by(func.lower(Tag.name), Tag.id)
    if used_for:
        query = query.where(Tag.used_for == used_for)
    return list(session.execute(query).scalars())


def get_tag(session: Session, tag_id: int) -> Tag:
    tag = session.get(Tag, tag_id) if isinstance(tag_id, int) else None
    if tag is None:
        raise NotFound(str(_l("No tag with the number %(id)s.", id=tag_id)))
    return tag


@dataclass
class TreeNode:
    tag: Tag
    depth: int
    children: int
    usage: int


def tag_tree(session: Session) -> list[TreeNode]:
    """Every tag in tree order (each parent followed by its children, by name), with its depth,
    how many children it has and on how many contacts it is (two queries)."""
    tags = list_tags(session)
    usage = dict(
        session.execute(
            select(EntityTag.tag_id, func.count())
            .where(EntityTag.entity_table == CONTACT)
            .group_by(EntityTag.tag_id)
        ).all()
    )
    children: dict[int | None, list[Tag]] = {}
    ids = {t.id for t in tags}
    for t in tags:
        parent = t.parent_id if t.parent_id in ids else None
        children.setdefault(parent, []).append(t)
    out: list[TreeNode] = []

    def walk(parent: int | None, depth: int) -> None:
        for t in children.get(parent, []):
            out.append(TreeNode(t, depth, len(children.get(t.id, [])), usage.get(t.id, 0)))
            walk(t.id, depth + 1)

    walk(None, 0)
    return out


def _parents(session: Session) -> dict[int, int | None]:
    return dict(session.execute(select(Tag.id, Tag.parent_id)).all())


def descendant_ids(session: Session, tag_ids: Iterable[int]) -> set[int]:
    """The tags given and every tag below them (one query: tags are few)."""
    parents = _parents(session)
    children: dict[int, list[int]] = {}
    for tid, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(tid)
    found: set[int] = set()
    todo = [t for t in tag_ids if t in parents]
    while todo:
        tid = todo.pop()
        if tid in found:
            continue
        found.add(tid)
        todo.extend(children.get(tid, []))
    return found


def _check_name(session: Session, value: Any, tag_id: int | None) -> str:
    name = str(value or "").strip()
    if not name:
        raise ValidationError(str(_l("A name is needed.")), field="name")
    if len(name) > 64:
        raise ValidationError(str(_l("At most %(n)d characters.", n=64)), field="name")
    clash = select(Tag.id).where(func.lower(Tag.name) == name.lower())
    if tag_id is not None:
        clash = clash.where(Tag.id != tag_id)
    if session.execute(clash).first():
        raise ValidationError(str(_l("Another tag has this name.")), field="name")
    return name


def _check_parent(session: Session, value: Any, tag_id: int | None) -> int | None:
    if value in (None, "", 0):
        return None
    try:
        parent_id = int(value)
    except (TypeError, ValueError):
        raise ValidationError(str(_l("Choose a tag.")), field="parent_id") from None
    parents = _parents(session)
    if parent_id not in parents:
        raise ValidationError(
            str(_l("No tag with the number %(id)s.", id=parent_id)), field="parent_id"
        )
    # walking up from the new parent must not meet the tag itself
    seen, current = set(), parent_id
    while current is not None and current not in seen:
        if current == tag_id:
            raise ValidationError(
                str(_l("A tag cannot be placed under itself or one of its sub-tags.")),
                field="parent_id",
            )
        seen.add(current)
        current = parents.get(current)
    return parent_id


def _check_color(value: Any) -> str | None:
    color = str(value or "").strip()
    if not color:
        return None
    if not COLOR_RE.match(color):
        raise ValidationError(str(_l("Give the colour as #rrggbb (e.g. #1e88e5).")), field="color")
    return color.lower()


def _check_used_for(value: Any) -> str:
    used_for = value or CONTACT
    if used_for not in USED_FOR:
        raise ValidationError(
            str(_l("Choose one of: %(choices)s.", choices=", ".join(USED_FOR))), field="used_for"
        )
    return used_for


def create_tag(session: Session, data: dict[str, Any]) -> Tag:
    """A new tag from ``name`` (needed, unique), ``description``, ``parent_id``,
    ``is_selectable`` (false for a heading that only organises others), ``color``, ``used_for``."""
    tag = Tag(
        name=_check_name(session, data.get("name"), None),
        description=str(data.get("description") or "").strip()[:255] or None,
        parent_id=_check_parent(session, data.get("parent_id"), None),
        is_selectable=bool(data.get("is_selectable", True)),
        color=_check_color(data.get("color")),
        used_for=_check_used_for(data.get("used_for")),
    )
    session.add(tag)
    session.flush()
    return tag


def update_tag(session: Session, tag_id: int, data: dict[str, Any]) -> Tag:
    """Rename, describe, move under another tag (``parent_id``; None for the top), and so on."""
    tag = get_tag(session, tag_id)
    if "name" in data:
        tag.name = _check_name(session, data["name"], tag.id)
    if "description" in data:
        tag.description = str(data["description"] or "").strip()[:255] or None
    if "parent_id" in data:
        tag.parent_id = _check_parent(session, data["parent_id"], tag.id)
    if "is_selectable" in data and data["is_selectable"] is not None:
        tag.is_selectable = bool(data["is_selectable"])
    if "color" in data:
        tag.color = _check_color(data["color"])
    if "used_for" in data:
        tag.used_for = _check_used_for(data["used_for"])
    session.flush()
    return tag


def delete_tag(session: Session, tag_id: int) -> int:
    """Delete a tag and take it off everyone; returns on how many records it was. A tag with
    sub-tags is refused: move or delete them first, so nothing is lost by surprise."""
    tag = get_tag(session, tag_id)
    children = (
        session.execute(select(Tag.name).where(Tag.parent_id == tag.id).order_by(Tag.name))
        .scalars()
        .all()
    )
    if children:
        raise ValidationError(
            str(
                _l(
                    "%(name)s has sub-tags (%(children)s): move or delete them first.",
                    name=tag.name,
                    children=", ".join(children),
                )
            ),
            field="id",
        )
    used = session.execute(delete(EntityTag).where(EntityTag.tag_id == tag.id)).rowcount
    session.delete(tag)
    session.flush()
    return used or 0


# -- tagging -------------------------------------------------------------------------------------


def _selectable(session: Session, tag_id: int) -> Tag:
    tag = get_tag(session, tag_id)
    if not tag.is_selectable:
        raise ValidationError(
            str(
                _l("The tag %(name)s only organises other tags: choose one of them.", name=tag.name)
            ),
            field="tag_id",
        )
    return tag


def _sources(session: Session, contact_ids: Iterable[int] | Select) -> list[Select]:
    """Selects of one column ``id``: the given select, or the ids in chunks once each is known
    to be a contact."""
    if isinstance(contact_ids, Select):
        sub = contact_ids.subquery()
        return [select(list(sub.c)[0].label("id"))]
    try:
        ids = list(dict.fromkeys(int(i) for i in contact_ids))
    except (TypeError, ValueError):
        raise ValidationError(
            str(_l("Give contacts by their number.")), field="contact_ids"
        ) from None
    chunks = [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
    for chunk in chunks:
        known = set(session.execute(select(Contact.id).where(Contact.id.in_(chunk))).scalars())
        missing = [i for i in chunk if i not in known]
        if missing:
            raise ValidationError(
                str(_l("No contact with the number %(id)s.", id=missing[0])), field="contact_id"
            )
    return [select(Contact.id.label("id")).where(Contact.id.in_(chunk)) for chunk in chunks]


def tag_contacts(session: Session, tag_id: int, contact_ids: Iterable[int] | Select) -> int:
    """Put a tag on many contacts at once (ids, or a select of contact ids); those who have it
    already are left alone. Returns how many got it: one INSERT .. SELECT per batch."""
    tag = _selectable(session, tag_id)
    added = 0
    for source in _sources(session, contact_ids):
        src = source.subquery()
        other = aliased(EntityTag)
        new = select(
            literal(CONTACT, EntityTag.__table__.c.entity_table.type),
            src.c.id,
            literal(tag.id, EntityTag.__table__.c.tag_id.type),
        ).where(
            ~exists().where(
                other.entity_table == CONTACT, other.entity_id == src.c.id, other.tag_id == tag.id
            )
        )
        added += session.execute(select(func.count()).select_from(new.subquery())).scalar_one()
        session.execute(insert(EntityTag).from_select(["entity_table", "entity_id", "tag_id"], new))
    session.flush()
    return added


def untag_contacts(session: Session, tag_id: int, contact_ids: Iterable[int] | Select) -> int:
    """Take a tag off many contacts at once; returns how many had it (one DELETE per batch)."""
    tag = get_tag(session, tag_id)
    removed = 0
    for source in _sources(session, contact_ids):
        src = source.subquery()
        removed += (
            session.execute(
                delete(EntityTag)
                .where(
                    EntityTag.entity_table == CONTACT,
                    EntityTag.tag_id == tag.id,
                    EntityTag.entity_id.in_(select(src.c.id)),
                )
                .execution_options(synchronize_session=False)
            ).rowcount
            or 0
        )
    session.flush()
    session.expire_all()
    return removed


def contact_tags(session: Session, contact_id: int) -> list[Tag]:
    return list(
        session.execute(
            select(Tag)
            .join(EntityTag, EntityTag.tag_id == Tag.id)
            .where(EntityTag.entity_table == CONTACT, EntityTag.entity_id == contact_id)
            .order_by(func.lower(Tag.name))
        ).scalars()
    )


def count_contact_tags(session: Session, contact_id: int) -> int:
    return session.execute(
        select(func.count())
        .select_from(EntityTag)
        .where(EntityTag.entity_table == CONTACT, EntityTag.entity_id == contact_id)
    ).scalar_one()


# -- entity tags (the API's resource) ------------------------------------------------------------


def list_entity_tags(
    session: Session,
    *,
    contact_id: int | None = None,
    tag_id: int | None = None,
    page: int = 1,
    page_size: int = 100,
) -> tuple[list[tuple[EntityTag, str]], int]:
    query = (
        select(EntityTag, Tag.name)
        .join(Tag, Tag.id == EntityTag.tag_id)
        .where(EntityTag.entity_table == CONTACT)
    )
    if contact_id is not None:
        query = query.where(EntityTag.entity_id == contact_id)
    if tag_id is not None:
        query = query.where(EntityTag.tag_id == tag_id)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(EntityTag.entity_id, func.lower(Tag.name), EntityTag.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return [(et, name) for et, name in rows], total


def get_entity_tag(session: Session, entity_tag_id: int) -> EntityTag:
    et = session.get(EntityTag, entity_tag_id)
    if et is None:
        raise NotFound(str(_l("No tagging with the number %(id)s.", id=entity_tag_id)))
    return et


def tag_contact(session: Session, contact_id: int, tag_id: int) -> EntityTag:
    """Put one tag on one contact; refused when the contact has it already."""
    if session.get(Contact, contact_id) is None:
        raise ValidationError(
            str(_l("No contact with the number %(id)s.", id=contact_id)), field="contact_id"
        )
    tag = _selectable(session, tag_id) if session.get(Tag, tag_id) else None
    if tag is None:
        raise ValidationError(str(_l("No tag with the number %(id)s.", id=tag_id)), field="tag_id")
    if session.execute(
        select(EntityTag.id).where(
            EntityTag.entity_table == CONTACT,
            EntityTag.entity_id == contact_id,
            EntityTag.tag_id == tag_id,
        )
    ).first():
        raise ValidationError(
            str(_l("The contact has the tag %(name)s already.", name=tag.name)), field="tag_id"
        )
    et = EntityTag(entity_table=CONTACT, entity_id=contact_id, tag_id=tag_id)
    session.add(et)
    session.flush()
    return et


def delete_entity_tag(session: Session, entity_tag_id: int) -> None:
    session.delete(get_entity_tag(session, entity_tag_id))
    session.flush()


def erase_contact_tags(session: Session, contact_id: int) -> None:
    session.execute(
        delete(EntityTag).where(
            EntityTag.entity_table == CONTACT, EntityTag.entity_id == contact_id
        )
    )


# -- search --------------------------------------------------------------------------------------


def _tag_ids_in(value: Any) -> list[int]:
    values = value if isinstance(value, list | tuple | set) else [value]
    ids = []
    for v in values:
        if isinstance(v, bool) or v in (None, ""):
            continue
        if isinstance(v, int) or (isinstance(v, str) and v.strip().isdigit()):
            ids.append(int(v))
        else:
            raise ValidationError(
                str(_l("Give tags by their number (%(value)s is not one).", value=v)), field="tag"
            )
    return ids


def contacts_tagged_query(session: Session, value: Any) -> Select | None:
    """Ids of the contacts having any of the given tags or of their sub-tags (None when no tag
    is given)."""
    ids = _tag_ids_in(value)
    if not ids:
        return None
    every = sorted(descendant_ids(session, ids)) or [-1]
    return select(EntityTag.entity_id).where(
        EntityTag.tag_id.in_(every), EntityTag.entity_table == CONTACT
    )


def tag_options(session: Session) -> list[tuple[str, str]]:
    """Every tag, indented under its parent, for the search form."""
    return [(str(n.tag.id), "— " * n.depth + n.tag.name) for n in tag_tree(session)]


def merge_contact_tags(session: Session, winner_id: int, loser_id: int) -> None:
    """Two contacts merged: the winner gets the loser's tags it does not have yet."""
    from sqlalchemy import update

    mine = aliased(EntityTag)
    session.execute(
        delete(EntityTag).where(
            EntityTag.entity_table == "contact",
            EntityTag.entity_id == loser_id,
            exists().where(
                mine.entity_table == "contact",
                mine.entity_id == winner_id,
                mine.tag_id == EntityTag.tag_id,
            ),
        )
    )
    session.execute(
        update(EntityTag)
        .where(EntityTag.entity_table == "contact", EntityTag.entity_id == loser_id)
        .values(entity_id=winner_id)
    )
