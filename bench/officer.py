"""Officer's device benchmark: `python bench/officer.py [--jobs 50000] [--runs 5]`.

Fills a real device store (SQLite file, JSON bodies as sync stores them) with `--jobs`
past jobs of one landlord, their visits, offers and extra work, then prints, median of
`--runs`:

1. every tradesperson's scorecard for a quarter (`app.store.reports.scorecard_rows` +
   `app.domain.scorecards.scorecards`), goal under 1 s, beside the floor: one SQL
   aggregate over the same rows (GROUP BY tradesperson: completed, within target, mean
   rating for the quarter);
2. the pattern queue over the same rows, beside the same floor;
3. a 200-job evidence pack (PDF and CSV, `app.evidence_pack`), beside the floor of
   reading those 200 jobs' rows;
4. the triage list's first page of 50 (`app.store.triage.triage_page`, `--open` open jobs
   among the rest; goal under 100 ms), beside the floor of reading 50 open jobs' rows
   unsorted, and beside reading every open job and sorting in Python (the old way).
"""

from __future__ import annotations

import argparse
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

from app import evidence_pack as pack  # noqa: E402
from app.domain.models import JobStatus, Priority, Trade  # noqa: E402
from app.domain.records import Extra, Job, Offer, Visit  # noqa: E402
from app.domain.scorecards import Period, patterns, scorecards  # noqa: E402
from app.store import Store  # noqa: E402
from app.store.reports import scorecard_rows  # noqa: E402
from app.store.triage import TriageFilter, triage_page  # noqa: E402

GOAL_SECONDS = 1.0
TRIAGE_GOAL_MS = 100
NOW = datetime(2026, 10, 1, 9, tzinfo=UTC)
QUARTER = Period(date(2026, 7, 1), date(2026, 9, 30))
LANDLORD = "landlord-1"
PATTERN_DAYS = 121  # the longest look-back of the pattern rules: 30 + 90 days of ratings


