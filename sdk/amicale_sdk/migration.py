"""``amicale sdk migration``: autogenerate the next migration of an extension's own branch.

The core and the extension's branch are migrated to their heads in a temporary SQLite database;
Alembic compares the extension's models with it (the extension's tables only) and writes the
difference as a new revision in the extension's migrations folder.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from .extension import Extension, SdkError, load_extension, registry_for


def _component(extension: Extension, registry):
    component = registry.components[extension.name]
    if component.error:
        raise SdkError(f"the component '{extension.name}' cannot be loaded: {component.error}")
    if not component.migrations:
        raise SdkError(
            f"'{extension.name}' has no migrations folder (its register_migrations hook)."
        )
    return component


def _only_tables(tables: set[str]):
    def include_object(obj, name, type_, reflected, compare_to):
        if type_ == "table":
            return name in tables
        table = getattr(obj, "table", None)
        return table is None or table.name in tables

    return include_object


def has_revisions(folder: Path) -> bool:
    """Whether the extension's migrations folder holds a revision yet (a new branch has none)."""
    return any(p.suffix == ".py" and p.name != "__init__.py" for p in Path(folder).iterdir())


def migrated_database(extension: Extension, folder: Path):
    """A temporary SQLite database with the core and the extension migrated to their heads:
    ``(registry, database)``. An extension without any revision yet is left out (its branch
    starts with the revision about to be written)."""
    from amicale import migrations
    from amicale.db import Database

    registry = registry_for(extension)
    component = _component(extension, registry)
    registry.all_models()  # every model imported, so that the metadata knows what is referenced
    database = Database(f"sqlite:///{folder / 'sdk.sqlite3'}")
    # the companions too: their branches are in the registry, so Alembic sees their heads
    branches = [*component.manifest.requires, *component.manifest.optional]
    if has_revisions(component.migrations[1]):
        branches.append(extension.name)
    with database.engine.connect() as conn, conn.begin():
        migrations.upgrade(registry, conn, branches)
    return registry, database


def model_differences(extension: Extension) -> list:
    """Alembic's differences between the extension's models and its migrations."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from amicale.db import metadata

    with tempfile.TemporaryDirectory() as tmp:
        registry, database = migrated_database(extension, Path(tmp))
        tables = set(registry.components[extension.name].tables)
        try:
            with database.engine.connect() as conn:
                ctx = MigrationContext.configure(
                    conn,
                    opts={
                        "include_object": _only_tables(tables),
                        "compare_type": True,
                        "target_metadata": metadata,
                    },
                )
                return compare_metadata(ctx, metadata)
        finally:
            database.dispose()


def slugify(message: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", message.lower()).strip("_")[:40] or "change"


def make_migration(path: Path | str, message: str) -> Path | None:
    """Write the next revision of the extension's branch; None when the models and the
    migrations already agree (nothing is written)."""
    from alembic import command
    from alembic.script import ScriptDirectory

    from amicale import migrations

    if not message.strip():
        raise SdkError('give the migration a message (-m "add a field").')
    extension = load_extension(path)
    if not model_differences(extension):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        registry, database = migrated_database(extension, Path(tmp))
        component = registry.components[extension.name]
        branch, folder = component.migrations
        try:
            with database.engine.connect() as conn, conn.begin():
                cfg = migrations.alembic_config(registry, conn)
                cfg.attributes["include_object"] = _only_tables(set(component.tables))
                cfg.set_main_option("file_template", "%%(rev)s")
                script = ScriptDirectory.from_config(cfg)
                if has_revisions(folder):
                    in_branch = list(script.iterate_revisions(f"{branch}@head", "base"))
                    own = [
                        r for r in in_branch if Path(r.path).parent.resolve() == folder.resolve()
                    ]
                    start = {"head": f"{branch}@head"}
                    number = len(own) + 1
                else:  # the branch's first revision: rooted on the core's head
                    core_head = script.revision_map.get_current_head(migrations.CORE_BRANCH)
                    start = {"head": "base", "branch_label": branch, "depends_on": core_head}
                    number = 1
                rev_id = f"{number:04d}_{extension.name}_{slugify(message)}"
                revision = command.revision(
                    cfg,
                    message=message,
                    autogenerate=True,
                    version_path=str(folder),
                    rev_id=rev_id,
                    **start,
                )
        finally:
            database.dispose()
    from .scaffold import tidy

    tidy(Path(revision.path))
    return Path(revision.path)
