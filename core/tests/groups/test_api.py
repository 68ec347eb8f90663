"""/api/v1/groups and /api/v1/groups/{id}/contacts, as an integration script uses them."""

from __future__ import annotations

from sqlalchemy import func, select

from amicale.groups import services
from amicale.groups.models import Group, GroupContactHistory


def test_an_integration_creates_a_group_and_fills_it(api_client, db, people, many):
    api = api_client("staff")
    response = api.post("/api/v1/groups", json={"title": "Newsletter", "is_mailing_list": True})
    assert response.status_code == 201, response.get_json()
    group = response.get_json()
    assert (group["name"], group["group_type"], group["member_count"]) == (
        "newsletter",
        "static",
        0,
    )
    gid = group["id"]
    added = api.post(f"/api/v1/groups/{gid}/contacts", json={"contact_ids": many[:120]})
    assert added.status_code == 200
    assert added.get_json() == {"changed": 120, "member_count": 120}
    again = api.post(f"/api/v1/groups/{gid}/contacts", json={"contact_ids": many[100:130]})
    assert again.get_json() == {"changed": 10, "member_count": 130}
    page = api.get(f"/api/v1/groups/{gid}/contacts?page=2&page_size=50").get_json()
    assert (page["total"], page["page"], len(page["items"])) == (130, 2, 50)
    assert set(page["items"][0]) == {"id", "display_name", "sort_name", "contact_type"}
    with db() as s:
        methods = set(s.execute(select(GroupContactHistory.method)).scalars())
        assert methods == {"API"}


def test_members_are_removed_in_bulk_or_one_by_one(api_client, db, many):
    api = api_client("staff")
    gid = api.post("/api/v1/groups", json={"title": "Newsletter"}).get_json()["id"]
    api.post(f"/api/v1/groups/{gid}/contacts", json={"contact_ids": many[:10]})
    removed = api.delete(
        f"/api/v1/groups/{gid}/contacts",
        json={"contact_ids": many[:4], "method": "Email", "tracking": "unsubscribe link"},
    )
    assert removed.status_code == 200
    assert removed.get_json() == {"changed": 4, "member_count": 6}
    one = api.delete(f"/api/v1/groups/{gid}/contacts/{many[5]}")
    assert one.status_code == 204
    assert api.get(f"/api/v1/groups/{gid}").get_json()["member_count"] == 5
    assert api.delete(f"/api/v1/groups/{gid}/contacts/999999").status_code == 404


def test_smart_groups_are_created_with_criteria(api_client, people):
    api = api_client("staff")
    response = api.post(
        "/api/v1/groups",
        json={"title": "Lyonnais", "group_type": "smart", "criteria": {"city": "Lyon"}},
    )
    assert response.status_code == 201
    gid = response.get_json()["id"]
    assert response.get_json()["member_count"] == 2
    names = {
        m["display_name"] for m in api.get(f"/api/v1/groups/{gid}/contacts").get_json()["items"]
    }
    assert names == {"Hélène Martin", "Le Grain de SEL"}
    bad = api.patch(f"/api/v1/groups/{gid}", json={"criteria": {"group": [gid]}})
    assert bad.status_code == 422
    assert "criteria" in bad.get_json()["errors"]


def test_the_list_filters_and_pages(api_client, db):
    api = api_client("staff")
    for title, mailing in (("A list", True), ("B group", False), ("C list", True)):
        api.post("/api/v1/groups", json={"title": title, "is_mailing_list": mailing})
    lists = api.get("/api/v1/groups?is_mailing_list=true").get_json()
    assert [g["title"] for g in lists["items"]] == ["A list", "C list"]
    page = api.get("/api/v1/groups?page=2&page_size=2").get_json()
    assert (page["total"], [g["title"] for g in page["items"]]) == (3, ["C list"])
    assert api.get("/api/v1/groups?page_size=501").status_code == 422


