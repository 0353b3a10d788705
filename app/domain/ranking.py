"""Choosing among the offers for a job: eligible candidates first, then a score out of 100
made of named parts, each with the sentence that explains it.

The server ranks with this module and so does the officer's device, over the records it
has synced, so both show the same order for the same reasons. Past jobs are read once
into a `TrackRecord` (one pass, counts per tradesperson); ranking then looks each
candidate up rather than scanning history again.

Small samples shrink towards the marketplace average: a rate or rating counts as if
`prior_jobs` more jobs had gone exactly as the marketplace's do (an m-estimate). So one
five-star job does not beat two hundred that average 4.7, and a newcomer with no history
scores the marketplace average: neither dominating nor starved of work."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from itertools import compress
from operator import itemgetter, le
from typing import NamedTuple

from app.domain.eligibility import (
    CERTIFICATE_NAMES,
    REGULATED,
    Ineligible,
    long_date,
    valid_certificate,
    why_ineligible,
)
from app.domain.models import JobStatus, OfferStatus, Trade
from app.domain.records import Job, Offer, Tradesperson, Visit
from app.domain.targets import UK

RECALL_WINDOW = timedelta(days=30)
DONE = frozenset({JobStatus.COMPLETED, JobStatus.CLOSED})
TENTH = Decimal("0.1")

# A landlord's schedule of rates: the typical price of a responsive repair in each trade,
# in pence, for landlords that have not set their own.
TYPICAL_PRICE_PENCE: dict[Trade, int] = {
    Trade.PLUMBING: 15_000,
    Trade.ELECTRICAL: 18_000,
    Trade.GAS: 20_000,
    Trade.CARPENTRY: 14_000,
    Trade.ROOFING: 30_000,
    Trade.GLAZING: 20_000,
    Trade.PLASTERING: 22_000,
    Trade.DAMP_AND_MOULD: 25_000,
    Trade.LOCKSMITH: 10_000,
    Trade.GENERAL: 12_000,
}

# What the marketplace is assumed to do before it has any history of its own.
OPENING_AVERAGES = {"on_time": 0.8, "recalled": 0.05, "no_access": 0.1, "rating": 4.0}


@dataclass(frozen=True)
class RankingWeights:
    """How much each part counts for one landlord. The part weights are scaled to add up
    to 100, so a landlord may give them in any units."""

    within_target: float = 15
    first_time_fix: float = 15
    access: float = 8
    speed: float = 10
    quality: float = 15
    skills: float = 10
    availability: float = 10
    locality: float = 7
    value: float = 10
    prior_jobs: float = 10  # how many jobs' worth of marketplace average a record starts with
    typical_price_pence: Mapping[Trade, int] = field(
        default_factory=lambda: dict(TYPICAL_PRICE_PENCE)
    )

    def __post_init__(self) -> None:
        weights = [getattr(self, name) for name in PART_NAMES]
        if min(weights) < 0 or sum(weights) <= 0 or self.prior_jobs < 0:
            raise ValueError("Ranking weights must be zero or more, and not all zero.")

    def points(self) -> dict[str, float]:
        """Each part's most points, out of 100 in all."""
        total = sum(getattr(self, name) for name in PART_NAMES)
        return {name: 100 * getattr(self, name) / total for name in PART_NAMES}


PART_NAMES = {
    "within_target": "Completed within target",
    "first_time_fix": "Fixed first time",
    "access": "Visits with access",
    "speed": "Residents' speed rating",
    "quality": "Residents' quality rating",
    "skills": "Skills",
    "availability": "Availability",
    "locality": "Local",
    "value": "Value for money",
}
DEFAULT_WEIGHTS = RankingWeights()


# -- the track record ------------------------------------------------------------------


@dataclass(slots=True)
class Stats:
    """One tradesperson's history, as counts."""

    completed: int = 0
    with_target: int = 0
    on_time: int = 0
    recalled: int = 0
    visits: int = 0
    no_access: int = 0
    speed_sum: int = 0
    speed_count: int = 0
    quality_sum: int = 0
    quality_count: int = 0
    trades: Sequence[Trade] = ()  # of each completed job
    districts: Sequence[str] = ()  # of each completed job


@dataclass(frozen=True)
class Averages:
    on_time: float
    recalled: float
    no_access: float
    speed: float
    quality: float


