"""Holding contractors to account: a scorecard per tradesperson per period, each figure
beside the marketplace median and with the jobs behind it; a queue of named patterns with
editable thresholds; and a pre-review brief of the three things to raise.

Everything here is computed from synced records on the officer's device (or the server),
so it works offline. Records arrive as plain rows (`JobRow`, `VisitRow`, `ExtraRow`): an
officer's device may hold 50,000 jobs, and reading rows is much cheaper than models.

Definitions (each unit-tested against hand-computed values):
- awarded: jobs awarded to them in the period; completed: jobs completed in the period.
- cost per completed job: the agreed price (their offer, or the fixed price) plus approved
  extra work, over completed jobs whose price is known.
- within target: completed jobs with a target that were completed by it, emergencies apart.
- target breaches (SLA): jobs due in the period that were completed late or not at all.
- recalls: completed jobs followed within 30 days by a report at the same home in the same
  trade, or by a job raised as their recall (`parent_id`).
- fixed first time: completed jobs with no no-access visit and no recall.
- no access: visits in the period where nobody was in.
- extra work refused: extra work they asked for in the period that the officer refused.
- residents' ratings: quality ratings of jobs completed in the period; a monthly trend."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import NamedTuple

from app.domain.models import JobStatus, Priority, Trade
from app.domain.records import Extra, Job, Visit
from app.domain.targets import UK

RECALL_WINDOW = timedelta(days=30)
DONE = frozenset({JobStatus.COMPLETED, JobStatus.CLOSED})
GONE = frozenset({JobStatus.CANCELLED, JobStatus.DUPLICATE})


class JobRow(NamedTuple):
    id: str
    home_id: str
    trade: Trade
    priority: Priority | None
    status: JobStatus
    reported_at: datetime
    target_at: datetime | None
    awarded_to: str | None
    awarded_at: datetime | None
    completed_at: datetime | None
    rating_speed: int | None
    rating_quality: int | None
    review: str
    price_pence: int | None  # agreed: the awarded offer's price or the fixed price
    parent_id: str | None
    title: str


class VisitRow(NamedTuple):
    job_id: str
    tradesperson_id: str
    started_at: datetime
    outcome: str


class ExtraRow(NamedTuple):
    job_id: str
    tradesperson_id: str
    requested_at: datetime
    status: str
    price_pence: int


def rows_from_records(
    jobs: Iterable[Job],
    visits: Iterable[Visit] = (),
    extras: Iterable[Extra] = (),
    offer_prices: Mapping[str, int] | None = None,
) -> tuple[list[JobRow], list[VisitRow], list[ExtraRow]]:
    """Rows from records, for tests and small sets; devices read rows straight from SQL."""
    prices = offer_prices or {}
    return (
        [
            JobRow(
                j.id,
                j.home_id,
                j.trade,
                j.priority,
                j.status,
                j.reported_at,
                j.target_at,
                j.awarded_to,
                j.awarded_at,
                j.completed_at,
                j.rating_speed,
                j.rating_quality,
                j.review,
                prices.get(j.awarded_offer_id or "", j.fixed_price_pence),
                j.parent_id,
                j.title,
            )  # fmt: skip
            for j in jobs
        ],
        [VisitRow(v.job_id, v.tradesperson_id, v.started_at, v.outcome) for v in visits],
        [
            ExtraRow(e.job_id, e.tradesperson_id, e.requested_at, e.status, e.price_pence)
            for e in extras
        ],
    )


@dataclass(frozen=True)
class Period:
    """UK calendar days from `start` to `end`, both included."""

    start: date
    end: date

    @cached_property
    def begins(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=UK).astimezone(UTC)

    @cached_property
    def ends(self) -> datetime:  # the first moment after the period
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UK).astimezone(UTC)

    def holds(self, moment: datetime | None) -> bool:
        return moment is not None and self.begins <= moment < self.ends

    @classmethod
    def quarter_of(cls, day: date) -> Period:
        first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        after = date(first.year + (first.month > 9), (first.month + 2) % 12 + 1, 1)
        return cls(first, after - timedelta(days=1))

    @property
    def label(self) -> str:
        return f"{self.start.day} {self.start:%B %Y} to {self.end.day} {self.end:%B %Y}"


@dataclass(frozen=True)
class Figure:
    """One number on a scorecard: its value, the marketplace median beside it, and the jobs
    behind it (`jobs`: those counted; `hits`: those the figure is about, e.g. the late ones)."""

    key: str
    label: str
    value: float | None  # None: nothing to measure in the period
    count: int = 0  # how many jobs, visits or ratings it is over
    jobs: tuple[str, ...] = ()
    hits: tuple[str, ...] = ()
    higher_is_better: bool = True
    kind: str = "rate"  # rate (0 to 1), pence, number, rating (out of 5)
    median: float | None = None

    @property
    def shown(self) -> str:
        return show(self.value, self.kind)

    @property
    def median_shown(self) -> str:
        return show(self.median, self.kind)

    @property
    def worse_than_median(self) -> float:
        """How much worse than the median, as a share of it (0 when not worse)."""
        if self.value is None or not self.median:
            return 0.0
        gap = (self.median - self.value) if self.higher_is_better else (self.value - self.median)
        return max(0.0, gap / self.median)


def show(value: float | None, kind: str) -> str:
    if value is None:
        return "no jobs yet" if kind != "rating" else "no ratings yet"
    if kind == "rate":
        return f"{value:.0%}"
    if kind == "pence":
        return f"£{value / 100:,.2f}"
    if kind == "rating":
        return f"{value:.1f} out of 5"
    return f"{value:g}"


@dataclass(frozen=True)
class Comment:
    job_id: str
    title: str
    completed_at: datetime
    quality: int | None
    speed: int | None
    review: str


@dataclass(frozen=True)
class Scorecard:
    tradesperson_id: str
    period: Period
    figures: dict[str, Figure]
    trend: list[tuple[str, float | None, int]]  # month, mean quality, ratings
    comments: list[Comment] = field(default_factory=list)


# -- the figures -------------------------------------------------------------------------


def _rate(key, label, counted, hits, higher=True) -> Figure:
    counted, hits = tuple(counted), tuple(hits)
    value = len(hits) / len(counted) if counted else None
    return Figure(key, label, value, len(counted), counted, hits, higher)


def recalls(jobs: Sequence[JobRow]) -> dict[str, str]:
    """Each recalled job's id -> the job that recalled it: a job raised as its recall, or
    the next report at the same home in the same trade within 30 days of completion."""
    found: dict[str, str] = {}
    by_id = {j.id: j for j in jobs}
    places: dict[tuple[str, Trade], list[JobRow]] = defaultdict(list)
    for j in jobs:
        if j.status is JobStatus.DUPLICATE:
            continue
        if j.parent_id and j.parent_id in by_id:
            found.setdefault(j.parent_id, j.id)
        places[(j.home_id, j.trade)].append(j)
    for same in places.values():
        if len(same) < 2:
            continue
        same.sort(key=lambda j: j.reported_at)
        for i, j in enumerate(same):
            if j.completed_at is None or j.id in found:
                continue
            for later in same[i + 1 :]:
                if later.reported_at > j.completed_at + RECALL_WINDOW:
                    break
                if later.reported_at > j.completed_at:
                    found[j.id] = later.id
                    break
    return found


def scorecards(
    jobs: Sequence[JobRow],
    visits: Sequence[VisitRow],
    extras: Sequence[ExtraRow],
    period: Period,
    now: datetime,
) -> dict[str, Scorecard]:
    """Every tradesperson's scorecard for `period`, with the marketplace medians filled in."""
    recalled = recalls(jobs)
    theirs: dict[str, list[JobRow]] = defaultdict(list)
    for j in jobs:
        if j.awarded_to:
            theirs[j.awarded_to].append(j)
    their_visits: dict[str, list[VisitRow]] = defaultdict(list)
    no_access_jobs: set[str] = set()
    for v in visits:
        their_visits[v.tradesperson_id].append(v)
        if v.outcome == "no_access":
            no_access_jobs.add(v.job_id)
    extra_by_job: dict[str, int] = defaultdict(int)
    their_extras: dict[str, list[ExtraRow]] = defaultdict(list)
    for e in extras:
        their_extras[e.tradesperson_id].append(e)
        if e.status == "approved":
            extra_by_job[e.job_id] += e.price_pence
    cards = {
        tp: _card(
            tp,
            rows,
            their_visits[tp],
            their_extras[tp],
            period,
            now,
            recalled,
            no_access_jobs,
            extra_by_job,
        )  # fmt: skip
        for tp, rows in theirs.items()
    }
    return _with_medians(cards)


