"""Repair targets in working days (England and Wales bank holidays skipped) and the
Awaab's Law damp-and-mould timers, with 2026's Easter and Christmas as the hard cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from app.domain.models import Priority
from app.domain.targets import (
    TargetPolicy,
    add_working_days,
    damp_and_mould_timers,
    is_working_day,
    target_for,
    working_days_between,
)

LONDON = ZoneInfo("Europe/London")
GOOD_FRIDAY = date(2026, 4, 3)
EASTER_MONDAY = date(2026, 4, 6)
CHRISTMAS = date(2026, 12, 25)
BOXING_DAY_OBSERVED = date(2026, 12, 28)


def end_of(day: date) -> datetime:
    """The end of a UK day: 23:59:59 London time, BST in summer."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=ZoneInfo("Europe/London"))


@pytest.mark.parametrize("day", [GOOD_FRIDAY, EASTER_MONDAY, CHRISTMAS, BOXING_DAY_OBSERVED])
def test_bank_holidays_in_england_and_wales_are_not_working_days(day):
    assert not is_working_day(day)


def test_weekends_are_not_working_days_and_ordinary_weekdays_are():
    assert not is_working_day(date(2026, 4, 4))  # Saturday
    assert not is_working_day(date(2026, 4, 5))  # Sunday
    assert is_working_day(date(2026, 4, 7))  # the Tuesday after Easter


def test_a_working_day_after_friday_is_monday():
    assert add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)


def test_the_day_of_reporting_does_not_count_even_on_a_weekend():
    # Reported on Saturday 7 March: Monday 9 is day one, Friday 13 is day five.
    assert add_working_days(date(2026, 3, 7), 5) == date(2026, 3, 13)


def test_routine_repair_reported_before_easter_skips_good_friday_and_easter_monday():
    reported = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)  # Wednesday before Easter
    # Without the two bank holidays the twentieth working day would be Wednesday 29 April.
    assert target_for(Priority.ROUTINE, reported) == end_of(date(2026, 5, 1))


def test_urgent_repair_reported_the_day_before_good_friday_is_due_the_monday_week_after():
    reported = datetime(2026, 4, 2, 16, 0, tzinfo=UTC)
    assert target_for(Priority.URGENT, reported) == end_of(date(2026, 4, 13))


def test_urgent_repair_reported_before_christmas_skips_christmas_boxing_day_and_new_year():
    # Thu 24 Dec, Tue 29, Wed 30, Thu 31, then Fri 1 Jan 2027 is a holiday: Mon 4 Jan.
    reported = datetime(2026, 12, 23, 9, 0, tzinfo=UTC)
    assert target_for(Priority.URGENT, reported) == end_of(date(2027, 1, 4))


def test_planned_work_allows_sixty_working_days():
    reported = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # no bank holidays until Good Friday
    assert target_for(Priority.PLANNED, reported) == end_of(date(2026, 3, 30))


def test_emergency_must_be_made_safe_within_24_hours_even_over_a_bank_holiday():
    reported = datetime(2026, 4, 2, 18, 30, tzinfo=UTC)
    assert target_for(Priority.EMERGENCY, reported) == datetime(2026, 4, 3, 18, 30, tzinfo=UTC)


def test_a_landlord_can_set_its_own_targets():
    policy = TargetPolicy(emergency_hours=4, urgent_days=3)
    reported = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)
    assert target_for(Priority.EMERGENCY, reported, policy) == datetime(
        2026, 4, 1, 14, 0, tzinfo=UTC
    )
    assert target_for(Priority.URGENT, reported, policy) == end_of(date(2026, 4, 8))


def test_working_days_between_dates_skip_the_easter_weekend_and_count_backwards_negative():
    thursday, tuesday = date(2026, 4, 2), date(2026, 4, 7)
    assert working_days_between(thursday, tuesday) == 1
    assert working_days_between(tuesday, thursday) == -1
    assert working_days_between(thursday, thursday) == 0


def test_damp_and_mould_timers_before_investigation_run_from_the_investigation_deadline():
    reported = datetime(2026, 3, 23, 9, 0, tzinfo=UTC)  # Monday
    timers = damp_and_mould_timers(reported)
    # Ten working days, skipping Good Friday and Easter Monday: Wednesday 8 April.
    assert timers.investigate_by == end_of(date(2026, 4, 8))
    assert timers.summary_by == end_of(date(2026, 4, 13))
    assert timers.safety_work_by == end_of(date(2026, 4, 15))


def test_damp_and_mould_summary_and_safety_work_run_from_the_day_of_investigation():
    reported = datetime(2026, 3, 23, 9, 0, tzinfo=UTC)
    timers = damp_and_mould_timers(reported, investigated_on=date(2026, 3, 26))
    assert timers.investigate_by == end_of(date(2026, 4, 8))
    assert timers.summary_by == end_of(date(2026, 3, 31))
    assert timers.safety_work_by == end_of(date(2026, 4, 2))


def test_damp_and_mould_investigated_just_before_easter_gets_its_summary_after_the_holiday():
    reported = datetime(2026, 3, 23, 9, 0, tzinfo=UTC)
    timers = damp_and_mould_timers(reported, investigated_on=date(2026, 4, 2))
    assert timers.summary_by == end_of(date(2026, 4, 9))
    assert timers.safety_work_by == end_of(date(2026, 4, 13))


def test_urgent_repair_reported_just_after_midnight_uk_summer_time_counts_from_the_uk_date():
    reported = datetime(2026, 4, 14, 0, 30, tzinfo=LONDON)  # Tuesday, 23:30 UTC on Monday
    target = target_for(Priority.URGENT, reported.astimezone(UTC))
    assert target.astimezone(LONDON) == datetime(2026, 4, 21, 23, 59, 59, tzinfo=LONDON)
