"""Joining the marketplace: the landlords taking tradespeople, a new tradesperson's
account (signed in at once, to send their details for checks from the app), a resident
who becomes a tradesperson too, and the photos of a tradesperson's documents for the
officers who check them.

An account alone takes no work: the details (`submit_profile`) go to an officer of the
landlord, and only approved tradespeople see the job board (see `app.domain.policy`)."""

from __future__ import annotations

import math
import secrets
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import FileResponse

from app.domain.commands import HIDDEN, ID_PATTERN
from app.domain.models import Role, User
from app.sync import protocol as p
from server_stub import db, security
from server_stub.deps import CurrentViewer, Engine, Photos
from server_stub.openapi import errors
from server_stub.routes.auth import signed_in

router = APIRouter(prefix="/v1")
EMAIL_TAKEN = "An account with this email already exists. Sign in instead."
UNKNOWN_LANDLORD = (
    "That landlord is not taking tradespeople through this app. Choose yours from the list."
)
TradespersonId = Annotated[str, Path(max_length=64, pattern=ID_PATTERN)]
Sha256 = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]


@router.get("/landlords")
def landlords(engine: Engine) -> list[p.LandlordInfo]:
    """The landlords a tradesperson can join, by name. Needs no sign-in: it is what the
    join form offers."""
    t = db.landlords
    with db.reading(engine) as conn:
        rows = conn.execute(sa.select(t.c.id, t.c.name).order_by(t.c.name, t.c.id)).all()
    return [p.LandlordInfo(id=key, name=name) for key, name in rows]


@router.post("/auth/join", responses=errors(400, 404, 409, 413, 422, 429))
def join(body: p.JoinRequest, request: Request, engine: Engine) -> p.LoginResponse:
    """A new tradesperson's account with the landlord they chose, signed in at once (the
    same answer as sign-in). Every attempt counts against the address's sign-in limit:
    each one hashes a password, and accounts are not made in bulk."""
    address = request.client.host if request.client else "unknown"
    limit = request.app.state.sign_in_limits["address"]
    wait = limit.wait(address)
    if wait:
        raise HTTPException(
            429,
            f"Too many attempts from this connection. Try again in {security.wait_in_words(wait)}.",
            headers={"Retry-After": str(math.ceil(wait))},
        )
    limit.failed(address)
    name, email = body.name.strip(), body.email.strip().lower()
    if len(name) < 2 or HIDDEN.search(name):
        raise HTTPException(422, "Please check your name: type it with letters people can read.")
    password_hash = security.hash_password(body.password)  # before the write lock
    user = User(
        id=f"tp-{secrets.token_hex(8)}",
        email=email,
        name=name,
        role=Role.TRADESPERSON,
        landlord_id=body.landlord_id,
    )
    with engine.begin() as conn:
        known = conn.execute(
            sa.select(db.landlords.c.id).where(db.landlords.c.id == body.landlord_id)
        ).first()
        if known is None:
            raise HTTPException(404, UNKNOWN_LANDLORD)
        taken = conn.execute(sa.select(db.users.c.id).where(db.users.c.email == email)).first()
        if taken is not None:
            raise HTTPException(409, EMAIL_TAKEN)
        conn.execute(
            db.users.insert().values(
                **user.model_dump(),
                phone=body.phone.strip(),
                password_hash=password_hash,
                demo=False,
            )
        )
        return signed_in(conn, request, user)


@router.post("/me/join", responses=errors(401, 403, 409))
def join_as_tradesperson(viewer: CurrentViewer, engine: Engine) -> dict:
    """A resident becomes a tradesperson too: one account, both roles (their home stays
    theirs, and its repairs are never theirs to take). Returns the updated person."""
    user = viewer.user
    if user.role is Role.OFFICER:
        raise HTTPException(
            403,
            "Housing officers can't join the marketplace as tradespeople. Join with a "
            "separate account from the sign-in page.",
        )
    if user.role is Role.TRADESPERSON:
        raise HTTPException(
            409, "You are already a tradesperson on the marketplace. Open Your details."
        )
    with engine.begin() as conn:
        conn.execute(
            db.users.update()
            .where(db.users.c.id == user.id, db.users.c.role == Role.RESIDENT.value)
            .values(role=Role.TRADESPERSON.value)
        )
    return user.model_copy(update={"role": Role.TRADESPERSON}).model_dump(mode="json")


@router.get(
    "/tradespeople/{tradesperson_id}/documents/{sha256}",
    response_class=FileResponse,
    responses={200: {"content": {"image/jpeg": {}}}, **errors(401, 404, 422)},
)
def document(
    tradesperson_id: TradespersonId, sha256: Sha256, viewer: CurrentViewer, photos: Photos
) -> FileResponse:
    """A photo of a tradesperson's certificate or insurance: for the officers of their
    landlord, who check it, and for the tradesperson."""
    t = db.SYNCED["tradespeople"]
    with db.reading(photos.engine) as conn:
        row = conn.execute(
            sa.select(t.c.landlord_id, t.c.documents).where(t.c.id == tradesperson_id)
        ).first()
    user = viewer.user
    allowed = row is not None and (
        user.id == tradesperson_id
        or (user.role is Role.OFFICER and user.landlord_id == row.landlord_id)
    )
    path = photos.folder / sha256[:2] / sha256
    if not allowed or sha256 not in (row.documents or []) or not path.is_file():
        raise HTTPException(404, "This document is not available to you.")
    return FileResponse(path, media_type="image/jpeg")
