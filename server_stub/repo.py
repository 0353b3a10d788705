"""The domain's `Repo` over the server's tables. A save gives the row a new change
sequence number so that pull sends it on, records who can no longer see it (so that only
they get a delete), and records which photos it cites (so that only those who may see it
can download them).

`SqlRepo(conn)` writes each save at once. `SqlRepo(conn, batch=True)` (push) holds the
saves of a request in memory and writes them together with one executemany per table at
the end: a record just saved is read back from memory, never the database, and the
change sequence is read once and written once per request. Each mutation is bracketed by
`begin()` and `end(ok)`: a rejected mutation's writes are dropped without a savepoint,
unless a query (`find`, `history`) made them reach the database first, in which case a
savepoint taken just before that undoes them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from app.domain import policy
from app.domain.models import JobStatus
from app.domain.ranking import JOB_COLUMNS, TrackRecord
from app.domain.records import RECORDS, TABLE_OF, Record
from server_stub import db, live

Key = tuple[str, str]


class _Writes:
    """Saves not yet in the database: rows by (table, id), departures, photo citations."""

    def __init__(self) -> None:
        self.rows: dict[Key, dict[str, Any]] = {}
        self.departures: list[dict[str, Any]] = []
        self.refs: list[dict[str, Any]] = []

    def __bool__(self) -> bool:
        return bool(self.rows or self.departures or self.refs)

    def merge(self, other: _Writes) -> None:
        self.rows.update(other.rows)
        self.departures += other.departures
        self.refs += other.refs


class SqlRepo:
    authoritative = True  # the server holds every record

    def __init__(self, conn: sa.Connection, batch: bool = False) -> None:
        self.conn = conn
        self.batch = batch
        self._known: dict[Key, dict[str, Any] | None] = {}  # rows as the database holds them
        self._accepted = _Writes()  # saves of mutations that succeeded, not yet written
        self._pending = _Writes()  # saves of the mutation under way
        self._nested: sa.NestedTransaction | None = None
        self._in_savepoint: set[Key] = set()  # rows written since that savepoint
        self._seq: int | None = None  # the change sequence reached, once read

    # -- reading ------------------------------------------------------------------------

    def _row(self, table: str, key: str) -> dict[str, Any] | None:
        if self.batch:
            for writes in (self._pending, self._accepted):
                row = writes.rows.get((table, key))
                if row is not None:
                    return row
            if (table, key) in self._known:
                return self._known[(table, key)]
        t = db.SYNCED[table]
        row = self.conn.execute(sa.select(t).where(t.c.id == key)).mappings().first()
        found = dict(row) if row else None
        if self.batch:
            self._known[(table, key)] = found
        return found

    def prefetch(self, wanted: Iterable[Key]) -> None:
        """Read these rows (or learn they are absent) with one query per table."""
        by_table: dict[str, set[str]] = {}
        for table, key in wanted:
            if (table, key) not in self._known and table in db.SYNCED:
                by_table.setdefault(table, set()).add(key)
        for table, keys in by_table.items():
            t = db.SYNCED[table]
            for key in keys:
                self._known[(table, key)] = None
            for row in self.conn.execute(sa.select(t).where(t.c.id.in_(keys))).mappings():
                self._known[(table, row["id"])] = dict(row)

    def get(self, table: str, key: str) -> Record | None:
        row = self._row(table, key)
        return RECORDS[table].model.model_validate(row) if row else None

    def find(self, table: str, field: str, value: str) -> list[Any]:
        self._reach_database()
        t = db.SYNCED[table]
        model = RECORDS[table].model
        rows = self.conn.execute(sa.select(t).where(t.c[field] == value)).mappings()
        return [model.model_validate(dict(r)) for r in rows]

    def own_photos(self, user_id: str, shas: Iterable[str]) -> set[str]:
        q = sa.select(db.blob_owners.c.sha256).where(
            db.blob_owners.c.user_id == user_id, db.blob_owners.c.sha256.in_(list(shas))
        )
        return set(self.conn.execute(q).scalars())

    def history(self, landlord_id: str) -> TrackRecord:
        """Every tradesperson's track record from the landlord's past jobs and visits: the
        jobs' columns as rows (duplicates left out) and the visits counted by tradesperson
        and outcome, with no record built."""
        self._reach_database()
        jobs, visits = db.SYNCED["jobs"], db.SYNCED["visits"]
        job_rows = self.conn.execute(
            sa.select(*(jobs.c[name] for name in JOB_COLUMNS)).where(
                jobs.c.landlord_id == landlord_id, jobs.c.status != JobStatus.DUPLICATE.value
            )
        )
        visit_rows = self.conn.execute(
            sa.select(visits.c.tradesperson_id, visits.c.outcome, sa.func.count())
            .where(visits.c.landlord_id == landlord_id)
            .group_by(visits.c.tradesperson_id, visits.c.outcome)
        )
        return TrackRecord.from_rows(job_rows.all(), visit_rows.all())

    # -- writing ------------------------------------------------------------------------

    def save(self, record: Record) -> None:
        if self.batch:
            self._save_later(record)
            return
        name = TABLE_OF[type(record)]
        table = db.SYNCED[name]
        values = db.values_of(record)
        seq = db.next_seq(self.conn)
        before = self._row(name, record.id)
        if before is None:
            self.conn.execute(table.insert().values({**values, "seq": seq}))
        else:
            self.conn.execute(
                table.update().where(table.c.id == record.id).values({**values, "seq": seq})
            )
            gone = policy.audiences(name, before) - policy.audiences(name, values)
            live.note(self.conn, gone)  # those who lost sight of it are told to pull too
            if gone:
                self.conn.execute(
                    db.departures.insert(),
                    [{"seq": seq, "tbl": name, "id": record.id, "audience": a} for a in gone],
                )
        live.note(self.conn, policy.audiences(name, values))
        cited = set(values.get("photos") or []) - set((before or {}).get("photos") or [])
        if cited:
            self.conn.execute(
                db.photo_refs.insert(),
                [{"sha256": sha, "tbl": name, "id": record.id} for sha in cited],
            )

    def _save_later(self, record: Record) -> None:
        name = TABLE_OF[type(record)]
        values = db.values_of(record)
        before = self._row(name, record.id)
        if self._seq is None:
            self._seq = db.lock_seq(self.conn)
        self._seq += 1
        seq = self._seq
        self._pending.rows[(name, record.id)] = {**values, "seq": seq}
        if before is not None:
            gone = policy.audiences(name, before) - policy.audiences(name, values)
            live.note(self.conn, gone)  # those who lost sight of it are told to pull too
            self._pending.departures += [
                {"seq": seq, "tbl": name, "id": record.id, "audience": a} for a in gone
            ]
        live.note(self.conn, policy.audiences(name, values))
        cited = set(values.get("photos") or []) - set((before or {}).get("photos") or [])
        self._pending.refs += [{"sha256": sha, "tbl": name, "id": record.id} for sha in cited]

    def begin(self) -> None:
        """A mutation starts: its saves are held apart until `end`."""
        self._pending = _Writes()
        self._nested = None
        self._in_savepoint = set()

    def end(self, ok: bool) -> None:
        """The mutation succeeded (its saves join the request's) or was rejected (they go)."""
        if ok:
            self._accepted.merge(self._pending)
            if self._nested is not None:
                self._nested.commit()
        elif self._nested is not None:
            self._nested.rollback()
            for key in self._in_savepoint:  # undone: read them again when next asked
                self._known.pop(key, None)
        self._pending = _Writes()
        self._nested = None
        self._in_savepoint = set()

    def flush(self) -> int | None:
        """Write every accepted save, and the sequence reached; returns that sequence (None
        when nothing was saved)."""
        self._write(self._accepted)
        self._accepted = _Writes()
        if self._seq is not None:
            db.set_seq(self.conn, self._seq)
        return self._seq

    def _reach_database(self) -> None:
        """Before a query the held saves cannot answer: write them, the mutation under way's
        behind a savepoint so that a rejection can still undo them."""
        if not self.batch:
            return
        self._write(self._accepted)
        self._accepted = _Writes()
        if self._pending:
            if self._nested is None:
                self._nested = self.conn.begin_nested()
            self._in_savepoint |= set(self._pending.rows)
            self._write(self._pending)
            self._pending = _Writes()

    def _write(self, writes: _Writes) -> None:
        inserts: dict[str, list[dict]] = {}
        updates: dict[str, list[dict]] = {}
        for (name, key), row in writes.rows.items():
            exists = self._known.get((name, key)) is not None
            (updates if exists else inserts).setdefault(name, []).append(row)
            self._known[(name, key)] = row
        for name, rows in inserts.items():
            self.conn.execute(db.SYNCED[name].insert(), rows)
        for name, rows in updates.items():
            table = db.SYNCED[name]
            statement = table.update().where(table.c.id == sa.bindparam("_key"))
            self.conn.execute(statement, [{**row, "_key": row["id"]} for row in rows])
        if writes.departures:
            self.conn.execute(db.departures.insert(), writes.departures)
        if writes.refs:
            self.conn.execute(db.photo_refs.insert(), writes.refs)
