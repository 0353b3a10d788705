"""Choosing among the offers for a job: eligible candidates first, then an explained score
in which small samples lean on the marketplace average and each landlord sets the weights."""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.models import JobStatus, Trade, Vetting
from app.domain.ranking import (
    _JOB_FIELDS,
    JOB_COLUMNS,
    PART_NAMES,
    RankingWeights,
    TrackRecord,
    rank,
    why_not,
)
from app.domain.records import Job, Offer, Tradesperson, Visit

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
TARGET = datetime(2026, 4, 10, 22, 59, 59, tzinfo=UTC)  # 23:59:59 on 10 April in the UK


def trade(tp_id: str, name: str, **changes) -> Tradesperson:
    fields = {
        "id": tp_id,
        "name": name,
        "business_name": f"{name} Ltd",
        "trades": [Trade.PLUMBING, Trade.GAS],
        "districts": ["M4"],
        "certificates": {"gas_safe": date(2027, 1, 31)},
        "insurance_expires": date(2026, 12, 31),
    }
    return Tradesperson(status=Vetting.APPROVED, **(fields | changes))


def open_job(**changes) -> Job:
    fields = {
        "id": "job-now",
        "landlord_id": "landlord-1",
        "home_id": "home-now",
        "trade": Trade.PLUMBING,
        "title": "Leak under the kitchen sink",
        "status": JobStatus.POSTED,
        "reported_at": NOW,
        "target_at": TARGET,
        "district": "M4",
    }
    return Job(**(fields | changes))


def offer(tp: Tradesperson, price: int = 15_000, slot: date = date(2026, 4, 3), **changes):
    fields = {
        "id": f"offer-{tp.id}",
        "job_id": "job-now",
        "tradesperson_id": tp.id,
        "business_name": tp.business_name,
        "price_pence": price,
        "earliest_slot": slot,
        "created_at": NOW,
    }
    return Offer(**(fields | changes))


def done(tp: Tradesperson, ratings: list[int | None], late: int = 0, **changes) -> list[Job]:
    """Past jobs completed by `tp`, one per rating, each at its own home; the first `late`
    finished after their target."""
    jobs = []
    for n, rating in enumerate(ratings):
        reported = NOW - timedelta(days=200 + n % 150)
        target = reported + timedelta(days=7)
        fields = {
            "id": f"{tp.id}-past-{n}",
            "landlord_id": "landlord-1",
            "home_id": f"{tp.id}-home-{n}",
            "trade": Trade.PLUMBING,
            "title": "Past repair",
            "status": JobStatus.CLOSED,
            "reported_at": reported,
            "target_at": target,
            "awarded_to": tp.id,
            "completed_at": target + timedelta(days=2) if n < late else target - timedelta(days=1),
            "rating_speed": rating,
            "rating_quality": rating,
            "district": "M4",
        }
        jobs.append(Job(**(fields | changes)))
    return jobs


def ranked(offers, people, jobs=(), visits=(), weights=None, job=None):
    profiles = {tp.id: tp for tp in people}
    history = TrackRecord.build(jobs, visits)
    args = (job or open_job(), offers, profiles, history, TODAY)
    return rank(*args, weights) if weights else rank(*args)


def part(candidate, name: str):
    return next(p for p in candidate.parts if p.name == name)


PAT = trade("pat", "Pat Pipe")
VAL = trade("val", "Val Veteran")
NEW = trade("new", "Nia Newcomer")
STEADY = trade("steady", "Sam Steady")
# The rest of the marketplace: middling, so its average sits below the veteran's 4.7.
MARKET = done(STEADY, [4, 4, 3, 4, 5] * 40, late=60)


def test_an_expired_gas_safe_registration_is_never_ranked_above_anyone_even_if_it_offered_in_date():
    lapsed = trade("pat", "Pat Pipe", certificates={"gas_safe": date(2026, 3, 3)})
    offered_in_date = offer(lapsed, created_at=datetime(2026, 3, 1, 10, tzinfo=UTC))
    gas = open_job(trade=Trade.GAS, title="Boiler not firing")
    # Pat's record is spotless and the price low; Sam's is middling. Sam still comes first.
    result = ranked(
        [offered_in_date, offer(STEADY, price=19_000)],
        [lapsed, STEADY],
        done(lapsed, [5] * 50, trade=Trade.GAS) + MARKET,
        job=gas,
    )
    assert [c.name for c in result] == ["Sam Steady", "Pat Pipe"]
    assert (result[0].eligible, result[1].eligible) == (True, False)
    assert result[1].reason == (
        "Pat Pipe's Gas Safe registration expired on 3 March 2026, so they can't be awarded "
        "gas work."
    )