@dataclass(frozen=True)
class TrackRecord:
    """Every tradesperson's history and the marketplace's averages, from past jobs read once."""

    stats: Mapping[str, Stats]
    market: Averages

    def of(self, tradesperson_id: str) -> Stats:
        return self.stats.get(tradesperson_id) or Stats()

    @classmethod
    def build(cls, jobs: Iterable[Job], visits: Iterable[Visit] = ()) -> TrackRecord:
        """From records in memory: each job's fields as a row, each visit counted, then
        `from_rows`."""
        counted = Counter(map(_VISIT_FIELDS, map(vars, visits)))
        return cls.from_rows(
            map(_JOB_FIELDS, map(vars, jobs)),
            [(tp, outcome, count) for (tp, outcome), count in counted.items()],
        )

    @classmethod
    def from_rows(
        cls, job_rows: Iterable[Sequence], visit_rows: Iterable[Sequence] = ()
    ) -> TrackRecord:
        """Read every past job once, as plain rows straight from a database, so that no
        record is built: an officer's device may hold a hundred thousand jobs.

        `job_rows`: one a past job, its fields in `JOB_COLUMNS` order::

            (home_id, trade, reported_at, completed_at, awarded_to, status, target_at,
             rating_speed, rating_quality, district)

        `trade` and `status` as their enum members or their values. Times all alike in
        one call: all datetimes (aware; or all naive and UTC, as SQLite gives the server
        them), or all ISO 8601 strings as the records' JSON holds them (`...Z`), parsed
        with `datetime.fromisoformat` only where they are compared. Duplicates may be
        included and are skipped; jobs nobody completed count only as the reports that
        make a recall, but they are needed for that. The order of the rows does not matter.

        A completion counts (completed or closed, with a completion time and someone it
        was awarded to); it was recalled when another report at the same home in the same
        trade came after it, within `RECALL_WINDOW`.

        `visit_rows`: `(tradesperson_id, outcome, count)`, how many visits each
        tradesperson made with each outcome (a tradesperson and outcome may repeat).

        The work per job is grouping it twice (by tradesperson, by home); the counting is
        done per group, a column at a time."""
        mine: dict[str, list[Sequence]] = {}  # tradesperson -> their completed jobs
        homes: dict[str, list[Sequence]] = {}  # home -> every report there
        duplicate, done_statuses = JobStatus.DUPLICATE, DONE
        for row in job_rows:
            status = row[_STATUS]
            if status == duplicate:
                continue
            same_place = homes.get(row[_HOME])
            if same_place is None:
                homes[row[_HOME]] = [row]
            else:
                same_place.append(row)
            if status in done_statuses and row[_DONE] is not None:
                by = row[_BY]
                if by is None:
                    continue
                theirs = mine.get(by)
                if theirs is None:
                    mine[by] = [row]
                else:
                    theirs.append(row)
        stats = {tp: _stats(rows) for tp, rows in mine.items()}
        for same_place in homes.values():
            if len(same_place) > 1:
                _count_recalls(same_place, stats)
        for tp, outcome, count in visit_rows:
            s = stats.get(tp)
            if s is None:
                s = stats[tp] = Stats()
            s.visits += count
            if outcome == "no_access":
                s.no_access += count
        return cls(stats, _averages(stats.values()))


JOB_COLUMNS = (
    "home_id", "trade", "reported_at", "completed_at", "awarded_to", "status", "target_at",
    "rating_speed", "rating_quality", "district",
)  # fmt: skip
_JOB_FIELDS = itemgetter(*JOB_COLUMNS)
_HOME, _TRADE, _REPORTED, _DONE, _BY, _STATUS = range(6)
_VISIT_FIELDS = itemgetter("tradesperson_id", "outcome")
_TRADE_OF, _REPORTED_OF = itemgetter(_TRADE), itemgetter(_REPORTED)
_TRADES: dict[str, Trade] = {t.value: t for t in Trade}


def _parse(text: str) -> datetime:
    """An ISO 8601 time as UTC: the server's rows reach a device without a zone (SQLite
    keeps none) beside the device's own with one, and the two must compare."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _moments(values: list) -> Iterable:
    """Times as datetimes: parsed, if they came as ISO 8601 strings (a call's times all
    come alike, so the first says how)."""
    return map(_parse, values) if values and values[0].__class__ is str else values


def _stats(completed: list[Sequence]) -> Stats:
    """One tradesperson's counts from their completed jobs, a column at a time."""
    _home, trade, _reported, done, _by, _status, target, speed, quality, district = zip(
        *completed, strict=True
    )
    due = [t for t in target if t is not None]
    finished = list(compress(done, map(_is_set, target)))  # those with a target
    on_time = sum(map(le, _moments(finished), _moments(due)))
    speeds = [r for r in speed if r is not None]
    qualities = [r for r in quality if r is not None]
    return Stats(
        completed=len(completed),
        with_target=len(due),
        on_time=on_time,
        speed_sum=sum(speeds),
        speed_count=len(speeds),
        quality_sum=sum(qualities),
        quality_count=len(qualities),
        trades=tuple([_TRADES.get(t, t) for t in trade]),
        districts=district,
    )


