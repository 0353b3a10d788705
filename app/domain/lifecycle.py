"""The one job state machine. The client runs it for its optimistic update and the
server for the authoritative one, so both refuse the same things with the same words."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from app.domain.models import AwardMode, JobStatus, Role

if TYPE_CHECKING:
    from app.domain.records import Job

S = JobStatus


class Rejected(Exception):  # noqa: N818 - a rejection is an answer, not a crash
    """An action the rules refuse: a stable code and a sentence for the user."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Action(StrEnum):
    TRIAGE = "triage"
    POST = "post"
    AWARD = "award"
    CHOOSE = "choose"  # the resident picks from the officer's shortlist
    WITHDRAW_AWARD = "withdraw_award"
    ACCEPT = "accept"
    START = "start"
    COMPLETE = "complete"
    NO_ACCESS = "no_access"
    HAND_BACK = "hand_back"  # the second no access: the job goes back on the board
    REQUEST_EXTRA = "request_extra"
    DECIDE_EXTRA = "decide_extra"
    HOLD = "hold"
    REOPEN = "reopen"  # off hold, back where it was
    CLOSE = "close"
    CANCEL = "cancel"
    MARK_DUPLICATE = "mark_duplicate"


@dataclass(frozen=True)
class Actor:
    user_id: str
    role: Role


@dataclass(frozen=True)
class Rule:
    sources: frozenset[JobStatus]
    target: JobStatus
    roles: frozenset[Role]


def _rule(sources: set[JobStatus], target: JobStatus, *roles: Role) -> Rule:
    return Rule(frozenset(sources), target, frozenset(roles))


OFFICER, TRADE, RESIDENT = Role.OFFICER, Role.TRADESPERSON, Role.RESIDENT
NOT_STARTED = {S.REPORTED, S.TRIAGED, S.POSTED, S.AWARDED, S.SCHEDULED, S.NO_ACCESS, S.ON_HOLD}
FINISHED = {S.COMPLETED, S.CLOSED, S.CANCELLED, S.DUPLICATE}

RULES: dict[Action, Rule] = {
    Action.TRIAGE: _rule({S.REPORTED, S.TRIAGED}, S.TRIAGED, OFFICER),
    Action.POST: _rule({S.REPORTED, S.TRIAGED}, S.POSTED, OFFICER),
    Action.AWARD: _rule({S.REPORTED, S.TRIAGED, S.POSTED}, S.AWARDED, OFFICER),
    Action.CHOOSE: _rule({S.POSTED}, S.AWARDED, RESIDENT),
    Action.WITHDRAW_AWARD: _rule({S.AWARDED, S.SCHEDULED, S.NO_ACCESS}, S.POSTED, OFFICER),
    Action.ACCEPT: _rule({S.POSTED}, S.AWARDED, TRADE),
    Action.START: _rule({S.AWARDED, S.SCHEDULED, S.NO_ACCESS}, S.IN_PROGRESS, TRADE),
    Action.COMPLETE: _rule({S.IN_PROGRESS}, S.COMPLETED, TRADE),
    Action.NO_ACCESS: _rule({S.AWARDED, S.SCHEDULED, S.IN_PROGRESS}, S.NO_ACCESS, TRADE),
    Action.HAND_BACK: _rule({S.AWARDED, S.SCHEDULED, S.IN_PROGRESS, S.NO_ACCESS}, S.POSTED, TRADE),
    Action.REQUEST_EXTRA: _rule({S.IN_PROGRESS}, S.VARIATION_PENDING, TRADE),
    Action.DECIDE_EXTRA: _rule({S.VARIATION_PENDING}, S.IN_PROGRESS, OFFICER),
    Action.HOLD: _rule(NOT_STARTED - {S.ON_HOLD} | {S.IN_PROGRESS}, S.ON_HOLD, OFFICER),
    # Off hold: the handler puts the job back where it was held from (`Job.held_from`).
    Action.REOPEN: _rule({S.ON_HOLD}, S.ON_HOLD, OFFICER),
    Action.CLOSE: _rule({S.COMPLETED}, S.CLOSED, OFFICER),
    Action.CANCEL: _rule(set(S) - FINISHED, S.CANCELLED, OFFICER, RESIDENT),
    Action.MARK_DUPLICATE: _rule({S.REPORTED, S.TRIAGED}, S.DUPLICATE, OFFICER),
}

