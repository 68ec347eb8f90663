"""What goes into an export file: the columns chosen, in order, with each contact's primary
details and custom values, and the same rows whatever the size of the chunks."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from amicale.errors import ValidationError
from amicale.exports import services


def file_of(s, columns, fmt="csv", **query) -> bytes:
    chosen = services.choose_columns(s, columns)
    return b"".join(services.export(s, services.contacts_query(s, **query), chosen, fmt))


def test_rows_carry_the_primary_details_and_custom_values_in_the_order_asked(db, members):
    with db() as s:
        columns = services.choose_columns(
            s, ["custom.dues", "email", "last_name", "custom.joined", "custom.diet", "city"]
        )
        rows = list(services.rows(s, services.contacts_query(s), columns))
    assert [Decimal("12.50"), "marie@example.org", "Curie", date(2024, 3, 1), "Vegan", "Lyon"] in (
        rows
    )
    assert [None, "jean@example.org", "Dupont", None, None, "Paris"] in rows
    assert len(rows) == 3  # the trashed contact is not exported


def test_a_chunked_export_gives_the_same_rows_as_one_chunk(db, members, many):
    with db() as s:
        columns = services.choose_columns(s, ["id", "display_name", "email", "custom.district"])
        query = services.contacts_query(s)
        whole = list(services.rows(s, query, columns, chunk_size=10_000))
        chunked = list(services.rows(s, query, columns, chunk_size=7))
    assert len(whole) == 303
    assert chunked == whole
    assert [r[0] for r in whole] == sorted(r[0] for r in whole)


def test_a_chunk_costs_the_same_number_of_queries_whatever_its_size(app, db, members, many):
    from sqlalchemy import event

    def count_queries(chunk_size: int) -> int:
        with db() as s:
            columns = services.choose_columns(
                s, ["display_name", "email", "phone", "city", "custom.district"]
            )
            statements = []
            engine = s.get_bind()
            listener = lambda *a, **k: statements.append(1)  # noqa: E731
            event.listen(engine, "before_cursor_execute", listener)
            try:
                rows = list(
                    services.rows(s, services.contacts_query(s), columns, chunk_size=chunk_size)
                )
            finally:
                event.remove(engine, "before_cursor_execute", listener)
        assert len(rows) == 303
        return len(statements)

    # 303 contacts in one chunk, then in three chunks of 101: five queries per chunk (contacts,
    # emails, phones, addresses, custom values) and none per row; one more to see the end.
    one, three = count_queries(1000), count_queries(101)
    assert one <= 6 and three <= one + 2 * 5 + 1


def test_unknown_columns_and_formats_are_refused_with_their_names(db, members):
    with db() as s:
        with pytest.raises(ValidationError) as error:
            services.choose_columns(s, ["email", "shoe_size", "custom.nope"])
        assert error.value.errors == {"columns": ["Unknown column: shoe_size, custom.nope"]}
        with pytest.raises(ValidationError) as error:
            services.check_format("pdf")
        assert error.value.field == "format"


def test_a_group_export_has_its_members_only(db, members):
    with db() as s:
        text = file_of(s, ["display_name"], group_id=members["group"]).decode()
    assert text.splitlines() == ["Display name", "Marie Curie", '"Le Grain; de ""SEL"""']


def test_a_search_export_has_what_the_search_finds(db, members):
    with db() as s:
        text = file_of(s, ["display_name", "city"], criteria={"city": "Lyon"}).decode()
    assert text.splitlines() == [
        "Display name,City",
        "Marie Curie,Lyon",
        '"Le Grain; de ""SEL""",Lyon',
    ]


def test_the_plain_csv_uses_iso_dates_and_a_decimal_point(db, members):
    with db() as s:
        data = file_of(s, ["last_name", "birth_date", "custom.dues", "is_deceased"])
    rows = list(csv.reader(io.StringIO(data.decode())))
    assert rows[0] == ["Last name", "Birth date", "Profile: Dues", "Deceased"]
    assert ["Curie", "1967-11-07", "12.50", "0"] in rows


def test_the_excel_french_csv_has_a_bom_semicolons_decimal_commas_and_french_dates(db, members):
    with db() as s:
        data = file_of(
            s, ["last_name", "birth_date", "custom.dues", "custom.district"], fmt="excel-fr"
        )
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "Last name;Birth date;Profile: Dues;Profile: District"
    assert "Curie;07/11/1967;12,50;Croix-Rousse" in lines
    assert '"Le Grain; de ""SEL""";;;' not in lines  # organisations have no last name
    assert ";;;" in lines


def test_excel_french_does_not_let_a_name_run_as_a_formula(db):
    from amicale.contacts.services import create_contact

    with db() as s:
        create_contact(s, {"first_name": "=HYPERLINK(1)", "last_name": "X", "phones": []})
        s.commit()
        data = file_of(s, ["first_name"], fmt="excel-fr").decode("utf-8-sig")
        plain = file_of(s, ["first_name"], fmt="csv").decode()
    assert "'=HYPERLINK(1)" in data.splitlines()
    assert "=HYPERLINK(1)" in plain.splitlines()


def test_the_xlsx_opens_with_typed_cells(db, members, tmp_path):
    from openpyxl import load_workbook

    with db() as s:
        data = file_of(
            s, ["display_name", "birth_date", "custom.dues", "do_not_email", "email"], fmt="xlsx"
        )
    path = tmp_path / "contacts.xlsx"
    path.write_bytes(data)
    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Display name",
        "Birth date",
        "Profile: Dues",
        "Does not want emails",
        "Email",
    )
    marie = next(r for r in rows if r[0] == "Marie Curie")
    assert marie[1].date() == date(1967, 11, 7) and marie[2] == 12.5 and marie[3] is False
    assert marie[4] == "marie@example.org"
    assert len(rows) == 4
