"""Ranking benchmark: `python bench/ranking.py [--jobs 100000] [--candidates 50] [--runs 7]`.

Builds a seeded synthetic marketplace (tradespeople, homes, past jobs with targets,
completions and ratings, visits with some no-access) and stores it as an officer's device
holds it after a sync: a real local store (`app.store.local.Store`) in a temporary
directory, every job and visit a row of id and JSON body, as `apply_pull` writes them.
Then it prints:

1. time to rank `--candidates` offers for one job against all past jobs, as the officer's
   device does it (`Store.history`: one select over the jobs, one over the visits, and
   `TrackRecord.from_rows`; then `rank`), median of `--runs`, and the two halves apart;
2. beside it the floor: one SQL aggregate over the same rows of the same table
   (`GROUP BY awarded_to`: counts, completed within target, average ratings, each field
   read with `json_extract`; the faster of two ways of writing it), and the ratio (goal
   2.0 or less).

Nothing is kept between runs: each one reads the table afresh. The device path and the
floor are timed in turn, run by run, so that a busy machine slows both alike.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import tempfile
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
from app.store.local import Store  # noqa: E402

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
        id=visit_id, landlord_id=job.landlord_id, job_id=job.id,
        tradesperson_id=job.awarded_to or "", started_at=when, outcome=outcome,
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


def device_store(folder: Path, jobs: list[Job], visits: list[Visit]) -> Store:
    """An officer's device after a sync: the store on disk, each record a row of id and
    JSON body, as `Store.apply_pull` writes them (in bulk, one transaction)."""
    store = Store(folder / "device.db")
    with store.tx() as conn:
        for table, records in (("jobs", jobs), ("visits", visits)):
            conn.executemany(
                f"INSERT INTO {table}(id, body) VALUES (?, ?)",
                [(r.id, r.model_dump_json()) for r in records],
            )
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return store


# The floor, written two ways over the device's jobs table: each field read where it is
# used, or all read in one `json_extract` into a materialised row first. Both are timed and
# the faster is the floor.
FLOORS = {
    "json_extract per field": (
        "SELECT awarded_to, count(*),"
        " sum(json_extract(body, '$.completed_at') <= json_extract(body, '$.target_at')),"
        " count(json_extract(body, '$.target_at')),"
        " avg(json_extract(body, '$.rating_speed')), count(json_extract(body, '$.rating_speed')),"
        " avg(json_extract(body, '$.rating_quality')),"
        " count(json_extract(body, '$.rating_quality'))"
        " FROM jobs WHERE status IN ('completed', 'closed')"
        " AND json_extract(body, '$.landlord_id') = ? GROUP BY awarded_to"
    ),
    "one json_extract a row": (
        "WITH r AS MATERIALIZED (SELECT json_extract(body, '$.awarded_to', '$.completed_at',"
        " '$.target_at', '$.rating_speed', '$.rating_quality') AS a FROM jobs"
        " WHERE status IN ('completed', 'closed') AND json_extract(body, '$.landlord_id') = ?)"
        " SELECT a ->> 0, count(*), sum(a ->> 1 <= a ->> 2), count(a ->> 2), avg(a ->> 3),"
        " count(a ->> 3), avg(a ->> 4), count(a ->> 4) FROM r GROUP BY a ->> 0"
    ),
}


def sql_floor(store: Store, query: str, landlord_id: str) -> Callable[[], list]:
    return lambda: store.conn.execute(query, (landlord_id,)).fetchall()


def median_seconds(fns: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    """Each function's median time over `runs`, taken in turn run by run (after a warm-up
    of each), so that whatever else the machine is doing weighs on all of them alike."""
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(taken) for name, taken in times.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--candidates", type=int, default=50)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        store, job, offers, profiles, expected = setting(args, Path(folder))
        try:
            run(args, store, job, offers, profiles, expected)
        finally:
            store.close()


def setting(args, folder: Path):
    """The device's store, the open job and its offers, and the track record that
    `TrackRecord.build` makes of the same jobs as records. The records themselves are then
    let go: the device holds rows, not a hundred thousand models."""
    people, past, visits = marketplace(args.jobs)
    profiles = {tp.id: tp for tp in people}
    job, offers = open_job_and_offers(people, args.candidates)
    print(
        f"marketplace:   {len(past):,} past jobs, {len(visits):,} visits, "
        f"{len(people)} tradespeople; {len(offers)} offers on one plumbing job"
    )
    store = device_store(folder, past, visits)
    size = (folder / "device.db").stat().st_size
    print(f"device store:  {size / 1e6:.0f} MB on disk, rows of id and JSON body")
    return store, job, offers, profiles, TrackRecord.build(past, visits)


def run(args, store: Store, job: Job, offers, profiles, expected: TrackRecord) -> None:
    gc.collect()
    landlord = job.landlord_id
    history = store.history(landlord)
    same = history == expected
    ranked = rank(job, offers, profiles, history, TODAY)
    eligible = sum(c.eligible for c in ranked)
    print(
        f"ranked:        {eligible} eligible, top {ranked[0].name} scoring {ranked[0].score}; "
        f"track record {'the same as' if same else 'DIFFERENT FROM'} TrackRecord.build's"
    )

    def whole() -> object:
        return rank(job, offers, profiles, store.history(landlord), TODAY)

    timed = median_seconds(
        {
            "whole": whole,
            "history": lambda: store.history(landlord),
            "rank": lambda: rank(job, offers, profiles, history, TODAY),
            **{name: sql_floor(store, query, landlord) for name, query in FLOORS.items()},
        },
        args.runs,
    )
    ours, reading, ranking = timed["whole"], timed["history"], timed["rank"]
    floors = {name: timed[name] for name in FLOORS}
    way, floor = min(floors.items(), key=lambda item: item[1])
    verdict = "ok" if ours / floor <= RATIO_GOAL else "OVER GOAL"
    print(f"rank:          {ours * 1000:7.1f} ms (median of {args.runs}): store.history + rank")
    print(f"  history:     {reading * 1000:7.1f} ms one select over jobs, one over visits, rows")
    print(f"  rank:        {ranking * 1000:7.1f} ms {len(offers)} candidates, given the record")
    for name, seconds in floors.items():
        print(f"  SQL:         {seconds * 1000:7.1f} ms GROUP BY awarded_to, {name}")
    print(f"floor:         {floor * 1000:7.1f} ms one SQL GROUP BY awarded_to ({way})")
    print(f"ratio:         {ours / floor:7.2f} (goal {RATIO_GOAL} or less: {verdict})")
    if not same:
        sys.exit("The device's track record differs from TrackRecord.build's.")


if __name__ == "__main__":
    main()
