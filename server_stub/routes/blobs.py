"""Photos by content hash. Uploading makes a photo yours to cite; downloading is allowed
to its owners and to whoever may see a record that cites it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, Response
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from server_stub.deps import CurrentViewer, Photos
from server_stub.openapi import errors

router = APIRouter(prefix="/v1/blobs")
Sha256 = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]
MAX_BLOB_BYTES = 8 * 1024 * 1024


@router.head("/{sha256}", responses=errors(401, 404, 422))
def has_blob(sha256: Sha256, viewer: CurrentViewer, photos: Photos) -> Response:
    """200 when this person has uploaded these bytes already: nothing to send."""
    found = photos.owns(viewer.user.id, sha256)
    return Response(status_code=200 if found else 404, media_type="application/json")


@router.put(
    "/{sha256}",
    responses=errors(401, 413, 422, 429),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def put_blob(sha256: Sha256, request: Request, viewer: CurrentViewer, photos: Photos) -> dict:
    data = await request.body()
    if len(data) > MAX_BLOB_BYTES:
        raise HTTPException(413, "This photo is too large. The app shrinks photos first.")
    # Decoding and the flushed write take tens of milliseconds: not on the event loop.
    stored = await run_in_threadpool(photos.keep, sha256, data, viewer.user.id)
    return {"sha256": sha256, "stored": stored}


@router.get(
    "/{sha256}",
    response_class=FileResponse,
    responses={200: {"content": {"image/jpeg": {}}}, **errors(401, 404, 422)},
)
def get_blob(sha256: Sha256, viewer: CurrentViewer, photos: Photos) -> FileResponse:
    path = photos.path_for(viewer, sha256)
    if path is None:
        raise HTTPException(404, "This photo is not available to you.")
    return FileResponse(path, media_type="image/jpeg")
