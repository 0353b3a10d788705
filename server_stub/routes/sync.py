"""Sync: push a device's mutations, pull the changes its person may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response

from app.sync import protocol as p
from server_stub import sync_service
from server_stub.deps import CurrentViewer, Engine
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
