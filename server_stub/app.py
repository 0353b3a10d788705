"""The server application: routers, shared state, and errors answered in sentences.
Routes parse, call one thing, and answer; bad input gets a 4xx, never a 5xx."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from server_stub.photo_store import PhotoStore
from server_stub.routes import auth, blobs, sync


def create_app(engine: sa.Engine, blobs_dir: Path) -> FastAPI:
    app = FastAPI(title="Repairs Marketplace server", version="1")
    app.state.engine = engine
    app.state.photos = PhotoStore(engine, blobs_dir)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": [], "msg": "invalid"}
        where = ".".join(str(x) for x in first["loc"][1:]) or "request"
        return JSONResponse({"detail": f"Please check {where}: {first['msg']}."}, 422)

    @app.get("/v1/health")
    def health() -> dict:
        return {"ok": True}

    for module in (auth, sync, blobs):
        app.include_router(module.router)
    return app
