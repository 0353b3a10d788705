"""Push applied in batches, in process: each mutation still applies exactly once, a
rejected one changes nothing (also after its saves reached the database for a query),
the same id twice in one request is a duplicate, and a request that fails inside a
commit shared with others (group commit) loses none of theirs."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.domain import actions
from app.domain import commands as c
from app.domain.models import User
from app.domain.records import Job
from app.sync import protocol as p
from server_stub import db, group_commit, sync_service
from server_stub.demo import DEMO_ACCOUNTS
from server_stub.repo import SqlRepo


@pytest.fixture
def engine(server_engine):  # SQLite, and PostgreSQL where REPAIRS_TEST_PG_URL names one
    return server_engine


def person(engine: sa.Engine, who: str) -> User:
    with engine.connect() as conn:
        row = conn.execute(sa.select(db.users).where(db.users.c.email == DEMO_ACCOUNTS[who]))
        return User.model_validate(dict(row.mappings().one()))


def report(seq: int, title: str, trade: str = "plumbing", mid: str | None = None) -> p.Mutation:
    return p.Mutation(
        id=mid or str(uuid.uuid4()),
        device_id="device",
        seq=seq,
        name="report_repair",
        args={"job_id": str(uuid.uuid4()), "trade": trade, "title": title},
        created_at=datetime.now(UTC),
    )


def body(device: str, *mutations: p.Mutation) -> p.PushRequest:
    return p.PushRequest(
        schema_version=p.SCHEMA_VERSION, device_id=device, mutations=list(mutations)
    )


def titles(engine: sa.Engine) -> Counter:
    with engine.connect() as conn:
        return Counter(conn.execute(sa.select(db.SYNCED["jobs"].c.title)).scalars())


def statuses(response: p.PushResponse) -> list[str]:
    return [r.status for r in response.results]


def test_rejected_and_repeated_mutations_in_one_request(engine):
    resident = person(engine, "resident")
    leak = report(1, "Batch leak")
    request = body(
        "device-1",
        leak,
        report(2, "Batch wizardry", trade="wizardry"),  # rejected: no such trade
        leak,  # the same id again: a duplicate, not a second job
        report(3, "Batch crack"),
    )
    first = sync_service.push(engine, resident, request)
    assert statuses(first) == ["applied", "rejected", "duplicate", "applied"]
    again = sync_service.push(engine, resident, request)  # the whole request retried
    assert statuses(again) == ["duplicate", "rejected", "duplicate", "duplicate"]
    assert first.results[1].message == again.results[1].message
    found = titles(engine)
    assert (found["Batch leak"], found["Batch crack"], found["Batch wizardry"]) == (1, 1, 0)
    with engine.connect() as conn:
        d = db.devices
        last = conn.execute(sa.select(d.c.last_seq).where(d.c.id == "device-1")).scalar()
        assert last == 3


def test_a_rejected_mutation_whose_saves_reached_the_database_changes_nothing(engine):
    with engine.begin() as conn:
        row = conn.execute(sa.select(db.SYNCED["jobs"]).limit(1)).mappings().one()
        job = Job.model_validate(dict(row))
        repo = SqlRepo(conn, batch=True)
        repo.begin()
        repo.save(job.model_copy(update={"title": "Accepted title"}))
        repo.end(ok=True)
        repo.begin()  # a mutation that saves, queries (writing its saves), then is rejected
        repo.save(job.model_copy(update={"title": "Rejected title"}))
        copy = job.model_copy(update={"id": str(uuid.uuid4()), "title": "Rejected copy"})
        repo.save(copy)
        assert [j.title for j in repo.find("jobs", "id", job.id)] == ["Rejected title"]
        repo.end(ok=False)
        assert repo.get("jobs", job.id).title == "Accepted title"
        assert repo.get("jobs", copy.id) is None
        repo.begin()
        repo.save(repo.get("jobs", job.id).model_copy(update={"description": "Later, accepted"}))
        repo.end(ok=True)
        repo.flush()
    with engine.connect() as conn:
        jobs = db.SYNCED["jobs"]
        saved = conn.execute(sa.select(jobs).where(jobs.c.id == job.id)).mappings().one()
        assert (saved["title"], saved["description"]) == ("Accepted title", "Later, accepted")
        assert saved["seq"] == db.current_seq(conn)
        assert conn.execute(sa.select(jobs.c.id).where(jobs.c.id == copy.id)).first() is None


def test_a_request_failing_inside_a_shared_commit_loses_no_other_request(engine, monkeypatch):
    resident = person(engine, "resident")
    real = actions.HANDLERS[c.ReportRepair]

    def flaky(repo, ctx, a):  # saves its job, then fails: a bug, not a rejection
        real(repo, ctx, a)
        if a.title == "Boom":
            repo.find("jobs", "id", a.job_id)  # the request's saves so far reach the database
            raise RuntimeError("a bug in one request")

    monkeypatch.setitem(actions.HANDLERS, c.ReportRepair, flaky)
    requests = {
        "before": body("device-a", report(1, "Group A1"), report(2, "Group A2")),
        "failing": body("device-b", report(1, "Group B1"), report(2, "Boom")),
        "after": body("device-c", report(1, "Group C1")),
    }
    answers: dict[str, object] = {}

    def send(name: str) -> None:
        try:
            answers[name] = sync_service.push(engine, resident, requests[name])
        except Exception as e:  # noqa: BLE001 - the answer under test
            answers[name] = e

    def queued(n: int) -> None:
        deadline = time.monotonic() + 10
        while group.queued < n and time.monotonic() < deadline:
            time.sleep(0.005)
        assert group.queued == n

    group = group_commit.for_engine(engine)
    gate = threading.Event()
    # A group that holds the line until all three requests have queued behind it.
    leader = threading.Thread(target=group.run, args=(lambda conn: gate.wait(10),))
    leader.start()
    queued(1)
    commits = []
    sa.event.listen(engine, "commit", lambda conn: commits.append(1))
    threads = []
    for name in requests:  # queued in this order
        threads.append(threading.Thread(target=send, args=(name,)))
        threads[-1].start()
        queued(1 + len(threads))
    gate.set()
    for t in [leader, *threads]:
        t.join(10)
    assert len(commits) == 2, "the three requests did not share one commit"
    assert statuses(answers["before"]) == ["applied", "applied"]
    assert statuses(answers["after"]) == ["applied"]
    assert isinstance(answers["failing"], RuntimeError)
    found = titles(engine)
    assert [found[t] for t in ("Group A1", "Group A2", "Group C1")] == [1, 1, 1]
    assert found["Group B1"] == found["Boom"] == 0  # the failing request left nothing
    with engine.connect() as conn:
        devices = set(conn.execute(sa.select(db.devices.c.id)).scalars())
        assert {"device-a", "device-c"} <= devices and "device-b" not in devices

    monkeypatch.setitem(actions.HANDLERS, c.ReportRepair, real)  # fixed: the device retries
    assert statuses(sync_service.push(engine, resident, requests["failing"])) == [
        "applied",
        "applied",
    ]
    assert statuses(sync_service.push(engine, resident, requests["before"])) == [
        "duplicate",
        "duplicate",
    ]
    found = titles(engine)
    assert [found[t] for t in ("Group A1", "Group A2", "Group B1", "Boom", "Group C1")] == [1] * 5
    with engine.connect() as conn:  # every change its own number: none reused or lost
        seqs = [s for t in db.SYNCED.values() for s in conn.execute(sa.select(t.c.seq)).scalars()]
        assert len(seqs) == len(set(seqs)) and max(seqs) <= db.current_seq(conn)
