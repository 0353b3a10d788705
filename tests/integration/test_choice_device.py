"""A resident chooses from their shortlist on their own device, where no tradesperson's
profile is held: the choice shows at once, and the server ranks it when it arrives."""

from __future__ import annotations

from app.client import Client
from app.domain.models import JobStatus
from server_stub.demo import DEMO_ACCOUNTS, DEMO_PASSWORD


async def test_the_choice_shows_at_once_and_the_server_ranks_it(tmp_path, server):
    resident = await Client.open(tmp_path / "resident", server.url)
    try:
        await resident.login(DEMO_ACCOUNTS["resident"], DEMO_PASSWORD)
        await resident.sync()
        (choice, *_) = await resident.choices()  # the demo shortlists one repair for them
        picked = choice.options[-1]
        await resident.choose_offer(choice.job.id, picked.offer_id)
        job = await resident.job(choice.job.id)
        assert (job.status, job.pending) == (JobStatus.AWARDED, True), "shown before it is sent"
        await resident.sync()
        job = await resident.job(choice.job.id)
        assert (job.status, job.pending, job.award_reason) == (
            JobStatus.AWARDED, False, "Chosen by the resident."
        )  # fmt: skip
        assert await resident.choices() == []
        assert resident.problems() == []
    finally:
        await resident.close()
