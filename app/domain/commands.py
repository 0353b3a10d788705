"""Commands: one model per action a person can take, with its name on the wire, its label
for people, who may take it, the records it refers to and creates, and its field limits.

Forms read their limits from here (`limit`), the server and the device validate with the
same models, and the protocol re-exports them for the wire."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from app.domain.lifecycle import Rejected
from app.domain.models import AwardMode, PhotoRef, Priority, Role, Trade

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


@command("post_job", "Post a job", OFFICER, refers=JOB)
class PostJob(Command):
    job_id: str = Id
    priority: Priority
    award_mode: AwardMode = AwardMode.OFFERS
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
