"""Searching contacts on their custom values: every searchable field is a criterion
``custom_<name>`` of the advanced search, the smart groups and the contacts API."""

from __future__ import annotations

import pytest

from amicale.contacts.search import available_filters, contact_ids_query
from amicale.customfields import services
from amicale.errors import ValidationError


@pytest.fixture
def crowd(fields, person) -> dict[str, int]:
    marie = person("Marie", "Curie")
    return {
        "marie": marie,
        "pierre": person(
            "Pierre",
            custom={
                "nickname": "Pierrot",
                "biography": "A physicist, 100% dedicated",
                "children": 2,
                "height": "1,80",
                "pledge": "120",
                "first_visit": "2024-05-01",
                "vegetarian": True,
                "diet": "veggie",
                "skills": ["cook", "drive"],
                "referrer": marie,
            },
        ),
        "irene": person(
            "Irène",
            custom={
                "nickname": "Reine",
                "children": 0,
                "pledge": "12,50",
                "first_visit": "2026-03-14",
                "vegetarian": False,
                "diet": "vegan",
                "skills": ["it"],
            },
        ),
        "eve": person("Ève", custom={"nickname": "PIERRETTE", "diet": "omni"}),
    }


def find(db, criteria) -> set[int]:
    with db() as s:
        return set(s.execute(contact_ids_query(s, criteria)).scalars())


def test_every_searchable_field_is_a_criterion_of_the_advanced_search(db, fields):
    with db() as s:
        filters = available_filters()
        assert filters["custom_diet"].label == "Diet"
        assert filters["custom_diet"].field_type == "select"
        assert filters["custom_diet"].options() == [
            ("omni", "Eats everything"),
            ("veggie", "Vegetarian"),
            ("vegan", "Vegan"),
        ]
        assert filters["custom_skills"].field_type == "multiselect"
        assert filters["custom_pledge"].field_type == "number_range"
        assert filters["custom_first_visit"].field_type == "date_range"
        assert filters["custom_vegetarian"].field_type == "boolean"
        assert filters["custom_nickname"].field_type == "text"
        assert filters["custom_referrer"].field_type == "contact"
        assert "custom_shirt_size" not in filters  # not searchable
        services.update_field(s, fields["diet"], {"is_searchable": False})
        s.commit()
        assert "custom_diet" not in available_filters()


def test_text_is_found_by_a_part_of_it_whatever_the_case(db, crowd):
    assert find(db, {"custom_nickname": "pierr"}) == {crowd["pierre"], crowd["eve"]}
    assert find(db, {"custom_biography": "100%"}) == {crowd["pierre"]}
    assert find(db, {"custom_biography": "1_0"}) == set()  # no wildcard of SQL


def test_a_select_finds_any_of_the_given_options(db, crowd):
    assert find(db, {"custom_diet": "vegan"}) == {crowd["irene"]}
    assert find(db, {"custom_diet": ["vegan", "veggie"]}) == {crowd["irene"], crowd["pierre"]}
    assert find(db, {"custom_skills": ["drive", "it"]}) == {crowd["pierre"], crowd["irene"]}
    assert find(db, {"custom_skills": ["cook"]}) == {crowd["pierre"]}


def test_numbers_money_and_dates_are_searched_by_range(db, crowd):
    assert find(db, {"custom_pledge": {"from": "12,50", "to": "100"}}) == {crowd["irene"]}
    assert find(db, {"custom_pledge": {"from": 13}}) == {crowd["pierre"]}
    assert find(db, {"custom_pledge": "10..20"}) == {crowd["irene"]}
    assert find(db, {"custom_children": "0"}) == {crowd["irene"]}
    assert find(db, {"custom_height": {"to": "2"}}) == {crowd["pierre"]}
    assert find(db, {"custom_first_visit": {"from": "01/01/2025"}}) == {crowd["irene"]}
    assert find(db, {"custom_first_visit": {"from": "2024-01-01", "to": "2024-12-31"}}) == {
        crowd["pierre"]
    }


def test_yes_no_fields_and_contact_references(db, crowd):
    assert find(db, {"custom_vegetarian": "oui"}) == {crowd["pierre"]}
    # "no" is everyone not marked yes
    assert find(db, {"custom_vegetarian": "0"}) == {crowd["irene"], crowd["eve"], crowd["marie"]}
    assert find(db, {"custom_referrer": crowd["marie"]}) == {crowd["pierre"]}


def test_criteria_combine_with_the_core_s(db, crowd):
    assert find(db, {"custom_diet": ["vegan", "veggie"], "name": "irene"}) == {crowd["irene"]}
    assert find(db, {"custom_diet": "vegan", "custom_vegetarian": "1"}) == set()


def test_a_bad_bound_is_refused_with_the_criterion_named(db, crowd):
    with db() as s, pytest.raises(ValidationError) as caught:
        contact_ids_query(s, {"custom_pledge": {"from": "lots"}})
    assert caught.value.field == "custom_pledge"
    with db() as s, pytest.raises(ValidationError):
        contact_ids_query(s, {"custom_first_visit": "yesterday"})


def test_the_search_is_one_query_whatever_the_number_of_criteria(db, crowd, count_queries):
    with db() as s:
        query = contact_ids_query(
            s, {"custom_diet": "vegan", "custom_pledge": "1..100", "custom_nickname": "re"}
        )
        with count_queries(s) as seen:
            found = set(s.execute(query).scalars())
    assert found == {crowd["irene"]} and len(seen) == 1


def test_the_contacts_api_filters_on_custom_fields(api_client, crowd):
    staff = api_client("staff")
    body = staff.get("/api/v1/contacts?custom_diet=vegan").get_json()
    assert [c["id"] for c in body["items"]] == [crowd["irene"]]
    assert body["items"][0]["custom"]["skills"] == ["it"]
    body = staff.get("/api/v1/contacts?custom_skills=cook&custom_skills=it").get_json()
    assert {c["id"] for c in body["items"]} == {crowd["pierre"], crowd["irene"]}
    body = staff.get("/api/v1/contacts?custom_pledge=100..200").get_json()
    assert [c["id"] for c in body["items"]] == [crowd["pierre"]]
    response = staff.get("/api/v1/contacts?custom_pledge=lots")
    assert response.status_code == 422
