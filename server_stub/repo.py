"""The domain's `Repo` over the server's tables. A save gives the row a new change
sequence number so that pull sends it on, records who can no longer see it (so that only
they get a delete), and records which photos it cites (so that only those who may see it
can download them)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from app.domain import policy
from app.domain.models import JobStatus
from app.domain.ranking import JOB_COLUMNS, TrackRecord
from app.domain.records import RECORDS, TABLE_OF, Record
from server_stub import db, live


class SqlRepo:
    authoritative = True  # the server holds every record

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def _row(self, table: str, key: str) -> dict[str, Any] | None:
        t = db.SYNCED[table]
        row = self.conn.execute(sa.select(t).where(t.c.id == key)).mappings().first()
        return dict(row) if row else None

    def get(self, table: str, key: str) -> Record | None:
        row = self._row(table, key)
        return RECORDS[table].model.model_validate(row) if row else None

    def find(self, table: str, field: str, value: str) -> list[Any]:
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

    def save(self, record: Record) -> None:
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
