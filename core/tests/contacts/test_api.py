"""/api/v1/contacts: the same rules as the pages, details nested as lists."""

from __future__ import annotations


def test_create_read_update_trash_restore_through_the_api(api_client):
    api = api_client("staff")
    created = api.post(
        "/api/v1/contacts",
        json={
            "first_name": "Hélène",
            "last_name": "Lao",
            "emails": [{"email": "helene@example.org", "location_type": "Work"}],
            "phones": [{"phone": "+33 6 12 34 56 78", "phone_type": "Mobile"}],
            "addresses": [{"city": "Lyon", "country": "FR"}],
        },
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    contact_id = body["id"]
    assert body["display_name"] == "Hélène Lao"
    assert body["emails"] == [
        {
            "id": body["emails"][0]["id"],
            "email": "helene@example.org",
            "location_type": "Work",
            "is_primary": True,
            "on_hold": False,
        }
    ]
    assert body["phones"][0]["phone_normalized"] == "+33612345678"
    assert body["custom"] == {} and body["subtypes"] == []

    listed = api.get("/api/v1/contacts?q=helene").get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == contact_id
    assert api.get("/api/v1/contacts?city=Lyon").get_json()["total"] == 1
    assert api.get("/api/v1/contacts?city=Paris").get_json()["total"] == 0

    patched = api.patch(f"/api/v1/contacts/{contact_id}", json={"job_title": "Trésorière"})
    assert patched.status_code == 200 and patched.get_json()["job_title"] == "Trésorière"
    assert patched.get_json()["emails"][0]["email"] == "helene@example.org"

    assert api.delete(f"/api/v1/contacts/{contact_id}").status_code == 204
    assert api.get("/api/v1/contacts?q=helene").get_json()["total"] == 0
    assert api.get(f"/api/v1/contacts/{contact_id}").get_json()["is_deleted"] is True
    restored = api.post(f"/api/v1/contacts/{contact_id}/restore")
    assert restored.status_code == 200 and restored.get_json()["is_deleted"] is False


def test_bad_input_gets_422_with_each_field(api_client):
    api = api_client("staff")
    before = api.get("/api/v1/contacts").get_json()["total"]  # the user's own contact
    response = api.post(
        "/api/v1/contacts",
        json={
            "last_name": "X",
            "emails": [{"email": "nope"}],
            "birth_date": "yesterday",
            "addresses": [{"country": "XX"}],
        },
    )
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert "emails.0.email" in errors and "birth_date" in errors
    second = api.post("/api/v1/contacts", json={"last_name": "X", "addresses": [{"country": "XX"}]})
    assert "addresses.0.country" in second.get_json()["errors"]
    assert api.post("/api/v1/contacts", json=["not", "an", "object"]).status_code == 422
    assert api.get("/api/v1/contacts?shoe_size=42").status_code == 422
    assert api.get("/api/v1/contacts?page_size=100000").status_code == 422
    assert api.get("/api/v1/contacts/999999").status_code == 404
    assert api.get("/api/v1/contacts").get_json()["total"] == before  # nothing was written


def test_permissions_hold_on_the_api(api_client):
    staff, reader = api_client("staff"), api_client("readonly")
    contact_id = staff.post("/api/v1/contacts", json={"last_name": "Lao"}).get_json()["id"]
    assert reader.get(f"/api/v1/contacts/{contact_id}").status_code == 200
    assert (
        reader.patch(f"/api/v1/contacts/{contact_id}", json={"last_name": "X"}).status_code == 403
    )
    staff.delete(f"/api/v1/contacts/{contact_id}")
    assert staff.post(f"/api/v1/contacts/{contact_id}/purge").status_code == 403
    admin = api_client("administrator")
    assert admin.post(f"/api/v1/contacts/{contact_id}/purge").status_code == 204
    assert admin.get(f"/api/v1/contacts/{contact_id}").status_code == 404


def test_the_contacts_api_is_in_the_openapi_document(api_client):
    spec = api_client("staff").get("/api/v1/openapi.json").get_json()
    assert "/api/v1/contacts" in spec["paths"] and "/api/v1/contacts/{contact_id}" in spec["paths"]
    assert "requestBody" in spec["paths"]["/api/v1/contacts"]["post"]
