"""What routes depend on, resolved once per request: the database engine, the photo
store, and the signed-in user (as a `Viewer` with their trades and areas) with the
session they signed in with."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Header, HTTPException, Request

from app.domain.models import User, utc
from app.domain.policy import Viewer
from app.domain.records import Home, Tradesperson
from server_stub import db, security
from server_stub.photo_store import PhotoStore

EXPIRED = "Your sign-in has expired. Please sign in again."


def engine(request: Request) -> sa.Engine:
    return request.app.state.engine


def photo_store(request: Request) -> PhotoStore:
    return request.app.state.photos


Engine = Annotated[sa.Engine, Depends(engine)]
Photos = Annotated[PhotoStore, Depends(photo_store)]


def current_viewer(
    request: Request, engine: Engine, authorization: Annotated[str | None, Header()] = None
) -> Viewer:
    """The signed-in person, or 401. Their session must be unrevoked, used within the idle
    limit and younger than the absolute one, and their account not suspended."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(401, "Please sign in.", headers={"WWW-Authenticate": "Bearer"})
    t = db.tokens
    now = datetime.now(UTC)
    with db.reading(engine) as conn:
        row = (
            conn.execute(
                sa.select(
                    db.users,
                    t.c.id.label("session_id"),
                    t.c.last_used_at,
                    t.c.expires_at,
                    t.c.revoked_at,
                )  # fmt: skip
                .join(t, t.c.user_id == db.users.c.id)
                .where(t.c.token_hash == security.token_hash(token))
            )
            .mappings()
            .first()
        )
        live = (
            row is not None
            and row["revoked_at"] is None
            and row["suspended_at"] is None
            and row["expires_at"] is not None
            and utc(row["expires_at"]) > now
            and utc(row["last_used_at"]) + security.SESSION_IDLE > now
        )
        if not live:
            raise HTTPException(401, EXPIRED, headers={"WWW-Authenticate": "Bearer"})
        trades = db.SYNCED["tradespeople"]
        profile = conn.execute(sa.select(trades).where(trades.c.id == row["id"])).mappings().first()
        homes = db.SYNCED["homes"]
        home = (
            conn.execute(sa.select(homes).where(homes.c.id == row["home_id"])).mappings().first()
            if row["home_id"]
            else None
        )
    if now - utc(row["last_used_at"]) > security.TOUCH_EVERY:  # sliding, without a write a call
        with engine.begin() as conn:
            conn.execute(t.update().where(t.c.id == row["session_id"]).values(last_used_at=now))
    request.state.session_id = row["session_id"]
    return Viewer(
        User.model_validate(dict(row)),
        Tradesperson.model_validate(dict(profile)) if profile else None,
        Home.model_validate(dict(home)) if home else None,
    )


CurrentViewer = Annotated[Viewer, Depends(current_viewer)]
