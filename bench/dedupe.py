"""Benchmark of finding duplicates: every seeded duplicate rule over N synthetic contacts (the
seeded generator of bench/generate.py) plus 1 % of planted duplicates (the same person again:
a typo in the first or the last name, the same postal code, half of them with the same email).
Prints a table: contacts, rule, candidate pairs compared, pairs found, seconds.

    python bench/dedupe.py --size 100k [--backend sqlite|postgresql] [--regenerate]

The database (bench/data/dedupe-<size>.sqlite3 or amicale_bench_dedupe_<size>) is made once and
reused.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select, text
from sqlalchemy.engine import make_url

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from generate import _tables, generate, parse_size  # noqa: E402
from run import make_database  # noqa: E402

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def database_url(size: str, backend: str) -> str:
    if backend == "sqlite":
        (HERE / "data").mkdir(exist_ok=True)
        return f"sqlite:///{HERE / 'data' / f'dedupe-{size}.sqlite3'}"
    return make_url(PG_SERVER).set(database=f"amicale_bench_dedupe_{size}").render_as_string(False)


def typo(rng: random.Random, word: str) -> str:
    """One slip of the keyboard: two letters swapped, one dropped or one doubled."""
    if len(word) < 4:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 2)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def plant_duplicates(engine, size: int, seed: int = 7) -> int:
    """Copy 1 % of the individuals with a typo; returns how many were planted."""
    rng = random.Random(seed)
    meta = _tables(engine)
    count = size // 100
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with engine.begin() as conn:
        sources = conn.execute(
            text(
                "SELECT c.id, c.first_name, c.last_name, a.postal_code, a.city, e.email "
                "FROM contact c JOIN address a ON a.contact_id = c.id "
                "JOIN email e ON e.contact_id = c.id AND e.is_primary "
                "WHERE c.contact_type = 'Individual' AND NOT c.is_deleted ORDER BY c.id"
            )
        ).all()
        next_id = conn.execute(text("SELECT max(id) FROM contact")).scalar() + 1
        contacts, emails, addresses = [], [], []
        for n, (cid, first, last, postal, city, email) in enumerate(rng.sample(sources, count)):
            if n % 2:
                first = typo(rng, first)
            else:
                last = typo(rng, last)
            new_id = next_id + n
            contacts.append(
                {
                    "id": new_id,
                    "contact_type": "Individual",
                    "first_name": first,
                    "last_name": last,
                    "display_name": f"{first} {last}",
                    "sort_name": f"{last}, {first}",
                    "created_at": now,
                    "modified_at": now,
                    "is_deleted": False,
                    "is_deceased": False,
                    "do_not_email": False,
                    "do_not_phone": False,
                    "do_not_mail": False,
                    "do_not_sms": False,
                    "is_opt_out": False,
                }
            )
            emails.append(
                {
                    "contact_id": new_id,
                    "email": email if n % 4 < 2 else f"copy.{cid}@example.net",
                    "location_type": "Home",
                    "is_primary": True,
                    "on_hold": False,
                }
            )
            addresses.append(
                {
                    "contact_id": new_id,
                    "location_type": "Home",
                    "is_primary": True,
                    "postal_code": postal,
                    "city": city,
                    "country": "FR",
                }
            )
        conn.execute(insert(meta["contact"]), contacts)
        conn.execute(insert(meta["email"]), emails)
        conn.execute(insert(meta["address"]), addresses)
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('contact', 'id'), (SELECT max(id) FROM contact))"
            )
    return count


def prepare(size: str, backend: str, regenerate: bool) -> str:
    from amicale.components.services import upgrade_database
    from amicale.db import Database
    from amicale.plugins import PluginRegistry

    url = database_url(size, backend)
    exists = make_database(url, backend, regenerate)
    db = Database(url)
    upgrade_database(db, PluginRegistry(discover=False))
    if not exists:
        print(f"Generating {size} contacts ({backend}) ...", flush=True)
        generate(db.engine, parse_size(size))
        planted = plant_duplicates(db.engine, parse_size(size))
        print(f"  {planted} duplicates planted", flush=True)
    db.dispose()
    return url


def main() -> None:
    from amicale.db import Database
    from amicale.dedupe.finding import RuleSpec, find_pairs
    from amicale.dedupe.models import DedupeRule

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100k", help="10k, 100k, 1m or a number")
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    db = Database(prepare(args.size, args.backend, args.regenerate))
    rows = []
    with db.sessionmaker() as s:
        contacts = s.execute(text("SELECT count(*) FROM contact")).scalar()
        for rule in s.execute(select(DedupeRule).order_by(DedupeRule.id)).scalars():
            spec = RuleSpec.of(s, rule)
            start = time.perf_counter()
            found = find_pairs(s, spec)
            seconds = time.perf_counter() - start
            rows.append((contacts, rule.name, found.candidates, len(found.pairs), seconds))
            print(f"  {rule.name}: {seconds:.2f} s", file=sys.stderr, flush=True)
    db.dispose()
    print("| contacts | rule | candidate pairs | pairs found | seconds |")
    print("|---:|---|---:|---:|---:|")
    for contacts, name, candidates, found, seconds in rows:
        print(f"| {contacts:,} | {name} | {candidates:,} | {found:,} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
