"""/api/v1/activity-types and /api/v1/activities: lists and their filters, create with targets
and assignees, change, delete, bad input (422), unknown ids (404), permissions."""

from __future__ import annotations

import pytest


@pytest.fixture
def staff(api_client):
    return api_client("staff")


def post(api, people, **data):
    body = {
        "activity_type": "phone_call",
        "target_contact_ids": [people["lao"]],
        "activity_date": "2024-05-01T10:00:00+02:00",
        **data,
    }
    return api.post("/api/v1/activities", json=body)


def test_activity_types_are_listed_created_and_changed(api_client, staff):
    body = staff.get("/api/v1/activity-types").get_json()
    assert "phone_call" in [t["name"] for t in body["items"]] and body["total"] >= 7
    admin = api_client("administrator")
    response = admin.post(
        "/api/v1/activity-types", json={"name": "home_visit", "label": "Home visit"}
    )
    assert response.status_code == 201
    created = response.get_json()
    assert (created["component"], created["is_reserved"], created["is_active"]) == (
        None,
        False,
        True,
    )
    response = admin.patch(
        f"/api/v1/activity-types/{created['id']}", json={"label": "Visit", "is_active": False}
    )
    assert response.status_code == 200 and response.get_json()["label"] == "Visit"
    active = staff.get("/api/v1/activity-types?is_active=true").get_json()["items"]
    assert "home_visit" not in [t["name"] for t in active]
    assert staff.get(f"/api/v1/activity-types/{created['id']}").get_json()["label"] == "Visit"
    assert staff.get("/api/v1/activity-types/9999").status_code == 404


def test_bad_activity_types_and_who_may_change_them(api_client, staff):
    admin = api_client("administrator")
    for body, field in [
        ({"name": "meeting", "label": "Meeting again"}, "name"),
        ({"name": "Not OK", "label": "x"}, "name"),
        ({"name": "no_label"}, "label"),
    ]:
        response = admin.post("/api/v1/activity-types", json=body)
        assert response.status_code == 422 and field in response.get_json()["errors"], body
    assert admin.patch("/api/v1/activity-types/1", json={"name": "x"}).status_code == 422
    assert admin.patch("/api/v1/activity-types/9999", json={"label": "x"}).status_code == 404
    assert (
        staff.post("/api/v1/activity-types", json={"name": "x_y", "label": "X"}).status_code == 403
    )
    assert staff.patch("/api/v1/activity-types/1", json={"label": "X"}).status_code == 403
    assert api_client(None).get("/api/v1/activity-types").status_code == 401


def test_recording_an_activity_with_targets_and_assignees(staff, people):
    response = post(
        staff,
        people,
        subject="Rent",
        duration=20,
        status="Completed",
        target_contact_ids=[people["lao"], people["jean"]],
        assignee_contact_ids=[people["marie"]],
        source_contact_id=people["grain"],
    )
    assert response.status_code == 201
    activity = response.get_json()
    assert activity["activity_type"] == "phone_call"
    assert activity["activity_type_label"] == "Phone Call"
    assert sorted(activity["target_contact_ids"]) == sorted([people["lao"], people["jean"]])
    assert activity["assignee_contact_ids"] == [people["marie"]]
    assert activity["activity_date"] == "2024-05-01T08:00:00+00:00"  # stored in UTC
    again = staff.get(f"/api/v1/activities/{activity['id']}").get_json()
    assert again == activity


def test_listing_activities_with_filters(staff, people):
    post(staff, people, subject="call in April", activity_date="2024-04-30T23:00:00+00:00")
    post(
        staff,
        people,
        subject="meeting in May",
        activity_type="meeting",
        activity_date="2024-05-15T09:00:00+00:00",
        status="Completed",
    )
    post(
        staff,
        people,
        subject="Jean's",
        target_contact_ids=[people["jean"]],
        activity_date="2024-06-01T09:00:00+00:00",
    )

    def subjects(query):
        response = staff.get(f"/api/v1/activities?{query}")
        assert response.status_code == 200, response.get_json()
        return [a["subject"] for a in response.get_json()["items"]]

    assert subjects("") == ["Jean's", "meeting in May", "call in April"]
    assert subjects(f"contact_id={people['lao']}") == ["meeting in May", "call in April"]
    assert subjects("activity_type=meeting") == ["meeting in May"]
    assert subjects("status=Scheduled") == ["Jean's", "call in April"]
    assert subjects("date_from=2024-05-01&date_to=2024-05-31") == ["meeting in May"]
    assert subjects("date_to=2024-04-30") == ["call in April"]  # the whole day is included
    page = staff.get("/api/v1/activities?page=2&page_size=2").get_json()
    assert (page["total"], [a["subject"] for a in page["items"]]) == (3, ["call in April"])


