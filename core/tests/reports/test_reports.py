"""Reports answer the questions of funders' forms, as a table, an SVG chart and a CSV file."""

from __future__ import annotations

import pytest

from amicale.contacts import services as contacts
from amicale.db import session


@pytest.fixture
def town(app):
    with app.test_request_context():
        s = session()
        for i, city in enumerate(["Lyon", "Lyon", "Lyon", "Villeurbanne", "Genève"]):
            contacts.create_contact(
                s,
                {
                    "last_name": f"P{i}",
                    "addresses": [{"city": city, "country": "CH" if city == "Genève" else "FR"}],
                },
            )
        contacts.create_contact(s, {"contact_type": "Organization", "organization_name": "Mairie"})
        gone = contacts.create_contact(s, {"last_name": "Gone", "addresses": [{"city": "Lyon"}]})
        contacts.trash_contact(s, gone.id)
        s.commit()


def test_where_contacts_live_as_a_table_a_chart_and_a_csv(town, login_as):
    web = login_as("staff", locale="en")
    index = web.get("/reports/").get_data(as_text=True)
    assert "Where contacts live" in index
    page = web.get("/reports/contacts_by_place").get_data(as_text=True)
    table = page.split('id="report-table"')[1]
    assert table.index("Lyon") < table.index("Villeurbanne")  # most first
    assert "<td>3</td>" in table  # the contact in the trash is not counted
    assert "<svg" in page and "<script" not in page.split("<svg")[1].split("</svg>")[0]
    csv = web.get("/reports/contacts_by_place.csv?level=country")
    assert csv.mimetype == "text/csv"
    body = csv.get_data(as_text=True)
    assert body.startswith("\ufeff") and "FR;4" in body and "CH;1" in body


def test_contacts_by_kind_and_new_contacts_per_month(town, login_as):
    web = login_as("staff", locale="en")
    kinds = web.get("/reports/contacts_by_type").get_data(as_text=True)
    assert "Individual" in kinds and "Organization" in kinds
    monthly = web.get("/reports/new_contacts_per_month").get_data(as_text=True)
    assert "<svg" in monthly


def test_bad_filters_are_refused_on_their_field(town, login_as):
    web = login_as("staff", locale="en")
    response = web.get("/reports/new_contacts_per_month?date_from=last+week")
    assert response.status_code == 422 and "YYYY-MM-DD" in response.get_data(as_text=True)
    assert web.get("/reports/contacts_by_place?level=galaxy").status_code == 422
    assert web.get("/reports/nope").status_code == 404


def test_reports_need_the_permission(town, login_as):
    assert login_as(None).get("/reports/").status_code == 403


def test_activities_by_type_per_month(app, login_as):
    from datetime import UTC, datetime, timedelta

    from amicale.activities.services import create_activity

    with app.test_request_context():
        s = session()
        c = contacts.create_contact(s, {"last_name": "Lao"})
        now = datetime.now(UTC)
        for kind, days in (("phone_call", 0), ("phone_call", 0), ("meeting", 40)):
            create_activity(
                s,
                {
                    "activity_type": kind,
                    "subject": "x",
                    "status": "Completed",
                    "activity_date": now - timedelta(days=days),
                    "target_contact_ids": [c.id],
                },
            )
        s.commit()
    web = login_as("staff", locale="en")
    page = web.get("/reports/activities_by_type_per_month").get_data(as_text=True)
    assert "Phone Call" in page and "Meeting" in page and "<svg" in page
    csv = web.get("/reports/activities_by_type_per_month.csv").get_data(as_text=True)
    this_month = datetime.now(UTC).strftime("%Y-%m")
    line = next(row for row in csv.splitlines() if row.startswith(this_month))
    assert line.endswith(";2") or ";2;" in line


def test_contacts_by_answer_to_an_option_field(app, login_as):
    from amicale.customfields.services import create_field, create_group

    with app.test_request_context():
        s = session()
        group = create_group(s, {"name": "profile", "title": "Profil", "extends": "contact"})
        create_field(
            s,
            {
                "custom_group_id": group.id,
                "name": "csp",
                "label": "Catégorie",
                "data_type": "select",
                "options": [
                    {"value": "retired", "label": "Retraité"},
                    {"value": "student", "label": "Étudiant"},
                    {"value": "employee", "label": "Salarié"},
                ],
            },
        )
        for i, csp in enumerate(["retired", "retired", "student"]):
            contacts.create_contact(s, {"last_name": f"P{i}", "custom": {"csp": csp}})
        s.commit()
    web = login_as("staff", locale="en")
    assert 'value="csp"' in web.get("/reports/contacts_by_option_field").get_data(as_text=True)
    csv = web.get("/reports/contacts_by_option_field.csv?field=csp").get_data(as_text=True)
    assert "Retraité;2" in csv and "Étudiant;1" in csv and "Salarié;0" in csv
