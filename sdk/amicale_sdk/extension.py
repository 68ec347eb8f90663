"""An extension's source folder as the SDK reads it: its ``pyproject.toml``, its component name,
its plugin module, and a plugin registry with it (and the components it names) registered."""

from __future__ import annotations

import importlib
import sys
import tomllib
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType


class SdkError(Exception):
    """Something the developer must fix before the command can go on (message says what)."""


@dataclass
class Extension:
    path: Path
    name: str
    module_name: str
    plugin: ModuleType
    project: dict = field(default_factory=dict)

    @property
    def package_dir(self) -> Path:
        return Path(self.plugin.__file__).parent


def installed_components() -> dict[str, str]:
    """``{component name: "module"}`` of every installed distribution (``amicale.plugins``)."""
    out: dict[str, str] = {}
    for ep in entry_points(group="amicale.plugins"):
        out.setdefault(ep.name, ep.value)
    return out


def load_extension(path: Path | str) -> Extension:
    """Read ``path/pyproject.toml`` and import the extension's plugin module (from ``path``,
    so the extension need not be installed)."""
    path = Path(path).resolve()
    pyproject = path / "pyproject.toml"
    if not pyproject.is_file():
        raise SdkError(f"{path} has no pyproject.toml: give the folder of an extension.")
    try:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SdkError(f"{pyproject}: {exc}") from exc
    eps = project.get("project", {}).get("entry-points", {}).get("amicale.plugins", {})
    if len(eps) != 1:
        raise SdkError(
            f'{pyproject}: [project.entry-points."amicale.plugins"] must name exactly one '
            f"component (found {len(eps)})."
        )
    ((name, module_name),) = eps.items()
    module_name = module_name.split(":")[0]
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
    try:
        plugin = importlib.import_module(module_name)
    except Exception as exc:
        raise SdkError(f"{module_name} cannot be imported: {exc}") from exc
    return Extension(path, name, module_name, plugin, project)


def registry_for(extension: Extension):
    """A plugin registry with the core, this extension, and the installed components it
    requires or works with (not every installed one: those are not the extension's business)."""
    from amicale.hooktypes import Manifest
    from amicale.plugins import PluginRegistry

    extra = {extension.name: extension.plugin}
    manifest_impl = getattr(extension.plugin, "amicale_component", None)
    manifest = manifest_impl() if callable(manifest_impl) else None
    if isinstance(manifest, Manifest):
        installed = installed_components()
        for other in (*manifest.requires, *manifest.optional):
            if other in installed and other not in extra:
                try:
                    extra[other] = importlib.import_module(installed[other].split(":")[0])
                except Exception:  # reported by the registry as not installed
                    continue
    return PluginRegistry(discover=False, extra=extra)
