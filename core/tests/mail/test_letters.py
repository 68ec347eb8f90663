"""Postal mail: personalised letters and address labels as PDF for the selected contacts, with
the tokens filled in, the addresses written the French way, a Letter activity recording who
got one, and nobody left out without a reason."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from amicale.db import session


def address(street="3 rue Haute", postal="69001", city="Lyon", **more) -> list[dict]:
    return [{"street_address": street, "postal_code": postal, "city": city, **more}]


@pytest.fixture
def people(factories):
    from amicale.contacts.services import trash_contact

    trashed = factories.contact(first_name="Tom", last_name="Trash", addresses=address())
    with factories.app.app_context():
        s = session()
        trash_contact(s, trashed.id)
        s.commit()
    return {
        "ada": factories.contact(
            prefix="Mme",
            first_name="Ada",
            last_name="Lovelace",
            addresses=address(supplemental_address_1="Bâtiment B"),
        ),
        "bob": factories.contact(
            first_name="Bob",
            last_name="Martin",
            addresses=address("1 Main Street", "SW1A 1AA", "London", country="GB"),
        ),
        "noaddress": factories.contact(first_name="Noé", last_name="Sansadresse"),
        "refuses": factories.contact(
            first_name="Rita", last_name="Refus", do_not_mail=True, addresses=address()
        ),
        "deceased": factories.contact(
            first_name="Denis", last_name="Défunt", is_deceased=True, addresses=address()
        ),
        "trashed": trashed,
    }


def pdf_pages(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF")
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def letter_activities(app, contact_id: int) -> list[str]:
    from sqlalchemy import select

    from amicale.activities.models import Activity, ActivityContact, ActivityType

    with app.app_context():
        rows = session().execute(
            select(Activity.subject)
            .join(ActivityType, ActivityType.id == Activity.activity_type_id)
            .join(ActivityContact, ActivityContact.activity_id == Activity.id)
            .where(
                ActivityType.name == "letter",
                ActivityContact.contact_id == contact_id,
                ActivityContact.role == "target",
            )
        )
        return list(rows.scalars())


def test_letters_for_the_selected_contacts_leave_out_who_cannot_get_one_and_say_why(
    app, organisation, people, login_as
):
    staff = login_as("staff", locale="en")
    assert 'id="letters-selected"' in staff.get("/contacts/").get_data(as_text=True)
    ids = [p.id for p in people.values()]
    page = staff.post_form("/contacts/letters", {"contact_ids": ids})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "2 contacts get a letter" in text
    for reason in (
        "No postal address (street, postal code and city).",
        "Does not want postal mail.",
        "Deceased.",
        "In the trash.",
    ):
        assert reason in text
    response = staff.post_form(
        "/contacts/letters",
        {
            "contact_ids": ids,
            "download": "letters",
            "subject": "Meilleurs vœux, {contact.first_name}",
            "body_text": "Cher {contact.display_name},\n\nBonne année !\n{organisation.name}",
        },
    )
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="letters-')
    ada_page, bob_page = pdf_pages(response.data)
    assert "Mme Ada Lovelace\n3 rue Haute\nBâtiment B\n69001 LYON" in ada_page
    assert "Meilleurs vœux, Ada" in ada_page and "Cher Mme Ada Lovelace," in ada_page
    assert "Bonne année !\nLe Grain de SEL" in ada_page
    assert "12 rue des Lilas\n75020 Paris" in ada_page  # the sender
    assert "FRANCE" not in ada_page  # a letter at home gets no country line
    assert "Bob Martin\n1 Main Street\nSW1A 1AA LONDON\nROYAUME-UNI" in bob_page
    assert "Meilleurs vœux, Bob" in bob_page
    assert letter_activities(app, people["ada"].id) == ["Meilleurs vœux, {contact.first_name}"]
    assert letter_activities(app, people["bob"].id) == ["Meilleurs vœux, {contact.first_name}"]
    for name in ("noaddress", "refuses", "deceased", "trashed"):
        assert letter_activities(app, people[name].id) == []


def test_a_letter_to_one_contact_from_a_template_in_html(app, organisation, people, login_as):
    from amicale.mail.services import save_template

    with app.app_context():
        s = session()
        template = save_template(
            s,
            {
                "name": "Voeux",
                "subject": "Nos vœux",
                "body_text": "Bonjour {contact.first_name}",
                "body_html": "<p>Bonjour <strong>{contact.first_name}</strong> de "
                "{contact.city}</p><img src='file:///etc/passwd'>",
            },
        )
        s.commit()
        template_id = template.id
    staff = login_as("staff", locale="en")
    ada = people["ada"].id
    form = staff.get(f"/contacts/{ada}/letter?template_id={template_id}").get_data(as_text=True)
    assert "Nos vœux" in form and "Download the labels (PDF)" in form
    response = staff.post_form(
        f"/contacts/{ada}/letter", {"template_id": template_id, "download": "letters"}
    )
    assert response.status_code == 200
    (page,) = pdf_pages(response.data)
    assert "Nos vœux" in page and "Bonjour Ada de Lyon" in page


def test_a_long_letter_runs_over_several_pages_and_the_next_one_starts_on_a_new_page(
    app, organisation, people, api_client
):
    long_text = "\n\n".join(f"Paragraphe {n} pour {{contact.first_name}}." for n in range(90))
    response = api_client("staff").post(
        "/api/v1/letters",
        json={
            "contact_ids": [people["ada"].id, people["bob"].id],
            "subject": "Rapport annuel",
            "body_text": long_text,
        },
    )
    assert response.status_code == 200
    pages = pdf_pages(response.data)
    assert len(pages) >= 4 and len(pages) % 2 == 0
    first_of_bob = next(i for i, p in enumerate(pages) if "Paragraphe 0 pour Bob." in p)
    assert first_of_bob == len(pages) // 2 and "Bob Martin" in pages[first_of_bob]


def test_the_letter_is_dated_in_the_organisations_language(
    app, organisation, people, api_client, monkeypatch
):
    from amicale.mail import letters
    from amicale.organisation.services import set_setting

    monkeypatch.setattr(letters, "_today", lambda: date(2025, 3, 12))
    api = api_client("staff")
    body = {"contact_ids": [people["ada"].id], "subject": "x", "body_text": "y"}
    (french,) = pdf_pages(api.post("/api/v1/letters", json=body).data)
    assert "12 mars 2025" in french
    with app.app_context():
        set_setting(session(), "organisation.default_locale", "en")
        session().commit()
    (english,) = pdf_pages(api.post("/api/v1/letters", json=body).data)
    assert "Paris, March 12, 2025" in english and "UNITED KINGDOM" not in english


def test_labels_fill_a_sheet_in_order_and_go_on_to_the_next(
    app, organisation, factories, api_client
):
    people = [
        factories.contact(first_name="Label", last_name=f"N{n:02d}", addresses=address())
        for n in range(26)
    ]
    api = api_client("staff")
    ten = api.post("/api/v1/letters/labels", json={"contact_ids": [p.id for p in people[:10]]})
    assert ten.status_code == 200 and ten.mimetype == "application/pdf"
    (sheet,) = pdf_pages(ten.data)
    assert sheet.count("69001 LYON") == 10
    assert [f"Label N{n:02d}" in sheet for n in range(11)] == [True] * 10 + [False]
    all_ids = [p.id for p in people]
    first, second = pdf_pages(
        api.post("/api/v1/letters/labels", json={"contact_ids": all_ids}).data
    )
    assert first.count("69001 LYON") == 24 and second.count("69001 LYON") == 2
    avery_l7160 = pdf_pages(
        api.post("/api/v1/letters/labels", json={"contact_ids": all_ids, "layout": "3x7"}).data
    )
    assert [p.count("69001 LYON") for p in avery_l7160] == [21, 5]
    assert letter_activities(app, people[0].id) == []  # labels are not letters


def test_labels_from_the_selection_page_leave_out_who_cannot_get_post(
    app, organisation, people, login_as
):
    staff = login_as("staff", locale="en")
    response = staff.post_form(
        "/contacts/letters",
        {"contact_ids": [p.id for p in people.values()], "download": "labels", "layout": "3x8"},
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    (sheet,) = pdf_pages(response.data)
    assert "Mme Ada Lovelace" in sheet and "Bob Martin" in sheet
    assert not any(n in sheet for n in ("Sansadresse", "Refus", "Défunt", "Trash"))


def test_bad_input_is_refused_and_nothing_is_produced_or_recorded(
    app, organisation, people, api_client, login_as
):
    api = api_client("staff")
    ada = people["ada"].id
    missing = api.post("/api/v1/letters", json={"contact_ids": [ada]})
    assert missing.status_code == 422
    assert set(missing.get_json()["errors"]) == {"subject", "body_text"}
    typo = api.post(
        "/api/v1/letters", json={"contact_ids": [ada], "subject": "x", "body_text": "{contact.nom}"}
    )
    assert typo.status_code == 422 and "body_text" in typo.get_json()["errors"]
    nobody = api.post(
        "/api/v1/letters",
        json={"contact_ids": [people["noaddress"].id], "subject": "x", "body_text": "y"},
    )
    assert nobody.status_code == 422
    assert "No postal address" in nobody.get_json()["errors"]["contact_ids"][0]
    too_many = api.post(
        "/api/v1/letters",
        json={"contact_ids": list(range(1, 2002)), "subject": "x", "body_text": "y"},
    )
    assert too_many.status_code == 422
    assert "At most 2000" in too_many.get_json()["errors"]["contact_ids"][0]
    no_ids = api.post("/api/v1/letters/labels", json={})
    assert no_ids.status_code == 422 and "contact_ids" in no_ids.get_json()["errors"]
    bad_layout = api.post("/api/v1/letters/labels", json={"contact_ids": [ada], "layout": "9x9"})
    assert bad_layout.status_code == 422 and "layout" in bad_layout.get_json()["errors"]
    staff = login_as("staff", locale="en")
    page = staff.post_form(
        "/contacts/letters", {"contact_ids": [ada], "download": "letters", "subject": "x"}
    )
    assert page.status_code == 422 and page.mimetype == "text/html"
    assert "Write the letter." in page.get_data(as_text=True)
    assert letter_activities(app, ada) == []


def test_only_users_allowed_to_print_letters_can(people, login_as, api_client):
    reader = login_as("readonly", locale="en")
    ada = people["ada"].id
    assert reader.get(f"/contacts/{ada}/letter").status_code == 403
    assert reader.post_form("/contacts/letters", {"contact_ids": [ada]}).status_code == 403
    assert 'id="letters-selected"' not in reader.get("/contacts/").get_data(as_text=True)
    assert api_client("readonly").post("/api/v1/letters", json={}).status_code == 403
    assert api_client("readonly").post("/api/v1/letters/labels", json={}).status_code == 403


def test_the_api_documents_letters_and_labels_as_pdf(app):
    from openapi_spec_validator import validate

    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    validate(spec)
    for path in ("/api/v1/letters", "/api/v1/letters/labels"):
        assert "application/pdf" in spec["paths"][path]["post"]["responses"]["200"]["content"]


def test_the_contact_page_offers_a_letter_to_those_allowed(factories, login_as):
    person = factories.contact(first_name="Ada", last_name="Lovelace")
    staff_page = login_as("staff", locale="en").get(f"/contacts/{person.id}").get_data(as_text=True)
    assert f'href="/contacts/{person.id}/letter"' in staff_page
    form = (
        login_as("staff", locale="en").get(f"/contacts/{person.id}/letter").get_data(as_text=True)
    )
    assert "Letter (text)" in form and 'id="f-subject"' in form
    reader_page = (
        login_as("readonly", locale="en").get(f"/contacts/{person.id}").get_data(as_text=True)
    )
    assert 'id="write-letter"' not in reader_page
