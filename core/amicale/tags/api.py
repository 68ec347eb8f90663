"""API: tags (``/api/v1/tags``, a flat list with ``parent_id``) and tags on contacts
(``/api/v1/entity-tags``)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from ..accounts.permissions import permission_required
from ..api.pagination import page_of
from ..db import session
from . import services
from .schemas import (
    EntityTagListArgs,
    EntityTagPageSchema,
    EntityTagSchema,
    TagListArgs,
    TagPageSchema,
    TagPatchSchema,
    TagSchema,
)

blp = Blueprint(
    "tags",
    __name__,
    url_prefix="/tags",
    description="Tags, a hierarchy (parent_id) the admin defines",
)
entity_blp = Blueprint(
    "entity-tags",
    __name__,
    url_prefix="/entity-tags",
    description="Tags put on contacts",
)


def _shown(et, tag_name: str) -> dict:
    return {
        "id": et.id,
        "contact_id": et.entity_id,
        "tag_id": et.tag_id,
        "tag_name": tag_name,
        "entity_table": et.entity_table,
        "entity_id": et.entity_id,
    }


@blp.route("")
class Tags(MethodView):
    @permission_required("view_contacts")
    @blp.arguments(TagListArgs, location="query")
    @blp.response(200, TagPageSchema)
    def get(self, args: dict):
        """Every tag by name; ``parent_id`` gives the hierarchy."""
        items = services.list_tags(session(), used_for=args["used_for"])
        return page_of(items, args)

    @permission_required("administer_settings")
    @blp.arguments(TagSchema)
    @blp.response(201, TagSchema)
    def post(self, data: dict):
        """Create a tag (under ``parent_id``, if given)."""
        s = session()
        tag = services.create_tag(s, data)
        s.commit()
        return tag


@blp.route("/<int:tag_id>")
class TagResource(MethodView):
    @permission_required("view_contacts")
    @blp.response(200, TagSchema)
    def get(self, tag_id: int):
        """One tag."""
        return services.get_tag(session(), tag_id)

    @permission_required("administer_settings")
    @blp.arguments(TagPatchSchema)
    @blp.response(200, TagSchema)
    def patch(self, data: dict, tag_id: int):
        """Rename, describe or move a tag (``parent_id``: null for the top; no cycles)."""
        s = session()
        tag = services.update_tag(s, tag_id, data)
        s.commit()
        return tag

    @permission_required("administer_settings")
    @blp.response(204)
    def delete(self, tag_id: int):
        """Delete a tag and take it off every contact (422 when it has sub-tags)."""
        s = session()
        services.delete_tag(s, tag_id)
        s.commit()


@entity_blp.route("")
class EntityTags(MethodView):
    @permission_required("view_contacts")
    @entity_blp.arguments(EntityTagListArgs, location="query")
    @entity_blp.response(200, EntityTagPageSchema)
    def get(self, args: dict):
        """Tags on contacts; filter with ``contact_id`` or ``tag_id``."""
        rows, total = services.list_entity_tags(
            session(),
            contact_id=args["contact_id"],
            tag_id=args["tag_id"],
            page=args["page"],
            page_size=args["page_size"],
        )
        return {
            "items": [_shown(et, name) for et, name in rows],
            "total": total,
            "page": args["page"],
            "page_size": args["page_size"],
        }

    @permission_required("edit_contacts")
    @entity_blp.arguments(EntityTagSchema)
    @entity_blp.response(201, EntityTagSchema)
    def post(self, data: dict):
        """Put a tag on a contact: ``{"contact_id": 12, "tag_id": 3}``."""
        s = session()
        et = services.tag_contact(s, data["contact_id"], data["tag_id"])
        s.commit()
        return _shown(et, services.get_tag(s, et.tag_id).name)


@entity_blp.route("/<int:entity_tag_id>")
class EntityTagResource(MethodView):
    @permission_required("view_contacts")
    @entity_blp.response(200, EntityTagSchema)
    def get(self, entity_tag_id: int):
        """One tag on a contact."""
        s = session()
        et = services.get_entity_tag(s, entity_tag_id)
        return _shown(et, services.get_tag(s, et.tag_id).name)

    @permission_required("edit_contacts")
    @entity_blp.response(204)
    def delete(self, entity_tag_id: int):
        """Take the tag off the contact."""
        s = session()
        services.delete_entity_tag(s, entity_tag_id)
        s.commit()
