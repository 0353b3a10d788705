"""Each action's effect on the marketplace, over an in-memory `Repo`, together with the
eligibility and evidence rules the actions enforce."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.domain.actions import Context, apply
from app.domain.eligibility import eligibility_problem
from app.domain.evidence import check_completion, check_extra, check_no_access
from app.domain.lifecycle import Rejected
from app.domain.models import JobStatus, OfferStatus, PhotoRef, PhotoStage, Trade, User, Vetting
from app.domain.records import Job, Tradesperson
from app.domain.targets import damp_and_mould_timers
from tests.cast import HOME, OFFICER, PLUMBER, RESIDENT, MemoryRepo

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)  # Wednesday before Easter
TODAY = NOW.date()
JOB = "job-1"
NEIGHBOUR = RESIDENT.model_copy(update={"id": "resident-2", "name": "Ben Neighbour"})
RIVAL = PLUMBER.model_copy(update={"id": "plumber-2", "name": "Rae Rival"})


def profile(user: User, **changes) -> Tradesperson:
    fields = {
        "id": user.id,
        "name": user.name,
        "business_name": f"{user.name} Plumbing Ltd",
        "trades": [Trade.PLUMBING, Trade.GAS],
        "districts": ["M4"],
        "certificates": {"gas_safe": date(2027, 1, 31)},
        "insurance_expires": date(2026, 12, 31),
    }
    return Tradesperson(status=Vetting.APPROVED, **(fields | changes))


def photo(stage: PhotoStage, n: int = 1) -> dict:
    return {"sha256": f"{n:064x}", "stage": stage.value}


class Market:
    """One home, one resident, an officer and two plumbers, and a way to act as each."""

    def __init__(self) -> None:
        self.repo = MemoryRepo()
        for record in (HOME, profile(PLUMBER), profile(RIVAL)):
            self.repo.put(record)

    def do(self, user: User, name: str, now: datetime = NOW, **args) -> None:
        apply(self.repo, Context(user=user, now=now), name, args)

    def refused(self, user: User, name: str, **args) -> Rejected:
        before = self.snapshot()
        with pytest.raises(Rejected) as caught:
            self.do(user, name, **args)
        assert self.snapshot() == before, "a refused action must change nothing"
        return caught.value

    def snapshot(self) -> dict:
        return {name: dict(rows) for name, rows in self.repo.tables.items() if rows}

    @property
    def job(self) -> Job:
        return self.repo.tables["jobs"][JOB]

    def reported(self, **args) -> Market:
        args = {"trade": "plumbing", "title": "Leak under the kitchen sink"} | args
        self.do(RESIDENT, "report_repair", job_id=JOB, **args)
        return self

    def posted(self, **args) -> Market:
        self.reported()
        self.do(OFFICER, "post_job", job_id=JOB, **({"priority": "urgent"} | args))
        return self

    def fixed_price(self) -> Market:
        return self.posted(award_mode="first_to_accept", fixed_price_pence=12_000)

    def offered(self, *users: User) -> Market:
        self.posted()
        for user in users:
            self.do(
                user,
                "put_forward",
                offer_id=f"offer-{user.id}",
                job_id=JOB,
                price_pence=15_000,
                earliest_slot="2026-04-02",
            )
        return self

    def awarded(self) -> Market:
        self.fixed_price().do(PLUMBER, "accept_job", job_id=JOB)
        return self

    def started(self, *photos: dict) -> Market:
        self.awarded().do(PLUMBER, "start_visit", job_id=JOB, visit_id="visit-1", photos=photos)
        return self


@pytest.fixture
def market() -> Market:
    return Market()


# -- reporting and posting ------------------------------------------------------------


def test_a_resident_reports_a_repair_at_their_own_home(market):
    market.reported(location="Kitchen", photos=[photo(PhotoStage.REPORT)])
    job = market.job
    assert job.status is JobStatus.REPORTED
    assert (job.resident_id, job.resident_name) == (RESIDENT.id, RESIDENT.name)
    assert (job.district, job.street, job.flat) == ("M4", "12 Mill Lane", "Flat 3")
    assert job.reported_at == NOW
    assert job.photos == [photo(PhotoStage.REPORT)["sha256"]]


def test_only_residents_report_repairs(market):
    rejected = market.refused(OFFICER, "report_repair", job_id=JOB, trade="gas", title="Boiler")
    assert rejected.code == "not_allowed"


def test_the_same_report_sent_twice_is_refused(market):
    market.reported()
    rejected = market.refused(
        RESIDENT, "report_repair", job_id=JOB, trade="plumbing", title="Leak again"
    )
    assert rejected.code == "exists"


def test_a_title_too_short_is_explained_not_crashed_on(market):
    rejected = market.refused(RESIDENT, "report_repair", job_id=JOB, trade="gas", title="x")
    assert rejected.code == "invalid"
    assert rejected.message.startswith("Please check title:")


def test_an_action_this_version_does_not_know_asks_for_an_update(market):
    rejected = market.refused(RESIDENT, "teleport_plumber", job_id=JOB)
    assert rejected.code == "unknown_action"
    assert rejected.message == "This app is out of date. Please update it."


def test_posting_a_job_sets_its_priority_and_target(market):
    market.posted(priority="urgent")
    # Reported Wednesday 1 April: Thursday, then Tue 7 to Fri 10 after the Easter holidays.
    assert market.job.status is JobStatus.POSTED
    assert market.job.target_at == datetime(2026, 4, 10, 22, 59, 59, tzinfo=UTC)  # 23:59:59 BST


def test_a_first_to_accept_job_needs_a_fixed_price(market):
    market.reported()
    rejected = market.refused(
        OFFICER, "post_job", job_id=JOB, priority="routine", award_mode="first_to_accept"
    )
    assert rejected.code == "invalid"


def test_posting_a_damp_and_mould_report_as_routine_keeps_the_ten_day_investigation_deadline(
    market,
):
    market.reported(
        trade="damp_and_mould", title="Black mould on bedroom wall", damp_and_mould=True
    )
    market.do(OFFICER, "post_job", job_id=JOB, priority="routine")
    assert market.job.target_at <= damp_and_mould_timers(NOW).investigate_by


# -- offers, awards and acceptance --------------------------------------------------------


def test_an_eligible_tradesperson_puts_themselves_forward(market):
    market.offered(PLUMBER)
    offer = market.repo.tables["offers"][f"offer-{PLUMBER.id}"]
    assert offer.status is OfferStatus.OPEN
    assert offer.business_name == "Pat Pipe Plumbing Ltd"
    assert market.job.status is JobStatus.POSTED


def test_a_tradesperson_cannot_put_themselves_forward_twice(market):
    market.offered(PLUMBER)
    rejected = market.refused(
        PLUMBER,
        "put_forward",
        offer_id="offer-again",
        job_id=JOB,
        price_pence=14_000,
        earliest_slot="2026-04-02",
    )
    assert rejected.code == "already_offered"


def test_an_offer_cannot_promise_a_visit_in_the_past(market):
    market.posted()
    rejected = market.refused(
        PLUMBER, "put_forward", offer_id="o", job_id=JOB, price_pence=1, earliest_slot="2026-03-31"
    )
    assert rejected.message == "Your earliest visit can't be in the past."


def test_a_job_outside_the_tradespersons_areas_is_not_theirs_to_see_or_offer_on(market):
    market.repo.tables["tradespeople"][PLUMBER.id] = profile(PLUMBER, districts=["M1", "M2"])
    market.posted()
    rejected = market.refused(
        PLUMBER, "put_forward", offer_id="o", job_id=JOB, price_pence=1, earliest_slot="2026-04-02"
    )
    assert rejected.code == "not_found"
    assert rejected.message == "This job is no longer available to you."


def test_a_tradesperson_without_a_profile_sees_no_jobs_to_offer_on(market):
    del market.repo.tables["tradespeople"][PLUMBER.id]
    market.posted()
    rejected = market.refused(
        PLUMBER, "put_forward", offer_id="o", job_id=JOB, price_pence=1, earliest_slot="2026-04-02"
    )
    assert rejected.code == "not_found"


def test_awarding_an_offer_accepts_it_and_declines_the_others(market):
    market.offered(PLUMBER, RIVAL)
    market.do(OFFICER, "award", job_id=JOB, offer_id=f"offer-{PLUMBER.id}")
    assert market.job.status is JobStatus.AWARDED
    assert market.job.awarded_to == PLUMBER.id
    assert market.repo.tables["offers"][f"offer-{PLUMBER.id}"].status is OfferStatus.ACCEPTED
    assert market.repo.tables["offers"][f"offer-{RIVAL.id}"].status is OfferStatus.DECLINED


def test_a_withdrawn_offer_cannot_be_awarded(market):
    market.offered(PLUMBER)
    offer_id = f"offer-{PLUMBER.id}"
    withdrawn = market.repo.tables["offers"][offer_id].model_copy(
        update={"status": OfferStatus.WITHDRAWN}
    )
    market.repo.save(withdrawn)
    rejected = market.refused(OFFICER, "award", job_id=JOB, offer_id=offer_id)
    assert rejected.message == "This tradesperson has withdrawn their offer."


def test_awarding_a_job_that_was_already_awarded_says_so(market):
    market.offered(PLUMBER, RIVAL)
    market.do(OFFICER, "award", job_id=JOB, offer_id=f"offer-{PLUMBER.id}")
    rejected = market.refused(OFFICER, "award", job_id=JOB, offer_id=f"offer-{RIVAL.id}")
    assert rejected.message == "This job was awarded to another tradesperson."


def test_first_trade_to_accept_a_fixed_price_job_is_awarded_it(market):
    market.awarded()
    assert market.job.status is JobStatus.AWARDED
    assert market.job.awarded_to == PLUMBER.id


def test_second_trade_accepting_a_taken_job_is_told_it_was_awarded_to_another(market):
    market.awarded()
    rejected = market.refused(RIVAL, "accept_job", job_id=JOB)
    assert rejected.code == "taken"
    assert rejected.message == "This job was awarded to another tradesperson."


def test_a_tradesperson_with_lapsed_insurance_cannot_accept_even_first(market):
    market.repo.tables["tradespeople"][PLUMBER.id] = profile(
        PLUMBER, insurance_expires=date(2026, 3, 31)
    )
    market.fixed_price()
    rejected = market.refused(PLUMBER, "accept_job", job_id=JOB)
    assert rejected.code == "not_eligible"
    assert market.job.awarded_to is None


# -- visits ---------------------------------------------------------------------------


def test_starting_a_visit_moves_the_job_on_and_opens_a_visit(market):
    market.started(photo(PhotoStage.BEFORE))
    assert market.job.status is JobStatus.IN_PROGRESS
    assert market.job.started_at == NOW
    visit = market.repo.tables["visits"]["visit-1"]
    assert (visit.outcome, visit.photos) == ("in_progress", [photo(PhotoStage.BEFORE)["sha256"]])


def test_only_the_awarded_tradesperson_can_start(market):
    market.awarded()
    assert market.refused(RIVAL, "start_visit", job_id=JOB, visit_id="v").code == "taken"


def test_completion_needs_an_after_photo(market):
    market.started()
    rejected = market.refused(
        PLUMBER, "complete_job", job_id=JOB, photos=[photo(PhotoStage.BEFORE)]
    )
    assert rejected.code == "evidence"
    assert rejected.message == "Add at least one photo of the finished work before completing."


def test_completing_with_an_after_photo_closes_the_visit_and_keeps_the_photos(market):
    market.started(photo(PhotoStage.BEFORE, 1))
    after = photo(PhotoStage.AFTER, 2)
    later = NOW + timedelta(hours=2)
    market.do(PLUMBER, "complete_job", now=later, job_id=JOB, notes="New trap", photos=[after])
    assert market.job.status is JobStatus.COMPLETED
    assert market.job.completed_at == later
    assert after["sha256"] in market.job.photos
    visit = market.repo.tables["visits"]["visit-1"]
    assert visit.outcome == "completed"
    assert visit.notes == "New trap"
    assert visit.photos == [photo(PhotoStage.BEFORE, 1)["sha256"], after["sha256"]]


def test_only_the_awarded_tradesperson_can_complete(market):
    market.started()
    rejected = market.refused(RIVAL, "complete_job", job_id=JOB, photos=[photo(PhotoStage.AFTER)])
    assert rejected.code == "taken"


def test_no_completion_while_an_extra_awaits_approval(market):
    market.started()
    market.repo.save(market.job.model_copy(update={"status": JobStatus.VARIATION_PENDING}))
    rejected = market.refused(PLUMBER, "complete_job", job_id=JOB, photos=[photo(PhotoStage.AFTER)])
    assert rejected.code == "wrong_state"


def test_no_access_needs_a_calling_card_photo_or_a_note(market):
    market.awarded()
    rejected = market.refused(PLUMBER, "record_no_access", job_id=JOB, note="   ")
    assert rejected.code == "evidence"


def test_no_access_with_a_calling_card_photo_records_a_visit(market):
    market.awarded()
    card = photo(PhotoStage.NO_ACCESS)
    market.do(PLUMBER, "record_no_access", job_id=JOB, photos=[card])
    assert market.job.status is JobStatus.NO_ACCESS
    (visit,) = market.repo.tables["visits"].values()
    assert (visit.outcome, visit.photos) == ("no_access", [card["sha256"]])


def test_no_access_with_a_note_closes_the_open_visit_and_the_trade_can_come_back(market):
    market.started()
    market.do(PLUMBER, "record_no_access", job_id=JOB, note="Nobody answered; card left")
    visit = market.repo.tables["visits"]["visit-1"]
    assert (visit.outcome, visit.notes) == ("no_access", "Nobody answered; card left")
    market.do(PLUMBER, "start_visit", job_id=JOB, visit_id="visit-2")
    assert market.job.status is JobStatus.IN_PROGRESS


def test_no_access_after_starting_keeps_the_visits_before_photos(market):
    before = photo(PhotoStage.BEFORE, 1)
    market.started(before)
    market.do(PLUMBER, "record_no_access", job_id=JOB, note="Resident left for work")
    assert before["sha256"] in market.repo.tables["visits"]["visit-1"].photos


# -- rating and cancelling -----------------------------------------------------------


def test_the_resident_rates_a_completed_repair_once(market):
    market.started().do(PLUMBER, "complete_job", job_id=JOB, photos=[photo(PhotoStage.AFTER)])
    market.do(RESIDENT, "rate_job", job_id=JOB, speed=4, quality=5, review="Tidy work")
    assert (market.job.rating_speed, market.job.rating_quality) == (4, 5)
    again = market.refused(RESIDENT, "rate_job", job_id=JOB, speed=1, quality=1)
    assert again.code == "already_rated"


def test_a_repair_cannot_be_rated_before_it_is_completed(market):
    market.started()
    assert market.refused(RESIDENT, "rate_job", job_id=JOB, speed=5, quality=5).code == (
        "not_finished"
    )


def test_only_the_resident_who_reported_it_rates_a_repair(market):
    market.started().do(PLUMBER, "complete_job", job_id=JOB, photos=[photo(PhotoStage.AFTER)])
    assert market.refused(NEIGHBOUR, "rate_job", job_id=JOB, speed=5, quality=5).code == (
        "not_found"
    )


def test_resident_can_cancel_before_work_starts(market):
    market.awarded().do(RESIDENT, "cancel_job", job_id=JOB, reason="Fixed it myself")
    assert market.job.status is JobStatus.CANCELLED


def test_resident_cannot_cancel_once_work_has_started(market):
    market.started()
    assert market.refused(RESIDENT, "cancel_job", job_id=JOB).code == "started"


def test_acting_on_a_job_that_is_not_there_says_it_is_no_longer_available(market):
    rejected = market.refused(OFFICER, "cancel_job", job_id="job-gone")
    assert rejected.code == "not_found"
    assert rejected.message == "This job is no longer available to you."


# -- eligibility --------------------------------------------------------------------------


def gas_job(**changes) -> Job:
    fields = {
        "id": JOB,
        "landlord_id": "landlord-1",
        "home_id": HOME.id,
        "trade": Trade.GAS,
        "title": "Boiler not firing",
        "reported_at": NOW,
        "district": "M4",
    }
    return Job(**(fields | changes))


def test_an_insured_gas_safe_plumber_covering_the_district_is_eligible():
    assert eligibility_problem(profile(PLUMBER), gas_job(), TODAY) is None


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"trades": [Trade.PLUMBING]}, "Gas and heating is not one of your trades."),
        ({"districts": ["M1"]}, "M4 is outside the areas you cover."),
        ({"certificates": {}}, "This work needs a valid Gas Safe certificate."),
        (
            {"certificates": {"gas_safe": date(2026, 3, 31)}},
            "Your Gas Safe registration expired on 31 March 2026, so you can't take gas work. "
            "Upload your renewed certificate.",
        ),
        (
            {"insurance_expires": date(2026, 3, 31)},
            "Your public liability insurance has expired. Upload a current certificate.",
        ),
        (
            {"insurance_expires": None},
            "Your public liability insurance has expired. Upload a current certificate.",
        ),
    ],
    ids=[
        "trade",
        "district",
        "no-gas-safe",
        "gas-safe-expired",
        "insurance-expired",
        "no-insurance",
    ],
)
def test_an_ineligible_tradesperson_is_told_why(changes, problem):
    assert eligibility_problem(profile(PLUMBER, **changes), gas_job(), TODAY) == problem


def test_a_certificate_and_insurance_expiring_today_are_still_in_date():
    tp = profile(PLUMBER, certificates={"gas_safe": TODAY}, insurance_expires=TODAY)
    assert eligibility_problem(tp, gas_job(), TODAY) is None


def test_electrical_work_needs_a_registration_but_plumbing_needs_no_certificate():
    tp = profile(PLUMBER, trades=[Trade.ELECTRICAL, Trade.PLUMBING], certificates={})
    assert eligibility_problem(tp, gas_job(trade=Trade.ELECTRICAL), TODAY) == (
        "This work needs a valid NICEIC, NAPIT or ELECSA certificate."
    )
    assert eligibility_problem(tp, gas_job(trade=Trade.PLUMBING), TODAY) is None


# -- evidence ---------------------------------------------------------------------------


def ref(stage: PhotoStage) -> PhotoRef:
    return PhotoRef.model_validate(photo(stage))


def test_completion_evidence_is_an_after_photo_not_just_any_photo():
    check_completion([ref(PhotoStage.AFTER)])
    with pytest.raises(Rejected):
        check_completion([ref(PhotoStage.BEFORE), ref(PhotoStage.REPORT)])


def test_no_access_evidence_is_a_calling_card_photo_or_a_note():
    check_no_access([ref(PhotoStage.NO_ACCESS)], "")
    check_no_access([], "Knocked twice, card through the door")
    with pytest.raises(Rejected):
        check_no_access([ref(PhotoStage.AFTER)], "  ")


@pytest.mark.parametrize(
    ("reason", "price", "stages", "message"),
    [
        ("", 5000, [PhotoStage.EXTRA], "Say why the extra work is needed."),
        ("Rotten joist", 0, [PhotoStage.EXTRA], "Give a price for the extra work."),
        ("Rotten joist", 5000, [PhotoStage.AFTER], "Add a photo showing why the extra work is"),
    ],
)
def test_an_extra_carries_a_reason_a_price_and_photos(reason, price, stages, message):
    with pytest.raises(Rejected) as caught:
        check_extra(reason, price, [ref(s) for s in stages])
    assert caught.value.message.startswith(message)


def test_an_extra_with_a_reason_a_price_and_a_photo_is_accepted():
    check_extra("Rotten joist under the sink", 5000, [ref(PhotoStage.EXTRA)])


# -- extra work --------------------------------------------------------------------------


def extra_asked(market: Market) -> Market:
    market.started().do(
        PLUMBER,
        "request_extra",
        extra_id="extra-1",
        job_id=JOB,
        reason="The trap is cracked too",
        price_pence=4_500,
        photos=[photo(PhotoStage.EXTRA, 7)],
    )
    return market


def test_extra_work_holds_the_job_until_the_officer_decides(market):
    extra_asked(market)
    assert market.job.status is JobStatus.VARIATION_PENDING
    extra = market.repo.tables["extras"]["extra-1"]
    assert (extra.status, extra.price_pence, extra.resident_id) == ("pending", 4_500, RESIDENT.id)
    refused = market.refused(PLUMBER, "complete_job", job_id=JOB, photos=[photo(PhotoStage.AFTER)])
    assert "waiting for the housing officer's decision" in refused.message

    market.do(OFFICER, "decide_extra", extra_id="extra-1", approve=True)
    assert market.job.status is JobStatus.IN_PROGRESS
    assert market.repo.tables["extras"]["extra-1"].status == "approved"
    market.do(PLUMBER, "complete_job", job_id=JOB, photos=[photo(PhotoStage.AFTER)])
    assert market.job.status is JobStatus.COMPLETED


def test_extra_work_needs_a_reason_a_price_and_a_photo(market):
    market.started()
    base = {"extra_id": "x", "job_id": JOB, "reason": "Cracked trap", "price_pence": 100}
    assert market.refused(PLUMBER, "request_extra", **base).code == "evidence"
    refused = market.refused(PLUMBER, "request_extra", **(base | {"price_pence": 0}))
    assert refused.code == "invalid"


def test_refusing_extra_work_says_why_and_is_decided_once(market):
    extra_asked(market)
    no_reason = market.refused(OFFICER, "decide_extra", extra_id="extra-1", approve=False)
    assert "Say why" in no_reason.message
    market.do(OFFICER, "decide_extra", extra_id="extra-1", approve=False, reason="Not needed")
    assert market.repo.tables["extras"]["extra-1"].decision_reason == "Not needed"
    again = market.refused(OFFICER, "decide_extra", extra_id="extra-1", approve=True)
    assert (again.code, again.message) == ("decided", "This extra work was already refused.")


def test_only_the_awarded_tradesperson_asks_for_extra_work_and_only_officers_decide(market):
    extra_asked(market)
    args = {"extra_id": "x2", "job_id": JOB, "reason": "More", "price_pence": 100}
    assert market.refused(RIVAL, "request_extra", **args).code in ("taken", "not_found")
    decision = {"extra_id": "extra-1", "approve": True}
    assert market.refused(PLUMBER, "decide_extra", **decision).code == "not_allowed"
    assert market.refused(RESIDENT, "decide_extra", **decision).code == "not_allowed"


# -- changing and withdrawing an offer ---------------------------------------------------


def test_a_tradesperson_changes_their_open_offer_while_the_job_takes_offers(market):
    market.offered(PLUMBER)
    market.do(PLUMBER, "change_offer", offer_id=f"offer-{PLUMBER.id}", price_pence=12_000,
              earliest_slot="2026-04-03", note="Can come earlier if needed")  # fmt: skip
    offer = market.repo.tables["offers"][f"offer-{PLUMBER.id}"]
    assert (offer.price_pence, offer.earliest_slot.isoformat()) == (12_000, "2026-04-03")


def test_a_withdrawn_offer_leaves_room_to_put_forward_again(market):
    market.offered(PLUMBER)
    market.do(PLUMBER, "withdraw_offer", offer_id=f"offer-{PLUMBER.id}")
    assert market.repo.tables["offers"][f"offer-{PLUMBER.id}"].status is OfferStatus.WITHDRAWN
    refused = market.refused(PLUMBER, "change_offer", offer_id=f"offer-{PLUMBER.id}",
                             price_pence=1, earliest_slot="2026-04-03")  # fmt: skip
    assert refused.message == "This offer was withdrawn and can't change."
    market.do(PLUMBER, "put_forward", offer_id="again", job_id=JOB, price_pence=14_000,
              earliest_slot="2026-04-02")  # fmt: skip


def test_an_offer_cannot_change_once_the_job_is_awarded_or_by_anyone_else(market):
    market.offered(PLUMBER, RIVAL)
    assert market.refused(RIVAL, "withdraw_offer", offer_id=f"offer-{PLUMBER.id}").code == (
        "not_found"
    )
    market.do(OFFICER, "award", job_id=JOB, offer_id=f"offer-{RIVAL.id}")
    refused = market.refused(PLUMBER, "withdraw_offer", offer_id=f"offer-{PLUMBER.id}")
    assert refused.message == "This offer was declined and can't change."


# -- eligibility when work changes hands and begins -------------------------------------

LAPSES = date(2026, 4, 3)  # Pat's Gas Safe registration runs out on Friday
AFTER_IT_LAPSED = NOW + timedelta(days=3)


def gas_market(market: Market) -> Market:
    market.repo.put(profile(PLUMBER, certificates={"gas_safe": LAPSES}))
    market.reported(trade="gas", title="Boiler not firing")
    return market


def test_an_offer_made_under_a_valid_gas_safe_registration_cannot_be_awarded_after_it_expires(
    market,
):
    gas_market(market).do(OFFICER, "post_job", job_id=JOB, priority="routine")
    market.do(PLUMBER, "put_forward", offer_id="pat", job_id=JOB, price_pence=20_000,
              earliest_slot="2026-04-02")  # fmt: skip
    rejected = market.refused(OFFICER, "award", now=AFTER_IT_LAPSED, job_id=JOB, offer_id="pat")
    assert rejected.code == "not_eligible"
    assert rejected.message == (
        "Pat Pipe's Gas Safe registration expired on 3 April 2026, so they can't be awarded "
        "gas work."
    )
    market.do(OFFICER, "award", job_id=JOB, offer_id="pat")  # the day it was still in date


def test_a_gas_job_awarded_in_date_cannot_be_started_once_the_registration_expires(market):
    gas_market(market).do(OFFICER, "post_job", job_id=JOB, priority="routine",
                          award_mode="first_to_accept", fixed_price_pence=20_000)  # fmt: skip
    market.do(PLUMBER, "accept_job", job_id=JOB)
    rejected = market.refused(PLUMBER, "start_visit", now=AFTER_IT_LAPSED, job_id=JOB,
                              visit_id="v")  # fmt: skip
    assert rejected.code == "not_eligible"
    assert rejected.message == (
        "Your Gas Safe registration expired on 3 April 2026, so you can't take gas work. "
        "Upload your renewed certificate."
    )
    assert market.job.started_at is None


def test_a_fixed_price_gas_job_cannot_be_accepted_once_the_registration_expires(market):
    gas_market(market).do(OFFICER, "post_job", job_id=JOB, priority="routine",
                          award_mode="first_to_accept", fixed_price_pence=20_000)  # fmt: skip
    rejected = market.refused(PLUMBER, "accept_job", now=AFTER_IT_LAPSED, job_id=JOB)
    assert rejected.message.startswith("Your Gas Safe registration expired on 3 April 2026")


@pytest.mark.parametrize("scheme", ["niceic", "napit", "elecsa"])
def test_members_of_any_electrical_scheme_may_put_themselves_forward_for_electrical_work(
    market, scheme
):
    market.repo.put(profile(PLUMBER, trades=[Trade.ELECTRICAL],
                            certificates={scheme: date(2027, 1, 31)}))  # fmt: skip
    market.reported(trade="electrical", title="Socket sparking")
    market.do(OFFICER, "post_job", job_id=JOB, priority="urgent")
    market.do(PLUMBER, "put_forward", offer_id="o", job_id=JOB, price_pence=18_000,
              earliest_slot="2026-04-02")  # fmt: skip
    assert market.repo.tables["offers"]["o"].status is OfferStatus.OPEN


def test_an_electrician_whose_niceic_lapsed_but_napit_is_in_date_may_still_work():
    tp = profile(PLUMBER, trades=[Trade.ELECTRICAL],
                 certificates={"niceic": date(2026, 1, 1), "napit": date(2026, 9, 1)})  # fmt: skip
    assert eligibility_problem(tp, gas_job(trade=Trade.ELECTRICAL), TODAY) is None
    lapsed = tp.model_copy(update={"certificates": {"niceic": date(2026, 1, 1)}})
    assert eligibility_problem(lapsed, gas_job(trade=Trade.ELECTRICAL), TODAY) == (
        "Your NICEIC registration expired on 1 January 2026, so you can't take electrical "
        "work. Upload your renewed certificate."
    )
