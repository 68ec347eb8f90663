"""The API skeleton: a valid OpenAPI 3 document and one error format for every refusal."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

pytestmark = pytest.mark.extensions("sample_ext")


def test_the_openapi_document_is_valid_and_lists_the_resources(app, state, api_client):
    from amicale.components.services import enable_component

    enable_component(state.db, state.registry, "sample_ext")
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert {
        "/api/v1/components",
        "/api/v1/components/{name}",
        "/api/v1/users/me",
        "/api/v1/sample-items",
    } <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


@pytest.mark.parametrize("case", ["401", "403", "404", "404-route", "405", "422", "400-json"])
def test_every_error_has_the_same_shape(api_client, case):
    admin, reader = api_client("administrator"), api_client("readonly")
    response = {
        "401": lambda: api_client(None).get("/api/v1/components"),
        "403": lambda: reader.get("/api/v1/components"),
        "404": lambda: admin.get("/api/v1/components/nope"),
        "404-route": lambda: admin.get("/api/v1/nothing-here"),
        "405": lambda: admin.delete("/api/v1/components/sample_ext"),
        "422": lambda: admin.patch("/api/v1/components/sample_ext", json={}),
        "400-json": lambda: admin.open(
            "PATCH",
            "/api/v1/components/sample_ext",
            data="{not json",
            content_type="application/json",
        ),
    }[case]()
    code = int(case.split("-")[0])
    assert response.status_code == code
    body = response.get_json()
    assert body["code"] == code and body["status"] and body["message"]
    if code == 422 and case == "422":
        assert body["errors"] == {"enabled": ["Missing data for required field."]}


def test_a_conflict_answers_409_in_the_same_shape(app, state, api_client):
    """The component's own failure (here: on_enable raising) is a 409 that says what happened."""
    from amicale_sample_ext import plugin

    admin = api_client("administrator")
    original = plugin.on_enable

    def failing(session):
        raise RuntimeError("the sample refuses")

    plugin.on_enable = failing
    try:
        # pluggy keeps the function it registered: swap the implementation it calls
        impl = next(
            i for i in state.registry.pm.hook.on_enable.get_hookimpls() if i.plugin is plugin
        )
        impl.function = failing
        response = admin.patch("/api/v1/components/sample_ext", json={"enabled": True})
    finally:
        impl.function = original
        plugin.on_enable = original
    assert response.status_code == 409
    body = response.get_json()
    assert body["code"] == 409 and "the sample refuses" in body["message"]
    assert admin.get("/api/v1/components/sample_ext").get_json()["enabled"] is False
    from sqlalchemy import inspect

    assert "sample_ext_item" not in inspect(state.db.engine).get_table_names()
