"""Search filters, mail tokens, the contact summary, the dashboard widget and the reports of
contributions. Every function that depends on the day is given it: nothing here depends on the
date the tests run, except the pages, which are fed gifts of today."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event

from amicale.api_for_plugins import ValidationError, hook, session, utcnow
from amicale_contribute import insight_queries as q
from amicale_contribute import insight_reports, insights

TODAY = date(2026, 3, 15)


def _found(app, criteria) -> set[int]:
    from amicale.contacts.search import contact_ids_query

    with app.test_request_context(headers={"Accept-Language": "en"}):
        s = session()
        return set(s.scalars(contact_ids_query(s, criteria)))


def _ids(app, query) -> set[int]:
    from sqlalchemy import select

    from amicale.api_for_plugins import Contact

    with app.test_request_context():
        return set(session().scalars(select(Contact.id).where(Contact.id.in_(query))))


@pytest.fixture
def donors(factories):
    """Ada gave last year only; Bob gave both years; Chloé gave in 2023 only; Dan's only gift
    of last year was cancelled; Eve never gave."""
    made = {n: factories.contact(first_name=n, last_name="Test") for n in ("Ada", "Bob", "Chloé")}
    made.update({n: factories.contact(first_name=n, last_name="Test") for n in ("Dan", "Eve")})
    gift = factories.contribute.contribution
    gift(made["Ada"].id, amount="300.00", receive_date="2025-05-10")
    gift(made["Bob"].id, amount="20.00", receive_date="2025-06-01")
    gift(made["Bob"].id, amount="30.00", receive_date="2026-02-01")
    gift(made["Chloé"].id, amount="10.00", receive_date="2023-09-01")
    gift(made["Dan"].id, amount="500.00", receive_date="2025-07-01", status="Cancelled")
    return {name: c.id for name, c in made.items()}


def test_lybunt_finds_last_years_donor_who_gave_nothing_this_year(app, donors):
    assert _found(app, {"contribution_lybunt": "2026"}) == {donors["Ada"]}
    assert _found(app, {"contribution_sybunt": "2026"}) == {donors["Ada"], donors["Chloé"]}
    assert _found(app, {"contribution_lybunt": "2025"}) == set()  # Chloé skipped 2024
    with pytest.raises(ValidationError):
        _found(app, {"contribution_lybunt": "someday"})


def test_total_given_over_a_period_whatever_the_order_of_the_criteria(app, donors, factories):
    factories.contribute.contribution(donors["Ada"], amount="100.00", receive_date="2026-01-05")
    lifetime = {"contribution_total": {"from": "80", "to": None}}
    assert _found(app, lifetime) == {donors["Ada"]}  # 400, Bob 50, Dan's gift cancelled
    period = {"from": "2026-01-01", "to": "2026-12-31"}
    for criteria in (
        {"contribution_total_period": period, "contribution_total": {"from": "80"}},
        {"contribution_total": {"from": "80"}, "contribution_total_period": period},
    ):
        assert _found(app, criteria) == {donors["Ada"]}
    for criteria in (
        {"contribution_total_period": period, "contribution_total": {"from": "150"}},
        {"contribution_total": {"from": "150"}, "contribution_total_period": period},
    ):
        assert _found(app, criteria) == set()
    assert _found(app, {"contribution_total": {"to": "60"}}) == {donors["Bob"], donors["Chloé"]}
    assert _found(app, {"contribution_total_period": period}) == {donors["Ada"], donors["Bob"]}
    api_style = {"contribution_total": {"from": "25", "date_from": "2026-01-01"}}
    assert _found(app, api_style) == {donors["Ada"], donors["Bob"]}
    with pytest.raises(ValidationError):
        _found(app, {"contribution_total": {"from": "lots"}})


def test_first_and_last_gift_campaign_and_financial_type(app, donors, factories):
    spring = factories.contribute.campaign(name="Spring appeal", goal_amount="1000")
    dues = factories.contribute.financial_type(name="Gala")
    factories.contribute.contribution(
        donors["Eve"], amount="5.00", receive_date="2026-03-01", campaign_id=spring.id
    )
    factories.contribute.contribution(
        donors["Dan"], amount="5.00", receive_date="2026-03-02", campaign_id=spring.id,
        status="Cancelled",
    )  # fmt: skip
    factories.contribute.contribution(
        donors["Chloé"], amount="7.00", receive_date="2026-03-03", financial_type_id=dues.id
    )
    first = {"contribution_first_date": {"from": "2025-01-01", "to": "2025-12-31"}}
    assert _found(app, first) == {donors["Ada"], donors["Bob"]}
    last = {"contribution_last_date": {"from": "2026-01-01", "to": None}}
    assert _found(app, last) == {donors["Bob"], donors["Eve"], donors["Chloé"]}
    assert _found(app, {"contribution_campaign": [str(spring.id)]}) == {donors["Eve"]}
    assert _found(app, {"contribution_financial_type": [str(dues.id)]}) == {donors["Chloé"]}


def test_gave_in_the_last_months_and_lapsed_donors(app, donors):
    within = _ids(app, q.gave_within_months(3, TODAY))
    assert within == {donors["Bob"]}
    from sqlalchemy import select

    from amicale.api_for_plugins import Contact

    lapsed = _ids(app, select(Contact.id).where(q.lapsed_for_months(6, TODAY)))
    assert lapsed == {donors["Ada"], donors["Chloé"]}  # Bob gave in February, Eve never
    assert _found(app, {"contribution_within_months": "1200"}) >= {donors["Chloé"]}
    with pytest.raises(ValidationError):
        _found(app, {"contribution_lapsed_months": "long"})


def test_tokens_for_a_batch_of_contacts(in_app, donors, factories):
    factories.contribute.contribution(donors["Bob"], amount="12.50", receive_date="2026-03-03")
    factories.contribute.contribution(
        donors["Bob"], amount="99.00", receive_date="2026-03-04", status="Cancelled"
    )
    ids = [donors["Bob"], donors["Eve"], donors["Ada"]]
    with in_app() as s:
        statements = []
        engine = s.get_bind()
        listener = lambda *a, **k: statements.append(a[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            values = insights.token_values(s, ids, list(insights.TOKENS), today=TODAY)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    assert len([sql for sql in statements if "contribute_contribution" in sql]) == 2
    bob = values[donors["Bob"]]
    assert bob["contribution.last_amount"] == "€12.50"
    assert bob["contribution.last_date"] == "March 3, 2026"
    assert bob["contribution.total_this_year"] == "€42.50"
    assert bob["contribution.total_last_year"] == "€20.00"
    assert bob["contribution.total_lifetime"] == "€62.50"
    assert bob["contribution.count"] == "3"
    eve = values[donors["Eve"]]
    assert eve["contribution.last_amount"] == "" and eve["contribution.last_date"] == ""
    assert eve["contribution.total_lifetime"] == "€0.00" and eve["contribution.count"] == "0"
    assert values[donors["Ada"]]["contribution.total_last_year"] == "€300.00"
    assert values[donors["Ada"]]["contribution.total_this_year"] == "€0.00"
    with in_app():
        offered = {token for answer in hook.mail_tokens() for token in answer or {}}
        assert offered >= set(insights.TOKENS)


def test_the_contact_page_sums_up_what_they_gave(login_as, donors, factories):
    factories.contribute.contribution(donors["Bob"], amount="300.00", receive_date="2026-03-03")
    staff = login_as("staff", locale="en")
    page = staff.get(f"/contacts/{donors['Bob']}").get_data(as_text=True)
    assert "Gave €350.00 in 3 gifts, last on March 3, 2026" in page
    assert "Gave" not in staff.get(f"/contacts/{donors['Eve']}").get_data(as_text=True)


def test_the_widget_compares_the_months_and_counts_this_months_campaign_donors(
    in_app, factories, donors
):
    spring = factories.contribute.campaign(name="Spring appeal", goal_amount="1000")
    gift = factories.contribute.contribution
    gift(donors["Ada"], amount="100.00", receive_date="2026-03-02", campaign_id=spring.id)
    gift(donors["Ada"], amount="50.00", receive_date="2026-03-09", campaign_id=spring.id)
    gift(donors["Eve"], amount="25.00", receive_date="2026-03-10", campaign_id=spring.id)
    gift(donors["Dan"], amount="75.00", receive_date="2026-03-11", campaign_id=spring.id,
         status="Cancelled")  # fmt: skip
    gift(donors["Chloé"], amount="200.00", receive_date="2026-02-20", campaign_id=spring.id)
    with in_app() as s:
        context = insights.widget_context(s, TODAY)
    this, last = context["this"], context["last"]
    assert (this.amount, this.gifts, this.donors) == (Decimal("175.00"), 3, 2)
    assert (last.amount, last.gifts, last.donors) == (Decimal("230.00"), 2, 2)  # Bob 30 on 1 Feb
    assert context["changes"]["gifts"] == 50
    (line,) = context["campaigns"]
    assert (line.name, line.raised, line.percent) == ("Spring appeal", Decimal("375.00"), 37)
    assert (line.donors_this_month, line.gifts_this_month) == (2, 3)


def test_the_dashboard_shows_this_months_total_and_campaign_donors(login_as, factories):
    today = utcnow().date().isoformat()
    spring = factories.contribute.campaign(name="Spring appeal", goal_amount="1000")
    for amount in ("40.00", "60.00"):
        factories.contribute.contribution(amount=amount, receive_date=today, campaign_id=spring.id)
    page = login_as("staff", locale="en").get("/dashboard").get_data(as_text=True)
    assert 'id="contribute-widget"' in page
    assert "€100.00" in page
    assert "2 people contributed this month" in page
    assert "Spring appeal" in page and "€100.00 raised of €1,000.00 (10 %)" in page


def test_the_totals_by_month_report(in_app, donors, factories):
    spring = factories.contribute.campaign(name="Spring appeal")
    factories.contribute.contribution(
        donors["Eve"], amount="70.00", receive_date="2026-02-28", campaign_id=spring.id
    )
    factories.contribute.contribution(
        donors["Eve"], amount="5.00", receive_date="2026-02-03", status="Partially paid",
        paid_amount="2.00",
    )  # fmt: skip
    with in_app() as s:
        result = insight_reports.totals_by_month(s, {"today": TODAY})
        rows = {row[0]: row for row in result.rows}
        assert rows["2026-02"][1:] == (3, Decimal("102.00"), Decimal("34.00"))
        assert rows["2026-01"][1:] == (0, Decimal("0.00"), Decimal("0.00"))
        assert rows["Total"][1:3] == (3, Decimal("102.00"))
        assert next(iter(result.series.values()))[1] == 102.0
        assert len(result.labels) == 12
        last_year = insight_reports.totals_by_month(s, {"today": TODAY, "year": "2025"})
        assert {r[0]: r[2] for r in last_year.rows}["2025-05"] == Decimal("300.00")
        campaign = insight_reports.totals_by_month(s, {"today": TODAY, "campaign": str(spring.id)})
        assert {r[0]: r[2] for r in campaign.rows}["Total"] == Decimal("70.00")
        gala = factories.contribute.financial_type(name="Gala")
        factories.contribute.contribution(
            donors["Eve"], amount="40.00", receive_date="2026-02-10", financial_type_id=gala.id
        )
        only_gala = insight_reports.totals_by_month(
            s, {"today": TODAY, "financial_type": str(gala.id)}
        )
        assert {r[0]: r[2] for r in only_gala.rows}["2026-02"] == Decimal("40.00")


def test_the_other_reports(in_app, donors, factories):
    spring = factories.contribute.campaign(name="Spring appeal", goal_amount="200")
    factories.contribute.contribution(
        donors["Eve"], amount="50.00", receive_date="2026-03-01", campaign_id=spring.id
    )
    factories.contribute.contribution(
        donors["Ada"], amount="10.00", receive_date="2026-02-01", campaign_id=spring.id
    )
    with in_app() as s:
        by_campaign = insight_reports.by_campaign(s, {})
        assert by_campaign.rows[0][:4] == ("Spring appeal", Decimal("60.00"), 2, 2)
        assert by_campaign.rows[0][5] == 30
        by_type = insight_reports.by_financial_type(s, {"today": TODAY})
        assert by_type.rows == [("Donation", Decimal("90.00"), 3, 3)]
        top = insight_reports.top_donors(s, {"today": TODAY})
        assert [r[0] for r in top.rows][:1] == ["Eve Test"]
        top_2025 = insight_reports.top_donors(
            s, {"since": date(2025, 1, 1), "until": date(2025, 12, 31)}
        )
        assert [(r[0], r[1]) for r in top_2025.rows] == [
            ("Ada Test", Decimal("300.00")),
            ("Bob Test", Decimal("20.00")),
        ]
        retention = {r[0]: r for r in insight_reports.retention(s, {"today": TODAY}).rows}
        assert retention[2025][1:] == (2, 2, 100.0)  # Ada and Bob both gave again in 2026
        assert retention[2023][1:] == (1, 0, 0.0)
        assert retention[2026][2] is None
        seed = insight_reports.campaign_contributors(s, {"today": TODAY})
        assert seed.rows == [("Spring appeal", 1, 1, Decimal("50.00"))]
        feb = insight_reports.campaign_contributors(s, {"today": TODAY, "month": "2026-02"})
        assert feb.rows == [("Spring appeal", 1, 1, Decimal("10.00"))]
        with pytest.raises(ValidationError):
            insight_reports.campaign_contributors(s, {"month": "March"})


def test_the_report_pages_draw_charts_and_give_csv(login_as, donors):
    staff = login_as("staff", locale="en")
    for name in (
        "totals_by_month",
        "by_campaign",
        "by_financial_type",
        "top_donors",
        "retention",
        "campaign_contributors",
    ):
        page = staff.get(f"/reports/contribute_{name}?year=2025&since=2025-01-01")
        assert page.status_code == 200, name
    page = staff.get("/reports/contribute_totals_by_month?year=2025").get_data(as_text=True)
    assert "<svg" in page and "2025-05" in page
    csv = staff.get("/reports/contribute_totals_by_month.csv?year=2025").get_data(as_text=True)
    assert "2025-05;1;300.00" in csv


def test_a_smart_group_from_a_filter_and_the_search_page(app, login_as, donors):
    from amicale.groups.services import group_contact_ids_query, save_search_as_group

    with app.test_request_context(headers={"Accept-Language": "en"}):
        s = session()
        group = save_search_as_group(
            s, "Lapsed since last year", {"contribution_lybunt": "2026"}, None
        )
        s.commit()
        assert set(s.scalars(group_contact_ids_query(s, group))) == {donors["Ada"]}
    staff = login_as("staff", locale="en")
    page = staff.get("/contacts/?contribution_total-from=250").get_data(as_text=True)
    assert "Ada" in page and "Bob Test" not in page
    assert "Gave last year but not this year (LYBUNT)" in staff.get("/contacts/").get_data(
        as_text=True
    )
