"""What a valid duplicate rule, pair exception and merge request are (forms and API alike)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..api.pagination import PageArgs
from ..contacts.models import ContactType
from .models import DEFAULT_CUTOFF, MATCHES, RULE_FIELDS


class RuleFieldSchema(Schema):
    field = fields.String(required=True, validate=validate.OneOf(RULE_FIELDS))
    match = fields.String(load_default="exact", validate=validate.OneOf(MATCHES))
    weight = fields.Integer(load_default=10, validate=validate.Range(min=1, max=1000))
    cutoff = fields.Integer(load_default=DEFAULT_CUTOFF, validate=validate.Range(min=50, max=100))


class RuleSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    contact_type = fields.String(
        load_default=ContactType.INDIVIDUAL.value,
        validate=validate.OneOf([t.value for t in ContactType]),
    )
    threshold = fields.Integer(required=True, validate=validate.Range(min=1, max=100_000))
    is_default = fields.Boolean(load_default=False)
    is_reserved = fields.Boolean(dump_only=True)
    rule_fields = fields.List(fields.Nested(RuleFieldSchema), required=True, data_key="fields")


class PairContactSchema(Schema):
    id = fields.Integer()
    display_name = fields.String()


class PairSchema(Schema):
    contact_a = fields.Nested(PairContactSchema)
    contact_b = fields.Nested(PairContactSchema)
    score = fields.Integer()
    matched = fields.List(fields.String(), metadata={"description": "fields that matched"})
    conflicts = fields.List(
        fields.String(), metadata={"description": "fields where both have different values"}
    )


class DuplicatesArgs(PageArgs):
    rule = fields.Integer(
        load_default=None, metadata={"description": "rule id (the default rule if missing)"}
    )
    group = fields.Integer(load_default=None, metadata={"description": "only members of a group"})


class ExceptionSchema(Schema):
    contact_id_a = fields.Integer(required=True)
    contact_id_b = fields.Integer(required=True)


class MergeSchema(Schema):
    loser_id = fields.Integer(required=True)
    choices = fields.Dict(
        keys=fields.String(),
        load_default=dict,
        metadata={
            "description": (
                'Per field of the contact, "winner" (default) or "loser"; '
                '"custom.<name>" the same for a custom field; "emails", "phones", '
                '"addresses", "websites": the ids of the loser\'s records to keep (all by '
                "default)."
            )
        },
    )