def _is_set(value: object) -> bool:
    return value is not None


def _count_recalls(same_place: list[Sequence], stats: dict[str, Stats]) -> None:
    """Count, against its tradesperson, each completion at one home followed within 30 days
    by another report there in the same trade. A report made while the work was under way,
    before the completion, does not count; nor does the order the rows came in."""
    trades = list(map(_TRADE_OF, same_place))
    if len(set(trades)) == len(trades):
        return  # one report per trade here: nothing came back
    reported = list(_moments(list(map(_REPORTED_OF, same_place))))
    when: dict[str, list] = {}  # trade -> when each report in it was made, in order
    for trade, moment in zip(trades, reported, strict=True):
        times = when.get(trade)
        if times is None:
            when[trade] = [moment]
        else:
            times.append(moment)
    for times in when.values():
        times.sort()
    done_statuses, window, parse = DONE, RECALL_WINDOW, _parse  # looked up once a home
    for row, trade, own in zip(same_place, trades, reported, strict=True):
        times = when[trade]
        if len(times) == 1 or row[_STATUS] not in done_statuses:
            continue
        done = row[_DONE]
        s = stats.get(row[_BY])
        if done is None or s is None:
            continue
        if done.__class__ is str:
            done = parse(done)
        until = done + window
        later = bisect_right(times, until) - bisect_right(times, done)
        if done < own <= until:
            later -= 1  # its own report, were it made after the work was done
        if later:
            s.recalled += 1


def _averages(all_stats: Iterable[Stats]) -> Averages:
    total = Stats()
    for s in all_stats:
        for name in ("completed", "with_target", "on_time", "recalled", "visits", "no_access"):
            setattr(total, name, getattr(total, name) + getattr(s, name))
        total.speed_sum += s.speed_sum
        total.speed_count += s.speed_count
        total.quality_sum += s.quality_sum
        total.quality_count += s.quality_count
    opening = OPENING_AVERAGES

    def mean(part: int, whole: int, otherwise: float) -> float:
        return part / whole if whole else otherwise

    return Averages(
        on_time=mean(total.on_time, total.with_target, opening["on_time"]),
        recalled=mean(total.recalled, total.completed, opening["recalled"]),
        no_access=mean(total.no_access, total.visits, opening["no_access"]),
        speed=mean(total.speed_sum, total.speed_count, opening["rating"]),
        quality=mean(total.quality_sum, total.quality_count, opening["rating"]),
    )


def shrunk(total: float, count: int, prior: float, prior_weight: float) -> float:
    """The m-estimate: `count` observations adding up to `total`, plus `prior_weight`
    observations at the `prior` value."""
    if count + prior_weight == 0:
        return prior
    return (total + prior * prior_weight) / (count + prior_weight)


# -- candidates ------------------------------------------------------------------------


class Part(NamedTuple):
    """One named part of a score: what it is, the points it gave and why."""

    name: str
    points: Decimal
    why: str


@dataclass(frozen=True)
class Candidate:
    offer: Offer
    name: str
    eligible: bool
    reason: str | None  # why not eligible, said to officers and residents
    own_reason: str | None  # the same, said to the tradesperson
    score: Decimal  # the sum of the parts' points, out of 100
    parts: tuple[Part, ...]

    @property
    def tradesperson_id(self) -> str:
        return self.offer.tradesperson_id


def rank(
    job: Job,
    offers: Iterable[Offer],
    tradespeople: Mapping[str, Tradesperson],
    history: TrackRecord,
    today: date,
    weights: RankingWeights = DEFAULT_WEIGHTS,
) -> list[Candidate]:
    """The open offers for `job`, best first: every eligible candidate above every
    ineligible one, then by score, then the cheaper and the sooner."""
    most = weights.points()
    candidates = [
        _candidate(
            job, offer, tradespeople.get(offer.tradesperson_id), history, today, weights, most
        )
        for offer in offers
        if offer.status is OfferStatus.OPEN and offer.job_id == job.id
    ]
    return sorted(
        candidates,
        key=lambda c: (
            not c.eligible,
            -c.score,
            c.offer.price_pence,
            c.offer.earliest_slot,
            c.offer.id,
        ),
    )


