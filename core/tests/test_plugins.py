"""The loader: components come from the ``amicale.plugins`` entry points; a broken one is kept
out with a clear reason, and the rest of Amicale runs."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from amicale import hookimpl
from amicale.api_for_plugins import Manifest
from amicale.plugins import PluginRegistry


def plugin(name="thing", **manifest):
    class P:
        @hookimpl
        def amicale_component(self):
            return Manifest(
                name=manifest.pop("manifest_name", name),
                label=name.title(),
                version="1.0",
                **manifest,
            )

    return P()


@pytest.mark.extensions("sample_broken", "sample_ext")
def test_a_misspelt_hook_is_refused_with_check_pendings_message_and_the_rest_runs(app, api_client):
    registry = app.extensions["amicale"].registry
    broken = registry.components["sample_broken"]
    assert "unknown hook 'menu_itemz'" in broken.error and "misspelt" in broken.error
    assert registry.components["sample_ext"].ok
    api = api_client("administrator")
    listed = {c["name"]: c for c in api.get("/api/v1/components").get_json()}
    assert "menu_itemz" in listed["sample_broken"]["error"]
    refused = api.patch("/api/v1/components/sample_broken", json={"enabled": True})
    assert refused.status_code == 422 and "menu_itemz" in refused.get_json()["message"]
    assert api.patch("/api/v1/components/sample_ext", json={"enabled": True}).status_code == 200


def test_a_manifest_must_match_its_entry_point_and_target_a_supported_api():
    registry = PluginRegistry(
        discover=False,
        extra={
            "good": plugin("good"),
            "renamed": plugin("renamed", manifest_name="other"),
            "future": plugin("future", plugin_api="99"),
        },
    )
    assert registry.components["good"].ok
    assert "named 'other'" in registry.components["renamed"].error
    assert "plugin API 99" in registry.components["future"].error


def test_a_component_without_a_manifest_is_refused():
    class Bare:
        @hookimpl
        def menu_items(self, user):
            return []

    registry = PluginRegistry(discover=False, extra={"bare": Bare()})
    assert "no manifest" in registry.components["bare"].error


def test_tables_must_carry_the_component_prefix():
    class Stray:
        @hookimpl
        def amicale_component(self):
            return Manifest(name="stray", label="Stray", version="1")

        @hookimpl
        def register_models(self):
            return [SimpleNamespace(__table__=SimpleNamespace(name="contact_extra"))]

    registry = PluginRegistry(discover=False, extra={"stray": Stray()})
    assert "prefix 'stray_'" in registry.components["stray"].error


def test_requirements_that_are_missing_or_broken_make_the_dependant_unusable():
    registry = PluginRegistry(
        discover=False,
        extra={
            "lonely": plugin("lonely", requires=("ghost",)),
            "future": plugin("future", plugin_api="99"),
            "child": plugin("child", requires=("future",)),
        },
    )
    assert "requires 'ghost', which is not installed" in registry.components["lonely"].error
    assert "requires 'future', which cannot be loaded" in registry.components["child"].error


def test_components_are_ordered_after_what_they_require():
    registry = PluginRegistry(
        discover=False,
        extra={
            "c": plugin("c", requires=("b",)),
            "b": plugin("b", requires=("a",)),
            "a": plugin("a"),
        },
    )
    assert registry.ordered(["c", "a", "b"]) == ["a", "b", "c"]


def test_reserved_names_are_refused():
    registry = PluginRegistry(discover=False, extra={"admin": plugin("admin")})
    assert "cannot be a component name" in registry.components["admin"].error


def test_the_workspace_components_are_installed_with_their_manifests(app):
    registry = app.extensions["amicale"].registry
    for name in ("membership", "contribute", "event", "grant"):
        component = registry.components[name]
        assert component.ok, component.error
        assert component.distribution.startswith(f"amicale-{name} ")
    assert registry.components["membership"].manifest.optional == ("contribute",)


class TestAnExtensionForAnotherPluginApi:
    """The core refuses, with a clear message, to enable an extension built for a plugin API
    version it does not support; the rest keeps running."""

    @pytest.fixture
    def amicale_plugins(self):
        return {"future": plugin("future", plugin_api="99")}

    MESSAGE = "targets plugin API 99; this Amicale supports 1"

    def test_the_cli_refuses_it(self, app):
        from click.testing import CliRunner

        from amicale.cli import cli

        result = CliRunner().invoke(
            cli, ["components", "enable", "future"], obj=app, env={"AMICALE_LOCALE": "en"}
        )
        assert result.exit_code == 1
        assert "The component 'future' cannot be used" in result.output
        assert self.MESSAGE in result.output

    def test_the_api_and_the_admin_page_refuse_it(self, api_client, login_as):
        api = api_client("administrator")
        refused = api.patch("/api/v1/components/future", json={"enabled": True})
        assert refused.status_code == 422
        assert self.MESSAGE in refused.get_json()["message"]
        page = login_as("administrator", locale="en").get("/admin/components/")
        assert self.MESSAGE in page.get_data(as_text=True)
