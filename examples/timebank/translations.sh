#!/usr/bin/env bash
# Refresh the French catalog of Timebank after changing user-facing strings:
#   bash translations.sh            (PYBABEL=/path/to/pybabel to choose another one)
# 1. extracts the messages of the code and templates (babel.cfg) into a temporary template;
# 2. merges them into amicale_timebank/translations/fr/LC_MESSAGES/messages.po (new messages
#    get an empty msgstr, no fuzzy guesses): translate them;
# 3. compiles messages.po into messages.mo (both are shipped).
# tests/test_translations.py fails while a message lacks its translation or the .mo is stale.
set -euo pipefail
cd "$(dirname "$0")"
PYBABEL=${PYBABEL:-pybabel}
POT=$(mktemp --suffix=.pot)
trap 'rm -f "$POT"' EXIT
"$PYBABEL" extract --mapping-file babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 \
  --sort-by-file --project amicale-timebank --version 0.1.0 \
  --copyright-holder "Amicale contributors" --output-file "$POT" . >/dev/null
DIR=amicale_timebank/translations
if [ -f "$DIR/fr/LC_MESSAGES/messages.po" ]; then
  "$PYBABEL" update --input-file "$POT" --output-dir "$DIR" --locale fr --domain messages \
    --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date
else
  "$PYBABEL" init --input-file "$POT" --output-dir "$DIR" --locale fr --domain messages
fi
"$PYBABEL" compile --directory "$DIR" --domain messages --statistics