def _card(
    tp: str,
    rows: list[JobRow],
    visits: list[VisitRow],
    extras: list[ExtraRow],
    period: Period,
    now: datetime,
    recalled: Mapping[str, str],
    no_access_jobs: set[str],
    extra_by_job: Mapping[str, int],
) -> Scorecard:
    awarded = [j.id for j in rows if period.holds(j.awarded_at or j.reported_at)]
    done = [j for j in rows if j.status in DONE and period.holds(j.completed_at)]
    priced = [j for j in done if j.price_pence is not None]
    cost = (
        sum(j.price_pence + extra_by_job.get(j.id, 0) for j in priced) / len(priced)  # type: ignore[operator]
        if priced
        else None
    )
    emergency = [j for j in done if j.priority is Priority.EMERGENCY and j.target_at]
    other = [j for j in done if j.priority is not Priority.EMERGENCY and j.target_at]
    due = [
        j
        for j in rows
        if j.status not in GONE and j.target_at is not None and period.holds(j.target_at)
    ]
    checked_by = min(now, period.ends)
    late = [
        j.id
        for j in due
        if (j.completed_at is not None and j.completed_at > j.target_at)  # type: ignore[operator]
        or (j.completed_at is None and j.target_at < checked_by)  # type: ignore[operator]
    ]
    in_period = [v for v in visits if period.holds(v.started_at)]
    rated = [j for j in done if j.rating_quality is not None]
    quality = statistics.fmean(j.rating_quality for j in rated) if rated else None  # type: ignore[misc]
    speeds = [j.rating_speed for j in done if j.rating_speed is not None]
    asked = [e for e in extras if period.holds(e.requested_at)]
    figures = [
        Figure("awarded", "Jobs awarded", len(awarded), len(awarded), tuple(awarded),
               kind="number"),
        Figure("completed", "Jobs completed", len(done), len(done), tuple(j.id for j in done),
               kind="number"),
        Figure("cost", "Cost per completed job", cost, len(priced), tuple(j.id for j in priced),
               higher_is_better=False, kind="pence"),
        _rate("within_target_emergency", "Emergencies within target",
              [j.id for j in emergency],
              [j.id for j in emergency if j.completed_at <= j.target_at]),  # type: ignore[operator]
        _rate("within_target", "Other jobs within target", [j.id for j in other],
              [j.id for j in other if j.completed_at <= j.target_at]),  # type: ignore[operator]
        _rate("breaches", "Target breaches", [j.id for j in due], late, higher=False),
        _rate("recalls", "Recalled within 30 days", [j.id for j in done],
              [j.id for j in done if j.id in recalled], higher=False),
        _rate("first_time_fix", "Fixed first time", [j.id for j in done],
              [j.id for j in done if j.id not in recalled and j.id not in no_access_jobs]),
        _rate("no_access", "Visits with no access",
              [v.job_id for v in in_period],
              [v.job_id for v in in_period if v.outcome == "no_access"], higher=False),
        _rate("extras_refused", "Extra work refused", [e.job_id for e in asked],
              [e.job_id for e in asked if e.status == "refused"], higher=False),
        Figure("quality", "Residents' quality rating", quality, len(rated),
               tuple(j.id for j in rated), kind="rating"),
        Figure("speed", "Residents' speed rating",
               statistics.fmean(speeds) if speeds else None, len(speeds), kind="rating"),
    ]  # fmt: skip
    return Scorecard(
        tp,
        period,
        {f.key: f for f in figures},
        _trend(rated, period),
        sorted(
            (
                Comment(j.id, j.title, j.completed_at, j.rating_quality, j.rating_speed, j.review)  # type: ignore[arg-type]
                for j in rated
                if j.review
            ),
            key=lambda c: c.completed_at,
            reverse=True,
        ),
    )


