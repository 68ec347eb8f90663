"""API: /api/v1/imports (upload a file, configure its mapping, dry run, run, undo, rejected rows),
/api/v1/import-mappings (the saved mappings) and /api/v1/import-fields (what a column can be
mapped to). The same steps as the import pages, through the same services."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, request, stream_with_context
from flask.views import MethodView
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import ValidationError as SchemaError
from sqlalchemy import func, select

from ..accounts.permissions import permission_required
from ..api.pagination import page_of
from ..db import session
from ..errors import NotFound, ValidationError
from . import services
from .models import ImportJob
from .schemas import (
    FieldListArgs,
    ImportConfigureSchema,
    ImportDetailSchema,
    ImportFieldPage,
    ImportListArgs,
    ImportMappingPage,
    ImportPage,
    ImportSchema,
    MappingListArgs,
    RejectedArgs,
    flat_errors,
)

imports_blp = Blueprint(
    "imports",
    __name__,
    url_prefix="/imports",
    description="Imports of contacts and records from CSV and XLSX files",
)
mappings_blp = Blueprint(
    "import-mappings",
    __name__,
    url_prefix="/import-mappings",
    description="Saved mappings of import files",
)
fields_blp = Blueprint(
    "import-fields",
    __name__,
    url_prefix="/import-fields",
    description="The fields an import file's column can be mapped to",
)

UPLOAD = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "target": {
                        "type": "string",
                        "default": "contacts",
                        "description": "what the rows are: contacts, or an import target",
                    },
                },
            }
        }
    },
}


def _detail(job: ImportJob) -> dict[str, Any]:
    """The import with its file's headers and first rows."""
    shown = {name: getattr(job, name) for name in ImportSchema().fields}
    shown["headers"], shown["sample"] = services.headers_and_sample(job)
    return shown


