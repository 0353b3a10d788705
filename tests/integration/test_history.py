"""Track records read straight from storage, on the server (`SqlRepo.history`, from its
columns) and on a device (`Store.history`, from JSON bodies), are the ones
`TrackRecord.build` makes of the same jobs and visits as records, landlord by landlord."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.ranking import TrackRecord
from app.store.local import Store
from server_stub import db
from server_stub.repo import SqlRepo
from tests.test_ranking import LANDLORDS, expected_record, past_jobs, summary


def server_with(path: Path, jobs, visits):
    engine = db.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        for table, records in (("jobs", jobs), ("visits", visits)):
            conn.execute(
                db.SYNCED[table].insert(),
                [{**db.values_of(r), "seq": n} for n, r in enumerate(records, start=1)],
            )
    return engine


def device_with(path: Path, jobs, visits) -> Store:
    """A device's store holding the rows as a pull writes them: id and JSON body."""
    store = Store(path)
    with store.tx() as conn:
        for table, records in (("jobs", jobs), ("visits", visits)):
            conn.executemany(
                f"INSERT INTO {table}(id, body) VALUES (?, ?)",
                [(r.id, r.model_dump_json()) for r in records],
            )
    return store


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_server_and_a_device_read_the_same_track_record_as_build_makes(tmp_path, seed):
    jobs, visits = past_jobs(seed, 400)
    engine = server_with(tmp_path / "server.db", jobs, visits)
    store = device_with(tmp_path / "device.db", jobs, visits)
    try:
        for landlord in LANDLORDS:
            theirs = [j for j in jobs if j.landlord_id == landlord]
            their_visits = [v for v in visits if v.landlord_id == landlord]
            built = TrackRecord.build(theirs, their_visits)
            assert summary(built) == expected_record(theirs, their_visits)
            assert sum(s.recalled for s in built.stats.values()) > 0
            with db.reading(engine) as conn:
                on_server = SqlRepo(conn).history(landlord)
            on_device = store.history(landlord)
            # Rows come back in storage order, so only the order of trades and districts
            # may differ; every count and the marketplace averages are the same.
            assert summary(on_server) == summary(built)
            assert on_server.market == built.market
            assert summary(on_device) == summary(built)
            assert on_device.market == built.market
        everyone = TrackRecord.build(jobs, visits)
        assert summary(store.history()) == summary(everyone)
    finally:
        store.close()
        engine.dispose()


def test_a_landlord_with_no_past_jobs_gets_the_opening_averages(tmp_path):
    jobs, visits = past_jobs(4, 50)
    engine = server_with(tmp_path / "server.db", jobs, visits)
    store = device_with(tmp_path / "device.db", jobs, visits)
    try:
        with db.reading(engine) as conn:
            assert SqlRepo(conn).history("nobody") == TrackRecord.build([])
        assert store.history("nobody") == TrackRecord.build([])
    finally:
        store.close()
        engine.dispose()
