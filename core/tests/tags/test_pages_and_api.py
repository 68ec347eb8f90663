"""The admin page of tags, the Tags tab of a contact, /api/v1/tags and /api/v1/entity-tags, as
admins, staff and read-only users use them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from amicale.tags import services
from amicale.tags.models import EntityTag, Tag


@pytest.fixture
def tree(db) -> dict[str, int]:
    with db() as s:
        donors = services.create_tag(s, {"name": "Donors", "is_selectable": False})
        major = services.create_tag(s, {"name": "Major donor", "parent_id": donors.id})
        volunteers = services.create_tag(s, {"name": "Volunteers"})
        s.commit()
        return {"donors": donors.id, "major": major.id, "volunteers": volunteers.id}


def tag_names(db, contact_id) -> list[str]:
    with db() as s:
        return [t.name for t in services.contact_tags(s, contact_id)]


# -- admin page ----------------------------------------------------------------------------------


def test_the_admin_sees_the_tree_and_adds_a_tag_under_another(login_as, db, tree):
    admin = login_as("administrator", locale="en")
    page = admin.get("/admin/tags").get_data(as_text=True)
    depths = re.findall(r'data-tag-id="(\d+)" data-depth="(\d)"', page)
    assert depths == [
        (str(tree["donors"]), "0"),
        (str(tree["major"]), "1"),
        (str(tree["volunteers"]), "0"),
    ]
    assert 'data-menu-id="admin.tags"' in page
    response = admin.post_form(
        "/admin/tags",
        {"name": "Monthly donor", "parent_id": str(tree["donors"]), "is_selectable": "1"},
    )
    assert response.status_code == 302
    with db() as s:
        tag = s.execute(select(Tag).where(Tag.name == "Monthly donor")).scalar_one()
        assert (tag.parent_id, tag.is_selectable) == (tree["donors"], True)
    assert "The tag Monthly donor is created." in admin.get("/admin/tags").get_data(as_text=True)


def test_a_duplicate_or_empty_name_is_refused_on_the_form(login_as, db, tree):
    admin = login_as("administrator", locale="en")
    response = admin.post_form("/admin/tags", {"name": "volunteers"})
    assert response.status_code == 422
    assert "Another tag has this name." in response.get_data(as_text=True)
    assert admin.post_form("/admin/tags", {"name": ""}).status_code == 422
    with db() as s:
        assert s.execute(select(func.count()).select_from(Tag)).scalar_one() == 3


def test_the_admin_renames_and_moves_a_tag_but_not_under_its_own_child(login_as, db, tree):
    admin = login_as("administrator", locale="en")
    form = admin.get(f"/admin/tags/{tree['donors']}").get_data(as_text=True)
    # its own sub-tags are not offered as a parent
    assert f'<option value="{tree["major"]}"' not in form
    response = admin.post_form(
        f"/admin/tags/{tree['major']}",
        {"name": "Big donor", "parent_id": str(tree["volunteers"]), "is_selectable": "1"},
    )
    assert response.status_code == 302
    with db() as s:
        tag = s.get(Tag, tree["major"])
        assert (tag.name, tag.parent_id) == ("Big donor", tree["volunteers"])
    bad = admin.post_form(
        f"/admin/tags/{tree['volunteers']}",
        {"name": "Volunteers", "parent_id": str(tree["major"]), "is_selectable": "1"},
    )
    assert bad.status_code == 422
    assert "cannot be placed under itself" in bad.get_data(as_text=True)


def test_deleting_a_parent_is_refused_and_a_leaf_is_deleted(login_as, db, tree, people):
    with db() as s:
        services.tag_contacts(s, tree["major"], [people["lao"]])
        s.commit()
    admin = login_as("administrator", locale="en")
    refused = admin.post_form(f"/admin/tags/{tree['donors']}/delete")
    assert "has sub-tags (Major donor)" in admin.get(refused.headers["Location"]).get_data(
        as_text=True
    )
    done = admin.post_form(f"/admin/tags/{tree['major']}/delete")
    assert "(it was on 1 contacts)" in admin.get(done.headers["Location"]).get_data(as_text=True)
    with db() as s:
        assert s.get(Tag, tree["major"]) is None and s.get(Tag, tree["donors"]) is not None


def test_staff_cannot_administer_tags(login_as, tree):
    staff = login_as("staff", locale="en")
    assert staff.get("/admin/tags").status_code == 403
    assert staff.post_form("/admin/tags", {"name": "X"}).status_code == 403
    assert staff.post_form(f"/admin/tags/{tree['volunteers']}/delete").status_code == 403


# -- contact tab ---------------------------------------------------------------------------------


def test_staff_tags_a_contact_and_takes_a_tag_off(login_as, db, tree, people):
    staff = login_as("staff", locale="en")
    page = staff.get(f"/contacts/{people['lao']}/tags").get_data(as_text=True)
    assert 'data-tab="tags" aria-current="page"' in page
    assert f'name="tag_id" value="{tree["major"]}"' in page
    assert f'name="tag_id" value="{tree["donors"]}"' not in page  # a heading only
    response = staff.post(
        f"/contacts/{people['lao']}/tags/add",
        data={
            "csrf_token": staff.csrf_token(),
            "tag_id": [str(tree["major"]), str(tree["volunteers"])],
        },
    )
    assert response.status_code == 302
    assert tag_names(db, people["lao"]) == ["Major donor", "Volunteers"]
    summary = staff.get(f"/contacts/{people['lao']}").get_data(as_text=True)
    assert re.search(r'data-tab="tags"[^>]*>Tags <span class="count">2</span>', summary)
    response = staff.post_form(f"/contacts/{people['lao']}/tags/{tree['major']}/remove")
    assert response.status_code == 302
    assert tag_names(db, people["lao"]) == ["Volunteers"]


def test_adding_no_tag_or_a_heading_is_refused(login_as, db, tree, people):
    staff = login_as("staff", locale="en")
    none = staff.post_form(f"/contacts/{people['lao']}/tags/add", {})
    assert none.status_code == 422 and "Choose a tag." in none.get_data(as_text=True)
    heading = staff.post_form(
        f"/contacts/{people['lao']}/tags/add", {"tag_id": str(tree["donors"])}
    )
    assert heading.status_code == 422
    assert "only organises other tags" in heading.get_data(as_text=True)
    assert tag_names(db, people["lao"]) == []


def test_a_read_only_user_sees_tags_but_cannot_change_them(login_as, db, tree, people):
    with db() as s:
        services.tag_contacts(s, tree["volunteers"], [people["lao"]])
        s.commit()
    reader = login_as("readonly", locale="en")
    page = reader.get(f"/contacts/{people['lao']}/tags").get_data(as_text=True)
    assert "Volunteers" in page and "Add tags" not in page
    assert (
        reader.post_form(
            f"/contacts/{people['lao']}/tags/add", {"tag_id": str(tree["major"])}
        ).status_code
        == 403
    )
    assert (
        reader.post_form(f"/contacts/{people['lao']}/tags/{tree['volunteers']}/remove").status_code
        == 403
    )
    assert reader.get("/contacts/999/tags").status_code == 404


def test_the_search_page_filters_by_tag(login_as, db, tree, people):
    with db() as s:
        services.tag_contacts(s, tree["major"], [people["marie"]])
        s.commit()
    page = (
        login_as("staff", locale="en")
        .get(f"/contacts/?tag={tree['donors']}")
        .get_data(as_text=True)
    )
    assert "Dupont, Marie" in page and "Lao" not in page


# -- API -----------------------------------------------------------------------------------------


def test_the_api_lists_tags_flat_with_their_parent(api_client, tree):
    body = api_client("readonly").get("/api/v1/tags").get_json()
    assert body["total"] == 3
    by_name = {t["name"]: t for t in body["items"]}
    assert by_name["Major donor"]["parent_id"] == tree["donors"]
    assert by_name["Donors"]["is_selectable"] is False


def test_an_admin_manages_tags_through_the_api(api_client, db, tree):
    admin = api_client("administrator")
    created = admin.post("/api/v1/tags", json={"name": "Press", "color": "#1e88e5"})
    assert created.status_code == 201
    tag_id = created.get_json()["id"]
    moved = admin.patch(f"/api/v1/tags/{tag_id}", json={"parent_id": tree["volunteers"]})
    assert moved.status_code == 200 and moved.get_json()["parent_id"] == tree["volunteers"]
    cycle = admin.patch(f"/api/v1/tags/{tree['volunteers']}", json={"parent_id": tag_id})
    assert cycle.status_code == 422 and "parent_id" in cycle.get_json()["errors"]
    assert admin.delete(f"/api/v1/tags/{tree['volunteers']}").status_code == 422
    assert admin.delete(f"/api/v1/tags/{tag_id}").status_code == 204
    assert admin.get(f"/api/v1/tags/{tag_id}").status_code == 404
    for body in (
        {"name": ""},
        {"name": "Volunteers"},
        {"name": "X", "color": "blue"},
        {"name": "X", "parent_id": 999},
    ):
        response = admin.post("/api/v1/tags", json=body)
        assert response.status_code == 422, body
    staff = api_client("staff")
    assert staff.post("/api/v1/tags", json={"name": "Nope"}).status_code == 403


def test_contacts_are_tagged_and_untagged_through_entity_tags(api_client, db, tree, people):
    api = api_client("staff")
    created = api.post(
        "/api/v1/entity-tags", json={"contact_id": people["lao"], "tag_id": tree["major"]}
    )
    assert created.status_code == 201
    body = created.get_json()
    assert (body["contact_id"], body["tag_id"], body["tag_name"]) == (
        people["lao"],
        tree["major"],
        "Major donor",
    )
    api.post("/api/v1/entity-tags", json={"contact_id": people["marie"], "tag_id": tree["major"]})
    listed = api.get(f"/api/v1/entity-tags?contact_id={people['lao']}").get_json()
    assert [i["tag_name"] for i in listed["items"]] == ["Major donor"]
    by_tag = api.get(f"/api/v1/entity-tags?tag_id={tree['major']}").get_json()
    assert by_tag["total"] == 2
    assert api.get(f"/api/v1/entity-tags/{body['id']}").get_json()["contact_id"] == people["lao"]
    assert api.delete(f"/api/v1/entity-tags/{body['id']}").status_code == 204
    assert api.delete(f"/api/v1/entity-tags/{body['id']}").status_code == 404
    assert tag_names(db, people["lao"]) == []


def test_bad_taggings_get_422_and_change_nothing(api_client, db, tree, people):
    api = api_client("staff")
    api.post("/api/v1/entity-tags", json={"contact_id": people["lao"], "tag_id": tree["major"]})
    cases = [
        ({"contact_id": people["lao"], "tag_id": tree["major"]}, "tag_id"),  # already there
        ({"contact_id": people["lao"], "tag_id": tree["donors"]}, "tag_id"),  # a heading
        ({"contact_id": people["lao"], "tag_id": 999}, "tag_id"),
        ({"contact_id": 999999, "tag_id": tree["major"]}, "contact_id"),
        ({"contact_id": "lao", "tag_id": tree["major"]}, "contact_id"),
        ({"tag_id": tree["major"]}, "contact_id"),
    ]
    for body, field in cases:
        response = api.post("/api/v1/entity-tags", json=body)
        assert response.status_code == 422, (body, response.get_json())
        assert field in response.get_json()["errors"], (body, response.get_json())
    with db() as s:
        assert s.execute(select(func.count()).select_from(EntityTag)).scalar_one() == 1
    reader = api_client("readonly")
    assert reader.get("/api/v1/entity-tags").status_code == 200
    assert (
        reader.post(
            "/api/v1/entity-tags", json={"contact_id": people["marie"], "tag_id": tree["major"]}
        ).status_code
        == 403
    )


def test_the_api_filters_contacts_by_tag(api_client, db, tree, people):
    with db() as s:
        services.tag_contacts(s, tree["major"], [people["jean"]])
        s.commit()
    body = api_client("staff").get(f"/api/v1/contacts?tag={tree['donors']}").get_json()
    assert [c["id"] for c in body["items"]] == [people["jean"]]