def test_one_five_star_job_does_not_outrank_two_hundred_jobs_averaging_four_point_seven():
    veteran = done(VAL, [5] * 140 + [4] * 60)
    newcomer = done(NEW, [5])
    offers = [offer(NEW), offer(VAL)]
    result = ranked(offers, [NEW, VAL, STEADY], veteran + newcomer + MARKET)
    assert [c.name for c in result][:2] == ["Val Veteran", "Nia Newcomer"]
    val, nia = result
    for rating in ("Residents' quality rating", "Residents' speed rating"):
        assert part(val, rating).points > part(nia, rating).points
    # Without the prior, the one five-star job would carry the ratings.
    raw = ranked(offers, [NEW, VAL, STEADY], veteran + newcomer + MARKET, weights=(
        RankingWeights(prior_jobs=0)))  # fmt: skip
    by_name = {c.name: c for c in raw}
    assert (
        part(by_name["Nia Newcomer"], "Residents' quality rating").points
        > part(by_name["Val Veteran"], "Residents' quality rating").points
    )


def test_a_newcomer_with_no_history_scores_the_marketplace_average_neither_top_nor_bottom():
    good = trade("good", "Gill Good")
    poor = trade("poor", "Pete Poor")
    jobs = done(good, [5] * 60) + done(poor, [2] * 60, late=45)
    result = ranked([offer(poor), offer(NEW), offer(good)], [good, poor, NEW], jobs)
    assert [c.name for c in result] == ["Gill Good", "Nia Newcomer", "Pete Poor"]
    nia = result[1]
    assert part(nia, "Completed within target").why == (
        "No completed jobs with a target yet, so the marketplace average of 62% is used."
    )
    assert part(nia, "Completed within target").points == Decimal("9.3")  # 62.5% of 15


def test_a_slot_after_the_target_date_is_refused_with_a_reason_and_ranked_below():
    late = offer(PAT, price=9_000, slot=date(2026, 4, 14))
    result = ranked([late, offer(STEADY, price=20_000)], [PAT, STEADY], MARKET)
    assert [c.name for c in result] == ["Sam Steady", "Pat Pipe"]
    assert not result[1].eligible
    assert result[1].reason == (
        "Pat Pipe's earliest visit, 14 April 2026, is after the target date of 10 April 2026."
    )
    assert result[1].own_reason == (
        "Your earliest visit, 14 April 2026, is after the target date of 10 April 2026."
    )


def test_a_slot_on_the_target_date_is_still_eligible():
    (only,) = ranked([offer(PAT, slot=date(2026, 4, 10))], [PAT])
    assert only.eligible


def test_each_landlord_weighs_the_parts_its_own_way_and_the_order_follows():
    cheap = trade("cheap", "Cass Cheap")
    best = trade("best", "Bea Best")
    jobs = done(cheap, [3] * 40, late=20) + done(best, [5] * 40)
    offers = [offer(cheap, price=10_000), offer(best, price=21_000)]
    thrifty = RankingWeights(value=60, within_target=5, first_time_fix=5, quality=5, speed=5)
    exacting = RankingWeights(value=2, within_target=30, quality=30)
    assert ranked(offers, [cheap, best], jobs, weights=thrifty)[0].name == "Cass Cheap"
    assert ranked(offers, [cheap, best], jobs, weights=exacting)[0].name == "Bea Best"


def test_a_recall_within_thirty_days_counts_against_whoever_completed_the_first_job():
    (first,) = done(PAT, [4], home_id="home-9")
    back_again = first.model_copy(update={
        "id": "recall", "reported_at": first.completed_at + timedelta(days=12),
        "awarded_to": STEADY.id, "completed_at": first.completed_at + timedelta(days=14),
    })  # fmt: skip
    other_trade = back_again.model_copy(update={"id": "glass", "trade": Trade.GLAZING})
    much_later = back_again.model_copy(
        update={"id": "later", "reported_at": first.completed_at + timedelta(days=45)}
    )
    history = TrackRecord.build([much_later, back_again, other_trade, first])
    assert (history.of(PAT.id).recalled, history.of(STEADY.id).recalled) == (1, 0)
    assert TrackRecord.build([first, other_trade, much_later]).of(PAT.id).recalled == 0


