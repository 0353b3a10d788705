"""Extra work, end to end over real HTTP: asked for on the phone while offline, decided
on the officer's desktop, and seen by the resident."""

from __future__ import annotations

from datetime import date, timedelta

from app.domain.models import JobStatus, PhotoStage, Priority, Trade
from tests.integration.test_marketplace_loop import jpeg, signed_in


async def test_an_extra_asked_for_offline_is_decided_by_the_officer_and_seen_by_the_resident(
    tmp_path, server
):
    resident = await signed_in(tmp_path, server, "resident")
    officer = await signed_in(tmp_path, server, "officer")
    trade = await signed_in(tmp_path, server, "tradesperson")
    job_id = await resident.report_repair(Trade.PLUMBING, "Bath tap dripping")
    await resident.sync()
    await officer.sync()
    await officer.post_job(job_id, Priority.URGENT)
    await officer.sync()
    await trade.sync()
    offer = await trade.put_forward(job_id, 9_000, date.today() + timedelta(days=1))
    await trade.sync()
    await officer.sync()
    await officer.award(job_id, offer)
    await officer.sync()
    await trade.sync()

    # On site with no signal: start, find more work, ask for it. Nothing is sent yet.
    await trade.start_visit(job_id)
    photo = await trade.add_photo(jpeg("brown"), PhotoStage.EXTRA)
    extra_id = await trade.request_extra(job_id, "Valve seized as well", 6_000, [photo])
    assert (await trade.job(job_id)).status is JobStatus.VARIATION_PENDING
    assert trade.status().pending == 2
    await trade.sync()  # signal again
    assert trade.problems() == []

    await officer.sync()
    [extra] = await officer.extras(job_id)
    assert (extra.id, extra.status, extra.price_pence) == (extra_id, "pending", 6_000)
    await officer.decide_extra(extra_id, approve=True, reason="Agreed on the phone.")
    await officer.sync()

    await resident.sync()
    [seen] = await resident.extras(job_id)
    assert (seen.status, seen.decision_reason) == ("approved", "Agreed on the phone.")
    await trade.sync()
    assert (await trade.job(job_id)).status is JobStatus.IN_PROGRESS
    assert officer.problems() == [] and resident.problems() == []
    for c in (resident, officer, trade):
        await c.close()
