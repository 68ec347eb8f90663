"""Benchmark of contact exports: every contact (not in the trash) of the seeded database of
bench/generate.py written to CSV and to XLSX through ``amicale.exports.services`` (the service
the page, the API and ``amicale export contacts`` use). Prints rows per second and memory.

    python bench/export.py --size 100k [--backend sqlite|postgresql] [--formats csv,xlsx]

The databases are those of bench/run.py (bench/data/<size>.sqlite3 or amicale_bench_<size>),
generated once and reused. Each export runs in its own process, which reports its peak resident
memory (``getrusage(RUSAGE_SELF).ru_maxrss``): the baseline is the peak once the app is started
(interpreter, libraries, app), before the first row; the export's peak includes it. A second,
untimed run of each export measures the peak of Python allocations during the export alone
(tracemalloc).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

COLUMNS = (
    "id,contact_type,display_name,first_name,last_name,birth_date,email,phone,street_address,"
    "postal_code,city,country,do_not_email,created_at"
)


def child(url: str, fmt: str, columns: str, out: str, trace: bool = False) -> None:
    """One export, in this process: prints a JSON line of rows, seconds and memory. With
    ``trace``, tracemalloc follows the export (slower: that run is not timed)."""
    import tracemalloc

    from amicale.app import create_app
    from amicale.config import Settings
    from amicale.db import session
    from amicale.exports import services

    app = create_app(
        Settings.from_env(
            {}, instance_path=HERE / "data" / "instance", database_url=url, secret_key="bench"
        )
    )
    with app.app_context():
        s = session()
        chosen = services.choose_columns(s, columns.split(","))
        query = services.contacts_query(s)
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if trace:
            tracemalloc.start()
        start = time.perf_counter()
        size = 0
        with open(out, "wb") as f:
            for piece in services.export(s, query, chosen, fmt):
                size += len(piece)
                f.write(piece)
        seconds = time.perf_counter() - start
        traced = tracemalloc.get_traced_memory()[1] if trace else None
        tracemalloc.stop()
        from sqlalchemy import func, select

        rows = s.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "rows": rows,
                "seconds": seconds,
                "bytes": size,
                "baseline_kb": baseline,
                "peak_kb": peak,
                "traced_peak_bytes": traced,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="10k", help="10k, 100k, 1m or a number of contacts")
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--formats", default="csv,excel-fr,xlsx")
    parser.add_argument("--columns", default=COLUMNS)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--child", nargs=4, metavar=("URL", "FORMAT", "COLUMNS", "OUT"))
    parser.add_argument("--trace", action="store_true", help="(child) measure with tracemalloc")
    parser.add_argument(
        "--no-trace", action="store_true", help="skip the tracemalloc runs (they double the time)"
    )
    args = parser.parse_args()
    if args.child:
        child(*args.child, trace=args.trace)
        return
    from run import prepare

    url = prepare(args.size, args.backend, args.regenerate)
    out_dir = HERE / "data"
    lines = []
    for fmt in args.formats.split(","):
        out = out_dir / f"export-{args.size}.{'xlsx' if fmt == 'xlsx' else 'csv'}"
        done = subprocess.run(
            [sys.executable, __file__, "--child", url, fmt, args.columns, str(out)],
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if not args.no_trace:
            traced = subprocess.run(
                [sys.executable, __file__, "--child", url, fmt, args.columns, str(out), "--trace"],
                check=True,
                capture_output=True,
                text=True,
            )
            result["traced_peak_bytes"] = json.loads(traced.stdout.strip().splitlines()[-1])[
                "traced_peak_bytes"
            ]
        out.unlink(missing_ok=True)
        lines.append((fmt, result))
        print(fmt, result, flush=True)
    ncols = len(args.columns.split(","))
    print(f"\n{args.backend}, {args.size} contacts, {ncols} columns\n")
    print(
        "| contacts | format | rows exported | seconds | rows/s | file (MB) "
        "| baseline RSS (MB) | peak RSS (MB) | Python peak, tracemalloc (MB) |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for fmt, r in lines:
        traced = "-" if r["traced_peak_bytes"] is None else f"{r['traced_peak_bytes'] / 1e6:.1f}"
        print(
            f"| {args.size} | {fmt} | {r['rows']:,} | {r['seconds']:.1f} "
            f"| {r['rows'] / r['seconds']:,.0f} | {r['bytes'] / 1e6:.1f} "
            f"| {r['baseline_kb'] / 1024:.0f} | {r['peak_kb'] / 1024:.0f} "
            f"| {traced} |"
        )


if __name__ == "__main__":
    main()
