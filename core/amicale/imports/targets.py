"""The core's own import targets besides contacts: activities and relationships. Components add
theirs (contributions, memberships, participants) through the same ``import_targets`` hook, and
can write their ``import_rows`` with ``import_each``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from ..errors import DomainError
from ..hooktypes import ImportField, ImportResult, ImportTarget


def error_text(exc: DomainError) -> str:
    errors = getattr(exc, "errors", None) or {}
    if errors:
        return "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in errors.items())
    return str(exc)


def import_each(
    session: Session, rows: list[dict], create: Callable[[Session, dict], Any]
) -> list[ImportResult]:
    """``create(session, row)`` for each row in a savepoint of its own: a row the service
    refuses is rejected with its message and leaves nothing behind; the others are created
    (the record's ``id`` is kept to find it again)."""
    results = []
    for row in rows:
        try:
            with session.begin_nested():
                record = create(session, row)
        except DomainError as exc:
            results.append(ImportResult("rejected", error_text(exc)))
            continue
        results.append(ImportResult("created", entity_id=getattr(record, "id", None)))
    return results


def _activity_types() -> list[tuple[str, str]]:
    from ..activities.services import list_activity_types
    from ..db import session

    return [(t.name, str(t.label)) for t in list_activity_types(session(), is_active=True)]


def _relationship_types() -> list[tuple[str, str]]:
    from ..db import session
    from ..relationships.services import list_relationship_types

    return [(t.name, str(t.label_a_b)) for t in list_relationship_types(session())]


def _import_activities(session: Session, rows: list[dict]) -> list[ImportResult]:
    from ..activities.models import PRIORITIES, STATUSES
    from ..activities.services import create_activity

    def create(s: Session, row: dict):
        day = row.get("activity_date")
        data = {
            "activity_type": row["activity_type"],
            "subject": row.get("subject"),
            "details": row.get("details"),
            "location": row.get("location"),
            "duration": row.get("duration"),
            "status": row.get("status") if row.get("status") in STATUSES else "Completed",
            "priority": row.get("priority") if row.get("priority") in PRIORITIES else "Normal",
            "target_contact_ids": [row["contact_id"]],
        }
        if row.get("source_contact_id"):
            data["source_contact_id"] = row["source_contact_id"]
        if day is not None:
            data["activity_date"] = datetime.combine(day, time(12, 0), tzinfo=UTC)
        return create_activity(s, data)

    return import_each(session, rows, create)


def _import_relationships(session: Session, rows: list[dict]) -> list[ImportResult]:
    from ..relationships.services import create_relationship

    def create(s: Session, row: dict):
        return create_relationship(
            s,
            {
                "relationship_type": row["relationship_type"],
                "contact_id_a": row["contact_id_a"],
                "contact_id_b": row["contact_id_b"],
                "start_date": row.get("start_date"),
                "end_date": row.get("end_date"),
                "description": row.get("description"),
                "is_active": row.get("is_active", True),
            },
        )

    return import_each(session, rows, create)


def core_targets() -> list[ImportTarget]:
    from ..activities.models import PRIORITIES, STATUSES

    return [
        ImportTarget(
            "activities",
            _l("Activities"),
            (
                ImportField("contact_id", _l("With contact"), required=True, field_type="contact"),
                ImportField(
                    "activity_type",
                    _l("Kind of activity"),
                    required=True,
                    field_type="choice",
                    options=_activity_types,
                ),
                ImportField("activity_date", _l("Date"), field_type="date"),
                ImportField("subject", _l("Subject")),
                ImportField("details", _l("Details")),
                ImportField("location", _l("Location")),
                ImportField("duration", _l("Duration (minutes)"), field_type="integer"),
                ImportField(
                    "status",
                    _l("Status"),
                    field_type="choice",
                    options=lambda: [(s, s) for s in STATUSES],
                ),
                ImportField(
                    "priority",
                    _l("Priority"),
                    field_type="choice",
                    options=lambda: [(p, p) for p in PRIORITIES],
                ),
                ImportField("source_contact_id", _l("Recorded by"), field_type="contact"),
            ),
            _import_activities,
            weight=20,
        ),
        ImportTarget(
            "relationships",
            _l("Relationships"),
            (
                ImportField("contact_id_a", _l("Contact A"), required=True, field_type="contact"),
                ImportField(
                    "relationship_type",
                    _l("Relationship (A is … of B)"),
                    required=True,
                    field_type="choice",
                    options=_relationship_types,
                ),
                ImportField("contact_id_b", _l("Contact B"), required=True, field_type="contact"),
                ImportField("start_date", _l("Start date"), field_type="date"),
                ImportField("end_date", _l("End date"), field_type="date"),
                ImportField("description", _l("Description")),
                ImportField("is_active", _l("Active"), field_type="boolean"),
            ),
            _import_relationships,
            weight=30,
        ),
    ]