def test_bad_filters_get_422(staff):
    for query, field in [
        ("status=Someday", "status"),
        ("date_from=yesterday", "date_from"),
        ("page_size=501", "page_size"),
    ]:
        response = staff.get(f"/api/v1/activities?{query}")
        assert response.status_code == 422 and field in response.get_json()["errors"], query
    assert staff.get("/api/v1/activities?activity_type=seance").status_code == 422
    assert (
        staff.get("/api/v1/activities?date_from=2024-05-02&date_to=2024-05-01").status_code == 422
    )


def test_bad_activities_get_422_and_nothing_is_recorded(staff, people):
    cases = [
        ({"target_contact_ids": []}, "target_contact_ids"),
        ({"target_contact_ids": [4242]}, "target_contact_ids"),
        ({"assignee_contact_ids": [4242]}, "assignee_contact_ids"),
        ({"activity_type": "seance"}, "activity_type"),
        ({"activity_type": None, "activity_type_id": 4242}, "activity_type_id"),
        ({"status": "Perhaps"}, "status"),
        ({"priority": "Whenever"}, "priority"),
        ({"duration": -1}, "duration"),
        ({"activity_date": "the day after"}, "activity_date"),
        ({"target_contact_ids": "Lao"}, "target_contact_ids"),
        ({"subject": "x" * 256}, "subject"),
    ]
    for data, field in cases:
        response = post(staff, people, **data)
        assert response.status_code == 422, data
        assert field in response.get_json().get("errors", {}), (data, response.get_json())
    assert staff.get("/api/v1/activities").get_json()["total"] == 0


def test_changing_and_deleting_an_activity(staff, people):
    activity = post(staff, people, assignee_contact_ids=[people["marie"]]).get_json()
    url = f"/api/v1/activities/{activity['id']}"
    response = staff.patch(
        url,
        json={
            "status": "Completed",
            "assignee_contact_ids": [],
            "target_contact_ids": [people["jean"]],
        },
    )
    assert response.status_code == 200
    changed = response.get_json()
    assert (changed["status"], changed["assignee_contact_ids"], changed["target_contact_ids"]) == (
        "Completed",
        [],
        [people["jean"]],
    )
    assert staff.patch(url, json={"target_contact_ids": []}).status_code == 422
    assert staff.patch(url, json={"colour": "blue"}).status_code == 422
    assert staff.get(url).get_json()["target_contact_ids"] == [people["jean"]]
    assert staff.delete(url).status_code == 204
    assert staff.get(url).status_code == 404
    assert staff.patch(url, json={"status": "Cancelled"}).status_code == 404
    assert staff.get(f"/api/v1/activities?contact_id={people['jean']}").get_json()["total"] == 0


def test_read_only_tokens_read_but_do_not_write(api_client, staff, people):
    activity = post(staff, people).get_json()
    reader = api_client("readonly")
    assert reader.get(f"/api/v1/activities/{activity['id']}").status_code == 200
    assert post(reader, people).status_code == 403
    assert (
        reader.patch(
            f"/api/v1/activities/{activity['id']}", json={"status": "Cancelled"}
        ).status_code
        == 403
    )
    assert reader.delete(f"/api/v1/activities/{activity['id']}").status_code == 403
    assert api_client(None).get("/api/v1/activities").status_code == 401
    assert staff.get("/api/v1/activities").get_json()["total"] == 1


def test_the_openapi_document_describes_both_resources(api_client):
    paths = api_client("staff").get("/api/v1/openapi.json").get_json()["paths"]
    assert {
        "/api/v1/activities",
        "/api/v1/activities/{activity_id}",
        "/api/v1/activity-types",
        "/api/v1/activity-types/{type_id}",
    } <= set(paths)
