"""Every message of the core and of the four components has its French translation, compiled.

When this fails, run `bash scripts/translations.sh`, translate the empty or fuzzy entries of the
French .po files it names, and run the script again to compile the .mo files.
"""

from __future__ import annotations

import gettext
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

CORE = Path(__file__).resolve().parents[1]
ROOT = CORE.parent
PLUGINS = ("membership", "contribute", "event", "grant")
LOCALES = ("fr",)
# Babel's defaults plus Flask-Babel's lazy functions: the same as KEYWORDS in
# scripts/translations.sh.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
# The mapping the script writes for a component (core/babel.cfg is the core's).
PLUGIN_METHOD_MAP = [
    ("amicale_*/**.py", "python"),
    ("amicale_*/**/templates/**.html", "jinja2"),
]
PLUGIN_OPTIONS_MAP = {"amicale_*/**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def _skip_build(path: str) -> bool:
    name = Path(path).name
    return not (name.startswith((".", "_")) or name == "build" or name.endswith(".egg-info"))


def _package(name: str) -> tuple[Path, list, dict, Path]:
    """(source dir, method map, options map, translations dir) of the core or a component."""
    if name == "core":
        with open(CORE / "babel.cfg") as cfg:
            method_map, options_map = parse_mapping_cfg(cfg, str(CORE / "babel.cfg"))
        return CORE, method_map, options_map, CORE / "amicale" / "translations"
    src = ROOT / "plugins" / name
    return src, PLUGIN_METHOD_MAP, PLUGIN_OPTIONS_MAP, src / f"amicale_{name}" / "translations"


def _extract(name: str) -> dict[tuple[str | None, str], list[tuple[str, int]]]:
    """{(context, msgid): [(file, line) where it is used]} for the package's source."""
    src, method_map, options_map, _ = _package(name)
    found: dict[tuple[str | None, str], list[tuple[str, int]]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(src), method_map, options_map, keywords=KEYWORDS, directory_filter=_skip_build
    ):
        msgid = message if isinstance(message, str) else message[0]
        found.setdefault((context, msgid), []).append((filename, lineno))
    return found


def _catalog_paths(name: str, locale: str) -> tuple[Path, Path]:
    folder = _package(name)[3] / locale / "LC_MESSAGES"
    return folder / "messages.po", folder / "messages.mo"


def _read_po(path: Path, locale: str):
    assert path.is_file(), f"{path} is missing: run `bash scripts/translations.sh`"
    with open(path, "rb") as f:
        return read_po(f, locale=locale)


PACKAGES = [
    pytest.param(name, locale, id=f"{name}-{locale}")
    for name in ("core", *PLUGINS)
    for locale in LOCALES
]


@pytest.mark.parametrize(("name", "locale"), PACKAGES)
def test_every_message_is_translated(name, locale):
    extracted = _extract(name)
    assert extracted, f"no message found in {name}: is the extraction broken?"
    po_path, _ = _catalog_paths(name, locale)
    catalog = _read_po(po_path, locale)
    assert not catalog.fuzzy, f"{po_path}: the header is marked fuzzy, so it would not compile"
    problems = []
    for (context, msgid), places in sorted(extracted.items(), key=lambda kv: kv[1][0]):
        message = catalog.get(msgid, context=context)
        if message is None:
            why = "missing from the .po"
        elif message.fuzzy:
            why = "fuzzy"
        elif not message.string or not all(message.string):  # a str, or a tuple of plurals
            why = "untranslated"
        else:
            continue
        problems.append(f"{msgid!r} ({why}; {':'.join(map(str, places[0]))})")
    assert not problems, (
        f"{len(problems)} message(s) of {name} lack a {locale} translation in {po_path} "
        "(run `bash scripts/translations.sh`, translate, run it again):\n  " + "\n  ".join(problems)
    )
    # The placeholders (%(name)s, %(n)d) of each translation match its msgid's.
    errors = [
        f"{message.id!r}: {'; '.join(str(e) for e in errs)}" for message, errs in catalog.check()
    ]
    assert not errors, f"{po_path}:\n  " + "\n  ".join(errors)


@pytest.mark.parametrize(("name", "locale"), PACKAGES)
def test_the_compiled_catalog_is_up_to_date(name, locale):
    po_path, mo_path = _catalog_paths(name, locale)
    compiled = BytesIO()
    write_mo(compiled, _read_po(po_path, locale))
    compiled.seek(0)
    expected = set(gettext.GNUTranslations(compiled)._catalog.items())
    assert mo_path.is_file(), f"{mo_path} is missing: run `bash scripts/translations.sh`"
    with open(mo_path, "rb") as f:
        actual = set(gettext.GNUTranslations(f)._catalog.items())
    stale = sorted({str(k) for k, _ in expected ^ actual})
    assert not stale, (
        f"{mo_path} is not compiled from the current {po_path.name} "
        f"(run `bash scripts/translations.sh`); it differs on: {', '.join(stale[:20])}"
    )
