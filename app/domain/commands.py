"""Commands: one model per action a person can take, with its name on the wire, its label
for people, who may take it, the records it refers to and creates, and its field limits.

Forms read their limits from here (`limit`), the server and the device validate with the
same models, and the protocol re-exports them for the wire."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from app.domain.lifecycle import Rejected
from app.domain.models import AwardMode, PhotoRef, Priority, Role, Trade
from app.domain.ranking import PART_NAMES

OFFICER, TRADE, RESIDENT = Role.OFFICER, Role.TRADESPERSON, Role.RESIDENT
ID_PATTERN = r"^[A-Za-z0-9_.:-]+$"
Id = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
MAX_PRICE_PENCE = 10_000_000  # £100,000: more than any one repair


# What others must never be shown: control characters (but new lines and tabs) and the
# marks that reorder text (a right-to-left override can make "exe.txt" read "txt.exe").
HIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    @model_validator(mode="after")
    def _shown_as_typed(self) -> Command:
        for field, value in self:
            if isinstance(value, str) and HIDDEN.search(value):
                raise ValueError(
                    f"the {field.replace('_', ' ')}: it has characters that can't be shown. "
                    "Type it again without them"
                )
        return self

    name: ClassVar[str]
    label: ClassVar[str]  # what people call it: "Put yourself forward"
    roles: ClassVar[frozenset[Role]]
    refers: ClassVar[dict[str, str]] = {}  # field -> table of a record that must be visible
    creates: ClassVar[dict[str, str]] = {}  # field -> table of a new record's client-chosen id

    @classmethod
    def limit(cls, field: str) -> int:
        """The most characters (or items, or pence) `field` takes: forms show and check it."""
        for rule in cls.model_fields[field].metadata:
            for attr in ("max_length", "le"):
                if getattr(rule, attr, None) is not None:
                    return getattr(rule, attr)
        raise KeyError(f"{cls.__name__}.{field} has no limit")

    @property
    def photos_cited(self) -> list[str]:
        return [ph.sha256 for ph in getattr(self, "photos", [])]


COMMANDS: dict[str, type[Command]] = {}


def command(name: str, label: str, *roles: Role, refers=None, creates=None):
    """Register a command model under its wire name."""

    def register(cls: type[Command]) -> type[Command]:
        cls.name, cls.label, cls.roles = name, label, frozenset(roles)
        cls.refers, cls.creates = refers or {}, creates or {}
        COMMANDS[name] = cls
        return cls

    return register


def parse(name: str, raw: Any) -> Command:
    """The command `name` with arguments `raw`, or `Rejected` saying what to fix."""
    model = COMMANDS.get(name)
    if model is None:
        raise Rejected("unknown_action", "This app is out of date. Please update it.")
    try:
        return model.model_validate(raw)
    except ValidationError as e:
        raise Rejected("invalid", first_error(e)) from None


def first_error(e: ValidationError) -> str:
    errors = e.errors()
    if not errors:
        return "Some details are not valid. Please check and try again."
    message = errors[0]["msg"].removeprefix("Value error, ")
    field = ".".join(str(x) for x in errors[0]["loc"]).replace("_", " ")
    if not field:  # a rule about the whole command, which names its field itself
        return f"Please check {message}."
    return f"Please check {field}: {message.lower()}."


JOB = {"job_id": "jobs"}
Photos = list[PhotoRef]
# How a resident would like the tradesperson to get in touch, as they read it.
CONTACT_PREFERENCES = {"phone": "Phone call", "text": "Text message", "either": "Either"}


@command("report_repair", "Report a repair", RESIDENT, creates={"job_id": "jobs"})
class ReportRepair(Command):
    job_id: str = Id
    trade: Trade
    title: str = Field(min_length=3, max_length=120)
    description: str = Field(default="", max_length=2000)
    location: str = Field(default="", max_length=120)
    access_notes: str = Field(default="", max_length=500)
    damp_and_mould: bool = False
    photos: Photos = Field(default_factory=list, max_length=10)
    # From the guided questions: how soon it usually needs doing (the officer decides), and
    # whether it is in a shared area of the block, where neighbours can say "me too".
    suggested_priority: Priority | None = None
    communal: bool = False
    contact_preference: str = Field(default="either", pattern=r"^(phone|text|either)$")
    best_times: str = Field(default="", max_length=100)  # "after 4pm", "not Fridays"


@command("me_too", "Me too", RESIDENT, refers=JOB)
class MeToo(Command):
    """A neighbour says an open report of a shared area of their block affects them too,
    instead of reporting it again; they then follow it in their repairs."""

    job_id: str = Id


@command("post_job", "Post a job", OFFICER, refers=JOB)
class PostJob(Command):
    job_id: str = Id
    priority: Priority
    award_mode: AwardMode | None = None  # None: the landlord's route for its area and priority
    fixed_price_pence: int | None = Field(default=None, gt=0, le=MAX_PRICE_PENCE)


@command("put_forward", "Put yourself forward", TRADE, refers=JOB, creates={"offer_id": "offers"})
class PutForward(Command):
    offer_id: str = Id
    job_id: str = Id
    price_pence: int = Field(gt=0, le=MAX_PRICE_PENCE)
    earliest_slot: date
    note: str = Field(default="", max_length=500)


OFFER = {"offer_id": "offers"}


@command("change_offer", "Change your offer", TRADE, refers=OFFER)
class ChangeOffer(Command):
    offer_id: str = Id
    price_pence: int = Field(gt=0, le=MAX_PRICE_PENCE)
    earliest_slot: date
    note: str = Field(default="", max_length=500)


@command("withdraw_offer", "Withdraw your offer", TRADE, refers=OFFER)
class WithdrawOffer(Command):
    offer_id: str = Id


@command("accept_job", "Accept a job", TRADE, refers=JOB)
class AcceptJob(Command):
    job_id: str = Id


@command("award", "Award a job", OFFICER, refers={**JOB, **OFFER})
class Award(Command):
    job_id: str = Id
    offer_id: str = Id


@command("withdraw_award", "Take a job back", OFFICER, refers=JOB)
class WithdrawAward(Command):
    job_id: str = Id
    reason: str = Field(default="", max_length=500)


@command("start_visit", "Start a visit", TRADE, refers=JOB, creates={"visit_id": "visits"})
class StartVisit(Command):
    job_id: str = Id
    visit_id: str = Id
    photos: Photos = Field(default_factory=list, max_length=10)


@command("complete_job", "Complete a job", TRADE, refers=JOB)
class CompleteJob(Command):
    job_id: str = Id
    notes: str = Field(default="", max_length=2000)
    photos: Photos = Field(default_factory=list, max_length=10)


@command("record_no_access", "Record no access", TRADE, refers=JOB, creates={"visit_id": "visits"})
class RecordNoAccess(Command):
    job_id: str = Id
    # The visit to record when none is open; older apps send none and get one named for
    # the job, the tradesperson and the moment.
    visit_id: str | None = Field(default=None, min_length=1, max_length=64, pattern=ID_PATTERN)
    note: str = Field(default="", max_length=500)
    photos: Photos = Field(default_factory=list, max_length=5)


@command("rate_job", "Rate a repair", RESIDENT, refers=JOB)
class RateJob(Command):
    job_id: str = Id
    speed: int = Field(ge=1, le=5)
    quality: int = Field(ge=1, le=5)
    review: str = Field(default="", max_length=1000)


@command("cancel_job", "Cancel a repair", OFFICER, RESIDENT, refers=JOB)
class CancelJob(Command):
    job_id: str = Id
    reason: str = Field(default="", max_length=500)


@command("request_extra", "Ask for extra work", TRADE, refers=JOB, creates={"extra_id": "extras"})
class RequestExtra(Command):
    extra_id: str = Id
    job_id: str = Id
    reason: str = Field(min_length=1, max_length=500)
    price_pence: int = Field(gt=0, le=MAX_PRICE_PENCE)
    photos: Photos = Field(default_factory=list, max_length=5)


@command("decide_extra", "Decide on extra work", OFFICER, refers={"extra_id": "extras"})
class DecideExtra(Command):
    extra_id: str = Id
    approve: bool
    reason: str = Field(default="", max_length=500)


DISTRICT = r"^[A-Z]{1,2}[0-9][0-9A-Z]?$"  # a UK postcode district: E5, N16, SW1A
CERTIFICATE_KINDS = ("gas_safe", "niceic", "napit", "elecsa")
GAS_CATEGORIES = ("boilers", "cookers", "fires", "water_heaters", "meters")


@command("submit_profile", "Send your details", TRADE)
class SubmitProfile(Command):
    """A tradesperson's application to join, or a change to it: either goes to an officer
    for checks before they can take work."""

    business_name: str = Field(min_length=2, max_length=120)
    kind: str = Field(default="sole_trader", pattern=r"^(sole_trader|business)$")
    phone: str = Field(default="", max_length=30, pattern=r"^[0-9 +()-]*$")
    trades: list[Trade] = Field(min_length=1, max_length=len(Trade))
    districts: list[str] = Field(min_length=1, max_length=40)
    working_days: list[int] = Field(min_length=1, max_length=7)
    certificates: dict[str, date] = Field(default_factory=dict, max_length=4)
    certificate_numbers: dict[str, str] = Field(default_factory=dict, max_length=4)
    gas_categories: list[str] = Field(default_factory=list, max_length=len(GAS_CATEGORIES))
    insurance_expires: date
    photos: Photos = Field(default_factory=list, max_length=10)  # certificates, insurance

    @model_validator(mode="after")
    def _known(self) -> SubmitProfile:
        bad = [d for d in self.districts if not re.match(DISTRICT, d)]
        if bad:
            raise ValueError(f"the areas you cover: {bad[0]!r} is not a postcode district")
        if any(not 0 <= d <= 6 for d in self.working_days):
            raise ValueError("the working days: days run from Monday (0) to Sunday (6)")
        for kinds in (self.certificates, self.certificate_numbers):
            if set(kinds) - set(CERTIFICATE_KINDS):
                raise ValueError("the certificates: give Gas Safe, NICEIC, NAPIT or ELECSA")
        if any(len(n) > 30 for n in self.certificate_numbers.values()):
            raise ValueError("the certificate numbers: each has at most 30 characters")
        if set(self.gas_categories) - set(GAS_CATEGORIES):
            raise ValueError("the gas appliance categories: choose from the list")
        return self


@command(
    "vet_tradesperson", "Check a tradesperson", OFFICER, refers={"tradesperson_id": "tradespeople"}
)
class VetTradesperson(Command):
    tradesperson_id: str = Id
    decision: str = Field(pattern=r"^(approve|refuse|more_info)$")
    reason: str = Field(default="", max_length=500)


@command("shortlist", "Let the resident choose", OFFICER, refers=JOB)
class Shortlist(Command):
    job_id: str = Id
    offer_ids: list[str] = Field(min_length=1, max_length=3)

    @model_validator(mode="after")
    def _distinct(self) -> Shortlist:
        if len(set(self.offer_ids)) != len(self.offer_ids):
            raise ValueError("the shortlist: each offer once")
        if any(not re.match(ID_PATTERN, o) or len(o) > 64 for o in self.offer_ids):
            raise ValueError("the shortlist: an offer id is not valid")
        return self


@command("choose_offer", "Choose your tradesperson", RESIDENT, refers={**JOB, **OFFER})
class ChooseOffer(Command):
    job_id: str = Id
    offer_id: str = Id


@command(
    "direct_award", "Award directly", OFFICER, refers={**JOB, "tradesperson_id": "tradespeople"}
)
class DirectAward(Command):
    job_id: str = Id
    tradesperson_id: str = Id


@command("set_rules", "Change the landlord's rules", OFFICER, refers={"landlord_id": "landlords"})
class SetRules(Command):
    """A landlord's targets, award routes, ranking weights, schedule of rates and phone
    lines, set by its officers. Every field is given: the form sends the whole set."""

    landlord_id: str = Id
    emergency_attend_hours: int = Field(ge=1, le=72)
    emergency_make_safe_hours: int = Field(ge=1, le=72)
    urgent_days: int = Field(ge=1, le=60)
    routine_days: int = Field(ge=1, le=120)
    planned_days: int = Field(ge=1, le=365)
    right_to_repair: bool = False
    routes: dict[Priority, AwardMode] = Field(default_factory=dict, max_length=len(Priority))
    direct_districts: list[str] = Field(default_factory=list, max_length=100)
    direct_to: str | None = Field(default=None, min_length=1, max_length=64, pattern=ID_PATTERN)
    auto_award_hours: int = Field(ge=1, le=336)
    choice_hours: int = Field(ge=1, le=336)
    ranking_weights: dict[str, float] = Field(default_factory=dict, max_length=20)
    schedule_of_rates: dict[Trade, int] = Field(default_factory=dict, max_length=len(Trade))
    out_of_hours_phone: str = Field(default="", max_length=30, pattern=r"^[0-9 +()-]*$")
    pay_days: int = Field(default=30, ge=1, le=120)

    @model_validator(mode="after")
    def _sensible(self) -> SetRules:
        if self.emergency_attend_hours > self.emergency_make_safe_hours:
            raise ValueError("the emergency targets: attend before making safe, not after")
        bad = [d for d in self.direct_districts if not re.match(DISTRICT, d)]
        if bad:
            raise ValueError(f"the areas off the marketplace: {bad[0]!r} is not a district")
        if set(self.ranking_weights) - set(PART_NAMES):
            raise ValueError("the ranking weights: name only the parts of the score")
        if any(not 0 <= w <= 100 for w in self.ranking_weights.values()):
            raise ValueError("the ranking weights: each from 0 to 100")
        if self.ranking_weights and not any(self.ranking_weights.values()):
            raise ValueError("the ranking weights: at least one above 0")
        if any(not 0 < p <= MAX_PRICE_PENCE for p in self.schedule_of_rates.values()):
            raise ValueError("the schedule of rates: each price above £0 and at most £100,000")
        return self


@command(
    "note_pattern",
    "Note a pattern",
    OFFICER,
    refers={"tradesperson_id": "tradespeople"},
)
class NotePattern(Command):
    pattern_key: str = Field(min_length=1, max_length=160, pattern=r"^[A-Za-z0-9_.:-]+$")
    tradesperson_id: str = Id
    note: str = Field(default="", max_length=1000)
    dismiss: bool = False


ALERT_MOST = 200  # characters in one alert
AlertLine = Annotated[str, Field(min_length=1, max_length=ALERT_MOST)]


@command("set_home_alerts", "Change a home's alerts", OFFICER, refers={"home_id": "homes"})
class SetHomeAlerts(Command):
    """What the landlord knows a visitor to the home must be told (asbestos, a dog, a
    resident who is hard of hearing), one line each: the whole list, replacing the last.
    Its open repairs get the new list, so the tradesperson's job pack has it."""

    home_id: str = Id
    alerts: list[AlertLine] = Field(default_factory=list, max_length=10)

    @model_validator(mode="after")
    def _one_line_each(self) -> SetHomeAlerts:
        if any("\n" in a or HIDDEN.search(a) for a in self.alerts):
            raise ValueError("the alerts: one line each, without characters that can't be shown")
        return self


