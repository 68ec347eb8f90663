"""Benchmark of importing contacts: a French CSV as Excel writes it (``;``, Windows-1252, dates
dd/mm/yyyy, "Mme"/"M."), N rows with 2 % of people twice (same email) and 1 % of bad rows (an
email without @, a date that does not exist), imported with the "Same email" rule and "skip".

Prints a table: database, rows, created, skipped, rejected, seconds, rows/s, and beside it the
raw insert ceiling of the same machine: the same contacts, emails, phones and addresses written
with plain executemany of ready tuples (no reading, no checks, no matching).

    python bench/imports.py --rows 100000 [--backend sqlite|postgresql] [--into empty|100k]

``--into 100k`` imports into a copy of bench's 100k database (made by bench/run.py when missing).
"""

from __future__ import annotations

import argparse
import io
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from faker import Faker
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "core"))

from run import PG_SERVER, make_database, prepare  # noqa: E402

HEADER = "Civilité;Prénom;Nom;Courriel;Portable;Adresse;Code postal;Ville;Date de naissance"


def valid_phone(rng: random.Random) -> str:
    """A French mobile number that phonenumbers accepts (some ranges are not allocated)."""
    import phonenumbers

    while True:
        digits = [rng.randrange(100) for _ in range(4)]
        number = f"0{rng.choice('67')} " + " ".join(f"{d:02d}" for d in digits)
        if phonenumbers.is_valid_number(phonenumbers.parse(number, "FR")):
            return number


def make_file(rows: int, seed: int = 11) -> tuple[bytes, dict[str, int]]:
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    lines = [HEADER]
    people = []
    planted = {"duplicates": 0, "bad": 0}
    for i in range(rows):
        if people and rng.random() < 0.02:
            lines.append(rng.choice(people))
            planted["duplicates"] += 1
            continue
        female = rng.random() < 0.5
        first = fake.first_name_female() if female else fake.first_name_male()
        last = fake.last_name()
        email = f"{first}.{last}.{i}@example.org".lower().replace(" ", "")
        born = fake.date_of_birth(minimum_age=18, maximum_age=90).strftime("%d/%m/%Y")
        if rng.random() < 0.01:
            planted["bad"] += 1
            if rng.random() < 0.5:
                email = email.replace("@", " chez ")
            else:
                born = "31/02/1980"
        phone = valid_phone(rng)
        line = ";".join(
            [
                "Mme" if female else "M.",
                first,
                last,
                email,
                phone,
                fake.street_address().replace(";", " "),
                fake.postcode(),
                fake.city(),
                born,
            ]
        )
        lines.append(line)
        people.append(line)
    text_ = "\r\n".join(lines) + "\r\n"
    return text_.encode("cp1252", errors="replace"), planted


def database(into: str, backend: str, work: Path) -> str:
    from amicale.components.services import upgrade_database
    from amicale.db import Database
    from amicale.plugins import PluginRegistry

    if into == "empty":
        if backend == "sqlite":
            url = f"sqlite:///{work / 'import.sqlite3'}"
        else:
            url = make_url(PG_SERVER).set(database="amicale_bench_import").render_as_string(False)
            make_database(url, backend, regenerate=True)
        db = Database(url)
        upgrade_database(db, PluginRegistry(discover=False))
        db.dispose()
        return url
    source = prepare(into, backend, regenerate=False)
    if backend == "sqlite":
        target = work / f"import-{into}.sqlite3"
        shutil.copy(make_url(source).database, target)
        return f"sqlite:///{target}"
    name = f"amicale_bench_import_{into}"
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(source).database}"'))
    admin.dispose()
    return make_url(PG_SERVER).set(database=name).render_as_string(False)


