"""API: GET /api/v1/contacts/export, a search or a group as a CSV, "Excel, French" CSV or XLSX
file, streamed."""

from __future__ import annotations

from flask import Response, stream_with_context
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, fields, validate

from ..accounts.permissions import permission_required
from ..contacts.api import criteria_from_args
from ..contacts.models import ContactType
from ..db import session
from . import services

blp = Blueprint(
    "contact-export",
    __name__,
    url_prefix="/contacts",
    description="Exports of contacts (CSV, XLSX)",
)


class ExportArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    format = fields.String(
        load_default="csv",
        validate=validate.OneOf(list(services.FORMATS)),
        metadata={"description": "csv, excel-fr (semicolon, BOM, decimal comma) or xlsx"},
    )
    columns = fields.String(
        load_default=",".join(services.DEFAULT_COLUMNS),
        metadata={"description": "column names, comma separated (see the export page)"},
    )
    group = fields.Integer(load_default=None, metadata={"description": "a group's members"})
    q = fields.String(load_default=None, metadata={"description": "quick search"})
    contact_type = fields.String(
        load_default=None, validate=validate.OneOf([t.value for t in ContactType])
    )


@blp.route("/export")
class ContactExport(MethodView):
    @permission_required("export_contacts")
    @blp.arguments(ExportArgs, location="query")
    @blp.doc(
        responses={
            "200": {
                "description": "The file",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    services.FORMATS["xlsx"][0]: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    )
    def get(self, args):
        """The contacts of a search (the criteria of GET /contacts) or of a group, with the
        ``columns`` asked for, as a file streamed row by row; 422 names an unknown column."""
        s = session()
        columns = services.choose_columns(s, args["columns"].split(","))
        query = services.contacts_query(
            s, criteria=criteria_from_args(args, set(ExportArgs().fields)), group_id=args["group"]
        )
        fmt = args["format"]
        return Response(
            stream_with_context(services.export(s, query, columns, fmt)),
            content_type=services.FORMATS[fmt][0],
            headers={
                "Content-Disposition": f'attachment; filename="{services.filename(fmt)}"',
                "Cache-Control": "no-store",
            },
        )
