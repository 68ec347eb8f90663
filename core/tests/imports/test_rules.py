"""What an import does with duplicates (in the database and in the file), custom fields, value
mappings, groups and tags, XLSX files, saved mappings, interruptions, undo, the other targets and
the command line."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from amicale.cli import cli
from amicale.contacts.models import Address, Contact, Email
from amicale.imports import services

from .conftest import csv_bytes

PEOPLE = """Prénom;Nom;Courriel;Code postal;Ville;Métier
Jean;Dupont;jean@example.org;69001;Lyon;Boulanger
Anne;Roux;anne@example.org;75011;Paris;
Jean;Dupont;JEAN@example.org;69001;Lyon;Pâtissier
"""


@pytest.fixture
def existing(db):
    """Jean Dupont is already a contact (no job title, a city)."""
    from amicale.contacts.services import create_contact

    with db() as s:
        c = create_contact(
            s,
            {
                "first_name": "Jean",
                "last_name": "Dupont",
                "emails": [{"email": "jean@example.org"}],
                "addresses": [{"postal_code": "69001", "city": "Lyon"}],
                "source": "fichier 2019",
            },
        )
        s.commit()
        return c.id


def rule_id(db, name: str) -> int:
    from amicale.dedupe.models import DedupeRule

    with db() as s:
        return s.execute(select(DedupeRule.id).where(DedupeRule.name == name)).scalar_one()


def count(db, model=Contact, *where) -> int:
    with db() as s:
        return s.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


MAPPING = [
    {"column": 0, "field": "first_name"},
    {"column": 1, "field": "last_name"},
    {"column": 2, "field": "email:Home"},
    {"column": 3, "field": "address:Home:postal_code"},
    {"column": 4, "field": "address:Home:city"},
    {"column": 5, "field": "job_title"},
]


@pytest.mark.parametrize(
    ("on_duplicate", "counts", "title"),
    [
        ("skip", (1, 0, 2), None),
        ("update", (1, 2, 0), "Pâtissier"),
        ("fill", (1, 1, 1), "Boulanger"),
        ("create", (3, 0, 0), None),
    ],
)
def test_what_happens_to_a_duplicate(
    db, existing, start_import, run_import, on_duplicate, counts, title
):
    job_id = start_import(
        csv_bytes(PEOPLE),
        mapping=MAPPING,
        rule_id=rule_id(db, "Same email"),
        on_duplicate=on_duplicate,
    )
    result = run_import(job_id)
    assert (result["created"], result["updated"], result["skipped"]) == counts
    with db() as s:
        jean = s.get(Contact, existing)
        assert jean.job_title == title
        assert jean.source == "fichier 2019"  # a column not in the file is left alone
    jeans = count(db, Contact, Contact.first_name == "Jean")
    assert jeans == (3 if on_duplicate == "create" else 1)


def test_the_same_person_twice_in_a_file_is_one_contact(db, start_import, run_import):
    job_id = start_import(
        csv_bytes(PEOPLE), mapping=MAPPING, rule_id=rule_id(db, "Same email"), on_duplicate="skip"
    )
    dry = run_import(job_id, dry_run=True)["dry_run"]
    assert (dry["created"], dry["skipped"]) == (2, 1)
    assert dry["rows"][2] == {"row": 4, "action": "skipped", "reason": "Same person as row 2."}
    assert count(db) == 0  # a dry run writes no contact
    result = run_import(job_id)
    assert (result["created"], result["skipped"]) == (2, 1)
    assert count(db, Email, Email.email == "jean@example.org") == 1


def test_a_fuzzy_rule_finds_a_misspelt_name_in_the_same_postal_code(
    db, existing, start_import, run_import
):
    data = csv_bytes("Prénom;Nom;Code postal\nJean;Duppont;69001\nJean;Duppont;75011\n")
    mapping = [
        {"column": 0, "field": "first_name"},
        {"column": 1, "field": "last_name"},
        {"column": 2, "field": "address:Home:postal_code"},
    ]
    fuzzy = rule_id(db, "Similar name in the same postal code")
    result = run_import(start_import(data, mapping=mapping, rule_id=fuzzy, on_duplicate="skip"))
    assert (result["created"], result["skipped"]) == (1, 1)


def test_external_identifiers_update_the_contact_they_name(db, start_import, run_import):
    first = csv_bytes("Numéro;Prénom;Nom\nA-17;Jeanne;Martin\n")
    mapping = [
        {"column": 0, "field": "external_identifier"},
        {"column": 1, "field": "first_name"},
        {"column": 2, "field": "last_name"},
    ]
    run_import(start_import(first, mapping=mapping, rule_id=None))
    again = csv_bytes("Numéro;Prénom;Nom\nA-17;Jeanne;Martin-Roux\n")
    result = run_import(start_import(again, mapping=mapping, rule_id=None, on_duplicate="update"))
    assert (result["created"], result["updated"]) == (0, 1)
    with db() as s:
        assert s.execute(select(Contact.last_name)).scalar_one() == "Martin-Roux"
    created_anyway = run_import(
        start_import(again, mapping=mapping, rule_id=None, on_duplicate="create")
    )
    assert created_anyway["rejected"] == 1 and count(db) == 1


@pytest.fixture
def fields(db):
    from amicale.customfields import services as custom

    with db() as s:
        group = custom.create_group(s, {"name": "profile", "title": "Profile"}).id
        for name, label, data_type, extra in (
            ("height", "Height (m)", "number", {}),
            ("first_visit", "First visit", "date", {}),
            ("vegetarian", "Vegetarian", "boolean", {}),
            (
                "diet",
                "Diet",
                "select",
                {
                    "options": [
                        {"value": "omni", "label": "Eats everything"},
                        {"value": "veggie", "label": "Vegetarian"},
                        {"value": "vegan", "label": "Vegan"},
                    ]
                },
            ),
        ):
            custom.create_field(
                s,
                {
                    "custom_group_id": group,
                    "name": name,
                    "label": label,
                    "data_type": data_type,
                    **extra,
                },
            )
        s.commit()


def test_custom_fields_value_mapping_groups_and_tags(db, start_import, run_import, fields):
    from amicale.customfields.services import values_for
    from amicale.groups.services import create_group, member_ids_query
    from amicale.tags.services import create_tag

    with db() as s:
        board = create_group(s, {"title": "Bureau"}).id
        news = create_group(s, {"title": "Lettre d'information"}).id
        tag = create_tag(s, {"name": "Fichier 2019"}).id
        s.commit()
    data = csv_bytes(
        "Prénom;Nom;Régime;Taille;Première visite;Végétarien;Groupes\n"
        "Ada;Lovelace;VG;1,65;14/03/2019;oui;Bureau\n"
        "Alan;Turing;XX;1,80;01/02/2018;non;\n"
        "Grace;Hopper;omni;abc;;;Inconnu\n"
    )
    mapping = [
        {"column": 0, "field": "first_name"},
        {"column": 1, "field": "last_name"},
        {"column": 2, "field": "custom:diet", "values": {"VG": "vegan", "xx": "veggie"}},
        {"column": 3, "field": "custom:height"},
        {"column": 4, "field": "custom:first_visit"},
        {"column": 5, "field": "custom:vegetarian"},
        {"column": 6, "field": "groups"},
    ]
    job_id = start_import(data, mapping=mapping, rule_id=None, groups=[news], tags=[tag])
    result = run_import(job_id)
    assert (result["created"], result["rejected"]) == (2, 1)
    with db() as s:
        ada, alan = (
            s.execute(select(Contact.id).where(Contact.first_name == n)).scalar_one()
            for n in ("Ada", "Alan")
        )
        values = values_for(s, "contact", [ada, alan])
        assert values[ada]["diet"] == "vegan" and values[alan]["diet"] == "veggie"
        assert values[ada]["height"] == 1.65 or str(values[ada]["height"]) == "1.65"
        assert values[ada]["first_visit"] in (date(2019, 3, 14), "2019-03-14")
        assert values[ada]["vegetarian"] is True and values[alan]["vegetarian"] is False
        from amicale.groups.services import get_group

        def members(group_id):
            return set(s.execute(member_ids_query(s, get_group(s, group_id))).scalars())

        assert members(board) == {ada}
        assert members(news) == {ada, alan}
        assert members(result["group_id"]) == {ada, alan}  # the group of this import
        from amicale.tags.services import contact_tags

        assert [t.name for t in contact_tags(s, alan)] == ["Fichier 2019"]
        reason = services.reject_sample(s, job_id)[0].reason
    assert "Taille" in reason and "Groupes: Unknown group: Inconnu" in reason


def test_an_xlsx_workbook_with_date_cells(db, start_import, run_import):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Prénom", "Nom", "Date de naissance", "Email"])
    sheet.append(["Marie", "Curie", date(1867, 11, 7), "marie@example.org"])
    sheet.append(["Pierre", "Curie", "15/05/1859", "pierre@example.org"])
    buffer = io.BytesIO()
    book.save(buffer)
    job_id = start_import(buffer.getvalue(), "physiciens.xlsx")
    with db() as s:
        assert services.get_job(s, job_id).dialect["format"] == "xlsx"
    assert run_import(job_id)["created"] == 2
    with db() as s:
        births = dict(s.execute(select(Contact.first_name, Contact.birth_date)).all())
    assert births == {"Marie": date(1867, 11, 7), "Pierre": date(1859, 5, 15)}


def test_a_utf8_file_with_commas_iso_dates_and_decimal_points_is_detected(db, start_import):
    data = b"first name,last name,birth date,amount\nAda,Lovelace,1815-12-10,12.50\n"
    job_id = start_import(data, "export.csv")
    with db() as s:
        dialect = services.get_job(s, job_id).dialect
    assert (dialect["delimiter"], dialect["encoding"]) == (",", "utf-8")
    assert (dialect["date_format"], dialect["decimal"]) == ("yyyy-mm-dd", ".")


def test_a_saved_mapping_finds_its_columns_by_header_in_another_file(db, start_import, run_import):
    first = csv_bytes("Nom;Prénom;Cotisant\nRoux;Anne;x\n")
    mapping = [
        {"column": 0, "field": "last_name"},
        {"column": 1, "field": "first_name"},
        {"column": 2, "field": "do_not_mail", "values": {"x": "non"}},
    ]
    start_import(first, mapping=mapping, rule_id=None, save_as="Fichier des adhérents")
    second = csv_bytes("Cotisant;Prénom;Nom\nx;Paul;Martin\n")
    job_id = start_import(second)
    with db() as s:
        job = services.apply_mapping(s, job_id, "Fichier des adhérents")
        s.commit()
        fields = {m["column"]: m["field"] for m in job.options["mapping"]}
    assert fields == {0: "do_not_mail", 1: "first_name", 2: "last_name"}
    run_import(job_id)
    with db() as s:
        paul = s.execute(select(Contact).where(Contact.first_name == "Paul")).scalar_one()
        assert paul.last_name == "Martin" and paul.do_not_mail is False


def test_an_interrupted_import_resumes_where_it_stopped(db, start_import, run_import):
    rows = "".join(f"Personne{i};Test;p{i}@example.org\n" for i in range(7))
    job_id = start_import(
        csv_bytes("Prénom;Nom;Courriel\n" + rows), rule_id=rule_id(db, "Same email")
    )

    def stop_after_first_batch(done, total):
        raise KeyboardInterrupt  # the worker is stopped

    with pytest.raises(KeyboardInterrupt), db() as s:
        services.run(s, job_id, batch_size=3, progress=stop_after_first_batch)
    with db() as s:
        job = services.get_job(s, job_id)
        assert (job.status, job.rows_done, job.created) == ("failed", 3, 3)
    assert count(db) == 3  # the first batch is in, whole; nothing of the second
    result = run_import(job_id, batch_size=3)
    assert (result["status"], result["created"], result["rows_done"]) == ("done", 7, 7)
    assert count(db) == 7


def test_undo_deletes_what_was_created_and_puts_back_what_was_changed(
    db, existing, start_import, run_import
):
    job_id = start_import(
        csv_bytes(PEOPLE), mapping=MAPPING, rule_id=rule_id(db, "Same email"), on_duplicate="update"
    )
    run_import(job_id)
    assert count(db) == 2
    with db() as s:
        services.undo(s, job_id)
        job = services.get_job(s, job_id)
        assert job.status == "undone" and job.group_id is None
        jean = s.get(Contact, existing)
        assert jean.job_title is None
        assert s.execute(select(Address.city).where(Address.contact_id == existing)).scalar() == (
            "Lyon"
        )
    assert count(db) == 1 and count(db, Email) == 1
    with db() as s, pytest.raises(services.ValidationError):
        services.undo(s, job_id)


def test_bad_configuration_is_refused_with_every_field_error(db, start_import):
    job_id = start_import(csv_bytes(PEOPLE))
    with db() as s, pytest.raises(services.ValidationError) as refused:
        services.configure(
            s,
            job_id,
            {
                "mapping": [{"column": 99, "field": "first_name"}, {"column": 1, "field": "nope"}],
                "on_duplicate": "merge",
                "rule_id": 12345,
                "dialect": {"delimiter": "#"},
            },
        )
    assert set(refused.value.errors) >= {
        "mapping.0.column",
        "mapping.1.field",
        "on_duplicate",
        "rule_id",
        "dialect.delimiter",
    }
    with db() as s:
        assert services.get_job(s, job_id).options["on_duplicate"] == "skip"  # nothing changed


def test_activities_are_matched_to_contacts_by_email_or_external_identifier(
    db, existing, start_import, run_import
):
    from amicale.activities.models import Activity, ActivityContact

    data = csv_bytes(
        "Courriel;Type;Date;Objet\n"
        "jean@example.org;Meeting;12/10/2025;Assemblée générale\n"
        "personne@example.org;Meeting;12/10/2025;Inconnu\n"
        "jean@example.org;Nope;12/10/2025;Mauvais type\n"
    )
    with db() as s:
        job = services.start(s, io.BytesIO(data), "activites.csv", target="activities")
        services.configure(
            s,
            job.id,
            {
                "mapping": [
                    {"column": 0, "field": "contact_id:email"},
                    {"column": 1, "field": "activity_type"},
                    {"column": 2, "field": "activity_date"},
                    {"column": 3, "field": "subject"},
                ]
            },
        )
        s.commit()
    result = run_import(job.id)
    assert (result["created"], result["rejected"]) == (1, 2)
    with db() as s:
        subject, contact_id = s.execute(
            select(Activity.subject, ActivityContact.contact_id).join(
                ActivityContact, ActivityContact.activity_id == Activity.id
            )
        ).one()
        assert (subject, contact_id) == ("Assemblée générale", existing)
        reasons = sorted(r.reason for r in services.reject_sample(s, job.id))
    assert "No contact found for personne@example.org." in reasons
    assert any("Nope" in r and "is not one of the options" in r for r in reasons)


def test_the_command_line_imports_with_a_report(app, db, tmp_path):
    path = tmp_path / "adherents.csv"
    path.write_bytes(csv_bytes(PEOPLE))
    runner = CliRunner()
    dry = runner.invoke(cli, ["import", "contacts", str(path), "--dry-run", "--json"], obj=app)
    assert dry.exit_code == 0, dry.output
    report = json.loads(dry.output.strip().splitlines()[-1])
    assert (report["created"], report["skipped"], report["dry_run"]) == (2, 1, True)
    assert count(db) == 0
    done = runner.invoke(
        cli,
        ["import", "contacts", str(path), "--rule", "Same email", "--on-duplicate", "update"],
        obj=app,
    )
    assert done.exit_code == 0, done.output
    assert "Done: 2 created, 1 updated, 0 skipped, 0 rejected." in done.output
    assert count(db) == 2
    bad = runner.invoke(cli, ["import", "contacts", str(path), "--rule", "Nope"], obj=app)
    assert bad.exit_code == 1 and "Nope" in bad.output
    listed = runner.invoke(cli, ["import", "list"], obj=app)
    assert "adherents.csv" in listed.output


def test_only_those_allowed_to_import_see_the_pages(login_as):
    assert login_as("volunteer", locale="en").get("/imports/").status_code == 403
    assert login_as("staff", locale="en").get("/imports/").status_code == 200
