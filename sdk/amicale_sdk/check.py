"""``amicale sdk check``: what would make the core refuse an extension, or make it unsafe,
reported with file and line where there is one.

It looks for: hook implementations no hook specification knows (or with arguments the
specification does not give), a manifest the core cannot use (missing, misnamed, a plugin API
version the core does not support, ``requires`` naming nothing installed), what the loader
refuses (table prefix, migration branch), routes and API methods that state no permission, and
models that disagree with the migrations.
"""

from __future__ import annotations

import difflib
import inspect
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .extension import Extension, SdkError, installed_components, load_extension, registry_for


@dataclass(frozen=True)
class Problem:
    message: str
    file: Path | None = None
    line: int | None = None

    def __str__(self) -> str:
        if self.file is None:
            return self.message
        where = str(self.file)
        try:
            where = str(self.file.relative_to(Path.cwd()))
        except ValueError:
            pass
        return f"{where}:{self.line}: {self.message}" if self.line else f"{where}: {self.message}"


def _where(obj) -> tuple[Path | None, int | None]:
    try:
        target = inspect.unwrap(obj)
        file = inspect.getsourcefile(target)
        lines, line = inspect.getsourcelines(target)
    except (TypeError, OSError):
        return None, None
    for offset, text in enumerate(lines):  # the ``def`` line, not its first decorator's
        if text.lstrip().startswith(("def ", "async def ", "class ")):
            line += offset
            break
    return (Path(file) if file else None), line


def check_hooks(extension: Extension) -> list[Problem]:
    from amicale import hookspecs

    specs = {
        name: fn
        for name, fn in vars(hookspecs).items()
        if callable(fn) and getattr(fn, "amicale_spec", None) is not None
    }
    problems = []
    for name, fn in vars(extension.plugin).items():
        opts = getattr(fn, "amicale_impl", None)
        if opts is None or not callable(fn):
            continue
        file, line = _where(fn)
        hook_name = opts.get("specname") or name
        spec = specs.get(hook_name)
        if spec is None:
            if not opts.get("optionalhook"):
                close = difflib.get_close_matches(hook_name, specs, n=1, cutoff=0.75)
                hint = f" (did you mean {close[0]}?)" if close else ""
                problems.append(
                    Problem(f"hook implementation '{hook_name}' matches no hook{hint}", file, line)
                )
            continue
        spec_args = set(inspect.signature(spec).parameters)
        extra = [a for a in inspect.signature(fn).parameters if a not in spec_args]
        if extra:
            problems.append(
                Problem(
                    f"hook '{hook_name}' takes {', '.join(extra)}, which the hook does not give "
                    f"(it gives: {', '.join(sorted(spec_args)) or 'nothing'})",
                    file,
                    line,
                )
            )
    return problems


def check_manifest(extension: Extension) -> list[Problem]:
    from amicale.hookspecs import SUPPORTED_PLUGIN_API
    from amicale.hooktypes import Manifest

    impl = getattr(extension.plugin, "amicale_component", None)
    if not callable(impl):
        file = Path(extension.plugin.__file__)
        return [Problem("no manifest: implement the hook amicale_component()", file, 1)]
    file, line = _where(impl)
    try:
        manifest = impl()
    except Exception as exc:
        return [Problem(f"amicale_component() fails: {exc}", file, line)]
    if not isinstance(manifest, Manifest):
        return [Problem("amicale_component() must return a Manifest", file, line)]
    problems = []
    if manifest.name != extension.name:
        problems.append(
            Problem(
                f"the manifest is named '{manifest.name}' but the entry point "
                f"'{extension.name}' (pyproject.toml)",
                file,
                line,
            )
        )
    if manifest.plugin_api not in SUPPORTED_PLUGIN_API:
        problems.append(
            Problem(
                f"the manifest targets plugin API {manifest.plugin_api}; this Amicale supports "
                f"{', '.join(sorted(SUPPORTED_PLUGIN_API))}",
                file,
                line,
            )
        )
    installed = installed_components()
    for required in manifest.requires:
        if required not in installed:
            problems.append(
                Problem(
                    f"the manifest requires '{required}', which names no installed component "
                    f"(installed: {', '.join(sorted(installed)) or 'none'})",
                    file,
                    line,
                )
            )
    return problems