def _trend(rated: list[JobRow], period: Period) -> list[tuple[str, float | None, int]]:
    months: dict[tuple[int, int], list[int]] = {}
    day = period.start.replace(day=1)
    while day <= period.end:
        months[(day.year, day.month)] = []
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    for j in rated:
        done = j.completed_at.astimezone(UK)  # type: ignore[union-attr]
        months.setdefault((done.year, done.month), []).append(j.rating_quality)  # type: ignore[arg-type]
    return [
        (f"{date(y, m, 1):%b %Y}", statistics.fmean(r) if r else None, len(r))
        for (y, m), r in sorted(months.items())
    ]


def _with_medians(cards: dict[str, Scorecard]) -> dict[str, Scorecard]:
    keys = {k for card in cards.values() for k in card.figures}
    medians = {}
    for key in keys:
        values = [c.figures[key].value for c in cards.values() if c.figures[key].count]
        medians[key] = statistics.median(values) if values else None  # type: ignore[type-var]
    return {
        tp: Scorecard(
            card.tradesperson_id,
            card.period,
            {k: replace(f, median=medians[k]) for k, f in card.figures.items()},
            card.trend,
            card.comments,
        )
        for tp, card in cards.items()
    }


# -- patterns ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PatternRules:
    """The pattern queue's thresholds, which an officer may change."""

    no_access_factor: float = 2.0  # times the marketplace median
    no_access_days: int = 60
    no_access_min_visits: int = 10
    recall_count: int = 3
    recall_days: int = 30
    rating_drop: float = 0.5  # out of 5
    rating_recent_days: int = 30
    rating_before_days: int = 90
    rating_min: int = 3  # ratings in each window