def test_no_access_visits_and_lateness_lower_the_past_performance_parts():
    careful = trade("careful", "Cara Careful")
    jobs = done(PAT, [4] * 20, late=10) + done(careful, [4] * 20) + MARKET
    visits = [
        Visit(id=f"v{n}", job_id=j.id, tradesperson_id=j.awarded_to, started_at=NOW,
              outcome="no_access" if n < 8 else "completed")
        for n, j in enumerate(jobs[:40])
    ]  # fmt: skip
    pat, cara = sorted(
        ranked([offer(PAT), offer(careful)], [PAT, careful], jobs, visits), key=lambda c: c.name
    )[::-1]
    assert part(pat, "Visits with access").why.startswith("8 of 20 visits found nobody in")
    assert part(pat, "Visits with access").points < part(cara, "Visits with access").points
    assert part(pat, "Completed within target").points < (
        part(cara, "Completed within target").points
    )


def test_a_tradesperson_sees_their_own_figures_and_why_they_were_not_chosen():
    veteran = done(VAL, [5] * 100)
    winner, loser = ranked([offer(PAT), offer(VAL)], [PAT, VAL], veteran + done(PAT, [2] * 30))
    lines = why_not(loser, winner)
    assert lines[0] == (
        f"Your offer scored {loser.score} out of 100; the chosen offer scored {winner.score}."
    )
    assert lines[1].startswith("You were furthest behind on residents' quality rating")
    assert "Residents rated quality 2.0 out of 5 on average (30 ratings)" in "\n".join(lines)
    assert not any("5.0 out of 5" in line for line in lines), "the winner's figures stay theirs"
    assert (
        why_not(winner, winner)[0] == f"Your offer was chosen, scoring {winner.score} out of 100."
    )


def test_a_tradesperson_who_could_not_be_chosen_is_told_why_in_their_own_words():
    late = offer(PAT, slot=date(2026, 4, 20))
    winner, loser = ranked([late, offer(STEADY)], [PAT, STEADY], MARKET)
    assert why_not(loser, winner)[0] == (
        "Your offer could not be chosen. Your earliest visit, 20 April 2026, is after the "
        "target date of 10 April 2026."
    )


def test_only_open_offers_for_this_job_are_candidates():
    withdrawn = offer(STEADY, status="withdrawn")
    elsewhere = offer(VAL, job_id="another-job")
    assert [c.name for c in ranked([withdrawn, elsewhere, offer(PAT)], [PAT, STEADY, VAL])] == [
        "Pat Pipe"
    ]


# -- the score is its parts -----------------------------------------------------------

people = st.lists(
    st.tuples(
        st.lists(st.one_of(st.none(), st.integers(1, 5)), max_size=40),  # past ratings
        st.integers(0, 40),  # how many of them late
        st.integers(1_000, 60_000),  # price
        st.integers(0, 15),  # days until the earliest slot
        st.booleans(),  # small local firm
        st.sampled_from(["M4", "M9"]),  # covers
    ),
    min_size=1,
    max_size=8,
)
weights = (
    st.fixed_dictionaries({name: st.floats(0, 50) for name in PART_NAMES})
    .filter(lambda parts: sum(parts.values()) > 0)
    .map(lambda parts: RankingWeights(**parts))
)
priors = st.floats(0, 30)


