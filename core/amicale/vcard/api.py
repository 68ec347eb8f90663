"""API: a contact's and a group's vCards (``/api/v1/contacts/{id}/vcard``,
``/api/v1/groups/{id}/vcard``) and the import of a vCard file (``/api/v1/contacts/vcard-import``)."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, fields, validate

from ..accounts.permissions import permission_required
from ..contacts.services import get_contact
from ..db import session
from ..groups import services as groups
from . import services
from .views import decode_upload, vcard_response

contact_blp = Blueprint(
    "contact-vcards",
    __name__,
    url_prefix="/contacts",
    description="vCard files (RFC 6350) of contacts: download and import",
)
group_blp = Blueprint(
    "group-vcards", __name__, url_prefix="/groups", description="vCard files of a group's members"
)

VCARD = {"type": "string", "description": "vCard 4.0 (RFC 6350), one card per contact"}


class ImportArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    on_duplicate = fields.String(
        load_default="skip",
        validate=validate.OneOf(services.ON_DUPLICATE),
        metadata={
            "description": "a card whose email is already a contact's: ``skip`` it, ``update`` "
            "the contact (the card's fields replace, its details are added) or ``create`` "
            "a new contact anyway"
        },
    )


class CardErrorSchema(Schema):
    number = fields.Integer()
    name = fields.String()
    reason = fields.String()


class SkippedSchema(Schema):
    number = fields.Integer()
    name = fields.String()
    contact_id = fields.Integer()


class WarningSchema(Schema):
    number = fields.Integer()
    name = fields.String()
    message = fields.String()


class ImportReportSchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    skipped = fields.Integer()
    rejected = fields.Integer()
    created_ids = fields.List(fields.Integer())
    updated_ids = fields.List(fields.Integer())
    skipped_cards = fields.List(fields.Nested(SkippedSchema))
    rejected_cards = fields.List(fields.Nested(CardErrorSchema))
    warnings = fields.List(fields.Nested(WarningSchema))


@contact_blp.route("/<int:contact_id>/vcard")
class ContactVcard(MethodView):
    @permission_required("export_contacts")
    @contact_blp.response(200, VCARD, content_type="text/vcard")
    def get(self, contact_id: int):
        """The contact as a vCard 4.0 file."""
        s = session()
        contact = get_contact(s, contact_id)
        return vcard_response("".join(services.write_vcards(s, [contact.id])), contact.display_name)


@group_blp.route("/<int:group_id>/vcard")
class GroupVcard(MethodView):
    @permission_required("export_contacts")
    @group_blp.response(200, VCARD, content_type="text/vcard")
    def get(self, group_id: int):
        """The group's members (not those in the trash) as one vCard 4.0 file, streamed."""
        s = session()
        group = groups.get_group(s, group_id)
        return vcard_response(
            services.write_vcards(s, groups.member_ids_query(s, group)), group.title
        )


@contact_blp.route("/vcard-import")
class VcardImport(MethodView):
    @permission_required("import_contacts")
    @contact_blp.arguments(ImportArgs, location="query")
    @contact_blp.doc(
        requestBody={
            "required": True,
            "content": {
                "text/vcard": {"schema": {"type": "string"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                },
            },
        }
    )
    @contact_blp.response(200, ImportReportSchema)
    def post(self, args):
        """Import a vCard 3.0 or 4.0 file (the body, or the ``file`` of a form): each card
        becomes a contact unless it is refused (listed with the reason). 422 when the file
        holds no card at all."""
        upload = request.files.get("file")
        raw = upload.read() if upload is not None else request.get_data()
        s = session()
        report = services.import_vcards(
            s, decode_upload(raw), on_duplicate=args["on_duplicate"], user_id=current_user.id
        )
        s.commit()
        return report.as_dict()
