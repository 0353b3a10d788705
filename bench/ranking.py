"""Ranking benchmark: `python bench/ranking.py [--jobs 100000] [--candidates 50] [--runs 7]`.

Builds a seeded synthetic marketplace in memory (tradespeople, homes, past jobs with
targets, completions and ratings, visits with some no-access), then prints:

1. time to rank `--candidates` offers for one job against all past jobs, as the officer's
   device does it (`TrackRecord.build` over the jobs and visits, then `rank`), median of
   `--runs`, and the two halves apart;
2. beside it the floor: one SQL aggregate over the same job rows in an in-memory SQLite
   table (`GROUP BY awarded_to`: counts, completed within target, average ratings), and
   the ratio (goal 2.0 or less).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.domain.models import JobStatus, Trade, Vetting  # noqa: E402
from app.domain.ranking import TrackRecord, rank  # noqa: E402
from app.domain.records import Job, Offer, Tradesperson, Visit  # noqa: E402

RATIO_GOAL = 2.0
TODAY = date(2026, 4, 1)
NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
DISTRICTS = [f"M{n}" for n in range(1, 21)]
TRADES = [Trade.PLUMBING, Trade.ELECTRICAL, Trade.CARPENTRY, Trade.GENERAL, Trade.GLAZING]


def marketplace(jobs: int, seed: int = 9):
    """Tradespeople of varied skill, and `jobs` past jobs with their visits."""
    rng = random.Random(seed)
    people = []
    for n in range(max(60, jobs // 300)):
        trades = rng.sample(TRADES, rng.randint(1, 3))
        people.append(
            Tradesperson(
                status=Vetting.APPROVED,
                id=f"tp-{n}",
                name=f"Trade {n}",
                business_name=f"Trade {n} Ltd",
                trades=[Trade.PLUMBING, *trades] if n < 60 else trades,
                districts=rng.sample(DISTRICTS, 4) + (["M4"] if n < 60 else []),
                certificates={"niceic": date(2027, 6, 30)},
                insurance_expires=date(2027, 3, 31),
                small_local=rng.random() < 0.6,
            )
        )
    skill = {tp.id: rng.uniform(0.5, 0.97) for tp in people}
    past, visits = [], []
    for n in range(jobs):
        tp = rng.choice(people)
        reported = NOW - timedelta(days=rng.uniform(30, 730))
        target = reported + timedelta(days=rng.choice((1, 7, 28)))
        good = rng.random() < skill[tp.id]
        completed = (
            target - timedelta(hours=rng.uniform(1, 48))
            if good
            else target + timedelta(days=rng.uniform(0.5, 10))
        )
        rated = rng.random() < 0.7
        job = Job(
            id=f"job-{n}",
            landlord_id="landlord-1",
            home_id=f"home-{rng.randrange(jobs // 5)}",
            trade=rng.choice(tp.trades),
            title="Past repair",
            status=JobStatus.CLOSED,
            reported_at=reported,
            target_at=target,
            awarded_to=tp.id,
            completed_at=completed,
            rating_speed=rng.randint(4, 5)
            if rated and good
            else rng.randint(1, 4)
            if rated
            else None,
            rating_quality=rng.randint(3, 5) if rated else None,
            district=rng.choice(tp.districts),
        )
        past.append(job)
        if rng.random() < 0.08:
            visits.append(_visit(f"v-{n}-na", job, reported, "no_access"))
        visits.append(_visit(f"v-{n}", job, completed, "completed"))
    return people, past, visits


def _visit(visit_id: str, job: Job, when: datetime, outcome: str) -> Visit:
    return Visit(
        id=visit_id, job_id=job.id, tradesperson_id=job.awarded_to or "", started_at=when,
        outcome=outcome,
    )  # fmt: skip


def open_job_and_offers(people: list[Tradesperson], count: int, seed: int = 10):
    rng = random.Random(seed)
    job = Job(
        id="job-now",
        landlord_id="landlord-1",
        home_id="home-now",
        trade=Trade.PLUMBING,
        title="Leak under the kitchen sink",
        status=JobStatus.POSTED,
        reported_at=NOW,
        target_at=NOW + timedelta(days=7),
        district="M4",
    )
    offers = [
        Offer(
            id=f"offer-{tp.id}",
            job_id=job.id,
            tradesperson_id=tp.id,
            price_pence=rng.randrange(9_000, 22_000),
            earliest_slot=TODAY + timedelta(days=rng.randrange(0, 7)),
            created_at=NOW,
        )
        for tp in people[:count]
    ]
    return job, offers


def sql_floor(jobs: list[Job]) -> Callable[[], list]:
    """The same rows in an in-memory SQLite table, and the one aggregate over them."""
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE TABLE jobs (id TEXT PRIMARY KEY, awarded_to TEXT, status TEXT, home_id TEXT,"
        " trade TEXT, district TEXT, reported_at TEXT, target_at TEXT, completed_at TEXT,"
        " rating_speed INTEGER, rating_quality INTEGER)"
    )
    db.executemany(
        "INSERT INTO jobs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (j.id, j.awarded_to, j.status.value, j.home_id, j.trade.value, j.district,
             j.reported_at.isoformat(), j.target_at and j.target_at.isoformat(),
             j.completed_at and j.completed_at.isoformat(), j.rating_speed, j.rating_quality)
            for j in jobs
        ],
    )  # fmt: skip
    db.commit()
    query = (
        "SELECT awarded_to, count(*), sum(completed_at <= target_at), count(target_at),"
        " avg(rating_speed), count(rating_speed), avg(rating_quality), count(rating_quality)"
        " FROM jobs WHERE status IN ('completed', 'closed') GROUP BY awarded_to"
    )
    return lambda: db.execute(query).fetchall()


def median_seconds(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--candidates", type=int, default=50)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)

    people, past, visits = marketplace(args.jobs)
    profiles = {tp.id: tp for tp in people}
    job, offers = open_job_and_offers(people, args.candidates)
    print(
        f"marketplace:   {len(past):,} past jobs, {len(visits):,} visits, "
        f"{len(people)} tradespeople; {len(offers)} offers on one plumbing job"
    )

    history = TrackRecord.build(past, visits)
    ranked = rank(job, offers, profiles, history, TODAY)
    eligible = sum(c.eligible for c in ranked)
    print(f"ranked:        {eligible} eligible, top {ranked[0].name} scoring {ranked[0].score}")

    def whole() -> object:
        return rank(job, offers, profiles, TrackRecord.build(past, visits), TODAY)

    ours = median_seconds(whole, args.runs)
    build = median_seconds(lambda: TrackRecord.build(past, visits), args.runs)
    ranking = median_seconds(lambda: rank(job, offers, profiles, history, TODAY), args.runs)
    floor = median_seconds(sql_floor(past), args.runs)
    verdict = "ok" if ours / floor <= RATIO_GOAL else "OVER GOAL"
    print(f"rank:          {ours * 1000:7.1f} ms (median of {args.runs}): track record + rank")
    print(f"  track record:{build * 1000:7.1f} ms one pass over the jobs and visits")
    print(f"  rank:        {ranking * 1000:7.1f} ms {len(offers)} candidates, given the record")
    print(f"floor:         {floor * 1000:7.1f} ms one SQL GROUP BY awarded_to (in-memory SQLite)")
    print(f"ratio:         {ours / floor:7.2f} (goal {RATIO_GOAL} or less: {verdict})")


if __name__ == "__main__":
    main()
