"""The duplicate pages, the batch merge, the `amicale dedupe` command and the API."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from amicale.cli import cli
from amicale.contacts.models import Contact


@pytest.fixture
def dupes(person):
    """Two pairs sharing an email: one without conflict, one whose birth dates differ."""
    return {
        "a1": person("Jean", "Dupont", email="jean@example.org"),
        "a2": person("Jean", "Dupont", email="jean@example.org", job_title="Trésorier"),
        "b1": person("Anne", "Roux", email="anne@example.org", birth_date="1970-01-01"),
        "b2": person("Anne", "Roux", email="anne@example.org", birth_date="1971-01-01"),
    }


def trashed(db, contact_id) -> bool:
    with db() as s:
        return s.get(Contact, contact_id).is_deleted


def test_the_pairs_page_lists_pairs_and_a_pair_can_be_marked_not_duplicate(login_as, dupes):
    web = login_as("staff", locale="en")
    page = web.get("/dedupe/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "2 pairs found." in html and f"/contacts/{dupes['a1']}/merge/{dupes['a2']}" in html
    done = web.post_form(
        "/dedupe/not-duplicate",
        {"contact_id_a": dupes["a2"], "contact_id_b": dupes["a1"], "next": "/dedupe/"},
    )
    assert done.status_code == 302
    assert "1 pair found." in web.get("/dedupe/").get_data(as_text=True)


def test_the_merge_screen_shows_both_and_merges_with_the_choices(login_as, db, dupes):
    web = login_as("staff", locale="en")
    a, b = dupes["b1"], dupes["b2"]
    screen = web.get(f"/contacts/{a}/merge/{b}")
    html = screen.get_data(as_text=True)
    assert screen.status_code == 200
    assert 'name="field-birth_date" value="loser"' in html and f"/contacts/{b}/merge/{a}" in html
    done = web.post_form(f"/contacts/{a}/merge/{b}", {"field-birth_date": "loser"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/contacts/{a}")
    with db() as s:
        assert str(s.get(Contact, a).birth_date) == "1971-01-01"
    loser_page = web.get(f"/contacts/{b}").get_data(as_text=True)
    assert "Merged into" in loser_page and f'href="/contacts/{a}"' in loser_page
    again = web.post_form(f"/contacts/{a}/merge/{b}", {})
    assert again.status_code == 422  # the loser is in the trash now


def test_batch_merge_merges_only_the_pairs_without_conflict(login_as, db, dupes):
    web = login_as("staff", locale="en")
    done = web.post_form("/dedupe/batch-merge", {})
    assert done.status_code == 302
    assert trashed(db, dupes["a2"]) and not trashed(db, dupes["a1"])
    assert not trashed(db, dupes["b1"]) and not trashed(db, dupes["b2"])
    with db() as s:
        assert s.get(Contact, dupes["a1"]).job_title == "Trésorier"  # filled from the other


def test_rule_admin_pages_show_errors_beside_fields_and_save_nothing(login_as, db):
    admin = login_as("administrator", locale="en")
    assert admin.get("/admin/dedupe-rules").status_code == 200
    assert admin.get("/admin/dedupe-rules/new").status_code == 200
    bad = admin.post_form(
        "/admin/dedupe-rules/new",
        {
            "name": "",
            "threshold": "30",
            "rows": "1",
            "fields-0-field": "phone",
            "fields-0-weight": "10",
        },
    )
    assert bad.status_code == 422
    assert 'has-error"><label for="r-name"' in bad.get_data(as_text=True)
    too_high = admin.post_form(
        "/admin/dedupe-rules/new",
        {"name": "Phone", "threshold": "30", "rows": "1", "fields-0-field": "phone"},
    )
    assert too_high.status_code == 422
    assert "nothing would match" in too_high.get_data(as_text=True)
    assert "Phone" not in admin.get("/admin/dedupe-rules").get_data(as_text=True)
    good = admin.post_form(
        "/admin/dedupe-rules/new",
        {"name": "Same phone", "threshold": "10", "rows": "1", "fields-0-field": "phone"},
    )
    assert good.status_code == 302
    assert "Same phone" in admin.get("/admin/dedupe-rules").get_data(as_text=True)
    assert login_as("staff").get("/admin/dedupe-rules").status_code == 403


def test_the_command_finds_and_merges_with_clear_exit_codes(app, db, dupes):
    runner = CliRunner()
    found = runner.invoke(cli, ["dedupe", "find", "--json"], obj=app)
    assert found.exit_code == 0
    assert [(p["contact_a"]["id"], p["contact_b"]["id"]) for p in json.loads(found.output)] == [
        (dupes["a1"], dupes["a2"]),
        (dupes["b1"], dupes["b2"]),
    ]
    assert runner.invoke(cli, ["dedupe", "find", "--rule", "Nope"], obj=app).exit_code == 1
    assert runner.invoke(cli, ["dedupe", "merge", str(dupes["a1"])], obj=app).exit_code == 2
    assert runner.invoke(cli, ["dedupe", "merge", "1", "1", "--yes"], obj=app).exit_code == 1
    batch = runner.invoke(
        cli, ["dedupe", "merge", "--batch", "--rule", "Same email", "--yes"], obj=app
    )
    assert batch.exit_code == 0, batch.output
    assert "1 pair(s) merged, 1 skipped." in batch.output
    merged = runner.invoke(
        cli, ["dedupe", "merge", str(dupes["b1"]), str(dupes["b2"]), "--yes"], obj=app
    )
    assert merged.exit_code == 0 and trashed(db, dupes["b2"])
    refused = runner.invoke(
        cli, ["dedupe", "merge", str(dupes["b1"]), str(dupes["b2"]), "--yes"], obj=app
    )
    assert refused.exit_code == 1


def test_the_api_lists_pairs_and_merges(api_client, db, dupes):
    api = api_client("staff")
    listed = api.get("/api/v1/duplicates?page_size=1")
    assert listed.status_code == 200
    body = listed.get_json()
    assert body["total"] == 2 and len(body["items"]) == 1
    assert body["items"][0]["matched"] == ["email"]
    assert api.get("/api/v1/duplicates?rule=9999").status_code == 404
    a, b = dupes["b1"], dupes["b2"]
    bad = api.post(f"/api/v1/contacts/{a}/merge", json={"loser_id": b, "choices": {"x": "loser"}})
    assert bad.status_code == 422 and "choices.x" in json.dumps(bad.get_json())
    assert api.post("/api/v1/contacts/999999/merge", json={"loser_id": b}).status_code == 404
    ok = api.post(
        f"/api/v1/contacts/{a}/merge", json={"loser_id": b, "choices": {"birth_date": "loser"}}
    )
    assert ok.status_code == 200 and ok.get_json()["birth_date"] == "1971-01-01"
    assert api.post(f"/api/v1/contacts/{a}/merge", json={"loser_id": b}).status_code == 409
    exception = api.post(
        "/api/v1/duplicates/exceptions",
        json={"contact_id_a": dupes["a1"], "contact_id_b": dupes["a2"]},
    )
    assert exception.status_code == 201
    assert api.get("/api/v1/duplicates").get_json()["total"] == 0
    assert api_client("readonly").get("/api/v1/duplicates").status_code == 403


def test_the_api_manages_rules(api_client):
    admin = api_client("administrator")
    rules = admin.get("/api/v1/dedupe-rules").get_json()
    assert rules["total"] == 5
    bad = admin.post("/api/v1/dedupe-rules", json={"name": "x", "threshold": 5, "fields": []})
    assert bad.status_code == 422 and "fields" in bad.get_json()["errors"]
    made = admin.post(
        "/api/v1/dedupe-rules",
        json={"name": "Same phone", "threshold": 10, "fields": [{"field": "phone"}]},
    )
    assert made.status_code == 201
    rule_id = made.get_json()["id"]
    changed = admin.put(
        f"/api/v1/dedupe-rules/{rule_id}",
        json={"name": "Same phone", "threshold": 20, "fields": [{"field": "phone", "weight": 20}]},
    )
    assert changed.status_code == 200 and changed.get_json()["threshold"] == 20
    assert admin.delete(f"/api/v1/dedupe-rules/{rule_id}").status_code == 204
    assert admin.get(f"/api/v1/dedupe-rules/{rule_id}").status_code == 404
    reserved = rules["items"][0]["id"]
    assert admin.delete(f"/api/v1/dedupe-rules/{reserved}").status_code == 409
    staff = api_client("staff")
    assert staff.post("/api/v1/dedupe-rules", json={}).status_code == 403
