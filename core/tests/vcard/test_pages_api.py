"""The vCard downloads (a contact, a group) and the import page and endpoint, as staff would
use them; and who may use them."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from amicale.accounts.permissions import view_requirement
from amicale.contacts.models import Contact

CARDS = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Paul Girard\r\nN:Girard;Paul;;;\r\n"
    "EMAIL;TYPE=INTERNET:paul@example.org\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Numéro Faux\r\nN:Faux;Numéro;;;\r\nTEL:12\r\nEND:VCARD\r\n"
)


def count(db) -> int:
    with db() as s:
        return s.execute(select(func.count()).select_from(Contact)).scalar_one()


def group_with(db, *contact_ids) -> int:
    from amicale.groups import services as groups

    with db() as s:
        group = groups.create_group(s, {"title": "Bénévoles du samedi"})
        groups.add_contacts(s, group.id, list(contact_ids))
        s.commit()
        return group.id


def test_a_contact_page_offers_its_vcard_which_downloads(login_as, make_contact):
    contact = make_contact(first_name="Élodie", last_name="Faure")
    web = login_as("staff", locale="en")
    page = web.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert f'href="/contacts/{contact.id}/vcard"' in page
    download = web.get(f"/contacts/{contact.id}/vcard")
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "text/vcard; charset=utf-8"
    disposition = download.headers["Content-Disposition"]
    assert "filename*=UTF-8''%C3%89lodie%20Faure.vcf" in disposition
    assert "FN:Élodie Faure" in download.get_data(as_text=True)


def test_a_group_page_offers_the_members_vcards(login_as, make_contact, db):
    a, b = make_contact(first_name="Anne"), make_contact(first_name="Bruno")
    outsider = make_contact(first_name="Zoé")
    group_id = group_with(db, a.id, b.id)
    web = login_as("staff", locale="en")
    assert f'href="/groups/{group_id}/vcard"' in web.get(f"/groups/{group_id}").get_data(
        as_text=True
    )
    download = web.get(f"/groups/{group_id}/vcard")
    text = download.get_data(as_text=True)
    assert download.status_code == 200 and text.count("BEGIN:VCARD") == 2
    assert "Anne" in text and "Bruno" in text and outsider.first_name not in text
    assert "B%C3%A9n%C3%A9voles%20du%20samedi.vcf" in download.headers["Content-Disposition"]


def test_the_import_page_shows_the_counts_and_the_refused_cards(login_as, db):
    web = login_as("staff", locale="en")
    form = web.get("/contacts/import/vcard")
    assert form.status_code == 200 and 'type="file"' in form.get_data(as_text=True)
    before = count(db)
    done = web.post_form(
        "/contacts/import/vcard",
        {"file": (io.BytesIO(CARDS.encode()), "carnet.vcf"), "on_duplicate": "skip"},
        content_type="multipart/form-data",
    )
    html = done.get_data(as_text=True)
    assert done.status_code == 200
    assert '<span data-count="created">1</span>' in html
    assert '<span data-count="rejected">1</span>' in html
    assert "Numéro Faux" in html and "not a valid phone number" in html
    assert count(db) == before + 1


def test_a_file_that_is_no_vcard_is_refused_and_nothing_is_written(login_as, db):
    web = login_as("staff", locale="en")
    before = count(db)
    done = web.post_form(
        "/contacts/import/vcard",
        {"file": (io.BytesIO(b"first_name;last_name\nAnne;Roux\n"), "list.csv")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 422
    assert "This file holds no vCard." in done.get_data(as_text=True)
    assert count(db) == before
    missing = web.post_form("/contacts/import/vcard", {"on_duplicate": "skip"})
    assert missing.status_code == 422 and "Choose a vCard file." in missing.get_data(as_text=True)


def test_the_api_downloads_and_imports_vcards(api_client, make_contact, db):
    api = api_client("staff")
    contact = make_contact(first_name="Léo", last_name="Marchand")
    one = api.get(f"/api/v1/contacts/{contact.id}/vcard")
    assert one.status_code == 200 and one.headers["Content-Type"].startswith("text/vcard")
    assert "N:Marchand;Léo;;;" in one.get_data(as_text=True)
    group_id = group_with(db, contact.id)
    group = api.get(f"/api/v1/groups/{group_id}/vcard")
    assert group.status_code == 200 and group.get_data(as_text=True).count("BEGIN:VCARD") == 1
    assert api.get("/api/v1/groups/999999/vcard").status_code == 404

    body = api.post(
        "/api/v1/contacts/vcard-import",
        data=CARDS.encode(),
        headers={"Content-Type": "text/vcard"},
    )
    assert body.status_code == 200
    report = body.get_json()
    assert (report["created"], report["rejected"], report["skipped"]) == (1, 1, 0)
    assert report["rejected_cards"][0]["number"] == 2 and report["rejected_cards"][0]["reason"]

    again = api.post(
        "/api/v1/contacts/vcard-import?on_duplicate=update",
        data={"file": (io.BytesIO(CARDS.encode()), "carnet.vcf")},
        content_type="multipart/form-data",
    )
    assert again.get_json()["updated_ids"] == report["created_ids"]

    empty = api.post(
        "/api/v1/contacts/vcard-import",
        data=b"nothing here",
        headers={"Content-Type": "text/vcard"},
    )
    assert empty.status_code == 422 and empty.get_json()["errors"]["file"]
    wrong = api.post(
        "/api/v1/contacts/vcard-import?on_duplicate=merge",
        data=CARDS.encode(),
        headers={"Content-Type": "text/vcard"},
    )
    assert wrong.status_code == 422


OWN = ("vcard.", "api_contact-vcards.", "api_group-vcards.")


def test_only_those_with_the_permission_may_download_or_import(app, login_as, api_client):
    anonymous = app.test_client()
    web, api = login_as("readonly", locale="en"), api_client("readonly")
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(OWN):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            is_public, permission = view_requirement(app.view_functions[rule.endpoint], method)
            assert not is_public and permission in {"export_contacts", "import_contacts"}
            url = rule.build({a: 1 for a in rule.arguments}, append_unknown=False)[1]
            if rule.rule.startswith("/api/"):
                assert anonymous.open(url, method=method).status_code == 401, url
                assert api.open(method, url).status_code == 403, url
            else:
                assert anonymous.open(url, method=method).status_code == 302, url
                data = {"csrf_token": web.csrf_token()} if method != "GET" else None
                assert web.open(url, method=method, data=data).status_code == 403, url
            checked += 1
    assert checked == 7


def test_the_vcard_link_is_hidden_from_those_who_may_not_export(login_as, make_contact):
    contact = make_contact()
    page = login_as("readonly", locale="en").get(f"/contacts/{contact.id}")
    assert page.status_code == 200 and "/vcard" not in page.get_data(as_text=True)


def test_the_openapi_document_describes_the_vcard_endpoints(api_client):
    spec = api_client("staff").get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    assert (
        "text/vcard"
        in paths["/api/v1/contacts/{contact_id}/vcard"]["get"]["responses"]["200"]["content"]
    )
    assert "/api/v1/groups/{group_id}/vcard" in paths
    body = paths["/api/v1/contacts/vcard-import"]["post"]["requestBody"]["content"]
    assert {"text/vcard", "multipart/form-data"} <= set(body)
