"""Cross-package tests: the sample extension of the core's tests is installed through a real entry
point, and a live server runs the app for the browser."""

from __future__ import annotations

import importlib
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from amicale_sdk.testing import install_entry_point

EXTENSIONS = Path(__file__).parents[1] / "core" / "tests" / "extensions"
ARTIFACTS = Path(__file__).parents[1] / "test-artifacts"


@pytest.fixture
def amicale_plugins(tmp_path, monkeypatch):
    site = tmp_path / "site"
    install_entry_point(site, "sample_ext", "amicale_sample_ext.plugin")
    monkeypatch.syspath_prepend(str(EXTENSIONS))
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    return {}


@pytest.fixture
def live_server(app):
    """The app served on a free loopback port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def artifacts(request) -> Path:
    folder = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder
