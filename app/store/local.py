"""The local store. All calls are blocking and must run on the client's database thread.

Server rows live in their tables as JSON bodies. An optimistic change first copies the
server's version of each row it touches into `shadow`; after every pull the shadows are
put back and the still-pending mutations are applied again on top (a rebase), so a
rejected change disappears and a pending one survives whatever the server sent."""

from __future__ import annotations

import gc
import json
import sqlite3
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from app.domain import actions, policy
from app.domain.lifecycle import Rejected
from app.domain.models import JobStatus, Role, User
from app.domain.ranking import JOB_COLUMNS, TrackRecord
from app.domain.records import RECORDS, TABLE_OF, Extra, Job, Offer, Record, Tradesperson
from app.store.migrations import migrate
from app.sync.protocol import Change, Mutation


def now() -> datetime:
    return datetime.now(UTC)


class Store:
    def __init__(self, path: Path) -> None:
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")  # an outbox entry survives power loss
        conn.execute("PRAGMA secure_delete=ON")  # what sign-out deletes is overwritten
        migrate(conn)
        self.conn = conn
        self.db = sqlite_utils.Database(conn)  # for reads as dicts; writes go through tx()
        self.device_id = self.get("device_id") or str(uuid.uuid4())
        with self.tx():
            self.put("device_id", self.device_id)

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- meta -------------------------------------------------------------------------

    def get(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put(self, key: str, value: str | None) -> None:
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def user(self) -> User | None:
        raw = self.get("user")
        return User.model_validate_json(raw) if raw else None

    # -- rows ---------------------------------------------------------------------------

    def row(self, table: str, key: str):
        found = self.conn.execute(f"SELECT body FROM {table} WHERE id = ?", (key,)).fetchone()
        return RECORDS[table].model.model_validate_json(found[0]) if found else None

    def rows(self, table: str, where: str = "1", params: tuple = ()) -> list:
        model = RECORDS[table].model
        query = f"SELECT body FROM {table} WHERE {where}"
        return [model.model_validate_json(b) for (b,) in self.conn.execute(query, params)]

    def pending_ids(self, table: str) -> set[str]:
        query = "SELECT id FROM shadow WHERE tbl = ?"
        return {r[0] for r in self.conn.execute(query, (table,))}

    def count(self, table: str, where: str = "1", params: tuple = ()) -> int:
        return self.conn.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchone()[
            0
        ]

    # -- typed queries: the only SQL the client's screens rely on ----------------------

    def job(self, job_id: str) -> Job | None:
        return self.row("jobs", job_id)

    def jobs_for_resident(self, user_id: str) -> list[Job]:
        """The resident's own reports, and those of their block they said "me too" on."""
        joined = "EXISTS (SELECT 1 FROM json_each(body, '$.also_reported_by') WHERE value = ?)"
        return self.rows("jobs", f"resident_id = ? OR {joined}", (user_id, user_id))

    def communal_jobs(self) -> list[Job]:
        """Reports of shared areas on this device: a resident's block's, an officer's all."""
        return self.rows("jobs", "json_extract(body, '$.communal') = 1")

    def jobs_awarded_to(self, user_id: str) -> list[Job]:
        return self.rows("jobs", "awarded_to = ?", (user_id,))

    def jobs_done_by(self, user_id: str) -> list[Job]:
        """Jobs awarded to `user_id` that are completed or closed: their record of work done."""
        done = (JobStatus.COMPLETED.value, JobStatus.CLOSED.value)
        return self.rows("jobs", "awarded_to = ? AND status IN (?, ?)", (user_id, *done))

    def history(self, landlord_id: str | None = None) -> TrackRecord:
        """Every tradesperson's track record from the jobs and visits on this device (of
        one landlord, or all), with no record built: one select over the jobs and one over
        the visits, feeding `TrackRecord.from_rows`.

        Each job's body is parsed once in SQLite for all the fields that count together
        (`json_extract` with many paths gives a JSON array), duplicates are left out, and
        the rows come back as one JSON array, decoded in one call. Each visit's landlord,
        tradesperson and outcome come back together, and are counted."""
        paths = ", ".join(f"'$.{name}'" for name in JOB_COLUMNS)
        jobs = (
            f"SELECT json_group_array(json_extract(body, {paths})) FROM jobs"
            f" WHERE status != '{JobStatus.DUPLICATE.value}'"
        )
        params: tuple = ()
        if landlord_id is not None:
            jobs += " AND json_extract(body, '$.landlord_id') = ?"
            params = (landlord_id,)
        visits = (
            "SELECT json_extract(body, '$.landlord_id', '$.tradesperson_id', '$.outcome')"
            " FROM visits"
        )
        (rows,) = self.conn.execute(jobs, params).fetchone()
        with _no_cycles():
            # Counted here: a GROUP BY would sort every visit first.
            counted = Counter(key for (key,) in self.conn.execute(visits))
            visit_rows = []
            for key, count in counted.items():
                landlord, tp, outcome = json.loads(key)
                if landlord_id is None or landlord == landlord_id:
                    visit_rows.append((tp, outcome, count))
            return TrackRecord.from_rows(json.loads(rows), visit_rows)

    def jobs_in(self, *statuses: JobStatus) -> list[Job]:
        marks = ",".join("?" * len(statuses))
        return self.rows("jobs", f"status IN ({marks})", tuple(s.value for s in statuses))

    def offer(self, offer_id: str) -> Offer | None:
        return self.row("offers", offer_id)

    def offers(self, job_id: str | None = None) -> list[Offer]:
        return self.rows("offers", "job_id = ?", (job_id,)) if job_id else self.rows("offers")

    def offers_by(self, user_id: str) -> list[Offer]:
        return self.rows("offers", "json_extract(body, '$.tradesperson_id') = ?", (user_id,))

    def extras(self, job_id: str | None = None) -> list[Extra]:
        return self.rows("extras", "job_id = ?", (job_id,)) if job_id else self.rows("extras")

    def tradesperson(self, user_id: str) -> Tradesperson | None:
        return self.row("tradespeople", user_id)

    def jobs_with_pending_offers(self) -> set[str]:
        offers = (self.row("offers", i) for i in self.pending_ids("offers"))
        return {o.job_id for o in offers if o}

    # -- actions and the outbox ------------------------------------------------------

    def tx_put(self, key: str, value: str | None) -> None:
        with self.tx():
            self.put(key, value)

    def act(self, ctx: actions.Context, name: str, args: dict) -> Mutation:
        """Apply an action optimistically and queue it and its photos, in one transaction."""
        with self.tx():
            actions.apply(_LocalRepo(self), ctx, name, args)
            self.conn.executemany(
                "INSERT OR IGNORE INTO photos(sha256, stage, state, size, created_at, user_id) "
                "VALUES (?, ?, 'waiting', 0, ?, ?)",
                [
                    (ph["sha256"], ph["stage"], ctx.now.isoformat(), ctx.user.id)
                    for ph in args.get("photos", [])
                ],
            )
            seq = int(self.get("next_seq") or 1)
            self.put("next_seq", str(seq + 1))
            mutation = Mutation(
                id=str(uuid.uuid4()),
                device_id=self.device_id,
                seq=seq,
                name=name,
                args=args,
                created_at=ctx.now,
            )
            self.conn.execute(
                "INSERT INTO outbox(seq, id, name, args, created_at, user_id)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    seq,
                    mutation.id,
                    name,
                    json.dumps(args, default=str),
                    mutation.created_at.isoformat(),
                    ctx.user.id,
                ),
            )
        return mutation

    def _mine(self) -> tuple[str, tuple]:
        """The signed-in person's outbox entries: another's wait for them to sign in."""
        user = self.user()
        return "(user_id IS NULL OR user_id = ?)", (user.id if user else "",)

    def pending_count(self) -> int:
        where, params = self._mine()
        return self.count("outbox", where, params)

    def outbox(self, limit: int = 10_000) -> list[Mutation]:
        where, params = self._mine()
        rows = self.conn.execute(
            f"SELECT id, seq, name, args, created_at FROM outbox WHERE {where} "
            "ORDER BY seq LIMIT ?",
            (*params, limit),
        )
        return [
            Mutation(
                id=i, device_id=self.device_id, seq=s, name=n, args=json.loads(a), created_at=c
            )
            for i, s, n, a, c in rows
        ]

    def ready_to_push(self, limit: int) -> list[Mutation]:
        """The outbox in order, up to the first mutation whose photos are not up yet."""
        waiting = set(self.photos_waiting())
        ready = []
        for mutation in self.outbox(limit):
            if any(ph["sha256"] in waiting for ph in mutation.args.get("photos", [])):
                break
            ready.append(mutation)
        return ready

    # -- photos -----------------------------------------------------------------------

    def photos_waiting(self) -> list[str]:
        """The signed-in person's photos still to upload, oldest first."""
        where, params = self._mine()
        query = (
            f"SELECT sha256 FROM photos WHERE state IN ('waiting', 'uploading') AND {where} "
            "ORDER BY created_at"
        )
        return [r[0] for r in self.conn.execute(query, params)]

    def photos_unsent(self) -> set[str]:
        """Everyone's photos not yet on the server: their files must stay on the device."""
        return {
            r[0] for r in self.conn.execute("SELECT sha256 FROM photos WHERE state != 'uploaded'")
        }

    def photo_state(self, sha256: str, state: str, error: str = "") -> None:
        with self.tx():
            self.conn.execute(
                "UPDATE photos SET state = ?, error = ?, attempts = attempts + 1, "
                "uploaded_at = CASE WHEN ? = 'uploaded' THEN ? ELSE uploaded_at END "
                "WHERE sha256 = ?",
                (state, error, state, now().isoformat(), sha256),
            )

    def uploaded_before(self, moment: datetime) -> list[str]:
        query = "SELECT sha256 FROM photos WHERE state = 'uploaded' AND uploaded_at < ?"
        return [r[0] for r in self.conn.execute(query, (moment.isoformat(),))]

    def reset_interrupted_uploads(self) -> None:
        with self.tx():
            self.conn.execute("UPDATE photos SET state = 'waiting' WHERE state = 'uploading'")

    def photo_states(self) -> dict[str, tuple[str, str]]:
        rows = self.conn.execute("SELECT sha256, state, error FROM photos")
        return {sha: (state, error) for sha, state, error in rows}

    def settle(self, results: list[tuple[Mutation, str, str, str]]) -> None:
        """Record what the server said: sent mutations leave the outbox; refusals become
        problems for the person who made them. Their optimistic effects go at the next
        rebase."""
        user = self.user()
        with self.tx():
            for mutation, status, code, message in results:
                self.conn.execute("DELETE FROM outbox WHERE id = ?", (mutation.id,))
                if status == "rejected":
                    self.conn.execute(
                        "INSERT INTO problems(mutation_id, name, args, code, message, created_at,"
                        " user_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (
                            mutation.id,
                            mutation.name,
                            json.dumps(mutation.args, default=str),
                            code,
                            message,
                            now().isoformat(),
                            user.id if user else None,
                        ),
                    )

    def problems(self) -> list[dict]:
        where, params = self._mine()
        rows = self.db.query(f"SELECT * FROM problems WHERE {where} ORDER BY id", params)
        return [{**row, "args": json.loads(row["args"])} for row in rows]

    def dismiss_problem(self, problem_id: int) -> None:
        with self.tx():
            self.conn.execute("DELETE FROM problems WHERE id = ?", (problem_id,))

    # -- pull ---------------------------------------------------------------------------

    def apply_pull(self, changes: list[Change], cursor: str, reset: bool) -> None:
        """One page of server changes and its cursor, applied together, then a rebase."""
        with self.tx() as conn:
            if reset:
                for table in RECORDS:
                    conn.execute(f"DELETE FROM {table}")
                conn.execute("DELETE FROM shadow")
            shadowed = {(t, i) for t, i in conn.execute("SELECT tbl, id FROM shadow")}
            upserts: dict[str, list] = {}
            deletes: dict[str, list] = {}
            latest = {(ch.table, ch.id): ch for ch in changes}  # the last change to a row wins
            for ch in latest.values():
                if ch.table not in RECORDS:
                    continue  # a newer server's table this version does not know
                body = json.dumps(ch.row, separators=(",", ":")) if ch.op == "upsert" else None
                if (ch.table, ch.id) in shadowed:
                    conn.execute(
                        "UPDATE shadow SET body = ? WHERE tbl = ? AND id = ?",
                        (body, ch.table, ch.id),
                    )
                elif body is None:
                    deletes.setdefault(ch.table, []).append((ch.id,))
                else:
                    upserts.setdefault(ch.table, []).append((ch.id, body))
            for table, values in upserts.items():
                conn.executemany(
                    f"INSERT INTO {table}(id, body) VALUES (?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET body = excluded.body",
                    values,
                )
            for table, values in deletes.items():
                conn.executemany(f"DELETE FROM {table} WHERE id = ?", values)
            self.put("cursor", cursor)
            self._rebase()
            self._forget_expired()

    def _forget_expired(self) -> None:
        """Residents' details leave a tradesperson's device 30 days after the job closed,
        though nothing changed on the server: the device applies the same policy to what
        it holds as the server applies to what it sends."""
        user = self.user()
        if user is None or user.role is not Role.TRADESPERSON:
            return
        viewer = policy.Viewer(user, self.tradesperson(user.id))
        for job in self.jobs_awarded_to(user.id):
            if job.closed_at is None or job.resident_name is None:
                continue
            row = json.loads(job.model_dump_json())
            seen = policy.project(viewer, "jobs", row, now())
            if seen is None:
                self.conn.execute("DELETE FROM jobs WHERE id = ?", (job.id,))
            elif seen != row:
                body = json.dumps(seen, separators=(",", ":"))
                self.conn.execute("UPDATE jobs SET body = ? WHERE id = ?", (body, job.id))

    def _rebase(self) -> None:
        for table, key, body in self.conn.execute("SELECT tbl, id, body FROM shadow").fetchall():
            if body is None:
                self.conn.execute(f"DELETE FROM {table} WHERE id = ?", (key,))
            else:
                self.conn.execute(
                    f"INSERT OR REPLACE INTO {table}(id, body) VALUES (?, ?)", (key, body)
                )
        self.conn.execute("DELETE FROM shadow")
        user = self.user()
        if user is None:
            return
        for mutation in self.outbox():
            ctx = actions.Context(user=user, now=mutation.created_at)
            savepoint = f"m{mutation.seq}"
            self.conn.execute(f"SAVEPOINT {savepoint}")
            try:
                actions.apply(_LocalRepo(self), ctx, mutation.name, mutation.args)
            except Rejected:
                # It no longer applies here; the server will decide and say why.
                self.conn.execute(f"ROLLBACK TO {savepoint}")
            self.conn.execute(f"RELEASE {savepoint}")

    def clear_synced(self) -> None:
        """Forget every server row and the cursor, keeping the outbox: the next pull starts
        from nothing and fills them again."""
        with self.tx() as conn:
            for table in RECORDS:
                conn.execute(f"DELETE FROM {table}")
            conn.execute("DELETE FROM shadow")
            self.put("cursor", None)

    def sign_out(self) -> None:
        """Leave no one's personal data on the device but their unsent work (the outbox,
        and the problems of each person, which only they see). Deleted rows are overwritten
        (`secure_delete`) and the write-ahead log is emptied, so nothing lingers in the file."""
        self.clear_synced()
        with self.tx() as conn:
            conn.execute("DELETE FROM meta WHERE key = 'user'")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@contextmanager
def _no_cycles() -> Iterator[None]:
    """Pause the cyclic garbage collector while a hundred thousand small lists and strings
    are made at once: none of them can form a cycle, and the collector would otherwise go
    over them again and again as they pile up (up to a quarter of `Store.history`'s time)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


class _LocalRepo:
    """The domain's `Repo` over the local store; saves keep the server's pre-image."""

    authoritative = False  # a device holds only what its person may see

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, table: str, key: str) -> Record | None:
        return self.store.row(table, key)

    def find(self, table: str, field: str, value: str) -> list:
        column = field if field in RECORDS[table].indexed else f"json_extract(body, '$.{field}')"
        return self.store.rows(table, f"{column} = ?", (value,))

    def own_photos(self, user_id: str, shas: Iterable[str]) -> set[str]:
        return set(shas)  # a device holds only photos its people took

    def history(self, landlord_id: str) -> TrackRecord:
        return self.store.history(landlord_id)

    def save(self, record: Record) -> None:
        table = TABLE_OF[type(record)]
        conn = self.store.conn
        conn.execute(
            f"INSERT OR IGNORE INTO shadow(tbl, id, body) "
            f"SELECT ?, ?, (SELECT body FROM {table} WHERE id = ?)",
            (table, record.id, record.id),
        )
        conn.execute(
            f"INSERT OR REPLACE INTO {table}(id, body) VALUES (?, ?)",
            (record.id, record.model_dump_json()),
        )
