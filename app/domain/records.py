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
    Vetting,
)

WEEKDAYS = [0, 1, 2, 3, 4]  # Monday to Friday, as `date.weekday()` counts


class Landlord(Record):
    """A landlord's own rules, set by the landlord and synced to all its people: repair
    targets (emergencies in hours), how jobs are awarded by area and priority, ranking
    weights and schedule of rates, and the numbers residents call."""

    id: str
    name: str
    emergency_attend_hours: int = 4  # someone on site within this
    emergency_make_safe_hours: int = 24  # made safe within this: the emergency's target
    urgent_days: int = 5  # working days
    routine_days: int = 20
    planned_days: int = 60
    # Council landlords: the Right to Repair regulations' 1, 3 and 7 working days for
    # qualifying repairs cap the targets of emergency, urgent and routine jobs.
    right_to_repair: bool = False
    # Award routes: by priority, and areas kept off the marketplace (direct award).
    routes: dict[Priority, AwardMode] = Field(
        default_factory=lambda: {Priority.EMERGENCY: AwardMode.DIRECT}
    )
    direct_districts: list[str] = Field(default_factory=list)
    direct_to: str | None = None  # the in-house team's or framework contractor's id
    auto_award_hours: int = 24  # offers are taken this long before the top-ranked wins
    choice_hours: int = 48  # how long a resident has to choose from a shortlist
    ranking_weights: dict[str, float] = Field(default_factory=dict)  # part -> weight
    schedule_of_rates: dict[Trade, int] = Field(default_factory=dict)  # pence a trade
    out_of_hours_phone: str = ""
    pay_days: int = 30  # the landlord's target time to pay an invoice, in days

    def route_for(self, priority: Priority, district: str) -> AwardMode:
        if district in self.direct_districts:
            return AwardMode.DIRECT
        return self.routes.get(priority, AwardMode.OFFERS)


class Home(Record):
    id: str
    landlord_id: str
    street: str  # number and street, e.g. "12 Mill Lane"
    flat: str
    postcode: str
    district: str
    # What the landlord knows a visitor must be told: "Asbestos survey: artex ceilings, do
    # not drill", "Dog on the premises". Copied onto each repair reported from the home.
    alerts: list[str] = Field(default_factory=list)

    @property
    def block(self) -> str:
        """The building the home is in: flats of one block share its street address and
        postcode ("12 Mill Lane, M4 5AB"), whatever their flat numbers."""
        return " ".join(f"{self.street}, {self.postcode}".upper().split())


class Tradesperson(Record):
    """A tradesperson's profile as they submitted it, and where its vetting stands."""

    id: str  # the user's id
    landlord_id: str = ""
    name: str
    business_name: str
    kind: str = "sole_trader"  # sole_trader, business, in_house, framework
    phone: str = ""
    trades: list[Trade]
    districts: list[str]
    working_days: list[int] = Field(default_factory=lambda: list(WEEKDAYS))
    certificates: dict[str, date] = Field(default_factory=dict)  # kind -> expiry
    certificate_numbers: dict[str, str] = Field(default_factory=dict)  # kind -> number
    gas_categories: list[str] = Field(default_factory=list)  # the engineer's appliances
    insurance_expires: date | None = None
    documents: list[str] = Field(default_factory=list)  # photos of certificates, insurance
    small_local: bool = True
    status: Vetting = Vetting.APPLIED
    vetting_note: str = ""  # the officer's reason or question
    applied_at: UtcDatetime | None = None
    vetted_at: UtcDatetime | None = None
    home_id: str | None = None  # their own home, when they are a resident too


