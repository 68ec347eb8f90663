"""/api/v1/membership-types, /api/v1/membership-statuses, /api/v1/memberships, as an
integration would call them."""

from amicale_membership.models import Membership, MembershipType


def test_types_are_created_listed_changed_and_deleted(api_client):
    admin = api_client("administrator")
    created = admin.post(
        "/api/v1/membership-types",
        json={
            "name": "School year",
            "minimum_fee": "25",
            "period_type": "fixed",
            "fixed_period_start_day": "0901",
            "relationship_types": ["household_member_of"],
        },
    )
    assert created.status_code == 201, created.json
    assert created.json["minimum_fee"] == "25.00" and created.json["duration_unit"] == "year"
    type_id = created.json["id"]
    listed = admin.get("/api/v1/membership-types").json
    assert [t["name"] for t in listed["items"]] == ["School year"] and listed["total"] == 1
    changed = admin.patch(f"/api/v1/membership-types/{type_id}", json={"is_active": False})
    assert changed.status_code == 200 and changed.json["is_active"] is False
    assert admin.get("/api/v1/membership-types?active=true").json["total"] == 0
    assert admin.delete(f"/api/v1/membership-types/{type_id}").status_code == 204
    assert admin.get(f"/api/v1/membership-types/{type_id}").status_code == 404


def test_a_bad_type_gets_422_with_the_fields(api_client, count_rows):
    response = api_client("administrator").post(
        "/api/v1/membership-types",
        json={
            "name": "",
            "duration_unit": "week",
            "period_type": "fixed",
            "fixed_period_rollover_day": "1332",
            "minimum_fee": "-3",
        },
    )
    assert response.status_code == 422
    errors = response.json["errors"]
    assert {"name", "duration_unit", "fixed_period_rollover_day", "minimum_fee"} <= set(errors)
    unknown = api_client("administrator").post(
        "/api/v1/membership-types", json={"name": "X", "relationship_types": ["cousin_of"]}
    )
    assert unknown.status_code == 422 and "relationship_types" in unknown.json["errors"]
    assert count_rows(MembershipType) == 0


def test_a_type_in_use_is_not_deleted(api_client, factories):
    m = factories.membership.membership()
    response = api_client("administrator").delete(
        f"/api/v1/membership-types/{m.membership_type_id}"
    )
    assert response.status_code == 409


def test_the_statuses_are_seeded_and_a_rule_can_be_changed(api_client):
    admin = api_client("administrator")
    listed = admin.get("/api/v1/membership-statuses").json
    assert [s["name"] for s in listed["items"]] == [
        "New",
        "Current",
        "Grace",
        "Expired",
        "Pending",
        "Cancelled",
        "Deceased",
    ]
    grace = listed["items"][2]
    assert (grace["start_event"], grace["end_event"], grace["end_event_adjust_unit"]) == (
        "end_date",
        "end_date",
        "month",
    )
    changed = admin.patch(
        f"/api/v1/membership-statuses/{grace['id']}", json={"end_event_adjust_interval": 2}
    )
    assert changed.status_code == 200 and changed.json["end_event_adjust_interval"] == 2
    renamed = admin.patch(f"/api/v1/membership-statuses/{grace['id']}", json={"name": "Late"})
    assert renamed.status_code == 422 and "name" in renamed.json["errors"]
    created = admin.post(
        "/api/v1/membership-statuses",
        json={"name": "Honorary", "label": "Honorary", "is_admin": True, "weight": 10},
    )
    assert created.status_code == 201
    no_rule = admin.post("/api/v1/membership-statuses", json={"name": "Odd", "label": "Odd"})
    assert no_rule.status_code == 422 and "start_event" in no_rule.json["errors"]