@dataclass(frozen=True)
class Pattern:
    key: str  # stable: rule, tradesperson and the day it was found, for notes and dismissal
    rule: str
    title: str
    tradesperson_id: str
    said: str  # the figures, in a sentence
    jobs: tuple[str, ...]
    severity: float  # how far past its threshold, for ordering


def patterns(
    jobs: Sequence[JobRow],
    visits: Sequence[VisitRow],
    today: date,
    rules: PatternRules = PatternRules(),  # noqa: B008 - frozen, never changed
    names: Mapping[str, str] | None = None,
) -> list[Pattern]:
    """The named patterns found on `today`, worst first."""
    names = names or {}
    found: list[Pattern] = []
    end = datetime.combine(today + timedelta(days=1), time.min, tzinfo=UK)

    def since(days: int) -> datetime:
        return end - timedelta(days=days)

    # No access: a rate twice the marketplace median over 60 days, over enough visits.
    recent = [v for v in visits if since(rules.no_access_days) <= v.started_at < end]
    by_tp: dict[str, list[VisitRow]] = defaultdict(list)
    for v in recent:
        by_tp[v.tradesperson_id].append(v)
    rates = {
        tp: sum(v.outcome == "no_access" for v in vs) / len(vs)
        for tp, vs in by_tp.items()
        if len(vs) >= rules.no_access_min_visits
    }
    median = statistics.median(rates.values()) if rates else 0
    for tp, rate in rates.items():
        if median and rate >= rules.no_access_factor * median:
            missed = tuple(v.job_id for v in by_tp[tp] if v.outcome == "no_access")
            found.append(Pattern(
                f"no_access:{tp}:{today}", "no_access", "High no-access rate", tp,
                f"{names.get(tp, tp)} found nobody in on {rate:.0%} of {len(by_tp[tp])} visits "
                f"in {rules.no_access_days} days; the marketplace median is {median:.0%}.",
                missed, rate / (rules.no_access_factor * median),
            ))  # fmt: skip
    # Repeat call-outs: recalls reported in the last 30 days.
    by_id = {j.id: j for j in jobs}
    counts: dict[str, list[str]] = defaultdict(list)
    for original, recall in recalls(jobs).items():
        tp = by_id[original].awarded_to
        if tp and since(rules.recall_days) <= by_id[recall].reported_at < end:
            counts[tp].append(original)
    for tp, originals in counts.items():
        if len(originals) >= rules.recall_count:
            found.append(Pattern(
                f"recalls:{tp}:{today}", "recalls", "Repeat call-outs", tp,
                f"{len(originals)} of {names.get(tp, tp)}'s repairs were reported again within "
                f"30 days, in the last {rules.recall_days} days.",
                tuple(originals), len(originals) / rules.recall_count,
            ))  # fmt: skip
    # A falling rating: the last 30 days against the 90 before.
    recent_cut, before_cut = (
        since(rules.rating_recent_days),
        since(rules.rating_recent_days + rules.rating_before_days),
    )
    windows: dict[str, tuple[list[JobRow], list[JobRow]]] = defaultdict(lambda: ([], []))
    for j in jobs:
        if j.awarded_to and j.rating_quality is not None and j.completed_at:
            if recent_cut <= j.completed_at < end:
                windows[j.awarded_to][0].append(j)
            elif before_cut <= j.completed_at < recent_cut:
                windows[j.awarded_to][1].append(j)
    for tp, (now_rows, then_rows) in windows.items():
        if len(now_rows) < rules.rating_min or len(then_rows) < rules.rating_min:
            continue
        now_mean = statistics.fmean(j.rating_quality for j in now_rows)  # type: ignore[misc]
        then_mean = statistics.fmean(j.rating_quality for j in then_rows)  # type: ignore[misc]
        if then_mean - now_mean >= rules.rating_drop:
            found.append(Pattern(
                f"rating:{tp}:{today}", "rating", "Falling rating", tp,
                f"{names.get(tp, tp)}'s quality rating fell from {then_mean:.1f} to "
                f"{now_mean:.1f} out of 5 ({len(now_rows)} ratings in the last "
                f"{rules.rating_recent_days} days).",
                tuple(j.id for j in now_rows), (then_mean - now_mean) / rules.rating_drop,
            ))  # fmt: skip
    return sorted(found, key=lambda p: -p.severity)


# -- the pre-review brief ---------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    title: str
    said: str
    jobs: tuple[str, ...]


def brief(card: Scorecard, found: Sequence[Pattern], name: str) -> list[Point]:
    """The three things to raise with one tradesperson: their patterns first, then the
    figures furthest worse than the marketplace median."""
    points = [
        Point(p.title, p.said, p.jobs) for p in found if p.tradesperson_id == card.tradesperson_id
    ]
    worst = sorted(
        (f for f in card.figures.values() if f.worse_than_median > 0.1 and f.count >= 3),
        key=lambda f: -f.worse_than_median,
    )
    for f in worst:
        points.append(
            Point(
                f.label,
                f"{name}: {f.label.lower()} {f.shown} against a marketplace median of "
                f"{f.median_shown} ({f.count} in the period).",
                f.hits or f.jobs,
            )
        )
    return points[:3]
