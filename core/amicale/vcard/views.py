"""vCard pages: download a contact's or a group's cards, import a vCard file (form, then the
result with the cards refused and why)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.permissions import permission_required
from ..contacts.services import get_contact
from ..db import session
from ..errors import DomainError
from ..groups import services as groups
from . import services

bp = Blueprint("vcard", __name__, template_folder="templates")

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def file_name(name: str) -> str:
    """A file name without the characters that file systems or headers refuse."""
    return _UNSAFE.sub(" ", name).strip(" .")[:120] or "contacts"


def vcard_response(body: str | Iterator[str], name: str) -> Response:
    """``body`` as a ``<name>.vcf`` download; an iterator is streamed."""
    filename = f"{file_name(name)}.vcf"
    ascii_name = filename.encode("ascii", "ignore").decode() or "contacts.vcf"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    if not isinstance(body, str):
        body = stream_with_context(body)
    return Response(
        body, content_type=services.MEDIA_TYPE, headers={"Content-Disposition": disposition}
    )


def decode_upload(raw: bytes) -> str:
    """vCard 3.0 and 4.0 are UTF-8; an older file may be in Windows-1252."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


@bp.route("/contacts/<int:contact_id>/vcard")
@permission_required("export_contacts")
def contact_vcard(contact_id: int):
    s = session()
    contact = get_contact(s, contact_id)
    return vcard_response("".join(services.write_vcards(s, [contact.id])), contact.display_name)


@bp.route("/groups/<int:group_id>/vcard")
@permission_required("export_contacts")
def group_vcard(group_id: int):
    s = session()
    group = groups.get_group(s, group_id)
    members = groups.member_ids_query(s, group)
    return vcard_response(services.write_vcards(s, members), group.title)


@bp.route("/contacts/import/vcard", methods=["GET", "POST"])
@permission_required("import_contacts")
def import_form():
    errors: dict[str, list[str]] = {}
    values = {"on_duplicate": request.form.get("on_duplicate", "skip")}
    if request.method == "POST":
        s = session()
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            errors["file"] = [_("Choose a vCard file.")]
        else:
            try:
                report = services.import_vcards(
                    s,
                    decode_upload(upload.read()),
                    on_duplicate=values["on_duplicate"],
                    user_id=current_user.id,
                )
                s.commit()
                return render_template("vcard/result.html", report=report, filename=upload.filename)
            except DomainError as exc:
                s.rollback()
                errors = exc.errors or {"": [exc.message]}
    return render_template(
        "vcard/import.html", errors=errors, values=values, choices=_duplicate_choices()
    ), (422 if errors else 200)


def _duplicate_choices() -> list[tuple[str, str]]:
    return [
        ("skip", _("Skip the card (the contact stays as it is)")),
        ("update", _("Update the contact with the card")),
        ("create", _("Create a new contact anyway")),
    ]
