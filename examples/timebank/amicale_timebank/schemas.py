"""What a valid item is, for the edit form and the API alike: derived from the model, with by
hand only what differs."""

from __future__ import annotations

from marshmallow import EXCLUDE, fields, pre_load, validate
from marshmallow_sqlalchemy import SQLAlchemyAutoSchema

from amicale.api_for_plugins import PageArgs, page_schema

from .models import TimebankItem


class TimebankItemSchema(SQLAlchemyAutoSchema):
    class Meta:
        model = TimebankItem
        include_fk = True
        unknown = EXCLUDE

    id = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    contact_id = fields.Integer(required=True, validate=validate.Range(min=1))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    details = fields.String(allow_none=True, load_default=None)

    @pre_load
    def _strip(self, data, **_kw):
        """Form fields come as text: trim them, and an empty optional field means none."""
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for key in ("title", "details"):
            if isinstance(out.get(key), str):
                out[key] = out[key].strip()
        if out.get("details") == "":
            out["details"] = None
        return out


class TimebankItemPatchSchema(TimebankItemSchema):
    """The same fields, each optional (PATCH): use it as ``TimebankItemPatchSchema(partial=True)``."""


class TimebankItemListArgs(PageArgs):
    contact_id = fields.Integer(load_default=None, metadata={"description": "Only this contact's"})


TimebankItemPage = page_schema("TimebankItemPage", TimebankItemSchema)
