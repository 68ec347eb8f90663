"""The quick search finds people by a piece of their name without accents, by email, by phone
however it is typed, and by reference; the advanced search combines criteria."""

from __future__ import annotations

import pytest

from amicale.contacts import services
from amicale.contacts.search import contact_ids_query, quick_search, search_contacts
from amicale.db import session
from amicale.errors import ValidationError


@pytest.fixture
def people(app):
    with app.test_request_context():
        s = session()
        data = [
            {
                "first_name": "Hélène",
                "last_name": "Lao",
                "external_identifier": "SEL-042",
                "emails": [{"email": "helene@example.org"}],
                "phones": [{"phone": "06 12 34 56 78"}],
                "addresses": [{"city": "Lyon", "postal_code": "69004", "country": "FR"}],
            },
            {
                "first_name": "Hélio",
                "last_name": "Çelik",
                "addresses": [{"city": "Villeurbanne", "postal_code": "69100", "country": "FR"}],
            },
            {
                "first_name": "Marc",
                "last_name": "Helier",
                "do_not_email": True,
                "addresses": [{"city": "Genève", "postal_code": "1201", "country": "CH"}],
            },
            {"contact_type": "Organization", "organization_name": "Hélios Énergie"},
        ]
        ids = {}
        for d in data:
            c = services.create_contact(s, d)
            ids[c.display_name] = c.id
        s.commit()
        yield s, ids


def names(contacts):
    return [c.display_name for c in contacts]


def test_helene_finds_helene_and_prefixes_work(people):
    s, _ = people
    assert names(quick_search(s, "helene")) == ["Hélène Lao"]
    assert names(quick_search(s, "HÉLÈNE")) == ["Hélène Lao"]
    assert set(names(quick_search(s, "hel"))) == {
        "Hélène Lao",
        "Hélio Çelik",
        "Marc Helier",
        "Hélios Énergie",
    }
    assert names(quick_search(s, "celik")) == ["Hélio Çelik"]
    assert names(quick_search(s, "hel lao")) == ["Hélène Lao"]  # every word must match
    assert names(quick_search(s, "lao hel")) == ["Hélène Lao"]
    assert quick_search(s, "zzz") == [] and quick_search(s, "  ") == []


def test_email_phone_and_reference(people):
    s, _ = people
    assert names(quick_search(s, "helene@ex")) == ["Hélène Lao"]
    assert names(quick_search(s, "06 12 34")) == ["Hélène Lao"]
    assert names(quick_search(s, "+33612345678")) == ["Hélène Lao"]
    assert names(quick_search(s, "0033 6 12")) == ["Hélène Lao"]
    assert names(quick_search(s, "SEL-042")) == ["Hélène Lao"]


def test_contacts_in_the_trash_are_not_found(people):
    s, ids = people
    services.trash_contact(s, ids["Hélène Lao"])
    s.commit()
    assert quick_search(s, "helene") == []
    assert names(quick_search(s, "helene", include_deleted=True)) == ["Hélène Lao"]


def test_the_advanced_search_combines_criteria(people):
    s, _ = people
    found, total = search_contacts(s, {"postal_code": "69", "name": "hel"})
    assert total == 2 and set(names(found)) == {"Hélène Lao", "Hélio Çelik"}
    found, total = search_contacts(s, {"country": "ch"})
    assert names(found) == ["Marc Helier"]
    found, total = search_contacts(s, {"contact_type": "Organization", "q": "hel"})
    assert names(found) == ["Hélios Énergie"]
    found, total = search_contacts(s, {"do_not_email": "1"})
    assert names(found) == ["Marc Helier"]
    found, total = search_contacts(s, {"city": "Lyon"}, page=1, page_size=1)
    assert total == 1


def test_results_are_sorted_and_paginated(people):
    s, _ = people
    first, total = search_contacts(s, {}, page=1, page_size=2)
    second, _ = search_contacts(s, {}, page=2, page_size=2)
    assert total == 4
    assert len({c.id for c in first + second}) == 4  # no one twice, no one missing
    backwards, _ = search_contacts(s, {}, sort="-sort_name", page_size=10)
    forwards, _ = search_contacts(s, {}, sort="sort_name", page_size=10)
    assert names(backwards) == list(reversed(names(forwards)))


def test_an_unknown_criterion_is_refused(people):
    s, _ = people
    with pytest.raises(ValidationError) as exc:
        contact_ids_query(s, {"shoe_size": "42"})
    assert exc.value.field == "shoe_size"


def test_counting_can_stop_at_a_limit(people):
    s, _ = people
    _found, total = search_contacts(s, {}, count_limit=2)
    assert total == 3  # "more than 2": the count stopped one past the limit
    _found, exact = search_contacts(s, {})
    assert exact == 4
