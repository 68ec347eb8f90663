"""Fixtures of the duplicate tests: a way to make contacts with an email and a postal code."""

from __future__ import annotations

import pytest


@pytest.fixture
def person(db):
    """``person("Jean", "Dupont", email=..., postal_code=..., **more)`` -> the new contact's id."""
    from amicale.contacts.services import create_contact

    def make(first, last, *, email=None, postal_code=None, city="Lyon", **more) -> int:
        data = {"contact_type": "Individual", "first_name": first, "last_name": last, **more}
        if email:
            data["emails"] = [{"email": email}]
        if postal_code:
            data["addresses"] = [{"postal_code": postal_code, "city": city, "country": "FR"}]
        with db() as s:
            cid = create_contact(s, data).id
            s.commit()
        return cid

    return make


@pytest.fixture
def rule_named(db):
    """``rule_named("Same email")`` -> the seeded rule's id."""
    from sqlalchemy import select

    from amicale.dedupe.models import DedupeRule

    def get(name: str) -> int:
        with db() as s:
            return s.execute(select(DedupeRule.id).where(DedupeRule.name == name)).scalar_one()

    return get


def pairs_of(db, rule_id, **kw) -> list[tuple[int, int]]:
    from amicale.dedupe import services

    with db() as s:
        found = services.find_duplicates(s, services.get_rule(s, rule_id), **kw)
        return [(p.contact_a, p.contact_b) for p in found.pairs]
