#!/usr/bin/env bash
# Refresh Amicale's translations after adding or changing user-facing strings:
#   bash scripts/translations.sh
# 1. extracts the core's messages (core/babel.cfg) into core/amicale/translations/messages.pot;
# 2. merges them into the French catalog, core/amicale/translations/fr/LC_MESSAGES/messages.po
#    (new or changed messages get an empty msgstr; no fuzzy guesses);
# 3. does the same for the components plugins/<name>/amicale_<name>/translations (no .pot kept);
# 4. compiles every messages.po into its messages.mo (the .mo files are committed too).
# Translate the empty and fuzzy entries (remove the "#, fuzzy" line once checked), then run the
# script again to compile. core/tests/test_translations.py fails while a message lacks its
# French translation or a .mo is older than its .po.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PYBABEL=${PYBABEL:-$ROOT/.venv/bin/pybabel}
# Babel's default keywords (_, gettext, ngettext, ...) plus Flask-Babel's lazy ones.
# Keep in sync with KEYWORDS in core/tests/test_translations.py.
KEYWORDS=(-k _l -k lazy_gettext -k lazy_ngettext:1,2)
PLUGINS=(membership contribute event grant)
LOCALES=(fr)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# extract <dir> <mapping> <project> <output.pot>: the POT-Creation-Date alone changing does not
# rewrite an existing template, so that running the script twice leaves no diff.
extract() {
  local dir=$1 mapping=$2 project=$3 out=$4
  local version
  version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$dir/pyproject.toml")
  if ! (cd "$dir" && "$PYBABEL" extract --mapping-file "$mapping" "${KEYWORDS[@]}" \
          --add-comments TRANSLATORS: --sort-by-file --project "$project" --version "$version" \
          --copyright-holder "Amicale contributors" --output-file "$TMP/new.pot" . \
          >"$TMP/extract.log" 2>&1); then
    cat "$TMP/extract.log" >&2
    return 1
  fi
  if [ -f "$out" ] && diff -q <(grep -v '^"POT-Creation-Date:' "$out") \
                             <(grep -v '^"POT-Creation-Date:' "$TMP/new.pot") >/dev/null; then
    return
  fi
  mkdir -p "$(dirname "$out")"
  cp "$TMP/new.pot" "$out"
}

# merge <template.pot> <translations dir>: create or update the catalog of each locale.
merge() {
  local pot=$1 dir=$2 locale
  for locale in "${LOCALES[@]}"; do
    if [ -f "$dir/$locale/LC_MESSAGES/messages.po" ]; then
      "$PYBABEL" update --input-file "$pot" --output-dir "$dir" --locale "$locale" \
        --domain messages --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date
    else
      "$PYBABEL" init --input-file "$pot" --output-dir "$dir" --locale "$locale" --domain messages
    fi
  done
}

echo "== core"
extract core babel.cfg Amicale core/amicale/translations/messages.pot
merge core/amicale/translations/messages.pot core/amicale/translations
"$PYBABEL" compile --directory core/amicale/translations --domain messages --statistics

cat > "$TMP/plugin.cfg" <<'CFG'
[python: amicale_*/**.py]
[jinja2: amicale_*/**/templates/**.html]
extensions = jinja2.ext.i18n
CFG
for name in "${PLUGINS[@]}"; do
  echo "== $name"
  dir=plugins/$name/amicale_$name/translations
  extract "plugins/$name" "$TMP/plugin.cfg" "amicale-$name" "$TMP/$name.pot"
  merge "$TMP/$name.pot" "$dir"
  "$PYBABEL" compile --directory "$dir" --domain messages --statistics
done
