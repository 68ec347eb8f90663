"""Funding the organisation applies for: applications to funders with their deadlines and
amounts, the reports and indicators each funder requires, figures pulled from the core reports
in one click."""

from sqlalchemy import select

from amicale.api_for_plugins import session
from amicale_grant import services
from amicale_grant.models import FundingApplication, FundingIndicator


def test_staff_records_an_application_to_a_funder(login_as, factories, app):
    funder = factories.organization(organization_name="Fondation de France")
    client = login_as("staff", locale="en")
    response = client.post_form(
        "/grant/funding/new",
        {
            "funder_contact_id": str(funder.id),
            "title": "Shared garden 2027",
            "status": "Submitted",
            "deadline": "2027-02-15",
            "amount_requested": "12 000",
            "currency": "EUR",
        },
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Fondation de France" in page and "€12,000.00" in page
    listing = client.get("/grant/funding/").get_data(as_text=True)
    assert "Shared garden 2027" in listing


def test_a_report_pulls_its_figures_from_a_core_report(login_as, factories, app, count_rows):
    from amicale.api_for_plugins import Contact

    application = factories.grant.funding(title="Youth programme")
    for _ in range(3):
        factories.contact()
    factories.organization()
    client = login_as("staff", locale="en")
    client.post_form(
        f"/grant/funding/{application.id}/reports",
        {"title": "Annual report 2027", "due_date": "2027-12-31"},
    )
    with app.app_context():
        report = services.list_funding_reports(session(), application.id)[0]
    done = client.post_form(
        f"/grant/funding/reports/{report.id}/indicators",
        {"label": "People reached", "source_report": "contacts_by_type"},
    )
    assert done.status_code == 302
    page = client.get(f"/grant/funding/{application.id}").get_data(as_text=True)
    assert "People reached" in page and "Contacts by kind" in page
    with app.app_context():
        indicator = session().scalar(select(FundingIndicator))
    contacts = count_rows(Contact, Contact.is_deleted.is_(False))
    assert indicator.value == str(contacts)
    assert indicator.figures["rows"]
    factories.contact()
    client.post_form(f"/grant/funding/indicators/{indicator.id}/pull")
    with app.app_context():
        assert session().get(FundingIndicator, indicator.id).value == str(contacts + 1)


def test_the_breakdown_by_district_comes_from_the_custom_field(in_app, factories):
    from amicale.customfields.services import create_field, create_group, save_values  # tests

    with in_app() as s:
        group = create_group(s, {"name": "where", "title": "Where", "extends": "contact"})
        create_field(
            s,
            {
                "custom_group_id": group.id,
                "name": "district",
                "label": "District",
                "data_type": "select",
                "options": [
                    {"value": "north", "label": "North"},
                    {"value": "south", "label": "South"},
                ],
            },
        )
        s.commit()
    people = [factories.contact() for _ in range(3)]
    with in_app() as s:
        for person, district in zip(people, ["north", "north", "south"], strict=True):
            save_values(s, "contact", person.id, {"district": district})
        s.commit()
    application = factories.grant.funding()
    with in_app() as s:
        report = services.add_funding_report(s, application.id, {"title": "Mid-term"})
        indicator = services.add_indicator(
            s,
            report.id,
            {
                "label": "Residents by district",
                "source_report": "contacts_by_option_field",
                "source_filters": {"field": "district"},
            },
        )
        rows = {tuple(r[:2]) for r in indicator.figures["rows"]}
        s.commit()
    assert ("North", 2) in rows or ("north", 2) in rows


def test_an_unknown_report_is_refused(in_app, factories):
    import pytest

    from amicale.api_for_plugins import ValidationError

    application = factories.grant.funding()
    with in_app() as s:
        report = services.add_funding_report(s, application.id, {"title": "Final"})
        with pytest.raises(ValidationError) as caught:
            services.add_indicator(s, report.id, {"label": "X", "source_report": "nope"})
    assert "source_report" in caught.value.errors


def test_reports_due_soon_are_listed_until_sent(login_as, factories, in_app, app):
    from datetime import date, timedelta

    application = factories.grant.funding(title="Sport for all")
    with in_app() as s:
        report = services.add_funding_report(
            s,
            application.id,
            {"title": "Interim report", "due_date": (date.today() + timedelta(days=7)).isoformat()},
        )
        s.commit()
    client = login_as("staff", locale="en")
    assert "Interim report" in client.get("/grant/funding/").get_data(as_text=True)
    client.post_form(f"/grant/funding/reports/{report.id}/submitted")
    assert "Interim report" not in client.get("/grant/funding/").get_data(as_text=True)


def test_readonly_sees_the_funding_but_does_not_record_it(login_as, factories, count_rows):
    application = factories.grant.funding()
    reader = login_as("readonly", locale="en")
    assert reader.get(f"/grant/funding/{application.id}").status_code == 200
    assert reader.get("/grant/funding/new").status_code == 403
    assert count_rows(FundingApplication) == 1


def test_the_indicator_form_offers_each_reports_filters(login_as, factories, in_app):
    application = factories.grant.funding()
    with in_app() as s:
        report = services.add_funding_report(s, application.id, {"title": "Annual"})
        s.commit()
    client = login_as("staff", locale="en")
    page = client.get(f"/grant/funding/{application.id}").get_data(as_text=True)
    assert 'name="filter-date_from"' in page and 'name="filter-level"' in page
    bad = client.post_form(
        f"/grant/funding/reports/{report.id}/indicators",
        {
            "label": "New contacts",
            "source_report": "new_contacts_per_month",
            "filter-date_from": "soon",
        },
    )
    assert bad.status_code == 422
    assert "soon is not a date (YYYY-MM-DD)." in bad.get_data(as_text=True)
    nothing = client.post_form(f"/grant/funding/reports/{report.id}/indicators", {"label": "Hours"})
    assert "Choose a report to take the figures from, or type the value." in nothing.get_data(
        as_text=True
    )
    done = client.post_form(
        f"/grant/funding/reports/{report.id}/indicators",
        {"label": "Where they live", "source_report": "contacts_by_place", "filter-level": "city"},
    )
    assert done.status_code == 302


def test_the_dashboard_lists_the_reports_funders_expect(login_as, factories, in_app):
    from datetime import date, timedelta

    application = factories.grant.funding()
    with in_app() as s:
        late = (date.today() - timedelta(days=3)).isoformat()
        services.add_funding_report(s, application.id, {"title": "Interim", "due_date": late})
        s.commit()
    page = login_as("staff", locale="en").get("/dashboard").get_data(as_text=True)
    assert 'id="grant-funding-widget"' in page
    assert "Interim" in page and "late since" in page
