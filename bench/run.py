"""Benchmarks of the contact pages at 10k, 100k and 1M contacts, measured server side (a request
through the whole Flask app, test client, no network), printed as a table of median and p95.

    python bench/run.py --sizes 10k,100k,1m [--backend sqlite|postgresql] [--requests 200]

Databases are generated once into bench/data/ (SQLite) or as amicale_bench_<size> (PostgreSQL)
and reused; --regenerate makes them again.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from generate import generate, parse_size  # noqa: E402

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def database_url(size: str, backend: str) -> str:
    if backend == "sqlite":
        (HERE / "data").mkdir(exist_ok=True)
        return f"sqlite:///{HERE / 'data' / f'{size}.sqlite3'}"
    return make_url(PG_SERVER).set(database=f"amicale_bench_{size}").render_as_string(False)


def make_database(url: str, backend: str, regenerate: bool) -> bool:
    """Make sure the database of ``url`` exists (dropped first with ``regenerate``); True when
    it was there already (and so holds its data)."""
    if backend == "sqlite":
        path = Path(make_url(url).database)
        if regenerate and path.exists():
            path.unlink()
        return path.exists()
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    name = make_url(url).database
    with admin.connect() as conn:
        if regenerate:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        exists = bool(
            conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
        )
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return exists


def prepare(size: str, backend: str, regenerate: bool) -> str:
    from amicale.components.services import upgrade_database
    from amicale.db import Database
    from amicale.plugins import PluginRegistry

    url = database_url(size, backend)
    if not make_database(url, backend, regenerate):
        print(f"Generating {size} contacts ({backend}) ...", flush=True)
        db = Database(url)
        upgrade_database(db, PluginRegistry(discover=False))
        generate(db.engine, parse_size(size))
        db.dispose()
    return url


def measure(client, url: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url() if callable(url) else url)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
    return times


def run_size(size: str, backend: str, requests: int, regenerate: bool) -> list[tuple]:
    from amicale.accounts.services import create_user, find_user
    from amicale.app import create_app
    from amicale.config import Settings
    from amicale.db import session

    url = prepare(size, backend, regenerate)
    app = create_app(
        Settings.from_env(
            {}, instance_path=HERE / "data" / "instance", database_url=url, secret_key="bench"
        )
    )
    with app.app_context():
        s = session()
        user = find_user(s, "bench@example.org") or create_user(
            s, "bench@example.org", "bench password!", ["administrator"]
        )
        s.commit()
        user_id = user.get_id()
        names = [
            r[0]
            for r in s.execute(
                text(
                    "SELECT last_name FROM contact WHERE last_name IS NOT NULL ORDER BY id LIMIT 2000"
                )
            )
        ]
        max_id = s.execute(text("SELECT max(id) FROM contact")).scalar()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = user_id
    rng = random.Random(7)

    def prefix():
        name = rng.choice(names)
        return name[: rng.randint(3, 6)]

    cases = [
        ("quick search (name prefix)", lambda: f"/contacts/quick?q={prefix()}"),
        (
            "quick search (email)",
            lambda: f"/contacts/quick?q={prefix().lower()}.{rng.randint(1, max_id)}@",
        ),
        (
            "quick search (phone)",
            lambda: f"/contacts/quick?q=06{rng.randint(0, 99):02d}{rng.randint(0, 99):02d}",
        ),
        (
            "advanced search (city + group)",
            lambda: f"/contacts/?city=Lyon&group={rng.randint(1, 10)}",
        ),
        ("contact page", lambda: f"/contacts/{rng.randint(1, max_id)}"),
        ("list, first page", "/contacts/"),
    ]
    rows = []
    for label, url_ in cases:
        try:
            measure(client, url_, 3)  # warm up
            times = measure(client, url_, requests)
        except SystemExit as exc:
            rows.append((size, label, None, None, str(exc)))
            continue
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        rows.append((size, label, statistics.median(times), p95, ""))
    app.extensions["amicale"].db.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k")
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    all_rows = []
    for size in args.sizes.split(","):
        all_rows.extend(run_size(size.strip(), args.backend, args.requests, args.regenerate))
    print(f"\n{args.backend}, {args.requests} requests per line, times in ms (server side)\n")
    print(f"| {'size':<5} | {'operation':<32} | {'median':>7} | {'p95':>7} |")
    print(f"|{'-' * 7}|{'-' * 34}|{'-' * 9}|{'-' * 9}|")
    for size, label, median, p95, note in all_rows:
        if median is None:
            print(f"| {size:<5} | {label:<32} | {'error':>7} | {'':>7} | {note}")
        else:
            print(f"| {size:<5} | {label:<32} | {median:7.1f} | {p95:7.1f} |")


if __name__ == "__main__":
    main()
