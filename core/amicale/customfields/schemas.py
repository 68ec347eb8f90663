"""What a valid set of custom fields and a valid custom field are, for the API and the admin
forms alike (derived from the models; by hand only what differs)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, RAISE, Schema, fields, validate
from marshmallow_sqlalchemy import SQLAlchemyAutoSchema

from ..api.pagination import LongPageArgs, page_schema
from ..contacts.models import ContactType
from .models import DATA_TYPES, TEXT_MAX_LENGTH, CustomField, CustomGroup

CONTACT_TYPES = [t.value for t in ContactType]
NAME_RULE = validate.Regexp(
    r"^[a-z][a-z0-9_]{0,63}$",
    error=_l("Use lower-case letters, digits and underscores, starting with a letter."),
)


class CustomGroupSchema(SQLAlchemyAutoSchema):
    """A set of fields as shown, and as given to create one."""

    class Meta:
        model = CustomGroup
        unknown = EXCLUDE
        dump_only = ("id", "created_at")

    name = fields.String(required=True, validate=NAME_RULE)
    title = fields.String(required=True, validate=validate.Length(min=1, max=120))
    extends = fields.String(
        load_default="contact",
        metadata={"description": "contact, activity, or an entity a component declares"},
    )
    extends_contact_type = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(CONTACT_TYPES)
    )
    extends_subtypes = fields.List(
        fields.String(), load_default=list, metadata={"description": "subtype names; [] = all"}
    )
    is_active = fields.Boolean(load_default=True)
    weight = fields.Integer(load_default=0)
    help_pre = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class CustomGroupPatchSchema(Schema):
    """What can change on a set (its name and the entity it extends stay)."""

    class Meta:
        unknown = RAISE

    title = fields.String(validate=validate.Length(min=1, max=120))
    extends_contact_type = fields.String(allow_none=True, validate=validate.OneOf(CONTACT_TYPES))
    extends_subtypes = fields.List(fields.String())
    is_active = fields.Boolean()
    weight = fields.Integer()
    help_pre = fields.String(allow_none=True, validate=validate.Length(max=1000))


class OptionSchema(Schema):
    class Meta:
        unknown = RAISE

    value = fields.String(required=True, validate=validate.Length(min=1, max=TEXT_MAX_LENGTH))
    label = fields.String(load_default=None, validate=validate.Length(max=TEXT_MAX_LENGTH))


class CustomFieldSchema(SQLAlchemyAutoSchema):
    """A field as shown, and as given to create one; ``name`` is its key in ``custom``."""

    class Meta:
        model = CustomField
        unknown = EXCLUDE
        include_fk = True
        dump_only = ("id",)

    custom_group_id = fields.Integer(required=True)
    name = fields.String(required=True, validate=NAME_RULE)
    label = fields.String(required=True, validate=validate.Length(min=1, max=120))
    data_type = fields.String(required=True, validate=validate.OneOf(DATA_TYPES))
    is_required = fields.Boolean(load_default=False)
    is_searchable = fields.Boolean(load_default=False)
    is_active = fields.Boolean(load_default=True)
    weight = fields.Integer(load_default=0)
    help_text = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=1000)
    )
    default_value = fields.Raw(
        load_default=None, allow_none=True, metadata={"description": "checked like a value"}
    )
    max_length = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=TEXT_MAX_LENGTH)
    )
    options = fields.List(
        fields.Nested(OptionSchema),
        load_default=None,
        allow_none=True,
        metadata={"description": "select and multiselect: [{value, label}] in display order"},
    )


class CustomFieldPatchSchema(Schema):
    """What can change on a field (its name stays; its type only while no record has a value;
    ``options`` replaces the whole list)."""

    class Meta:
        unknown = RAISE

    custom_group_id = fields.Integer()
    label = fields.String(validate=validate.Length(min=1, max=120))
    data_type = fields.String(validate=validate.OneOf(DATA_TYPES))
    is_required = fields.Boolean()
    is_searchable = fields.Boolean()
    is_active = fields.Boolean()
    weight = fields.Integer()
    help_text = fields.String(allow_none=True, validate=validate.Length(max=1000))
    default_value = fields.Raw(allow_none=True)
    max_length = fields.Integer(
        allow_none=True, validate=validate.Range(min=1, max=TEXT_MAX_LENGTH)
    )
    options = fields.List(fields.Nested(OptionSchema), allow_none=True)


class _ListArgs(LongPageArgs):
    class Meta:
        unknown = EXCLUDE

    is_active = fields.Boolean(load_default=None)


class CustomGroupListArgs(_ListArgs):
    extends = fields.String(load_default=None, metadata={"description": "entity name"})


class CustomFieldListArgs(_ListArgs):
    custom_group_id = fields.Integer(load_default=None)


CustomGroupPageSchema = page_schema("CustomGroupPageSchema", CustomGroupSchema)


CustomFieldPageSchema = page_schema("CustomFieldPageSchema", CustomFieldSchema)
