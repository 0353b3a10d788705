"""Reads for the officer's reports, straight from the device's tables as plain rows (one
query a table): scorecards, patterns and evidence packs over tens of thousands of jobs
without building a model for each."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta

from app.domain.models import JobStatus, Priority, Trade, utc
from app.domain.scorecards import ExtraRow, JobRow, VisitRow

_JOB_FIELDS = (
    "id", "home_id", "trade", "priority", "status", "reported_at", "target_at", "awarded_to",
    "awarded_at", "completed_at", "rating_speed", "rating_quality", "review",
    "fixed_price_pence", "parent_id", "title", "awarded_offer_id",
)  # fmt: skip


def _when(text: str | None) -> datetime | None:
    # Times the server sent may carry no zone (SQLite keeps none): they are UTC.
    return utc(datetime.fromisoformat(text)) if text else None


def scorecard_rows(
    conn: sqlite3.Connection, landlord_id: str, since: date | None = None
) -> tuple[list[JobRow], list[VisitRow], list[ExtraRow]]:
    """The jobs, visits and extras of `landlord_id` on this device, as rows; a job's price
    is its awarded offer's, or its fixed price. With `since`, only what can count from that
    day on: jobs awarded, completed or due since (a day early, to be safe with time zones),
    or reported in the 31 days before it (a recall of earlier work)."""
    prices = dict(conn.execute("SELECT id, json_extract(body, '$.price_pence') FROM offers"))
    trades = {t.value: t for t in Trade}
    priorities = {p.value: p for p in Priority}
    statuses = {s.value: s for s in JobStatus}
    jobs = [
        JobRow(
            r[0],
            r[1],
            trades[r[2]],
            priorities.get(r[3]),
            statuses[r[4]],
            _when(r[5]),
            _when(r[6]),
            r[7],
            _when(r[8]),
            _when(r[9]),
            r[10],
            r[11],
            r[12] or "",
            prices.get(r[16], r[13]),
            r[14],
            r[15] or "",
        )  # fmt: skip
        for r in _extract(conn, "jobs", _JOB_FIELDS, _recent_jobs(since))
        if r[-1] == landlord_id
    ]
    visits = [
        VisitRow(r[0], r[1], _when(r[2]), r[3])
        for r in _extract(
            conn,
            "visits",
            ("job_id", "tradesperson_id", "started_at", "outcome"),
            _after("started_at", since),
        )  # fmt: skip
        if r[-1] == landlord_id
    ]
    extras = [
        ExtraRow(r[0], r[1], _when(r[2]), r[3], r[4])
        for r in _extract(
            conn,
            "extras",
            ("job_id", "tradesperson_id", "requested_at", "status", "price_pence"),
            _after("requested_at", since),
        )  # fmt: skip
        if r[-1] == landlord_id
    ]
    return jobs, visits, extras  # type: ignore[return-value]


def _after(field: str, since: date | None, days_before: int = 1) -> str:
    if since is None:
        return "1"
    day = (since - timedelta(days=days_before)).isoformat()  # ISO text compares as dates do
    return f"json_extract(body, '$.{field}') >= '{day}'"


def _recent_jobs(since: date | None) -> str:
    if since is None:
        return "1"
    fields = ("awarded_at", "completed_at", "target_at")
    return " OR ".join([*(_after(f, since) for f in fields), _after("reported_at", since, 31)])


def _extract(conn: sqlite3.Connection, table: str, fields: tuple[str, ...], where: str = "1"):
    """`fields` and then landlord_id of each row: one json_extract with many paths parses
    each body once, where one call a field would parse it again for each."""
    paths = ", ".join(f"'$.{f}'" for f in (*fields, "landlord_id"))
    query = f"SELECT json_extract(body, {paths}) FROM {table} WHERE {where}"
    return map(json.loads, (b for (b,) in conn.execute(query)))
