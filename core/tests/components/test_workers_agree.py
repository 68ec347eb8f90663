"""Several workers (apps) on one database agree on the enabled set without a restart."""

from __future__ import annotations

import pytest

from amicale.app import create_app
from amicale.components.services import disable_component, enable_component
from amicale.config import Settings
from amicale.plugins import PluginRegistry

pytestmark = pytest.mark.extensions("sample_ext")


def test_a_second_worker_sees_a_component_enabled_by_the_first_on_its_next_request(
    app, state, login_as, tmp_path, amicale_database_url
):
    admin = login_as("administrator")
    other = create_app(
        Settings.from_env(
            {},
            instance_path=tmp_path / "w2",
            secret_key="test-secret-key",
            database_url=amicale_database_url,
        ),
        registry=PluginRegistry(),
        testing=True,
    )
    other.test_client_class = type(admin)
    worker2 = other.test_client()
    with admin.session_transaction() as sess:
        cookie = dict(sess)
    with worker2.session_transaction() as sess:
        sess.update(cookie)

    assert worker2.get("/sample_ext/").status_code == 404
    enable_component(state.db, state.registry, "sample_ext")  # done through worker 1
    assert worker2.get("/sample_ext/").status_code == 200
    disable_component(state.db, state.registry, "sample_ext")
    assert worker2.get("/sample_ext/").status_code == 404
    other.extensions["amicale"].db.dispose()
