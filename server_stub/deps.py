"""What routes depend on, resolved once per request: the database engine, the photo
store, and the signed-in user (as a `Viewer` with their trades and areas)."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Header, HTTPException, Request

from app.domain.models import User
from app.domain.policy import Viewer
from app.domain.records import Tradesperson
from server_stub import db, security
from server_stub.photo_store import PhotoStore


def engine(request: Request) -> sa.Engine:
    return request.app.state.engine


def photo_store(request: Request) -> PhotoStore:
    return request.app.state.photos


Engine = Annotated[sa.Engine, Depends(engine)]
Photos = Annotated[PhotoStore, Depends(photo_store)]


def current_viewer(engine: Engine, authorization: Annotated[str | None, Header()] = None) -> Viewer:
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
        trades = db.SYNCED["tradespeople"]
        profile = conn.execute(sa.select(trades).where(trades.c.id == row["id"])).mappings().first()
    return Viewer(
        User.model_validate(dict(row)),
        Tradesperson.model_validate(dict(profile)) if profile else None,
    )


CurrentViewer = Annotated[Viewer, Depends(current_viewer)]
