"""Sign-in, sign-out, and a person's sessions; an officer suspends an account.

Sign-in takes the same time for unknown emails as for known ones, and is limited per
account and per address before any password is hashed."""

from __future__ import annotations

import math
import secrets
from datetime import UTC, datetime
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, Path, Request, Response

from app.domain.models import Role, User, utc
from app.sync import protocol as p
from server_stub import db, security
from server_stub.deps import CurrentViewer, Engine
from server_stub.openapi import errors

router = APIRouter(prefix="/v1")
NO_MATCH = "That email and password don't match an account."
SessionId = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")]
UserId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


@router.post("/auth/login", responses=errors(400, 401, 403, 413, 422, 429))
def login(body: p.LoginRequest, request: Request, engine: Engine) -> p.LoginResponse:
    email = body.email.strip().lower()
    address = request.client.host if request.client else "unknown"
    limits = request.app.state.sign_in_limits
    keys = ((limits["account"], email), (limits["address"], address))
    wait = max(limit.wait(key) for limit, key in keys)
    if wait:
        raise HTTPException(
            429,
            f"Too many sign-in attempts. Try again in {security.wait_in_words(wait)}.",
            headers={"Retry-After": str(math.ceil(wait))},
        )
    with db.reading(engine) as conn:
        row = conn.execute(sa.select(db.users).where(db.users.c.email == email)).mappings().first()
    demo_refused = row is not None and row["demo"] and not request.app.state.demo
    stored = None if row is None or demo_refused else row["password_hash"]
    if not security.verify_password(stored, body.password):
        for limit, key in keys:
            limit.failed(key)
        raise HTTPException(401, NO_MATCH)
    assert row is not None
    if row["suspended_at"] is not None:
        raise HTTPException(403, "This account is suspended. Please contact your landlord.")
    limits["account"].forget(email)
    with engine.begin() as conn:
        return signed_in(conn, request, User.model_validate(dict(row)))


def signed_in(conn: sa.Connection, request: Request, user: User) -> p.LoginResponse:
    """A new session for `user` on the device that asked (named by its user agent), in
    the caller's transaction: what sign-in and joining answer."""
    token, now = security.new_token(), datetime.now(UTC)
    conn.execute(
        db.tokens.insert().values(
            token_hash=security.token_hash(token),
            id=secrets.token_hex(8),
            user_id=user.id,
            label=(request.headers.get("user-agent") or "A device")[:80],
            created_at=now,
            last_used_at=now,
            expires_at=now + security.SESSION_LIMIT,
        )
    )
    return p.LoginResponse(token=token, user=user.model_dump(mode="json"))


@router.post("/auth/logout", status_code=204, responses=errors(401))
def logout(viewer: CurrentViewer, request: Request, engine: Engine) -> Response:
    _revoke(engine, db.tokens.c.id == request.state.session_id)
    return Response(status_code=204)


@router.get("/auth/sessions", responses=errors(401))
def sessions(viewer: CurrentViewer, request: Request, engine: Engine) -> list[p.SessionInfo]:
    """This person's signed-in devices, newest use first."""
    t = db.tokens
    now = datetime.now(UTC)
    with db.reading(engine) as conn:
        rows = conn.execute(
            sa.select(t).where(t.c.user_id == viewer.user.id, t.c.revoked_at.is_(None))
        ).mappings()
        live = [
            r for r in rows
            if utc(r["expires_at"]) > now and utc(r["last_used_at"]) + security.SESSION_IDLE > now
        ]  # fmt: skip
    return sorted(
        (
            p.SessionInfo(
                id=r["id"],
                label=r["label"] or "A device",
                created_at=utc(r["created_at"]),
                last_used_at=utc(r["last_used_at"]),
                expires_at=utc(r["expires_at"]),
                current=r["id"] == request.state.session_id,
            )  # fmt: skip
            for r in live
        ),
        key=lambda s: s.last_used_at,
        reverse=True,
    )


@router.delete("/auth/sessions/{session_id}", status_code=204, responses=errors(401, 404, 422))
def end_session(session_id: SessionId, viewer: CurrentViewer, engine: Engine) -> Response:
    """End one of this person's sessions, for example on a phone they lost."""
    mine = (db.tokens.c.id == session_id) & (db.tokens.c.user_id == viewer.user.id)
    if not _revoke(engine, mine):
        raise HTTPException(404, "That session has already ended.")
    return Response(status_code=204)


@router.post("/users/{user_id}/suspend", status_code=204, responses=errors(401, 403, 404, 422))
def suspend(user_id: UserId, viewer: CurrentViewer, engine: Engine) -> Response:
    """An officer suspends a tradesperson of their landlord: every session ends at once."""
    if viewer.user.role is not Role.OFFICER:
        raise HTTPException(403, "Only housing officers can suspend an account.")
    u = db.users
    with engine.begin() as conn:
        found = conn.execute(
            sa.select(u.c.id).where(
                u.c.id == user_id,
                u.c.role == Role.TRADESPERSON.value,
                u.c.landlord_id == viewer.user.landlord_id,
            )
        ).first()
        if found is None:
            raise HTTPException(404, "There is no tradesperson with that id among yours.")
        conn.execute(u.update().where(u.c.id == user_id).values(suspended_at=datetime.now(UTC)))
    _revoke(engine, db.tokens.c.user_id == user_id)
    return Response(status_code=204)


def _revoke(engine: sa.Engine, which: sa.ColumnElement[bool]) -> int:
    t = db.tokens
    with engine.begin() as conn:
        done = conn.execute(
            t.update().where(which, t.c.revoked_at.is_(None)).values(revoked_at=datetime.now(UTC))
        )
    return done.rowcount


@router.get("/me", responses=errors(401))
def me(viewer: CurrentViewer) -> dict:
    return viewer.user.model_dump(mode="json")
