"""Repair targets: how long each priority allows, counted in working days that skip
weekends and England and Wales bank holidays, and the Awaab's Law damp-and-mould timers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from app.domain.models import Priority


@dataclass(frozen=True)
class TargetPolicy:
    """A landlord's targets. Emergencies are counted in hours, the rest in working days."""

    emergency_hours: int = 24  # made safe within
    urgent_days: int = 5
    routine_days: int = 20
    planned_days: int = 60
    right_to_repair: bool = False  # council tenants: qualifying repairs in 3 or 7 days
    damp_investigate_days: int = 10
    damp_summary_days: int = 3
    damp_safety_work_days: int = 5


DEFAULT_POLICY = TargetPolicy()
# The Right to Repair regulations' longest periods for qualifying repairs, in working days.
RIGHT_TO_REPAIR_DAYS = {Priority.URGENT: 3, Priority.ROUTINE: 7}
UK = ZoneInfo("Europe/London")  # working days are UK days, whatever clock the caller uses


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    # England and Wales share one list of bank holidays; "ENG" is that list.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=[year]).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (the day of reporting does not count)."""
    day = start
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; negative if `end` is earlier."""
    if end < start:
        return -working_days_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(n)))


def _uk_date(moment: datetime) -> date:
    return moment.astimezone(UK).date() if moment.tzinfo else moment.date()


def _end_of_day(day: date, like: datetime) -> datetime:
    """23:59:59 UK time on `day`, in the same kind of clock as `like`."""
    if like.tzinfo is None:
        return datetime.combine(day, time(23, 59, 59))
    return datetime.combine(day, time(23, 59, 59), tzinfo=UK).astimezone(like.tzinfo)


def target_for(
    priority: Priority, reported_at: datetime, policy: TargetPolicy = DEFAULT_POLICY
) -> datetime:
    """When a repair of this priority, reported at `reported_at`, must be done by."""
    if priority is Priority.EMERGENCY:
        return reported_at + timedelta(hours=policy.emergency_hours)
    days = {
        Priority.URGENT: policy.urgent_days,
        Priority.ROUTINE: policy.routine_days,
        Priority.PLANNED: policy.planned_days,
    }[priority]
    if policy.right_to_repair and priority in RIGHT_TO_REPAIR_DAYS:
        days = min(days, RIGHT_TO_REPAIR_DAYS[priority])
    return _end_of_day(add_working_days(_uk_date(reported_at), days), reported_at)


@dataclass(frozen=True)
class DampAndMouldTimers:
    """Awaab's Law: investigate a reported significant hazard, write to the resident with
    the findings, then start the safety work, each within its own working-day limit."""

    investigate_by: datetime
    summary_by: datetime
    safety_work_by: datetime


def damp_and_mould_timers(
    reported_at: datetime,
    investigated_on: date | None = None,
    policy: TargetPolicy = DEFAULT_POLICY,
) -> DampAndMouldTimers:
    """The three deadlines. Until the investigation happens, later ones assume it happens
    on its deadline; once it has, they run from the day it did."""
    investigate_by = add_working_days(_uk_date(reported_at), policy.damp_investigate_days)
    base = investigated_on or investigate_by
    summary_by = add_working_days(base, policy.damp_summary_days)
    safety_by = add_working_days(base, policy.damp_safety_work_days)
    return DampAndMouldTimers(
        investigate_by=_end_of_day(investigate_by, reported_at),
        summary_by=_end_of_day(summary_by, reported_at),
        safety_work_by=_end_of_day(safety_by, reported_at),
    )
