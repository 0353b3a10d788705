"""Sign-in and who am I."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException

from app.domain.models import User
from app.sync import protocol as p
from server_stub import db, security
from server_stub.deps import CurrentViewer, Engine

router = APIRouter(prefix="/v1")


@router.post("/auth/login")
def login(body: p.LoginRequest, engine: Engine) -> p.LoginResponse:
    with engine.begin() as conn:
        row = (
            conn.execute(sa.select(db.users).where(db.users.c.email == body.email.strip().lower()))
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


@router.get("/me")
def me(viewer: CurrentViewer) -> dict:
    return viewer.user.model_dump(mode="json")
