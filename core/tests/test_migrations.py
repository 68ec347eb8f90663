"""Models and migrations agree (alembic check), for the core and for an enabled component, on the
database the suite runs on (SQLite, or PostgreSQL with AMICALE_TEST_DATABASE_URL)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from amicale import migrations
from amicale.cli import cli
from amicale.components.services import enable_component

pytestmark = pytest.mark.extensions("sample_ext")


def test_models_and_migrations_agree_for_the_core_and_the_components(app, state):
    enable_component(state.db, state.registry, "sample_ext")
    with state.db.engine.connect() as conn:
        assert migrations.current_heads(state.registry, conn) >= {"core", "sample_ext"}
        assert migrations.compare(state.registry, conn) == []


def test_the_check_sees_a_difference(app, state):
    from sqlalchemy import text

    with state.db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE stray_table (id INTEGER PRIMARY KEY)"))
        conn.execute(text("DROP INDEX ix_contact_is_deleted_sort_name"))
    with state.db.engine.connect() as conn:
        diffs = migrations.compare(state.registry, conn)
    assert any(
        d[0] == "add_index" and d[1].name == "ix_contact_is_deleted_sort_name" for d in diffs
    )
    result = CliRunner().invoke(cli, ["db", "check"], obj=app)
    assert result.exit_code == 1 and "differ" in result.output


def test_db_upgrade_applies_the_enabled_components_too(app, state):
    enable_component(state.db, state.registry, "sample_ext")
    result = CliRunner().invoke(cli, ["db", "upgrade"], obj=app)
    assert result.exit_code == 0, result.output
    assert "core, sample_ext" in result.output
    with state.db.engine.connect() as conn:
        assert migrations.pending_branches(state.registry, conn, ["sample_ext"]) == []
