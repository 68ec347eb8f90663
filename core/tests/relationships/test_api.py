"""/api/v1/relationship-types and /api/v1/relationships: lists, filters, create, change,
delete, bad input (422), unknown ids (404) and permissions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest


@pytest.fixture
def staff(api_client):
    return api_client("staff")


def create(api, people, a="marie", b="grain", rtype="employee_of", **extra):
    return api.post(
        "/api/v1/relationships",
        json={
            "contact_id_a": people[a],
            "contact_id_b": people[b],
            "relationship_type": rtype,
            **extra,
        },
    )


def test_relationship_types_are_listed_and_read(staff, rtype):
    body = staff.get("/api/v1/relationship-types").get_json()
    names = [t["name"] for t in body["items"]]
    assert "employee_of" in names and body["total"] == len(names) >= 8
    assert body["page"] == 1
    one = staff.get(f"/api/v1/relationship-types/{rtype('child_of')}").get_json()
    assert (one["label_a_b"], one["label_b_a"], one["is_reserved"]) == (
        "Child of",
        "Parent of",
        True,
    )
    assert staff.get("/api/v1/relationship-types/9999").status_code == 404


def test_an_admin_creates_and_changes_a_type_through_the_api(api_client):
    admin = api_client("administrator")
    response = admin.post(
        "/api/v1/relationship-types",
        json={
            "name": "mentor_of",
            "label_a_b": "Mentor of",
            "label_b_a": "Mentee of",
            "contact_type_a": "Individual",
        },
    )
    assert response.status_code == 201
    created = response.get_json()
    assert created["contact_type_b"] is None and created["is_reserved"] is False
    response = admin.patch(
        f"/api/v1/relationship-types/{created['id']}",
        json={"label_b_a": "Mentored by", "is_active": False},
    )
    assert response.status_code == 200
    assert (response.get_json()["label_b_a"], response.get_json()["is_active"]) == (
        "Mentored by",
        False,
    )
    inactive = admin.get("/api/v1/relationship-types?is_active=false").get_json()["items"]
    assert [t["name"] for t in inactive] == ["mentor_of"]


def test_bad_relationship_types_get_422_with_the_field(api_client, rtype):
    admin = api_client("administrator")
    for body, field in [
        ({"name": "Bad Name", "label_a_b": "x", "label_b_a": "y"}, "name"),
        ({"name": "spouse_of", "label_a_b": "x", "label_b_a": "y"}, "name"),
        ({"name": "x_of", "label_b_a": "y"}, "label_a_b"),
        (
            {"name": "x_of", "label_a_b": "x", "label_b_a": "y", "contact_type_b": "Cat"},
            "contact_type_b",
        ),
    ]:
        response = admin.post("/api/v1/relationship-types", json=body)
        assert response.status_code == 422, body
        assert field in response.get_json()["errors"], response.get_json()
    response = admin.patch(
        f"/api/v1/relationship-types/{rtype('spouse_of')}", json={"name": "wife_of"}
    )
    assert response.status_code == 422 and "name" in response.get_json()["errors"]
    response = admin.delete(f"/api/v1/relationship-types/{rtype('spouse_of')}")
    assert response.status_code == 422
    assert (
        admin.patch("/api/v1/relationship-types/9999", json={"label_a_b": "x"}).status_code == 404
    )


def test_only_admins_change_types(api_client, staff, rtype):
    assert (
        staff.post(
            "/api/v1/relationship-types", json={"name": "x_of", "label_a_b": "x", "label_b_a": "y"}
        ).status_code
        == 403
    )
    assert (
        staff.patch(
            f"/api/v1/relationship-types/{rtype('spouse_of')}", json={"is_active": False}
        ).status_code
        == 403
    )
    assert staff.get(f"/api/v1/relationship-types/{rtype('spouse_of')}").get_json()["is_active"]
    assert api_client(None).get("/api/v1/relationship-types").status_code == 401


def test_create_read_list_and_filter_relationships(staff, people, rtype):
    response = create(staff, people, start_date="2021-09-01")
    assert response.status_code == 201
    rel = response.get_json()
    assert (rel["relationship_type"], rel["label_a_b"], rel["is_active"]) == (
        "employee_of",
        "Employee of",
        True,
    )
    assert rel["start_date"] == "2021-09-01"
    create(staff, people, "marie", "jean", rtype="spouse_of")
    body = staff.get(f"/api/v1/relationships?contact_id={people['grain']}").get_json()
    assert body["total"] == 1 and body["items"][0]["id"] == rel["id"]  # found from side B
    assert staff.get(f"/api/v1/relationships?contact_id={people['marie']}").get_json()["total"] == 2
    assert staff.get("/api/v1/relationships?relationship_type=spouse_of").get_json()["total"] == 1
    assert (
        staff.get(f"/api/v1/relationships?relationship_type_id={rtype('employee_of')}").get_json()[
            "total"
        ]
        == 1
    )
    assert (
        staff.get(f"/api/v1/relationships/{rel['id']}").get_json()["contact_id_b"]
        == people["grain"]
    )
    paged = staff.get("/api/v1/relationships?page_size=1&page=2").get_json()
    assert (len(paged["items"]), paged["total"], paged["page_size"]) == (1, 2, 1)


def test_a_past_end_date_reads_inactive_and_filters_so(staff, people):
    rel = create(staff, people).get_json()
    create(staff, people, "jean", "grain")
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    response = staff.patch(f"/api/v1/relationships/{rel['id']}", json={"end_date": yesterday})
    assert response.status_code == 200 and response.get_json()["is_active"] is False
    inactive = staff.get("/api/v1/relationships?is_active=false").get_json()
    active = staff.get("/api/v1/relationships?is_active=true").get_json()
    assert [r["id"] for r in inactive["items"]] == [rel["id"]]
    assert rel["id"] not in [r["id"] for r in active["items"]] and active["total"] == 1


def test_bad_relationships_get_422_and_nothing_is_written(staff, people):
    cases = [
        (
            {
                "contact_id_a": people["marie"],
                "contact_id_b": people["marie"],
                "relationship_type": "sibling_of",
            },
            "contact_id_b",
        ),
        (
            {
                "contact_id_a": people["grain"],
                "contact_id_b": people["marie"],
                "relationship_type": "employee_of",
            },
            "contact_id_a",
        ),
        ({"contact_id_a": people["marie"], "contact_id_b": people["jean"]}, "relationship_type_id"),
        (
            {
                "contact_id_a": people["marie"],
                "contact_id_b": people["jean"],
                "relationship_type": "cousin_of",
            },
            "relationship_type",
        ),
        (
            {
                "contact_id_a": people["marie"],
                "contact_id_b": 4242,
                "relationship_type": "sibling_of",
            },
            "contact_id_b",
        ),
        (
            {
                "contact_id_a": people["marie"],
                "contact_id_b": people["jean"],
                "relationship_type": "sibling_of",
                "start_date": "2020-02-30",
            },
            "start_date",
        ),
        (
            {
                "contact_id_a": people["marie"],
                "contact_id_b": people["jean"],
                "relationship_type": "sibling_of",
                "start_date": "2020-02-01",
                "end_date": "2019-01-01",
            },
            "end_date",
        ),
        ({"contact_id_b": people["jean"], "relationship_type": "sibling_of"}, "contact_id_a"),
    ]
    for body, field in cases:
        response = staff.post("/api/v1/relationships", json=body)
        assert response.status_code == 422, body
        assert field in response.get_json().get("errors", {}), (body, response.get_json())
    assert staff.get("/api/v1/relationships").get_json()["total"] == 0
    create(staff, people)
    duplicate = create(staff, people)
    assert duplicate.status_code == 422 and "already" in duplicate.get_json()["message"]


def test_patching_and_deleting_relationships(staff, people):
    rel = create(staff, people).get_json()
    url = f"/api/v1/relationships/{rel['id']}"
    assert staff.patch(url, json={"contact_id_a": people["jean"]}).status_code == 422
    assert (
        staff.patch(url, json={"start_date": "2030-01-01", "end_date": "2029-01-01"}).status_code
        == 422
    )
    changed = staff.patch(url, json={"description": "Treasurer", "is_active": False})
    assert changed.status_code == 200
    assert (changed.get_json()["description"], changed.get_json()["is_active"]) == (
        "Treasurer",
        False,
    )
    assert staff.delete(url).status_code == 204
    assert staff.get(url).status_code == 404
    assert staff.delete(url).status_code == 404
    assert staff.patch("/api/v1/relationships/9999", json={"description": "x"}).status_code == 404


def test_a_read_only_token_reads_but_cannot_write(api_client, staff, people):
    rel = create(staff, people).get_json()
    reader = api_client("readonly")
    assert reader.get("/api/v1/relationships").get_json()["total"] == 1
    assert create(reader, people, "marie", "jean", rtype="spouse_of").status_code == 403
    assert (
        reader.patch(f"/api/v1/relationships/{rel['id']}", json={"is_active": False}).status_code
        == 403
    )
    assert reader.delete(f"/api/v1/relationships/{rel['id']}").status_code == 403
    assert api_client(None).get("/api/v1/relationships").status_code == 401
    assert staff.get(f"/api/v1/relationships/{rel['id']}").get_json()["is_active"] is True


def test_the_openapi_document_describes_both_resources(api_client):
    paths = api_client("staff").get("/api/v1/openapi.json").get_json()["paths"]
    assert {
        "/api/v1/relationships",
        "/api/v1/relationships/{relationship_id}",
        "/api/v1/relationship-types",
        "/api/v1/relationship-types/{type_id}",
    } <= set(paths)
