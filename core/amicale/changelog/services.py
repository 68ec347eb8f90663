"""Record and read the change log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from ..clock import utcnow
from .models import ChangeLog


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def record(
    session: Session,
    *,
    contact_id: int | None,
    entity: str,
    entity_id: int | None,
    action: str,
    changes: dict[str, tuple[Any, Any]] | None = None,
    user_id: int | None = None,
) -> None:
    """Add the rows for one write: one per changed field; with ``changes=None``, one row for
    the action alone (trash, restore)."""
    now = utcnow()
    if changes is not None:
        changes = {k: v for k, v in changes.items() if _text(v[0]) != _text(v[1])}
        if not changes:
            return  # nothing really changed: nothing to log
    if not changes:
        session.add(
            ChangeLog(
                contact_id=contact_id,
                entity=entity,
                entity_id=entity_id,
                action=action,
                user_id=user_id,
                changed_at=now,
            )
        )
        return
    for field, (old, new) in changes.items():
        session.add(
            ChangeLog(
                contact_id=contact_id,
                entity=entity,
                entity_id=entity_id,
                action=action,
                field=field,
                old_value=_text(old),
                new_value=_text(new),
                user_id=user_id,
                changed_at=now,
            )
        )


def contact_changes(
    session: Session, contact_id: int, *, limit: int = 200, offset: int = 0
) -> list[ChangeLog]:
    return list(
        session.execute(
            select(ChangeLog)
            .where(ChangeLog.contact_id == contact_id)
            .order_by(ChangeLog.changed_at.desc(), ChangeLog.id.desc())
            .limit(limit)
            .offset(offset)
        ).scalars()
    )
