"""The plugin manager: loads the core's default plugins and the installed components
(entry-point group ``amicale.plugins``), validates them, and calls only the hooks of the
components enabled for the current organisation.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy
from flask import current_app, g, has_app_context

from . import hookspecs
from .hooktypes import Manifest

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "amicale.plugins"

# The core's own features, registered through the same hooks as any component (always enabled).
DEFAULT_PLUGINS = (
    "amicale.web.plugin",
    "amicale.accounts.plugin",
    "amicale.components.plugin",
    "amicale.contacts.plugin",
    "amicale.changelog.plugin",
    "amicale.relationships.plugin",
    "amicale.activities.plugin",
    "amicale.groups.plugin",
    "amicale.tags.plugin",
    "amicale.notes.plugin",
    "amicale.customfields.plugin",
    "amicale.reports.plugin",
    "amicale.mail.plugin",
    "amicale.dedupe.plugin",
    "amicale.imports.plugin",
    "amicale.exports.plugin",
    "amicale.vcard.plugin",
)

RESERVED_NAMES = {"core", "api", "admin", "static", "account", "login", "logout"}


@dataclass
class Component:
    """One installed component as the loader found it (a plugin module and its manifest)."""

    name: str
    plugin: Any = None
    manifest: Manifest | None = None
    distribution: str | None = None
    error: str | None = None
    tables: tuple[str, ...] = ()
    migrations: tuple[str, Path] | None = None
    blueprints: list = field(default_factory=list)
    api_blueprints: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


class HookRelay:
    """``relay.<hook>(...)`` calls the hook on the core and the given enabled components only."""

    def __init__(self, pm: pluggy.PluginManager, removed: list):
        self._pm = pm
        self._removed = removed
        self._callers: dict[str, Any] = {}

    def __getattr__(self, name: str):
        caller = self._callers.get(name)
        if caller is None:
            if self._removed:
                caller = self._pm.subset_hook_caller(name, remove_plugins=self._removed)
            else:
                caller = getattr(self._pm.hook, name)
            self._callers[name] = caller
        return caller


class PluginRegistry:
    """Owns the pluggy PluginManager of one app."""

    def __init__(self, *, discover: bool = True, extra: dict[str, Any] | None = None):
        self.pm = pluggy.PluginManager("amicale")
        self.pm.add_hookspecs(hookspecs)
        self.core_plugins: list[ModuleType] = []
        self.components: dict[str, Component] = {}
        self._relays: dict[frozenset, HookRelay] = {}
        for dotted in DEFAULT_PLUGINS:
            module = importlib.import_module(dotted)
            self.pm.register(module, name=dotted)
            self.core_plugins.append(module)
        self.pm.hook.register_hookspecs.call_historic(kwargs={"pm": self.pm})
        if discover:
            self._load_entry_points()
        for name, plugin in (extra or {}).items():
            self._register(name, plugin, distribution=None)
        self._validate()

    # -- loading ---------------------------------------------------------------------------------

    def _load_entry_points(self) -> None:
        seen: set[str] = set()
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in seen:  # the same distribution found twice on the path
                continue
            seen.add(ep.name)
            dist = getattr(ep, "dist", None)
            dist_name = f"{dist.name} {dist.version}" if dist else None
            try:
                plugin = ep.load()
            except Exception as exc:  # an extension that cannot import must not stop the core
                log.warning("component %s cannot be loaded: %s", ep.name, exc)
                self.components[ep.name] = Component(
                    ep.name, distribution=dist_name, error=f"cannot be imported: {exc}"
                )
                continue
            self._register(ep.name, plugin, distribution=dist_name)

    def _register(self, name: str, plugin: Any, distribution: str | None) -> None:
        component = Component(name, plugin=plugin, distribution=distribution)
        self.components[name] = component
        if name in RESERVED_NAMES or not name.isidentifier():
            component.error = f"'{name}' cannot be a component name"
            return
        try:
            self.pm.register(plugin, name=name)
        except ValueError as exc:
            component.error = f"cannot be registered: {exc}"
            return

    def _validate(self) -> None:
        """Check every component; a broken one is unregistered and kept with its error."""
        for component in self.components.values():
            if component.error or component.plugin is None:
                continue
            try:
                self._check_component(component)
            except ComponentError as exc:
                component.error = str(exc)
            except Exception as exc:  # its hooks fail: keep it out, the rest runs
                log.exception("component %s fails while loading", component.name)
                component.error = f"fails while loading: {type(exc).__name__}: {exc}"
        # A component whose requirements are broken or missing cannot be used either.
        changed = True
        while changed:
            changed = False
            for component in self.components.values():
                if component.error or not component.manifest:
                    continue
                for req in component.manifest.requires:
                    other = self.components.get(req)
                    if other is None:
                        component.error = f"requires '{req}', which is not installed"
                    elif other.error:
                        component.error = f"requires '{req}', which cannot be loaded"
                    if component.error:
                        changed = True
                        break
        for component in self.components.values():
            if component.error and component.plugin is not None:
                if self.pm.is_registered(component.plugin):
                    self.pm.unregister(component.plugin)
                log.warning("component %s is disabled: %s", component.name, component.error)
        self.pm.check_pending()  # what is left must be sound; raises otherwise

    def _check_component(self, component: Component) -> None:
        plugin, name = component.plugin, component.name
        self._check_hooks(plugin)
        manifest_impl = getattr(plugin, "amicale_component", None)
        manifest = manifest_impl() if callable(manifest_impl) else None
        if not isinstance(manifest, Manifest):
            raise ComponentError("has no manifest (the amicale_component hook)")
        if manifest.name != name:
            raise ComponentError(
                f"its manifest is named '{manifest.name}' but its entry point '{name}'"
            )
        if manifest.plugin_api not in hookspecs.SUPPORTED_PLUGIN_API:
            raise ComponentError(
                f"targets plugin API {manifest.plugin_api}; this Amicale supports "
                f"{', '.join(sorted(hookspecs.SUPPORTED_PLUGIN_API))}"
            )
        component.manifest = manifest
        tables = []
        for impl_result in self._call_one(plugin, "register_models") or []:
            for model in impl_result:
                table = model.__table__.name
                if not table.startswith(f"{name}_"):
                    raise ComponentError(
                        f"its table '{table}' must be named with the prefix '{name}_'"
                    )
                tables.append(table)
        component.tables = tuple(tables)
        migrations = self._call_one(plugin, "register_migrations")
        if migrations:
            branch, folder = migrations[0]
            if branch != name:
                raise ComponentError(f"its migration branch is '{branch}', expected '{name}'")
            if not Path(folder).is_dir():
                raise ComponentError(f"its migrations folder {folder} does not exist")
            component.migrations = (branch, Path(folder))
        for bps in self._call_one(plugin, "register_blueprints") or []:
            component.blueprints.extend(bps)
        for bps in self._call_one(plugin, "register_api") or []:
            component.api_blueprints.extend(bps)

    def _check_hooks(self, plugin: Any) -> None:
        """``check_pending()`` for one plugin: refuse hook implementations no spec knows."""
        unknown = []
        for caller in self.pm.get_hookcallers(plugin) or []:
            if caller.spec is not None:
                continue
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin and not impl.optionalhook:
                    unknown.append(caller.name)
        if unknown:
            names = ", ".join(repr(n) for n in sorted(set(unknown)))
            raise ComponentError(
                f"unknown hook {names} (check_pending: no hook specification has this name; "
                "misspelt?)"
            )

    def _call_one(self, plugin: Any, hook: str) -> list:
        others = [p for p in self.pm.get_plugins() if p is not plugin]
        caller = self.pm.subset_hook_caller(hook, remove_plugins=others)
        return caller()

    # -- queries ---------------------------------------------------------------------------------

    def usable(self) -> dict[str, Component]:
        return {n: c for n, c in self.components.items() if c.ok}

    def ordered(self, names) -> list[str]:
        """Names sorted so that every component comes after those it requires."""
        names = set(names)
        done: list[str] = []

        def visit(n: str, path: tuple = ()):
            if n in done or n not in names:
                return
            if n in path:
                raise ComponentError(f"circular requires: {' -> '.join(path + (n,))}")
            comp = self.components[n]
            for req in comp.manifest.requires if comp.manifest else ():
                visit(req, path + (n,))
            done.append(n)

        for n in sorted(names):
            visit(n)
        return done

    def relay(self, enabled: frozenset[str]) -> HookRelay:
        relay = self._relays.get(enabled)
        if relay is None:
            removed = [
                c.plugin
                for n, c in self.components.items()
                if c.ok and n not in enabled and self.pm.is_registered(c.plugin)
            ]
            relay = self._relays[enabled] = HookRelay(self.pm, removed)
        return relay

    def only(self, name: str) -> HookRelay:
        """Hooks of one component alone (its lifecycle hooks)."""
        plugin = self.components[name].plugin
        return HookRelay(self.pm, [p for p in self.pm.get_plugins() if p is not plugin])

    def permissions(self, enabled: frozenset[str]) -> list[tuple[str, Any]]:
        """``(owner, Permission)`` for the core and the enabled components, in that order."""
        out: list[tuple[str, Any]] = []
        for plugin in self.core_plugins:
            for perm in self._call_one(plugin, "register_permissions"):
                out.extend(("core", p) for p in perm)
        for name in self.ordered(n for n in enabled if n in self.usable()):
            for perm in self._call_one(self.components[name].plugin, "register_permissions"):
                out.extend((name, p) for p in perm)
        return out

    def core_relay(self) -> HookRelay:
        return self.relay(frozenset())

    def all_models(self) -> list:
        out = []
        for r in self.pm.hook.register_models():
            out.extend(r)
        return out

    def blueprint_owner(self) -> dict[str, str]:
        owners = {}
        for c in self.usable().values():
            for bp in c.blueprints + c.api_blueprints:
                owners[bp.name] = c.name
        return owners


class ComponentError(Exception):
    pass


def current_registry() -> PluginRegistry:
    return current_app.extensions["amicale"].registry


class _CurrentHook:
    """``amicale.plugins.hook.<name>(...)``: the hooks of the core and the enabled components."""

    def __getattr__(self, name: str):
        from .components.state import enabled_components

        if not has_app_context():
            raise RuntimeError("amicale.plugins.hook needs an app context")
        relay = g.get("_amicale_relay")
        if relay is None:
            relay = g._amicale_relay = current_registry().relay(enabled_components())
        return getattr(relay, name)


hook = _CurrentHook()
