"""Fixtures of the activity tests: a few contacts and a way to record activities."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime

import pytest


@pytest.fixture
def db(app):
    """``with db() as s:`` a session inside an app and request context."""

    @contextmanager
    def open_session():
        import amicale.db

        with app.test_request_context(headers={"Accept-Language": "en"}):
            yield amicale.db.session()

    return open_session


@pytest.fixture
def people(db) -> dict[str, int]:
    from amicale.contacts.services import create_contact

    rows = {
        "lao": {"contact_type": "Individual", "first_name": "Wei", "last_name": "Lao"},
        "marie": {"contact_type": "Individual", "first_name": "Marie", "last_name": "Dupont"},
        "jean": {"contact_type": "Individual", "first_name": "Jean", "last_name": "Dupont"},
        "grain": {"contact_type": "Organization", "organization_name": "Le Grain de SEL"},
    }
    with db() as s:
        ids = {key: create_contact(s, data).id for key, data in rows.items()}
        s.commit()
    return ids


@pytest.fixture
def record(db):
    """``record(type_name, targets=[...], **fields)`` -> the new activity's id."""
    from amicale.activities.services import create_activity

    def make(
        activity_type: str = "phone_call",
        targets=(),
        assignees=(),
        source=None,
        when: datetime | None = None,
        **fields,
    ) -> int:
        with db() as s:
            activity = create_activity(
                s,
                {
                    "activity_type": activity_type,
                    "target_contact_ids": list(targets),
                    "assignee_contact_ids": list(assignees),
                    "source_contact_id": source,
                    "activity_date": when or datetime(2024, 5, 1, 10, 0, tzinfo=UTC),
                    **fields,
                },
            )
            s.commit()
            return activity.id

    return make
