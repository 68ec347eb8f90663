"""Fixtures: a session inside a request, and a few contacts to work with."""

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
        "lao": {"contact_type": "Individual", "first_name": "Wei", "last_name": "Lao"},
        "marie": {"contact_type": "Individual", "first_name": "Marie", "last_name": "Dupont"},
        "jean": {"contact_type": "Individual", "first_name": "Jean", "last_name": "Dupont"},
        "helene": {
            "contact_type": "Individual",
            "first_name": "Hélène",
            "last_name": "Martin",
            "addresses": [{"city": "Lyon", "country": "FR", "is_primary": True}],
        },
        "grain": {
            "contact_type": "Organization",
            "organization_name": "Le Grain de SEL",
            "addresses": [{"city": "Lyon", "country": "FR", "is_primary": True}],
        },
    }
    with db() as s:
        ids = {key: create_contact(s, data).id for key, data in rows.items()}
        s.commit()
    return ids


@pytest.fixture
def many(db) -> list[int]:
    """Three hundred contacts made in one go, for the bulk operations."""
    from sqlalchemy import insert, select

    from amicale.contacts.models import Contact

    with db() as s:
        s.execute(
            insert(Contact),
            [
                {
                    "contact_type": "Individual",
                    "first_name": f"Person{i}",
                    "last_name": "Bulk",
                    "display_name": f"Person{i} Bulk",
                    "sort_name": f"Bulk, Person{i:03d}",
                }
                for i in range(300)
            ],
        )
        s.commit()
        return list(
            s.execute(
                select(Contact.id).where(Contact.last_name == "Bulk").order_by(Contact.id)
            ).scalars()
        )
