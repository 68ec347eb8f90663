"""What a valid tag and a valid tagging are, for the API and the forms alike."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, RAISE, Schema, fields, validate
from marshmallow_sqlalchemy import SQLAlchemyAutoSchema

from ..api.pagination import LongPageArgs, page_schema
from .models import USED_FOR, Tag

COLOR_RULE = validate.Regexp(r"^#[0-9a-fA-F]{6}$", error=_l("Give the colour as #rrggbb."))


class TagSchema(SQLAlchemyAutoSchema):
    """A tag as shown, and as given to create one."""

    class Meta:
        model = Tag
        unknown = EXCLUDE
        include_fk = True
        dump_only = ("id",)

    name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    description = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=255)
    )
    parent_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    is_selectable = fields.Boolean(load_default=True)
    color = fields.String(load_default=None, allow_none=True, validate=COLOR_RULE)
    used_for = fields.String(load_default="contact", validate=validate.OneOf(USED_FOR))


class TagPatchSchema(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(validate=validate.Length(min=1, max=64))
    description = fields.String(allow_none=True, validate=validate.Length(max=255))
    parent_id = fields.Integer(allow_none=True, strict=True)
    is_selectable = fields.Boolean()
    color = fields.String(allow_none=True, validate=COLOR_RULE)
    used_for = fields.String(validate=validate.OneOf(USED_FOR))


class TagListArgs(LongPageArgs):
    class Meta:
        unknown = EXCLUDE

    used_for = fields.String(load_default=None, validate=validate.OneOf(USED_FOR))


TagPageSchema = page_schema("TagPageSchema", TagSchema)


class EntityTagSchema(Schema):
    """A tag on a contact."""

    id = fields.Integer(dump_only=True)
    contact_id = fields.Integer(required=True, strict=True)
    tag_id = fields.Integer(required=True, strict=True)
    tag_name = fields.String(dump_only=True)
    entity_table = fields.String(dump_only=True)
    entity_id = fields.Integer(dump_only=True)

    class Meta:
        unknown = RAISE


class EntityTagListArgs(LongPageArgs):
    class Meta:
        unknown = EXCLUDE

    contact_id = fields.Integer(load_default=None)
    tag_id = fields.Integer(load_default=None)


EntityTagPageSchema = page_schema("EntityTagPageSchema", EntityTagSchema)
