"""The Notes tab of a contact's page: the notes newest first, write one, change one, delete
one, without JavaScript."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.permissions import permission_required
from ..db import session
from ..errors import DomainError, NotFound
from . import services
from .models import AUTHOR_ONLY

bp = Blueprint("notes", __name__, template_folder="templates")

PAGE_SIZE = 25


def _viewer() -> int | None:
    return getattr(current_user, "contact_id", None)


def _form_data(form) -> dict:
    return {
        "subject": form.get("subject", ""),
        "note": form.get("note", ""),
        "privacy": AUTHOR_ONLY if form.get("privacy") == AUTHOR_ONLY else None,
    }


def _tab(contact_id: int, *, errors=None, values=None, status=200):
    from ..contacts.views import contact_page_context

    context = contact_page_context(contact_id, active_tab="notes")
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    entries, total = services.list_notes(
        session(),
        viewer_contact_id=_viewer(),
        contact_id=contact_id,
        page=page,
        page_size=PAGE_SIZE,
    )
    return render_template(
        "notes/contact_tab.html",
        entries=entries,
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        errors=errors or {},
        values=values or {},
        AUTHOR_ONLY=AUTHOR_ONLY,
        **context,
    ), status


@bp.route("/contacts/<int:contact_id>/notes", methods=["GET"])
@permission_required("view_contacts")
def contact_tab(contact_id: int):
    return _tab(contact_id)


@bp.route("/contacts/<int:contact_id>/notes", methods=["POST"])
@permission_required("edit_contacts")
def add(contact_id: int):
    s = session()
    try:
        services.create_note(
            s,
            {"contact_id": contact_id, **_form_data(request.form)},
            author_contact_id=_viewer(),
        )
        s.commit()
    except DomainError as exc:
        s.rollback()
        if exc.field == "contact_id":
            raise NotFound(exc.message) from None
        return _tab(
            contact_id, errors=exc.errors or {"": [exc.message]}, values=request.form, status=422
        )
    flash(_("The note is recorded."), "success")
    return redirect(url_for("notes.contact_tab", contact_id=contact_id))


def _own_note(contact_id: int, note_id: int):
    note = services.get_note(session(), note_id, viewer_contact_id=_viewer())
    if note.entity_table != "contact" or note.entity_id != contact_id:
        raise NotFound(_("No note with the number %(id)s.", id=note_id))
    return note


@bp.route("/contacts/<int:contact_id>/notes/<int:note_id>/edit", methods=["GET", "POST"])
@permission_required("edit_contacts")
def edit(contact_id: int, note_id: int):
    from ..contacts.views import contact_page_context

    s = session()
    note = _own_note(contact_id, note_id)
    errors: dict = {}
    values = {"subject": note.subject or "", "note": note.note, "privacy": note.privacy or ""}
    if request.method == "POST":
        try:
            services.update_note(s, note_id, _form_data(request.form), viewer_contact_id=_viewer())
            s.commit()
            flash(_("The note is saved."), "success")
            return redirect(url_for("notes.contact_tab", contact_id=contact_id))
        except DomainError as exc:
            s.rollback()
            note = _own_note(contact_id, note_id)
            errors, values = exc.errors or {"": [exc.message]}, request.form
    return render_template(
        "notes/edit.html",
        note=note,
        errors=errors,
        values=values,
        AUTHOR_ONLY=AUTHOR_ONLY,
        can_make_private=note.author_contact_id is not None and note.author_contact_id == _viewer(),
        **contact_page_context(contact_id, active_tab="notes"),
    ), 422 if errors else 200


@bp.route("/contacts/<int:contact_id>/notes/<int:note_id>/delete", methods=["POST"])
@permission_required("edit_contacts")
def delete(contact_id: int, note_id: int):
    s = session()
    _own_note(contact_id, note_id)
    services.delete_note(s, note_id, viewer_contact_id=_viewer())
    s.commit()
    flash(_("The note is deleted."), "success")
    return redirect(url_for("notes.contact_tab", contact_id=contact_id))
