"""The officer's triage list, filtered, sorted and paged in the device's SQLite: an officer
with thousands of jobs cached reads one page of rows, not every open job."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from app.domain.models import JobStatus
from app.domain.records import Job

NEW = (JobStatus.REPORTED.value, JobStatus.TRIAGED.value)
OPEN = (*NEW, JobStatus.POSTED.value)


def _field(name: str) -> str:
    return f"json_extract(body, '$.{name}')"


# Damp and mould (Awaab's Law) and emergencies first, then the officer's order.
PINNED = f"NOT ({_field('damp_and_mould')} OR coalesce({_field('priority')}, '') = 'emergency')"
ORDERS = {
    "triage": (
        f"status NOT IN ('reported', 'triaged'), coalesce({_field('target_at')}, "
        f"{_field('reported_at')}), {_field('reported_at')}, id"
    ),
    "oldest": f"{_field('reported_at')}, id",
    "newest": f"{_field('reported_at')} DESC, id",
    "target": (
        f"{_field('target_at')} IS NULL, coalesce({_field('target_at')}, "
        f"{_field('reported_at')}), id"
    ),
}


@dataclass(frozen=True)
class TriageFilter:
    """What the officer searches for, filters by and sorts by. `any` means no filter."""

    text: str = ""
    status: str = "any"  # any, new, posted
    priority: str = "any"
    trade: str = "any"
    district: str = "any"
    damp_only: bool = False
    sort: str = "triage"


@dataclass(frozen=True)
class TriagePage:
    jobs: list[Job]
    matching: int  # how many match the filter
    open: int  # how many open jobs in all
    new: int  # of those, new reports still to post
    districts: list[str]  # the areas of the open jobs, for the area filter


def triage_page(conn: sqlite3.Connection, f: TriageFilter, limit: int, offset: int) -> TriagePage:
    statuses = {"new": NEW, "posted": (JobStatus.POSTED.value,)}.get(f.status, OPEN)
    where = [f"status IN ({','.join('?' * len(statuses))})"]
    params: list = list(statuses)
    words = f.text.strip().lower()
    if words:
        where.append(
            f"instr(lower(coalesce({_field('title')}, '') || ' ' || coalesce({_field('street')},"
            f" '') || ' ' || coalesce({_field('resident_name')}, '')), ?) > 0"
        )
        params.append(words)
    for name in ("priority", "trade", "district"):
        value = getattr(f, name)
        if value != "any":
            where.append(f"{_field(name)} = ?")
            params.append(value)
    if f.damp_only:
        where.append(f"{_field('damp_and_mould')}")
    clause = " AND ".join(where)
    order = ORDERS.get(f.sort, ORDERS["triage"])
    rows = conn.execute(
        f"SELECT body FROM jobs WHERE {clause} ORDER BY {PINNED}, {order} LIMIT ? OFFSET ?",
        (*params, limit, offset),
    ).fetchall()
    (matching,) = conn.execute(f"SELECT count(*) FROM jobs WHERE {clause}", params).fetchone()
    marks = ",".join("?" * len(OPEN))
    open_, new = conn.execute(
        f"SELECT count(*), coalesce(sum(status IN ('reported', 'triaged')), 0) FROM jobs"
        f" WHERE status IN ({marks})",
        OPEN,
    ).fetchone()
    districts = [
        d
        for (d,) in conn.execute(
            f"SELECT DISTINCT {_field('district')} AS d FROM jobs WHERE status IN ({marks})"
            " AND d != '' ORDER BY d",
            OPEN,
        )
    ]
    return TriagePage(
        [Job.model_validate_json(b) for (b,) in rows], matching, open_, new, districts
    )
