"""/api/v1/timebank/items, as an integration would call it."""


def test_items_are_created_listed_changed_and_deleted(api_client, factories):
    api = api_client("staff")
    contact = factories.contact()
    created = api.post("/api/v1/timebank/items", json={"contact_id": contact.id, "title": "By API"})
    assert created.status_code == 201, created.json
    item_id = created.json["id"]
    listed = api.get(f"/api/v1/timebank/items?contact_id={contact.id}").json
    assert listed["total"] == 1
    assert [i["title"] for i in listed["items"]] == ["By API"]
    changed = api.patch(f"/api/v1/timebank/items/{item_id}", json={"title": "Renamed"})
    assert changed.status_code == 200
    assert changed.json["title"] == "Renamed"
    assert api.delete(f"/api/v1/timebank/items/{item_id}").status_code == 204
    assert api.get(f"/api/v1/timebank/items/{item_id}").status_code == 404


def test_bad_input_is_refused_with_each_fields_error(api_client, factories):
    api = api_client("staff")
    response = api.post("/api/v1/timebank/items", json={"title": ""})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"contact_id", "title"}
    response = api.post("/api/v1/timebank/items", json={"contact_id": 999999, "title": "Lost"})
    assert response.status_code == 422
    assert "contact_id" in response.json["errors"]
    assert api.get("/api/v1/timebank/items").json["total"] == 0


def test_the_api_needs_a_token_and_the_permission(api_client):
    assert api_client(None).get("/api/v1/timebank/items").status_code == 401
    assert api_client("readonly").post("/api/v1/timebank/items", json={}).status_code == 403


def test_the_resource_is_in_the_openapi_document(api_client):
    paths = api_client("staff").get("/api/v1/openapi.json").json["paths"]
    assert "/api/v1/timebank/items" in paths
