"""API representation of users."""

from __future__ import annotations

from marshmallow import Schema, fields


class MeSchema(Schema):
    id = fields.Integer(dump_only=True)
    email = fields.Email(dump_only=True)
    contact_id = fields.Integer(dump_only=True, allow_none=True)
    locale = fields.String(dump_only=True, allow_none=True)
    roles = fields.List(fields.String(), dump_only=True)
    permissions = fields.List(
        fields.String(),
        dump_only=True,
        metadata={"description": "null for administrators: every permission"},
        allow_none=True,
    )