def fill(store: Store, jobs: int, seed: int = 5) -> None:
    rng = random.Random(seed)
    people = [f"tp-{n}" for n in range(max(40, jobs // 500))]
    skill = {tp: rng.uniform(0.5, 0.97) for tp in people}
    rows: dict[str, list[tuple[str, str]]] = {"jobs": [], "offers": [], "visits": [], "extras": []}
    for n in range(jobs):
        tp = rng.choice(people)
        reported = NOW - timedelta(days=rng.uniform(1, 400))
        target = reported + timedelta(days=rng.choice((1, 7, 28)))
        good = rng.random() < skill[tp]
        done = reported + timedelta(days=rng.uniform(0.2, 0.9)) * (target - reported).days
        done = done if good else target + timedelta(days=rng.uniform(0.5, 10))
        finished, rated = done < NOW, rng.random() < 0.6
        key = f"job-{n}"
        job = Job(
            id=key,
            landlord_id=LANDLORD,
            home_id=f"home-{rng.randrange(jobs // 4)}",
            trade=rng.choice(list(Trade)),
            title="Past repair",
            status=JobStatus.CLOSED if finished else JobStatus.AWARDED,
            priority=rng.choice(list(Priority)),
            reported_at=reported,
            target_at=target,
            awarded_to=tp,
            awarded_at=reported + timedelta(hours=2),
            awarded_offer_id=f"offer-{n}",
            completed_at=done if finished else None,
            rating_quality=rng.randint(3 if good else 1, 5) if finished and rated else None,
            rating_speed=rng.randint(1, 5) if finished and rated else None,
            review="Good work" if rng.random() < 0.1 else "",
        )  # fmt: skip
        rows["jobs"].append((key, job.model_dump_json()))
        offer = Offer(
            id=f"offer-{n}",
            landlord_id=LANDLORD,
            job_id=key,
            tradesperson_id=tp,
            price_pence=rng.randrange(8_000, 40_000),
            earliest_slot=reported.date(),
            created_at=reported,
        )
        rows["offers"].append((offer.id, offer.model_dump_json()))
        visit = Visit(
            id=f"visit-{n}",
            landlord_id=LANDLORD,
            job_id=key,
            tradesperson_id=tp,
            started_at=reported + timedelta(days=1),
            outcome="no_access" if rng.random() > skill[tp] + 0.1 else "completed",
        )
        rows["visits"].append((visit.id, visit.model_dump_json()))
        if rng.random() < 0.05:
            extra = Extra(
                id=f"extra-{n}",
                landlord_id=LANDLORD,
                job_id=key,
                tradesperson_id=tp,
                reason="More",
                price_pence=5_000,
                status=rng.choice(("approved", "refused")),
                requested_at=reported + timedelta(days=1),
            )
            rows["extras"].append((extra.id, extra.model_dump_json()))
    with store.tx() as conn:
        for table, values in rows.items():
            conn.executemany(f"INSERT INTO {table}(id, body) VALUES (?, ?)", values)


def fill_open(store: Store, count: int, seed: int = 6) -> None:
    """Open work for the triage list: new reports and posted jobs, some damp and mould."""
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        status = rng.choice((JobStatus.REPORTED, JobStatus.TRIAGED, JobStatus.POSTED))
        reported = NOW - timedelta(hours=rng.uniform(1, 2000))
        job = Job(
            id=f"open-{n}", landlord_id=LANDLORD, home_id=f"home-{n}",
            trade=rng.choice(list(Trade)), title=f"Open repair {n}", status=status,
            priority=None if status is JobStatus.REPORTED else rng.choice(list(Priority)),
            damp_and_mould=rng.random() < 0.05, reported_at=reported,
            target_at=None if status is JobStatus.REPORTED else reported + timedelta(days=5),
            district=rng.choice(("E5", "E8", "E9", "N16")), street=f"{n} Mare Street",
        )  # fmt: skip
        rows.append((job.id, job.model_dump_json()))
    with store.tx() as conn:
        conn.executemany("INSERT INTO jobs(id, body) VALUES (?, ?)", rows)


def floor(store: Store) -> list:
    """One SQL aggregate over the same rows: the least any scorecard must read."""
    return store.conn.execute(
        "SELECT json_extract(body, '$.awarded_to') AS tp, count(*),"
        " sum(json_extract(body, '$.completed_at') <= json_extract(body, '$.target_at')),"
        " avg(json_extract(body, '$.rating_quality')) FROM jobs"
        " WHERE json_extract(body, '$.completed_at') >= ? AND"
        " json_extract(body, '$.completed_at') < ? GROUP BY tp",
        (QUARTER.begins.astimezone(UTC).isoformat(), QUARTER.ends.astimezone(UTC).isoformat()),
    ).fetchall()


def median_seconds(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--open", type=int, default=10_000, help="open jobs for triage")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "officer.db")
        fill(store, args.jobs)
        fill_open(store, args.open)

        def cards():
            jobs, visits, extras = scorecard_rows(store.conn, LANDLORD, since=QUARTER.start)
            return scorecards(jobs, visits, extras, QUARTER, NOW)

        def queue():
            since = QUARTER.end - timedelta(days=PATTERN_DAYS)
            jobs, visits, _ = scorecard_rows(store.conn, LANDLORD, since=since)
            return patterns(jobs, visits, QUARTER.end)

        pack_ids = [f"job-{n}" for n in range(0, args.jobs, max(1, args.jobs // 200))][:200]

        def evidence():
            marks = ",".join("?" * len(pack_ids))
            jobs = store.rows("jobs", f"id IN ({marks})", tuple(pack_ids))
            offers = {
                o.id: o for o in store.rows("offers", f"job_id IN ({marks})", tuple(pack_ids))
            }
            visits = store.rows("visits", f"job_id IN ({marks})", tuple(pack_ids))
            packed = pack.assemble(jobs, offers, [], visits, {})
            return pack.to_pdf(packed, "Evidence pack", "Landlord", "Officer", NOW), pack.to_csv(
                packed
            )

        def read_pack_rows():
            marks = ",".join("?" * len(pack_ids))
            return store.conn.execute(
                f"SELECT body FROM jobs WHERE id IN ({marks})", tuple(pack_ids)
            ).fetchall()

        open_marks = "'reported', 'triaged', 'posted'"

        def triage_floor():
            return store.conn.execute(
                f"SELECT body FROM jobs WHERE status IN ({open_marks}) LIMIT 50"
            ).fetchall()

        def triage_first_page():
            return triage_page(store.conn, TriageFilter(), 50, 0)

        def triage_everything():
            jobs = store.rows("jobs", f"status IN ({open_marks})")
            return sorted(jobs, key=lambda j: (j.target_at or j.reported_at, j.id))[:50]

        found = cards()
        sql = median_seconds(lambda: floor(store), args.runs)
        card_s = median_seconds(cards, args.runs)
        queue_s = median_seconds(queue, args.runs)
        pack_floor = median_seconds(read_pack_rows, args.runs)
        pack_s = median_seconds(evidence, args.runs)
        triage_floor_s = median_seconds(triage_floor, args.runs)
        triage_s = median_seconds(triage_first_page, args.runs)
        everything_s = median_seconds(triage_everything, args.runs)
        store.close()
    print(
        f"Officer's device, {args.jobs:,} jobs cached, {len(found)} tradespeople, {QUARTER.label}"
    )
    print(f"  floor: one SQL aggregate over the same rows  {sql * 1000:8.1f} ms")
    verdict = "met" if card_s < GOAL_SECONDS else "NOT met"
    print(
        f"  all scorecards for the quarter               {card_s * 1000:8.1f} ms"
        f"  ({card_s / sql:.1f}x the floor; goal under {GOAL_SECONDS:.0f} s: {verdict})"
    )
    print(f"  the pattern queue                            {queue_s * 1000:8.1f} ms")
    print(f"  floor: reading 200 jobs' rows                {pack_floor * 1000:8.1f} ms")
    print(
        f"  a 200-job evidence pack (PDF and CSV)        {pack_s * 1000:8.1f} ms"
        f"  ({pack_s / pack_floor:.0f}x the floor)"
    )
    print(f"  floor: reading 50 open jobs' rows, unsorted  {triage_floor_s * 1000:8.1f} ms")
    verdict = "met" if triage_s * 1000 < TRIAGE_GOAL_MS else "NOT met"
    print(
        f"  triage list, first page of 50 of {args.open:,} open {triage_s * 1000:6.1f} ms"
        f"  (goal under {TRIAGE_GOAL_MS} ms: {verdict})"
    )
    print(f"  every open job read and sorted in Python     {everything_s * 1000:8.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
