"""The visit and getting paid, through the rulebook: appointments, missed ones recorded
against the right party, the second no access sending the job back out, recalls and
follow-on work linked to the original, and invoices from completion to payment."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain.lifecycle import Rejected
from app.domain.models import JobStatus, OfferStatus, PhotoStage
from app.domain.records import Landlord
from tests.cast import OFFICER, RESIDENT
from tests.test_marketplace_rules import NOW, PEOPLE, TODAY, World, trade

ANN = PEOPLE["ann"]
AFTER = {"sha256": "af" * 32, "stage": PhotoStage.AFTER.value}


def awarded(w: World, key: str = "job-1", pence: int = 15_000) -> World:
    w.posted(key=key)
    w.offer("ann", key=key, pence=pence)
    w.do(OFFICER, "award", job_id=key, offer_id=f"{key}-ann")
    return w


def at(hours: float) -> str:
    return (NOW + timedelta(hours=hours)).isoformat()


def test_an_appointment_is_proposed_confirmed_and_the_resident_sees_who_is_coming():
    w = awarded(World())
    assert w.refused(PEOPLE["ben"], "propose_appointment", job_id="job-1", at=at(24)).code in (
        "taken", "not_found",
    )  # fmt: skip
    assert "from now to 60 days" in w.refused(ANN, "propose_appointment", job_id="job-1",
                                              at=at(-1)).message  # fmt: skip
    w.do(ANN, "propose_appointment", job_id="job-1", at=at(26))
    refused = w.refused(RESIDENT, "answer_appointment", job_id="job-1", confirm=False)
    assert "Say which days and times suit you" in refused.message
    w.do(RESIDENT, "answer_appointment", job_id="job-1", confirm=False, note="Mornings only")
    job = w.job()
    assert (job.appointment_status, job.appointment_note) == ("change_asked", "Mornings only")
    w.do(ANN, "propose_appointment", job_id="job-1", at=at(48))
    w.do(RESIDENT, "answer_appointment", job_id="job-1", confirm=True)
    assert w.job().appointment_status == "confirmed"
    w.now = NOW + timedelta(hours=47)
    w.do(ANN, "on_my_way", job_id="job-1", minutes=20)
    assert w.job().arrive_by == w.now + timedelta(minutes=20)


def test_a_missed_appointment_is_recorded_against_whoever_missed_it():
    w = awarded(World())
    w.do(ANN, "propose_appointment", job_id="job-1", at=at(24))
    w.do(RESIDENT, "answer_appointment", job_id="job-1", confirm=True)
    assert w.refused(RESIDENT, "report_missed", job_id="job-1").code == "wrong_state"  # not yet
    w.now = NOW + timedelta(hours=26)
    w.do(RESIDENT, "report_missed", job_id="job-1")
    job = w.job()
    assert [m["by"] for m in job.missed] == ["tradesperson"] and "nobody came" in job.flag
    w.do(ANN, "propose_appointment", job_id="job-1", at=at(50))
    w.do(RESIDENT, "answer_appointment", job_id="job-1", confirm=True)
    w.now = NOW + timedelta(hours=50)
    w.do(ANN, "record_no_access", job_id="job-1", note="Card left", visit_id="v1")
    assert [m["by"] for m in w.job().missed] == ["tradesperson", "resident"]


def test_the_second_no_access_sends_the_job_back_out_and_tells_the_officer():
    w = awarded(World())
    w.do(ANN, "record_no_access", job_id="job-1", note="Nobody in", visit_id="v1")
    assert w.job().status is JobStatus.NO_ACCESS
    w.now = NOW + timedelta(days=2)
    w.do(ANN, "record_no_access", job_id="job-1", note="Nobody in again", visit_id="v2")
    job = w.job()
    assert (job.status, job.awarded_to) == (JobStatus.POSTED, None)
    assert job.flag.startswith("Second no access")
    assert w.repo.get("offers", "job-1-ann").status is OfferStatus.WITHDRAWN
    w.offer("ben", days=3)  # back on the board for others


def test_not_fixed_within_30_days_opens_a_recall_linked_to_the_original():
    w = awarded(World())
    w.do(ANN, "start_visit", job_id="job-1", visit_id="v1")
    w.do(ANN, "complete_job", job_id="job-1", photos=[AFTER])
    w.now = NOW + timedelta(days=10)
    w.do(RESIDENT, "report_not_fixed", job_id="job-1", new_job_id="recall-1",
         description="Still dripping")  # fmt: skip
    recall = w.job("recall-1")
    assert (recall.parent_id, recall.status, recall.awarded_to) == (
        "job-1",
        JobStatus.REPORTED,
        None,
    )
    assert recall.title == "Not fixed: Leaking tap" and recall.resident_id == RESIDENT.id
    w.now = NOW + timedelta(days=31)
    refused = w.refused(RESIDENT, "report_not_fixed", job_id="job-1", new_job_id="recall-2",
                        description="Again")  # fmt: skip
    assert refused.code == "too_late"


def test_follow_on_work_is_a_new_job_linked_to_the_visit_that_found_it():
    w = awarded(World())
    w.do(ANN, "raise_follow_on", job_id="job-1", new_job_id="more", trade="plastering",
         title="Ceiling needs replastering")  # fmt: skip
    more = w.job("more")
    assert (more.follow_on_of, more.parent_id, more.status) == ("job-1", None, JobStatus.REPORTED)
    assert more.trade.value == "plastering" and more.home_id == w.job().home_id


def test_completion_raises_an_invoice_approved_disputed_and_paid():
    w = World(Landlord(id="landlord-1", name="Mill Homes", pay_days=30))
    awarded(w, pence=12_000)
    w.do(ANN, "start_visit", job_id="job-1", visit_id="v1")
    w.do(ANN, "request_extra", job_id="job-1", extra_id="x1", reason="Valve", price_pence=3_000,
         photos=[{"sha256": "ee" * 32, "stage": "extra"}])  # fmt: skip
    w.do(OFFICER, "decide_extra", extra_id="x1", approve=True)
    w.do(ANN, "complete_job", job_id="job-1", photos=[AFTER])
    invoice = w.repo.get("invoices", "invoice:job-1")
    assert (invoice.amount_pence, invoice.status) == (15_000, "submitted")
    refused = w.refused(OFFICER, "mark_paid", invoice_ids=[invoice.id], paid_on=TODAY.isoformat())
    assert refused.code == "not_approved"
    w.do(OFFICER, "dispute_invoice", invoice_id=invoice.id, reason="Extra not on site")
    assert w.repo.get("invoices", invoice.id).dispute_reason == "Extra not on site"
    w.do(OFFICER, "approve_invoices", invoice_ids=[invoice.id])
    w.now = NOW + timedelta(days=12)
    w.do(
        OFFICER,
        "mark_paid",
        invoice_ids=[invoice.id],
        paid_on=(TODAY + timedelta(days=12)).isoformat(),
    )
    paid = w.repo.get("invoices", invoice.id)
    assert paid.status == "paid" and (paid.paid_at - paid.submitted_at).days == 12


def test_invoices_are_approved_in_bulk_and_never_another_landlords():
    w = World()
    for key in ("a", "b"):
        awarded(w, key=key)
        w.do(ANN, "start_visit", job_id=key, visit_id=f"v-{key}")
        w.do(ANN, "complete_job", job_id=key, photos=[AFTER])
    w.do(OFFICER, "approve_invoices", invoice_ids=["invoice:a", "invoice:b"])
    assert {w.repo.get("invoices", f"invoice:{k}").status for k in "ab"} == {"approved"}
    stranger = OFFICER.model_copy(update={"id": "o2", "landlord_id": "landlord-2"})
    with pytest.raises(Rejected) as caught:
        w.do(stranger, "approve_invoices", invoice_ids=["invoice:a"])
    assert caught.value.code == "not_found"


def test_the_in_house_team_sends_no_invoice():
    w = World()
    w.repo.save(trade("ann", "Ann", kind="in_house"))
    awarded(w)
    w.do(ANN, "start_visit", job_id="job-1", visit_id="v1")
    w.do(ANN, "complete_job", job_id="job-1", photos=[AFTER])
    assert w.repo.get("invoices", "invoice:job-1") is None
