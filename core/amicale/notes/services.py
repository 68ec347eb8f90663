"""The rules of notes on a contact: a text is needed, the author is the writer's contact, and a
note marked "author only" is seen (and changed) by its author alone. Functions take a session
and flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from ..clock import utcnow
from ..contacts.models import Contact
from ..errors import NotFound, ValidationError
from .models import AUTHOR_ONLY, PRIVACIES, Note

CONTACT = "contact"
MAX_TEXT = 65_000


def _visible(viewer_contact_id: int | None):
    """Notes the viewer may see: those not private, and their own."""
    if viewer_contact_id is None:
        return Note.privacy.is_(None)
    return or_(Note.privacy.is_(None), Note.author_contact_id == viewer_contact_id)


@dataclass
class NoteEntry:
    note: Note
    author_name: str | None


def list_notes(
    session: Session,
    *,
    viewer_contact_id: int | None,
    contact_id: int | None = None,
    page: int = 1,
    page_size: int = 25,
) -> tuple[list[NoteEntry], int]:
    """Notes the viewer may see, newest first, with their author's name (two queries)."""
    query = select(Note).where(Note.entity_table == CONTACT, _visible(viewer_contact_id))
    if contact_id is not None:
        query = query.where(Note.entity_id == contact_id)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    author = aliased(Contact)
    rows = session.execute(
        query.add_columns(author.display_name)
        .outerjoin(author, author.id == Note.author_contact_id)
        .order_by(Note.created_at.desc(), Note.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return [NoteEntry(n, name) for n, name in rows], total


def count_notes(session: Session, contact_id: int, viewer_contact_id: int | None) -> int:
    return session.execute(
        select(func.count())
        .select_from(Note)
        .where(
            Note.entity_table == CONTACT,
            Note.entity_id == contact_id,
            _visible(viewer_contact_id),
        )
    ).scalar_one()


def get_note(session: Session, note_id: int, *, viewer_contact_id: int | None) -> Note:
    """A note the viewer may see; a private note of someone else's is "not found"."""
    note = session.get(Note, note_id)
    private = note is not None and note.privacy == AUTHOR_ONLY
    if note is None or (
        private and (viewer_contact_id is None or note.author_contact_id != viewer_contact_id)
    ):
        raise NotFound(str(_l("No note with the number %(id)s.", id=note_id)))
    return note


def author_name(session: Session, note: Note) -> str | None:
    if note.author_contact_id is None:
        return None
    return session.execute(
        select(Contact.display_name).where(Contact.id == note.author_contact_id)
    ).scalar()


def _check_text(value: Any) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationError(str(_l("Write the note.")), field="note")
    if len(text) > MAX_TEXT:
        raise ValidationError(str(_l("At most %(n)d characters.", n=MAX_TEXT)), field="note")
    return text


def _check_subject(value: Any) -> str | None:
    subject = str(value or "").strip()
    if len(subject) > 255:
        raise ValidationError(str(_l("At most %(n)d characters.", n=255)), field="subject")
    return subject or None


def _check_privacy(value: Any) -> str | None:
    privacy = value or None
    if privacy not in PRIVACIES:
        raise ValidationError(
            str(_l('Privacy is either empty or "%(value)s".', value=AUTHOR_ONLY)), field="privacy"
        )
    return privacy


def create_note(session: Session, data: dict[str, Any], *, author_contact_id: int | None) -> Note:
    """A note on the contact ``contact_id`` from ``subject``, ``note`` (needed) and
    ``privacy`` (None, or "author only")."""
    contact_id = data.get("contact_id")
    if not isinstance(contact_id, int) or session.get(Contact, contact_id) is None:
        raise ValidationError(
            str(_l("No contact with the number %(id)s.", id=contact_id)), field="contact_id"
        )
    privacy = _check_privacy(data.get("privacy"))
    if privacy == AUTHOR_ONLY and author_contact_id is None:
        raise ValidationError(
            str(
                _l("Your account is linked to no contact: a private note would be seen by nobody.")
            ),
            field="privacy",
        )
    now = utcnow()
    note = Note(
        entity_table=CONTACT,
        entity_id=contact_id,
        subject=_check_subject(data.get("subject")),
        note=_check_text(data.get("note")),
        author_contact_id=author_contact_id,
        privacy=privacy,
        created_at=now,
        modified_at=now,
    )
    session.add(note)
    session.flush()
    return note


def update_note(
    session: Session, note_id: int, data: dict[str, Any], *, viewer_contact_id: int | None
) -> Note:
    note = get_note(session, note_id, viewer_contact_id=viewer_contact_id)
    if "subject" in data:
        note.subject = _check_subject(data["subject"])
    if "note" in data:
        note.note = _check_text(data["note"])
    if "privacy" in data:
        privacy = _check_privacy(data["privacy"])
        if privacy == AUTHOR_ONLY and note.author_contact_id != viewer_contact_id:
            raise ValidationError(
                str(_l("Only the author can make a note private.")), field="privacy"
            )
        note.privacy = privacy
    note.modified_at = utcnow()
    session.flush()
    return note


def delete_note(session: Session, note_id: int, *, viewer_contact_id: int | None) -> None:
    session.delete(get_note(session, note_id, viewer_contact_id=viewer_contact_id))
    session.flush()


def erase_contact_notes(session: Session, contact_id: int) -> None:
    session.execute(delete(Note).where(Note.entity_table == CONTACT, Note.entity_id == contact_id))


def merge_contact_notes(session: Session, winner_id: int, loser_id: int) -> None:
    """Two contacts merged: the notes on the loser and those it wrote go to the winner."""
    from sqlalchemy import update

    session.execute(
        update(Note)
        .where(Note.entity_table == "contact", Note.entity_id == loser_id)
        .values(entity_id=winner_id)
    )
    session.execute(
        update(Note).where(Note.author_contact_id == loser_id).values(author_contact_id=winner_id)
    )
