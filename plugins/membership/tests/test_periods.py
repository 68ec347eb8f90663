"""The dates a membership type gives: rolling, fixed (calendar year, school year, rollover),
lifetime, with real calendar cases."""

from datetime import date

import pytest

from amicale_membership.models import MembershipType
from amicale_membership.services import add_units, period_for


def kind(**values) -> MembershipType:
    values.setdefault("name", "Test")
    values.setdefault("duration_unit", "year")
    values.setdefault("duration_interval", 1)
    values.setdefault("period_type", "rolling")
    return MembershipType(**values)


def test_a_rolling_year_ends_the_day_before_the_anniversary():
    assert period_for(kind(), date(2024, 3, 15)) == (date(2024, 3, 15), date(2025, 3, 14))


def test_a_rolling_year_started_on_29_february_ends_on_28_february():
    assert period_for(kind(), date(2024, 2, 29)) == (date(2024, 2, 29), date(2025, 2, 28))
    # and four years later, a leap year again
    assert period_for(kind(duration_interval=4), date(2024, 2, 29))[1] == date(2028, 2, 28)


def test_a_rolling_month_from_the_31st_ends_at_the_end_of_the_next_month():
    assert period_for(kind(duration_unit="month"), date(2024, 1, 31)) == (
        date(2024, 1, 31),
        date(2024, 2, 29),
    )
    assert period_for(kind(duration_unit="month"), date(2023, 1, 31))[1] == date(2023, 2, 28)
    assert period_for(kind(duration_unit="month", duration_interval=6), date(2024, 8, 31))[
        1
    ] == date(2025, 2, 28)


def test_rolling_days():
    assert period_for(kind(duration_unit="day", duration_interval=30), date(2024, 2, 1))[1] == date(
        2024, 3, 1
    )


def test_a_renewal_period_starts_where_it_is_told():
    assert period_for(kind(), date(2020, 5, 1), start_from=date(2024, 5, 1)) == (
        date(2024, 5, 1),
        date(2025, 4, 30),
    )


def test_a_lifetime_membership_has_no_end():
    assert period_for(kind(duration_unit="lifetime"), date(2024, 6, 1)) == (date(2024, 6, 1), None)


def test_a_fixed_calendar_year_is_the_year_of_the_join_date():
    calendar_year = kind(period_type="fixed", fixed_period_start_day="0101")
    assert period_for(calendar_year, date(2024, 6, 15)) == (date(2024, 1, 1), date(2024, 12, 31))
    assert period_for(calendar_year, date(2024, 1, 1)) == (date(2024, 1, 1), date(2024, 12, 31))
    assert period_for(calendar_year, date(2024, 12, 31)) == (date(2024, 1, 1), date(2024, 12, 31))


@pytest.mark.parametrize(
    ("joined", "period"),
    [
        (date(2024, 9, 1), (date(2024, 9, 1), date(2025, 8, 31))),
        (date(2025, 3, 10), (date(2024, 9, 1), date(2025, 8, 31))),
        (date(2024, 8, 31), (date(2023, 9, 1), date(2024, 8, 31))),
        (date(2024, 2, 29), (date(2023, 9, 1), date(2024, 8, 31))),
    ],
)
def test_a_school_year_runs_from_1_september(joined, period):
    school_year = kind(period_type="fixed", fixed_period_start_day="0901")
    assert period_for(school_year, joined) == period


def test_who_joins_after_the_rollover_day_gets_the_next_period_too():
    calendar_year = kind(
        period_type="fixed", fixed_period_start_day="0101", fixed_period_rollover_day="1001"
    )
    assert period_for(calendar_year, date(2024, 9, 30)) == (date(2024, 1, 1), date(2024, 12, 31))
    assert period_for(calendar_year, date(2024, 10, 1)) == (date(2024, 1, 1), date(2025, 12, 31))
    school_year = kind(
        period_type="fixed", fixed_period_start_day="0901", fixed_period_rollover_day="0501"
    )
    assert period_for(school_year, date(2025, 5, 20)) == (date(2024, 9, 1), date(2026, 8, 31))
    assert period_for(school_year, date(2024, 12, 20)) == (date(2024, 9, 1), date(2025, 8, 31))


def test_a_fixed_renewal_gets_the_next_period():
    calendar_year = kind(
        period_type="fixed", fixed_period_start_day="0101", fixed_period_rollover_day="1001"
    )
    assert period_for(calendar_year, date(2020, 3, 1), start_from=date(2025, 1, 1)) == (
        date(2025, 1, 1),
        date(2025, 12, 31),
    )


def test_adding_months_keeps_the_day_or_takes_the_months_last():
    assert add_units(date(2024, 3, 31), "month", -1) == date(2024, 2, 29)
    assert add_units(date(2024, 3, 31), "month", -1, overflow=True) == date(2024, 3, 1)
    assert add_units(date(2024, 2, 29), "year", 1) == date(2025, 2, 28)
    assert add_units(date(2024, 1, 15), "month", -13) == date(2022, 12, 15)
