"""The records that sync between server and devices, and their one registry.

Every synced record is named once, in `RECORDS`: the device's tables, the server's
tables, the pull and the visibility rules (`policy`) are all built from it. A record
that `policy` has no rule for is visible to nobody."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import Field

from app.domain.models import (
    AwardMode,
    JobStatus,
    OfferStatus,
    Priority,
    Record,
    Trade,
    UtcDatetime,
)


class Home(Record):
    id: str
    landlord_id: str
    street: str  # number and street, e.g. "12 Mill Lane"
    flat: str
    postcode: str
    district: str


class Tradesperson(Record):
    id: str  # the user's id
    landlord_id: str = ""
    name: str
    business_name: str
    trades: list[Trade]
    districts: list[str]
    certificates: dict[str, date] = Field(default_factory=dict)  # kind -> expiry
    insurance_expires: date | None = None
    small_local: bool = True


class Job(Record):
    id: str
    landlord_id: str
    home_id: str
    trade: Trade
    title: str
    description: str = ""
    location: str = ""  # where in the home, e.g. "bathroom"
    access_notes: str = ""
    status: JobStatus = JobStatus.REPORTED
    priority: Priority | None = None
    damp_and_mould: bool = False
    award_mode: AwardMode = AwardMode.OFFERS
    fixed_price_pence: int | None = None
    reported_at: UtcDatetime
    target_at: UtcDatetime | None = None
    awarded_to: str | None = None
    awarded_offer_id: str | None = None
    started_at: UtcDatetime | None = None
    completed_at: UtcDatetime | None = None
    closed_at: UtcDatetime | None = None  # when it was completed, closed or cancelled
    completion_notes: str = ""
    parent_id: str | None = None
    rating_speed: int | None = None
    rating_quality: int | None = None
    review: str = ""
    photos: list[str] = Field(default_factory=list)
    # Where: district and street name are public to tradespeople; the rest only once
    # the job is theirs (see `policy`).
    district: str = ""
    street: str = ""
    flat: str | None = None
    resident_id: str | None = None
    resident_name: str | None = None
    resident_phone: str | None = None


class Offer(Record):
    id: str
    landlord_id: str = ""
    job_id: str
    tradesperson_id: str
    business_name: str = ""
    price_pence: int
    earliest_slot: date
    note: str = ""
    status: OfferStatus = OfferStatus.OPEN
    created_at: UtcDatetime


class Visit(Record):
    id: str
    landlord_id: str = ""
    job_id: str
    tradesperson_id: str
    started_at: UtcDatetime
    outcome: str = "in_progress"  # in_progress, completed, no_access
    notes: str = ""
    photos: list[str] = Field(default_factory=list)


class Extra(Record):
    """Extra work found on a visit, priced, waiting for or given the officer's decision."""

    id: str
    landlord_id: str
    job_id: str
    tradesperson_id: str
    resident_id: str | None = None
    reason: str
    price_pence: int
    photos: list[str] = Field(default_factory=list)
    status: str = "pending"  # pending, approved, refused
    decision_reason: str = ""
    requested_at: UtcDatetime
    decided_at: UtcDatetime | None = None


@dataclass(frozen=True)
class Kind:
    """One synced record: its table and model, and the fields a device looks rows up by."""

    table: str
    model: type[Record]
    indexed: tuple[str, ...] = ()


RECORDS: dict[str, Kind] = {
    k.table: k
    for k in (
        Kind("homes", Home),
        Kind("tradespeople", Tradesperson),
        Kind("jobs", Job, ("status", "awarded_to", "resident_id")),
        Kind("offers", Offer, ("job_id",)),
        Kind("visits", Visit, ("job_id",)),
        Kind("extras", Extra, ("job_id",)),
    )
}
TABLE_OF: dict[type[Record], str] = {k.model: k.table for k in RECORDS.values()}
