"""The one protocol module: every message the client and server exchange.

A mutation is a user's intention, recorded on the device with a UUID and a per-device
sequence number, and applied by the server exactly once."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints

from app.domain.commands import COMMANDS, Command
from app.domain.records import RECORDS

__all__ = ["COMMANDS", "RECORDS", "Command"]  # the commands and records, as the wire knows them

# Version 2 added photo stages; the server still accepts version 1 clients.
SCHEMA_VERSION = 2
SUPPORTED_SCHEMAS = {1, 2}
MAX_MUTATIONS = 500
WireId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
]
Seq = Annotated[int, Field(strict=True, ge=0, le=2**53 - 1)]  # exact in any JSON reader


def _iso_text(value: Any) -> Any:
    if not isinstance(value, str | datetime):
        raise ValueError("a time is written as ISO 8601 text, e.g. 2026-11-22T09:30:00Z")
    return value


WireTime = Annotated[datetime, BeforeValidator(_iso_text)]


class Mutation(BaseModel):
    id: WireId
    device_id: WireId
    seq: Seq
    name: str = Field(max_length=64)
    args: dict[str, Any]
    created_at: WireTime


class PushRequest(BaseModel):
    schema_version: int = Field(strict=True, ge=0, le=2**31 - 1)  # unknown ones: 426
    device_id: WireId
    mutations: list[Mutation] = Field(max_length=MAX_MUTATIONS)


class MutationResult(BaseModel):
    id: str
    status: Literal["applied", "duplicate", "rejected"]
    code: str = ""
    message: str = ""


class PushResponse(BaseModel):
    results: list[MutationResult]


class Change(BaseModel):
    table: str
    id: str
    op: Literal["upsert", "delete"]
    row: dict[str, Any] | None = None


class PullResponse(BaseModel):
    schema_version: int
    cursor: str
    changes: list[Change]
    has_more: bool
    reset: bool = False


class LoginRequest(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=256)


class LoginResponse(BaseModel):
    token: str
    user: dict[str, Any]


class LandlordInfo(BaseModel):
    """A landlord tradespeople can join, as the join form lists it."""

    id: str
    name: str


JOIN_EMAIL = r"^[^@\s]+@[^@\s]+$"  # something, an @, something: the rest is the mail's to judge
JOIN_PHONE = r"^[0-9 +()-]*$"


# A name people can read: two or more letters that show, and nothing that hides or
# reorders text (control characters, bidirectional overrides).
_HIDDEN = "\\x00-\\x1f\\x7f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069"
JOIN_NAME = f"^[^{_HIDDEN}]*[^{_HIDDEN}\\s][^{_HIDDEN}]*[^{_HIDDEN}\\s][^{_HIDDEN}]*$"


class JoinRequest(BaseModel):
    """A tradesperson's new account: they are signed in at once, and send their details
    (trades, certificates, insurance, areas) for checks from the app."""

    name: str = Field(min_length=2, max_length=120, pattern=JOIN_NAME)
    email: str = Field(min_length=3, max_length=254, pattern=JOIN_EMAIL)
    password: str = Field(min_length=10, max_length=256)
    landlord_id: WireId
    phone: str = Field(default="", max_length=30, pattern=JOIN_PHONE)


class SessionInfo(BaseModel):
    """One of a person's signed-in devices, as they see it in their list of sessions."""

    id: str
    label: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    current: bool


class RefusedRow(BaseModel):
    line: int
    reason: str


class ImportResponse(BaseModel):
    imported: int
    refused: list[RefusedRow]
    said: str  # the outcome in a sentence


class ErrorBody(BaseModel):
    """Every refusal: a sentence for the person, saying what to do next."""

    detail: str


# Stage a version-1 client's bare photo hashes stood for, by action.
_V1_PHOTO_STAGE = {
    "report_repair": "report",
    "start_visit": "before",
    "complete_job": "after",
    "record_no_access": "no_access",
}


def upgrade_args(schema_version: int, name: str, args: dict[str, Any]) -> dict[str, Any]:
    """Bring an older client's mutation arguments up to the current schema."""
    if schema_version == 1 and isinstance(args.get("photos"), list):
        stage = _V1_PHOTO_STAGE.get(name, "after")
        photos = [
            {"sha256": s, "stage": stage} if isinstance(s, str) else s for s in args["photos"]
        ]
        return {**args, "photos": photos}
    return args