@settings(max_examples=150, deadline=None)
@given(people, weights, priors, st.sampled_from(list(Trade)))
def test_every_candidates_breakdown_adds_up_exactly_to_a_score_out_of_a_hundred(
    cast, weighting, prior, work
):
    weighting = replace(weighting, prior_jobs=prior)
    profiles, offers, jobs = [], [], []
    for n, (ratings, late, price, days, small, district) in enumerate(cast):
        tp = trade(f"tp{n}", f"Trade {n}", trades=[work], districts=[district],
                   small_local=small, certificates={"niceic": date(2026, 4, 5)})  # fmt: skip
        profiles.append(tp)
        offers.append(offer(tp, price=price, slot=TODAY + timedelta(days=days)))
        jobs += done(tp, ratings, late=late, trade=work)
    result = ranked(offers, profiles, jobs, weights=weighting, job=open_job(trade=work))
    assert len(result) == len(cast)
    for c in result:
        assert [p.name for p in c.parts] == list(PART_NAMES.values())
        assert sum(p.points for p in c.parts) == c.score
        assert Decimal(0) <= c.score <= Decimal(100)
        assert all(p.why.endswith(".") for p in c.parts)
    eligible = [c.eligible for c in result]
    assert eligible == sorted(eligible, reverse=True), "no ineligible above an eligible one"
    scores = [c.score for c in result if c.eligible]
    assert scores == sorted(scores, reverse=True)


# -- the track record from rows ---------------------------------------------------------

LANDLORDS = ("landlord-1", "landlord-2")
STATUSES = [JobStatus.DUPLICATE, JobStatus.REPORTED, JobStatus.IN_PROGRESS, JobStatus.CANCELLED]
STATUSES += [JobStatus.COMPLETED, JobStatus.CLOSED] * 4
DAYS = [timedelta(days=d) for d in (-3, 0, 1, 5, 12, 29, 30, 31, 45)]


def past_jobs(seed: int, count: int = 300) -> tuple[list[Job], list[Visit]]:
    """Past jobs and visits crowded onto a few homes, trades and tradespeople, so that
    recalls, duplicates, reports made during the work, jobs nobody completed, missing
    targets and unrated jobs all turn up; times with and without microseconds."""
    rng = random.Random(seed)
    jobs, visits = [], []
    for n in range(count):
        reported = NOW - timedelta(days=rng.randrange(400), seconds=rng.randrange(86_400))
        if rng.random() < 0.5:
            reported = reported.replace(microsecond=rng.randrange(1_000_000))
        completed = reported + rng.choice(DAYS) if rng.random() < 0.9 else None
        target = reported + timedelta(days=rng.choice((1, 7, 28))) if rng.random() < 0.8 else None
        if target and completed and rng.random() < 0.1:
            completed = target  # on the dot: within target
        by = rng.choice([None, "tp-a", "tp-b", "tp-c", "tp-d"])
        job = Job(
            id=f"past-{seed}-{n}",
            landlord_id=rng.choice(LANDLORDS),
            home_id=f"home-{rng.randrange(12)}",
            trade=rng.choice([Trade.PLUMBING, Trade.GAS, Trade.GLAZING]),
            title="Past repair",
            status=rng.choice(STATUSES),
            reported_at=reported,
            target_at=target,
            awarded_to=by,
            completed_at=completed,
            rating_speed=rng.choice([None, 1, 3, 5]),
            rating_quality=rng.choice([None, 2, 4, 5]),
            district=rng.choice(["M4", "M9"]),
        )
        jobs.append(job)
        for v in range(rng.randrange(3) if by else 0):
            visits.append(Visit(
                id=f"{job.id}-v{v}", landlord_id=job.landlord_id, job_id=job.id,
                tradesperson_id=by, started_at=reported,
                outcome=rng.choice(["completed", "no_access", "in_progress"]),
            ))  # fmt: skip
    return jobs, visits


def expected_record(jobs: list[Job], visits: list[Visit]) -> dict:
    """The track record worked out the long way, job by job, from the rules as stated."""
    counted = [
        j for j in jobs
        if j.status in (JobStatus.COMPLETED, JobStatus.CLOSED) and j.completed_at and j.awarded_to
    ]  # fmt: skip
    reports = [j for j in jobs if j.status is not JobStatus.DUPLICATE]
    people: dict[str, dict] = {}
    for tp in {j.awarded_to for j in counted} | {v.tradesperson_id for v in visits}:
        theirs = [j for j in counted if j.awarded_to == tp]
        timed = [j for j in theirs if j.target_at]
        speeds = [j.rating_speed for j in theirs if j.rating_speed is not None]
        qualities = [j.rating_quality for j in theirs if j.rating_quality is not None]
        recalled = [
            j for j in theirs
            if any(
                k is not j and (k.home_id, k.trade) == (j.home_id, j.trade)
                and j.completed_at < k.reported_at <= j.completed_at + timedelta(days=30)
                for k in reports
            )
        ]  # fmt: skip
        mine = [v for v in visits if v.tradesperson_id == tp]
        people[tp] = {
            "completed": len(theirs),
            "with_target": len(timed),
            "on_time": sum(j.completed_at <= j.target_at for j in timed),
            "recalled": len(recalled),
            "visits": len(mine),
            "no_access": sum(v.outcome == "no_access" for v in mine),
            "speed": (sum(speeds), len(speeds)),
            "quality": (sum(qualities), len(qualities)),
            "trades": sorted(j.trade for j in theirs),
            "districts": sorted(j.district for j in theirs),
        }
    return people


