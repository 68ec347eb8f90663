"""Fixtures of the core's tests: the amicale-sdk pytest plugin, plus sample extensions installed
with a real entry point (a dist-info on a temporary path)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

EXTENSIONS = Path(__file__).parent / "extensions"


def install_extension(site: Path, name: str) -> None:
    """Make ``amicale_<name>`` discoverable through the ``amicale.plugins`` entry point."""
    dist = site / f"amicale_{name}-1.0.dist-info"
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: amicale-{name}\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[amicale.plugins]\n{name} = amicale_{name}.plugin\n")


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
