"""A repair's photos by when they were taken, as each person's device sees them over real
HTTP: the resident's own report photo, and the tradesperson's before and after photos
(the resident sees no visits, so only the after photos reach them)."""

from __future__ import annotations

from app.domain.models import PhotoStage, Trade
from tests.integration.test_getting_paid import awarded_job
from tests.integration.test_marketplace_loop import jpeg, signed_in


async def test_photos_are_grouped_by_stage_for_the_resident_and_the_officer(tmp_path, server):
    resident = await signed_in(tmp_path, server, "resident")
    officer = await signed_in(tmp_path, server, "officer")
    trade = await signed_in(tmp_path, server, "tradesperson")
    job_id = await awarded_job(resident, officer, trade, "Sink trap leaking")
    mine = await resident.add_photo(jpeg("blue"), PhotoStage.REPORT)
    second_job = await resident.report_repair(Trade.PLUMBING, "Second leak", photos=[mine])

    before = await trade.add_photo(jpeg("red"), PhotoStage.BEFORE)
    await trade.start_visit(job_id, [before])
    after = await trade.add_photo(jpeg("white"), PhotoStage.AFTER)
    await trade.complete_job(job_id, "New trap fitted.", [after])
    await trade.sync()
    for c in (resident, officer):
        await c.sync()
        await c.job_detail(job_id)  # fetches the photos the device lacks

    assert set(await resident.job_photos_by_stage(job_id)) == {"after"}
    assert set(await resident.job_photos_by_stage(second_job)) == {"report"}
    groups = await officer.job_photos_by_stage(job_id)
    assert set(groups) == {"before", "after"}
    assert all(len(thumbs) == 1 for thumbs in groups.values())
    assert await resident.job_photos_by_stage("no-such-job") == {}
    for c in (resident, officer, trade):
        await c.close()
