"""Benchmark of the yearly tax receipts (Cerfa n° 11580): issuing and rendering them.

A fresh database (the core migrated, the contribute component enabled) gets N donors, each with
an address and 1 to 4 deductible gifts of the year (Donation or Member Dues, some with a
non-deductible part, a few partially paid), plus as many gifts that give no receipt (Event Fee,
Cancelled, another year), written set-based straight into the tables. Then it times:

- the dry run (``preview_yearly``: one query over the year's gifts);
- issuing the yearly receipts of the year (``issue_yearly`` + commit: the numbers, one receipt
  per donor, its items), and a second run that finds nothing new;
- rendering the PDFs: ``--render`` receipts in one document (the pile to print), and
  ``--render-single`` one document each (the email path); receipts per second, and the time
  10,000 would take at that rate.

    python bench/contribute_receipts.py [--donors 10000] [--render 200] [--render-single 50]
        [--backend sqlite|postgresql] [--keep]
"""

from __future__ import annotations

import argparse
import random
import shutil
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
YEAR = 2026
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
LEGAL = {
    "legal_name": "Association Les Amis du Parc",
    "address": "3 allée des Tilleuls\n69003 Lyon",
    "object": "Entretien et animation du parc municipal",
    "identifier": "W691234567",
    "body_kind": "interet_general",
    "articles": ["200"],
    "gift_form": "don_manuel",
    "signatory_name": "Hélène Durand",
    "signatory_title": "Trésorière",
    "place": "Lyon",
}