def _configuration() -> dict[str, Any]:
    """The PATCH body, its types checked (the rules are ``services.configure``'s)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError(str(_l("The body must be a JSON object.")), field="json")
    try:
        return ImportConfigureSchema().load(data)
    except SchemaError as exc:
        raise ValidationError(
            str(_l("Some fields are not valid.")), errors=flat_errors(exc.messages)
        ) from exc


@imports_blp.route("")
class Imports(MethodView):
    @permission_required("import_contacts")
    @imports_blp.arguments(ImportListArgs, location="query")
    @imports_blp.response(200, ImportPage)
    def get(self, args):
        """Every import, newest first."""
        s = session()
        page, size = args["page"], args["page_size"]
        total = s.execute(select(func.count()).select_from(ImportJob)).scalar_one()
        jobs = s.execute(
            select(ImportJob).order_by(ImportJob.id.desc()).limit(size).offset((page - 1) * size)
        ).scalars()
        return {"items": list(jobs), "total": total, "page": page, "page_size": size}

    @permission_required("import_contacts")
    @imports_blp.doc(requestBody=UPLOAD)
    @imports_blp.response(201, ImportDetailSchema)
    def post(self):
        """Upload a CSV or XLSX ``file`` (a form's): it is stored, its dialect detected and a
        mapping guessed. The answer has the file's ``headers`` and first rows (``sample``) to
        build the mapping from; 422 (``errors.file``) for a missing, empty or unreadable file."""
        upload = request.files.get("file")
        s = session()
        job = services.start(
            s,
            upload.stream if upload else None,
            (upload.filename or "") if upload else "",
            target=request.form.get("target") or "contacts",
            user_id=current_user.id,
        )
        s.commit()
        return _detail(job)


@imports_blp.route("/<int:import_id>")
class ImportResource(MethodView):
    @permission_required("import_contacts")
    @imports_blp.response(200, ImportDetailSchema)
    def get(self, import_id: int):
        """One import, with its file's headers and first rows."""
        return _detail(services.get_job(session(), import_id))

    @permission_required("import_contacts")
    @imports_blp.doc(
        requestBody={
            "required": True,
            "content": {"application/json": {"schema": ImportConfigureSchema}},
        }
    )
    @imports_blp.response(200, ImportSchema)
    def patch(self, import_id: int):
        """Configure an import not yet run: dialect, ``mapping`` (``[{column, field, values}]``,
        fields from /import-fields), duplicate rule, what to do with a duplicate, kind of
        contact, groups and tags. Every problem answers at once as a 422 whose ``errors`` are
        keyed like ``mapping.0.field``."""
        data = _configuration()
        s = session()
        job = services.get_job(s, import_id)
        mapping_name = data.pop("mapping_name", None)
        if mapping_name:
            try:
                services.find_mapping(s, mapping_name)
            except NotFound as exc:
                raise ValidationError(exc.message, field="mapping_name") from exc
            job = services.apply_mapping(s, import_id, mapping_name)
        if data or not mapping_name:
            job = services.configure(s, import_id, data)
        s.commit()
        return job


@imports_blp.route("/<int:import_id>/dry-run")
class ImportDryRun(MethodView):
    @permission_required("import_contacts")
    @imports_blp.response(200, ImportSchema)
    def post(self, import_id: int):
        """Try the import: nothing is written; its ``dry_run`` tells how many rows would be
        created, updated, skipped or rejected, and what becomes of the first rows."""
        return services.run(session(), import_id, dry_run=True)


@imports_blp.route("/<int:import_id>/run")
class ImportRun(MethodView):
    @permission_required("import_contacts")
    @imports_blp.response(202, ImportSchema)
    def post(self, import_id: int):
        """Start (or resume) the import in the background: follow its ``status`` and
        ``rows_done`` with GET. 422 when it is finished, running or has no mapping."""
        return services.queue(session(), import_id)


@imports_blp.route("/<int:import_id>/undo")
class ImportUndo(MethodView):
    @permission_required("import_contacts")
    @imports_blp.response(200, ImportSchema)
    def post(self, import_id: int):
        """Undo a contact import: the contacts it created are deleted, those it updated get
        their former values back."""
        return services.undo(session(), import_id, user_id=current_user.id)


@imports_blp.route("/<int:import_id>/rejected")
class ImportRejected(MethodView):
    @permission_required("import_contacts")
    @imports_blp.arguments(RejectedArgs, location="query")
    @imports_blp.response(200, {"type": "string"}, content_type="text/csv")
    def get(self, args, import_id: int):
        """The rejected rows as a CSV in the file's own dialect, with the reason and the row's
        number added: fix them and import that file again. ``dry=1``: those of the last dry
        run."""
        s = session()
        job = services.get_job(s, import_id)
        name = f"{job.file_name.rsplit('.', 1)[0]}-{_('rejected')}.csv"
        return Response(
            stream_with_context(services.rejects_csv(s, job.id, dry=args["dry"])),
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
        )


@mappings_blp.route("")
class ImportMappings(MethodView):
    @permission_required("import_contacts")
    @mappings_blp.arguments(MappingListArgs, location="query")
    @mappings_blp.response(200, ImportMappingPage)
    def get(self, args):
        """The saved mappings by name (``target``: only those of one kind of import); give a
        name as ``mapping_name`` when configuring an import."""
        return page_of(services.list_mappings(session(), args["target"]), args)


@fields_blp.route("")
class ImportFields(MethodView):
    @permission_required("import_contacts")
    @fields_blp.arguments(FieldListArgs, location="query")
    @fields_blp.response(200, ImportFieldPage)
    def get(self, args):
        """The fields a column of a ``target`` import (contacts by default) can be mapped to:
        their ``key`` is a mapping's ``field``. 422 for an unknown target."""
        fields = services.target_fields(session(), args["target"])
        items = [{"key": k, "label": label, "section": sec} for k, label, sec in fields]
        return page_of(items, args)
