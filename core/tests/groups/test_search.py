"""The "member of the group" criterion of the advanced search: static and smart groups, on the
search page, in the API and inside another smart group."""

from __future__ import annotations

import pytest

from amicale.contacts.search import contact_ids_query
from amicale.errors import ValidationError
from amicale.groups import services


def found(db, criteria) -> set[int]:
    with db() as s:
        return set(s.execute(contact_ids_query(s, criteria)).scalars())


@pytest.fixture
def groups(db, people) -> dict[str, int]:
    with db() as s:
        news = services.create_group(s, {"title": "Newsletter"})
        services.add_contacts(s, news.id, [people["lao"], people["helene"]])
        old = services.create_group(s, {"title": "Old"})
        services.add_contacts(s, old.id, [people["jean"]])
        services.remove_contacts(s, old.id, [people["jean"]])
        lyon = services.save_search_as_group(s, "Lyonnais", {"city": "Lyon"}, None)
        services.remove_contacts(s, lyon.id, [people["grain"]])
        s.commit()
        return {"news": news.id, "old": old.id, "lyon": lyon.id}


def test_members_of_a_static_group_are_found(db, people, groups):
    assert found(db, {"group": [groups["news"]]}) == {people["lao"], people["helene"]}
    assert found(db, {"group": str(groups["news"])}) == {people["lao"], people["helene"]}
    assert found(db, {"group": [groups["old"]]}) == set()  # removed is not a member


def test_members_of_a_smart_group_are_found_and_combined_with_other_criteria(db, people, groups):
    assert found(db, {"group": [groups["lyon"]]}) == {people["helene"]}
    assert found(db, {"group": [groups["lyon"], groups["news"]]}) == {
        people["helene"],
        people["lao"],
    }
    assert found(db, {"group": [groups["news"]], "city": "Lyon"}) == {people["helene"]}


def test_a_smart_group_can_search_in_another_group(db, people, groups):
    with db() as s:
        nested = services.save_search_as_group(
            s, "News in Lyon", {"group": [groups["news"]], "city": "Lyon"}, None
        )
        s.commit()
    assert found(db, {"group": [nested.id]}) == {people["helene"]}


def test_unknown_groups_find_nobody_and_bad_values_are_refused(db, people, groups):
    assert found(db, {"group": [424242]}) == set()
    with db() as s, pytest.raises(ValidationError) as err:
        contact_ids_query(s, {"group": ["newsletter"]})
    assert err.value.field == "group"


def test_a_group_that_was_made_to_search_in_itself_finds_nobody_instead_of_looping(
    db, people, groups
):
    from amicale.groups.models import Group

    with db() as s:  # written behind the service's back, as an old import might
        s.get(Group, groups["lyon"]).criteria = {"group": [groups["lyon"]]}
        s.commit()
    with db() as s, pytest.raises(ValidationError):
        contact_ids_query(s, {"group": [groups["lyon"]]})


def test_the_search_page_filters_by_group(login_as, people, groups):
    staff = login_as("staff", locale="en")
    page = staff.get(f"/contacts/?group={groups['news']}").get_data(as_text=True)
    assert "Wei Lao" in page or "Lao, Wei" in page
    assert "Dupont" not in page
    assert f'<option value="{groups["news"]}"' in staff.get("/contacts/").get_data(as_text=True)


def test_the_api_filters_contacts_by_group(api_client, people, groups):
    api = api_client("staff")
    body = api.get(f"/api/v1/contacts?group={groups['news']}").get_json()
    assert {c["id"] for c in body["items"]} == {people["lao"], people["helene"]}


def test_the_groups_page_still_opens_when_a_smart_group_s_search_no_longer_works(
    db, login_as, groups
):
    from amicale.groups.models import Group

    with db() as s:  # a criterion whose component was disabled since
        s.get(Group, groups["lyon"]).criteria = {"membership_status": "Current"}
        s.commit()
    staff = login_as("staff", locale="en")
    listing = staff.get("/groups")
    assert listing.status_code == 200
    assert "The search of this group no longer works" in listing.get_data(as_text=True)
    page = staff.get(f"/groups/{groups['lyon']}")
    assert page.status_code == 200
    assert "Unknown search criterion: membership_status" in page.get_data(as_text=True)


def test_smart_groups_of_smart_groups_nest_without_limit(db, people, groups):
    """Each level used to nest the one below as a subquery: two levels of smart groups made of
    smart groups overflowed SQLite's parser stack."""
    with db() as s:
        paris = services.save_search_as_group(s, "Parisiens", {"city": "Paris"}, None)
        both = services.save_search_as_group(
            s, "Lyon et Paris", {"group": [groups["lyon"], paris.id]}, None
        )
        wider = services.save_search_as_group(
            s, "Plus large", {"group": [both.id, groups["news"]]}, None
        )
        widest = services.save_search_as_group(
            s, "Le plus large", {"group": [wider.id, both.id, paris.id]}, None
        )
        s.commit()
        expected = set(s.execute(contact_ids_query(s, {"group": [wider.id]})).scalars())
        members = set(s.execute(services.group_contact_ids_query(s, widest)).scalars())
    assert people["helene"] in expected and people["lao"] in expected
    assert members == expected
