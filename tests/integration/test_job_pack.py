"""The job pack: photos arrive on the devices of those who may see them, while online, so
the tradesperson has the resident's pictures with no signal and the officer and the
resident see the completion evidence; the home's alerts and the resident's contact
preference arrive on the awarded tradesperson's device only."""

from __future__ import annotations

import asyncio
import io
from datetime import date, timedelta

from PIL import Image

from app.client import Client
from app.domain.models import PhotoStage, Priority, Trade
from server_stub.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

ASBESTOS = "Asbestos survey: artex ceilings, do not drill"
DOG = "Dog on the premises"


def jpeg(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(out, "JPEG")
    return out.getvalue()


async def signed_in(tmp_path, server, role: str) -> Client:
    client = await Client.open(tmp_path / role, server.url)
    await client.login(DEMO_ACCOUNTS[role], DEMO_PASSWORD)
    await client.sync()
    return client


async def arrives(client: Client, sha: str) -> bool:
    """Whether the photo reaches the device after a round (fetched in the background)."""
    await client.sync()
    for _ in range(100):
        if sha in await client.thumbnails([sha]):
            return True
        await asyncio.sleep(0.05)
    return False


async def test_photos_reach_the_tradesperson_the_officer_and_the_resident(tmp_path, server):
    resident = await signed_in(tmp_path, server, "resident")
    officer = await signed_in(tmp_path, server, "officer")
    trade = await signed_in(tmp_path, server, "tradesperson")
    try:
        report = await resident.add_photo(jpeg("blue"), PhotoStage.REPORT)
        job_id = await resident.report_repair(Trade.PLUMBING, "Leak under the sink",
                                              photos=[report])  # fmt: skip
        await resident.sync()
        await officer.sync()
        await officer.post_job(job_id, Priority.URGENT)
        await officer.sync()
        await trade.sync()
        assert report.sha256 not in await trade.thumbnails([report.sha256]), "not theirs yet"
        offer = await trade.put_forward(job_id, 12_000, date.today() + timedelta(days=1))
        await trade.sync()
        await officer.sync()
        await officer.award(job_id, offer)
        await officer.sync()
        assert await arrives(trade, report.sha256), "in the job pack"

        after = await trade.add_photo(jpeg("green"), PhotoStage.AFTER)
        await trade.start_visit(job_id)
        await trade.complete_job(job_id, photos=[after])
        await trade.sync()
        assert await arrives(resident, after.sha256), "the after photo"
        await officer.sync()
        detail = await officer.job_detail(job_id)
        assert len(detail.thumbnails) == 2 and detail.photos_elsewhere == 0  # fetched on opening
    finally:
        await asyncio.gather(*(c.close() for c in (resident, officer, trade)))


async def test_alerts_and_contact_preference_reach_only_the_awarded_tradesperson(tmp_path, server):
    """The officer's alerts on the resident's home and the resident's contact preference
    travel with the job to the device of the tradesperson it is awarded to; another
    plumber who saw it on the board and offered gets neither."""
    resident = await signed_in(tmp_path, server, "resident")
    officer = await signed_in(tmp_path, server, "officer")
    trade = await signed_in(tmp_path, server, "tradesperson")
    rival = await Client.open(tmp_path / "rival", server.url)
    await rival.login("trade1@demo.test", DEMO_PASSWORD)  # a plumber covering the same area
    try:
        home_id = resident.user.home_id
        await officer.set_home_alerts(home_id, [ASBESTOS, "", DOG])  # blank lines left out
        await officer.sync()
        job_id = await resident.report_repair(
            Trade.PLUMBING, "Bath tap dripping", contact_preference="text", best_times="after 4pm"
        )
        await resident.sync()
        await officer.sync()
        await officer.post_job(job_id, Priority.URGENT)
        await officer.sync()
        slot = date.today() + timedelta(days=1)
        offers = {}
        for client in (trade, rival):
            await client.sync()
            board = await client.job(job_id)
            assert board is not None, "on the board"
            assert (board.property_alerts, board.contact_preference, board.best_times) == (
                [], "", ""
            )  # fmt: skip
            offers[client] = await client.put_forward(job_id, 11_000, slot)
            await client.sync()
        await officer.sync()
        await officer.award(job_id, offers[trade])
        await officer.sync()
        await trade.sync()
        await rival.sync()

        mine = await trade.job(job_id)
        assert mine.property_alerts == [ASBESTOS, DOG]
        assert (mine.contact_preference, mine.best_times) == ("text", "after 4pm")
        assert await rival.job(job_id) is None, "left their view when awarded to another"

        # The landlord learns something new: the open job's pack follows.
        await officer.set_home_alerts(home_id, [DOG])
        await officer.sync()
        await trade.sync()
        assert (await trade.job(job_id)).property_alerts == [DOG]
        assert officer.problems() == [] and trade.problems() == [] and rival.problems() == []
    finally:
        await asyncio.gather(*(c.close() for c in (resident, officer, trade, rival)))
