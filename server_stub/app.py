"""The server application: routers, shared state, limits and errors answered in
sentences. Routes parse, call one thing, and answer; bad input gets a 4xx, never a 5xx.

Every request body has a size limit for its route, applied before it is read: a body
that declares more is refused at once, and one that streams past its limit is cut off.
Every response carries security headers; there is no CORS (only the app calls this)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server_stub import sync_service
from server_stub.openapi import errors
from server_stub.photo_store import PhotoStore
from server_stub.routes import auth, blobs, imports, join, sync
from server_stub.security import RateLimit

KB, MB = 1024, 1024 * 1024
BODY_LIMITS = {
    "/v1/auth/": 4 * KB,
    "/v1/sync/push": 4 * MB,
    "/v1/blobs/": blobs.MAX_BLOB_BYTES,
    "/v1/import/": imports.MAX_IMPORT_BYTES,
}
DEFAULT_BODY_LIMIT = 4 * KB
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"cache-control", b"no-store"),
    (b"strict-transport-security", b"max-age=31536000"),
]
DOCS = ("/docs", "/redoc", "/openapi.json")


class TooLarge(Exception):  # noqa: N818 - an answer for the client
    pass


def too_large() -> JSONResponse:
    return JSONResponse(
        {"detail": "This is more than the server takes in one request. Send less at a time."},
        413,
    )


class Limits:
    """Body size per route (before reading) and security headers on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        limit = next((n for prefix, n in BODY_LIMITS.items() if path.startswith(prefix)), None)
        limit = DEFAULT_BODY_LIMIT if limit is None else limit
        declared = dict(scope["headers"]).get(b"content-length")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not path.startswith(DOCS):
                    headers += SECURITY_HEADERS
                message = {**message, "headers": headers}
            await send(message)

        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await too_large()(scope, receive, send_with_headers)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise TooLarge
            return message

        await self.app(scope, counted, send_with_headers)


def _methods_at(app: FastAPI, path: str) -> list[str]:
    """The methods the OpenAPI document lists for the address `path`."""
    for template, operations in app.openapi()["paths"].items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path):
            return sorted(method.upper() for method in operations)
    return []


async def _settle_every(engine: sa.Engine, seconds: float) -> None:
    """Award jobs whose deadline has passed (automatic award, resident's choice), forever."""
    while True:
        await asyncio.sleep(seconds)
        try:
            await asyncio.to_thread(sync_service.settle_due, engine)
        except Exception:  # a bad round must not stop the next one
            logging.getLogger(__name__).exception("settling jobs past their deadline failed")


def create_app(
    engine: sa.Engine, blobs_dir: Path, demo: bool = False, settle_every: float | None = 30
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(_settle_every(engine, settle_every)) if settle_every else None
        yield
        if task:
            task.cancel()

    app = FastAPI(
        title="Repairs Marketplace server",
        version="1",
        responses=errors(413),
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.photos = PhotoStore(engine, blobs_dir)
    app.state.demo = demo  # demo accounts sign in only on a demo server
    app.state.sign_in_limits = {
        "account": RateLimit(limit=5, window=15 * 60),
        "address": RateLimit(limit=30, window=15 * 60),
    }

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": [], "msg": "invalid"}
        where = ".".join(str(x) for x in first["loc"][1:]) or "request"
        if isinstance(first.get("ctx", {}).get("error"), TooLarge):
            return too_large()
        said = first["msg"]
        if first.get("type") == "string_pattern_mismatch":  # never show people a regex
            said = "it is not in a form this app accepts (check for stray characters)"
        return JSONResponse({"detail": f"Please check {where}: {said}."}, 422)

    @app.exception_handler(TooLarge)
    async def _too_large(_request: Request, _exc: TooLarge) -> JSONResponse:
        return too_large()

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # name every method the address takes, not one route's
            headers["Allow"] = ", ".join(_methods_at(app, request.url.path))
        detail = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
        return JSONResponse({"detail": detail}, exc.status_code, headers=headers)

    @app.get("/v1/health")
    def health() -> dict:
        return {"ok": True}

    for module in (auth, sync, blobs, imports, join):
        app.include_router(module.router)
    # Pull bodies are JSON that compresses about six to one; photos and the event stream
    # are left alone (Starlette's exclusions).
    app.add_middleware(GZipMiddleware, minimum_size=1_000, compresslevel=5)
    app.add_middleware(Limits)
    return app