def _candidate(
    job: Job,
    offer: Offer,
    tp: Tradesperson | None,
    history: TrackRecord,
    today: date,
    weights: RankingWeights,
    most: dict[str, float],
) -> Candidate:
    name = tp.name if tp else (offer.business_name or "This tradesperson")
    if tp is None:
        gone = Ineligible(
            "no_profile",
            "Finish your tradesperson profile before taking work.",
            f"{name} has no tradesperson profile, so they can't be awarded work.",
        )
        return Candidate(offer, name, False, gone.theirs, gone.yours, Decimal(0), ())
    problem = why_ineligible(tp, job, today) or _cannot_attend(tp, job, offer, today)
    stats = history.of(tp.id)
    fractions = _fractions(job, offer, tp, stats, history.market, today, weights)
    parts = tuple(
        Part(PART_NAMES[key], _points(most[key] * fraction), why)
        for key, (fraction, why) in fractions.items()
    )
    return Candidate(
        offer,
        name,
        problem is None,
        problem.theirs if problem else None,
        problem.yours if problem else None,
        sum((p.points for p in parts), Decimal(0)),
        parts,
    )


def _points(value: float) -> Decimal:
    # Rounded down to a tenth, so the parts add up exactly to a score of at most 100.
    return Decimal(value).quantize(TENTH, rounding=ROUND_DOWN)


def target_date(job: Job) -> date | None:
    """The day the job is due, as the landlord's office counts days."""
    return job.target_at.astimezone(UK).date() if job.target_at else None


def _cannot_attend(tp: Tradesperson, job: Job, offer: Offer, today: date) -> Ineligible | None:
    slot, due = offer.earliest_slot, target_date(job)
    if due is not None and slot > due >= today:  # once a target has passed, none can meet it
        when = f"earliest visit, {long_date(slot)}, is after the target date of {long_date(due)}"
        return Ineligible("too_late", f"Your {when}.", f"{tp.name}'s {when}.")
    regulation = REGULATED.get(job.trade)
    valid_until = valid_certificate(tp, job.trade, today)
    if regulation and valid_until is not None and valid_until < slot:
        kinds = regulation.certificates
        kind = next(k for k in kinds if tp.certificates.get(k) == valid_until)
        lapses = (
            f"{CERTIFICATE_NAMES[kind]} registration runs out on {long_date(valid_until)}, "
            f"before the earliest visit on {long_date(slot)}"
        )
        return Ineligible("certificate_expired", f"Your {lapses}.", f"{tp.name}'s {lapses}.")
    return None


def _fractions(
    job: Job,
    offer: Offer,
    tp: Tradesperson,
    s: Stats,
    market: Averages,
    today: date,
    weights: RankingWeights,
) -> dict[str, tuple[float, str]]:
    """Each part as a share of its points (0 to 1) and the sentence saying why."""
    m = weights.prior_jobs
    return {
        "within_target": _rate(
            s.on_time, s.with_target, market.on_time, m,
            "jobs with a target were completed within it", "completed jobs with a target",
        ),
        "first_time_fix": _rate(
            s.recalled, s.completed, market.recalled, m,
            "completed jobs were recalled within 30 days", "completed jobs", bad=True,
        ),
        "access": _rate(
            s.no_access, s.visits, market.no_access, m, "visits found nobody in", "visits",
            bad=True,
        ),
        "speed": _rating("speed", s.speed_sum, s.speed_count, market.speed, m),
        "quality": _rating("quality", s.quality_sum, s.quality_count, market.quality, m),
        "skills": _skills(job, tp, s, m),
        "availability": _availability(job, offer, today),
        "locality": _locality(job, tp, s, m),
        "value": _value(job, offer, weights),
    }  # fmt: skip


def _rate(
    part: int, whole: int, market: float, m: float, said: str, none: str, bad: bool = False
) -> tuple[float, str]:
    """A rate shrunk towards the marketplace's; `bad` rates (recalls) score what is left."""
    used = shrunk(part, whole, market, m)
    if whole == 0:
        return 1 - used if bad else used, (
            f"No {none} yet, so the marketplace average of {market:.0%} is used."
        )
    return 1 - used if bad else used, (
        f"{part} of {whole} {said}; weighed with the marketplace average of {market:.0%}, "
        f"that counts as {used:.0%}."
    )


def _rating(aspect: str, total: int, count: int, market: float, m: float) -> tuple[float, str]:
    """A mean rating (1 to 5) shrunk towards the marketplace's, as a share of the points."""
    used = shrunk(total, count, market, m)
    if count == 0:
        return (used - 1) / 4, (
            f"No {aspect} ratings from residents yet, so the marketplace average of "
            f"{market:.1f} is used."
        )
    ratings = "rating" if count == 1 else "ratings"
    return (used - 1) / 4, (
        f"Residents rated {aspect} {total / count:.1f} out of 5 on average ({count} {ratings}); "
        f"weighed with the marketplace average of {market:.1f}, that counts as {used:.2f}."
    )


