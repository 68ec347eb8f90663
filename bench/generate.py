"""Seeded synthetic data for the benchmarks: N contacts (French and English names with accents)
with emails, phones, addresses, search words, and, when those tables exist, relationships,
activities and group memberships. Written with bulk inserts, not through the services (the
services are what the benchmarks measure; generating a million contacts one by one would take
hours).

    python bench/generate.py --size 100k --database-url sqlite:///bench/data/100k.sqlite3
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

from faker import Faker
from sqlalchemy import insert, text

from amicale.contacts.normalise import search_words

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
BATCH = 5_000
CITIES = [
    ("Lyon", "69001"),
    ("Lyon", "69004"),
    ("Villeurbanne", "69100"),
    ("Paris", "75011"),
    ("Paris", "75020"),
    ("Marseille", "13001"),
    ("Lille", "59000"),
    ("Nantes", "44000"),
    ("Bordeaux", "33000"),
    ("Toulouse", "31000"),
    ("Genève", "1201"),
    ("Bruxelles", "1000"),
    ("Montréal", "H2X"),
    ("Saint-Étienne", "42000"),
    ("Grenoble", "38000"),
]
COUNTRY = {"Genève": "CH", "Bruxelles": "BE", "Montréal": "CA"}


def parse_size(value: str) -> int:
    return SIZES.get(value.lower()) or int(value)


def generate(engine, size: int, seed: int = 42, progress=print) -> dict[str, int]:
    """Fill an empty, migrated database with ``size`` contacts; returns row counts."""
    rng = random.Random(seed)
    fakers = [Faker("fr_FR"), Faker("en_GB"), Faker("fr_CA")]
    for i, f in enumerate(fakers):
        f.seed_instance(seed + i)
    meta = _tables(engine)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    counts = dict.fromkeys(
        (
            "contact",
            "email",
            "phone",
            "address",
            "contact_search_token",
            "relationship",
            "activity",
            "group_contact",
        ),
        0,
    )
    started = time.perf_counter()
    next_id = 1
    with engine.begin() as conn:
        org_ids: list[int] = []
        while next_id <= size:
            batch = range(next_id, min(next_id + BATCH, size + 1))
            contacts, emails, phones, addresses, tokens = [], [], [], [], []
            for cid in batch:
                fk = fakers[cid % 3]
                kind = (
                    "Organization"
                    if cid % 20 == 0
                    else ("Household" if cid % 20 == 1 else "Individual")
                )
                created = now - timedelta(days=rng.randint(0, 3650))
                row = {
                    "id": cid,
                    "contact_type": kind,
                    "created_at": created,
                    "modified_at": created,
                    "is_deleted": cid % 97 == 0,
                    "do_not_email": cid % 31 == 0,
                    "is_opt_out": cid % 17 == 0,
                    "do_not_phone": False,
                    "do_not_mail": False,
                    "do_not_sms": False,
                    "is_deceased": cid % 211 == 0,
                    "external_identifier": f"EXT-{cid:07d}",
                    "first_name": None,
                    "last_name": None,
                    "organization_name": None,
                    "household_name": None,
                    "gender": None,
                }
                if kind == "Organization":
                    name = fk.company()
                    row.update(organization_name=name, display_name=name, sort_name=name)
                    words = search_words(name)
                    org_ids.append(cid)
                elif kind == "Household":
                    name = f"Famille {fk.last_name()}"
                    row.update(household_name=name, display_name=name, sort_name=name)
                    words = search_words(name)
                else:
                    first, last = fk.first_name(), fk.last_name()
                    row.update(
                        first_name=first,
                        last_name=last,
                        display_name=f"{first} {last}",
                        sort_name=f"{last}, {first}",
                        gender=rng.choice(["female", "male"]),
                    )
                    words = search_words(first, last)
                contacts.append(row)
                tokens.extend({"token": w, "contact_id": cid} for w in words)
                local = "".join(sorted(words))[:20] or "contact"
                emails.append(
                    {
                        "contact_id": cid,
                        "email": f"{local}.{cid}@example.org",
                        "location_type": "Home",
                        "is_primary": True,
                        "on_hold": False,
                    }
                )
                if cid % 4 == 0:
                    emails.append(
                        {
                            "contact_id": cid,
                            "email": f"{local}.{cid}@work.example.com",
                            "location_type": "Work",
                            "is_primary": False,
                            "on_hold": cid % 40 == 0,
                        }
                    )
                national = f"6{cid:08d}"[-9:]
                phones.append(
                    {
                        "contact_id": cid,
                        "phone": f"+33 {national}",
                        "phone_normalized": f"+33{national}",
                        "phone_type": "Mobile",
                        "location_type": "Home",
                        "is_primary": True,
                    }
                )
                city, postal = CITIES[rng.randrange(len(CITIES))]
                addresses.append(
                    {
                        "contact_id": cid,
                        "location_type": "Home",
                        "is_primary": True,
                        "street_address": fk.street_address(),
                        "postal_code": postal,
                        "city": city,
                        "country": COUNTRY.get(city, "FR"),
                    }
                )
            conn.execute(insert(meta["contact"]), contacts)
            conn.execute(insert(meta["email"]), emails)
            conn.execute(insert(meta["phone"]), phones)
            conn.execute(insert(meta["address"]), addresses)
            conn.execute(insert(meta["contact_search_token"]), tokens)
            for name, rows in (
                ("contact", contacts),
                ("email", emails),
                ("phone", phones),
                ("address", addresses),
                ("contact_search_token", tokens),
            ):
                counts[name] += len(rows)
            next_id = batch.stop
            if (next_id - 1) % 50_000 < BATCH or next_id > size:
                progress(f"  {next_id - 1:>9,} contacts  {time.perf_counter() - started:6.1f} s")
        counts.update(_network(conn, meta, size, org_ids, rng, now))
        if engine.dialect.name == "postgresql":
            # ids were given explicitly: move the sequences past them
            for table in ("contact", "activity", "contact_group"):
                if table in meta:
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT coalesce(max(id), 1) FROM {table}))"
                    )
            conn.exec_driver_sql("ANALYZE")
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    return counts


def _tables(engine):
    from amicale.db import metadata
    from amicale.plugins import PluginRegistry

    PluginRegistry(discover=False).all_models()  # imports every core model
    return metadata.tables


def _network(conn, meta, size, org_ids, rng, now) -> dict[str, int]:
    """Relationships, activities and groups, where those tables exist."""
    counts = {}
    if "relationship" in meta and "relationship_type" in meta:
        types = dict(conn.execute(text("SELECT name, id FROM relationship_type")).all())
        rows = []
        employee = types.get("employee_of")
        for cid in range(2, size + 1, 3):
            if employee and org_ids and cid % 20 > 1:
                rows.append(
                    {
                        "contact_id_a": cid,
                        "contact_id_b": rng.choice(org_ids),
                        "relationship_type_id": employee,
                        "is_active": True,
                        "created_at": now,
                    }
                )
        for i in range(0, len(rows), BATCH):
            conn.execute(insert(meta["relationship"]), rows[i : i + BATCH])
        counts["relationship"] = len(rows)
    if "activity" in meta and "activity_contact" in meta and "activity_type" in meta:
        type_ids = [r[0] for r in conn.execute(text("SELECT id FROM activity_type")).all()]
        total = 0
        activity_id = 1
        for start in range(1, size + 1, BATCH):
            acts, links = [], []
            for cid in range(start, min(start + BATCH, size + 1)):
                for _ in range(cid % 3):
                    when = now - timedelta(days=rng.randint(0, 1500), minutes=rng.randint(0, 600))
                    acts.append(
                        {
                            "id": activity_id,
                            "activity_type_id": rng.choice(type_ids),
                            "subject": "Appel de suivi",
                            "activity_date": when,
                            "status": "Completed",
                            "priority": "Normal",
                            "duration": 15,
                            "is_deleted": False,
                            "created_at": when,
                            "modified_at": when,
                        }
                    )
                    links.append({"activity_id": activity_id, "contact_id": cid, "role": "target"})
                    activity_id += 1
            if acts:
                conn.execute(insert(meta["activity"]), acts)
                conn.execute(insert(meta["activity_contact"]), links)
                total += len(acts)
        counts["activity"] = total
    if "contact_group" in meta and "group_contact" in meta:
        conn.execute(
            insert(meta["contact_group"]),
            [
                {
                    "id": g,
                    "name": f"bench_group_{g}",
                    "title": f"Groupe {g}",
                    "group_type": "static",
                    "is_mailing_list": g == 1,
                    "is_active": True,
                    "created_at": now,
                    "visibility": "User and User Admin Only",
                }
                for g in range(1, 11)
            ],
        )
        rows = [
            {"group_id": 1 + (cid // 2) % 10, "contact_id": cid, "status": "Added"}
            for cid in range(1, size + 1, 2)  # half the contacts, in ten groups
        ]
        for i in range(0, len(rows), BATCH):
            conn.execute(insert(meta["group_contact"]), rows[i : i + BATCH])
        counts["group_contact"] = len(rows)
    return counts


def main() -> None:
    from amicale.components.services import upgrade_database
    from amicale.db import Database
    from amicale.plugins import PluginRegistry

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="10k", help="10k, 100k, 1m or a number")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    db = Database(args.database_url)
    upgrade_database(db, PluginRegistry(discover=False))
    counts = generate(db.engine, parse_size(args.size), args.seed)
    print(counts)


if __name__ == "__main__":
    main()
