"""/api/v1/timebank/..., as an integration would call it."""

import pytest

from amicale_timebank.models import TimebankCategory, TimebankExchange, TimebankListing

BASE = "/api/v1/timebank"


def test_categories_are_created_listed_changed_and_deleted(api_client):
    admin = api_client("administrator")
    created = admin.post(f"{BASE}/categories", json={"name": "Gardening", "weight": 2})
    assert created.status_code == 201, created.json
    assert created.json["is_active"] is True
    category_id = created.json["id"]
    admin.post(f"{BASE}/categories", json={"name": "Baking", "weight": 1})
    listed = admin.get(f"{BASE}/categories").json
    assert [c["name"] for c in listed["items"]] == ["Baking", "Gardening"]
    assert (listed["total"], listed["page"], listed["page_size"]) == (2, 1, 25)
    changed = admin.patch(f"{BASE}/categories/{category_id}", json={"is_active": False})
    assert changed.status_code == 200 and changed.json["is_active"] is False
    assert changed.json["name"] == "Gardening"
    active = admin.get(f"{BASE}/categories?active=true").json
    assert [c["name"] for c in active["items"]] == ["Baking"]
    assert admin.delete(f"{BASE}/categories/{category_id}").status_code == 204
    assert admin.get(f"{BASE}/categories/{category_id}").status_code == 404


def test_a_category_in_use_cannot_be_deleted_through_the_api(api_client, factories, count_rows):
    listing = factories.timebank.listing()
    response = api_client("administrator").delete(f"{BASE}/categories/{listing.category_id}")
    assert response.status_code == 409
    assert "cannot be deleted" in response.json["message"]
    assert count_rows(TimebankCategory) == 1


def test_only_administrators_change_categories(api_client, factories):
    category = factories.timebank.category()
    staff = api_client("staff")
    assert staff.get(f"{BASE}/categories/{category.id}").status_code == 200
    assert staff.post(f"{BASE}/categories", json={"name": "X"}).status_code == 403
    assert staff.patch(f"{BASE}/categories/{category.id}", json={"name": "X"}).status_code == 403
    assert staff.delete(f"{BASE}/categories/{category.id}").status_code == 403


def test_listings_are_created_filtered_changed_and_deleted(api_client, member, factories):
    ada = member()
    sewing, garden = factories.timebank.category(), factories.timebank.category()
    api = api_client("staff")
    created = api.post(
        f"{BASE}/listings",
        json={"contact_id": ada.id, "category_id": sewing.id, "kind": "offer"},
    )
    assert created.status_code == 201, created.json
    assert created.json["is_active"] is True and created.json["description"] is None
    listing_id = created.json["id"]
    factories.timebank.listing(category_id=garden.id, kind="request")
    assert api.get(f"{BASE}/listings").json["total"] == 2
    by_contact = api.get(f"{BASE}/listings?contact_id={ada.id}").json
    assert [item["id"] for item in by_contact["items"]] == [listing_id]
    assert api.get(f"{BASE}/listings?kind=request").json["total"] == 1
    assert api.get(f"{BASE}/listings?category_id={sewing.id}").json["total"] == 1
    changed = api.patch(f"{BASE}/listings/{listing_id}", json={"is_active": False})
    assert changed.json["is_active"] is False and changed.json["kind"] == "offer"
    assert api.get(f"{BASE}/listings?active=true").json["total"] == 1
    assert api.delete(f"{BASE}/listings/{listing_id}").status_code == 204
    assert api.get(f"{BASE}/listings/{listing_id}").status_code == 404


def test_exchanges_are_recorded_listed_changed_and_deleted(api_client, member, factories):
    ada, bob = member(), member()
    category = factories.timebank.category()
    api = api_client("staff")
    body = {
        "provider_id": ada.id,
        "receiver_id": bob.id,
        "category_id": category.id,
        "hours": 1.5,
        "exchange_date": "2024-06-01",
    }
    created = api.post(f"{BASE}/exchanges", json=body)
    assert created.status_code == 201, created.json
    assert created.json["hours"] == "1.50"  # exact decimals, as strings
    assert created.json["exchange_date"] == "2024-06-01"
    exchange_id = created.json["id"]
    assert api.get(f"{BASE}/exchanges/{exchange_id}").json["provider_id"] == ada.id
    changed = api.patch(f"{BASE}/exchanges/{exchange_id}", json={"hours": "2.25"})
    assert changed.status_code == 200 and changed.json["hours"] == "2.25"
    assert changed.json["receiver_id"] == bob.id
    assert api.get(f"{BASE}/balances/{ada.id}").json["balance"] == "2.25"
    assert api.delete(f"{BASE}/exchanges/{exchange_id}").status_code == 204
    assert api.get(f"{BASE}/balances/{ada.id}").json["balance"] == "0.00"


def test_exchanges_are_paginated_and_filtered(api_client, member, factories):
    ada = member()
    sewing = factories.timebank.category()
    for day in (1, 2, 3):
        factories.timebank.exchange(provider_id=ada.id, exchange_date=f"2024-01-0{day}")
    factories.timebank.exchange(category_id=sewing.id, exchange_date="2024-02-10")
    api = api_client("readonly")
    first = api.get(f"{BASE}/exchanges?page_size=2").json
    assert (first["total"], first["page"], first["page_size"]) == (4, 1, 2)
    assert [e["exchange_date"] for e in first["items"]] == ["2024-02-10", "2024-01-03"]
    second = api.get(f"{BASE}/exchanges?page_size=2&page=2").json
    assert [e["exchange_date"] for e in second["items"]] == ["2024-01-02", "2024-01-01"]
    assert api.get(f"{BASE}/exchanges?contact_id={ada.id}").json["total"] == 3
    assert api.get(f"{BASE}/exchanges?category_id={sewing.id}").json["total"] == 1
    window = api.get(f"{BASE}/exchanges?date_from=2024-01-02&date_to=2024-01-31").json
    assert window["total"] == 2
    assert api.get(f"{BASE}/exchanges?page_size=501").status_code == 422