def _skills(job: Job, tp: Tradesperson, s: Stats, m: float) -> tuple[float, str]:
    """Half for the registration the work needs lasting to the target, half for
    experience in the trade (full at `m` completed jobs in it)."""
    trade = job.trade.label.lower()
    done = s.trades.count(job.trade)
    experience = min(1.0, done / m) if m else 1.0
    jobs = "job" if done == 1 else "jobs"
    said = f"{done} completed {trade} {jobs}"
    regulation = REGULATED.get(job.trade)
    if regulation is None:
        return 0.5 + 0.5 * experience, f"No registration is needed for {trade}; {said}."
    due = target_date(job) or date.min
    until = max(tp.certificates.get(k) or date.min for k in regulation.certificates)
    if until == date.min:
        names = ", ".join(CERTIFICATE_NAMES[k] for k in regulation.certificates)
        return 0.5 * experience, f"No registration ({names}); {said}."
    kinds = [k for k in regulation.certificates if tp.certificates.get(k) == until]
    held = f"{CERTIFICATE_NAMES[kinds[0]]} registration in date until {long_date(until)}"
    if until >= due:
        return 0.5 + 0.5 * experience, f"{held}, past the target date; {said}."
    return 0.5 * experience, f"{held}, which is before the target date; {said}."


def _availability(job: Job, offer: Offer, today: date) -> tuple[float, str]:
    """Full for a visit today, falling evenly to a small share for one on the target day."""
    slot = max(offer.earliest_slot, today)
    due = target_date(job)
    said = f"Earliest visit {long_date(offer.earliest_slot)}"
    if due is None or due < today:
        missed = f"the target date of {long_date(due)} has passed" if due else "no target is set"
        return max(0.0, 1 - (slot - today).days / 28), f"{said}; {missed}."
    if slot > due:
        return 0.0, f"{said}, after the target date of {long_date(due)}."
    fraction = ((due - slot).days + 1) / ((due - today).days + 1)
    early = (due - slot).days
    days = "day" if early == 1 else "days"
    return fraction, f"{said}, {early} {days} before the target date of {long_date(due)}."


def _locality(job: Job, tp: Tradesperson, s: Stats, m: float) -> tuple[float, str]:
    """Half for a small local firm, half for work done in the job's district (full at `m`)."""
    done = s.districts.count(job.district)
    known = min(1.0, done / m) if m else 1.0
    firm = "A small local firm" if tp.small_local else "Not a small local firm"
    jobs = "job" if done == 1 else "jobs"
    return 0.5 * tp.small_local + 0.5 * known, f"{firm}; {done} completed {jobs} in {job.district}."


def _value(job: Job, offer: Offer, weights: RankingWeights) -> tuple[float, str]:
    """Full at 80% of the schedule of rates or less, none at 150% or more."""
    typical = weights.typical_price_pence.get(job.trade) or TYPICAL_PRICE_PENCE[job.trade]
    ratio = offer.price_pence / typical
    fraction = min(1.0, max(0.0, (1.5 - ratio) / 0.7))
    return fraction, (
        f"{_pounds(offer.price_pence)} against {_pounds(typical)} in the schedule of rates for "
        f"{job.trade.label.lower()} ({ratio:.0%})."
    )


def _pounds(pence: int) -> str:
    return f"£{pence // 100:,}.{pence % 100:02d}"


# -- explaining ------------------------------------------------------------------------


def why_not(candidate: Candidate, winner: Candidate) -> list[str]:
    """What a tradesperson reads about their offer: whether it was chosen, and if not, why,
    with their own figures. The winner's figures are not shown, only the points gap."""
    if candidate.offer.id == winner.offer.id:
        lines = [f"Your offer was chosen, scoring {candidate.score} out of 100."]
    elif not candidate.eligible:
        lines = [f"Your offer could not be chosen. {candidate.own_reason}"]
    else:
        gaps = sorted(
            (
                (theirs.points - yours.points, yours)
                for yours, theirs in zip(candidate.parts, winner.parts, strict=True)
            ),
            key=lambda gap: -gap[0],
        )
        behind = [f"{p.name.lower()} ({gap} points)" for gap, p in gaps[:3] if gap > 0]
        lines = [
            f"Your offer scored {candidate.score} out of 100; the chosen offer scored "
            f"{winner.score}."
        ]
        if behind:
            lines.append(f"You were furthest behind on {_listed(behind)}.")
    lines += [f"{p.name}: {p.points} points. {p.why}" for p in candidate.parts]
    return lines


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
