"""Sync: push a device's mutations, pull the changes its person may see, and a stream of
events that tells a device when there is something to pull."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.sync import protocol as p
from server_stub import db, live, sync_service
from server_stub.deps import CurrentViewer, Engine, current_viewer
from server_stub.openapi import errors

router = APIRouter(prefix="/v1/sync")


def _check_schema(version: int) -> None:
    if version not in p.SUPPORTED_SCHEMAS:
        raise HTTPException(426, "This app is too old for the server. Please update it.")


@router.post("/push", responses=errors(400, 401, 413, 422, 426))
def push(body: p.PushRequest, viewer: CurrentViewer, engine: Engine) -> p.PushResponse:
    _check_schema(body.schema_version)
    return sync_service.push(engine, viewer.user, body)


@router.get(
    "/pull",
    response_model=p.PullResponse,
    responses=errors(401, 422, 426),
)
def pull(
    viewer: CurrentViewer,
    engine: Engine,
    cursor: Annotated[str, Query(max_length=64)] = "",
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
    schema_version: Annotated[int, Query(ge=0, le=2**31 - 1)] = p.SCHEMA_VERSION,
) -> Response:
    _check_schema(schema_version)
    page = sync_service.pull(engine, viewer, cursor, limit)
    page.schema_version = schema_version
    return Response(page.model_dump_json(), media_type="application/json")


RECONNECT_MS = 2000  # the SSE `retry:` a browser-style client waits before reconnecting
EVENTS_DOC = """Server-sent events (`text/event-stream`) that say when to pull; they carry no
rows. On opening, and whenever a change this person may see (or may no longer see) has
committed, the stream sends `event: changed` with the change sequence number reached as
its data; the device pulls unless its cursor is already there. Numbers are coalesced: a
slow reader gets only the newest. A comment (`: still here`) comes every 15 seconds; the
sign-in is checked then, and the stream ends once it has ended. A person has at most 5
streams open: a sixth ends their oldest with `event: replaced`, after which that device
relies on its timer."""


@router.get(
    "/events",
    response_class=StreamingResponse,
    summary="Events: when to pull",
    description=EVENTS_DOC,
    responses={
        200: {
            "description": "An endless event stream (server-sent events).",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **errors(401),
    },
)
async def events(request: Request, viewer: CurrentViewer, engine: Engine) -> StreamingResponse:
    heartbeat = getattr(request.app.state, "live_heartbeat", live.HEARTBEAT_SECONDS)
    return StreamingResponse(
        _event_stream(request, viewer.user.id, viewer.keys, engine, heartbeat),
        media_type="text/event-stream",
        headers={"X-Accel-Buffering": "no"},  # a proxy in front must not hold events back
    )


async def _event_stream(
    request: Request, user_id: str, keys: frozenset[str], engine: Engine, heartbeat: float
) -> AsyncIterator[str]:
    sub = live.hub_for(engine).subscribe(user_id, keys)
    try:
        # Subscribed first, then the number reached: nothing can fall in between.
        seq = await asyncio.to_thread(_current_seq, engine)
        yield f"retry: {RECONNECT_MS}\nevent: changed\ndata: {seq}\n\n"
        while True:
            try:
                seq = await sub.next(heartbeat)
            except live.Ended:
                yield "event: replaced\ndata: \n\n"
                return
            if seq is not None:
                yield f"event: changed\ndata: {seq}\n\n"
                continue
            viewer = await _still_signed_in(request, engine)
            if viewer is None:
                return
            sub.keys = viewer.keys  # e.g. newly approved, with the job board's keys
            yield ": still here\n\n"
    finally:
        sub.close()


def _current_seq(engine: Engine) -> int:
    with db.reading(engine) as conn:
        return db.current_seq(conn)


async def _still_signed_in(request: Request, engine: Engine):
    """The viewer again, as a request would find them now; None once the session is over
    (signed out, ended elsewhere, expired, or the account suspended)."""
    token = request.headers.get("authorization")
    try:
        return await asyncio.to_thread(current_viewer, request, engine, token)
    except HTTPException:
        return None
