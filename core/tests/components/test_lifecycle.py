"""An admin enables, disables, re-enables and uninstalls a component; the sample extension (a real
entry point on a temporary path) proves each step: discovery, migrations, menu, pages, API,
permissions, hooks, 404 when disabled, data kept."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from amicale.components import services
from amicale.errors import NotFound, ValidationError

pytestmark = pytest.mark.extensions("sample_ext", "sample_needs")


def tables(state) -> set[str]:
    return set(inspect(state.db.engine).get_table_names())


def test_installed_components_are_discovered_through_entry_points(state, app):
    with app.app_context():
        from amicale.db import session

        infos = {i.name: i for i in services.list_components(session(), state.registry)}
    sample = infos["sample_ext"]
    assert (sample.label, sample.version, sample.enabled) == ("Sample extension", "1.2.0", False)
    assert sample.distribution == "amicale-sample_ext 1.0"
    assert infos["sample_needs"].requires == ("sample_ext",)
    # the four components of the workspace are installed too
    assert {"membership", "contribute", "event", "grant"} <= set(infos)


def test_enable_runs_migrations_and_on_enable_and_shows_menu_page_and_api(
    app, state, login_as, api_client, sample_calls
):
    admin = login_as("administrator")
    assert "sample_ext_item" not in tables(state)
    assert admin.get("/sample_ext/").status_code == 404

    response = admin.post_form("/admin/components/sample_ext", {"enabled": "1"})
    assert response.status_code == 302

    assert "sample_ext_item" in tables(state)
    assert sample_calls == [("on_enable",)]
    dashboard = admin.get("/dashboard").get_data(as_text=True)
    assert 'data-menu-id="sample_ext"' in dashboard
    assert 'id="sample-count"' in dashboard  # its dashboard widget
    assert "sample-ext-footer" in dashboard  # its template slot
    assert admin.get("/sample_ext/").status_code == 200
    api = api_client("administrator")
    created = api.post("/api/v1/sample-items", json={"name": "Confitures"})
    assert created.status_code == 201, created.get_json()
    assert api.get("/api/v1/sample-items").get_json() == [{"id": 1, "name": "Confitures"}]
    spec = api.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/sample-items" in spec["paths"]


def test_disable_hides_everything_and_keeps_data_then_enable_brings_it_back(
    app, state, login_as, api_client, sample_calls
):
    services.enable_component(state.db, state.registry, "sample_ext")
    api = api_client("administrator")
    api.post("/api/v1/sample-items", json={"name": "Ourlets"})
    admin = login_as("administrator")

    api.patch("/api/v1/components/sample_ext", json={"enabled": False})

    assert sample_calls == [("on_enable",), ("on_disable",)]
    assert admin.get("/sample_ext/").status_code == 404
    assert admin.post_form("/sample_ext/add", {"name": "x"}).status_code == 404
    assert api.get("/api/v1/sample-items").status_code == 404
    assert 'data-menu-id="sample_ext"' not in admin.get("/dashboard").get_data(as_text=True)
    assert "/api/v1/sample-items" not in api.get("/api/v1/openapi.json").get_json()["paths"]
    with state.db.engine.connect() as conn:  # the data is still there
        assert conn.execute(text("SELECT name FROM sample_ext_item")).scalars().all() == ["Ourlets"]

    response = api.patch("/api/v1/components/sample_ext", json={"enabled": True})
    assert response.status_code == 200 and response.get_json()["enabled"] is True
    assert api.get("/api/v1/sample-items").get_json() == [{"id": 1, "name": "Ourlets"}]
    assert "Ourlets" in admin.get("/sample_ext/").get_data(as_text=True)


def test_a_component_whose_requirements_are_not_enabled_is_refused_naming_them(
    app, state, api_client
):
    api = api_client("administrator")
    response = api.patch("/api/v1/components/sample_needs", json={"enabled": True})
    assert response.status_code == 422
    assert "sample_ext" in response.get_json()["message"]
    assert api.get("/api/v1/components/sample_needs").get_json()["enabled"] is False

    services.enable_component(state.db, state.registry, "sample_ext")
    assert api.patch("/api/v1/components/sample_needs", json={"enabled": True}).status_code == 200
    # and a required component cannot be disabled under its dependant
    refused = api.patch("/api/v1/components/sample_ext", json={"enabled": False})
    assert refused.status_code == 422
    assert "sample_needs" in refused.get_json()["message"]


def test_unknown_component_names_are_refused_clearly(app, state, api_client):
    api = api_client("administrator")
    response = api.patch("/api/v1/components/nope", json={"enabled": True})
    assert response.status_code == 404
    assert "nope" in response.get_json()["message"]
    assert "sample_ext" in response.get_json()["message"]  # it lists what is installed
    bad = api.patch("/api/v1/components/sample_ext", json={"enabled": "maybe"})
    assert bad.status_code == 422
    assert "enabled" in bad.get_json()["errors"]
    with pytest.raises(NotFound), app.app_context():
        services.enable_component(state.db, state.registry, "nope")


def test_the_web_page_lists_components_and_reports_refusals(app, login_as):
    admin = login_as("administrator", locale="en")
    page = admin.get("/admin/components/").get_data(as_text=True)
    assert 'id="component-sample_ext"' in page and "Proves the plugin mechanism." in page
    response = admin.post_form(
        "/admin/components/sample_needs", {"enabled": "1"}, follow_redirects=True
    )
    text_ = response.get_data(as_text=True)
    assert "requires sample_ext" in text_


def test_uninstall_purge_drops_the_tables_and_forgets_the_component(app, state):
    services.enable_component(state.db, state.registry, "sample_ext")
    with pytest.raises(ValidationError), app.app_context():
        services.uninstall_component(state.db, state.registry, "sample_ext", purge=False)
    services.uninstall_component(state.db, state.registry, "sample_ext", purge=True)
    assert "sample_ext_item" not in tables(state)
    with state.db.engine.connect() as conn:
        assert (
            conn.execute(text("SELECT count(*) FROM component WHERE name='sample_ext'")).scalar()
            == 0
        )
        assert (
            conn.execute(
                text("SELECT count(*) FROM role_permission WHERE permission LIKE 'sample_ext.%'")
            ).scalar()
            == 0
        )
    # it can be enabled again from nothing
    services.enable_component(state.db, state.registry, "sample_ext")
    assert "sample_ext_item" in tables(state)


@pytest.mark.extensions("sample_badmig")
def test_a_migration_failing_half_way_leaves_the_component_disabled_and_the_database_as_it_was(
    app, state, api_client
):
    before = tables(state)
    api = api_client("administrator")
    response = api.patch("/api/v1/components/sample_badmig", json={"enabled": True})
    assert response.status_code == 409
    body = response.get_json()
    assert "no_such_table" in body["message"] and "Nothing was changed" in body["message"]
    assert tables(state) == before  # not even the first migration's table stayed
    assert api.get("/api/v1/components/sample_badmig").get_json()["enabled"] is False
    with state.db.engine.connect() as conn:
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert not any("badmig" in v for v in versions)
