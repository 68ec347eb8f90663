"""What a valid note is, for the API and the forms alike."""

from __future__ import annotations

from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

from ..api.pagination import PageArgs, page_schema
from .models import AUTHOR_ONLY

PRIVACY = validate.OneOf([AUTHOR_ONLY])


class NoteSchema(Schema):
    """A note on a contact as shown, and as given to write one (``privacy``: null, or
    "author only" for a note only its author sees)."""

    class Meta:
        unknown = EXCLUDE

    id = fields.Integer(dump_only=True)
    contact_id = fields.Integer(required=True, strict=True)
    subject = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=255))
    note = fields.String(required=True, validate=validate.Length(min=1, max=65_000))
    privacy = fields.String(load_default=None, allow_none=True, validate=PRIVACY)
    entity_table = fields.String(dump_only=True)
    entity_id = fields.Integer(dump_only=True)
    author_contact_id = fields.Integer(dump_only=True, allow_none=True)
    author_name = fields.String(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    modified_at = fields.DateTime(dump_only=True)


class NotePatchSchema(Schema):
    class Meta:
        unknown = RAISE

    subject = fields.String(allow_none=True, validate=validate.Length(max=255))
    note = fields.String(validate=validate.Length(min=1, max=65_000))
    privacy = fields.String(allow_none=True, validate=PRIVACY)


class NoteListArgs(PageArgs):
    class Meta:
        unknown = EXCLUDE

    contact_id = fields.Integer(load_default=None)


NotePageSchema = page_schema("NotePageSchema", NoteSchema)
