"""Fixtures of the custom field tests: a session in a request, a few contacts, and the sets of
fields an association would define (dietary needs, skills, membership details)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event


@pytest.fixture
def db(app):
    """``with db() as s:`` a session inside an app and request context (English)."""

    @contextmanager
    def open_session():
        import amicale.db

        with app.test_request_context(headers={"Accept-Language": "en"}):
            yield amicale.db.session()

    return open_session


@pytest.fixture
def count_queries():
    """``with count_queries(session) as seen:`` -> ``seen`` lists the SQL statements run."""

    @contextmanager
    def counting(session):
        engine = session.get_bind()
        seen: list[str] = []

        def listen(conn, cursor, statement, *args):
            if statement.split(None, 1)[0].upper() in {
                "SELECT",
                "INSERT",
                "UPDATE",
                "DELETE",
                "WITH",
            }:
                seen.append(statement)

        event.listen(engine, "before_cursor_execute", listen)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", listen)

    return counting


FIELDS = [
    # set, name, label, data_type, extra
    ("profile", "nickname", "Nickname", "text", {"max_length": 10, "is_searchable": True}),
    ("profile", "biography", "Biography", "memo", {"is_searchable": True}),
    ("profile", "children", "Number of children", "integer", {"is_searchable": True}),
    ("profile", "height", "Height (m)", "number", {"is_searchable": True}),
    ("profile", "pledge", "Yearly pledge", "money", {"is_searchable": True}),
    ("profile", "first_visit", "First visit", "date", {"is_searchable": True}),
    ("profile", "vegetarian", "Vegetarian", "boolean", {"is_searchable": True}),
    (
        "profile",
        "diet",
        "Diet",
        "select",
        {
            "is_searchable": True,
            "options": [
                {"value": "omni", "label": "Eats everything"},
                {"value": "veggie", "label": "Vegetarian"},
                {"value": "vegan", "label": "Vegan"},
            ],
        },
    ),
    (
        "profile",
        "skills",
        "Skills",
        "multiselect",
        {
            "is_searchable": True,
            "options": [
                {"value": "cook", "label": "Cooking"},
                {"value": "drive", "label": "Driving"},
                {"value": "it", "label": "Computers"},
            ],
        },
    ),
    ("profile", "referrer", "Referred by", "contact_reference", {"is_searchable": True}),
    ("volunteering", "shirt_size", "T-shirt size", "text", {"default_value": "M"}),
    ("volunteering", "badge_number", "Badge number", "integer", {"is_required": True}),
    ("company", "siret", "SIRET", "text", {}),
]


@pytest.fixture
def subtype(db):
    from amicale.contacts.services import create_subtype

    with db() as s:
        create_subtype(s, "volunteer", "Volunteer", "Individual")
        create_subtype(s, "donor", "Donor", "Individual")
        s.commit()


@pytest.fixture
def fields(db, subtype) -> dict[str, int]:
    """Three sets: "profile" for every contact, "volunteering" for Volunteer individuals
    (a required badge number and a T-shirt size that defaults to M), "company" for
    organisations. Returns ``{field name: id}``."""
    from amicale.customfields import services

    sets = {
        "profile": {"title": "Profile", "weight": 1},
        "volunteering": {
            "title": "Volunteering",
            "extends_contact_type": "Individual",
            "extends_subtypes": ["volunteer"],
            "weight": 2,
        },
        "company": {
            "title": "Company",
            "extends_contact_type": "Organization",
            "weight": 3,
        },
    }
    ids = {}
    with db() as s:
        groups = {
            name: services.create_group(s, {"name": name, **data}).id for name, data in sets.items()
        }
        for i, (group, name, label, data_type, extra) in enumerate(FIELDS):
            field = services.create_field(
                s,
                {
                    "custom_group_id": groups[group],
                    "name": name,
                    "label": label,
                    "data_type": data_type,
                    "weight": i,
                    **extra,
                },
            )
            ids[name] = field.id
        ids.update({f"set:{k}": v for k, v in groups.items()})
        s.commit()
    return ids


@pytest.fixture
def person(db):
    """``person("Marie", "Curie", custom={...})`` -> the id of a new individual."""
    from amicale.contacts.services import create_contact

    def make(first: str, last: str = "Test", **data) -> int:
        with db() as s:
            contact = create_contact(s, {"first_name": first, "last_name": last, **data})
            s.commit()
            return contact.id

    return make
