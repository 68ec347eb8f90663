"""Benchmark of the contributions' dashboard widget and the totals-by-month report.

A fresh database (the core migrated, the contribute component enabled) gets up to 100,000
contacts and N contributions written set-based straight into the tables (executemany of plain
rows, 20,000 at a time): dates over three years up to the bench's day (2026-11-15), four
financial types, six campaigns (two of them running now, with goals), 40 % of the gifts in the
campaign running on their date, statuses 90 % Completed, 3 % Partially paid, 3 % Pending, 2 %
Cancelled, 2 % Refunded. Then it times, each as the median of ``--runs`` runs:

- *cold*: the first run on a new connection (the database's page cache empty; the operating
  system's file cache is not dropped);
- *warm*: runs that follow on the same connection;

for the dashboard widget (``insights.widget_context``: this month against last month, the active
campaigns' progress and this month's donors; and each of its two parts), the totals-by-month
report (this year; with a financial type; with a campaign) and, for the record, the other
reports and the LYBUNT search once.

    python bench/contribute.py [--sizes 10k,100k,1m] [--runs 9] [--backend sqlite|postgresql]
                               [--indexes] [--keep]

``--indexes`` runs the timings a second time after creating the indexes proposed for the widget
(see the report of the insights area). Targets at 1M on SQLite: the widget's queries at most
50 ms, the totals by month at most 200 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "core"))
sys.path.insert(0, str(HERE.parent / "plugins" / "contribute"))

BATCH = 20_000
TODAY = date(2026, 11, 15)
FIRST_DAY = date(2024, 1, 1)
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# The indexes proposed for the widget (``--indexes``).
PROPOSED = {
    "sqlite": [
        "CREATE INDEX ix_bench_date_totals_donor ON contribute_contribution "
        "(receive_date, status, amount, paid_amount, contact_id, financial_type_id)",
        "CREATE INDEX ix_bench_campaign_totals ON contribute_contribution "
        "(campaign_id, receive_date, status, amount, paid_amount, contact_id)",
    ],
}
PROPOSED["postgresql"] = PROPOSED["sqlite"]


def parse_size(value: str) -> int:
    return SIZES.get(value.lower()) or int(value)


def database_url(backend: str, work: Path, size: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{work / f'contribute-{size}.sqlite3'}"
    from sqlalchemy import create_engine, text

    name = f"amicale_bench_contribute_{size}"
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_SERVER.rsplit("/", 1)[0] + f"/{name}"


def make_app(url: str, work: Path):
    """An app on a fresh database with the contribute component enabled."""
    from amicale.app import create_app
    from amicale.components.services import enable_component, upgrade_database
    from amicale.config import Settings
    from amicale.plugins import PluginRegistry

    settings = Settings.from_env(
        {}, instance_path=work / "instance", database_url=url, secret_key="bench"
    )
    registry = PluginRegistry()
    app = create_app(settings, registry=registry)
    state = app.extensions["amicale"]
    with app.app_context():
        upgrade_database(state.db, registry)
        enable_component(state.db, registry, "contribute")
    return app


def fill(session, n: int, contacts: int, seed: int = 7) -> dict:
    """``contacts`` contacts and ``n`` contributions, in batches of plain executemany."""
    from sqlalchemy import insert, select

    from amicale.api_for_plugins import Contact
    from amicale_contribute.models import Campaign, Contribution, FinancialType

    rng = random.Random(seed)
    now = datetime.now(UTC)
    first_contact = (session.scalar(select(Contact.id).order_by(Contact.id.desc())) or 0) + 1
    for start in range(0, contacts, BATCH):
        size = min(BATCH, contacts - start)
        session.execute(
            insert(Contact),
            [
                {
                    "id": first_contact + start + i,
                    "contact_type": "Individual",
                    "first_name": "Donor",
                    "last_name": f"N{start + i}",
                    "display_name": f"Donor N{start + i}",
                    "sort_name": f"N{start + i}, Donor",
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
            ],
        )
    windows = [  # name, start, end, goal, active
        ("Winter 2024", date(2024, 1, 1), date(2024, 6, 30), "50000", False),
        ("Roof 2024", date(2024, 7, 1), date(2024, 12, 31), "80000", False),
        ("Spring 2025", date(2025, 1, 1), date(2025, 6, 30), "60000", False),
        ("Autumn 2025", date(2025, 7, 1), date(2026, 5, 31), "90000", False),
        ("New hall", date(2026, 6, 1), date(2026, 12, 31), "150000", True),
        ("Winter appeal", date(2026, 10, 1), date(2027, 3, 31), "40000", True),
    ]
    campaigns = []
    scale = Decimal(max(n, 10_000)) / 100_000  # goals of the right size for the data
    for name, low, high, goal, active in windows:
        c = Campaign(
            name=name,
            start_date=low,
            end_date=high,
            goal_amount=(Decimal(goal) * scale).quantize(Decimal("1")),
            is_active=active,
        )
        session.add(c)
        session.flush()
        campaigns.append((c.id, low, high))
    types = list(session.scalars(select(FinancialType.id).order_by(FinancialType.id)))
    days = (TODAY - FIRST_DAY).days + 1
    statuses = (
        ["Completed"] * 90 + ["Partially paid"] * 3 + ["Pending"] * 3 + ["Cancelled"] * 2
    ) + ["Refunded"] * 2
    amounts = [Decimal(a) for a in ("5", "10", "15", "20", "25", "30", "50", "75", "100", "250")]
    for start in range(0, n, BATCH):
        rows = []
        for _ in range(min(BATCH, n - start)):
            day = FIRST_DAY + timedelta(days=rng.randrange(days))
            status = rng.choice(statuses)
            amount = rng.choice(amounts)
            campaign = None
            if rng.random() < 0.4:
                running = [cid for cid, low, high in campaigns if low <= day <= high]
                campaign = rng.choice(running) if running else None
            rows.append(
                {
                    "contact_id": first_contact + rng.randrange(contacts),
                    "financial_type_id": types[min(int(rng.random() ** 2 * 4), 3)],
                    "status": status,
                    "amount": amount,
                    "non_deductible_amount": Decimal("0.00"),
                    "paid_amount": (
                        amount / 2
                        if status == "Partially paid"
                        else amount
                        if status == "Completed"
                        else None
                    ),
                    "currency": "EUR",
                    "receive_date": day,
                    "campaign_id": campaign,
                    "created_at": now,
                    "modified_at": now,
                }
            )
        session.execute(insert(Contribution), rows)
    session.commit()
    return {"campaigns": [c[0] for c in campaigns], "types": types}


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def measure(app, fn, runs: int) -> tuple[float, float]:
    """(cold, warm) in ms: median of first runs on new connections, median of runs after."""
    from amicale.api_for_plugins import session

    cold, warm = [], []
    state = app.extensions["amicale"]
    for _ in range(max(3, runs // 3)):
        with app.app_context():
            state.db.engine.dispose()  # a new connection: SQLite's page cache starts empty
            s = session()
            cold.append(timed(lambda s=s: fn(s))[0])
            s.rollback()
    with app.app_context():
        s = session()
        fn(s)
        for _ in range(runs):
            warm.append(timed(lambda s=s: fn(s))[0])
        s.rollback()
    return statistics.median(cold), statistics.median(warm)


def explain(app, backend: str) -> list[str]:
    """The query plans of the widget's and the report's queries."""
    from sqlalchemy import event

    from amicale.api_for_plugins import session
    from amicale_contribute import insight_reports, insights

    statements: list = []
    out = []
    with app.app_context():
        s = session()
        engine = s.get_bind()

        def listener(conn, cursor, statement, parameters, context, executemany):
            if "contribute_contribution" in statement:
                statements.append((statement, parameters))

        event.listen(engine, "before_cursor_execute", listener)
        try:
            insights.widget_context(s, TODAY)
            insight_reports.totals_by_month(s, {"today": TODAY})
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        raw = s.connection().connection.dbapi_connection
        for statement, parameters in statements:
            prefix = "EXPLAIN QUERY PLAN " if backend == "sqlite" else "EXPLAIN "
            cursor = raw.cursor()
            cursor.execute(prefix + statement, parameters)
            plan = " | ".join(str(r[-1]) for r in cursor.fetchall())
            out.append(f"{' '.join(statement.split())[:90]}...\n    -> {plan}")
        s.rollback()
    return out


def analyze(app, backend: str) -> None:
    """Statistics for the planner; on PostgreSQL also the visibility map (VACUUM), without which
    no index-only scan is chosen after a bulk load."""
    from sqlalchemy import text

    engine = app.extensions["amicale"].db.engine
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if backend == "postgresql" else "ANALYZE"))


def bench_size(backend: str, size: str, contacts_max: int, runs: int, indexes: bool, keep: bool):
    from sqlalchemy import text

    from amicale.api_for_plugins import session
    from amicale_contribute import insight_queries, insight_reports, insights

    n = parse_size(size)
    contacts = min(contacts_max, n)
    work = Path(tempfile.mkdtemp(prefix="amicale-bench-contribute-"))
    url = database_url(backend, work, size)
    app = make_app(url, work)
    with app.app_context():
        s = session()
        seconds, made = timed(lambda: fill(s, n, contacts))
        s.commit()
        analyze(app, backend)
    print(
        f"{size}: {n:,} contributions over {contacts:,} contacts written in {seconds / 1000:.1f} s"
    )
    type_id, campaign_id = made["types"][0], made["campaigns"][4]
    cases = [
        ("widget (whole)", lambda s: insights.widget_context(s, TODAY)),
        ("widget: this month vs last", lambda s: insight_queries.month_figures(s, TODAY)),
        ("widget: active campaigns", lambda s: insight_queries.active_campaigns(s, TODAY)),
        (
            "report: totals by month (this year)",
            lambda s: insight_reports.totals_by_month(s, {"today": TODAY}),
        ),
        (
            "report: totals by month, one type",
            lambda s: insight_reports.totals_by_month(
                s, {"today": TODAY, "financial_type": str(type_id)}
            ),
        ),
        (
            "report: totals by month, one campaign",
            lambda s: insight_reports.totals_by_month(
                s, {"today": TODAY, "campaign": str(campaign_id)}
            ),
        ),
    ]
    once = [
        ("report: by campaign", lambda s: insight_reports.by_campaign(s, {})),
        (
            "report: by financial type",
            lambda s: insight_reports.by_financial_type(s, {"today": TODAY}),
        ),
        ("report: top donors", lambda s: insight_reports.top_donors(s, {"today": TODAY})),
        ("report: donor retention", lambda s: insight_reports.retention(s, {"today": TODAY})),
        (
            "report: campaign contributors",
            lambda s: insight_reports.campaign_contributors(s, {"today": TODAY}),
        ),
        ("search: LYBUNT 2026 (count)", lambda s: _count(s, {"contribution_lybunt": "2026"})),
    ]
    rows = []
    for variant in ("as is", "proposed indexes") if indexes else ("as is",):
        if variant != "as is":
            with app.app_context():
                s = session()
                for statement in PROPOSED[backend]:
                    s.execute(text(statement))
                s.commit()
            analyze(app, backend)
        for label, fn in cases:
            cold, warm = measure(app, fn, runs)
            rows.append((backend, size, variant, label, f"{cold:.1f}", f"{warm:.1f}"))
            print("| " + " | ".join(rows[-1]) + " |", flush=True)
        for label, fn in once:
            with app.app_context():
                ms, _ = timed(lambda fn=fn: fn(session()))
            rows.append((backend, size, variant, label, f"{ms:.0f}", "–"))
            print("| " + " | ".join(rows[-1]) + " |", flush=True)
        plans = explain(app, backend)
        print(f"plans ({backend}, {size}, {variant}):")
        for line in plans:
            print("  " + line)
    with app.app_context():
        ctx = insights.widget_context(session(), TODAY)
        print(
            f"  this month: {ctx['this'].amount} from {ctx['this'].gifts:,} gifts, "
            f"{ctx['this'].donors:,} donors; campaigns: "
            + ", ".join(
                f"{c.name} {c.percent}% ({c.donors_this_month:,} donors)" for c in ctx["campaigns"]
            )
        )
    app.extensions["amicale"].db.engine.dispose()
    if keep:
        print(f"database: {url}")
    else:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
        if backend == "postgresql":
            from sqlalchemy import create_engine

            admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                name = url.rsplit("/", 1)[1]
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    return rows


def _count(s, criteria):
    from sqlalchemy import func, select

    from amicale.contacts.search import contact_ids_query

    return s.scalar(select(func.count()).select_from(contact_ids_query(s, criteria).subquery()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1m")
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--indexes", action="store_true", help="time again with the indexes")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    args = parser.parse_args()
    rows = []
    for size in args.sizes.split(","):
        rows += bench_size(args.backend, size, args.contacts, args.runs, args.indexes, args.keep)
    print()
    print(f"Contributions, {args.backend}, bench day {TODAY}, run {date.today()}; ms, medians")
    print()
    print("| backend | size | indexes | operation | cold | warm |")
    print("|---|---|---|---|---:|---:|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
