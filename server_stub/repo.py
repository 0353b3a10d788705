"""The domain's `Repo` over the server's tables: reads records, and saves them with a new
change sequence number so that pull sends them on."""

from __future__ import annotations

import sqlalchemy as sa

from app.domain.actions import Record
from app.domain.models import Home, Job, Offer, Tradesperson, Visit
from server_stub import db

TABLE_OF = {Job: db.jobs, Offer: db.offers, Visit: db.visits}


class SqlRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def _one(self, table: sa.Table, model, key):
        row = self.conn.execute(sa.select(table).where(table.c.id == key)).mappings().first()
        return model.model_validate(dict(row)) if row else None

    def job(self, job_id: str) -> Job | None:
        return self._one(db.jobs, Job, job_id)

    def offer(self, offer_id: str) -> Offer | None:
        return self._one(db.offers, Offer, offer_id)

    def home(self, home_id: str) -> Home | None:
        return self._one(db.homes, Home, home_id)

    def tradesperson(self, user_id: str) -> Tradesperson | None:
        return self._one(db.tradespeople, Tradesperson, user_id)

    def offers_for_job(self, job_id: str) -> list[Offer]:
        q = sa.select(db.offers).where(db.offers.c.job_id == job_id)
        return [Offer.model_validate(dict(r)) for r in self.conn.execute(q).mappings()]

    def visits_for_job(self, job_id: str) -> list[Visit]:
        q = sa.select(db.visits).where(db.visits.c.job_id == job_id)
        return [Visit.model_validate(dict(r)) for r in self.conn.execute(q).mappings()]

    def save(self, record: Record) -> None:
        table = TABLE_OF[type(record)]
        values = record.model_dump(mode="python")
        values = {k: v for k, v in values.items() if k in table.c}
        values["seq"] = db.next_seq(self.conn)
        updated = self.conn.execute(table.update().where(table.c.id == record.id).values(values))
        if updated.rowcount == 0:
            self.conn.execute(table.insert().values(values))
