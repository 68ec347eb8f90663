"""API: the definitions of custom data, ``/api/v1/custom-groups`` (sets of fields) and
``/api/v1/custom-fields``. The values themselves travel with their records (``custom``)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from ..accounts.permissions import permission_required
from ..api.pagination import page_of
from ..db import session
from . import services
from .schemas import (
    CustomFieldListArgs,
    CustomFieldPageSchema,
    CustomFieldPatchSchema,
    CustomFieldSchema,
    CustomGroupListArgs,
    CustomGroupPageSchema,
    CustomGroupPatchSchema,
    CustomGroupSchema,
)

groups_blp = Blueprint(
    "custom-groups",
    __name__,
    url_prefix="/custom-groups",
    description="Sets of custom fields, each extending one entity (contacts, activities...)",
)
fields_blp = Blueprint(
    "custom-fields",
    __name__,
    url_prefix="/custom-fields",
    description="Custom fields the admin defines; their name is the key in a record's `custom`",
)


@groups_blp.route("")
class CustomGroups(MethodView):
    @permission_required("view_contacts")
    @groups_blp.arguments(CustomGroupListArgs, location="query")
    @groups_blp.response(200, CustomGroupPageSchema)
    def get(self, args: dict):
        """Sets of custom fields, by weight; filter by ``extends`` and ``is_active``."""
        groups = services.list_groups(
            session(), extends=args["extends"], is_active=args["is_active"]
        )
        return page_of(groups, args)

    @permission_required("administer_settings")
    @groups_blp.arguments(CustomGroupSchema)
    @groups_blp.response(201, CustomGroupSchema)
    def post(self, data: dict):
        """Create a set of custom fields."""
        s = session()
        group = services.create_group(s, data)
        s.commit()
        return group


@groups_blp.route("/<int:group_id>")
class CustomGroupResource(MethodView):
    @permission_required("view_contacts")
    @groups_blp.response(200, CustomGroupSchema)
    def get(self, group_id: int):
        """One set of custom fields."""
        return services.get_group(session(), group_id)

    @permission_required("administer_settings")
    @groups_blp.arguments(CustomGroupPatchSchema)
    @groups_blp.response(200, CustomGroupSchema)
    def patch(self, data: dict, group_id: int):
        """Change a set: title, contact type and subtypes, weight, help, ``is_active``."""
        s = session()
        group = services.update_group(s, group_id, data)
        s.commit()
        return group


@fields_blp.route("")
class CustomFields(MethodView):
    @permission_required("view_contacts")
    @fields_blp.arguments(CustomFieldListArgs, location="query")
    @fields_blp.response(200, CustomFieldPageSchema)
    def get(self, args: dict):
        """Custom fields by set and weight; filter by ``custom_group_id`` and ``is_active``."""
        items = services.list_fields(
            session(), custom_group_id=args["custom_group_id"], is_active=args["is_active"]
        )
        return page_of(items, args)

    @permission_required("administer_settings")
    @fields_blp.arguments(CustomFieldSchema)
    @fields_blp.response(201, CustomFieldSchema)
    def post(self, data: dict):
        """Create a field in a set (options for select and multiselect)."""
        s = session()
        field = services.create_field(s, data)
        s.commit()
        return field


@fields_blp.route("/<int:field_id>")
class CustomFieldResource(MethodView):
    @permission_required("view_contacts")
    @fields_blp.response(200, CustomFieldSchema)
    def get(self, field_id: int):
        """One custom field."""
        return services.get_field(session(), field_id)

    @permission_required("administer_settings")
    @fields_blp.arguments(CustomFieldPatchSchema)
    @fields_blp.response(200, CustomFieldSchema)
    def patch(self, data: dict, field_id: int):
        """Change a field; ``options`` replaces the list (an option in use cannot go)."""
        s = session()
        field = services.update_field(s, field_id, data)
        s.commit()
        return field
