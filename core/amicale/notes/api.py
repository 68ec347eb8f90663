"""API: notes on contacts (``/api/v1/notes``). A note marked "author only" exists for its
author alone: for anyone else it is not found."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from ..accounts.permissions import permission_required
from ..db import session
from . import services
from .schemas import NoteListArgs, NotePageSchema, NotePatchSchema, NoteSchema

blp = Blueprint("notes", __name__, url_prefix="/notes", description="Notes on contacts")


def _viewer() -> int | None:
    return getattr(current_user, "contact_id", None)


def _shown(note, author_name: str | None) -> dict:
    item = note.model_dump()
    item["contact_id"] = note.entity_id
    item["author_name"] = author_name
    return item


@blp.route("")
class Notes(MethodView):
    @permission_required("view_contacts")
    @blp.arguments(NoteListArgs, location="query")
    @blp.response(200, NotePageSchema)
    def get(self, args: dict):
        """Notes, newest first; ``contact_id`` gives those on one contact."""
        entries, total = services.list_notes(
            session(),
            viewer_contact_id=_viewer(),
            contact_id=args["contact_id"],
            page=args["page"],
            page_size=args["page_size"],
        )
        return {
            "items": [_shown(e.note, e.author_name) for e in entries],
            "total": total,
            "page": args["page"],
            "page_size": args["page_size"],
        }

    @permission_required("edit_contacts")
    @blp.arguments(NoteSchema)
    @blp.response(201, NoteSchema)
    def post(self, data: dict):
        """Write a note on a contact; its author is the token's user."""
        s = session()
        note = services.create_note(s, data, author_contact_id=_viewer())
        s.commit()
        return _shown(note, services.author_name(s, note))


@blp.route("/<int:note_id>")
class NoteResource(MethodView):
    @permission_required("view_contacts")
    @blp.response(200, NoteSchema)
    def get(self, note_id: int):
        """One note."""
        s = session()
        note = services.get_note(s, note_id, viewer_contact_id=_viewer())
        return _shown(note, services.author_name(s, note))

    @permission_required("edit_contacts")
    @blp.arguments(NotePatchSchema)
    @blp.response(200, NoteSchema)
    def patch(self, data: dict, note_id: int):
        """Change the subject, text or privacy."""
        s = session()
        note = services.update_note(s, note_id, data, viewer_contact_id=_viewer())
        s.commit()
        return _shown(note, services.author_name(s, note))

    @permission_required("edit_contacts")
    @blp.response(204)
    def delete(self, note_id: int):
        """Delete a note."""
        s = session()
        services.delete_note(s, note_id, viewer_contact_id=_viewer())
        s.commit()
