#!/usr/bin/env bash
# Amicale's two everyday commands, on a fresh machine with only Python 3.11+ and pip:
#   bash dev.sh start   install everything into .venv, prepare the sample organisation, serve it
#   bash dev.sh test    install everything, run the whole test suite (SQLite, then PostgreSQL)
# Test back ends: AMICALE_TEST_BACKENDS="sqlite postgresql" makes PostgreSQL mandatory;
# by default it runs when 127.0.0.1:5432 answers. AMICALE_TEST_PG_URL overrides its URL.
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=.venv
MEMBERS=(core sdk plugins/membership plugins/contribute plugins/event plugins/grant examples/timebank)

install() {
  if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
  fi
  local stamp="$VENV/.amicale-installed"
  local want
  want=$(cat pyproject.toml "${MEMBERS[@]/%//pyproject.toml}" | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return
  fi
  echo "Installing Amicale and its dependencies into $VENV ..."
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  local args=()
  for m in "${MEMBERS[@]}"; do args+=(-e "./$m"); done
  "$VENV/bin/python" -m pip install --quiet "${args[@]}" -e '.[dev]'
  echo "$want" > "$stamp"
}

ensure_chromium() {
  # The browser tests drive Debian's Chromium (never a downloaded browser).
  if [ -x /usr/bin/chromium ]; then return; fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium for the browser tests ..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "The browser tests need /usr/bin/chromium: install Debian's 'chromium' package." >&2
    exit 1
  fi
}

# WeasyPrint (letters and address labels as PDF) needs Pango, HarfBuzz, fontconfig and a font.
PDF_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 fonts-dejavu-core)

ensure_pdf_libraries() {
  # $1 = "required" (tests) or "optional" (start: only the PDF of letters and labels needs them)
  command -v dpkg-query >/dev/null || return 0
  local missing=()
  for p in "${PDF_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} = 0 ]; then return; fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing the Debian libraries of WeasyPrint (PDF letters): ${missing[*]} ..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  elif [ "$1" = required ]; then
    echo "PDF letters and labels need these Debian packages: ${missing[*]}" >&2
    exit 1
  else
    echo "Warning: PDF letters and labels need these Debian packages: ${missing[*]}" >&2
  fi
}

pg_reachable() {
  "$VENV/bin/python" - "$1" <<'PY'
import sys
import psycopg
from sqlalchemy.engine import make_url
url = make_url(sys.argv[1])
try:
    psycopg.connect(host=url.host, port=url.port or 5432, user=url.username,
                    dbname="postgres", connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL is not reachable at {url.host}:{url.port or 5432}: {exc}", file=sys.stderr)
    sys.exit(1)
PY
}

run_pytest() {
  local rc=0
  # Two workers (pytest-xdist): the machines we run on have two cores.
  "$VENV/bin/python" -m pytest -n "${AMICALE_TEST_WORKERS:-2}" "$@" || rc=$?
  if [ "$rc" = 5 ]; then
    echo "pytest collected no test: that is a failure here." >&2
    return 1
  fi
  return "$rc"
}

cmd=${1:-}
shift || true
case "$cmd" in
  start)
    install
    ensure_pdf_libraries optional
    exec "$VENV/bin/amicale" demo "$@"
    ;;
  test)
    install
    ensure_chromium
    ensure_pdf_libraries required
    backends=${AMICALE_TEST_BACKENDS:-sqlite postgresql-if-reachable}
    pg_url=${AMICALE_TEST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/amicale_test}
    for backend in $backends; do
      case "$backend" in
        sqlite)
          echo "== Tests on SQLite"
          (unset AMICALE_TEST_DATABASE_URL; run_pytest "$@")
          ;;
        postgresql|postgresql-if-reachable)
          if ! pg_reachable "$pg_url"; then
            if [ "$backend" = postgresql ]; then exit 1; fi
            echo "== PostgreSQL not reachable: its run is left out (CI requires it)."
            continue
          fi
          echo "== Tests on PostgreSQL ($pg_url)"
          AMICALE_TEST_DATABASE_URL="$pg_url" run_pytest "$@"
          ;;
        *) echo "Unknown test back end: $backend" >&2; exit 2 ;;
      esac
    done
    ;;
  *)
    echo "usage: bash dev.sh start [--port P] | bash dev.sh test [pytest args]" >&2
    exit 2
    ;;
esac
