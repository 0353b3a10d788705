"""HTTP routes: sign-in, sync push and pull, and photo blobs. Routes parse, call one
thing, and answer; bad input gets a 4xx with a sentence, never a 5xx."""

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from app.domain import actions
from app.domain.lifecycle import Rejected
from app.domain.models import Tradesperson, User
from app.photos import PhotoRejected, verify_prepared
from app.sync import protocol as p
from server_stub import db, security
from server_stub.repo import SqlRepo
from server_stub.scope import Viewer

MAX_BLOB_BYTES = 8 * 1024 * 1024
SHA_PATTERN = r"^[0-9a-f]{64}$"


def create_app(engine: sa.Engine, blobs_dir: Path) -> FastAPI:
    app = FastAPI(title="Repairs Marketplace server", version="1")
    blobs_dir.mkdir(parents=True, exist_ok=True)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": [], "msg": "invalid"}
        where = ".".join(str(x) for x in first["loc"][1:]) or "request"
        return JSONResponse({"detail": f"Please check {where}: {first['msg']}."}, 422)

    def current_user(authorization: Annotated[str | None, Header()] = None) -> User:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise HTTPException(401, "Please sign in.")
        with db.reading(engine) as conn:
            row = (
                conn.execute(
                    sa.select(db.users)
                    .join(db.tokens, db.tokens.c.user_id == db.users.c.id)
                    .where(db.tokens.c.token_hash == security.token_hash(token))
                )
                .mappings()
                .first()
            )
        if row is None:
            raise HTTPException(401, "Your sign-in has expired. Please sign in again.")
        return User.model_validate(dict(row))

    Me = Annotated[User, Depends(current_user)]

    @app.get("/v1/health")
    def health() -> dict:
        return {"ok": True}

    @app.post("/v1/auth/login")
    def login(body: p.LoginRequest) -> p.LoginResponse:
        with engine.begin() as conn:
            row = (
                conn.execute(
                    sa.select(db.users).where(db.users.c.email == body.email.strip().lower())
                )
                .mappings()
                .first()
            )
            if row is None or not security.verify_password(row["password_hash"], body.password):
                raise HTTPException(401, "That email and password don't match an account.")
            token = security.new_token()
            conn.execute(
                db.tokens.insert().values(
                    token_hash=security.token_hash(token),
                    user_id=row["id"],
                    created_at=datetime.now(UTC),
                )
            )
        user = User.model_validate(dict(row))
        return p.LoginResponse(token=token, user=user.model_dump(mode="json"))

    @app.get("/v1/me")
    def me(user: Me) -> dict:
        return user.model_dump(mode="json")

    @app.post("/v1/sync/push")
    def push(body: p.PushRequest, user: Me) -> p.PushResponse:
        _check_schema(body.schema_version)
        # One transaction (one disk flush) per request; each mutation in its own savepoint.
        with engine.begin() as conn:
            results = [_apply_one(conn, user, body.schema_version, m) for m in body.mutations]
        return p.PushResponse(results=results)

    @app.get("/v1/sync/pull")
    def pull(
        user: Me,
        cursor: str = "",
        limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
        schema_version: int = p.SCHEMA_VERSION,
    ) -> Response:
        _check_schema(schema_version)
        with db.reading(engine) as conn:
            page = _pull_page(conn, user, cursor, limit)
        page.schema_version = schema_version
        return Response(page.model_dump_json(), media_type="application/json")

    @app.head("/v1/blobs/{sha256}")
    def has_blob(sha256: str, _user: Me) -> Response:
        path = _blob_path(blobs_dir, sha256)
        return Response(status_code=200 if path.exists() else 404)

    @app.put("/v1/blobs/{sha256}")
    async def put_blob(sha256: str, request: Request, user: Me) -> dict:
        path = _blob_path(blobs_dir, sha256)
        if path.exists():
            return {"sha256": sha256, "stored": False}
        data = await request.body()
        if len(data) > MAX_BLOB_BYTES:
            raise HTTPException(413, "This photo is too large. The app shrinks photos first.")
        # Decoding and the flushed write take tens of milliseconds: not on the event loop.
        await run_in_threadpool(_keep_blob, engine, path, sha256, data, user.id)
        return {"sha256": sha256, "stored": True}

    @app.get("/v1/blobs/{sha256}")
    def get_blob(sha256: str, _user: Me) -> FileResponse:
        path = _blob_path(blobs_dir, sha256)
        if not path.exists():
            raise HTTPException(404, "This photo has not arrived yet.")
        return FileResponse(path, media_type="image/jpeg")

    return app


def _check_schema(version: int) -> None:
    if version not in p.SUPPORTED_SCHEMAS:
        raise HTTPException(426, "This app is too old for the server. Please update it.")


