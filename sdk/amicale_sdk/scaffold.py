"""``amicale sdk new``: write a complete, working extension from the templates in ``scaffold/``.

Templates are plain files with ``@@placeholders@@`` (the generated code itself holds Jinja
templates, so a template language would be in the way).
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .extension import SdkError

TEMPLATES = Path(__file__).parent / "scaffold"
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")


@dataclass(frozen=True)
class Names:
    slug: str  # folder: my-extension
    name: str  # component (entry point, tables, URLs, permissions): my_extension
    dist: str  # distribution: amicale-my-extension
    package: str  # import package: amicale_my_extension
    class_prefix: str  # MyExtension
    label: str  # My extension

    def substitutions(self) -> dict[str, str]:
        return {
            "@@slug@@": self.slug,
            "@@name@@": self.name,
            "@@dist@@": self.dist,
            "@@package@@": self.package,
            "@@Class@@": self.class_prefix,
            "@@label@@": self.label,
            "@@date@@": date.today().isoformat(),
        }


def core_names() -> set[str]:
    """Names a component cannot take: reserved words and the core's own areas and blueprints."""
    from amicale.plugins import DEFAULT_PLUGINS, RESERVED_NAMES

    areas = {dotted.split(".")[1] for dotted in DEFAULT_PLUGINS}
    return set(RESERVED_NAMES) | areas | {"web", "organisation", "sdk", "amicale"}


def names_for(raw: str, label: str | None = None) -> Names:
    slug = raw.strip().lower()
    if slug.startswith("amicale-") or slug.startswith("amicale_"):
        slug = slug[len("amicale-") :]
    if not NAME_RE.match(slug):
        raise SdkError(
            f"'{raw}' cannot name an extension: use lower-case letters, digits and single "
            "hyphens or underscores, starting with a letter (e.g. my-extension)."
        )
    name = slug.replace("-", "_")
    if name in core_names():
        raise SdkError(f"'{name}' is taken by Amicale itself: choose another name.")
    if len(name) > 40:
        raise SdkError(f"'{name}' is too long for table and permission names (40 at most).")
    return Names(
        slug=slug,
        name=name,
        dist=f"amicale-{name.replace('_', '-')}",
        package=f"amicale_{name}",
        class_prefix="".join(part.capitalize() for part in name.split("_")),
        label=label or name.replace("_", " ").capitalize(),
    )


def _render(text: str, subs: dict[str, str]) -> str:
    for key, value in subs.items():
        text = text.replace(key, value)
    leftover = re.search(r"@@\w+@@", text)
    if leftover:  # a template names a placeholder nobody fills: a bug of the SDK
        raise SdkError(f"unknown placeholder {leftover.group(0)} in the SDK's templates")
    return text


def generate(raw_name: str, parent: Path, *, label: str | None = None) -> tuple[Names, Path]:
    """Write the extension in ``parent/<slug>``; refuses a folder that exists and is not empty."""
    names = names_for(raw_name, label)
    target = Path(parent) / names.slug
    if target.exists() and any(target.iterdir()):
        raise SdkError(f"{target} exists and is not empty: nothing was written.")
    subs = names.substitutions()
    files: list[tuple[Path, str]] = []
    for source in sorted(TEMPLATES.rglob("*.tmpl")):
        rel = source.relative_to(TEMPLATES).with_suffix("")
        parts = [names.package if i == 0 and p == "package" else p for i, p in enumerate(rel.parts)]
        dest = target.joinpath(*[_render(p, subs) for p in parts])
        files.append((dest, _render(source.read_text(encoding="utf-8"), subs)))
    for dest, text in files:  # everything rendered before anything is written
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, encoding="utf-8")
    tidy(target)
    return names, target


def tidy(path: Path) -> None:
    """Sort the imports and format the Python files the SDK wrote (ruff, with the extension's
    own settings), so they read as if written by hand whatever the name's length."""
    path = Path(path).resolve()
    for args in (["check", "--fix-only", "--quiet"], ["format", "--quiet"]):
        subprocess.run(
            [sys.executable, "-m", "ruff", *args, str(path)],
            cwd=path if path.is_dir() else path.parent,
            check=False,
            capture_output=True,
        )
