"""The local store: an action and its outbox entry are one transaction, pulls rebase
pending changes on top of the server's rows, and the outbox outlives restarts and
upgrades."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from app.domain.actions import Context
from app.domain.lifecycle import Rejected
from app.domain.models import AwardMode, JobStatus, Trade, User, Vetting
from app.domain.records import Home, Job, Tradesperson
from app.store import Store
from app.store.migrations import MIGRATIONS
from app.sync.protocol import Change, Mutation
from tests.cast import HOME, PLUMBER, RESIDENT

NOW = datetime(2026, 4, 2, 10, 0, tzinfo=UTC)
TAKEN = "This job was awarded to another tradesperson."
PROFILE = Tradesperson(
    status=Vetting.APPROVED,
    id=PLUMBER.id,
    name=PLUMBER.name,
    business_name="Pat Pipe Plumbing Ltd",
    trades=[Trade.PLUMBING],
    districts=["M4"],
    insurance_expires=date(2026, 12, 31),
)
JOB = Job(
    id="job-1",
    landlord_id="landlord-1",
    home_id=HOME.id,
    trade=Trade.PLUMBING,
    title="Leak under the kitchen sink",
    status=JobStatus.POSTED,
    award_mode=AwardMode.FIRST_TO_ACCEPT,
    fixed_price_pence=12_000,
    reported_at=datetime(2026, 4, 1, 9, 0, tzinfo=UTC),
    district="M4",
    resident_id=RESIDENT.id,
)
TABLE = {Home: "homes", Tradesperson: "tradespeople", Job: "jobs"}
AFTER_PHOTO = {"sha256": "a" * 64, "stage": "after"}


def upsert(record: Home | Tradesperson | Job) -> Change:
    return Change(
        table=TABLE[type(record)], id=record.id, op="upsert", row=record.model_dump(mode="json")
    )


def open_store(path: Path, user: User) -> Store:
    store = Store(path)
    store.tx_put("user", user.model_dump_json())
    store.apply_pull([upsert(HOME), upsert(PROFILE), upsert(JOB)], "e.1", False)
    return store


@pytest.fixture
def store(tmp_path):
    store = open_store(tmp_path / "local.db", PLUMBER)
    yield store
    store.close()


def act(store: Store, name: str, user: User = PLUMBER, **args) -> Mutation:
    return store.act(Context(user=user, now=NOW), name, args)


def job(store: Store) -> Job | None:
    return store.row("jobs", JOB.id)


def test_an_action_commits_its_optimistic_change_and_its_outbox_entry_together(store):
    mutation = act(store, "accept_job", job_id=JOB.id)
    assert job(store).status is JobStatus.AWARDED
    assert job(store).awarded_to == PLUMBER.id
    assert store.outbox() == [mutation]
    assert (mutation.seq, mutation.name, mutation.args) == (1, "accept_job", {"job_id": JOB.id})
    assert mutation.device_id == store.device_id
    assert store.pending_ids("jobs") == {JOB.id}


def test_a_refused_action_leaves_neither_a_change_nor_an_outbox_entry(store):
    with pytest.raises(Rejected) as caught:
        act(store, "complete_job", job_id=JOB.id, photos=[AFTER_PHOTO])
    assert caught.value.code == "not_awarded"
    assert job(store) == JOB
    assert store.outbox() == []
    assert store.photos_waiting() == []
    assert store.pending_ids("jobs") == set()
    assert act(store, "accept_job", job_id=JOB.id).seq == 1


def test_when_queueing_fails_the_optimistic_change_is_rolled_back_with_it(store):
    # A stray row holding the next seq makes the outbox insert fail after the change.
    store.conn.execute(
        "INSERT INTO outbox(seq, id, name, args, created_at) VALUES (1, 'stray', 'x', '{}', '')"
    )
    with pytest.raises(sqlite3.IntegrityError):
        act(store, "accept_job", job_id=JOB.id)
    assert job(store) == JOB
    assert store.pending_ids("jobs") == set()


def test_a_pending_change_survives_a_pull_that_overwrites_the_row(store):
    act(store, "accept_job", job_id=JOB.id)
    edited = JOB.model_copy(update={"access_notes": "Key safe by the door, code 1234"})
    store.apply_pull([upsert(edited)], "e.2", False)
    assert job(store).access_notes == "Key safe by the door, code 1234"
    assert job(store).awarded_to == PLUMBER.id
    assert len(store.outbox()) == 1
    assert store.get("cursor") == "e.2"


def test_a_pending_accept_of_a_job_the_server_gave_to_another_shows_the_servers_row(store):
    act(store, "accept_job", job_id=JOB.id)
    taken = JOB.model_copy(update={"status": JobStatus.AWARDED, "awarded_to": "plumber-2"})
    store.apply_pull([upsert(taken)], "e.2", False)
    assert job(store).awarded_to == "plumber-2"
    assert len(store.outbox()) == 1, "the server, not the pull, says it was refused"


def test_a_rejected_mutation_is_undone_at_the_next_pull_even_if_the_server_sent_nothing(store):
    mutation = act(store, "accept_job", job_id=JOB.id)
    store.settle([(mutation, "rejected", "taken", TAKEN)])
    store.apply_pull([], "e.2", False)
    assert job(store) == JOB
    assert store.outbox() == []
    assert store.pending_ids("jobs") == set()
    (problem,) = store.problems()
    assert (problem["mutation_id"], problem["name"]) == (mutation.id, "accept_job")
    assert (problem["code"], problem["message"]) == ("taken", TAKEN)


def test_a_rejected_new_report_disappears_at_the_next_pull(tmp_path):
    store = open_store(tmp_path / "resident.db", RESIDENT)
    mutation = act(
        store, "report_repair", RESIDENT, job_id="job-2", trade="glazing", title="Cracked pane"
    )
    assert store.row("jobs", "job-2") is not None
    store.settle([(mutation, "rejected", "no_home", "We can't find your home.")])
    store.apply_pull([], "e.2", False)
    assert store.row("jobs", "job-2") is None
    store.close()


def test_an_applied_mutation_keeps_the_servers_row_and_raises_no_problem(store):
    mutation = act(store, "accept_job", job_id=JOB.id)
    store.settle([(mutation, "applied", "", "")])
    mine = JOB.model_copy(update={"status": JobStatus.AWARDED, "awarded_to": PLUMBER.id})
    store.apply_pull([upsert(mine)], "e.2", False)
    assert job(store) == mine
    assert store.problems() == []
    assert store.pending_ids("jobs") == set()


def test_a_job_that_leaves_my_view_is_deleted_even_with_a_change_pending(store):
    act(store, "accept_job", job_id=JOB.id)
    store.apply_pull([Change(table="jobs", id=JOB.id, op="delete")], "e.2", False)
    assert job(store) is None
    assert len(store.outbox()) == 1


def test_a_table_from_a_newer_server_is_ignored_and_the_rest_of_the_page_applies(store):
    widget = Change(table="widgets", id="w-1", op="upsert", row={"id": "w-1"})
    retitled = JOB.model_copy(update={"title": "Leak under the sink, water on the floor"})
    store.apply_pull([widget, upsert(retitled)], "e.2", False)
    assert job(store) == retitled
    assert store.get("cursor") == "e.2"


def test_changes_in_one_page_apply_in_order_so_a_job_that_leaves_and_returns_is_kept(store):
    left = Change(table="jobs", id=JOB.id, op="delete")
    store.apply_pull([left, upsert(JOB)], "e.2", False)
    assert job(store) == JOB


def test_a_reset_pull_clears_synced_rows_but_keeps_the_outbox(store):
    mutation = act(store, "accept_job", job_id=JOB.id)
    store.apply_pull([upsert(PROFILE)], "f.1", True)
    assert store.row("homes", HOME.id) is None
    assert job(store) is None
    assert store.row("tradespeople", PLUMBER.id) == PROFILE
    assert store.outbox() == [mutation]
    assert store.get("cursor") == "f.1"
    # When the job arrives again the pending accept is shown on top of it.
    store.apply_pull([upsert(JOB)], "f.2", False)
    assert job(store).awarded_to == PLUMBER.id


def test_a_mutation_waits_for_its_photos_before_it_is_ready_to_push(tmp_path):
    store = open_store(tmp_path / "local.db", PLUMBER)
    started = JOB.model_copy(update={"status": JobStatus.IN_PROGRESS, "awarded_to": PLUMBER.id})
    store.apply_pull([upsert(started)], "e.2", False)
    mutation = act(store, "complete_job", job_id=JOB.id, photos=[AFTER_PHOTO])
    assert store.photos_waiting() == [AFTER_PHOTO["sha256"]]
    assert store.ready_to_push(10) == []
    store.photo_state(AFTER_PHOTO["sha256"], "uploaded")
    assert store.ready_to_push(10) == [mutation]
    store.close()


def test_upgrading_a_version_1_database_keeps_the_pending_mutation(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite3.connect(path, isolation_level=None)
    old.executescript(MIGRATIONS[0])
    old.execute("PRAGMA user_version = 1")
    old.execute("INSERT INTO meta(key, value) VALUES ('device_id', 'phone-1'), ('next_seq', '2')")
    old.execute(
        "INSERT INTO outbox(seq, id, name, args, created_at) VALUES (1, 'm-1', 'accept_job', ?, ?)",
        (json.dumps({"job_id": JOB.id}), NOW.isoformat()),
    )
    old.close()

    store = open_store(path, PLUMBER)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert store.outbox() == [
        Mutation(
            id="m-1",
            device_id="phone-1",
            seq=1,
            name="accept_job",
            args={"job_id": JOB.id},
            created_at=NOW,
        )
    ]
    assert job(store).awarded_to == PLUMBER.id, "the old pending accept is shown on top"
    assert store.photos_waiting() == []
    store.close()


def test_the_outbox_survives_closing_and_reopening_the_store(tmp_path):
    path = tmp_path / "local.db"
    store = open_store(path, PLUMBER)
    mutation = act(store, "accept_job", job_id=JOB.id)
    device_id = store.device_id
    store.close()

    reopened = Store(path)
    assert reopened.device_id == device_id
    assert reopened.outbox() == [mutation]
    assert reopened.row("jobs", JOB.id).awarded_to == PLUMBER.id
    assert reopened.pending_ids("jobs") == {JOB.id}
    reopened.close()


def test_residents_details_leave_a_tradespersons_device_30_days_after_the_job_closed(
    store, monkeypatch
):
    closed = datetime(2026, 4, 2, 16, 0, tzinfo=UTC)
    done = JOB.model_copy(
        update={
            "status": JobStatus.COMPLETED, "awarded_to": PLUMBER.id, "closed_at": closed,
            "street": "12 Mill Lane", "flat": "Flat 3", "resident_name": "Ada Lovelace",
            "resident_phone": "07700 900123", "access_notes": "Key safe 1234",
        }
    )  # fmt: skip
    monkeypatch.setattr("app.store.local.now", lambda: closed + timedelta(days=29))
    store.apply_pull([upsert(done)], "e.2", False)
    assert job(store).resident_phone == "07700 900123"  # still theirs this month

    # A month on, the server has sent nothing new about the job: the device forgets anyway.
    monkeypatch.setattr("app.store.local.now", lambda: closed + timedelta(days=31))
    store.apply_pull([], "e.3", False)
    kept = job(store)
    assert kept is not None, "the job stays in the record of work done"
    assert (kept.street, kept.flat, kept.resident_name, kept.resident_phone) == (
        "Mill Lane", None, None, None,
    )  # fmt: skip
    assert kept.access_notes == ""
