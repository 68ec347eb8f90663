"""The "Export contacts" page: the columns to pick (grouped), the format, and the download of a
search (its criteria carried in the query string) or of a group."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request, stream_with_context
from werkzeug.datastructures import MultiDict

from ..accounts.permissions import permission_required
from ..contacts.views import _criteria_from_args
from ..db import session
from ..errors import DomainError
from . import services

bp = Blueprint("exports", __name__, template_folder="templates")

# Query parameters of the export page itself; everything else is a search criterion (``group``
# included: "member of the group" is a criterion of the search page; a group's own export link
# gives ``group_id``).
OWN_ARGS = {"format", "columns", "group_id", "page", "page_size", "sort"}


def _search_args() -> list[tuple[str, str]]:
    """The search's own query parameters, to carry them from the page to the download."""
    return [(k, v) for k, values in request.args.lists() if k not in OWN_ARGS for v in values]


def _criteria() -> dict[str, Any]:
    return _criteria_from_args(MultiDict(_search_args()))


def _page(errors: dict[str, list[str]] | None = None, status: int = 200):
    s = session()
    group = None
    group_id = request.args.get("group_id", type=int)
    if group_id:
        from ..groups.services import get_group, member_count

        group = get_group(s, group_id)
        count = member_count(s, group)
    else:
        count = None
    criteria = _criteria()
    columns = services.available_columns(s)
    sections: dict[str, list[services.Column]] = {name: [] for name in services.SECTIONS}
    for column in columns:
        sections[column.section].append(column)
    chosen = request.args.getlist("columns") or list(services.DEFAULT_COLUMNS)
    context: dict[str, Any] = {
        "group": group,
        "count": count,
        "criteria": criteria,
        "search_args": _search_args(),
        "column_sections": [(services.SECTIONS[n], cols) for n, cols in sections.items() if cols],
        "chosen": set(chosen),
        "formats": services.FORMAT_LABELS,
        "fmt": request.args.get("format", "csv"),
        "errors": errors or {},
    }
    return render_template("exports/export.html", **context), status


@bp.route("/contacts/export")
@permission_required("export_contacts")
def index():
    """The export page: which columns, which format."""
    return _page()


@bp.route("/contacts/export/download")
@permission_required("export_contacts")
def download():
    """The file, streamed as it is written; errors come back to the page, beside their field."""
    s = session()
    group_id = request.args.get("group_id", type=int)
    try:
        fmt = services.check_format(request.args.get("format"))
        columns = services.choose_columns(s, request.args.getlist("columns"))
        criteria = _criteria()
        query = services.contacts_query(s, criteria=criteria, group_id=group_id)
        title = None
        if group_id:
            from ..groups.services import get_group

            title = get_group(s, group_id).name
    except DomainError as exc:
        if exc.http_status == 404:
            raise
        return _page(exc.errors or {"": [exc.message]}, 422)
    mimetype, _ext = services.FORMATS[fmt]
    body = services.export(s, query, columns, fmt)
    return Response(
        stream_with_context(body),
        content_type=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{services.filename(fmt, title)}"',
            "Cache-Control": "no-store",
        },
    )
