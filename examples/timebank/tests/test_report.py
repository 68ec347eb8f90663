"""The report "Hours exchanged per month per category", through the core's report pages."""

import csv
import io

NAME = "timebank_hours_per_month"


def test_the_report_is_listed_and_shows_a_table_and_a_chart(login_as, factories):
    sewing = factories.timebank.category(name="Sewing")
    garden = factories.timebank.category(name="Gardening")
    factories.timebank.exchange(category_id=sewing.id, hours="1.5", exchange_date="2024-01-10")
    factories.timebank.exchange(category_id=sewing.id, hours="2", exchange_date="2024-01-25")
    factories.timebank.exchange(category_id=garden.id, hours="3", exchange_date="2024-03-02")
    factories.timebank.exchange(category_id=garden.id, hours="9", exchange_date="2024-05-01")
    staff = login_as("staff", locale="en")
    assert f'/reports/{NAME}"' in staff.get("/reports/").get_data(as_text=True)
    response = staff.get(f"/reports/{NAME}?date_from=2024-01-01&date_to=2024-03-31")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Hours exchanged per month per category" in page
    assert "<svg" in page  # the chart: one series per category
    table = page.split('id="report-table"', 1)[1]
    headers = table.split("</thead>", 1)[0]
    assert [h for h in ("Month", "Gardening", "Sewing", "Total") if h in headers] == [
        "Month",
        "Gardening",
        "Sewing",
        "Total",
    ]
    assert "<td>2024-01</td><td>0.00</td><td>3.50</td><td>3.50</td>" in table
    assert "<td>2024-02</td><td>0.00</td><td>0.00</td><td>0.00</td>" in table
    assert "<td>2024-03</td><td>3.00</td><td>0.00</td><td>3.00</td>" in table
    assert "2024-05" not in table


def test_the_report_downloads_as_csv_and_filters_by_category(login_as, factories):
    sewing = factories.timebank.category(name="Sewing")
    garden = factories.timebank.category(name="Gardening")
    factories.timebank.exchange(category_id=sewing.id, hours="1.25", exchange_date="2024-02-10")
    factories.timebank.exchange(category_id=garden.id, hours="4", exchange_date="2024-02-11")
    staff = login_as("staff", locale="en")
    response = staff.get(
        f"/reports/{NAME}.csv?date_from=2024-02-01&date_to=2024-03-31&category={sewing.id}"
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(
        csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    assert rows == [
        ["Month", "Sewing", "Total"],
        ["2024-02", "1.25", "1.25"],
        ["2024-03", "0.00", "0.00"],
    ]


def test_a_period_ending_before_it_starts_is_refused(login_as):
    staff = login_as("staff", locale="en")
    response = staff.get(f"/reports/{NAME}?date_from=2024-05-01&date_to=2024-01-01")
    assert response.status_code == 422
    assert "The start must come before the end." in response.get_data(as_text=True)
    response = staff.get(f"/reports/{NAME}?date_from=May")
    assert response.status_code == 422


def test_the_report_needs_the_timebank_permission(login_as):
    assert login_as("readonly", locale="en").get(f"/reports/{NAME}").status_code == 200
    assert login_as(None, locale="en").get(f"/reports/{NAME}").status_code in (403, 404)
