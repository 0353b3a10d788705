"""A device whose sign-in the server has ended (expired, ended from another device, or
the account suspended) asks its person to sign in again and keeps their unsent work."""

from __future__ import annotations

import asyncio

import httpx

from app.domain.models import Trade
from server_stub.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.integration.test_sync import open_as


async def test_a_session_ended_elsewhere_asks_to_sign_in_again_and_keeps_unsent_work(
    tmp_path, server
):
    tablet = await open_as(tmp_path, server.url, DEMO_ACCOUNTS["resident"], "tablet")
    # From a laptop, the resident ends every other session (say the tablet was lost).
    login = {"email": DEMO_ACCOUNTS["resident"], "password": DEMO_PASSWORD}
    token = httpx.post(f"{server.url}/v1/auth/login", json=login).json()["token"]
    laptop = {"Authorization": f"Bearer {token}"}
    for session in httpx.get(f"{server.url}/v1/auth/sessions", headers=laptop).json():
        if not session["current"]:
            httpx.delete(f"{server.url}/v1/auth/sessions/{session['id']}", headers=laptop)

    job_id = await tablet.report_repair(Trade.CARPENTRY, "Wardrobe door off its hinge")
    await asyncio.gather(tablet.sync(), return_exceptions=True)  # refused: 401
    await asyncio.sleep(0.05)  # the change notice runs on the loop
    status = tablet.status()
    assert tablet.user is None and status.sign_in_expired
    assert status.pending == 1  # the report waits on the tablet

    await tablet.login(DEMO_ACCOUNTS["resident"], DEMO_PASSWORD)
    assert not tablet.status().sign_in_expired
    await tablet.sync()
    assert tablet.status().pending == 0 and tablet.problems() == []
    assert (await tablet.job(job_id)).pending is False
    await tablet.close()
