"""An officer imports past repairs from their landlord's previous system (CSV), so that
scorecards start with history. Good rows are kept, bad ones reported by line."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from app.domain.importing import read_jobs
from app.domain.models import Role, User
from app.sync import protocol as p
from server_stub import db, live
from server_stub.deps import CurrentViewer, Engine
from server_stub.openapi import errors
from server_stub.repo import SqlRepo

router = APIRouter(prefix="/v1/import")
MAX_IMPORT_BYTES = 8 * 1024 * 1024


@router.post(
    "/jobs",
    responses=errors(401, 403, 413, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string", "pattern": "\\S"}}},
        }
    },
)
async def import_jobs(request: Request, viewer: CurrentViewer, engine: Engine) -> p.ImportResponse:
    if viewer.user.role is not Role.OFFICER:
        raise HTTPException(403, "Only housing officers can import past repairs.")
    try:
        text = (await request.body()).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HTTPException(
            422, "This file is not UTF-8 text. Save it as 'CSV UTF-8' and try again."
        ) from None
    if not text.strip():
        raise HTTPException(
            422, "This file is empty. Export your past repairs as CSV and try again."
        )
    return await run_in_threadpool(_import, engine, viewer.user, text)


def _import(engine: sa.Engine, user: User, text: str) -> p.ImportResponse:
    with engine.begin() as conn:
        live.collected(conn)  # nothing left over from an earlier use of this connection
        repo = SqlRepo(conn)
        landlord = user.landlord_id
        j = db.jobs
        existing = conn.execute(
            sa.select(j.c.id).where(j.c.landlord_id == landlord, j.c.id.startswith("import:"))
        ).scalars()
        report = read_jobs(
            text,
            landlord,
            repo.find("homes", "landlord_id", landlord),
            repo.find("tradespeople", "landlord_id", landlord),
            dict.fromkeys(existing),
        )
        if report.refused[:1] and report.refused[0][0] == 1:  # the file as a whole
            raise HTTPException(422, report.refused[0][1])
        for job in report.jobs:
            repo.save(job)
        audiences = live.collected(conn)
        seq = db.current_seq(conn) if audiences else 0
    live.publish_after(engine, audiences, seq)  # the landlord's officers pull the history now
    return p.ImportResponse(
        imported=len(report.jobs),
        refused=[p.RefusedRow(line=line, reason=reason) for line, reason in report.refused],
        said=report.said,
    )
