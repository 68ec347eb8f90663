"""The REST API: /api/v1/event-types, /api/v1/events, /api/v1/participants (with filters), in
the OpenAPI document; errors by field, 409 for a full event without waitlist."""

from datetime import datetime, timedelta


def _when(days=7) -> str:
    return (datetime.now() + timedelta(days=days)).strftime("%Y-%m-%dT18:30")


def test_the_resources_are_in_the_openapi_document(api_client):
    doc = api_client("staff").get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/event-types", "/api/v1/events", "/api/v1/participants"):
        assert path in doc["paths"], path


def test_types_and_events_through_the_api(api_client):
    admin = api_client("administrator")
    types = admin.get("/api/v1/event-types").get_json()
    assert "Workshop" in [t["name"] for t in types["items"]]
    created = admin.post("/api/v1/event-types", json={"name": "Picnic"})
    assert created.status_code == 201
    bad = admin.post("/api/v1/events", json={"title": "", "start_date": "tomorrow"})
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) >= {"title", "start_date"}
    event = admin.post(
        "/api/v1/events",
        json={
            "title": "Picnic in the park",
            "event_type_id": created.get_json()["id"],
            "start_date": _when(),
            "max_participants": 1,
            "has_waitlist": False,
            "fee_member": "3.50",
        },
    )
    assert event.status_code == 201, event.get_json()
    body = event.get_json()
    assert (body["taken"], body["fee_member"]) == (0, "3.50")
    listed = admin.get(f"/api/v1/events?event_type_id={created.get_json()['id']}").get_json()
    assert [e["title"] for e in listed["items"]] == ["Picnic in the park"]
    changed = admin.patch(f"/api/v1/events/{body['id']}", json={"location": "Under the oak"})
    assert changed.get_json()["location"] == "Under the oak"
    copy = admin.post(f"/api/v1/events/{body['id']}/copy", json={"start_date": _when(14)})
    assert copy.status_code == 201 and copy.get_json()["id"] != body["id"]


def test_participants_are_registered_filtered_and_cancelled(api_client, factories):
    event = factories.event.event(max_participants=1, has_waitlist=False)
    a, b = factories.contact(), factories.contact()
    staff = api_client("staff")
    made = staff.post("/api/v1/participants", json={"event_id": event.id, "contact_id": a.id})
    assert made.status_code == 201
    (p,) = made.get_json()["items"]
    assert (p["status"], p["event_title"]) == ("Registered", event.title)
    full = staff.post("/api/v1/participants", json={"event_id": event.id, "contact_id": b.id})
    assert full.status_code == 409
    assert staff.post("/api/v1/participants", json={"contact_id": b.id}).status_code == 422
    found = staff.get(f"/api/v1/participants?event_id={event.id}&status=Registered").get_json()
    assert [x["contact_id"] for x in found["items"]] == [a.id]
    assert staff.get(f"/api/v1/participants?contact_id={b.id}").get_json()["total"] == 0
    attended = staff.patch(f"/api/v1/participants/{p['id']}", json={"status": "Attended"})
    assert attended.get_json()["status"] == "Attended"
    cancelled = staff.post(f"/api/v1/participants/{p['id']}/cancel", json={})
    assert cancelled.get_json()["status"] == "Cancelled"
    assert staff.get(f"/api/v1/events/{event.id}").get_json()["taken"] == 0


def test_reading_needs_a_permission(api_client):
    assert api_client("norole").get("/api/v1/events").status_code == 403
    assert api_client(None).get("/api/v1/events").status_code == 401