def test_a_group_is_changed_and_deleted(api_client, db, people):
    api = api_client("staff")
    gid = api.post("/api/v1/groups", json={"title": "Newsletter"}).get_json()["id"]
    patched = api.patch(f"/api/v1/groups/{gid}", json={"title": "Lettre", "is_active": False})
    assert patched.status_code == 200
    assert (patched.get_json()["title"], patched.get_json()["is_active"]) == ("Lettre", False)
    assert api.delete(f"/api/v1/groups/{gid}").status_code == 204
    assert api.get(f"/api/v1/groups/{gid}").status_code == 404
    assert api.patch(f"/api/v1/groups/{gid}", json={"title": "X"}).status_code == 404
    assert api.delete(f"/api/v1/groups/{gid}").status_code == 404


def test_bad_input_gets_422_with_the_field_and_changes_nothing(api_client, db, people):
    api = api_client("staff")
    gid = api.post("/api/v1/groups", json={"title": "Newsletter"}).get_json()["id"]
    cases = [
        ("post", "/api/v1/groups", {"title": ""}, "title"),
        ("post", "/api/v1/groups", {"title": "X", "name": "Bad Name"}, "name"),
        ("post", "/api/v1/groups", {"title": "Newsletter"}, "title"),
        ("post", "/api/v1/groups", {"title": "X", "group_type": "smart"}, "criteria"),
        (
            "post",
            "/api/v1/groups",
            {"title": "X", "group_type": "smart", "criteria": {"nope": 1}},
            "criteria",
        ),
        ("patch", f"/api/v1/groups/{gid}", {"group_type": "smart"}, "group_type"),
        ("post", f"/api/v1/groups/{gid}/contacts", {"contact_ids": []}, "contact_ids"),
        ("post", f"/api/v1/groups/{gid}/contacts", {"contact_ids": ["a"]}, "contact_ids"),
        (
            "post",
            f"/api/v1/groups/{gid}/contacts",
            {"contact_ids": [people["lao"], 999999]},
            "contact_ids",
        ),
        (
            "post",
            f"/api/v1/groups/{gid}/contacts",
            {"contact_ids": [people["lao"]], "method": "Fax"},
            "method",
        ),
    ]
    for method, url, body, field in cases:
        response = getattr(api, method)(url, json=body)
        assert response.status_code == 422, (url, body, response.get_json())
        assert field in response.get_json().get("errors", {}), (body, response.get_json())
    with db() as s:
        assert s.execute(select(func.count()).select_from(Group)).scalar_one() == 1
        assert services.member_count(s, s.get(Group, gid)) == 0
    assert api.post("/api/v1/groups/999/contacts", json={"contact_ids": [1]}).status_code == 404


def test_read_only_tokens_read_but_do_not_write(api_client, db, people):
    staff = api_client("staff")
    gid = staff.post("/api/v1/groups", json={"title": "Newsletter"}).get_json()["id"]
    reader = api_client("readonly")
    assert reader.get("/api/v1/groups").status_code == 200
    assert reader.get(f"/api/v1/groups/{gid}/contacts").status_code == 200
    assert reader.post("/api/v1/groups", json={"title": "X"}).status_code == 403
    assert reader.patch(f"/api/v1/groups/{gid}", json={"title": "X"}).status_code == 403
    assert reader.delete(f"/api/v1/groups/{gid}").status_code == 403
    assert (
        reader.post(
            f"/api/v1/groups/{gid}/contacts", json={"contact_ids": [people["lao"]]}
        ).status_code
        == 403
    )
    assert api_client(None).get("/api/v1/groups").status_code == 401


def test_the_endpoints_are_in_the_openapi_document(api_client):
    spec = api_client("staff").get("/api/v1/openapi.json").get_json()
    assert {
        "/api/v1/groups",
        "/api/v1/groups/{group_id}",
        "/api/v1/groups/{group_id}/contacts",
        "/api/v1/groups/{group_id}/contacts/{contact_id}",
    } <= set(spec["paths"])
