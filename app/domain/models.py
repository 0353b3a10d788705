"""The marketplace's nouns: roles, trades, priorities, job and offer states, the signed-in
user and photo references. The records that sync live in `records`."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def utc(moment: datetime) -> datetime:
    # SQLite keeps no time zone, so the server's times arrive naive; they are UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(utc)]


class Role(StrEnum):
    RESIDENT = "resident"
    TRADESPERSON = "tradesperson"
    OFFICER = "officer"


class Trade(StrEnum):
    PLUMBING = "plumbing"
    ELECTRICAL = "electrical"
    GAS = "gas"
    CARPENTRY = "carpentry"
    ROOFING = "roofing"
    GLAZING = "glazing"
    PLASTERING = "plastering"
    DAMP_AND_MOULD = "damp_and_mould"
    LOCKSMITH = "locksmith"
    GENERAL = "general"

    @property
    def label(self) -> str:
        return TRADE_LABELS[self]


TRADE_LABELS = {
    Trade.PLUMBING: "Plumbing",
    Trade.ELECTRICAL: "Electrical",
    Trade.GAS: "Gas and heating",
    Trade.CARPENTRY: "Carpentry",
    Trade.ROOFING: "Roofing",
    Trade.GLAZING: "Glazing",
    Trade.PLASTERING: "Plastering",
    Trade.DAMP_AND_MOULD: "Damp and mould",
    Trade.LOCKSMITH: "Locks and doors",
    Trade.GENERAL: "General repairs",
}


class Priority(StrEnum):
    EMERGENCY = "emergency"
    URGENT = "urgent"
    ROUTINE = "routine"
    PLANNED = "planned"


class JobStatus(StrEnum):
    REPORTED = "reported"
    TRIAGED = "triaged"
    POSTED = "posted"
    AWARDED = "awarded"
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CLOSED = "closed"
    NO_ACCESS = "no_access"
    VARIATION_PENDING = "variation_pending"
    ON_HOLD = "on_hold"
    CANCELLED = "cancelled"
    DUPLICATE = "duplicate"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    JobStatus.REPORTED: "Reported",
    JobStatus.TRIAGED: "Being assessed",
    JobStatus.POSTED: "Finding a tradesperson",
    JobStatus.AWARDED: "Tradesperson chosen",
    JobStatus.SCHEDULED: "Visit booked",
    JobStatus.IN_PROGRESS: "Work started",
    JobStatus.COMPLETED: "Completed",
    JobStatus.CLOSED: "Closed",
    JobStatus.NO_ACCESS: "No access at last visit",
    JobStatus.VARIATION_PENDING: "Extra work awaiting approval",
    JobStatus.ON_HOLD: "On hold",
    JobStatus.CANCELLED: "Cancelled",
    JobStatus.DUPLICATE: "Duplicate report",
}


class AwardMode(StrEnum):
    OFFERS = "offers"  # tradespeople put themselves forward; the officer chooses
    FIRST_TO_ACCEPT = "first_to_accept"  # fixed price; the first eligible acceptance wins


class OfferStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class Record(BaseModel):
    model_config = ConfigDict(extra="ignore")


class User(Record):
    id: str
    email: str
    name: str
    role: Role
    landlord_id: str
    home_id: str | None = None


class PhotoStage(StrEnum):
    REPORT = "report"
    BEFORE = "before"
    AFTER = "after"
    NO_ACCESS = "no_access"
    EXTRA = "extra"


class PhotoRef(Record):
    """A photo as jobs and visits refer to it: its content hash and what it shows."""

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    stage: PhotoStage