def database_url(backend: str, work: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{work / 'receipts.sqlite3'}"
    from sqlalchemy import create_engine, text

    name = "amicale_bench_receipts"
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


def fill(session, donors: int, seed: int = 7) -> int:
    """``donors`` contacts with an address, their gifts of YEAR and gifts that give no receipt,
    in batches of plain executemany; answers the number of deductible gifts."""
    from sqlalchemy import insert, select

    from amicale.api_for_plugins import Address, Contact
    from amicale_contribute.models import Contribution, FinancialType, PaymentInstrument

    rng = random.Random(seed)
    now = datetime.now(UTC)
    types = dict(session.execute(select(FinancialType.name, FinancialType.id)).all())
    instruments = list(session.scalars(select(PaymentInstrument.id)))
    deductible = [types["Donation"]] * 4 + [types["Member Dues"]]
    first = (session.scalar(select(Contact.id).order_by(Contact.id.desc())) or 0) + 1
    amounts = [Decimal(a) for a in ("5", "10", "15", "20", "33.30", "50", "75", "100", "250")]
    counted = 0
    for start in range(0, donors, BATCH):
        size = min(BATCH, donors - start)
        ids = range(first + start, first + start + size)
        session.execute(
            insert(Contact),
            [
                {
                    "id": cid,
                    "contact_type": "Individual",
                    "first_name": "Donatrice",
                    "last_name": f"N°{cid}",
                    "display_name": f"Donatrice N°{cid}",
                    "sort_name": f"N°{cid}, Donatrice",
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
                for cid in ids
            ],
        )
        session.execute(
            insert(Address),
            [
                {
                    "contact_id": cid,
                    "location_type": "Home",
                    "is_primary": True,
                    "street_address": f"{cid % 200 + 1} rue de l'Église",
                    "postal_code": f"{69001 + cid % 9}",
                    "city": "Lyon",
                    "country": "FR",
                }
                for cid in ids
            ],
        )
        rows = []
        for cid in ids:
            for _ in range(rng.randint(1, 4)):
                amount = rng.choice(amounts)
                partial = rng.random() < 0.03
                rows.append(
                    {
                        "contact_id": cid,
                        "financial_type_id": rng.choice(deductible),
                        "payment_instrument_id": rng.choice(instruments),
                        "status": "Partially paid" if partial else "Completed",
                        "amount": amount,
                        "non_deductible_amount": (
                            Decimal("5.00") if amount > 20 and rng.random() < 0.1 else Decimal(0)
                        ),
                        "paid_amount": (amount / 2).quantize(Decimal("0.01"))
                        if partial
                        else amount,
                        "currency": "EUR",
                        "receive_date": date(YEAR, 1, 1) + timedelta(days=rng.randrange(365)),
                        "created_at": now,
                        "modified_at": now,
                    }
                )
            for kind in ("fee", "cancelled", "other_year"):  # what gives no receipt
                rows.append(
                    {
                        "contact_id": cid,
                        "financial_type_id": types["Event Fee"]
                        if kind == "fee"
                        else types["Donation"],
                        "payment_instrument_id": rng.choice(instruments),
                        "status": "Cancelled" if kind == "cancelled" else "Completed",
                        "amount": Decimal("20.00"),
                        "non_deductible_amount": Decimal(0),
                        "paid_amount": Decimal("20.00"),
                        "currency": "EUR",
                        "receive_date": date(YEAR - 1 if kind == "other_year" else YEAR, 6, 1),
                        "created_at": now,
                        "modified_at": now,
                    }
                )
        counted += len(rows) - 3 * size
        session.execute(insert(Contribution), rows)
    session.commit()
    return counted


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--donors", type=int, default=10_000)
    parser.add_argument("--render", type=int, default=200, help="receipts in one PDF")
    parser.add_argument("--render-single", type=int, default=50, help="receipts, one PDF each")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--keep", action="store_true", help="keep the database (path printed)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="amicale-bench-receipts-"))
    app = make_app(database_url(args.backend, work), work)
    from amicale.api_for_plugins import session
    from amicale_contribute import receipt_services as rs
    from amicale_contribute.receipt_pdf import render_pdf

    with app.test_request_context(headers={"Accept-Language": "en"}):
        s = session()
        rs.save_legal_details(s, LEGAL)
        s.commit()
        fill_seconds, gifts = timed(lambda: fill(s, args.donors))
        preview_seconds, preview = timed(lambda: rs.preview_yearly(s, YEAR))
        s.rollback()

        def issue():
            run = rs.issue_yearly(s, YEAR)
            s.commit()
            return run

        issue_seconds, run = timed(issue)
        again_seconds, again = timed(issue)
        assert run.count == args.donors and again.count == 0, (run.count, again.count)
        assert run.numbers[-1] == rs.format_number(YEAR, args.donors)

        batch_ids = run.receipt_ids[: args.render]
        batch = rs.receipts_by_ids(s, batch_ids)
        pile_seconds, pile = timed(lambda: render_pdf(s, batch))
        singles = rs.receipts_by_ids(s, run.receipt_ids[: args.render_single])

        def one_each():
            return [render_pdf(s, [r]) for r in singles]

        single_seconds, pdfs = timed(one_each)
        s.rollback()

    n = f"{args.donors:,}"
    backend = "SQLite" if args.backend == "sqlite" else "PostgreSQL"
    print(
        f"donors: {n}, deductible gifts of {YEAR}: {gifts:,} (+{3 * args.donors:,} that give "
        f"none; written in {fill_seconds:.1f} s), {backend}, {date.today()}"
    )
    print()
    print("| step | receipts | seconds | receipts/s | 10,000 receipts |")
    print("|---|---:|---:|---:|---:|")

    def line(step: str, count: int, seconds: float) -> None:
        rate = count / seconds if seconds else 0
        at10k = 10_000 / rate if rate else 0
        print(f"| {step} | {count:,} | {seconds:.2f} | {rate:,.0f} | {at10k:,.1f} s |")

    print(
        f"| dry run: {preview.donors:,} donors, {preview.gifts:,} gifts, "
        f"{preview.total:,} € | – | {preview_seconds:.2f} | – | – |"
    )
    line("issue the yearly receipts (numbers, receipts, items, commit)", run.count, issue_seconds)
    print(f"| second run (nothing new) | 0 | {again_seconds:.2f} | – | – |")
    line(f"render one PDF of {len(batch)} (the pile to print)", len(batch), pile_seconds)
    line(f"render {len(singles)} PDFs, one each (the email path)", len(singles), single_seconds)
    print()
    print(
        f"pile: {len(pile) / 1024:.0f} KiB for {len(batch)} receipts; "
        f"one receipt: {sum(len(p) for p in pdfs) / max(len(pdfs), 1) / 1024:.0f} KiB"
    )
    if args.keep:
        print(f"database: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
