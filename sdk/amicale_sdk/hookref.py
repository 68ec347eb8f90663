"""``amicale sdk hooks``: the hook reference, read from the docstrings of ``amicale.hookspecs``."""

from __future__ import annotations

import inspect
from dataclasses import dataclass


@dataclass(frozen=True)
class HookSpec:
    name: str
    args: tuple[str, ...]
    doc: str
    firstresult: bool
    historic: bool
    line: int


def hook_specs() -> list[HookSpec]:
    """Every hook of the core, in the order of ``hookspecs.py``."""
    from amicale import hookspecs

    out = []
    for name, fn in vars(hookspecs).items():
        opts = getattr(fn, "amicale_spec", None)
        if opts is None or not callable(fn):
            continue
        args = tuple(inspect.signature(fn).parameters)
        out.append(
            HookSpec(
                name,
                args,
                inspect.cleandoc(fn.__doc__ or ""),
                bool(opts.get("firstresult")),
                bool(opts.get("historic")),
                inspect.getsourcelines(fn)[1],
            )
        )
    return sorted(out, key=lambda s: s.line)


def reference_markdown() -> str:
    """The reference as Markdown (what ``docs/extensions.md`` includes)."""
    from amicale.hookspecs import PLUGIN_API_VERSION

    lines = [
        f"Plugin API version {PLUGIN_API_VERSION}. Implement a hook with a function of the same "
        "name, decorated with `@hookimpl` (`from amicale import hookimpl`), in the module your "
        "`amicale.plugins` entry point names; take only the arguments you need.",
        "",
    ]
    for spec in hook_specs():
        flags = [
            f for f, on in (("firstresult", spec.firstresult), ("historic", spec.historic)) if on
        ]
        lines.append(f"### `{spec.name}({', '.join(spec.args)})`")
        lines.append("")
        if flags:
            lines.append(f"*{', '.join(flags)}*")
            lines.append("")
        lines.append(spec.doc or "(no description)")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def reference_text() -> str:
    """The reference for a terminal."""
    out = []
    for spec in hook_specs():
        flags = [
            f for f, on in (("firstresult", spec.firstresult), ("historic", spec.historic)) if on
        ]
        head = f"{spec.name}({', '.join(spec.args)})"
        if flags:
            head += f"  [{', '.join(flags)}]"
        out.append(head)
        out.extend("    " + line if line else "" for line in spec.doc.splitlines())
        out.append("")
    return "\n".join(out).rstrip() + "\n"


START, END = "<!-- hooks:start -->", "<!-- hooks:end -->"


def update_document(path) -> bool:
    """Replace the reference between the markers of a Markdown file; True when it changed."""
    from pathlib import Path

    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise ValueError(f"{path} has no {START} ... {END} markers")
    head, rest = text.split(START, 1)
    _old, tail = rest.split(END, 1)
    new = f"{head}{START}\n{reference_markdown()}{END}{tail}"
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def document_reference(path) -> str:
    """What a Markdown file has between the markers (to compare with ``reference_markdown``)."""
    from pathlib import Path

    text = Path(path).read_text(encoding="utf-8")
    return text.split(START, 1)[1].split(END, 1)[0].lstrip("\n")
