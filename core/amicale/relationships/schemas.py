"""What a valid relationship type and relationship are, for the API and the forms alike."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate, validates_schema
from marshmallow_sqlalchemy import SQLAlchemyAutoSchema

from ..api.pagination import LongPageArgs, PageArgs, page_schema
from ..contacts.models import ContactType
from .models import RelationshipType

CONTACT_TYPES = [t.value for t in ContactType]
NAME_RULE = validate.Regexp(
    r"^[a-z][a-z0-9_]{0,63}$", error=_l("Use lower-case letters, digits and underscores.")
)


class RelationshipTypeSchema(SQLAlchemyAutoSchema):
    """A relationship type as shown, and as given to create one."""

    class Meta:
        model = RelationshipType
        unknown = EXCLUDE
        dump_only = ("id", "is_reserved")

    name = fields.String(required=True, validate=NAME_RULE)
    label_a_b = fields.String(required=True, validate=validate.Length(min=1, max=120))
    label_b_a = fields.String(required=True, validate=validate.Length(min=1, max=120))
    contact_type_a = fields.String(load_default=None, validate=validate.OneOf(CONTACT_TYPES))
    contact_type_b = fields.String(load_default=None, validate=validate.OneOf(CONTACT_TYPES))
    description = fields.String(load_default=None, validate=validate.Length(max=500))
    is_active = fields.Boolean(load_default=True)


class RelationshipTypePatchSchema(Schema):
    """What can change on a type: its labels, description and whether it is offered."""

    class Meta:
        unknown = RAISE

    label_a_b = fields.String(validate=validate.Length(min=1, max=120))
    label_b_a = fields.String(validate=validate.Length(min=1, max=120))
    description = fields.String(allow_none=True, validate=validate.Length(max=500))
    is_active = fields.Boolean()


class RelationshipTypeListArgs(LongPageArgs):
    class Meta:
        unknown = EXCLUDE

    is_active = fields.Boolean(load_default=None)


RelationshipTypePageSchema = page_schema("RelationshipTypePageSchema", RelationshipTypeSchema)


class RelationshipDatesSchema(Schema):
    """When a relationship holds, and a note (what the contact page's forms ask)."""

    class Meta:
        unknown = EXCLUDE

    start_date = fields.Date(load_default=None)
    end_date = fields.Date(load_default=None)
    description = fields.String(load_default=None, validate=validate.Length(max=500))


class RelationshipCreateSchema(RelationshipDatesSchema):
    """A new relationship: contact A is ``label_a_b`` of contact B. The type is given by id
    (``relationship_type_id``) or by name (``relationship_type``)."""

    contact_id_a = fields.Integer(required=True)
    contact_id_b = fields.Integer(required=True)
    relationship_type_id = fields.Integer(load_default=None)
    relationship_type = fields.String(load_default=None)
    is_active = fields.Boolean(load_default=True)

    @validates_schema
    def _type_given(self, data, **kwargs):
        if data.get("relationship_type_id") is None and not data.get("relationship_type"):
            raise ValidationError(
                _("Give the relationship type (its id or its name)."), "relationship_type_id"
            )


class RelationshipPatchSchema(Schema):
    """What can change on a relationship (to change its contacts or type, delete it and add
    another)."""

    class Meta:
        unknown = RAISE

    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    is_active = fields.Boolean()
    description = fields.String(allow_none=True, validate=validate.Length(max=500))


class RelationshipSchema(Schema):
    """A relationship as shown: ``is_active`` is false once its end date is past."""

    id = fields.Integer(dump_only=True)
    contact_id_a = fields.Integer(dump_only=True)
    contact_id_b = fields.Integer(dump_only=True)
    relationship_type_id = fields.Integer(dump_only=True)
    relationship_type = fields.String(dump_only=True)
    label_a_b = fields.String(dump_only=True)
    label_b_a = fields.String(dump_only=True)
    start_date = fields.Date(dump_only=True, allow_none=True)
    end_date = fields.Date(dump_only=True, allow_none=True)
    is_active = fields.Boolean(dump_only=True)
    description = fields.String(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class RelationshipListArgs(PageArgs):
    class Meta:
        unknown = EXCLUDE

    contact_id = fields.Integer(
        load_default=None, metadata={"description": "relationships of this contact, on either side"}
    )
    relationship_type = fields.String(load_default=None, metadata={"description": "type name"})
    relationship_type_id = fields.Integer(load_default=None)
    is_active = fields.Boolean(
        load_default=None, metadata={"description": "true: active and not ended"}
    )


RelationshipPageSchema = page_schema("RelationshipPageSchema", RelationshipSchema)