def test_joining_renewing_and_cancelling_through_the_api(api_client, member, factories):
    ada = member()
    kind = factories.membership.type(name="Individual")
    api = api_client("staff")
    joined = api.post(
        "/api/v1/memberships",
        json={"contact_id": ada.id, "membership_type": "Individual", "join_date": "2025-06-01"},
    )
    assert joined.status_code == 201, joined.json
    body = joined.json
    assert (body["membership_type"], body["start_date"], body["end_date"]) == (
        "Individual",
        "2025-06-01",
        "2026-05-31",
    )
    mid = body["id"]
    assert api.get(f"/api/v1/memberships/{mid}").json["status"] in {"Current", "Grace", "Expired"}
    renewed = api.post(f"/api/v1/memberships/{mid}/renew")
    assert renewed.status_code == 200, renewed.json
    cancelled = api.post(f"/api/v1/memberships/{mid}/cancel", json={"reason": "Moved"})
    assert cancelled.status_code == 200 and cancelled.json["status"] == "Cancelled"
    again = api.post(f"/api/v1/memberships/{mid}/renew", json={})
    assert again.status_code == 422
    other = factories.membership.type(name="Family")
    changed = api.post(
        f"/api/v1/memberships/{mid}/change-type", json={"membership_type_id": other.id}
    )
    assert changed.status_code == 200 and changed.json["membership_type"] == "Family"
    assert kind.id != other.id


def test_the_list_filters(api_client, member, factories):
    ada, bob = member(), member()
    family = factories.membership.type(name="Family")
    factories.membership.membership(contact_id=ada.id, membership_type_id=family.id)
    factories.membership.membership(contact_id=bob.id, join_date="2020-01-10")
    api = api_client("readonly")
    assert api.get("/api/v1/memberships").json["total"] == 2
    assert [
        m["contact_id"] for m in api.get(f"/api/v1/memberships?contact_id={ada.id}").json["items"]
    ] == [ada.id]
    assert api.get("/api/v1/memberships?status=Expired").json["items"][0]["contact_id"] == bob.id
    assert api.get("/api/v1/memberships?type=Family").json["total"] == 1
    ending = api.get("/api/v1/memberships?end_date_from=2021-01-01&end_date_to=2021-01-31").json
    assert [m["contact_id"] for m in ending["items"]] == [bob.id]
    assert api.get("/api/v1/memberships?end_date_from=soon").status_code == 422


def test_bad_input_gets_422_and_writes_nothing(api_client, member, factories, count_rows):
    ada = member()
    factories.membership.type(name="Individual")
    api = api_client("staff")
    response = api.post(
        "/api/v1/memberships",
        json={"contact_id": ada.id, "membership_type": "Nope", "join_date": "yesterday"},
    )
    assert response.status_code == 422
    assert "join_date" in response.json["errors"]
    response = api.post(
        "/api/v1/memberships", json={"contact_id": ada.id, "membership_type": "Nope"}
    )
    assert response.status_code == 422 and "membership_type_id" in response.json["errors"]
    assert api.post("/api/v1/memberships", data="nope").status_code == 422
    assert count_rows(Membership) == 0


def test_missing_records_are_404(api_client):
    api = api_client("administrator")
    assert api.get("/api/v1/memberships/999999").status_code == 404
    assert api.post("/api/v1/memberships/999999/renew").status_code == 404
    assert api.get("/api/v1/membership-types/999999").status_code == 404
    assert api.get("/api/v1/membership-statuses/999999").status_code == 404


def test_who_may_do_what(api_client, member, factories):
    m = factories.membership.membership()
    anonymous, nobody, reader, staff = (
        api_client(None),
        api_client("norole"),
        api_client("readonly"),
        api_client("staff"),
    )
    assert anonymous.get("/api/v1/memberships").status_code == 401
    assert nobody.get("/api/v1/memberships").status_code == 403
    assert reader.get("/api/v1/memberships").status_code == 200
    assert reader.post(f"/api/v1/memberships/{m.id}/renew").status_code == 403
    assert staff.post("/api/v1/membership-types", json={"name": "X"}).status_code == 403
    assert staff.post(f"/api/v1/memberships/{m.id}/renew").status_code == 200


def test_the_openapi_document_lists_the_resources(api_client):
    spec = api_client("readonly").get("/api/v1/openapi.json").json
    for path in (
        "/api/v1/membership-types",
        "/api/v1/membership-statuses",
        "/api/v1/memberships",
        "/api/v1/memberships/{membership_id}/renew",
    ):
        assert path in spec["paths"]