def test_balances_of_one_member_and_of_all(api_client, member, factories):
    ada, bob = member("Ada", "A"), member("Bob", "B")
    factories.timebank.exchange(provider_id=ada.id, receiver_id=bob.id, hours="3")
    factories.timebank.exchange(provider_id=bob.id, receiver_id=ada.id, hours="1.25")
    api = api_client("readonly")
    one = api.get(f"{BASE}/balances/{ada.id}").json
    assert one == {
        "contact_id": ada.id,
        "display_name": "Ada A",
        "hours_given": "3.00",
        "hours_received": "1.25",
        "balance": "1.75",
    }
    every = api.get(f"{BASE}/balances").json
    assert {b["contact_id"]: b["balance"] for b in every["items"]} == {
        ada.id: "1.75",
        bob.id: "-1.75",
    }
    assert api.get(f"{BASE}/balances/999999").status_code == 404


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"hours": 0}, {"hours"}),
        ({"hours": "101"}, {"hours"}),
        ({"hours": "NaN"}, {"hours"}),
        ({"hours": "1.001"}, {"hours"}),
        ({"exchange_date": "yesterday"}, {"exchange_date"}),
        ({"provider_id": None}, {"provider_id"}),
        ({"provider_id": 999999, "receiver_id": 999998}, {"provider_id", "receiver_id"}),
        ({"category_id": 999999}, {"category_id"}),
        ({"category_id": "sewing"}, {"category_id"}),
    ],
)
def test_bad_exchanges_are_refused_field_by_field(
    api_client, member, factories, count_rows, change, fields
):
    ada, bob = member(), member()
    category = factories.timebank.category()
    body = {
        "provider_id": ada.id,
        "receiver_id": bob.id,
        "category_id": category.id,
        "hours": "1",
        "exchange_date": "2024-06-01",
        **change,
    }
    response = api_client("staff").post(f"{BASE}/exchanges", json=body)
    assert response.status_code == 422
    assert set(response.json["errors"]) == fields
    assert count_rows(TimebankExchange) == 0


def test_an_exchange_in_the_future_or_with_oneself_is_refused(
    api_client, member, factories, count_rows, in_three_days
):
    ada = member()
    category = factories.timebank.category()
    response = api_client("staff").post(
        f"{BASE}/exchanges",
        json={
            "provider_id": ada.id,
            "receiver_id": ada.id,
            "category_id": category.id,
            "hours": "1",
            "exchange_date": in_three_days,
        },
    )
    assert response.status_code == 422
    assert response.json["errors"] == {
        "exchange_date": ["An exchange cannot be recorded before it happens."],
        "receiver_id": ["A member cannot exchange with themselves."],
    }
    assert count_rows(TimebankExchange) == 0


def test_a_change_that_breaks_a_rule_leaves_the_exchange_as_it_was(api_client, factories):
    exchange = factories.timebank.exchange(hours="1")
    api = api_client("staff")
    response = api.patch(
        f"{BASE}/exchanges/{exchange.id}",
        json={"receiver_id": exchange.provider_id, "hours": "4"},
    )
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"receiver_id"}
    assert api.get(f"{BASE}/exchanges/{exchange.id}").json["hours"] == "1.00"


def test_bad_listings_and_bodies_are_refused(api_client, count_rows):
    api = api_client("staff")
    response = api.post(f"{BASE}/listings", json={"kind": "gift"})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"contact_id", "category_id", "kind"}
    response = api.post(f"{BASE}/listings", json=["not", "an", "object"])
    assert response.status_code == 422
    assert count_rows(TimebankListing) == 0


def test_errors_come_in_the_language_of_the_user(api_client):
    api = api_client("staff", locale="fr")
    response = api.post(f"{BASE}/listings", json={"kind": "offer"})
    assert response.json["errors"]["contact_id"] == ["Ce champ est obligatoire."]


def test_the_api_needs_a_token_and_the_permission(api_client, factories):
    exchange = factories.timebank.exchange()
    assert api_client(None).get(f"{BASE}/exchanges").status_code == 401
    reader = api_client("readonly")
    assert reader.get(f"{BASE}/exchanges").status_code == 200
    assert reader.post(f"{BASE}/exchanges", json={}).status_code == 403
    assert reader.patch(f"{BASE}/exchanges/{exchange.id}", json={}).status_code == 403
    assert reader.delete(f"{BASE}/exchanges/{exchange.id}").status_code == 403
    assert reader.post(f"{BASE}/listings", json={}).status_code == 403
    assert api_client("norole").get(f"{BASE}/balances").status_code == 403


def test_the_resources_are_in_the_openapi_document(api_client):
    spec = api_client("staff").get("/api/v1/openapi.json").json
    for path in (
        "/categories",
        "/categories/{category_id}",
        "/listings",
        "/listings/{listing_id}",
        "/exchanges",
        "/exchanges/{exchange_id}",
        "/balances",
        "/balances/{contact_id}",
    ):
        assert f"{BASE}{path}" in spec["paths"]
    schemas = spec["components"]["schemas"]
    assert {"TimebankExchange", "TimebankExchangePatch", "TimebankExchangePage"} <= set(schemas)
    patch = spec["paths"][f"{BASE}/exchanges/{{exchange_id}}"]["patch"]
    ref = patch["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/TimebankExchangePatch")