def check_routes(extension: Extension, registry, database_url: str, instance: Path) -> list:
    """Every route of the extension's blueprints states a permission (or is public)."""
    from amicale.accounts.permissions import view_requirement
    from amicale.app import create_app
    from amicale.config import Settings

    settings = Settings.from_env(
        {}, instance_path=instance, database_url=database_url, secret_key="sdk-check"
    )
    app = create_app(settings, registry=registry, testing=True)
    owners = app.extensions["amicale"].blueprint_owner
    problems = []
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.rsplit(".", 1)[0] if "." in rule.endpoint else None
        if owners.get(blueprint) != extension.name:
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            is_public, permission = view_requirement(view, method)
            if is_public or permission is not None:
                continue
            target = view
            view_class = getattr(view, "view_class", None)
            if view_class is not None:
                target = getattr(view_class, method.lower(), view)
            file, line = _where(target)
            problems.append(
                Problem(
                    f"{method} {rule.rule} states no permission: add "
                    '@permission_required("...") (or @public for a public page)',
                    file,
                    line,
                )
            )
    app.extensions["amicale"].db.dispose()
    return problems


def check_models(extension: Extension, registry) -> list[Problem]:
    from .migration import model_differences

    component = registry.components[extension.name]
    if not component.migrations:
        if component.tables:
            file, line = _where(extension.plugin.register_models)
            return [Problem("the extension has tables but no migrations", file, line)]
        return []
    models_file = extension.package_dir / "models.py"
    problems = []
    for diff in model_differences(extension):
        problems.append(
            Problem(
                f"the models and the migrations disagree: {_describe(diff)} "
                '(run: amicale sdk migration PATH -m "...")',
                models_file if models_file.exists() else None,
                None,
            )
        )
    return problems


def _describe(diff) -> str:
    """One of Alembic's differences in words: ``add_column contact_extra.hours``."""
    if isinstance(diff, list):  # modify_* come grouped per column
        return "; ".join(_describe(d) for d in diff)
    kind = diff[0]
    if kind in ("add_table", "remove_table"):
        return f"{kind} {diff[1].name}"
    if kind in ("add_column", "remove_column"):
        return f"{kind} {diff[2]}.{diff[3].name}"
    if kind in ("add_index", "remove_index", "add_constraint", "remove_constraint"):
        return f"{kind} {diff[1].name}"
    if kind in ("add_fk", "remove_fk"):
        return f"{kind} {diff[1].parent.name}.{diff[1].name}"
    if kind.startswith("modify_"):
        return (
            f"{kind} {diff[2]}.{diff[3]}: {diff[5]!r} in the migrations, {diff[6]!r} in the model"
        )
    return " ".join(str(part) for part in diff)


def check_extension(path: Path | str) -> list[Problem]:
    """Every problem found in the extension at ``path`` (empty when all is well)."""
    try:
        extension = load_extension(path)
    except SdkError as exc:
        return [Problem(str(exc), Path(path) / "pyproject.toml")]
    problems = check_hooks(extension) + check_manifest(extension)
    if problems:
        return problems  # the loader would refuse it: the rest cannot be checked
    registry = registry_for(extension)
    component = registry.components[extension.name]
    if component.error:
        file, line = _where(extension.plugin.amicale_component)
        return [Problem(f"the core refuses the component: {component.error}", file, line)]
    problems += check_models(extension, registry)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'routes.sqlite3'}"
        problems += check_routes(extension, registry, url, Path(tmp) / "instance")
    return problems
