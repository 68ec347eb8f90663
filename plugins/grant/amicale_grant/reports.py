"""The reports of Grant (the ``reports`` hook): amounts requested and granted by type and year,
and the success rate of the funding the organisation applied for, by funder. The sums are
Decimal; the charts get floats only at the last step (pygal draws floats)."""

from __future__ import annotations

from amicale.api_for_plugins import ReportResult, gettext

from . import services


def amounts_by_type_and_year(session, filters) -> ReportResult:
    rows = services.amounts_by_type_and_year(session)
    labels = [f"{name} {year or ''}".strip() for name, year, _a, _b in rows]
    return ReportResult(
        columns=[gettext("Type"), gettext("Year"), gettext("Requested"), gettext("Granted")],
        rows=[
            (gettext(name), year or "", requested, granted)
            for name, year, requested, granted in rows
        ],
        labels=labels,
        series={
            gettext("Requested"): [float(r[2]) for r in rows],
            gettext("Granted"): [float(r[3]) for r in rows],
        },
    )


def success_by_funder(session, filters) -> ReportResult:
    rows = services.success_by_funder(session)
    out = []
    for funder, decided, awarded, requested, obtained in rows:
        rate = round(100 * awarded / decided) if decided else 0
        out.append((funder, decided, awarded, f"{rate} %", requested, obtained))
    return ReportResult(
        columns=[
            gettext("Funder"),
            gettext("Decided"),
            gettext("Awarded"),
            gettext("Success rate"),
            gettext("Requested"),
            gettext("Obtained"),
        ],
        rows=out,
        labels=[r[0] for r in out],
        series={gettext("Success rate (%)"): [float(r[3].split()[0]) for r in out]},
    )
