"""Importing contacts from French spreadsheets: detection, mapping, value mapping, duplicates,
dry run, rejected rows, resume and undo."""

from __future__ import annotations

import io

from sqlalchemy import select

from amicale.contacts.models import Address, Contact, Email, Phone

from .conftest import csv_bytes

FRENCH = """Civilité;Prénom;Nom;Courriel;Téléphone;Adresse;Code postal;Ville;Né le;Cotisant
Mme;Hélène;Durand;helene@example.org;06 12 34 56 78;3 rue des Lilas;69001;Lyon;14/03/1970;oui
M.;Jean;Dupont;jean@example.org;04 78 00 00 00;12, avenue Foch;75016;Paris;01/02/1965;non
Mme;Anne;Roux;pas-un-email;;;;;;
"""


def test_a_french_excel_csv_is_detected_and_imported(db, start_import, run_import):
    job_id = start_import(csv_bytes(FRENCH, "cp1252"), "adhérents.csv")
    with db() as s:
        from amicale.imports.services import get_job

        job = get_job(s, job_id)
        assert job.dialect["encoding"] == "cp1252" and job.dialect["delimiter"] == ";"
        assert job.dialect["date_format"] == "dd/mm/yyyy"
        fields = {m["header"]: m["field"] for m in job.options["mapping"] if m["field"] != "gender"}
        assert fields["Prénom"] == "first_name" and fields["Courriel"] == "email:Home"
        assert (
            fields["Code postal"] == "address:Home:postal_code" and fields["Né le"] == "birth_date"
        )
    result = run_import(job_id)
    assert result["status"] == "done"
    assert (result["created"], result["rejected"]) == (2, 1)
    with db() as s:
        helene = s.execute(select(Contact).where(Contact.first_name == "Hélène")).scalar_one()
        assert helene.gender == "female" and helene.prefix == "Mme"
        assert str(helene.birth_date) == "1970-03-14"
        assert (
            s.execute(select(Email.email).where(Email.contact_id == helene.id)).scalar()
            == "helene@example.org"
        )
        assert (
            s.execute(select(Phone.phone_normalized).where(Phone.contact_id == helene.id)).scalar()
            == "+33612345678"
        )
        assert (
            s.execute(select(Address.city).where(Address.contact_id == helene.id)).scalar()
            == "Lyon"
        )
        from amicale.contacts.search import quick_search

        assert [c.id for c in quick_search(s, "helene")] == [helene.id]


def test_the_pages_go_from_upload_to_mapping_to_dry_run_to_report(login_as, db):
    web = login_as("staff", locale="en")
    assert web.get("/imports/").status_code == 200
    bad = web.post_form(
        "/imports/",
        data={"file": (io.BytesIO(b"%PDF-1.4"), "scan.pdf"), "target": "contacts"},
    )
    assert bad.status_code == 422 and "Choose a CSV or XLSX file" in bad.get_data(as_text=True)
    up = web.post_form(
        "/imports/",
        data={"file": (io.BytesIO(csv_bytes(FRENCH)), "adherents.csv"), "target": "contacts"},
    )
    assert up.status_code == 302
    page_url = up.headers["Location"]
    page = web.get(page_url).get_data(as_text=True)
    assert "Hélène" in page and 'value="first_name" selected' in page
    form = {
        "columns": "10",
        "field-1-a": "first_name",
        "field-2-a": "last_name",
        "field-3-a": "email:Home",
        "field-0-a": "prefix",
        "field-0-b": "gender",
        "values-0-b": "Mme = female\nM. = male",
        "rule_id": "",
        "on_duplicate": "skip",
        "contact_type": "Individual",
        "action": "dry",
    }
    dry = web.post_form(page_url, form)
    assert dry.status_code == 302
    html = web.get(page_url).get_data(as_text=True)
    assert 'id="dry-created">2<' in html and 'id="dry-rejected">1<' in html
    with db() as s:
        assert s.execute(select(Contact).where(Contact.first_name == "Hélène")).first() is None
    done = web.post_form(page_url, {**form, "action": "run"})
    assert done.status_code == 302
    html = web.get(page_url).get_data(as_text=True)
    assert 'id="count-created">2<' in html and 'id="count-rejected">1<' in html
    listed = web.get("/imports/").get_data(as_text=True)
    assert "adherents.csv" in listed and "done" in listed
    rejected = web.get(page_url + "rejected.csv")
    text = rejected.get_data(as_text=True)
    assert (
        text.startswith("\ufeffCivilité;Prénom")
        and "pas-un-email" in text
        and "is not an email address" in text
    )
