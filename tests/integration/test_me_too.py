"""'Me too' over real HTTP: a resident reports a broken stairwell light through the guided
questions (suggested priority, shared area); their neighbour in the same block sees that
it is reported, with nothing of who, and says "me too" offline, then follows it; a
resident of another block and another landlord's resident never see it; the officer sees
the suggestion and two residents, and sets the real priority."""

from __future__ import annotations

import pytest

from app.client import Client
from app.domain.lifecycle import Rejected
from app.domain.models import JobStatus, PhotoStage, Priority, Trade
from server_stub.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, NEIGHBOUR
from tests.integration.test_marketplace_loop import jpeg


async def person(tmp_path, server, email: str) -> Client:
    client = await Client.open(tmp_path / email, server.url)
    await client.login(email, DEMO_PASSWORD)
    await client.sync()
    return client


async def test_a_neighbour_says_me_too_and_only_their_block_sees_the_report(tmp_path, server):
    resident = await person(tmp_path, server, DEMO_ACCOUNTS["resident"])
    neighbour = await person(tmp_path, server, NEIGHBOUR)
    other_block = await person(tmp_path, server, "resident1@demo.test")
    other_landlord = await person(tmp_path, server, "lvresident@demo.test")
    officer = await person(tmp_path, server, DEMO_ACCOUNTS["officer"])
    everyone = (resident, neighbour, other_block, other_landlord, officer)

    photo = await resident.add_photo(jpeg("black"), PhotoStage.REPORT)
    job_id = await resident.report_repair(
        Trade.ELECTRICAL,
        "Stairwell light broken",
        description="Outside my door, flat 3. Call me after six.",
        location="Shared stairs, landings or corridors",
        access_notes="Main door code 1234",
        photos=[photo],
        suggested_priority=Priority.URGENT,
        communal=True,
    )
    await resident.sync()
    for client in everyone[1:]:
        await client.sync()

    # The neighbour is offered the open report, with nothing of who reported it.
    [offered] = await neighbour.open_in_block(Trade.ELECTRICAL)
    assert (offered.id, offered.title, offered.status) == (
        job_id, "Stairwell light broken", JobStatus.REPORTED
    )  # fmt: skip
    assert offered.resident_name is None and offered.resident_id is None
    assert offered.flat is None and offered.photos == [] and offered.description == ""
    assert offered.access_notes == ""
    assert await neighbour.open_in_block(Trade.PLUMBING) == []
    assert job_id not in {j.id for j in await neighbour.my_repairs()}

    # Me too, offline first: it is in their repairs at once, waiting to be sent.
    neighbour.pause_sync()
    await neighbour.me_too(job_id)
    [followed] = [j for j in await neighbour.my_repairs() if j.id == job_id]
    assert followed.pending
    assert await neighbour.open_in_block(Trade.ELECTRICAL) == []
    neighbour.resume_sync()
    await neighbour.sync()
    assert neighbour.problems() == []
    [followed] = [j for j in await neighbour.my_repairs() if j.id == job_id]
    assert not followed.pending and followed.resident_name is None

    # Another block of the same landlord, and another landlord's block: nothing.
    for outsider in (other_block, other_landlord):
        assert await outsider.job(job_id) is None
        assert await outsider.open_in_block(Trade.ELECTRICAL) == []
        with pytest.raises(Rejected):
            await outsider.me_too(job_id)

    # The officer sees the suggestion and both residents, and decides the priority.
    await officer.sync()
    seen = await officer.job(job_id)
    assert seen.suggested_priority is Priority.URGENT and seen.priority is None
    assert seen.also_reported_by and len(seen.also_reported_by) + 1 == 2
    assert seen.resident_name
    await officer.post_job(job_id, Priority.ROUTINE)
    await officer.sync()

    # The neighbour follows its progress; the reporter's own view is unchanged.
    await neighbour.sync()
    [followed] = [j for j in await neighbour.my_repairs() if j.id == job_id]
    assert (followed.status, followed.priority) == (JobStatus.POSTED, Priority.ROUTINE)
    await resident.sync()
    mine = await resident.job(job_id)
    assert mine.also_reported_by == [] and mine.description.startswith("Outside my door")
    assert all(c.problems() == [] for c in everyone)
    for client in everyone:
        await client.close()