def _keep_blob(engine: sa.Engine, path: Path, sha256: str, data: bytes, user_id: str) -> None:
    try:
        width, height = verify_prepared(data, sha256)
    except PhotoRejected as e:
        raise HTTPException(422, e.reason) from None
    _write_atomically(path, data)
    with engine.begin() as conn:
        exists = conn.execute(sa.select(db.blobs.c.sha256).where(db.blobs.c.sha256 == sha256))
        if exists.first() is None:
            conn.execute(
                db.blobs.insert().values(
                    sha256=sha256,
                    size=len(data),
                    width=width,
                    height=height,
                    uploaded_by=user_id,
                )
            )


def _blob_path(blobs_dir: Path, sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise HTTPException(400, "A photo is named by the SHA-256 of its bytes, in hex.")
    return blobs_dir / sha256[:2] / sha256


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _apply_one(conn: sa.Connection, user: User, schema: int, m: p.Mutation) -> p.MutationResult:
    """Apply one mutation exactly once: its effect and its record commit together."""
    seen = conn.execute(sa.select(db.mutations).where(db.mutations.c.id == m.id))
    seen = seen.mappings().first()
    if seen is not None:
        status = "duplicate" if seen["status"] == "applied" else seen["status"]
        return p.MutationResult(id=m.id, status=status, code=seen["code"], message=seen["message"])
    phone = conn.execute(sa.select(db.users.c.phone).where(db.users.c.id == user.id))
    ctx = actions.Context(user=user, now=datetime.now(UTC), phone=phone.scalar())
    nested = conn.begin_nested()
    try:
        _check_photos_arrived(conn, m.args)
        actions.apply(SqlRepo(conn), ctx, m.name, p.upgrade_args(schema, m.name, m.args))
        nested.commit()
        result = p.MutationResult(id=m.id, status="applied")
    except Rejected as e:
        nested.rollback()
        result = p.MutationResult(id=m.id, status="rejected", code=e.code, message=e.message)
    conn.execute(
        db.mutations.insert().values(
            id=m.id,
            device_id=m.device_id,
            seq=m.seq,
            user_id=user.id,
            name=m.name,
            status=result.status,
            code=result.code,
            message=result.message,
        )
    )
    _advance_device(conn, m.device_id, user.id, m.seq)
    return result


def _check_photos_arrived(conn: sa.Connection, args: dict) -> None:
    shas = [ph["sha256"] if isinstance(ph, dict) else ph for ph in args.get("photos") or []]
    if not shas:
        return
    found = conn.execute(sa.select(db.blobs.c.sha256).where(db.blobs.c.sha256.in_(shas)))
    if len(set(shas) - {r[0] for r in found}):
        raise Rejected(
            "photo_missing",
            "A photo for this did not reach the server. Add the photo again and resend.",
        )


def _advance_device(conn: sa.Connection, device_id: str, user_id: str, seq: int) -> None:
    row = conn.execute(sa.select(db.devices).where(db.devices.c.id == device_id)).first()
    if row is None:
        conn.execute(db.devices.insert().values(id=device_id, user_id=user_id, last_seq=seq))
    elif seq > row.last_seq:
        conn.execute(db.devices.update().where(db.devices.c.id == device_id).values(last_seq=seq))


def _viewer(conn: sa.Connection, user: User) -> Viewer:
    row = conn.execute(sa.select(db.tradespeople).where(db.tradespeople.c.id == user.id))
    row = row.mappings().first()
    return Viewer(user, Tradesperson.model_validate(dict(row)) if row else None)


def _parse_cursor(conn: sa.Connection, cursor: str) -> tuple[int, bool]:
    """The sequence to pull after, and whether the client must reset first."""
    if not cursor:
        return 0, False
    epoch, _, seq = cursor.partition(".")
    if epoch != db.epoch(conn) or not seq.isdigit() or int(seq) > db.current_seq(conn):
        return 0, True
    return int(seq), False


def _pull_page(conn: sa.Connection, user: User, cursor: str, limit: int) -> p.PullResponse:
    after, reset = _parse_cursor(conn, cursor)
    rows: list[tuple[int, str, dict]] = []
    for name, table in db.SYNCED.items():
        q = sa.select(table).where(table.c.seq > after).order_by(table.c.seq).limit(limit + 1)
        rows.extend((r["seq"], name, dict(r)) for r in conn.execute(q).mappings())
    rows.sort(key=lambda r: r[0])
    has_more = len(rows) > limit
    rows = rows[:limit]
    viewer = _viewer(conn, user)
    changes = []
    for _seq, name, row in rows:
        seen = viewer.project(name, row)
        if seen is not None:
            seen.pop("seq")
            changes.append(p.Change(table=name, id=row["id"], op="upsert", row=seen))
        elif after:  # a first pull has nothing to delete
            changes.append(p.Change(table=name, id=row["id"], op="delete"))
    last = rows[-1][0] if rows else max(after, 0)
    return p.PullResponse(
        schema_version=p.SCHEMA_VERSION,
        cursor=f"{db.epoch(conn)}.{last}",
        changes=changes,
        has_more=has_more,
        reset=reset,
    )
