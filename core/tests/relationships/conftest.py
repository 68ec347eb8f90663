"""Fixtures of the relationship tests: a few people, an organisation and a household."""

from __future__ import annotations

from contextlib import contextmanager

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
        "marie": {"contact_type": "Individual", "first_name": "Marie", "last_name": "Dupont"},
        "jean": {"contact_type": "Individual", "first_name": "Jean", "last_name": "Dupont"},
        "lao": {"contact_type": "Individual", "first_name": "Wei", "last_name": "Lao"},
        "grain": {"contact_type": "Organization", "organization_name": "Le Grain de SEL"},
        "foyer": {"contact_type": "Household", "household_name": "Famille Dupont"},
    }
    with db() as s:
        ids = {key: create_contact(s, data).id for key, data in rows.items()}
        s.commit()
    return ids


@pytest.fixture
def rtype(db):
    """``rtype("employee_of")`` -> the id of a relationship type."""
    from amicale.relationships.services import relationship_type_by_name

    def get(name: str) -> int:
        with db() as s:
            return relationship_type_by_name(s, name).id

    return get
