"""Message templates: written once with tokens, reused; a token that does not exist is refused."""

from __future__ import annotations


def test_staff_create_a_template_and_find_it_in_the_list(login_as):
    staff = login_as("staff", locale="en")
    response = staff.post_form(
        "/admin/message-templates/",
        {
            "name": "Welcome",
            "subject": "Welcome {contact.first_name}",
            "body_text": "Hello {contact.first_name},\nwelcome to {organisation.name}.",
            "is_active": "1",
        },
    )
    assert response.status_code == 302
    page = staff.get("/admin/message-templates/").get_data(as_text=True)
    assert "Welcome {contact.first_name}" in page
    assert "{contact.display_name}" in page  # the list of tokens


def test_an_unknown_token_is_refused_beside_its_field_and_nothing_is_saved(login_as, api_client):
    staff = login_as("staff", locale="en")
    response = staff.post_form(
        "/admin/message-templates/",
        {"name": "Typo", "subject": "Hi", "body_text": "Dear {contact.frist_name}"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="f-body_text-error"' in page
    assert "Unknown token: {contact.frist_name}." in page
    assert api_client("staff").get("/api/v1/message-templates").get_json()["total"] == 0


def test_templates_through_the_api(api_client):
    api = api_client("staff")
    created = api.post(
        "/api/v1/message-templates",
        json={
            "name": "Receipt",
            "subject": "Thank you",
            "body_text": "Thanks {contact.display_name}",
        },
    )
    assert created.status_code == 201, created.get_json()
    template_id = created.get_json()["id"]
    duplicate = api.post(
        "/api/v1/message-templates",
        json={"name": "receipt", "subject": "x", "body_text": "y"},
    )
    assert duplicate.status_code == 422
    assert "name" in duplicate.get_json()["errors"]
    empty = api.post("/api/v1/message-templates", json={"name": "", "subject": ""})
    assert empty.status_code == 422
    assert set(empty.get_json()["errors"]) == {"name", "subject", "body_text"}
    changed = api.patch(f"/api/v1/message-templates/{template_id}", json={"subject": "Merci"})
    assert changed.status_code == 200 and changed.get_json()["subject"] == "Merci"
    bad = api.patch(f"/api/v1/message-templates/{template_id}", json={"subject": "{nope.x}"})
    assert bad.status_code == 422
    assert api.get(f"/api/v1/message-templates/{template_id}").get_json()["subject"] == "Merci"
    assert api.delete(f"/api/v1/message-templates/{template_id}").status_code == 204
    assert api.get(f"/api/v1/message-templates/{template_id}").status_code == 404


def test_read_only_users_cannot_edit_templates(login_as, api_client):
    assert login_as("readonly", locale="en").get("/admin/message-templates/").status_code == 403
    reader = api_client("readonly")
    assert reader.post("/api/v1/message-templates", json={}).status_code == 403
