"""The one protocol module: every message the client and server exchange.

A mutation is a user's intention, recorded on the device with a UUID and a per-device
sequence number, and applied by the server exactly once."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.domain.models import AwardMode, PhotoRef, Priority, Trade

# Version 2 added photo stages; the server still accepts version 1 clients.
SCHEMA_VERSION = 2
SUPPORTED_SCHEMAS = {1, 2}
SYNCED_TABLES = ("homes", "tradespeople", "jobs", "offers", "visits")


class Args(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReportRepair(Args):
    job_id: str
    trade: Trade
    title: str = Field(min_length=3, max_length=120)
    description: str = Field(default="", max_length=2000)
    location: str = Field(default="", max_length=120)
    access_notes: str = Field(default="", max_length=500)
    damp_and_mould: bool = False
    photos: list[PhotoRef] = Field(default_factory=list, max_length=10)


class PostJob(Args):
    job_id: str
    priority: Priority
    award_mode: AwardMode = AwardMode.OFFERS
    fixed_price_pence: int | None = Field(default=None, gt=0)


class PutForward(Args):
    offer_id: str
    job_id: str
    price_pence: int = Field(gt=0, le=10_000_000)
    earliest_slot: date
    note: str = Field(default="", max_length=500)


class WithdrawAward(Args):
    job_id: str
    reason: str = Field(default="", max_length=500)


class AcceptJob(Args):
    job_id: str


class Award(Args):
    job_id: str
    offer_id: str


class StartVisit(Args):
    job_id: str
    visit_id: str
    photos: list[PhotoRef] = Field(default_factory=list, max_length=10)


class CompleteJob(Args):
    job_id: str
    notes: str = Field(default="", max_length=2000)
    photos: list[PhotoRef] = Field(default_factory=list, max_length=10)


class RecordNoAccess(Args):
    job_id: str
    note: str = Field(default="", max_length=500)
    photos: list[PhotoRef] = Field(default_factory=list, max_length=5)


class RateJob(Args):
    job_id: str
    speed: int = Field(ge=1, le=5)
    quality: int = Field(ge=1, le=5)
    review: str = Field(default="", max_length=1000)


class CancelJob(Args):
    job_id: str
    reason: str = Field(default="", max_length=500)


ACTIONS: dict[str, type[Args]] = {
    "report_repair": ReportRepair,
    "post_job": PostJob,
    "put_forward": PutForward,
    "accept_job": AcceptJob,
    "award": Award,
    "withdraw_award": WithdrawAward,
    "start_visit": StartVisit,
    "complete_job": CompleteJob,
    "record_no_access": RecordNoAccess,
    "rate_job": RateJob,
    "cancel_job": CancelJob,
}


class Mutation(BaseModel):
    id: str
    device_id: str
    seq: int
    name: str
    args: dict[str, Any]
    created_at: datetime


class PushRequest(BaseModel):
    schema_version: int
    device_id: str
    mutations: list[Mutation] = Field(max_length=500)


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
    email: str
    password: str


class LoginResponse(BaseModel):
    token: str
    user: dict[str, Any]


class ErrorBody(BaseModel):
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
