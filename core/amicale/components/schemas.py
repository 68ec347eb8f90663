"""API representation of components."""

from __future__ import annotations

from marshmallow import Schema, fields


class ComponentSchema(Schema):
    name = fields.String(dump_only=True)
    label = fields.String(dump_only=True)
    version = fields.String(dump_only=True)
    description = fields.String(dump_only=True)
    requires = fields.List(fields.String(), dump_only=True)
    optional = fields.List(fields.String(), dump_only=True)
    enabled = fields.Boolean(dump_only=True)
    installed_version = fields.String(dump_only=True, allow_none=True)
    error = fields.String(dump_only=True, allow_none=True)


class ComponentPatchSchema(Schema):
    enabled = fields.Boolean(required=True)
