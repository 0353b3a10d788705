"""One repair travels the whole marketplace, through real HTTP on loopback, with one
client per role, each with its own data folder."""

from __future__ import annotations

import io
from datetime import date, timedelta

from PIL import Image

from app.client import Client
from app.domain.models import JobStatus, OfferStatus, PhotoStage, Priority, Trade
from server_stub.demo import DEMO_ACCOUNTS, DEMO_PASSWORD


def jpeg(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(out, "JPEG")
    return out.getvalue()


async def signed_in(tmp_path, server, role: str) -> Client:
    client = await Client.open(tmp_path / role, server.url)
    await client.login(DEMO_ACCOUNTS[role], DEMO_PASSWORD)
    await client.sync()
    return client


async def test_a_reported_leak_is_posted_offered_awarded_completed_and_rated(tmp_path, server):
    resident = await signed_in(tmp_path, server, "resident")
    officer = await signed_in(tmp_path, server, "officer")
    trade = await signed_in(tmp_path, server, "tradesperson")

    job_id = await resident.report_repair(
        Trade.PLUMBING,
        "Leak under the kitchen sink",
        location="Kitchen",
        photos=[await resident.add_photo(jpeg("blue"), PhotoStage.REPORT)],
    )
    assert (await resident.job(job_id)).pending
    assert resident.status().pending == 1
    await resident.sync()
    assert resident.status().pending == 0
    assert not (await resident.job(job_id)).pending

    await officer.sync()
    assert job_id in {j.id for j in await officer.triage_queue()}
    await officer.post_job(job_id, Priority.URGENT)
    await officer.sync()

    await trade.sync()
    on_board = {j.id: j for j in await trade.job_board()}
    assert job_id in on_board
    assert on_board[job_id].resident_name is None and on_board[job_id].flat is None
    offer_id = await trade.put_forward(job_id, 12_500, date.today() + timedelta(days=1))
    await trade.sync()

    await officer.sync()
    offers = await officer.offers_for(job_id)
    assert offer_id in {o.id for o in offers}
    await officer.award(job_id, offer_id)
    await officer.sync()

    await trade.sync()
    mine = {j.id: j for j in await trade.my_jobs()}
    assert mine[job_id].resident_name  # the resident's details arrive once the job is theirs
    await trade.start_visit(job_id)
    after = await trade.add_photo(jpeg("white"), PhotoStage.AFTER)
    await trade.complete_job(job_id, "Replaced the trap and seal.", [after])
    kept = {j.id: j for j in await trade.my_jobs()}[job_id]  # still shown until it is sent
    assert kept.status is JobStatus.COMPLETED and kept.pending
    assert (await trade.photo_states())[after.sha256][0] == "waiting"
    report = await trade.sync()
    assert (await trade.photo_states())[after.sha256][0] == "uploaded"
    assert report.uploaded == 1 and report.rejected == 0
    assert job_id not in {j.id for j in await trade.my_jobs()}

    await resident.sync()
    done = await resident.job(job_id)
    assert done.status is JobStatus.COMPLETED
    await resident.rate_job(job_id, speed=5, quality=4, review="Quick and tidy.")
    await resident.sync()

    await officer.sync()
    final = await officer.job(job_id)
    assert final.status is JobStatus.COMPLETED and final.rating_quality == 4
    assert {o.id: o.status for o in await officer.offers_for(job_id)}[offer_id] is (
        OfferStatus.ACCEPTED
    )
    assert (server.root / "blobs" / after.sha256[:2] / after.sha256).exists()
    for c in (resident, officer, trade):
        assert c.problems() == []
        await c.close()
