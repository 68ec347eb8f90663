"""API: /api/v1/contacts (list with the quick and advanced search, get, create, update,
trash, restore) and /api/v1/contact-subtypes."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..accounts.permissions import permission_required
from ..api.pagination import page_schema
from ..db import session
from ..errors import ValidationError
from . import services
from .schemas import ContactListArgs, ContactSchema
from .search import available_filters, search_contacts

blp = Blueprint(
    "contacts",
    __name__,
    url_prefix="/contacts",
    description="Contacts: people, households and organisations",
)
subtypes_blp = Blueprint(
    "contact-subtypes",
    __name__,
    url_prefix="/contact-subtypes",
    description="Subtypes of contacts defined by the admin",
)


ContactPage = page_schema("ContactPage", ContactSchema)


class SubtypeSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True)
    label = fields.String(required=True)
    contact_type = fields.String(required=True)
    is_active = fields.Boolean(dump_only=True)


def criteria_from_args(args: dict, own: set[str] | None = None) -> dict:
    """The search criteria of a request: ``q`` and ``contact_type`` from the loaded ``args``,
    plus any search filter of the query string; ``own`` are the endpoint's other arguments
    (default: those of GET /contacts). An unknown name is refused."""
    criteria = {k: args[k] for k in ("q", "contact_type") if args.get(k)}
    own = set(ContactListArgs().fields) if own is None else own
    known = available_filters()
    for key in request.args:
        if key in own:
            continue
        if key not in known:
            raise ValidationError(f"Unknown filter: {key}", field=key)
        values = request.args.getlist(key)
        criteria[key] = values if known[key].field_type == "multiselect" else values[0]
    return criteria


@blp.route("")
class Contacts(MethodView):
    @permission_required("view_contacts")
    @blp.arguments(ContactListArgs, location="query")
    @blp.response(200, ContactPage)
    def get(self, args):
        """Contacts, paginated; ``q`` is the quick search, and every advanced-search criterion
        (``city``, ``group``, ``tag``, ``custom_<field>``...) is a query parameter."""
        s = session()
        include = args["include_deleted"] or args["only_deleted"]
        criteria = criteria_from_args(args)
        contacts, total = search_contacts(
            s,
            criteria,
            page=args["page"],
            page_size=args["page_size"],
            sort=args["sort"],
            include_deleted=include,
        )
        if args["only_deleted"]:
            contacts = [c for c in contacts if c.is_deleted]
        return {
            "items": services.represent(s, contacts),
            "total": total,
            "page": args["page"],
            "page_size": args["page_size"],
        }

    @permission_required("edit_contacts")
    @blp.doc(
        requestBody={"required": True, "content": {"application/json": {"schema": ContactSchema}}}
    )
    @blp.response(201, ContactSchema)
    def post(self):
        """Create a contact with its emails, phones, addresses, websites and custom values."""
        s = session()
        contact = services.create_contact(s, _json(), user_id=current_user.id)
        s.commit()
        return services.represent(s, [contact])[0]


def _json() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError("The body must be a JSON object.", field="json")
    return data


@blp.route("/<int:contact_id>")
class ContactResource(MethodView):
    @permission_required("view_contacts")
    @blp.response(200, ContactSchema)
    def get(self, contact_id: int):
        """One contact with its details and custom values."""
        s = session()
        return services.represent(s, [services.get_contact(s, contact_id)])[0]

    @permission_required("edit_contacts")
    @blp.doc(
        requestBody={"required": True, "content": {"application/json": {"schema": ContactSchema}}}
    )
    @blp.response(200, ContactSchema)
    def patch(self, contact_id: int):
        """Change the fields given; a details list, when given, replaces the contact's list."""
        s = session()
        contact = services.update_contact(s, contact_id, _json(), user_id=current_user.id)
        s.commit()
        return services.represent(s, [contact])[0]

    @permission_required("delete_contacts")
    @blp.response(204)
    def delete(self, contact_id: int):
        """Move the contact to the trash (restorable)."""
        s = session()
        services.trash_contact(s, contact_id, user_id=current_user.id)
        s.commit()


@blp.route("/<int:contact_id>/restore")
class ContactRestore(MethodView):
    @permission_required("delete_contacts")
    @blp.response(200, ContactSchema)
    def post(self, contact_id: int):
        """Bring a contact back from the trash."""
        s = session()
        contact = services.restore_contact(s, contact_id, user_id=current_user.id)
        s.commit()
        return services.represent(s, [contact])[0]


@blp.route("/<int:contact_id>/purge")
class ContactPurge(MethodView):
    @permission_required("purge_contacts")
    @blp.response(204)
    def post(self, contact_id: int):
        """Delete a contact that is in the trash for good."""
        s = session()
        services.purge_contact(s, contact_id, user_id=current_user.id)
        s.commit()


@subtypes_blp.route("")
class Subtypes(MethodView):
    @permission_required("view_contacts")
    @subtypes_blp.response(200, SubtypeSchema(many=True))
    def get(self):
        """Every contact subtype."""
        return services.list_subtypes(session())

    @permission_required("administer_settings")
    @subtypes_blp.arguments(SubtypeSchema)
    @subtypes_blp.response(201, SubtypeSchema)
    def post(self, data):
        """Create a subtype for a kind of contact."""
        s = session()
        subtype = services.create_subtype(s, data["name"], data["label"], data["contact_type"])
        s.commit()
        return subtype
