"""The status job: a membership moves New -> Current -> Grace -> Expired as the days pass;
overrides are respected and cleared when they end; admin statuses are left alone."""

from datetime import date

from click.testing import CliRunner
from sqlalchemy import select

from amicale.api_for_plugins import session
from amicale_membership import services
from amicale_membership.models import Membership, MembershipLog, MembershipStatus


def status_of(app, membership_id: int) -> str:
    with app.app_context():
        s = session()
        m = s.get(Membership, membership_id)
        return s.get(MembershipStatus, m.status_id).name


def run_job(app, today: date) -> services.StatusUpdate:
    with app.app_context():
        s = session()
        result = services.update_statuses(s, today)
        s.commit()
    return result


def test_a_membership_moves_new_current_grace_expired_as_time_passes(app, factories):
    # joined 15 January 2024 for a year: New until 14 April, Current until 14 January 2025,
    # Grace the month after (to 13 February), Expired from 14 February 2025
    m = factories.membership.membership(join_date="2024-01-15", today=date(2024, 1, 15))
    assert str(m.end_date) == "2025-01-14"
    assert status_of(app, m.id) == "New"
    steps = [
        (date(2024, 4, 14), "New"),
        (date(2024, 4, 15), "Current"),
        (date(2025, 1, 14), "Current"),
        (date(2025, 1, 15), "Grace"),
        (date(2025, 2, 13), "Grace"),
        (date(2025, 2, 14), "Expired"),
        (date(2030, 1, 1), "Expired"),
    ]
    for today, expected in steps:
        run_job(app, today)
        assert status_of(app, m.id) == expected, today
    with app.app_context():
        logged = (
            session()
            .scalars(select(MembershipLog.action).where(MembershipLog.membership_id == m.id))
            .all()
        )
    assert sorted(logged) == ["join", "status", "status", "status"]


def test_the_job_agrees_with_the_python_rules(app, factories):
    kind = factories.membership.type(duration_unit="month", duration_interval=1)
    joined = [date(2024, 1, 31), date(2024, 2, 29), date(2023, 12, 31), date(2024, 3, 1)]
    ids = [
        factories.membership.membership(
            membership_type_id=kind.id, join_date=d.isoformat(), today=d
        ).id
        for d in joined
    ]
    for today in [date(2024, 3, 31), date(2024, 4, 30), date(2024, 5, 1), date(2024, 6, 1)]:
        run_job(app, today)
        with app.app_context():
            s = session()
            for mid in ids:
                m = s.get(Membership, mid)
                expected = services.compute_status(s, m.join_date, m.start_date, m.end_date, today)
                assert m.status_id == expected.id, (today, m.join_date)


def test_the_job_counts_what_changed_and_a_second_run_changes_nothing(app, factories):
    for day in ("2024-01-01", "2024-01-02", "2023-01-01"):
        factories.membership.membership(join_date=day, today=date.fromisoformat(day))
    result = run_job(app, date(2024, 6, 1))
    assert result.changed == {"Current": 2, "Expired": 1}
    assert result.total == 3
    again = run_job(app, date(2024, 6, 1))
    assert again.changed == {} and again.total == 0


def test_an_override_is_kept_until_its_end_then_cleared(app, factories):
    m = factories.membership.membership(join_date="2024-01-15", today=date(2024, 1, 15))
    with app.app_context():
        s = session()
        current = services.status_by_name(s, "Current")
        services.override_status(
            s,
            m.id,
            {
                "status_id": current.id,
                "override_reason": "Paid by cheque, not yet cashed",
                "status_override_end_date": "2025-03-01",
            },
        )
        s.commit()
    result = run_job(app, date(2025, 3, 1))
    assert status_of(app, m.id) == "Current" and result.overrides_cleared == 0
    result = run_job(app, date(2025, 3, 2))
    assert result.overrides_cleared == 1
    assert status_of(app, m.id) == "Expired"
    with app.app_context():
        cleared = session().get(Membership, m.id)
        assert not cleared.is_override and cleared.override_reason is None


def test_an_override_for_good_and_admin_statuses_are_left_alone(app, factories):
    kept = factories.membership.membership(join_date="2024-01-15", today=date(2024, 1, 15))
    pending = factories.membership.membership(
        join_date="2024-01-15", status="Pending", today=date(2024, 1, 15)
    )
    with app.app_context():
        s = session()
        grace = services.status_by_name(s, "Grace")
        services.override_status(
            s, kept.id, {"status_id": grace.id, "override_reason": "Board decision"}
        )
        s.commit()
    run_job(app, date(2026, 1, 1))
    assert status_of(app, kept.id) == "Grace"
    assert status_of(app, pending.id) == "Pending"


def test_a_lifetime_membership_stays_current(app, factories):
    kind = factories.membership.type(duration_unit="lifetime")
    m = factories.membership.membership(
        membership_type_id=kind.id, join_date="2000-01-01", today=date(2000, 1, 1)
    )
    assert m.end_date is None
    run_job(app, date(2040, 1, 1))
    assert status_of(app, m.id) == "Current"


def test_a_status_rule_changed_by_an_admin_applies_at_the_next_run(app, factories):
    m = factories.membership.membership(join_date="2024-01-15", today=date(2024, 1, 15))
    with app.app_context():
        s = session()
        grace = services.status_by_name(s, "Grace")
        expired = services.status_by_name(s, "Expired")
        services.update_status(s, grace.id, {"end_event_adjust_interval": 3})
        services.update_status(s, expired.id, {"start_event_adjust_interval": 3})
        s.commit()
    run_job(app, date(2025, 3, 1))
    assert status_of(app, m.id) == "Grace"


def test_the_command_prints_the_counts(app, factories):
    from amicale.cli import cli

    factories.membership.membership(join_date="2024-01-01", today=date(2024, 1, 1))
    result = CliRunner().invoke(
        cli, ["membership", "update-statuses", "--date", "2025-01-05"], obj=app
    )
    assert result.exit_code == 0, result.output
    assert "Grace: 1" in result.output and "1 membership(s) changed status." in result.output
    bad = CliRunner().invoke(cli, ["membership", "update-statuses", "--date", "soon"], obj=app)
    assert bad.exit_code == 2


def test_the_scheduled_job_updates_the_statuses(app, factories):
    from amicale.api_for_plugins import hook

    factories.membership.membership(join_date="2020-01-01", today=date(2020, 1, 1))
    with app.app_context():
        jobs = [j for found in hook.scheduled_jobs() for j in found]
        (job,) = [j for j in jobs if j.name == "membership.update_statuses"]
        s = session()
        result = job.run(s)
        s.commit()
    assert result.changed == {"Expired": 1}


def test_the_core_runs_the_job_at_its_time_and_jobs_run_all_runs_it_now(app, factories):
    from datetime import datetime

    from amicale.cli import cli
    from amicale.jobs import cron_matches, run_scheduled

    m = factories.membership.membership(join_date="2020-01-01", today=date(2020, 1, 1))
    assert cron_matches("15 0 * * *", datetime(2026, 12, 1, 0, 15))
    assert not cron_matches("15 0 * * *", datetime(2026, 12, 1, 0, 16))
    with app.app_context():
        assert run_scheduled(datetime(2026, 12, 1, 9, 0)) == []  # not its time
    assert status_of(app, m.id) == "New"
    with app.app_context():
        assert run_scheduled(datetime(2026, 12, 1, 0, 15)) == ["membership.update_statuses"]
    assert status_of(app, m.id) == "Expired"
    done = CliRunner().invoke(cli, ["jobs", "run", "--all"], obj=app)
    assert done.exit_code == 0 and "ran membership.update_statuses" in done.output
