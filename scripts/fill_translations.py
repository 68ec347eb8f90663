"""Fill the empty French messages of the catalogues from JSON files of ``{msgid: msgstr}``
(a helper of ``scripts/translations.sh``; rerun that script afterwards to compile):

    .venv/bin/python scripts/fill_translations.py fr-strings.json [more.json ...]

Only empty or fuzzy entries are filled; prints those still empty."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


def main(paths: list[str]) -> int:
    strings: dict[str, str] = {}
    for path in paths:
        strings.update(json.loads(Path(path).read_text(encoding="utf-8")))
    catalogues = [ROOT / "core/amicale/translations/fr/LC_MESSAGES/messages.po"]
    catalogues += sorted(ROOT.glob("plugins/*/amicale_*/translations/fr/LC_MESSAGES/messages.po"))
    left = 0
    for po in catalogues:
        with po.open("rb") as f:
            catalog = read_po(f)
        changed = False
        for message in catalog:
            if not message.id:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            empty = not message.string or (
                isinstance(message.string, tuple) and not all(message.string)
            )
            if not (empty or message.fuzzy):
                continue
            found = strings.get(key)
            if found is None:
                print(f"{po.relative_to(ROOT)}: {key!r}")
                left += 1
                continue
            if isinstance(message.id, tuple):
                # ["one", "many"], or the singular and the plural msgids as two keys
                plural = strings.get(message.id[1], found)
                message.string = tuple(found) if isinstance(found, list) else (found, plural)
            else:
                message.string = found
            message.flags.discard("fuzzy")
            changed = True
        if changed:
            with po.open("wb") as f:
                write_po(f, catalog, width=100)
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
