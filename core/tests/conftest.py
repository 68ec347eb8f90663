"""Fixtures of the core's tests: the amicale-sdk pytest plugin, plus sample extensions installed
with a real entry point (a dist-info on a temporary path)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from amicale_sdk.testing import install_entry_point

EXTENSIONS = Path(__file__).parent / "extensions"


def install_extension(site: Path, name: str) -> None:
    """Make ``amicale_<name>`` discoverable through the ``amicale.plugins`` entry point."""
    install_entry_point(site, name, f"amicale_{name}.plugin")


@pytest.fixture
def extensions(request) -> list[str]:
    marker = request.node.get_closest_marker("extensions")
    return list(marker.args) if marker else []


@pytest.fixture
def amicale_plugins(extensions, tmp_path, monkeypatch) -> dict:
    """Installs the extensions named by ``@pytest.mark.extensions(...)`` before the app starts."""
    if extensions:
        site = tmp_path / "site"
        for name in extensions:
            install_extension(site, name)
        monkeypatch.syspath_prepend(str(EXTENSIONS))
        monkeypatch.syspath_prepend(str(site))
        importlib.invalidate_caches()
    return {}


@pytest.fixture
def state(amicale_app):
    return amicale_app.extensions["amicale"]


@pytest.fixture
def sample_calls():
    """The lifecycle calls recorded by the sample extension during the test."""
    if str(EXTENSIONS) not in sys.path:
        sys.path.insert(0, str(EXTENSIONS))
    from amicale_sample_ext import plugin

    plugin.CALLS.clear()
    yield plugin.CALLS
    plugin.CALLS.clear()