class Job(Record):
    id: str
    landlord_id: str
    home_id: str
    trade: Trade
    title: str
    description: str = ""
    location: str = ""  # where in the home, e.g. "bathroom"
    access_notes: str = ""
    property_alerts: list[str] = Field(default_factory=list)  # the home's `alerts`
    # How the resident wants the tradesperson to get in touch: phone, text or either
    # ("" on repairs reported before they could say), and when suits them best.
    contact_preference: str = ""
    best_times: str = ""
    status: JobStatus = JobStatus.REPORTED
    priority: Priority | None = None
    suggested_priority: Priority | None = None  # from the resident's answers: officers decide
    damp_and_mould: bool = False
    # A shared area of the block (stairs, lift, entrance, bins): its neighbours see that it is
    # reported, and may say "me too" (`also_reported_by`) instead of reporting it again.
    communal: bool = False
    block: str = ""  # the reporter's home's `Home.block`
    also_reported_by: list[str] = Field(default_factory=list)  # residents' ids
    award_mode: AwardMode = AwardMode.OFFERS
    fixed_price_pence: int | None = None
    reported_at: UtcDatetime
    target_at: UtcDatetime | None = None
    attend_by: UtcDatetime | None = None  # emergencies: someone on site by then
    offers_close_at: UtcDatetime | None = None  # automatic award: the top-ranked wins then
    shortlist: list[str] = Field(default_factory=list)  # offers the resident chooses among
    choose_by: UtcDatetime | None = None  # after this the top-ranked shortlisted offer wins
    award_reason: str = ""  # how it was awarded: "Chosen by the resident", ...
    held_from: JobStatus | None = None  # on hold: where it goes back to when reopened
    hold_reason: str = ""
    investigated_on: date | None = None  # damp and mould: Awaab's Law's later clocks run from it
    findings: str = ""
    # The visit: proposed by the tradesperson, confirmed by the resident.
    appointment_at: UtcDatetime | None = None
    appointment_status: str = ""  # proposed, confirmed, change_asked
    appointment_note: str = ""  # the resident's reason for asking for another time
    on_the_way_at: UtcDatetime | None = None
    arrive_by: UtcDatetime | None = None
    missed: list[dict[str, str]] = Field(default_factory=list)  # by (resident, tradesperson), at
    flag: str = ""  # for the officer: why this job needs them now
    follow_on_of: str | None = None  # raised from a visit to another job
    awarded_to: str | None = None
    awarded_at: UtcDatetime | None = None
    awarded_offer_id: str | None = None
    started_at: UtcDatetime | None = None
    completed_at: UtcDatetime | None = None
    closed_at: UtcDatetime | None = None  # when it was completed, closed or cancelled
    completion_notes: str = ""
    parent_id: str | None = None  # a recall: the job that was not fixed
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
    job_title: str = ""  # kept with the offer: the job leaves their view if not chosen
    tradesperson_id: str
    business_name: str = ""
    price_pence: int
    earliest_slot: date
    note: str = ""
    status: OfferStatus = OfferStatus.OPEN
    created_at: UtcDatetime
    # Shortlisted for the resident to choose: they see it, with a summary of the
    # tradesperson's record (jobs, ratings, within target) taken when shortlisted.
    shortlisted_for: str | None = None  # the resident who chooses
    summary: dict[str, float] = Field(default_factory=dict)
    # Set when the job is awarded: where this offer ranked, its score and parts, and what
    # its tradesperson reads about it (chosen, or why not with their own figures).
    position: int | None = None
    score: float | None = None
    parts: list[dict[str, str]] = Field(default_factory=list)  # name, points, why
    explanation: list[str] = Field(default_factory=list)


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


class Invoice(Record):
    """Raised at completion: the agreed price plus approved extra work. The officer
    approves or disputes it; paid once the landlord has paid."""

    id: str
    landlord_id: str
    job_id: str
    tradesperson_id: str
    amount_pence: int
    status: str = "submitted"  # submitted, approved, disputed, paid
    submitted_at: UtcDatetime
    decided_at: UtcDatetime | None = None
    paid_at: UtcDatetime | None = None
    dispute_reason: str = ""


class PatternNote(Record):
    """An officer's note on an item of the pattern queue, and whether it is dismissed."""

    id: str  # the pattern's key: rule, tradesperson and the day it was found
    landlord_id: str
    tradesperson_id: str
    note: str = ""
    dismissed: bool = False
    noted_by: str
    noted_at: UtcDatetime


@dataclass(frozen=True)
class Kind:
    """One synced record: its table and model, and the fields a device looks rows up by."""

    table: str
    model: type[Record]
    indexed: tuple[str, ...] = ()


RECORDS: dict[str, Kind] = {
    k.table: k
    for k in (
        Kind("landlords", Landlord),
        Kind("homes", Home),
        Kind("tradespeople", Tradesperson),
        Kind("jobs", Job, ("status", "awarded_to", "resident_id")),
        Kind("offers", Offer, ("job_id",)),
        Kind("visits", Visit, ("job_id",)),
        Kind("extras", Extra, ("job_id",)),
        Kind("pattern_notes", PatternNote),
        Kind("invoices", Invoice, ("job_id",)),
    )
}
TABLE_OF: dict[type[Record], str] = {k.model: k.table for k in RECORDS.values()}
