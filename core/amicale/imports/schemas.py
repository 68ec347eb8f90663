"""What an import looks like in the API (its file, dialect, options, counts, dry-run report) and
what a client may send to configure one; the rules themselves are ``services.configure``'s."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

from ..api.pagination import MAX_PAGE_SIZE, LongPageArgs, PageArgs, page_schema


class DialectSchema(Schema):
    """How the file is read. ``format`` (csv or xlsx) is found from the file and cannot change."""

    class Meta:
        unknown = RAISE

    format = fields.String(dump_only=True)
    encoding = fields.String(metadata={"description": "CSV only: utf-8, utf-8-sig, cp1252..."})
    delimiter = fields.String(metadata={"description": "CSV only: ; , tab or |"})
    date_format = fields.String(metadata={"description": "dd/mm/yyyy, yyyy-mm-dd..."})
    decimal = fields.String(metadata={"description": "the decimal separator: , or ."})
    has_header = fields.Boolean()


class MappingItemSchema(Schema):
    """A column (by its position from 0) mapped to a field (a key of /import-fields);
    ``values`` maps the file's values to the field's (``{"oui": "1"}``)."""

    class Meta:
        unknown = RAISE

    column = fields.Integer(required=True)
    header = fields.String(metadata={"description": "the column's header (set by the server)"})
    field = fields.String(required=True, allow_none=True)
    values = fields.Dict(keys=fields.String(), values=fields.String())


class ImportOptionsSchema(Schema):
    mapping = fields.List(fields.Nested(MappingItemSchema))
    rule_id = fields.Integer(
        allow_none=True, metadata={"description": "the duplicate rule (none: no matching)"}
    )
    on_duplicate = fields.String(metadata={"description": "skip, update, fill or create"})
    contact_type = fields.String(metadata={"description": "Individual, Household, Organization"})
    groups = fields.List(fields.Integer(), metadata={"description": "groups to add each row to"})
    tags = fields.List(fields.Integer(), metadata={"description": "tags to give each row"})


class RowOutcomeSchema(Schema):
    row = fields.Integer(metadata={"description": "the row's number as a spreadsheet shows it"})
    action = fields.String(metadata={"description": "created, updated, skipped or rejected"})
    reason = fields.String()


class DryRunSchema(Schema):
    """What the last dry run found: counts, and the outcomes of the first rows."""

    created = fields.Integer()
    updated = fields.Integer()
    skipped = fields.Integer()
    rejected = fields.Integer()
    rows = fields.List(fields.Nested(RowOutcomeSchema))
    at = fields.String(metadata={"description": "when it ran (ISO 8601, UTC)"})


class ImportSchema(Schema):
    """An import: its file, how it is read and mapped, where it stands and its counts."""

    id = fields.Integer()
    target = fields.String(metadata={"description": "contacts, or a key of an import target"})
    file_name = fields.String()
    file_hash = fields.String(metadata={"description": "SHA-256 of the file's bytes"})
    file_size = fields.Integer()
    dialect = fields.Nested(DialectSchema)
    options = fields.Nested(ImportOptionsSchema)
    status = fields.String(metadata={"description": "ready, queued, running, done, failed, undone"})
    total_rows = fields.Integer()
    rows_done = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    skipped = fields.Integer()
    rejected = fields.Integer()
    group_id = fields.Integer(
        allow_none=True, metadata={"description": "the group of the contacts it created or updated"}
    )
    dry_run = fields.Nested(DryRunSchema, allow_none=True)
    error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)


class ImportDetailSchema(ImportSchema):
    """An import with its file's headers and first rows, to build a mapping from."""

    headers = fields.List(fields.String())
    sample = fields.List(
        fields.List(fields.String(allow_none=True)),
        metadata={"description": "the first rows of data, as read"},
    )


class ImportConfigureSchema(Schema):
    """The changes to an import not yet run (every key optional): ``mapping_name`` applies a
    saved mapping first; ``save_as`` saves the result under that name."""

    class Meta:
        unknown = RAISE

    mapping_name = fields.String(metadata={"description": "a saved mapping's name or id"})
    dialect = fields.Nested(DialectSchema)
    mapping = fields.List(fields.Nested(MappingItemSchema))
    rule_id = fields.Integer(allow_none=True)
    on_duplicate = fields.String()
    contact_type = fields.String()
    groups = fields.List(fields.Integer())
    tags = fields.List(fields.Integer())
    save_as = fields.String(allow_none=True)


class ImportMappingSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    target = fields.String()
    mapping = fields.List(fields.Nested(MappingItemSchema))
    options = fields.Dict(metadata={"description": "the options saved with it"})
    created_at = fields.DateTime()


class ImportFieldSchema(Schema):
    key = fields.String(metadata={"description": "what to give as a mapping's ``field``"})
    label = fields.String()
    section = fields.String()


class ImportListArgs(PageArgs):
    class Meta:
        unknown = EXCLUDE


class MappingListArgs(LongPageArgs):
    class Meta:
        unknown = EXCLUDE

    target = fields.String(load_default=None, metadata={"description": "only this kind"})


class FieldListArgs(LongPageArgs):
    class Meta:
        unknown = EXCLUDE

    target = fields.String(load_default="contacts")
    page_size = fields.Integer(
        load_default=MAX_PAGE_SIZE, validate=validate.Range(min=1, max=MAX_PAGE_SIZE)
    )


class RejectedArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    dry = fields.Boolean(
        load_default=False, metadata={"description": "the rows rejected by the last dry run"}
    )


ImportPage = page_schema("ImportPage", ImportSchema)
ImportMappingPage = page_schema("ImportMappingPage", ImportMappingSchema)
ImportFieldPage = page_schema("ImportFieldPage", ImportFieldSchema)


def flat_errors(errors: dict[Any, Any], prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested errors as the dotted keys ``services.configure`` uses
    (``mapping.0.field``), so that a client reads one shape."""
    out: dict[str, list[str]] = {}
    for key, value in errors.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flat_errors(value, f"{name}."))
        else:
            out[name] = [str(v) for v in value]
    return out
