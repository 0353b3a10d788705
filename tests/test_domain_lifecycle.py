"""The one job state machine: who may move a job, from where, and what they are told
when the job has moved on without them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.domain.lifecycle import Action, Actor, Rejected, can_put_forward, decide
from app.domain.models import AwardMode, JobStatus, Role, Trade
from app.domain.records import Job

S = JobStatus
OFFICER = Actor("officer-1", Role.OFFICER)
RESIDENT = Actor("resident-1", Role.RESIDENT)
NEIGHBOUR = Actor("resident-2", Role.RESIDENT)
PLUMBER = Actor("plumber-1", Role.TRADESPERSON)
RIVAL = Actor("plumber-2", Role.TRADESPERSON)


def job(status: JobStatus = S.REPORTED, **changes) -> Job:
    return Job(
        id="job-1",
        landlord_id="landlord-1",
        home_id="home-1",
        trade=Trade.PLUMBING,
        title="Leak under the kitchen sink",
        reported_at=datetime(2026, 4, 1, 9, 0, tzinfo=UTC),
        resident_id=RESIDENT.user_id,
        status=status,
        **changes,
    )


def awarded(status: JobStatus, **changes) -> Job:
    return job(status, awarded_to=PLUMBER.user_id, **changes)


def refusal(job: Job, action: Action, actor: Actor) -> Rejected:
    with pytest.raises(Rejected) as caught:
        decide(job, action, actor)
    return caught.value


def test_a_repair_travels_from_report_to_closed():
    steps = [
        (job(S.REPORTED), Action.TRIAGE, OFFICER, S.TRIAGED),
        (job(S.TRIAGED), Action.POST, OFFICER, S.POSTED),
        (job(S.POSTED), Action.AWARD, OFFICER, S.AWARDED),
        (awarded(S.AWARDED), Action.START, PLUMBER, S.IN_PROGRESS),
        (awarded(S.IN_PROGRESS), Action.COMPLETE, PLUMBER, S.COMPLETED),
        (awarded(S.COMPLETED), Action.CLOSE, OFFICER, S.CLOSED),
    ]
    for before, action, actor, after in steps:
        assert decide(before, action, actor) is after


def test_the_first_trade_to_accept_a_fixed_price_job_is_awarded_it():
    fixed = job(S.POSTED, award_mode=AwardMode.FIRST_TO_ACCEPT, fixed_price_pence=9000)
    assert decide(fixed, Action.ACCEPT, PLUMBER) is S.AWARDED


def test_a_job_taking_offers_cannot_simply_be_accepted():
    rejected = refusal(job(S.POSTED), Action.ACCEPT, PLUMBER)
    assert rejected.code == "wrong_mode"
    assert rejected.message == "This job takes offers: put yourself forward instead."


def test_second_trade_accepting_a_taken_job_is_told_it_was_awarded_to_another():
    taken = awarded(S.AWARDED, award_mode=AwardMode.FIRST_TO_ACCEPT, fixed_price_pence=9000)
    rejected = refusal(taken, Action.ACCEPT, RIVAL)
    assert rejected.code == "taken"
    assert rejected.message == "This job was awarded to another tradesperson."


@pytest.mark.parametrize("action", [Action.START, Action.NO_ACCESS, Action.REQUEST_EXTRA])
def test_only_the_awarded_tradesperson_can_start_record_no_access_or_ask_for_extras(action):
    in_progress = awarded(S.IN_PROGRESS)
    rejected = refusal(in_progress, action, RIVAL)
    assert rejected.code == "taken"
    assert rejected.message == "This job was awarded to another tradesperson."


def test_only_the_awarded_tradesperson_can_complete():
    assert decide(awarded(S.IN_PROGRESS), Action.COMPLETE, PLUMBER) is S.COMPLETED
    assert refusal(awarded(S.IN_PROGRESS), Action.COMPLETE, RIVAL).code == "taken"


def test_nobody_can_start_a_job_that_has_not_been_awarded():
    rejected = refusal(job(S.POSTED), Action.START, PLUMBER)
    assert rejected.code == "not_awarded"
    assert rejected.message == "This job has not been awarded to you yet."


def test_no_completion_while_an_extra_awaits_approval():
    rejected = refusal(awarded(S.VARIATION_PENDING), Action.COMPLETE, PLUMBER)
    assert rejected.code == "wrong_state"
    assert "waiting for the housing officer's decision" in rejected.message


def test_once_the_officer_decides_the_extra_the_tradesperson_can_complete():
    assert decide(awarded(S.IN_PROGRESS), Action.REQUEST_EXTRA, PLUMBER) is S.VARIATION_PENDING
    assert decide(awarded(S.VARIATION_PENDING), Action.DECIDE_EXTRA, OFFICER) is S.IN_PROGRESS


def test_a_tradesperson_cannot_approve_their_own_extra():
    rejected = refusal(awarded(S.VARIATION_PENDING), Action.DECIDE_EXTRA, PLUMBER)
    assert rejected.code == "not_allowed"
    assert rejected.message == "Only housing officers can do this."


def test_resident_can_cancel_their_repair_before_work_starts():
    assert decide(awarded(S.SCHEDULED), Action.CANCEL, RESIDENT) is S.CANCELLED


def test_resident_cannot_cancel_once_work_has_started():
    started = awarded(S.IN_PROGRESS, started_at=datetime(2026, 4, 7, 9, 0, tzinfo=UTC))
    rejected = refusal(started, Action.CANCEL, RESIDENT)
    assert rejected.code == "started"
    assert rejected.message == (
        "Work has started, so only your housing officer can cancel this repair."
    )


def test_officer_can_cancel_after_work_has_started():
    assert decide(awarded(S.IN_PROGRESS), Action.CANCEL, OFFICER) is S.CANCELLED


@pytest.mark.parametrize("status", [S.VARIATION_PENDING, S.ON_HOLD, S.NO_ACCESS])
def test_resident_cannot_cancel_a_started_job_that_has_paused(status):
    started = awarded(status, started_at=datetime(2026, 4, 7, 9, 0, tzinfo=UTC))
    assert refusal(started, Action.CANCEL, RESIDENT).code == "started"


def test_a_resident_can_only_cancel_repairs_they_reported():
    rejected = refusal(job(S.REPORTED), Action.CANCEL, NEIGHBOUR)
    assert rejected.code == "not_yours"
    assert rejected.message == "You can only change repairs you reported."


def test_a_tradesperson_cannot_cancel_a_repair():
    rejected = refusal(awarded(S.AWARDED), Action.CANCEL, PLUMBER)
    assert rejected.code == "not_allowed"
    assert rejected.message == "Only housing officers or residents can do this."


@pytest.mark.parametrize("action", [Action.TRIAGE, Action.POST, Action.AWARD, Action.CLOSE])
def test_only_housing_officers_run_the_queue(action):
    rejected = refusal(job(S.REPORTED), action, RESIDENT)
    assert rejected.code == "not_allowed"
    assert rejected.message == "Only housing officers can do this."


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (S.COMPLETED, "This job has already been completed."),
        (S.CLOSED, "This job is closed."),
        (S.CANCELLED, "This job was cancelled."),
        (S.DUPLICATE, "This job was marked as a duplicate of another report."),
    ],
)
def test_a_finished_job_cannot_be_cancelled_and_says_why(status, message):
    rejected = refusal(job(status), Action.CANCEL, OFFICER)
    assert rejected.code == "wrong_state"
    assert rejected.message == message


def test_a_job_can_only_be_closed_once_completed():
    rejected = refusal(awarded(S.IN_PROGRESS), Action.CLOSE, OFFICER)
    assert rejected.code == "wrong_state"
    assert rejected.message == "This job is now work started."


def test_a_duplicate_is_spotted_before_the_job_is_posted():
    assert decide(job(S.TRIAGED), Action.MARK_DUPLICATE, OFFICER) is S.DUPLICATE
    assert refusal(job(S.POSTED), Action.MARK_DUPLICATE, OFFICER).code == "wrong_state"


def test_a_job_on_hold_cannot_be_started_until_released():
    rejected = refusal(awarded(S.ON_HOLD), Action.START, PLUMBER)
    assert rejected.code == "wrong_state"
    assert rejected.message == "This job is on hold."


def test_after_no_access_the_tradesperson_can_come_back_and_start():
    assert decide(awarded(S.NO_ACCESS), Action.START, PLUMBER) is S.IN_PROGRESS


def test_work_in_progress_can_be_put_on_hold_by_an_officer():
    assert decide(awarded(S.IN_PROGRESS), Action.HOLD, OFFICER) is S.ON_HOLD


def test_a_tradesperson_can_put_themselves_forward_for_an_open_job():
    can_put_forward(job(S.POSTED), PLUMBER)


def test_putting_yourself_forward_for_a_job_awarded_to_another_is_refused():
    with pytest.raises(Rejected) as caught:
        can_put_forward(awarded(S.AWARDED), RIVAL)
    assert caught.value.code == "taken"
    assert caught.value.message == "This job was awarded to another tradesperson."


def test_putting_yourself_forward_for_a_cancelled_job_says_it_was_cancelled():
    with pytest.raises(Rejected) as caught:
        can_put_forward(job(S.CANCELLED), PLUMBER)
    assert caught.value.code == "closed"
    assert caught.value.message == "This job was cancelled."


def test_a_fixed_price_job_is_accepted_not_offered_for():
    fixed = job(S.POSTED, award_mode=AwardMode.FIRST_TO_ACCEPT, fixed_price_pence=9000)
    with pytest.raises(Rejected) as caught:
        can_put_forward(fixed, PLUMBER)
    assert caught.value.code == "wrong_mode"


def test_only_tradespeople_put_themselves_forward():
    with pytest.raises(Rejected) as caught:
        can_put_forward(job(S.POSTED), OFFICER)
    assert caught.value.code == "not_allowed"
