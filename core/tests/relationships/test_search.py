"""The "relationship_type" search criterion: contacts with a current relationship of a type,
on either side."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from amicale.contacts.search import available_filters, contact_ids_query
from amicale.errors import ValidationError
from amicale.relationships import services


def found(db, criteria) -> set[int]:
    with db() as s:
        return set(s.execute(contact_ids_query(s, criteria)).scalars())


@pytest.fixture
def employment(db, people):
    with db() as s:
        services.create_relationship(
            s,
            {
                "contact_id_a": people["marie"],
                "contact_id_b": people["grain"],
                "relationship_type": "employee_of",
            },
        )
        services.create_relationship(
            s,
            {
                "contact_id_a": people["jean"],
                "contact_id_b": people["grain"],
                "relationship_type": "employee_of",
                "start_date": date(2010, 1, 1),
                "end_date": date.today() - timedelta(days=30),
            },
        )
        services.create_relationship(
            s,
            {
                "contact_id_a": people["jean"],
                "contact_id_b": people["foyer"],
                "relationship_type": "household_member_of",
            },
        )
        s.commit()


def test_employees_and_employers_are_found_but_not_former_employees(db, people, employment):
    assert found(db, {"relationship_type": "employee_of"}) == {people["marie"], people["grain"]}
    assert found(db, {"relationship_type": ["employee_of", "household_member_of"]}) == {
        people["marie"],
        people["grain"],
        people["jean"],
        people["foyer"],
    }


def test_the_criterion_combines_with_others(db, people, employment):
    assert found(db, {"relationship_type": "employee_of", "contact_type": "Individual"}) == {
        people["marie"]
    }


def test_an_unknown_type_is_refused_with_a_message(db, employment):
    with pytest.raises(ValidationError) as exc:
        found(db, {"relationship_type": "cousin_of"})
    assert exc.value.field == "relationship_type" and "cousin_of" in exc.value.message


def test_the_criterion_offers_the_types_by_label(db):
    with db():
        criterion = available_filters()["relationship_type"]
        options = dict(criterion.options())
    assert criterion.field_type == "select"
    assert options["employee_of"] == "Employee of / Employer of"
    assert options["spouse_of"] == "Spouse of"


def test_the_contacts_search_page_uses_it(login_as, people, employment):
    page = login_as("staff", locale="en").get("/contacts/?relationship_type=employee_of")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    links = {key: f'href="/contacts/{cid}"' in text for key, cid in people.items()}
    assert links == {"marie": True, "grain": True, "jean": False, "lao": False, "foyer": False}
