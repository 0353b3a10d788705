"""Getting paid and coming back, end to end over real HTTP: a job completed offline raises
an invoice; the officer disputes, then approves and marks it paid; the tradesperson sees
each step with its days. A second no access sends a job back out. The appointment is
proposed, confirmed and announced; a resident's "not fixed" opens a linked recall."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from app.domain.models import JobStatus, PhotoStage, Priority, Trade
from tests.integration.test_marketplace_loop import jpeg, signed_in


async def awarded_job(resident, officer, trade, title: str, price: int = 9_000) -> str:
    job_id = await resident.report_repair(Trade.PLUMBING, title)
    await resident.sync()
    await officer.sync()
    await officer.post_job(job_id, Priority.URGENT)
    await officer.sync()
    await trade.sync()
    offer = await trade.put_forward(job_id, price, date.today() + timedelta(days=1))
    await trade.sync()
    await officer.sync()
    await officer.award(job_id, offer)
    await officer.sync()
    await trade.sync()
    return job_id


async def test_an_invoice_from_a_job_completed_offline_is_disputed_approved_and_paid(
    tmp_path, server
):
    resident = await signed_in(tmp_path, server, "resident")
    officer = await signed_in(tmp_path, server, "officer")
    trade = await signed_in(tmp_path, server, "tradesperson")
    job_id = await awarded_job(resident, officer, trade, "Bath tap dripping", 9_000)

    await trade.start_visit(job_id)
    after = await trade.add_photo(jpeg("white"), PhotoStage.AFTER)
    await trade.complete_job(job_id, "New washer fitted.", [after])
    await trade.sync()
    await officer.sync()
    [mine] = [v for v in await officer.invoices() if v.payment.invoice.job_id == job_id]
    assert (mine.payment.invoice.amount_pence, mine.payment.status_words) == (9_000, "Submitted")
    assert mine.job_title == "Bath tap dripping" and mine.business_name
    invoice_id = mine.payment.invoice.id

    await officer.dispute_invoice(invoice_id, "Photos do not show the tap.")
    await officer.sync()
    await trade.sync()
    [seen] = [v for v in await trade.invoices() if v.payment.invoice.id == invoice_id]
    assert seen.payment.status_words == "Disputed"
    assert seen.payment.invoice.dispute_reason == "Photos do not show the tap."
    assert not seen.payment.past_target

    await officer.approve_invoices([invoice_id])
    await officer.mark_paid([invoice_id], date.today())
    await officer.sync()
    await trade.sync()
    [paid] = [v for v in await trade.invoices() if v.payment.invoice.id == invoice_id]
    assert paid.payment.status_words == "Paid"
    assert paid.payment.paid_on == date.today() and paid.payment.days == 0
    assert not paid.payment.past_target
    # another landlord's officer sees none of it
    other = await signed_in(tmp_path, server, "officer2")
    assert invoice_id not in {v.payment.invoice.id for v in await other.invoices()}
    assert all(c.problems() == [] for c in (resident, officer, trade, other))
    for c in (resident, officer, trade, other):
        await c.close()


async def test_second_no_access_sends_the_job_back_out_and_tells_the_officer(tmp_path, server):
    resident = await signed_in(tmp_path, server, "resident")
    officer = await signed_in(tmp_path, server, "officer")
    trade = await signed_in(tmp_path, server, "tradesperson")
    job_id = await awarded_job(resident, officer, trade, "Toilet will not flush")

    await trade.record_no_access(job_id, "Card left under the door.")
    await trade.sync()
    assert (await trade.job(job_id)).status is JobStatus.NO_ACCESS  # still theirs
    await trade.record_no_access(job_id, "Nobody in again.")
    await trade.sync()
    assert trade.problems() == []
    await officer.sync()
    job = await officer.job(job_id)
    assert job.status is JobStatus.POSTED and job.flag
    for c in (resident, officer, trade):
        await c.close()


async def test_appointment_on_my_way_and_a_recall_linked_to_the_original(tmp_path, server):
    resident = await signed_in(tmp_path, server, "resident")
    officer = await signed_in(tmp_path, server, "officer")
    trade = await signed_in(tmp_path, server, "tradesperson")
    job_id = await awarded_job(resident, officer, trade, "Kitchen tap loose")

    slot = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    await trade.propose_appointment(job_id, slot)
    await trade.sync()
    await resident.sync()
    assert (await resident.job(job_id)).appointment_status == "proposed"
    await resident.answer_appointment(job_id, confirm=True)
    await resident.sync()
    await trade.sync()
    assert (await trade.job(job_id)).appointment_status == "confirmed"
    await trade.on_my_way(job_id, 20)
    await trade.sync()
    await resident.sync()
    assert (await resident.job(job_id)).arrive_by is not None

    await trade.start_visit(job_id)
    after = await trade.add_photo(jpeg("grey"), PhotoStage.AFTER)
    await trade.complete_job(job_id, "Tightened and resealed.", [after])
    await trade.sync()
    await resident.sync()
    recall = await resident.report_not_fixed(job_id, "Still loose a day later.")
    await resident.sync()
    assert resident.problems() == []
    await officer.sync()
    linked = await officer.job(recall)
    assert linked.parent_id == job_id
    for c in (resident, officer, trade):
        await c.close()
