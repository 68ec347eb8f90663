"""Benchmark of the membership status job and the dashboard widget.

A fresh SQLite database (the core migrated, the membership component enabled: its branch
applied) gets N contacts and one membership each, written set-based straight into the tables:
two types, join dates spread over the last 6 years, a year each (start = join, end = start + 1
year - 1 day), every status set to New. Then it times:

- ``update_statuses`` first run (most memberships move to Current, Grace or Expired) and a second
  run on the same day (nothing changes), each with its commit;
- the members-by-status widget query (``widget_counts``, one GROUP BY), median of 20 runs.

    python bench/membership.py [--memberships 100000] [--runs 20] [--keep]

Targets: the status update at most 1 s and the widget under 20 ms at 100k.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "core"))
sys.path.insert(0, str(HERE.parent / "plugins" / "membership"))

BATCH = 20_000


def make_app(work: Path):
    """An app on a fresh SQLite database with the membership component enabled."""
    from amicale.app import create_app
    from amicale.components.services import enable_component, upgrade_database
    from amicale.config import Settings
    from amicale.plugins import PluginRegistry

    url = f"sqlite:///{work / 'membership.sqlite3'}"
    settings = Settings.from_env(
        {}, instance_path=work / "instance", database_url=url, secret_key="bench"
    )
    registry = PluginRegistry()
    app = create_app(settings, registry=registry)
    state = app.extensions["amicale"]
    with app.app_context():
        upgrade_database(state.db, registry)
        enable_component(state.db, registry, "membership")
    return app


def fill(session, n: int, seed: int = 7) -> None:
    """N contacts and N memberships, in batches of plain executemany."""
    from sqlalchemy import insert, select

    from amicale.api_for_plugins import Contact
    from amicale_membership import services
    from amicale_membership.models import Membership, MembershipType

    rng = random.Random(seed)
    types = [
        services.create_type(session, {"name": "Individual", "minimum_fee": "30"}),
        services.create_type(session, {"name": "Reduced", "minimum_fee": "10"}),
    ]
    new = services.status_by_name(session, "New").id
    session.flush()
    now = datetime.now(UTC)
    today = date.today()
    first_contact = (session.scalar(select(Contact.id).order_by(Contact.id.desc())) or 0) + 1
    for start in range(0, n, BATCH):
        size = min(BATCH, n - start)
        contacts = [
            {
                "id": first_contact + start + i,
                "contact_type": "Individual",
                "first_name": "Member",
                "last_name": f"N{start + i}",
                "display_name": f"Member N{start + i}",
                "sort_name": f"N{start + i}, Member",
                "is_deceased": False,
                "do_not_email": False,
                "do_not_phone": False,
                "do_not_mail": False,
                "do_not_sms": False,
                "is_opt_out": False,
                "is_deleted": False,
                "created_at": now,
                "modified_at": now,
            }
            for i in range(size)
        ]
        session.execute(insert(Contact), contacts)
        rows = []
        for i in range(size):
            joined = today - timedelta(days=rng.randrange(6 * 365))
            rows.append(
                {
                    "contact_id": first_contact + start + i,
                    "membership_type_id": types[rng.random() < 0.2].id,
                    "join_date": joined,
                    "start_date": joined,
                    "end_date": services.add_units(joined, "year", 1, overflow=True)
                    - timedelta(days=1),
                    "status_id": new,
                    "is_override": False,
                    "created_at": now,
                    "modified_at": now,
                }
            )
        session.execute(insert(Membership), rows)
    session.commit()
    assert session.scalar(select(MembershipType.id).limit(1)) is not None


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--memberships", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database (path printed)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="amicale-bench-membership-"))
    app = make_app(work)
    from amicale.api_for_plugins import session
    from amicale_membership import services

    with app.app_context():
        s = session()
        fill_seconds, _ = timed(lambda: fill(s, args.memberships))

        def update():
            result = services.update_statuses(s)
            s.commit()
            return result

        first_seconds, first = timed(update)
        second_seconds, second = timed(update)
        widget = []
        for _ in range(args.runs):
            seconds, counts = timed(lambda: services.widget_counts(s))
            widget.append(seconds)
        s.rollback()

    n = f"{args.memberships:,}"
    print(f"memberships: {n} (written in {fill_seconds:.1f} s), SQLite, {date.today()}")
    print()
    print("| step | memberships | changed | ms |")
    print("|---|---:|---:|---:|")
    changed = ", ".join(f"{k} {v:,}" for k, v in sorted(first.changed.items()))
    print(
        f"| update_statuses, first run ({changed}) | {n} | {first.total:,} | "
        f"{first_seconds * 1000:.0f} |"
    )
    print(
        f"| update_statuses, second run (nothing changes) | {n} | {second.total:,} | "
        f"{second_seconds * 1000:.0f} |"
    )
    print(
        f"| widget: members by status + renewals due (median of {args.runs}) | {n} | – | "
        f"{statistics.median(widget) * 1000:.1f} |"
    )
    print()
    print("by status:", ", ".join(f"{c.name} {c.members:,}" for c in counts))
    if args.keep:
        print(f"database: {work / 'membership.sqlite3'}")
    else:
        import shutil

        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