def run_import(url: str, data: bytes, instance: Path, profile: bool = False) -> dict:
    import os

    os.environ["AMICALE_DATABASE_URL"] = url
    os.environ["AMICALE_INSTANCE"] = str(instance)
    os.environ["AMICALE_JOBS"] = "immediate"
    os.environ.setdefault("AMICALE_TEST_BACKENDS", "")
    from amicale.app import create_app
    from amicale.db import session
    from amicale.dedupe.models import DedupeRule
    from amicale.imports import services

    app = create_app()
    with app.test_request_context():
        s = session()
        rule = s.query(DedupeRule).filter_by(name="Same email").one()
        job = services.start(s, io.BytesIO(data), "adherents.csv")
        services.configure(s, job.id, {"rule_id": rule.id, "on_duplicate": "skip"})
        s.commit()
        started = time.perf_counter()
        if profile:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.enable()
        job = services.run(s, job.id)
        seconds = time.perf_counter() - started
        if profile:
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
        return {
            "created": job.created,
            "skipped": job.skipped,
            "rejected": job.rejected,
            "seconds": seconds,
        }


def raw_ceiling(data: bytes, work: Path) -> tuple[int, float]:
    """Contacts with an email, a phone and an address, inserted with plain sqlite3
    executemany of ready tuples into the same schema: what the disk and SQLite allow."""
    url = database("empty", "sqlite", work / "raw")
    path = make_url(url).database
    rows = [line.split(";") for line in data.decode("cp1252").splitlines()[1:]]
    contacts, emails, phones, addresses = [], [], [], []
    now = "2026-12-01 00:00:00"
    for i, r in enumerate(rows, start=1):
        contacts.append(
            (i, "Individual", r[0], r[1], r[2], f"{r[1]} {r[2]}", f"{r[2]}, {r[1]}", now, now)
        )
        emails.append((i, r[3], "Home", 1, 0))
        phones.append((i, r[4], r[4], "Mobile", "Home", 1))
        addresses.append((i, "Home", 1, r[5], r[6], r[7]))
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    started = time.perf_counter()
    for start in range(0, len(rows), 2000):
        end = start + 2000
        conn.executemany(
            "INSERT INTO contact (id, contact_type, prefix, first_name, last_name, display_name,"
            " sort_name, created_at, modified_at, is_deceased, do_not_email, do_not_phone,"
            " do_not_mail, do_not_sms, is_opt_out, is_deleted)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, 0, 0)",
            contacts[start:end],
        )
        conn.executemany(
            "INSERT INTO email (contact_id, email, location_type, is_primary, on_hold)"
            " VALUES (?, ?, ?, ?, ?)",
            emails[start:end],
        )
        conn.executemany(
            "INSERT INTO phone (contact_id, phone, phone_normalized, phone_type, location_type,"
            " is_primary) VALUES (?, ?, ?, ?, ?, ?)",
            phones[start:end],
        )
        conn.executemany(
            "INSERT INTO address (contact_id, location_type, is_primary, street_address,"
            " postal_code, city) VALUES (?, ?, ?, ?, ?, ?)",
            addresses[start:end],
        )
        conn.commit()
    seconds = time.perf_counter() - started
    conn.close()
    return len(rows), seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--into", choices=("empty", "10k", "100k"), default="empty")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="amicale-bench-import-"))
    (work / "raw").mkdir()
    try:
        started = time.perf_counter()
        data, planted = make_file(args.rows)
        print(
            f"File: {args.rows:,} rows, {len(data) / 2**20:.1f} MB, Windows-1252, ';' "
            f"({planted['duplicates']:,} repeated people, {planted['bad']:,} bad rows), "
            f"made in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        url = database(args.into, args.backend, work)
        result = run_import(url, data, work / "instance", profile=args.profile)
        rate = args.rows / result["seconds"]
        print()
        print("| database | rows | created | skipped | rejected | seconds | rows/s |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        print(
            f"| {args.backend}, {args.into} | {args.rows:,} | {result['created']:,} | "
            f"{result['skipped']:,} | {result['rejected']:,} | {result['seconds']:.1f} | "
            f"{rate:,.0f} |"
        )
        if args.backend == "sqlite":
            n, seconds = raw_ceiling(data, work)
            print(
                f"| raw executemany ceiling (sqlite3, 4 tables) | {n:,} | {n:,} | | | "
                f"{seconds:.1f} | {n / seconds:,.0f} |"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
