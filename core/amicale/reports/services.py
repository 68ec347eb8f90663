"""Running reports, drawing their charts and writing their CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

import pygal
from flask_babel import lazy_gettext as _l
from pygal.style import Style

from ..errors import NotFound, ValidationError
from ..hooktypes import Report, ReportResult

_SCRIPT = re.compile(r"<script.*?</script>", re.S)
CHART_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    opacity=".9",
    colors=("#1d5c63", "#e8a33d", "#6c8ebf", "#b42318", "#1e7b4f", "#8e6c8a", "#52606d"),
    font_family="system-ui, sans-serif",
)


def available_reports(user) -> list[Report]:
    from ..accounts.permissions import has_permission
    from ..plugins import hook

    reports = [r for result in hook.reports() for r in (result or [])]
    return sorted(
        (r for r in reports if has_permission(user, r.permission)),
        key=lambda r: (r.weight, str(r.label)),
    )


def get_report(user, name: str) -> Report:
    for report in available_reports(user):
        if report.name == name:
            return report
    raise NotFound(str(_l("No report named %(name)s.", name=name)))


def clean_filters(report: Report, raw: dict) -> dict:
    """Typed filter values from the form or the query string; ValidationError per field."""
    values, errors = {}, {}
    for f in report.filters:
        value = (
            (raw.get(f.name) or "").strip() if isinstance(raw.get(f.name), str) else raw.get(f.name)
        )
        if value in (None, ""):
            values[f.name] = f.default
            continue
        if f.field_type == "date":
            try:
                values[f.name] = date.fromisoformat(value)
            except ValueError:
                errors[f.name] = [str(_l("Give a date as YYYY-MM-DD."))]
        elif f.field_type == "select":
            allowed = {str(v) for v, _label in (f.options() if f.options else [])}
            if str(value) not in allowed:
                errors[f.name] = [str(_l("Choose one of the options."))]
            else:
                values[f.name] = value
        else:
            values[f.name] = value
    if errors:
        raise ValidationError(str(_l("Some filters are not valid.")), errors=errors)
    return values


def run_report(session, report: Report, filters: dict) -> ReportResult:
    return report.run(session, filters)


def chart_svg(report: Report, result: ReportResult) -> str:
    """The report's chart as inline SVG (no script, nothing fetched from elsewhere)."""
    if report.chart == "none" or not result.labels or not result.series:
        return ""
    kind = {"bar": pygal.Bar, "line": pygal.Line, "pie": pygal.Pie}.get(report.chart, pygal.Bar)
    chart = kind(
        style=CHART_STYLE,
        js=[],
        disable_xml_declaration=True,
        height=320,
        width=760,
        show_legend=len(result.series) > 1 or report.chart == "pie",
        x_label_rotation=30 if len(result.labels) > 8 else 0,
        explicit_size=False,
        print_values=False,
        legend_at_bottom=True,
    )
    if report.chart == "pie":
        values = next(iter(result.series.values()))
        for label, value in zip(result.labels, values, strict=False):
            chart.add(str(label), value)
    else:
        chart.x_labels = [str(label) for label in result.labels]
        for name, values in result.series.items():
            chart.add(str(name), values)
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))  # pygal's tooltips need scripts
    return svg.replace("<svg ", f'<svg role="img" aria-label="{report.label}" ', 1)


def to_csv(result: ReportResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([str(c) for c in result.columns])
    for row in result.rows:
        writer.writerow([v.isoformat() if isinstance(v, date | datetime) else v for v in row])
    return "\ufeff" + out.getvalue()  # a BOM so that spreadsheet programs read UTF-8
