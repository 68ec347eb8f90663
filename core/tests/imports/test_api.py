"""The imports API: a client uploads a file, maps its columns, tries it, runs it, downloads the
rejected rows and undoes it, as the import pages do."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from amicale.contacts.models import Contact

from .conftest import csv_bytes

FRENCH = """Civilité;Prénom;Nom;Courriel;Cotisant
Mme;Hélène;Durand;helene@example.org;oui
M.;Jean;Dupont;jean@example.org;non
Mme;Anne;Roux;pas-un-email;
"""

MAPPING = [
    {"column": 0, "field": "prefix"},
    {"column": 0, "field": "gender", "values": {"Mme": "female", "M.": "male"}},
    {"column": 1, "field": "first_name"},
    {"column": 2, "field": "last_name"},
    {"column": 3, "field": "email:Home"},
]


def upload(api, data: bytes = b"", name: str = "adherents.csv", **form):
    files = {"file": (io.BytesIO(data), name)} if name else {}
    return api.post("/api/v1/imports", data={**files, **form}, content_type="multipart/form-data")


def contacts_named(db, *names: str) -> int:
    with db() as s:
        return s.execute(
            select(func.count()).select_from(Contact).where(Contact.first_name.in_(names))
        ).scalar_one()


def test_a_client_uploads_maps_tries_runs_and_undoes_an_import(api_client, db):
    api = api_client("staff")
    up = upload(api, csv_bytes(FRENCH))
    assert up.status_code == 201, up.get_json()
    job = up.get_json()
    assert job["status"] == "ready" and job["target"] == "contacts"
    assert job["file_name"] == "adherents.csv" and len(job["file_hash"]) == 64
    assert job["dialect"]["delimiter"] == ";" and job["file_size"] > 0
    assert job["headers"] == ["Civilité", "Prénom", "Nom", "Courriel", "Cotisant"]
    assert job["sample"][0][:3] == ["Mme", "Hélène", "Durand"]
    guessed = {m["header"]: m["field"] for m in job["options"]["mapping"]}
    assert guessed["Prénom"] == "first_name"
    url = f"/api/v1/imports/{job['id']}"

    bad = api.patch(url, json={"mapping": [{"column": 1, "field": "nickname_of_the_cat"}]})
    assert bad.status_code == 422
    assert "nickname_of_the_cat" in bad.get_json()["errors"]["mapping.0.field"][0]
    wrong_type = api.patch(url, json={"mapping": [{"column": "first", "field": "first_name"}]})
    assert wrong_type.status_code == 422 and "mapping.0.column" in wrong_type.get_json()["errors"]
    not_json = api.open("PATCH", url, data="mapping", content_type="text/plain")
    assert not_json.status_code == 422 and "json" in not_json.get_json()["errors"]
    unknown_key = api.patch(url, json={"colour": "blue"})
    assert unknown_key.status_code == 422 and "colour" in unknown_key.get_json()["errors"]

    configured = api.patch(
        url, json={"mapping": MAPPING, "rule_id": None, "on_duplicate": "skip", "save_as": "Adh"}
    )
    assert configured.status_code == 200, configured.get_json()
    options = configured.get_json()["options"]
    assert [m["field"] for m in options["mapping"]][2:] == ["first_name", "last_name", "email:Home"]
    assert options["mapping"][1]["values"] == {"Mme": "female", "M.": "male"}

    dry = api.post(f"{url}/dry-run")
    assert dry.status_code == 200
    report = dry.get_json()["dry_run"]
    assert (report["created"], report["rejected"]) == (2, 1)
    assert report["rows"][2]["row"] == 4 and report["rows"][2]["action"] == "rejected"
    assert contacts_named(db, "Hélène", "Jean") == 0
    dry_csv = api.get(f"{url}/rejected?dry=1").get_data(as_text=True)
    assert "pas-un-email" in dry_csv

    run = api.post(f"{url}/run")
    assert run.status_code == 202
    done = api.get(url).get_json()
    assert done["status"] == "done" and done["finished_at"]
    assert (done["created"], done["rejected"], done["rows_done"]) == (2, 1, 3)
    assert done["group_id"] and contacts_named(db, "Hélène", "Jean") == 2
    assert api.patch(url, json={"on_duplicate": "update"}).get_json()["errors"]["status"]

    rejected = api.get(f"{url}/rejected")
    assert rejected.status_code == 200 and rejected.mimetype == "text/csv"
    text = rejected.get_data(as_text=True)
    assert text.startswith("\ufeffCivilité;Prénom")
    assert "pas-un-email" in text and "is not an email address" in text
    assert "Hélène" not in text

    undone = api.post(f"{url}/undo")
    assert undone.status_code == 200 and undone.get_json()["status"] == "undone"
    assert contacts_named(db, "Hélène", "Jean") == 0
    assert api.post(f"{url}/undo").status_code == 422

    listed = api.get("/api/v1/imports").get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == job["id"]
    mappings = api.get("/api/v1/import-mappings").get_json()["items"]
    assert [m["name"] for m in mappings] == ["Adh"]


def test_a_saved_mapping_is_applied_by_name(api_client):
    api = api_client("staff")
    first = upload(api, csv_bytes(FRENCH)).get_json()
    api.patch(f"/api/v1/imports/{first['id']}", json={"mapping": MAPPING, "save_as": "Adh"})
    reordered = "Nom;Prénom\nDurand;Hélène\n"
    second = upload(api, csv_bytes(reordered), "autre.csv").get_json()
    url = f"/api/v1/imports/{second['id']}"
    applied = api.patch(url, json={"mapping_name": "Adh"})
    assert applied.status_code == 200, applied.get_json()
    fields = {
        m["header"]: (m["column"], m["field"]) for m in applied.get_json()["options"]["mapping"]
    }
    assert fields == {"Nom": (0, "last_name"), "Prénom": (1, "first_name")}
    unknown = api.patch(url, json={"mapping_name": "Nope"})
    assert unknown.status_code == 422 and "mapping_name" in unknown.get_json()["errors"]


def test_a_missing_or_unreadable_file_is_a_422_on_the_file(api_client):
    api = api_client("staff")
    missing = upload(api, name="")
    assert missing.status_code == 422 and "file" in missing.get_json()["errors"]
    pdf = upload(api, b"%PDF-1.4", "scan.pdf")
    assert pdf.status_code == 422 and "CSV or XLSX" in pdf.get_json()["errors"]["file"][0]
    empty = upload(api, b"", "vide.csv")
    assert empty.status_code == 422 and "file" in empty.get_json()["errors"]
    target = upload(api, csv_bytes(FRENCH), target="spaceships")
    assert target.status_code == 422 and "target" in target.get_json()["errors"]


def test_the_fields_a_column_can_be_mapped_to(api_client):
    api = api_client("staff")
    found = api.get("/api/v1/import-fields?target=contacts").get_json()
    keys = {f["key"]: f for f in found["items"]}
    assert found["total"] == len(found["items"])
    assert keys["first_name"]["section"] and "email:Home" in keys
    assert api.get("/api/v1/import-fields?target=spaceships").status_code == 422


def test_only_users_who_may_import_use_the_api(api_client):
    staff = api_client("staff")
    job_id = upload(staff, csv_bytes(FRENCH)).get_json()["id"]
    volunteer = api_client("volunteer")
    for method, url in [
        ("GET", "/api/v1/imports"),
        ("POST", "/api/v1/imports"),
        ("GET", f"/api/v1/imports/{job_id}"),
        ("PATCH", f"/api/v1/imports/{job_id}"),
        ("POST", f"/api/v1/imports/{job_id}/run"),
        ("POST", f"/api/v1/imports/{job_id}/undo"),
        ("GET", f"/api/v1/imports/{job_id}/rejected"),
        ("GET", "/api/v1/import-mappings"),
        ("GET", "/api/v1/import-fields"),
    ]:
        assert volunteer.open(method, url).status_code == 403, f"{method} {url}"


def test_an_unknown_import_is_a_404(api_client):
    api = api_client("staff")
    for method, url in [
        ("GET", "/api/v1/imports/999"),
        ("PATCH", "/api/v1/imports/999"),
        ("POST", "/api/v1/imports/999/dry-run"),
        ("POST", "/api/v1/imports/999/run"),
        ("POST", "/api/v1/imports/999/undo"),
        ("GET", "/api/v1/imports/999/rejected"),
    ]:
        response = api.open(method, url, json={} if method == "PATCH" else None)
        assert response.status_code == 404, f"{method} {url}"
        assert response.get_json()["code"] == 404


def test_the_openapi_document_lists_the_imports(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    assert {
        "/api/v1/imports",
        "/api/v1/imports/{import_id}",
        "/api/v1/imports/{import_id}/dry-run",
        "/api/v1/imports/{import_id}/run",
        "/api/v1/imports/{import_id}/undo",
        "/api/v1/imports/{import_id}/rejected",
        "/api/v1/import-mappings",
        "/api/v1/import-fields",
    } <= set(spec["paths"])
    upload_op = spec["paths"]["/api/v1/imports"]["post"]
    assert "multipart/form-data" in upload_op["requestBody"]["content"]
    assert upload_op["summary"].startswith("Upload")