@command("hold_job", "Put a job on hold", OFFICER, refers=JOB)
class HoldJob(Command):
    job_id: str = Id
    reason: str = Field(min_length=3, max_length=500)


@command("reopen_job", "Take a job off hold", OFFICER, refers=JOB)
class ReopenJob(Command):
    job_id: str = Id


@command("close_job", "Close a job", OFFICER, refers=JOB)
class CloseJob(Command):
    job_id: str = Id


@command("conclude_investigation", "Record the investigation", OFFICER, refers=JOB)
class ConcludeInvestigation(Command):
    """Damp and mould: the investigation happened; the written summary and the safety work
    are now due within their working days of it (Awaab's Law)."""

    job_id: str = Id
    investigated_on: date
    findings: str = Field(min_length=3, max_length=2000)


# -- the visit and the resident's side of it --------------------------------------------


@command("propose_appointment", "Propose a visit time", TRADE, refers=JOB)
class ProposeAppointment(Command):
    job_id: str = Id
    at: datetime


@command("answer_appointment", "Answer a visit time", RESIDENT, refers=JOB)
class AnswerAppointment(Command):
    job_id: str = Id
    confirm: bool
    note: str = Field(default="", max_length=300)  # why another time, and when suits


@command("on_my_way", "Say you are on your way", TRADE, refers=JOB)
class OnMyWay(Command):
    job_id: str = Id
    minutes: int = Field(ge=5, le=240)


