"""The REST resource of Timebank: /api/v1/timebank/items (flask-smorest, in the OpenAPI
document while the component is enabled)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from amicale.api_for_plugins import permission_required, session

from . import services
from .schemas import (
    TimebankItemListArgs,
    TimebankItemPage,
    TimebankItemPatchSchema,
    TimebankItemSchema,
)

api = Blueprint("timebank", __name__, url_prefix="/timebank", description="Items of Timebank")


@api.route("/items")
class Items(MethodView):
    @permission_required("timebank.view")
    @api.arguments(TimebankItemListArgs, location="query")
    @api.response(200, TimebankItemPage)
    def get(self, args):
        """List items (newest first), optionally of one contact."""
        rows, total = services.list_items(
            session(),
            contact_id=args["contact_id"],
            page=args["page"],
            page_size=args["page_size"],
        )
        items = [item for item, _name in rows]
        return {
            "items": items,
            "total": total,
            "page": args["page"],
            "page_size": args["page_size"],
        }

    @permission_required("timebank.edit")
    @api.arguments(TimebankItemSchema)
    @api.response(201, TimebankItemSchema)
    def post(self, data):
        """Create an item."""
        s = session()
        item = services.create_item(s, data)
        s.commit()
        return item


@api.route("/items/<int:item_id>")
class Item(MethodView):
    @permission_required("timebank.view")
    @api.response(200, TimebankItemSchema)
    def get(self, item_id: int):
        """One item."""
        return services.get_item(session(), item_id)

    @permission_required("timebank.edit")
    @api.arguments(TimebankItemPatchSchema(partial=True))
    @api.response(200, TimebankItemSchema)
    def patch(self, data, item_id: int):
        """Change some fields of an item."""
        s = session()
        item = services.update_item(s, item_id, data)
        s.commit()
        return item

    @permission_required("timebank.edit")
    @api.response(204)
    def delete(self, item_id: int):
        """Delete an item."""
        s = session()
        services.delete_item(s, item_id)
        s.commit()
