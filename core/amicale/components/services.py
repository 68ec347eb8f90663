"""Enable, disable and uninstall components for the organisation; upgrade its database.

Each operation runs in one transaction on one connection: migrations, the component's row, its
permissions and its lifecycle hook. If any part fails, the database is left as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlmodel import Session

from .. import migrations
from ..accounts.models import PermissionRecord, RolePermission
from ..accounts.services import ensure_system_roles, sync_permissions
from ..clock import utcnow
from ..errors import Conflict, NotFound, ValidationError
from ..organisation.services import get_setting, set_setting
from ..plugins import PluginRegistry
from .models import ComponentState
from .state import VERSION_KEY


@dataclass
class ComponentInfo:
    name: str
    label: str
    version: str
    description: str
    requires: tuple[str, ...]
    optional: tuple[str, ...]
    enabled: bool
    installed_version: str | None
    error: str | None
    distribution: str | None


class ComponentFailure(Conflict):
    """The component itself failed (a migration or its on_enable raised)."""


def list_components(session: Session, registry: PluginRegistry) -> list[ComponentInfo]:
    rows = {r.name: r for r in session.execute(select(ComponentState)).scalars()}
    out = []
    for name, comp in sorted(registry.components.items()):
        m = comp.manifest
        row = rows.get(name)
        out.append(
            ComponentInfo(
                name=name,
                label=m.label if m else name,
                version=m.version if m else "",
                description=m.description if m else "",
                requires=m.requires if m else (),
                optional=m.optional if m else (),
                enabled=bool(row and row.is_enabled and comp.ok),
                installed_version=row.installed_version if row else None,
                error=comp.error,
                distribution=comp.distribution,
            )
        )
    return out


def get_component_info(session: Session, registry: PluginRegistry, name: str) -> ComponentInfo:
    for info in list_components(session, registry):
        if info.name == name:
            return info
    raise NotFound(str(_l("No component named '%(name)s' is installed.", name=name)))


def enabled_names(session: Session, registry: PluginRegistry) -> list[str]:
    names = session.execute(select(ComponentState.name).where(ComponentState.is_enabled)).scalars()
    return [n for n in names if n in registry.usable()]


def _usable(registry: PluginRegistry, name: str):
    comp = registry.components.get(name)
    if comp is None:
        known = ", ".join(sorted(registry.components)) or str(_l("none"))
        raise NotFound(
            str(
                _l(
                    "No component named '%(name)s' is installed (installed: %(known)s).",
                    name=name,
                    known=known,
                )
            ),
            field="name",
        )
    if not comp.ok:
        raise ValidationError(
            str(
                _l(
                    "The component '%(name)s' cannot be used: %(error)s",
                    name=name,
                    error=comp.error,
                )
            ),
            field="name",
        )
    return comp


def _bump(session: Session) -> None:
    current = get_setting(session, VERSION_KEY) or 0
    set_setting(session, VERSION_KEY, int(current) + 1)


def upgrade_database(db, registry: PluginRegistry) -> list[str]:
    """``amicale db upgrade``: the core and every enabled component, to their heads.

    Returns the names of the enabled components that were upgraded.
    """
    with db.engine.connect() as conn, conn.begin():
        migrations.upgrade(registry, conn, [])
        s = Session(bind=conn)
        names = registry.ordered(enabled_names(s, registry))
        migrations.upgrade(registry, conn, names)
        ensure_system_roles(s)
        for perms in registry.core_relay().register_permissions():
            sync_permissions(s, "core", perms)
        for name in names:
            _sync_component_permissions(s, registry, name)
            row = s.get(ComponentState, name)
            row.installed_version = registry.components[name].manifest.version
        if get_setting(s, VERSION_KEY) is None:
            set_setting(s, VERSION_KEY, 1)
        s.flush()
    return names


def _sync_component_permissions(s: Session, registry: PluginRegistry, name: str) -> None:
    """What an enabled component declares as data: permissions, relationship and activity
    types (created when missing; the admin's changes to existing ones are kept)."""
    from ..activities.services import ensure_activity_types
    from ..relationships.services import ensure_relationship_types

    only = registry.only(name)
    for perms in only.register_permissions():
        sync_permissions(s, name, perms)
    for definitions in only.register_relationship_types():
        ensure_relationship_types(s, definitions or [])
    for pairs in only.register_activity_types():
        ensure_activity_types(s, pairs or [], name)


def enable_component(db, registry: PluginRegistry, name: str) -> ComponentInfo:
    comp = _usable(registry, name)
    try:
        with db.engine.connect() as conn, conn.begin():
            s = Session(bind=conn)
            enabled = set(enabled_names(s, registry))
            if name not in enabled:
                missing = [r for r in comp.manifest.requires if r not in enabled]
                if missing:
                    raise ValidationError(
                        str(
                            _l(
                                "%(label)s requires %(missing)s: enable it first.",
                                label=comp.manifest.label,
                                missing=", ".join(missing),
                            )
                        ),
                        field="enabled",
                    )
                _run_component_step(
                    comp, "migrations", lambda: migrations.upgrade(registry, conn, [name])
                )
                row = s.get(ComponentState, name) or ComponentState(name=name)
                row.is_enabled = True
                row.installed_version = comp.manifest.version
                row.enabled_at = utcnow()
                s.add(row)
                s.flush()
                _sync_component_permissions(s, registry, name)
                _run_component_step(
                    comp, "on_enable", lambda: registry.only(name).on_enable(session=s)
                )
                _bump(s)
                s.flush()
            info = get_component_info(s, registry, name)
    finally:
        _forget_enabled()
    return info


def disable_component(db, registry: PluginRegistry, name: str) -> ComponentInfo:
    comp = _usable(registry, name)
    try:
        with db.engine.connect() as conn, conn.begin():
            s = Session(bind=conn)
            _disable(s, registry, comp)
            info = get_component_info(s, registry, name)
    finally:
        _forget_enabled()
    return info


def _disable(s: Session, registry: PluginRegistry, comp) -> None:
    name = comp.name
    row = s.get(ComponentState, name)
    if row is None or not row.is_enabled:
        return
    enabled = enabled_names(s, registry)
    dependants = [
        n for n in enabled if n != name and name in registry.components[n].manifest.requires
    ]
    if dependants:
        raise ValidationError(
            str(
                _l(
                    "%(others)s requires %(label)s: disable it first.",
                    others=", ".join(dependants),
                    label=comp.manifest.label,
                )
            ),
            field="enabled",
        )
    _run_component_step(comp, "on_disable", lambda: registry.only(name).on_disable(session=s))
    row.is_enabled = False
    row.disabled_at = utcnow()
    _bump(s)
    s.flush()


def uninstall_component(db, registry: PluginRegistry, name: str, *, purge: bool) -> None:
    """Disable the component and, with ``purge``, drop its tables and forget its permissions."""
    comp = _usable(registry, name)
    if not purge:
        raise ValidationError(
            str(_l("Uninstalling drops the component's data: confirm with --purge.")),
            field="purge",
        )
    try:
        with db.engine.connect() as conn, conn.begin():
            s = Session(bind=conn)
            _disable(s, registry, comp)
            _run_component_step(
                comp, "on_uninstall", lambda: registry.only(name).on_uninstall(session=s)
            )
            s.flush()
            _run_component_step(
                comp, "migrations", lambda: migrations.downgrade_branch(registry, conn, name)
            )
            perms = select(PermissionRecord.name).where(PermissionRecord.component == name)
            s.execute(delete(RolePermission).where(RolePermission.permission.in_(perms)))
            s.execute(delete(PermissionRecord).where(PermissionRecord.component == name))
            s.execute(delete(ComponentState).where(ComponentState.name == name))
            _bump(s)
            s.flush()
    finally:
        _forget_enabled()


def _run_component_step(comp, step: str, fn) -> None:
    try:
        fn()
    except (ValidationError, NotFound, Conflict):
        raise
    except Exception as exc:  # the component's own code failed: report it, roll back
        raise ComponentFailure(
            str(
                _l(
                    "%(label)s failed during %(step)s: %(error)s. Nothing was changed.",
                    label=comp.manifest.label,
                    step=step,
                    error=f"{type(exc).__name__}: {exc}",
                )
            )
        ) from exc


def _forget_enabled() -> None:
    from flask import has_app_context

    if has_app_context():
        from .state import forget_enabled

        forget_enabled()
