"""The reports: members by type and status, joins and lapses per month, retention by cohort;
each a GROUP BY whatever the number of members."""

from datetime import date, timedelta

from sqlalchemy import event

from amicale.api_for_plugins import hook, session
from amicale_membership import reports


def _report(name):
    return next(r for result in hook.reports() for r in result if r.name == name)


def _members(factories):
    today = date.today()
    individual = factories.membership.type(name="Individual")
    family = factories.membership.type(name="Family")
    factories.membership.membership(membership_type_id=individual.id, join_date=today.isoformat())
    factories.membership.membership(
        membership_type_id=individual.id, join_date=(today - timedelta(days=200)).isoformat()
    )
    factories.membership.membership(membership_type_id=family.id, join_date="2019-03-01")
    factories.membership.membership(
        membership_type_id=family.id, join_date=(today - timedelta(days=500)).isoformat()
    )


def test_members_by_type_and_status(app, factories):
    _members(factories)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        result = _report("membership_by_type_and_status").run(session(), {})
    assert result.columns[0] == "Membership type" and result.columns[-1] == "Total"
    rows = {r[0]: r for r in result.rows}
    assert rows["Individual"][-1] == 2 and rows["Family"][-1] == 2
    assert result.labels == ["Family", "Individual"]
    assert sum(result.series["Expired"]) == 2 and sum(result.series["New"]) == 1


def test_joins_and_lapses_over_24_months(app, factories):
    _members(factories)
    today = date.today()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        result = _report("membership_joins_and_lapses").run(session(), {})
    assert len(result.labels) == 24 and result.labels[-1] == today.strftime("%Y-%m")
    assert sum(result.series["Joined"]) == 3  # the 2019 one is older than 24 months
    assert sum(result.series["Lapsed"]) == 1  # the one ended ~135 days ago
    assert result.rows[-1][1] >= 1


def test_retention_by_cohort(app, factories):
    _members(factories)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        result = _report("membership_retention").run(session(), {})
    rows = {r[0]: r for r in result.rows}
    assert rows[2019][1:] == (1, 0, 0.0)
    assert rows[date.today().year][3] == 100.0


def test_each_report_is_a_few_queries_whatever_the_members(app, factories):
    _members(factories)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        s = session()
        statements = []
        listener = lambda *a, **k: statements.append(a[2])  # noqa: E731
        engine = s.get_bind()
        event.listen(engine, "before_cursor_execute", listener)
        try:
            for run in (
                reports.members_by_type_and_status,
                reports.joins_and_lapses,
                reports.retention_by_cohort,
            ):
                run(s, {})
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    assert len([q for q in statements if "GROUP BY" in q]) == 4
    assert len(statements) <= 5


def test_the_report_pages(login_as, factories):
    _members(factories)
    staff = login_as("staff", locale="en")
    for name in ("by_type_and_status", "joins_and_lapses", "retention"):
        page = staff.get(f"/reports/membership_{name}")
        assert page.status_code == 200 and "<svg" in page.get_data(as_text=True)
    assert "Individual" in staff.get("/reports/membership_by_type_and_status.csv").get_data(
        as_text=True
    )