def summary(record: TrackRecord) -> dict:
    """A track record's figures, with each tradesperson's trades and districts in order."""
    return {
        tp: {
            "completed": s.completed,
            "with_target": s.with_target,
            "on_time": s.on_time,
            "recalled": s.recalled,
            "visits": s.visits,
            "no_access": s.no_access,
            "speed": (s.speed_sum, s.speed_count),
            "quality": (s.quality_sum, s.quality_count),
            "trades": sorted(s.trades),
            "districts": sorted(s.districts),
        }
        for tp, s in record.stats.items()
    }


def as_stored(jobs: list[Job], visits: list[Visit]) -> tuple[list, list]:
    """Rows as a device reads them from its JSON bodies: times as ISO strings, enums as
    their values; visits counted by tradesperson and outcome."""
    bodies = [json.loads(j.model_dump_json()) for j in jobs]
    job_rows = [tuple(body[name] for name in JOB_COLUMNS) for body in bodies]
    counted = Counter((v.tradesperson_id, v.outcome) for v in visits)
    return job_rows, [(tp, outcome, n) for (tp, outcome), n in counted.items()]


@pytest.mark.parametrize("seed", range(12))
def test_a_track_record_from_stored_rows_is_the_one_built_from_records_and_the_rules(seed):
    jobs, visits = past_jobs(seed)
    built = TrackRecord.build(jobs, visits)
    job_rows, visit_rows = as_stored(jobs, visits)
    from_rows = TrackRecord.from_rows(job_rows, visit_rows)
    assert from_rows == built
    assert summary(built) == expected_record(jobs, visits)
    assert sum(s.recalled for s in built.stats.values()) > 0
    # Whatever order the rows come in, and datetimes or strings, the record is the same.
    random.Random(seed).shuffle(job_rows)
    assert summary(TrackRecord.from_rows(job_rows, visit_rows[::-1])) == summary(built)
    as_datetimes = TrackRecord.from_rows(map(_JOB_FIELDS, map(vars, jobs)), visit_rows)
    assert as_datetimes == built


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 80))
def test_any_mix_of_past_jobs_gives_the_same_record_from_rows_as_from_records(seed, count):
    jobs, visits = past_jobs(seed, count)
    built = TrackRecord.build(jobs, visits)
    assert TrackRecord.from_rows(*as_stored(jobs, visits)) == built
    assert summary(built) == expected_record(jobs, visits)


def test_a_duplicate_report_is_neither_a_completion_nor_a_recall():
    (first,) = done(PAT, [4], home_id="home-9")
    again = first.model_copy(update={
        "id": "again", "status": JobStatus.DUPLICATE, "awarded_to": STEADY.id,
        "reported_at": first.completed_at + timedelta(days=3),
    })  # fmt: skip
    rows, _ = as_stored([first, again], [])
    for record in (TrackRecord.build([first, again]), TrackRecord.from_rows(rows)):
        assert (record.of(PAT.id).completed, record.of(PAT.id).recalled) == (1, 0)
        assert record.of(STEADY.id).completed == 0


def test_a_track_record_reads_times_with_and_without_a_zone_alike():
    # A device holds the server's rows (no zone: SQLite keeps none) beside its own (UTC).
    from app.domain.ranking import TrackRecord as Record

    rows = [
        ("h1", "plumbing", "2026-03-01T09:00:00", "2026-03-02T09:00:00", "tp", "closed",
         "2026-03-05T09:00:00+00:00", 5, 5, "E8"),
        ("h1", "plumbing", "2026-03-10T09:00:00+00:00", None, None, "reported", None, None,
         None, "E8"),
    ]  # fmt: skip
    assert Record.from_rows(rows).of("tp").recalled == 1
