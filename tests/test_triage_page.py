"""The officer's triage list paged in SQL gives the same jobs in the same order as sorting
and filtering every open job in Python, page after page."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.models import JobStatus, Priority, Trade
from app.domain.records import Job
from app.store import Store
from app.store.triage import TriageFilter, triage_page

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
NEW = (JobStatus.REPORTED, JobStatus.TRIAGED)
STREETS = ("Mare Street", "Mill Lane", "Amhurst Road")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    rng = random.Random(7)
    store = Store(tmp_path_factory.mktemp("triage") / "device.db")
    jobs = []
    for n in range(400):
        status = rng.choice([*NEW, JobStatus.POSTED, JobStatus.AWARDED, JobStatus.CLOSED])
        reported = T0 + timedelta(hours=rng.randrange(2000))
        jobs.append(
            Job(
                id=f"job-{n:03d}",
                landlord_id="l",
                home_id=f"h{n}",
                trade=rng.choice(list(Trade)),
                title=rng.choice(["Leak", "Broken window", "Mould in bedroom", "No heating"]),
                status=status,
                priority=None if status is JobStatus.REPORTED else rng.choice(list(Priority)),
                damp_and_mould=rng.random() < 0.1,
                reported_at=reported,
                target_at=None
                if status is JobStatus.REPORTED
                else reported + timedelta(days=rng.choice((1, 5, 20))),
                district=rng.choice(("E5", "E8", "N16")),
                street=f"{n} {rng.choice(STREETS)}",
                resident_name=rng.choice(("Ann Lee", "Bo Khan", None)),
            )  # fmt: skip
        )
    with store.tx() as conn:
        conn.executemany(
            "INSERT INTO jobs(id, body) VALUES (?, ?)", [(j.id, j.model_dump_json()) for j in jobs]
        )
    yield store, jobs
    store.close()


def oracle(jobs: list[Job], f: TriageFilter) -> list[str]:
    wanted = {"new": NEW, "posted": (JobStatus.POSTED,)}.get(f.status, (*NEW, JobStatus.POSTED))

    def matches(j: Job) -> bool:
        where = " ".join(x for x in (j.title, j.street, j.resident_name or "") if x).lower()
        return (
            j.status in wanted
            and f.text.lower() in where
            and f.priority in ("any", j.priority.value if j.priority else "")
            and f.trade in ("any", j.trade.value)
            and f.district in ("any", j.district)
            and (j.damp_and_mould or not f.damp_only)
        )

    keys = {
        "triage": lambda j: (
            j.status not in NEW,
            j.target_at or j.reported_at,
            j.reported_at,
            j.id,
        ),
        "oldest": lambda j: (j.reported_at, j.id),
        "newest": lambda j: (-j.reported_at.timestamp(), j.id),
        "target": lambda j: (j.target_at is None, j.target_at or j.reported_at, j.id),
    }
    pinned = lambda j: j.damp_and_mould or j.priority is Priority.EMERGENCY  # noqa: E731
    found = sorted((j for j in jobs if matches(j)), key=lambda j: (not pinned(j), keys[f.sort](j)))
    return [j.id for j in found]


FILTERS = [
    TriageFilter(),
    TriageFilter(sort="oldest"),
    TriageFilter(sort="newest", status="posted"),
    TriageFilter(sort="target", status="new"),
    TriageFilter(text="mare st"),
    TriageFilter(text="ann"),
    TriageFilter(priority="urgent", district="E8"),
    TriageFilter(trade="plumbing", damp_only=True),
    TriageFilter(text="nothing like this"),
]


@pytest.mark.parametrize("f", FILTERS, ids=repr)
def test_pages_in_sql_match_sorting_everything_in_python(store, f):
    store, jobs = store
    expected = oracle(jobs, f)
    seen, offset = [], 0
    while True:
        page = triage_page(store.conn, f, 25, offset)
        seen += [j.id for j in page.jobs]
        offset += 25
        if len(page.jobs) < 25:
            break
    assert seen == expected
    assert page.matching == len(expected)
    open_jobs = [j for j in jobs if j.status in (*NEW, JobStatus.POSTED)]
    assert page.open == len(open_jobs)
    assert page.new == sum(j.status in NEW for j in open_jobs)
    assert page.districts == sorted({j.district for j in open_jobs})
