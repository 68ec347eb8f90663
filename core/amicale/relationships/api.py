"""API: relationship types (``/api/v1/relationship-types``) and relationships
(``/api/v1/relationships``)."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from ..accounts.permissions import permission_required
from ..api.pagination import page_of
from ..db import session
from . import services
from .schemas import (
    RelationshipCreateSchema,
    RelationshipListArgs,
    RelationshipPageSchema,
    RelationshipPatchSchema,
    RelationshipSchema,
    RelationshipTypeListArgs,
    RelationshipTypePageSchema,
    RelationshipTypePatchSchema,
    RelationshipTypeSchema,
)

types_blp = Blueprint(
    "relationship-types",
    __name__,
    url_prefix="/relationship-types",
    description="Kinds of relationship, each with a label for both directions",
)
blp = Blueprint(
    "relationships",
    __name__,
    url_prefix="/relationships",
    description="Relationships between two contacts (A is label_a_b of B)",
)


@types_blp.route("")
class RelationshipTypes(MethodView):
    @permission_required("view_contacts")
    @types_blp.arguments(RelationshipTypeListArgs, location="query")
    @types_blp.response(200, RelationshipTypePageSchema)
    def get(self, args: dict):
        """Relationship types, by label."""
        items = services.list_relationship_types(session(), is_active=args["is_active"])
        return page_of(items, args)

    @permission_required("administer_settings")
    @types_blp.arguments(RelationshipTypeSchema)
    @types_blp.response(201, RelationshipTypeSchema)
    def post(self, data: dict):
        """Create a relationship type."""
        s = session()
        rtype = services.create_relationship_type(s, data)
        s.commit()
        return rtype


@types_blp.route("/<int:type_id>")
class RelationshipTypeResource(MethodView):
    @permission_required("view_contacts")
    @types_blp.response(200, RelationshipTypeSchema)
    def get(self, type_id: int):
        """One relationship type."""
        return services.get_relationship_type(session(), type_id)

    @permission_required("administer_settings")
    @types_blp.arguments(RelationshipTypePatchSchema)
    @types_blp.response(200, RelationshipTypeSchema)
    def patch(self, data: dict, type_id: int):
        """Change the labels, description or ``is_active`` of a type."""
        s = session()
        rtype = services.update_relationship_type(s, type_id, data)
        s.commit()
        return rtype

    @permission_required("administer_settings")
    @types_blp.response(204)
    def delete(self, type_id: int):
        """Delete a type of the admin's that no relationship uses (built-in ones: 422)."""
        s = session()
        services.delete_relationship_type(s, type_id)
        s.commit()


@blp.route("")
class Relationships(MethodView):
    @permission_required("view_contacts")
    @blp.arguments(RelationshipListArgs, location="query")
    @blp.response(200, RelationshipPageSchema)
    def get(self, args: dict):
        """Relationships, newest first; ``contact_id`` finds them on either side."""
        s = session()
        rows, total = services.list_relationships(
            s,
            contact_id=args["contact_id"],
            relationship_type=args["relationship_type"],
            relationship_type_id=args["relationship_type_id"],
            is_active=args["is_active"],
            page=args["page"],
            page_size=args["page_size"],
        )
        return {
            "items": services.represent(s, rows),
            "total": total,
            "page": args["page"],
            "page_size": args["page_size"],
        }

    @permission_required("edit_contacts")
    @blp.arguments(RelationshipCreateSchema)
    @blp.response(201, RelationshipSchema)
    def post(self, data: dict):
        """Create a relationship: contact A is ``label_a_b`` of contact B."""
        s = session()
        rel = services.create_relationship(s, data, user_id=current_user.id)
        s.commit()
        return services.represent(s, [rel])[0]


@blp.route("/<int:relationship_id>")
class RelationshipResource(MethodView):
    @permission_required("view_contacts")
    @blp.response(200, RelationshipSchema)
    def get(self, relationship_id: int):
        """One relationship."""
        s = session()
        return services.represent(s, [services.get_relationship(s, relationship_id)])[0]

    @permission_required("edit_contacts")
    @blp.arguments(RelationshipPatchSchema)
    @blp.response(200, RelationshipSchema)
    def patch(self, data: dict, relationship_id: int):
        """Change the dates, ``is_active`` or description."""
        s = session()
        rel = services.update_relationship(s, relationship_id, data, user_id=current_user.id)
        s.commit()
        return services.represent(s, [rel])[0]

    @permission_required("edit_contacts")
    @blp.response(204)
    def delete(self, relationship_id: int):
        """Delete a relationship."""
        s = session()
        services.delete_relationship(s, relationship_id, user_id=current_user.id)
        s.commit()
