"""/api/v1/custom-groups and /api/v1/custom-fields: lists and filters, create, read, change,
bad input (422 with every field's message), unknown ids (404), permissions; and the contacts
API carrying the values as ``custom``."""

from __future__ import annotations

import pytest


@pytest.fixture
def admin(api_client):
    return api_client("administrator")


def test_an_admin_defines_a_set_and_its_fields_through_the_api(admin):
    response = admin.post(
        "/api/v1/custom-groups",
        json={"name": "dietary", "title": "Dietary needs", "extends_contact_type": "Individual"},
    )
    assert response.status_code == 201, response.get_json()
    group = response.get_json()
    assert group["extends"] == "contact" and group["extends_subtypes"] == []
    assert group["is_active"] is True
    response = admin.post(
        "/api/v1/custom-fields",
        json={
            "custom_group_id": group["id"],
            "name": "diet",
            "label": "Diet",
            "data_type": "select",
            "is_searchable": True,
            "options": [{"value": "vegan", "label": "Vegan"}, {"value": "omni"}],
        },
    )
    assert response.status_code == 201, response.get_json()
    field = response.get_json()
    assert field["options"] == [
        {"value": "vegan", "label": "Vegan"},
        {"value": "omni", "label": "omni"},
    ]
    assert admin.get(f"/api/v1/custom-fields/{field['id']}").get_json()["name"] == "diet"
    assert admin.get(f"/api/v1/custom-groups/{group['id']}").get_json()["title"] == "Dietary needs"

    # the new field is at once usable on contacts
    response = admin.post(
        "/api/v1/contacts", json={"first_name": "Zoé", "custom": {"diet": "Vegan"}}
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["custom"] == {"diet": "vegan"}


def test_sets_and_fields_are_listed_and_filtered(api_client, fields):
    reader = api_client("readonly")
    body = reader.get("/api/v1/custom-groups").get_json()
    assert [g["name"] for g in body["items"]] == ["profile", "volunteering", "company"]
    assert body["total"] == 3 and body["page"] == 1
    body = reader.get("/api/v1/custom-groups?extends=activity").get_json()
    assert body["items"] == [] and body["total"] == 0
    body = reader.get(f"/api/v1/custom-fields?custom_group_id={fields['set:volunteering']}")
    assert [f["name"] for f in body.get_json()["items"]] == ["shirt_size", "badge_number"]
    body = reader.get("/api/v1/custom-fields?page_size=2&page=2").get_json()
    assert len(body["items"]) == 2 and body["total"] == 13 and body["page_size"] == 2
    assert reader.get("/api/v1/custom-fields?page_size=501").status_code == 422


def test_a_set_and_a_field_are_changed_and_deactivated(admin, fields):
    response = admin.patch(
        f"/api/v1/custom-groups/{fields['set:company']}",
        json={"title": "Company details", "is_active": False},
    )
    assert response.status_code == 200
    assert response.get_json()["title"] == "Company details"
    assert response.get_json()["is_active"] is False
    response = admin.patch(
        f"/api/v1/custom-fields/{fields['nickname']}",
        json={"label": "Nick", "max_length": 20, "is_required": True},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["label"], body["max_length"], body["is_required"]) == ("Nick", 20, True)
    body = admin.get("/api/v1/custom-groups?is_active=false").get_json()
    assert [g["name"] for g in body["items"]] == ["company"]


def test_bad_definitions_get_422_with_every_field_s_message(admin, fields):
    response = admin.post(
        "/api/v1/custom-fields",
        json={"custom_group_id": fields["set:profile"], "name": "Bad Name", "data_type": "colour"},
    )
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"name", "label", "data_type"}
    response = admin.post(
        "/api/v1/custom-fields",
        json={
            "custom_group_id": fields["set:profile"],
            "name": "diet",
            "label": "Diet again",
            "data_type": "multiselect",
        },
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "name": ["Another custom field already has this name."],
        "options": ["Give at least one option."],
    }
    response = admin.post("/api/v1/custom-groups", json={"name": "profile", "title": "P"})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"name": ["Another set already has this name."]}
    response = admin.patch(f"/api/v1/custom-groups/{fields['set:profile']}", json={"name": "x"})
    assert response.status_code == 422  # the name cannot change
    response = admin.patch(
        f"/api/v1/custom-groups/{fields['set:profile']}", json={"extends_subtypes": ["ghost"]}
    )
    assert response.status_code == 422
    assert "extends_subtypes" in response.get_json()["errors"]
    assert admin.get("/api/v1/custom-groups/9999").status_code == 404
    assert admin.get("/api/v1/custom-fields/9999").status_code == 404
    assert admin.patch("/api/v1/custom-fields/9999", json={"label": "x"}).status_code == 404


def test_only_admins_define_custom_fields_and_readers_see_them(api_client, fields):
    for role in ("staff", "volunteer", "readonly"):
        client = api_client(role)
        assert client.get("/api/v1/custom-fields").status_code == 200
        assert (
            client.post("/api/v1/custom-groups", json={"name": "x", "title": "X"}).status_code
            == 403
        )
        assert (
            client.patch(
                f"/api/v1/custom-fields/{fields['nickname']}", json={"label": "x"}
            ).status_code
            == 403
        )
    anonymous = api_client(None)
    assert anonymous.get("/api/v1/custom-groups").status_code == 401
    assert api_client("norole").get("/api/v1/custom-groups").status_code == 403


def test_the_contacts_api_gives_and_takes_custom_values(api_client, fields):
    staff = api_client("staff")
    response = staff.post(
        "/api/v1/contacts",
        json={
            "first_name": "Pierre",
            "custom": {
                "first_visit": "14/03/2026",
                "pledge": "12,50",
                "skills": ["it", "cook"],
                "vegetarian": "oui",
            },
        },
    )
    assert response.status_code == 201, response.get_json()
    contact = response.get_json()
    assert contact["custom"] == {
        "first_visit": "2026-03-14",
        "pledge": 12.5,
        "skills": ["cook", "it"],
        "vegetarian": True,
    }
    response = staff.patch(
        f"/api/v1/contacts/{contact['id']}",
        json={"custom": {"pledge": None, "children": "two", "diet": "raw"}},
    )
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"custom.children", "custom.diet"}
    unchanged = staff.get(f"/api/v1/contacts/{contact['id']}").get_json()
    assert unchanged["custom"]["pledge"] == 12.5
    response = staff.patch(f"/api/v1/contacts/{contact['id']}", json={"custom": {"pledge": None}})
    assert response.status_code == 200
    assert "pledge" not in response.get_json()["custom"]


def test_the_openapi_document_describes_the_definitions(api_client):
    spec = api_client("staff").get("/api/v1/openapi.json").get_json()
    assert "/api/v1/custom-groups" in spec["paths"]
    assert "/api/v1/custom-fields/{field_id}" in spec["paths"]