# What a user reads when a job has already moved on: said from where the job now is.
_MOVED_ON = {
    S.AWARDED: "This job was awarded to another tradesperson.",
    S.COMPLETED: "This job has already been completed.",
    S.CLOSED: "This job is closed.",
    S.CANCELLED: "This job was cancelled.",
    S.DUPLICATE: "This job was marked as a duplicate of another report.",
    S.ON_HOLD: "This job is on hold.",
    S.VARIATION_PENDING: (
        "Extra work is waiting for the housing officer's decision: finish the job once it "
        "is decided."
    ),
}


def moved_on(job: Job) -> str:
    """What a person reads when `job` has moved on from where they last saw it."""
    if job.awarded_to:
        return "This job was awarded to another tradesperson."
    return _MOVED_ON.get(job.status, f"This job is now {job.status.label.lower()}.")


def allowed(job: Job, action: Action, actor: Actor) -> bool:
    """Whether `actor` may take `action` on `job` now: screens offer only what is allowed."""
    try:
        decide(job, action, actor)
    except Rejected:
        return False
    return True


def decide(job: Job, action: Action, actor: Actor) -> JobStatus:
    """The status `job` moves to when `actor` takes `action`, or `Rejected` saying why not."""
    rule = RULES[action]
    if actor.role not in rule.roles:
        raise Rejected("not_allowed", f"Only {who(rule.roles)} can do this.")
    _check_party(job, action, actor)
    if job.status not in rule.sources:
        taken = job.awarded_to not in (None, actor.user_id) and actor.role is TRADE
        if taken:
            raise Rejected("taken", "This job was awarded to another tradesperson.")
        message = _MOVED_ON.get(job.status, f"This job is now {job.status.label.lower()}.")
        raise Rejected("wrong_state", message)
    if action is Action.ACCEPT and job.award_mode is not AwardMode.FIRST_TO_ACCEPT:
        raise Rejected("wrong_mode", "This job takes offers: put yourself forward instead.")
    if action is Action.CANCEL and actor.role is RESIDENT and job.started_at is not None:
        raise Rejected(
            "started", "Work has started, so only your housing officer can cancel this repair."
        )
    return rule.target


def can_put_forward(job: Job, actor: Actor) -> None:
    """Putting yourself forward does not move the job, but the job must still be open."""
    if actor.role is not TRADE:
        raise Rejected("not_allowed", "Only tradespeople can put themselves forward.")
    if job.status is not S.POSTED:
        if job.awarded_to and job.awarded_to != actor.user_id:
            raise Rejected("taken", "This job was awarded to another tradesperson.")
        raise Rejected("closed", _MOVED_ON.get(job.status, "This job is no longer open."))
    if job.award_mode is AwardMode.FIRST_TO_ACCEPT:
        raise Rejected("wrong_mode", "This job has a fixed price: accept it instead.")


def _check_party(job: Job, action: Action, actor: Actor) -> None:
    own_work = {
        Action.START,
        Action.COMPLETE,
        Action.NO_ACCESS,
        Action.HAND_BACK,
        Action.REQUEST_EXTRA,
    }
    if action in own_work and job.awarded_to != actor.user_id:
        if job.awarded_to is None:
            raise Rejected("not_awarded", "This job has not been awarded to you yet.")
        raise Rejected("taken", "This job was awarded to another tradesperson.")
    if actor.role is RESIDENT and job.resident_id != actor.user_id:
        raise Rejected("not_yours", "You can only change repairs you reported.")


def who(roles: frozenset[Role]) -> str:
    names = {OFFICER: "housing officers", TRADE: "tradespeople", RESIDENT: "residents"}
    return " or ".join(sorted(names[r] for r in roles))