@command("report_missed", "Say nobody came", RESIDENT, refers=JOB)
class ReportMissed(Command):
    job_id: str = Id


@command(
    "report_not_fixed", "Say it is not fixed", RESIDENT, refers=JOB, creates={"new_job_id": "jobs"}
)
class ReportNotFixed(Command):
    job_id: str = Id
    new_job_id: str = Id
    description: str = Field(min_length=3, max_length=2000)
    photos: Photos = Field(default_factory=list, max_length=10)


@command(
    "raise_follow_on", "Raise follow-on work", TRADE, refers=JOB, creates={"new_job_id": "jobs"}
)
class RaiseFollowOn(Command):
    job_id: str = Id
    new_job_id: str = Id
    trade: Trade
    title: str = Field(min_length=3, max_length=120)
    description: str = Field(default="", max_length=2000)
    photos: Photos = Field(default_factory=list, max_length=10)


# -- getting paid ------------------------------------------------------------------------

InvoiceId = Annotated[str, Field(min_length=1, max_length=64, pattern=ID_PATTERN)]
INVOICES = Field(min_length=1, max_length=200)


@command("approve_invoices", "Approve invoices", OFFICER)
class ApproveInvoices(Command):
    invoice_ids: list[InvoiceId] = INVOICES


@command("dispute_invoice", "Dispute an invoice", OFFICER, refers={"invoice_id": "invoices"})
class DisputeInvoice(Command):
    invoice_id: str = Id
    reason: str = Field(min_length=3, max_length=500)


@command("mark_paid", "Mark invoices paid", OFFICER)
class MarkPaid(Command):
    invoice_ids: list[InvoiceId] = INVOICES
    paid_on: date
