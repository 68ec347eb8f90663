"""Alembic migrations: one environment, a branch ``core`` and one branch per component.

``version_locations`` holds the core's folder and every installed component's folder, so the
version table can always be read; ``upgrade`` moves only the branches asked for.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from ..db import metadata

HERE = Path(__file__).parent
CORE_BRANCH = "core"


def alembic_config(registry, connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("path_separator", "os")
    locations = [str(HERE / "versions")]
    for component in registry.usable().values():
        if component.migrations:
            locations.append(str(component.migrations[1]))
    cfg.set_main_option("version_locations", os.pathsep.join(locations))
    cfg.attributes["connection"] = connection
    cfg.attributes["metadata"] = metadata
    return cfg


def upgrade(registry, connection: Connection, branches: list[str]) -> None:
    """Upgrade the core and the given components' branches to their heads, on ``connection``."""
    cfg = alembic_config(registry, connection)
    for branch in [CORE_BRANCH, *[b for b in branches if b != CORE_BRANCH]]:
        component = registry.components.get(branch)
        if branch != CORE_BRANCH and (component is None or not component.migrations):
            continue
        command.upgrade(cfg, f"{branch}@head")


def downgrade_branch(registry, connection: Connection, branch: str) -> None:
    """Take a component's branch back to nothing (drops its tables)."""
    cfg = alembic_config(registry, connection)
    if branch in current_heads(registry, connection):
        command.downgrade(cfg, f"{branch}@base")


def applied_revisions(registry, connection: Connection) -> tuple[ScriptDirectory, set[str]]:
    """Every revision in the database's history (the current heads and their ancestors)."""
    script = ScriptDirectory.from_config(alembic_config(registry, connection))
    heads = MigrationContext.configure(connection).get_current_heads()
    applied = {r.revision for r in script.iterate_revisions(heads, "base")} if heads else set()
    return script, applied


def current_heads(registry, connection: Connection) -> set[str]:
    """Branch labels that have a revision applied in the database."""
    script, applied = applied_revisions(registry, connection)
    labels: set[str] = set()
    for rev in applied:
        labels.update(script.get_revision(rev).branch_labels)
    return labels


def pending_branches(registry, connection: Connection, branches: list[str]) -> list[str]:
    """The branches among core + ``branches`` whose head is not applied yet."""
    script, applied = applied_revisions(registry, connection)
    pending = []
    for branch in [CORE_BRANCH, *branches]:
        component = registry.components.get(branch)
        if branch != CORE_BRANCH and (component is None or not component.migrations):
            continue
        if script.get_revision(f"{branch}@head").revision not in applied:
            pending.append(branch)
    return pending


def owned_tables(registry, connection: Connection) -> set[str]:
    """Tables the core owns plus those of the components whose branch is applied."""
    tables = {
        model.__table__.name
        for models in registry.core_relay().register_models()
        for model in models
    }
    applied = current_heads(registry, connection)
    for name, component in registry.usable().items():
        if name in applied:
            tables.update(component.tables)
    return tables


def compare(registry, connection: Connection) -> list:
    """Differences between the models and the migrated database (empty when they agree)."""
    from alembic.autogenerate import compare_metadata

    tables = owned_tables(registry, connection)

    def include_object(obj, name, type_, reflected, compare_to):
        if type_ == "table":
            return name in tables
        table = getattr(obj, "table", None)
        return table is None or table.name in tables

    ctx = MigrationContext.configure(
        connection,
        opts={"include_object": include_object, "compare_type": True, "target_metadata": metadata},
    )
    return compare_metadata(ctx, metadata)
