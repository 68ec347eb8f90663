"""Notes on a contact: written, read newest first, changed and deleted on the Notes tab and
through /api/v1/notes; a note marked "author only" is seen by its author alone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from amicale.errors import NotFound, ValidationError
from amicale.notes import services
from amicale.notes.models import Note


def notes_on(db, contact_id) -> list[tuple[str | None, str]]:
    with db() as s:
        return [
            (n.subject, n.note)
            for n in s.execute(
                select(Note).where(Note.entity_id == contact_id).order_by(Note.id)
            ).scalars()
        ]


def write(db, contact_id, author_contact_id, text="Called about the market", **data) -> int:
    with db() as s:
        note = services.create_note(
            s,
            {"contact_id": contact_id, "note": text, **data},
            author_contact_id=author_contact_id,
        )
        s.commit()
        return note.id


# -- services ------------------------------------------------------------------------------------


def test_notes_come_newest_first_with_their_author(db, people):
    first = write(db, people["lao"], people["marie"], "First call", subject="Call")
    second = write(db, people["lao"], people["marie"], "Second call")
    with db() as s:
        s.get(Note, first).created_at = datetime(2024, 1, 1, tzinfo=UTC)
        s.get(Note, second).created_at = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=1)
        s.commit()
        entries, total = services.list_notes(s, viewer_contact_id=None, contact_id=people["lao"])
        assert total == 2
        assert [(e.note.note, e.author_name) for e in entries] == [
            ("Second call", "Marie Dupont"),
            ("First call", "Marie Dupont"),
        ]


def test_a_private_note_is_seen_by_its_author_alone(db, people):
    private = write(db, people["lao"], people["marie"], "Health matters", privacy="author only")
    write(db, people["lao"], people["marie"], "Public")
    with db() as s:
        assert services.count_notes(s, people["lao"], people["marie"]) == 2
        assert services.count_notes(s, people["lao"], people["jean"]) == 1
        assert services.count_notes(s, people["lao"], None) == 1
        with pytest.raises(NotFound):
            services.get_note(s, private, viewer_contact_id=people["jean"])
        with pytest.raises(NotFound):
            services.update_note(s, private, {"note": "x"}, viewer_contact_id=people["jean"])
        with pytest.raises(NotFound):
            services.delete_note(s, private, viewer_contact_id=None)
        assert services.get_note(s, private, viewer_contact_id=people["marie"]).note == (
            "Health matters"
        )


@pytest.mark.parametrize(
    "data, field",
    [
        ({"note": "   "}, "note"),
        ({"note": "ok", "subject": "x" * 256}, "subject"),
        ({"note": "ok", "privacy": "secret"}, "privacy"),
        ({"note": "ok", "contact_id": 999_999}, "contact_id"),
    ],
)
def test_bad_notes_are_refused_with_the_field_to_fix(db, people, data, field):
    with db() as s:
        with pytest.raises(ValidationError) as err:
            services.create_note(
                s, {"contact_id": people["lao"], **data}, author_contact_id=people["marie"]
            )
        assert err.value.field == field
        s.rollback()
        assert s.execute(select(func.count()).select_from(Note)).scalar_one() == 0


def test_a_user_without_a_contact_cannot_write_a_note_nobody_would_see(db, people):
    with db() as s, pytest.raises(ValidationError) as err:
        services.create_note(
            s,
            {"contact_id": people["lao"], "note": "x", "privacy": "author only"},
            author_contact_id=None,
        )
    assert err.value.field == "privacy"


def test_notes_go_with_the_contact_deleted_for_good_and_keep_a_deleted_author(db, people):
    from amicale.contacts.services import purge_contact, trash_contact

    write(db, people["lao"], people["marie"], "About Lao")
    by_jean = write(db, people["marie"], people["jean"], "Written by Jean")
    with db() as s:
        trash_contact(s, people["lao"])
        purge_contact(s, people["lao"])
        trash_contact(s, people["jean"])
        purge_contact(s, people["jean"])
        s.commit()
        assert [n.note for n in s.execute(select(Note)).scalars()] == ["Written by Jean"]
        assert s.get(Note, by_jean).author_contact_id is None


# -- the Notes tab -------------------------------------------------------------------------------


def test_a_volunteer_writes_a_note_and_sees_it_first(login_as, db, people):
    volunteer = login_as("volunteer", locale="en")
    write(db, people["lao"], None, "An older note")
    response = volunteer.post_form(
        f"/contacts/{people['lao']}/notes",
        {"subject": "Phone call", "note": "Wants to help on Saturday.\nCall back Friday."},
    )
    assert response.status_code == 302
    page = volunteer.get(response.headers["Location"]).get_data(as_text=True)
    assert "The note is recorded." in page
    assert page.index("Phone call") < page.index("An older note")
    assert 'data-tab="notes" aria-current="page"' in page
    assert re.search(r'data-tab="notes"[^>]*>Notes <span class="count">2</span>', page)
    with db() as s:
        note = s.execute(select(Note).where(Note.subject == "Phone call")).scalar_one()
        assert note.author_contact_id == volunteer.user.contact_id


def test_an_empty_note_is_refused_on_the_form(login_as, db, people):
    response = login_as("staff", locale="en").post_form(
        f"/contacts/{people['lao']}/notes", {"subject": "Nothing", "note": ""}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Write the note." in page and 'value="Nothing"' in page
    assert notes_on(db, people["lao"]) == []


def test_staff_edits_and_deletes_a_note(login_as, db, people):
    note_id = write(db, people["lao"], None, "Typo in here")
    staff = login_as("staff", locale="en")
    form = staff.get(f"/contacts/{people['lao']}/notes/{note_id}/edit").get_data(as_text=True)
    assert "Typo in here" in form
    response = staff.post_form(
        f"/contacts/{people['lao']}/notes/{note_id}/edit", {"subject": "", "note": "Fixed"}
    )
    assert response.status_code == 302
    assert notes_on(db, people["lao"]) == [(None, "Fixed")]
    bad = staff.post_form(f"/contacts/{people['lao']}/notes/{note_id}/edit", {"note": " "})
    assert bad.status_code == 422 and "Write the note." in bad.get_data(as_text=True)
    # the note belongs to Lao: it cannot be reached from another contact's page
    assert staff.post_form(f"/contacts/{people['marie']}/notes/{note_id}/delete").status_code == (
        404
    )
    assert staff.post_form(f"/contacts/{people['lao']}/notes/{note_id}/delete").status_code == 302
    assert notes_on(db, people["lao"]) == []


def test_a_private_note_does_not_show_to_colleagues(login_as, db, people):
    author = login_as("staff", locale="en")
    author.post_form(
        f"/contacts/{people['lao']}/notes", {"note": "Only mine", "privacy": "author only"}
    )
    assert "Only mine" in author.get(f"/contacts/{people['lao']}/notes").get_data(as_text=True)
    colleague = login_as("staff", locale="en")
    page = colleague.get(f"/contacts/{people['lao']}/notes").get_data(as_text=True)
    assert "Only mine" not in page and "No note yet." in page
    with db() as s:
        note_id = s.execute(select(Note.id)).scalar_one()
    assert colleague.get(f"/contacts/{people['lao']}/notes/{note_id}/edit").status_code == 404


def test_a_read_only_user_reads_notes_but_cannot_write(login_as, db, people):
    write(db, people["lao"], None, "Visible")
    reader = login_as("readonly", locale="en")
    page = reader.get(f"/contacts/{people['lao']}/notes").get_data(as_text=True)
    assert "Visible" in page and "Write a note" not in page
    assert reader.post_form(f"/contacts/{people['lao']}/notes", {"note": "x"}).status_code == 403
    assert reader.get("/contacts/999/notes").status_code == 404


# -- API -----------------------------------------------------------------------------------------


def test_notes_through_the_api(api_client, db, people):
    api = api_client("staff")
    created = api.post(
        "/api/v1/notes",
        json={"contact_id": people["lao"], "subject": "Call", "note": "Called him."},
    )
    assert created.status_code == 201
    body = created.get_json()
    assert (body["contact_id"], body["entity_table"], body["author_contact_id"]) == (
        people["lao"],
        "contact",
        api.user.contact_id,
    )
    note_id = body["id"]
    listed = api.get(f"/api/v1/notes?contact_id={people['lao']}").get_json()
    assert (listed["total"], listed["items"][0]["note"]) == (1, "Called him.")
    assert api.get(f"/api/v1/notes?contact_id={people['marie']}").get_json()["total"] == 0
    patched = api.patch(f"/api/v1/notes/{note_id}", json={"note": "Called him twice."})
    assert patched.status_code == 200 and patched.get_json()["note"] == "Called him twice."
    assert api.get(f"/api/v1/notes/{note_id}").get_json()["subject"] == "Call"
    assert api.delete(f"/api/v1/notes/{note_id}").status_code == 204
    assert api.get(f"/api/v1/notes/{note_id}").status_code == 404


def test_private_notes_are_hidden_from_other_tokens(api_client, people):
    author = api_client("staff")
    note_id = author.post(
        "/api/v1/notes",
        json={"contact_id": people["lao"], "note": "Mine", "privacy": "author only"},
    ).get_json()["id"]
    other = api_client("staff")
    assert other.get(f"/api/v1/notes/{note_id}").status_code == 404
    assert other.delete(f"/api/v1/notes/{note_id}").status_code == 404
    assert other.get(f"/api/v1/notes?contact_id={people['lao']}").get_json()["total"] == 0
    assert author.get(f"/api/v1/notes?contact_id={people['lao']}").get_json()["total"] == 1


def test_bad_notes_get_422_and_permissions_are_enforced(api_client, db, people):
    api = api_client("staff")
    for body, field in (
        ({"contact_id": people["lao"], "note": ""}, "note"),
        ({"contact_id": people["lao"]}, "note"),
        ({"contact_id": 999_999, "note": "x"}, "contact_id"),
        ({"contact_id": people["lao"], "note": "x", "privacy": "secret"}, "privacy"),
    ):
        response = api.post("/api/v1/notes", json=body)
        assert response.status_code == 422, body
        assert field in response.get_json()["errors"], (body, response.get_json())
    assert notes_on(db, people["lao"]) == []
    note_id = api.post(
        "/api/v1/notes", json={"contact_id": people["lao"], "note": "ok"}
    ).get_json()["id"]
    assert api.patch(f"/api/v1/notes/{note_id}", json={"contact_id": 3}).status_code == 422
    reader = api_client("readonly")
    assert reader.get(f"/api/v1/notes/{note_id}").status_code == 200
    assert (
        reader.post("/api/v1/notes", json={"contact_id": people["lao"], "note": "x"}).status_code
        == 403
    )
    assert reader.patch(f"/api/v1/notes/{note_id}", json={"note": "y"}).status_code == 403
    assert reader.delete(f"/api/v1/notes/{note_id}").status_code == 403
    assert api_client(None).get("/api/v1/notes").status_code == 401
