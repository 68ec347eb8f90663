"""Contacts to export: two people and an organisation with details and custom values, one
person in the trash, and a static group of two."""

from __future__ import annotations

import pytest


@pytest.fixture
def profile(db) -> dict[str, int]:
    """A set of custom fields "Profile" for every contact: district (text), dues (money),
    joined (date), diet (select)."""
    from amicale.customfields import services

    with db() as s:
        group = services.create_group(s, {"name": "profile", "title": "Profile"})
        ids = {}
        for i, (name, label, data_type, extra) in enumerate(
            [
                ("district", "District", "text", {}),
                ("dues", "Dues", "money", {}),
                ("joined", "Joined", "date", {}),
                (
                    "diet",
                    "Diet",
                    "select",
                    {"options": [{"value": "vegan", "label": "Vegan"}, {"value": "any"}]},
                ),
            ]
        ):
            field = services.create_field(
                s,
                {
                    "custom_group_id": group.id,
                    "name": name,
                    "label": label,
                    "data_type": data_type,
                    "weight": i,
                    **extra,
                },
            )
            ids[name] = field.id
        s.commit()
    return ids


@pytest.fixture
def members(db, profile) -> dict[str, int]:
    from amicale.contacts.services import create_contact, trash_contact
    from amicale.groups.services import add_contacts, create_group

    rows = {
        "marie": {
            "first_name": "Marie",
            "last_name": "Curie",
            "birth_date": "1967-11-07",
            "emails": [
                {"email": "old@example.org"},
                {"email": "marie@example.org", "is_primary": True},
            ],
            "phones": [{"phone": "+33 6 12 34 56 78", "is_primary": True}],
            "addresses": [
                {
                    "street_address": "3 rue Hélène",
                    "postal_code": "69001",
                    "city": "Lyon",
                    "country": "FR",
                    "is_primary": True,
                }
            ],
            "custom": {
                "district": "Croix-Rousse",
                "dues": "12.50",
                "joined": "2024-03-01",
                "diet": "vegan",
            },
        },
        "jean": {
            "first_name": "Jean",
            "last_name": "Dupont",
            "emails": [{"email": "jean@example.org", "is_primary": True}],
            "addresses": [{"city": "Paris", "country": "FR", "is_primary": True}],
        },
        "grain": {
            "contact_type": "Organization",
            "organization_name": 'Le Grain; de "SEL"',
            "addresses": [{"city": "Lyon", "country": "FR", "is_primary": True}],
        },
        "gone": {"first_name": "Paul", "last_name": "Trashed"},
    }
    with db() as s:
        ids = {key: create_contact(s, data).id for key, data in rows.items()}
        trash_contact(s, ids["gone"])
        group = create_group(s, {"title": "Board"})
        add_contacts(s, group.id, [ids["marie"], ids["grain"]])
        ids["group"] = group.id
        s.commit()
    return ids
