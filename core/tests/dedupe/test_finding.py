"""Duplicate rules and finding the likely duplicates: blocking, trash, exceptions, groups."""

from __future__ import annotations

import pytest

from amicale.dedupe import services
from amicale.dedupe.finding import RuleSpec, block_plan, find_pairs
from amicale.errors import ValidationError

from .conftest import pairs_of


def test_a_new_database_has_the_default_rules_and_same_email_comes_first(db):
    with db() as s:
        rules = services.represent_rules(s, services.list_rules(s))
        assert services.rule_label(services.default_rule(s)) == "Same email"
        assert services.default_rule(s, "Organization").contact_type == "Organization"
    names = {r["name"] for r in rules}
    assert {
        "Same email",
        "Same first name, last name and email",
        "Same first name, last name and postal code",
        "Similar name in the same postal code",
        "Similar organisation name and same email",
    } <= names


def test_two_people_sharing_an_email_are_a_pair_and_others_are_not(db, person, rule_named):
    a = person("Jean", "Dupont", email="jean@example.org")
    b = person("J.", "Dupont", email="JEAN@example.org")
    person("Marie", "Dupont", email="marie@example.org")
    with db() as s:
        found = services.find_duplicates(s, services.get_rule(s, rule_named("Same email")))
    assert [(p.contact_a, p.contact_b, p.score, p.matched) for p in found.pairs] == [
        (a, b, 10, ("email",))
    ]
    assert found.candidates == 1  # only the block of the shared email was compared


def test_trashed_contacts_and_pairs_marked_not_duplicate_are_left_out(db, person, rule_named):
    from amicale.contacts.services import trash_contact

    a = person("Jean", "Dupont", email="jean@example.org")
    b = person("Jean", "Dupont", email="jean@example.org")
    c = person("Jean", "Dupont", email="jean@example.org")
    rule = rule_named("Same email")
    assert pairs_of(db, rule) == [(a, b), (a, c), (b, c)]
    with db() as s:
        trash_contact(s, c)
        services.mark_not_duplicate(s, b, a)
        s.commit()
    assert pairs_of(db, rule) == []


def test_a_misspelt_name_in_the_same_postal_code_is_found_by_the_fuzzy_rule(db, person, rule_named):
    a = person("Hélène", "Martin", postal_code="69001")
    b = person("Helene", "Martinn", postal_code="69001")
    person("Hélène", "Martin", postal_code="75011")  # same name, elsewhere
    person("Paul", "Martin", postal_code="69001")  # same family, another person
    rule = rule_named("Similar name in the same postal code")
    with db() as s:
        found = services.find_duplicates(s, services.get_rule(s, rule))
    assert [(p.contact_a, p.contact_b) for p in found.pairs] == [(a, b)]
    assert found.pairs[0].score == 20
    assert found.plan == [["postal_code"]]
    # exact names do not catch the typo
    assert pairs_of(db, rule_named("Same first name, last name and postal code")) == []


def test_exact_first_last_and_postal_code(db, person, rule_named):
    a = person("Jean", "Dupont", postal_code="69001")
    b = person("jean", "DUPONT ", postal_code="69001")
    person("Jean", "Dupont", postal_code="69004")
    assert pairs_of(db, rule_named("Same first name, last name and postal code")) == [(a, b)]


def test_the_search_can_be_limited_to_a_group(db, person, rule_named):
    from amicale.groups.services import add_contacts, create_group

    a = person("Jean", "Dupont", email="jean@example.org")
    b = person("Jean", "Dupont", email="jean@example.org")
    c = person("Anne", "Roux", email="anne@example.org")
    d = person("Anne", "Roux", email="anne@example.org")
    with db() as s:
        group = create_group(s, {"title": "Bénévoles"})
        add_contacts(s, group.id, [c, d])
        s.commit()
        group_id = group.id
    rule = rule_named("Same email")
    assert pairs_of(db, rule) == [(a, b), (c, d)]
    assert pairs_of(db, rule, group_id=group_id) == [(c, d)]


def test_organisations_with_a_similar_name_and_the_same_email(db, rule_named):
    from amicale.contacts.services import create_contact

    def org(name, email):
        return create_contact(
            s,
            {
                "contact_type": "Organization",
                "organization_name": name,
                "emails": [{"email": email}],
            },
        ).id

    with db() as s:
        a = org("Le Grain de SEL", "contact@grain.org")
        b = org("Le Grain de Sel.", "contact@grain.org")
        org("Les Restos", "contact@grain.org")
        s.commit()
    assert pairs_of(db, rule_named("Similar organisation name and same email")) == [(a, b)]


def test_blocking_uses_the_required_exact_fields_or_falls_back_to_the_postal_code():
    name_email = RuleSpec(
        "Individual",
        20,
        (("first_name", "exact", 5, 85), ("last_name", "exact", 5, 85), ("email", "exact", 10, 85)),
    )
    assert block_plan(name_email) == [["first_name", "last_name", "email"]]
    either = RuleSpec("Individual", 10, (("email", "exact", 10, 85), ("phone", "exact", 10, 85)))
    assert block_plan(either) == [["email"], ["phone"]]
    fuzzy_only = RuleSpec("Individual", 10, (("last_name", "fuzzy", 10, 85),))
    assert block_plan(fuzzy_only) == [["postal_code"]]


def test_people_far_apart_are_never_compared(db, person):
    for code in ("69001", "69004", "75011", "13001"):
        person("Jean", "Dupont", postal_code=code)
    spec = RuleSpec("Individual", 10, (("last_name", "fuzzy", 10, 85),))
    with db() as s:
        found = find_pairs(s, spec)
    assert found.pairs == [] and found.candidates == 0


def test_an_admin_rule_is_checked_and_nothing_is_saved_on_bad_input(db):
    with db() as s:
        before = len(services.list_rules(s))
        with pytest.raises(ValidationError) as bad:
            services.save_rule(
                s,
                {
                    "name": "Same email",
                    "contact_type": "Individual",
                    "threshold": 50,
                    "fields": [
                        {"field": "email", "weight": 10},
                        {"field": "email", "weight": 10},
                        {"field": "organization_name", "weight": 10},
                        {"field": "shoe_size", "weight": 10},
                    ],
                },
            )
        s.rollback()
        assert set(bad.value.errors) == {"fields.3.field"}
        with pytest.raises(ValidationError) as bad:
            services.save_rule(
                s,
                {
                    "name": "Same email",
                    "threshold": 50,
                    "fields": [
                        {"field": "email", "weight": 10},
                        {"field": "email", "weight": 10},
                        {"field": "organization_name", "weight": 10},
                    ],
                },
            )
        s.rollback()
        assert set(bad.value.errors) == {"name", "fields.1.field", "fields.2.field", "threshold"}
        assert len(services.list_rules(s)) == before
        rule = services.save_rule(
            s,
            {
                "name": "Same phone",
                "threshold": 10,
                "is_default": True,
                "fields": [{"field": "phone", "weight": 10}],
            },
        )
        s.commit()
        assert services.default_rule(s).id == rule.id
