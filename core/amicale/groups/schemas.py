"""What a valid group and a valid change of members are, for the API and the forms alike."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, RAISE, Schema, fields, validate
from marshmallow_sqlalchemy import SQLAlchemyAutoSchema

from ..api.pagination import PageArgs, page_schema
from .models import GROUP_TYPES, METHODS, VISIBILITIES, Group

NAME_RULE = validate.Regexp(
    r"^[a-z][a-z0-9_]{0,63}$",
    error=_l("Use lower-case letters, digits and underscores, starting with a letter."),
)
MAX_CONTACTS = 10_000  # per request; a larger set goes through a search, not a list of ids


class GroupSchema(SQLAlchemyAutoSchema):
    """A group as shown, and as given to create one (``name`` is made from the title when
    left out; ``criteria`` is the saved search of a smart group)."""

    class Meta:
        model = Group
        unknown = EXCLUDE
        include_fk = True
        dump_only = ("id", "created_by", "created_at")

    name = fields.String(load_default=None, validate=NAME_RULE)
    title = fields.String(required=True, validate=validate.Length(min=1, max=255))
    description = fields.String(load_default=None, allow_none=True)
    group_type = fields.String(load_default="static", validate=validate.OneOf(GROUP_TYPES))
    criteria = fields.Dict(keys=fields.String(), load_default=None, allow_none=True)
    is_mailing_list = fields.Boolean(load_default=False)
    is_active = fields.Boolean(load_default=True)
    visibility = fields.String(load_default=VISIBILITIES[0], validate=validate.OneOf(VISIBILITIES))
    member_count = fields.Integer(dump_only=True, allow_none=True)


class GroupPatchSchema(Schema):
    """What can change on a group (not its kind: static or smart)."""

    class Meta:
        unknown = RAISE

    name = fields.String(validate=NAME_RULE)
    title = fields.String(validate=validate.Length(min=1, max=255))
    description = fields.String(allow_none=True)
    criteria = fields.Dict(keys=fields.String(), allow_none=True)
    is_mailing_list = fields.Boolean()
    is_active = fields.Boolean()
    visibility = fields.String(validate=validate.OneOf(VISIBILITIES))


class GroupListArgs(PageArgs):
    class Meta:
        unknown = EXCLUDE

    q = fields.String(load_default=None)
    group_type = fields.String(load_default=None, validate=validate.OneOf(GROUP_TYPES))
    is_mailing_list = fields.Boolean(load_default=None)
    is_active = fields.Boolean(load_default=None)


GroupPageSchema = page_schema("GroupPageSchema", GroupSchema)


class MemberChangeSchema(Schema):
    """Contacts to add to or remove from a group, by number; ``tracking`` says where the
    consent came from (a form, an IP address)."""

    class Meta:
        unknown = RAISE

    contact_ids = fields.List(
        fields.Integer(strict=True),
        required=True,
        validate=validate.Length(min=1, max=MAX_CONTACTS),
    )
    method = fields.String(load_default="API", validate=validate.OneOf(METHODS))
    tracking = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=255))


class MemberChangeResultSchema(Schema):
    changed = fields.Integer(metadata={"description": "contacts whose status changed"})
    member_count = fields.Integer()


class MemberSchema(Schema):
    id = fields.Integer()
    display_name = fields.String()
    sort_name = fields.String()
    contact_type = fields.String()


class MemberListArgs(PageArgs):
    class Meta:
        unknown = EXCLUDE


MemberPageSchema = page_schema("MemberPageSchema", MemberSchema)
