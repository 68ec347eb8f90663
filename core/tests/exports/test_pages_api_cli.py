"""Exporting as a user does it: from the search page or a group's page to the export page and
its download, through the API, with `amicale export contacts`, and refused without the
permission."""

from __future__ import annotations

import io

from click.testing import CliRunner
from openpyxl import load_workbook

from amicale.cli import cli


def test_the_search_page_links_to_the_export_with_the_search(login_as, members):
    web = login_as("staff", locale="en")
    html = web.get("/contacts/?city=Lyon").get_data(as_text=True)
    assert 'id="export-search"' in html and 'href="/contacts/export?city=Lyon"' in html
    page = web.get("/contacts/export?city=Lyon")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "The contacts your search finds." in html
    assert '<input type="hidden" name="city" value="Lyon">' in html
    for section in ("Contact", "Email, phone and address", "Custom fields"):
        assert f"<legend>{section}</legend>" in html
    assert 'name="columns" value="custom.dues"' in html and "Profile: Dues" in html
    assert 'name="columns" value="email" checked' in html  # a usual column ticked already


def test_downloading_a_search_gives_the_file_of_what_it_finds(login_as, members):
    web = login_as("staff", locale="en")
    response = web.get(
        "/contacts/export/download?city=Lyon&format=csv"
        "&columns=last_name&columns=email&columns=custom.district"
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment;" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).splitlines()
    assert lines == [
        "Last name,Email,Profile: District",
        "Curie,marie@example.org,Croix-Rousse",
        ",,",
    ]


def test_the_group_page_links_to_the_export_of_its_members(login_as, members):
    web = login_as("staff", locale="en")
    group = members["group"]
    html = web.get(f"/groups/{group}").get_data(as_text=True)
    assert f'href="/contacts/export?group_id={group}"' in html
    page = web.get(f"/contacts/export?group_id={group}").get_data(as_text=True)
    assert "The 2 members of the group Board." in page
    response = web.get(
        f"/contacts/export/download?group_id={group}&format=excel-fr&columns=display_name"
    )
    assert response.status_code == 200
    assert 'filename="board-' in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    assert body.decode("utf-8-sig").splitlines() == [
        "Display name",
        "Marie Curie",
        '"Le Grain; de ""SEL"""',
    ]


def test_the_page_says_what_is_wrong_when_no_column_is_ticked(login_as, members):
    web = login_as("staff", locale="en")
    response = web.get("/contacts/export/download?format=csv")
    assert response.status_code == 422
    assert "Choose at least one column." in response.get_data(as_text=True)


def test_the_api_streams_the_file_and_refuses_unknown_columns_and_formats(api_client, members):
    api = api_client("staff")
    response = api.get("/api/v1/contacts/export?format=csv&columns=display_name,city&city=Lyon")
    assert response.status_code == 200
    assert response.get_data(as_text=True).splitlines() == [
        "Display name,City",
        "Marie Curie,Lyon",
        '"Le Grain; de ""SEL""",Lyon',
    ]
    xlsx = api.get(
        f"/api/v1/contacts/export?format=xlsx&columns=last_name&group={members['group']}"
    )
    assert xlsx.status_code == 200
    rows = list(load_workbook(io.BytesIO(xlsx.get_data())).active.iter_rows(values_only=True))
    assert rows[:2] == [("Last name",), ("Curie",)]  # the organisation has no last name
    bad = api.get("/api/v1/contacts/export?columns=display_name,shoe_size")
    assert bad.status_code == 422
    assert bad.get_json()["errors"] == {"columns": ["Unknown column: shoe_size"]}
    bad = api.get("/api/v1/contacts/export?format=pdf")
    assert bad.status_code == 422 and "format" in bad.get_json()["errors"]
    bad = api.get("/api/v1/contacts/export?shoe_size=44")
    assert bad.status_code == 422 and "shoe_size" in bad.get_json()["errors"]


def test_the_command_writes_csv_to_stdout_and_xlsx_to_a_file(app, members, tmp_path):
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["export", "contacts", "--search", '{"city": "Lyon"}', "--columns", "last_name,city"],
        obj=app,
    )
    assert result.exit_code == 0, result.output
    # Without a request, the headers are in the organisation's language (French by default).
    assert result.output.splitlines() == ["Nom,Ville", "Curie,Lyon", ",Lyon"]
    out = tmp_path / "board.xlsx"
    result = runner.invoke(
        cli,
        ["export", "contacts", "--group", str(members["group"]), "--format", "xlsx", "-o", out],
        obj=app,
    )
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert [r[1] for r in rows] == ["Nom affiché", "Marie Curie", 'Le Grain; de "SEL"']


def test_the_command_refuses_a_bad_column_or_format_with_exit_code_2(app, members, tmp_path):
    runner = CliRunner()
    bad_column = runner.invoke(cli, ["export", "contacts", "--columns", "shoe_size"], obj=app)
    # the command speaks the organisation's language (French here), as the file's headers
    assert bad_column.exit_code == 2 and "Colonne inconnue : shoe_size" in bad_column.output
    bad_format = runner.invoke(cli, ["export", "contacts", "--format", "pdf"], obj=app)
    assert bad_format.exit_code == 2 and "Format pdf inconnu" in bad_format.output
    no_file = runner.invoke(cli, ["export", "contacts", "--format", "xlsx"], obj=app)
    assert no_file.exit_code == 2 and "-o FILE" in no_file.output
    bad_search = runner.invoke(cli, ["export", "contacts", "--search", "{city"], obj=app)
    assert bad_search.exit_code == 2 and "--search" in bad_search.output


def test_a_user_without_the_export_permission_is_refused(login_as, api_client, members):
    reader = login_as("readonly", locale="en")
    assert reader.get("/contacts/export").status_code == 403
    assert reader.get("/contacts/export/download?format=csv&columns=email").status_code == 403
    assert 'id="export-search"' not in reader.get("/contacts/").get_data(as_text=True)
    assert api_client("readonly").get("/api/v1/contacts/export").status_code == 403
    staff = login_as("staff", locale="en")
    assert staff.get("/contacts/export").status_code == 200
