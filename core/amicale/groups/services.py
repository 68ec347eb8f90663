"""The rules of groups: static and smart groups (a saved search evaluated when used), who is a
member, adding and removing many contacts at once with set-based SQL, and the history of every
change. Functions take a session and flush; the caller commits."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Select,
    and_,
    exists,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    union,
    update,
)
from sqlalchemy.orm import aliased
from sqlmodel import Session

from ..accounts.models import User
from ..clock import utcnow
from ..contacts.models import Contact
from ..errors import NotFound, ValidationError
from .models import (
    ADDED,
    GROUP_TYPES,
    METHODS,
    PENDING,
    REMOVED,
    SMART,
    STATIC,
    VISIBILITIES,
    Group,
    GroupContact,
    GroupContactHistory,
)

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
CHUNK = 5000  # contact ids per statement when a list is given (the databases cap parameters)

# Smart groups being evaluated in this context: a group whose criteria lead back to itself
# would otherwise recurse for ever.
_evaluating: ContextVar[frozenset[int]] = ContextVar(
    "amicale_groups_evaluating", default=frozenset()
)


# -- groups --------------------------------------------------------------------------------------


def machine_name(title: str | None) -> str | None:
    """ "Bénévoles du samedi" -> "benevoles_du_samedi"."""
    ascii_title = unicodedata.normalize("NFKD", title or "").encode("ascii", "ignore").decode()
    name = re.sub(r"[^a-z0-9]+", "_", ascii_title.lower()).strip("_")[:64]
    if name and not name[0].isalpha():
        name = f"group_{name}"[:64]
    return name or None


def list_groups(
    session: Session,
    *,
    is_active: bool | None = None,
    group_type: str | None = None,
    is_mailing_list: bool | None = None,
    q: str | None = None,
) -> list[Group]:
    query = select(Group).order_by(Group.title, Group.id)
    if is_active is not None:
        query = query.where(Group.is_active.is_(is_active))
    if group_type:
        query = query.where(Group.group_type == group_type)
    if is_mailing_list is not None:
        query = query.where(Group.is_mailing_list.is_(is_mailing_list))
    if q and q.strip():
        like = f"%{q.strip().lower()}%"
        query = query.where(or_(func.lower(Group.title).like(like), Group.name.like(like)))
    return list(session.execute(query).scalars())


def get_group(session: Session, group_id: int) -> Group:
    group = session.get(Group, group_id) if isinstance(group_id, int) else None
    if group is None:
        raise NotFound(str(_l("No group with the number %(id)s.", id=group_id)))
    return group


def _check_title(session: Session, value: Any, group_id: int | None) -> str:
    title = str(value or "").strip()
    if not title:
        raise ValidationError(str(_l("A title is needed.")), field="title")
    if len(title) > 255:
        raise ValidationError(str(_l("At most %(n)d characters.", n=255)), field="title")
    clash = select(Group.id).where(func.lower(Group.title) == title.lower())
    if group_id is not None:
        clash = clash.where(Group.id != group_id)
    if session.execute(clash).first():
        raise ValidationError(str(_l("Another group has this title.")), field="title")
    return title


def _free_name(session: Session, base: str) -> str:
    """``base``, or ``base_2``, ``base_3``... whichever is free (one query)."""
    taken = set(
        session.execute(
            select(Group.name).where(or_(Group.name == base, Group.name.like(f"{base[:58]}_%")))
        ).scalars()
    )
    if base not in taken:
        return base
    n = 2
    while f"{base[:58]}_{n}" in taken:
        n += 1
    return f"{base[:58]}_{n}"


def _check_name(session: Session, value: Any, group_id: int | None) -> str:
    name = str(value or "").strip().lower()
    if not NAME_RE.match(name):
        raise ValidationError(
            str(_l("Use lower-case letters, digits and underscores, starting with a letter.")),
            field="name",
        )
    clash = select(Group.id).where(Group.name == name)
    if group_id is not None:
        clash = clash.where(Group.id != group_id)
    if session.execute(clash).first():
        raise ValidationError(str(_l("This name is already used.")), field="name")
    return name


def _check_choice(value: Any, choices: Iterable[str], field: str) -> str:
    if value not in tuple(choices):
        raise ValidationError(
            str(_l("Choose one of: %(choices)s.", choices=", ".join(choices))), field=field
        )
    return value


def _group_ids_in(value: Any) -> list[int]:
    """The group numbers of a "group" criterion: one or several, as numbers or digits."""
    values = value if isinstance(value, list | tuple | set) else [value]
    ids = []
    for v in values:
        if isinstance(v, bool) or v in (None, ""):
            continue
        if isinstance(v, int) or (isinstance(v, str) and v.strip().isdigit()):
            ids.append(int(v))
        else:
            raise ValidationError(
                str(_l("Give groups by their number (%(value)s is not one).", value=v)),
                field="group",
            )
    return list(dict.fromkeys(ids))


def _referenced_groups(session: Session, criteria: dict | None) -> set[int]:
    """Every group the criteria lead to, through the criteria of smart groups (one query)."""
    smart = dict(
        session.execute(select(Group.id, Group.criteria).where(Group.group_type == SMART)).all()
    )
    seen: set[int] = set()
    todo = _group_ids_in((criteria or {}).get("group"))
    while todo:
        gid = todo.pop()
        if gid in seen:
            continue
        seen.add(gid)
        todo.extend(_group_ids_in((smart.get(gid) or {}).get("group")))
    return seen


def _check_criteria(session: Session, criteria: Any, group_id: int | None) -> dict[str, Any]:
    """A smart group's saved search: known criteria with values the search accepts, that lead
    neither to the group itself nor to a group that does not exist."""
    from ..contacts.search import contact_ids_query

    if not isinstance(criteria, dict) or not criteria:
        raise ValidationError(str(_l("A smart group needs search criteria.")), field="criteria")
    criteria = {str(k): v for k, v in criteria.items() if v not in (None, "", [], {})}
    if not criteria:
        raise ValidationError(str(_l("A smart group needs search criteria.")), field="criteria")
    try:
        json.dumps(criteria)
    except (TypeError, ValueError):
        raise ValidationError(
            str(_l("The criteria must be plain values (text, numbers, lists).")), field="criteria"
        ) from None
    referenced = _referenced_groups(session, criteria)
    if group_id is not None and group_id in referenced:
        raise ValidationError(
            str(_l("A smart group cannot be defined by its own members.")), field="criteria"
        )
    if referenced:
        known = set(session.execute(select(Group.id).where(Group.id.in_(referenced))).scalars())
        missing = sorted(referenced - known)
        if missing:
            raise ValidationError(
                str(_l("No group with the number %(id)s.", id=missing[0])), field="criteria"
            )
    try:
        contact_ids_query(session, criteria)  # builds (without running) to check every value
    except ValidationError as exc:
        raise ValidationError(exc.message, field="criteria") from None
    return criteria


def create_group(session: Session, data: dict[str, Any], *, user_id: int | None = None) -> Group:
    """A new group from ``title`` (needed), ``name`` (made from the title if not given),
    ``description``, ``group_type`` (static or smart), ``criteria`` (a smart group's search),
    ``is_mailing_list``, ``is_active``, ``visibility``."""
    title = _check_title(session, data.get("title"), None)
    if data.get("name"):
        name = _check_name(session, data["name"], None)
    else:
        name = _free_name(session, machine_name(title) or "group")
    group_type = _check_choice(data.get("group_type") or STATIC, GROUP_TYPES, "group_type")
    criteria = None
    if group_type == SMART:
        criteria = _check_criteria(session, data.get("criteria"), None)
    elif data.get("criteria"):
        raise ValidationError(str(_l("Only a smart group has search criteria.")), field="criteria")
    group = Group(
        name=name,
        title=title,
        description=(str(data.get("description") or "").strip() or None),
        group_type=group_type,
        criteria=criteria,
        is_mailing_list=bool(data.get("is_mailing_list", False)),
        is_active=bool(data.get("is_active", True)),
        visibility=_check_choice(
            data.get("visibility") or VISIBILITIES[0], VISIBILITIES, "visibility"
        ),
        created_by=user_id,
        created_at=utcnow(),
    )
    session.add(group)
    session.flush()
    return group


def update_group(session: Session, group_id: int, data: dict[str, Any]) -> Group:
    """Change what ``data`` gives; the kind of group (static or smart) cannot change."""
    group = get_group(session, group_id)
    if "group_type" in data and data["group_type"] not in (None, group.group_type):
        raise ValidationError(
            str(_l("A group cannot change from static to smart or back; create another one.")),
            field="group_type",
        )
    if "title" in data:
        group.title = _check_title(session, data["title"], group.id)
    if "name" in data and data["name"] != group.name:
        group.name = _check_name(session, data["name"], group.id)
    if "description" in data:
        group.description = str(data["description"] or "").strip() or None
    if "criteria" in data:
        if group.is_smart:
            group.criteria = _check_criteria(session, data["criteria"], group.id)
        elif data["criteria"]:
            raise ValidationError(
                str(_l("Only a smart group has search criteria.")), field="criteria"
            )
    for flag in ("is_mailing_list", "is_active"):
        if flag in data and data[flag] is not None:
            setattr(group, flag, bool(data[flag]))
    if "visibility" in data:
        group.visibility = _check_choice(data["visibility"], VISIBILITIES, "visibility")
    session.flush()
    return group


def delete_group(session: Session, group_id: int) -> None:
    """Delete a group with its memberships and their history; refused while a smart group's
    search uses it."""
    group = get_group(session, group_id)
    users = [
        g
        for g in session.execute(select(Group).where(Group.group_type == SMART)).scalars()
        if g.id != group.id and group.id in _group_ids_in((g.criteria or {}).get("group"))
    ]
    if users:
        raise ValidationError(
            str(
                _l(
                    "The smart group %(title)s searches in this group: change it first.",
                    title=users[0].title,
                )
            ),
            field="id",
        )
    session.delete(group)
    session.flush()


def save_search_as_group(
    session: Session, title: str, criteria: dict[str, Any], user_id: int | None
) -> Group:
    """The advanced search's criteria kept as a smart group (evaluated whenever it is used)."""
    return create_group(
        session, {"title": title, "group_type": SMART, "criteria": criteria}, user_id=user_id
    )


# -- members -------------------------------------------------------------------------------------


def _rows_with(group_id: int, *statuses: str) -> Select:
    return select(GroupContact.contact_id.label("id")).where(
        GroupContact.group_id == group_id, GroupContact.status.in_(statuses)
    )


def _search_query(session: Session, group: Group) -> Select:
    """``select(Contact.id)`` of what a smart group's search finds (trash left out), refusing a
    search that leads back to a group being evaluated."""
    from ..contacts.search import contact_ids_query

    seen = _evaluating.get()
    if group.id in seen:
        raise ValidationError(
            str(_l("A smart group cannot be defined by its own members.")), field="group"
        )
    token = _evaluating.set(seen | {group.id})
    try:
        return contact_ids_query(session, group.criteria or {})
    finally:
        _evaluating.reset(token)


def member_ids_query(session: Session, group: Group) -> Select:
    """The members' ids as one column ``id``, without touching the contact table itself (what
    the search filter nests in ``Contact.id IN (...)``)."""
    added = _rows_with(group.id, ADDED)
    if not group.is_smart:
        return added
    found = _search_query(session, group).subquery()
    # a CTE, not a subquery: SQLite parses each CTE at the top of the statement, so that smart
    # groups made of smart groups do not nest deeper and deeper ("parser stack overflow")
    both = union(select(found.c.id), added).cte()
    return select(both.c.id).where(both.c.id.not_in(_rows_with(group.id, REMOVED)))


def group_contact_ids_query(session: Session, group: Group) -> Select:
    """``select(Contact.id)`` of the members not in the trash: for a static group those Added;
    for a smart group those its criteria find now, plus those Added by hand, minus those
    Removed by hand."""
    member = member_ids_query(session, group).subquery()
    return select(Contact.id).where(
        Contact.is_deleted.is_(False), Contact.id.in_(select(member.c.id))
    )


def member_count(session: Session, group: Group) -> int:
    return session.execute(
        select(func.count()).select_from(group_contact_ids_query(session, group).subquery())
    ).scalar_one()


def member_counts(session: Session, groups: list[Group]) -> dict[int, int | None]:
    """Members of many groups: the static ones in one GROUP BY query, each smart one evaluated
    (its search runs; None when its search no longer works)."""
    counts = {g.id: 0 for g in groups}
    static_ids = [g.id for g in groups if not g.is_smart]
    if static_ids:
        counts.update(
            session.execute(
                select(GroupContact.group_id, func.count())
                .join(Contact, Contact.id == GroupContact.contact_id)
                .where(
                    GroupContact.group_id.in_(static_ids),
                    GroupContact.status == ADDED,
                    Contact.is_deleted.is_(False),
                )
                .group_by(GroupContact.group_id)
            ).all()
        )
    for g in groups:
        if g.is_smart:
            try:
                counts[g.id] = member_count(session, g)
            except ValidationError:  # its search no longer works (a criterion went away)
                counts[g.id] = None
    return counts


def list_members(
    session: Session, group: Group, *, page: int = 1, page_size: int = 25
) -> tuple[list[Contact], int]:
    """A page of members by sort name, and how many there are."""
    ids = group_contact_ids_query(session, group)
    total = session.execute(select(func.count()).select_from(ids.subquery())).scalar_one()
    rows = session.execute(
        ids.with_only_columns(Contact)
        .order_by(Contact.sort_name, Contact.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).scalars()
    return list(rows), total


def _chunks(session: Session, contact_ids: Iterable[int] | Select) -> list[Select]:
    """The contacts to change as selects of one column: the given select itself, or the list
    of ids in chunks, once every id is known to be a contact."""
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
                str(_l("No contact with the number %(id)s.", id=missing[0])), field="contact_ids"
            )
    return [select(Contact.id.label("id")).where(Contact.id.in_(chunk)) for chunk in chunks]


def _set_status(
    session: Session,
    group: Group,
    source: Select,
    status: str,
    *,
    user_id: int | None,
    method: str,
    tracking: str | None,
    now: datetime,
) -> int:
    """Give ``status`` to the contacts of ``source`` that should change: one history insert,
    one UPDATE of the existing rows and one INSERT .. SELECT of the new ones."""
    src = source.subquery()
    row = aliased(GroupContact)
    has_row = exists().where(row.group_id == group.id, row.contact_id == src.c.id)
    has_row_with = lambda *st: exists().where(  # noqa: E731
        row.group_id == group.id, row.contact_id == src.c.id, row.status.in_(st)
    )
    if status == REMOVED:
        # members (and pending ones) lose their place; others have nothing to lose
        members = member_ids_query(session, group).subquery()
        changing = or_(src.c.id.in_(select(members.c.id)), has_row_with(PENDING))
        changing = and_(changing, ~has_row_with(REMOVED))
        update_from = (ADDED, PENDING)
    else:
        changing = ~has_row_with(status)
        update_from = tuple(s for s in (ADDED, REMOVED, PENDING) if s != status)
    candidates = select(src.c.id).where(changing)
    count = session.execute(select(func.count()).select_from(candidates.subquery())).scalar_one()
    if not count:
        return 0
    history = GroupContactHistory.__table__.c
    session.execute(
        insert(GroupContactHistory).from_select(
            ["group_id", "contact_id", "status", "method", "user_id", "changed_at", "tracking"],
            select(
                literal(group.id, history.group_id.type),
                src.c.id,
                literal(status, history.status.type),
                literal(method, history.method.type),
                literal(user_id, history.user_id.type),
                literal(now, history.changed_at.type),
                literal(tracking, history.tracking.type),
            ).where(changing),
        )
    )
    source_ids = select(src.c.id)
    session.execute(
        update(GroupContact)
        .where(
            GroupContact.group_id == group.id,
            GroupContact.contact_id.in_(source_ids),
            GroupContact.status.in_(update_from),
        )
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    new_rows = select(
        literal(group.id, GroupContact.__table__.c.group_id.type),
        src.c.id,
        literal(status, GroupContact.__table__.c.status.type),
    ).where(~has_row)
    if status == REMOVED:  # only those the search finds need a row saying they are out
        members = member_ids_query(session, group).subquery()
        new_rows = new_rows.where(src.c.id.in_(select(members.c.id)))
    session.execute(
        insert(GroupContact).from_select(["group_id", "contact_id", "status"], new_rows)
    )
    return count


def _change(
    session: Session,
    group_id: int,
    contact_ids: Iterable[int] | Select,
    status: str,
    user_id: int | None,
    method: str,
    tracking: str | None,
) -> int:
    group = get_group(session, group_id)
    _check_choice(method, METHODS, "method")
    if tracking is not None:
        tracking = str(tracking)[:255] or None
    now = utcnow()
    changed = 0
    for source in _chunks(session, contact_ids):
        changed += _set_status(
            session,
            group,
            source,
            status,
            user_id=user_id,
            method=method,
            tracking=tracking,
            now=now,
        )
    session.flush()
    session.expire_all()  # rows changed behind the ORM's back
    return changed


def add_contacts(
    session: Session,
    group_id: int,
    contact_ids: Iterable[int] | Select,
    *,
    user_id: int | None = None,
    method: str = "Admin",
    tracking: str | None = None,
) -> int:
    """Add many contacts at once (a list of ids, or a select of contact ids such as a search's
    ``contact_ids_query``). Those already Added are left alone and not logged again; returns how
    many were added. Set-based: a few statements whatever the number of contacts."""
    return _change(session, group_id, contact_ids, ADDED, user_id, method, tracking)


def remove_contacts(
    session: Session,
    group_id: int,
    contact_ids: Iterable[int] | Select,
    *,
    user_id: int | None = None,
    method: str = "Admin",
    tracking: str | None = None,
) -> int:
    """Remove many contacts at once: their row says Removed (so a smart group leaves them out
    even when its search finds them). Contacts who are not members are left alone; returns how
    many were removed."""
    return _change(session, group_id, contact_ids, REMOVED, user_id, method, tracking)


def set_pending(
    session: Session,
    group_id: int,
    contact_ids: Iterable[int] | Select,
    *,
    method: str = "Web",
    tracking: str | None = None,
) -> int:
    """Mark contacts Pending in a group (a double opt-in waiting for its confirmation); those
    already Added stay Added. Returns how many became Pending."""
    added = select(GroupContact.contact_id).where(
        GroupContact.group_id == group_id, GroupContact.status == ADDED
    )
    if isinstance(contact_ids, Select):
        source = contact_ids.subquery()
        ids = select(source.c[0]).where(source.c[0].not_in(added))
    else:
        already = set(session.scalars(added.where(GroupContact.contact_id.in_(list(contact_ids)))))
        ids = [i for i in contact_ids if i not in already]
    return _change(session, group_id, ids, PENDING, None, method, tracking)


# -- a contact's groups --------------------------------------------------------------------------


@dataclass
class ContactGroup:
    group: Group
    status: str  # Added, Removed, Pending, or "Smart" when found by the group's search alone


def count_contact_groups(session: Session, contact_id: int) -> int:
    """Groups the contact was added to (one COUNT; smart groups found by search are not
    counted: that would run every search)."""
    return session.execute(
        select(func.count())
        .select_from(GroupContact)
        .where(GroupContact.contact_id == contact_id, GroupContact.status == ADDED)
    ).scalar_one()


def contact_groups(session: Session, contact_id: int) -> list[ContactGroup]:
    """The groups a contact has a row in (Added, Pending, Removed), and the active smart groups
    whose search finds them (all smart groups tested in one query)."""
    rows = session.execute(
        select(Group, GroupContact.status)
        .join(GroupContact, GroupContact.group_id == Group.id)
        .where(GroupContact.contact_id == contact_id)
        .order_by(Group.title)
    ).all()
    out = [ContactGroup(g, status) for g, status in rows]
    seen = {g.id for g, _s in rows}
    smart = [
        g
        for g in session.execute(
            select(Group).where(Group.group_type == SMART, Group.is_active.is_(True))
        ).scalars()
        if g.id not in seen
    ]
    if smart:
        tests = []
        for g in smart:
            try:  # the search narrowed to this contact: a primary key lookup, not a scan
                search = _search_query(session, g).where(Contact.id == contact_id)
            except ValidationError:
                continue  # a broken search finds nobody
            tests.append(select(literal(g.id).label("gid")).where(exists(search)))
        if tests:
            found = set(session.execute(union(*tests) if len(tests) > 1 else tests[0]).scalars())
            out.extend(ContactGroup(g, "Smart") for g in smart if g.id in found)
    out.sort(key=lambda cg: (cg.status not in (ADDED, "Smart"), cg.group.title.lower()))
    return out


@dataclass
class HistoryEntry:
    entry: GroupContactHistory
    group_title: str
    user_email: str | None
    contact_name: str | None = None


def contact_history(session: Session, contact_id: int, *, limit: int = 200) -> list[HistoryEntry]:
    """Every change of the contact's groups, newest first, with who made it."""
    rows = session.execute(
        select(GroupContactHistory, Group.title, User.email)
        .join(Group, Group.id == GroupContactHistory.group_id)
        .outerjoin(User, User.id == GroupContactHistory.user_id)
        .where(GroupContactHistory.contact_id == contact_id)
        .order_by(GroupContactHistory.changed_at.desc(), GroupContactHistory.id.desc())
        .limit(limit)
    ).all()
    return [HistoryEntry(h, title, email) for h, title, email in rows]


def group_history(session: Session, group_id: int, *, limit: int = 20) -> list[HistoryEntry]:
    """The latest changes of a group's members, newest first."""
    rows = session.execute(
        select(GroupContactHistory, User.email, Contact.display_name)
        .join(Contact, Contact.id == GroupContactHistory.contact_id)
        .outerjoin(User, User.id == GroupContactHistory.user_id)
        .where(GroupContactHistory.group_id == group_id)
        .order_by(GroupContactHistory.changed_at.desc(), GroupContactHistory.id.desc())
        .limit(limit)
    ).all()
    return [HistoryEntry(h, "", email, name) for h, email, name in rows]


# -- search --------------------------------------------------------------------------------------


def contacts_in_groups_query(session: Session, value: Any) -> Select | None:
    """Ids of the members of any of the given groups (smart ones evaluated), or None when no
    group is given. Unknown groups find nobody."""
    ids = _group_ids_in(value)
    if not ids:
        return None
    groups = list(session.execute(select(Group).where(Group.id.in_(ids))).scalars())
    if not groups:
        return select(GroupContact.contact_id.label("id")).where(false())
    static = [g.id for g in groups if not g.is_smart]
    parts: list[Select] = []
    if static:
        parts.append(
            select(GroupContact.contact_id.label("id")).where(
                GroupContact.group_id.in_(static), GroupContact.status == ADDED
            )
        )
    parts.extend(member_ids_query(session, g) for g in groups if g.is_smart)
    if len(parts) == 1:
        return parts[0]
    both = union(*parts).subquery()
    return select(both.c.id)


def group_options(session: Session) -> list[tuple[str, str]]:
    return [(str(g.id), g.title) for g in list_groups(session, is_active=True)]


def merge_contact_groups(session: Session, winner_id: int, loser_id: int) -> None:
    """Two contacts merged: the loser's group memberships go to the winner, except in the
    groups where the winner has a status already (the winner's is kept); the history of both
    stays, now under the winner."""
    from sqlalchemy import delete
    from sqlalchemy.orm import aliased

    mine = aliased(GroupContact)
    session.execute(
        delete(GroupContact).where(
            GroupContact.contact_id == loser_id,
            exists().where(mine.contact_id == winner_id, mine.group_id == GroupContact.group_id),
        )
    )
    session.execute(
        update(GroupContact).where(GroupContact.contact_id == loser_id).values(contact_id=winner_id)
    )
    session.execute(
        update(GroupContactHistory)
        .where(GroupContactHistory.contact_id == loser_id)
        .values(contact_id=winner_id)
    )
