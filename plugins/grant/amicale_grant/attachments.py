"""The files joined to grant applications: kept in the instance's ``grant_attachments`` folder
under a random name (never the name the sender gave), limited in size and type, and served
only to those who may see grants (the view checks the permission, then ``send_file``).

The limits: ``MAX_SIZE`` bytes per file, and the extensions of ``ALLOWED`` (documents,
spreadsheets, images); the organisation may lower the size with the setting
``grant.attachment_max_bytes``.
"""

from __future__ import annotations

import mimetypes
import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from amicale.api_for_plugins import ValidationError, get_setting, gettext

from . import services
from .models import GrantAttachment

MAX_SIZE = 10 * 1024 * 1024
ALLOWED = {
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "txt": "text/plain",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}
FIELD = "attachments"


def folder() -> Path:
    path = Path(current_app.instance_path) / "grant_attachments"
    path.mkdir(parents=True, exist_ok=True)
    return path


def max_size(session: Session) -> int:
    try:
        return min(int(get_setting(session, "grant.attachment_max_bytes", MAX_SIZE)), MAX_SIZE)
    except (TypeError, ValueError):
        return MAX_SIZE


def _read(session: Session, upload: FileStorage) -> tuple[str, str, bytes]:
    """The file's safe name, type and content; ValidationError when it is refused."""
    name = secure_filename(upload.filename or "") or "file"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED:
        raise ValidationError(
            gettext(
                "%(name)s: this kind of file is not accepted (accepted: %(kinds)s).",
                name=upload.filename,
                kinds=", ".join(sorted(ALLOWED)),
            ),
            field=FIELD,
        )
    limit = max_size(session)
    content = upload.stream.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(
            gettext(
                "%(name)s is too large (at most %(size)s MB).",
                name=upload.filename,
                size=round(limit / 1024 / 1024, 1),
            ),
            field=FIELD,
        )
    if not content:
        raise ValidationError(gettext("%(name)s is empty.", name=upload.filename), field=FIELD)
    return name, ALLOWED[extension], content


def check(session: Session, uploads: list[FileStorage]) -> list[tuple[str, str, bytes]]:
    """Read every upload (those without a name are skipped); all refused at once."""
    out, errors = [], []
    for upload in uploads:
        if not upload or not upload.filename:
            continue
        try:
            out.append(_read(session, upload))
        except ValidationError as exc:
            errors.append(exc.message)
    if errors:
        raise ValidationError(errors[0], errors={FIELD: errors})
    return out


def store(
    session: Session, grant_id: int, files: list[tuple[str, str, bytes]], *, user_id=None
) -> list[GrantAttachment]:
    """Write the checked files and record them (the caller commits; ``remove`` on rollback)."""
    services.get_grant(session, grant_id)
    out = []
    for name, mime, content in files:
        stored_as = secrets.token_hex(16)
        (folder() / stored_as).write_bytes(content)
        attachment = GrantAttachment(
            grant_id=grant_id,
            file_name=name,
            stored_as=stored_as,
            mime_type=mime,
            size=len(content),
            user_id=user_id,
        )
        session.add(attachment)
        out.append(attachment)
    session.flush()
    return out


def path_of(attachment: GrantAttachment) -> Path:
    return folder() / attachment.stored_as


def remove(stored_names: list[str]) -> None:
    """Delete stored files (after their rows are gone, or when recording them failed)."""
    base = folder()
    for name in stored_names:
        path = base / Path(name).name
        if path.is_file():
            path.unlink()


def delete(session: Session, grant_id: int, attachment_id: int) -> str:
    """Delete an attachment's row; returns its stored name (``remove`` it once committed)."""
    attachment = services.get_attachment(session, grant_id, attachment_id)
    stored = attachment.stored_as
    session.delete(attachment)
    session.flush()
    return stored


def guess_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"
