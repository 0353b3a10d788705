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
    """How a posted job finds its tradesperson: the route, set per job by the landlord's
    rules for its area and priority (see `records.Landlord.route_for`)."""

    OFFERS = "offers"  # tradespeople put themselves forward; the officer chooses
    FIRST_TO_ACCEPT = "first_to_accept"  # fixed price; the first eligible acceptance wins
    AUTO = "auto"  # offers for a set time, then the top-ranked eligible offer wins
    RESIDENT_CHOICE = "resident_choice"  # the officer shortlists up to 3; the resident picks
    DIRECT = "direct"  # straight to the landlord's in-house team or framework contractor

    @property
    def label(self) -> str:
        return AWARD_MODE_LABELS[self]


AWARD_MODE_LABELS = {
    AwardMode.OFFERS: "Officer chooses from offers",
    AwardMode.FIRST_TO_ACCEPT: "Fixed price, first to accept",
    AwardMode.AUTO: "Top-ranked offer wins automatically",
    AwardMode.RESIDENT_CHOICE: "Resident chooses from a shortlist",
    AwardMode.DIRECT: "Direct award (in-house or framework)",
}


class Vetting(StrEnum):
    """Where a tradesperson's application to join stands. Only approved people see the
    job board and can be awarded work."""

    APPLIED = "applied"  # waiting for an officer's checks
    MORE_INFO = "more_info"  # the officer asked for more; they change and resubmit
    APPROVED = "approved"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return VETTING_LABELS[self]


VETTING_LABELS = {
    Vetting.APPLIED: "Waiting for checks",
    Vetting.MORE_INFO: "More information needed",
    Vetting.APPROVED: "Approved",
    Vetting.REFUSED: "Refused",
}


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

    @property
    def roles(self) -> frozenset[Role]:
        """Everything this person may act as: a tradesperson with a home of the landlord's
        is a resident too (one account, two roles)."""
        return frozenset({self.role, *([Role.RESIDENT] if self.home_id else [])})

    def acting_as(self, allowed: frozenset[Role]) -> Role | None:
        """The role this person takes for an action `allowed` to those roles: their main
        one when it may, else another they hold, else None."""
        if self.role in allowed:
            return self.role
        return next((r for r in sorted(self.roles) if r in allowed), None)


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
