"""A tradesperson's day on a phone (390x844) with no signal: three jobs awarded to them
through the real server; with the server stopped they open the job pack with the
resident's photo, start one visit with a "before" photo, record no access on another and
complete a third with an "after" photo. The server comes back: the officer sees all
three (and the invoice the completion raised, which they approve on the desktop), and so
does the resident."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.domain.models import JobStatus, PhotoStage, Priority, Trade
from tests.e2e.conftest import (
    attach_photo,
    card,
    device,
    go_to,
    jpeg,
    open_app,
    run,
    see,
    shoot,
    sign_in_with,
    start_visit,
    sync_status,
    sync_until,
    type_into,
)

pytestmark = pytest.mark.e2e

PACK, NOBODY_IN, DONE = "Basin tap dripping", "Radiator valve leaking", "Toilet cistern running"


async def award_three(folder: Path, url: str) -> dict[str, str]:
    """The resident reports three plumbing repairs (one with a photo); the officer posts
    them; the demo's plumber puts themselves forward; the officer awards each."""
    resident = await device(folder, url, "resident")
    officer = await device(folder, url, "officer")
    trade = await device(folder, url, "tradesperson")
    ids = {}
    for title in (PACK, NOBODY_IN, DONE):
        photos = [await resident.add_photo(jpeg((40, 90, 200)), PhotoStage.REPORT)]
        ids[title] = await resident.report_repair(
            Trade.PLUMBING, title, location="Bathroom", photos=photos if title == PACK else []
        )
    await resident.sync()
    await officer.sync()
    for job_id in ids.values():
        await officer.post_job(job_id, Priority.URGENT)
    await officer.sync()
    await trade.sync()
    offers = {
        job_id: await trade.put_forward(job_id, 9_500, date.today() + timedelta(days=1))
        for job_id in ids.values()
    }
    await trade.sync()
    await officer.sync()
    for job_id, offer in offers.items():
        await officer.award(job_id, offer)
    await officer.sync()
    assert officer.problems() == [] and trade.problems() == [] and resident.problems() == []
    for client in (resident, officer, trade):
        await client.close()
    return ids


async def as_seen_by(folder: Path, url: str, role: str, ids: dict[str, str]) -> dict:
    client = await device(folder, url, role)
    seen = {}
    for title, job_id in ids.items():
        job = await client.job(job_id)
        seen[title] = job.status if job else None
    await client.close()
    return seen


def test_a_day_on_site_without_signal_reaches_the_officer_and_the_resident(
    browser, own_server, app_on_own_server, tmp_path
):
    server, app_url = own_server, app_on_own_server
    url = server.ready_url.removesuffix("/v1/health")
    ids = run(award_three(tmp_path / "devices", url))

    trade = open_app(browser, app_url, "phone")
    sign_in_with(trade, "tradesperson")
    go_to(trade, "My jobs")
    sync_until(trade, card(trade, PACK))
    # The job pack: the resident's words and photo, on the phone before leaving.
    sync_until(trade, trade.get_by_role("img", name="The resident's photo 1"))
    shoot(trade, "job-pack")

    # In the stairwell: no signal.
    server.stop()
    trade.get_by_role("button", name="Sync now").click()
    expect(sync_status(trade)).to_contain_text("Offline")
    expect(trade.get_by_role("img", name="The resident's photo 1")).to_be_visible()

    start_visit(trade, PACK, before=(150, 110, 70))

    card(trade, NOBODY_IN).get_by_role("button", name="No access").click()
    type_into(trade, "What happened?", "Nobody in at 10:00, card left under the door.")
    trade.get_by_role("alertdialog").get_by_role("button", name="Record no access").click()
    see(trade, re.compile(r"^No access recorded\."))

    start_visit(trade, DONE)
    card(trade, DONE).get_by_role("button", name="Complete job").click()
    type_into(trade, "What did you do?", "New fill valve fitted and tested.")
    attach_photo(trade, "Add photos of the finished work", (60, 160, 90))
    trade.get_by_role("alertdialog").get_by_role("button", name="Complete job").click()
    see(trade, re.compile(r"^Job completed\."))
    expect(sync_status(trade)).to_contain_text(re.compile(r"Offline\. \d+ changes? waiting"))
    shoot(trade, "visit-offline")

    # Signal again: everything goes, nothing twice.
    server.start()
    trade.get_by_role("button", name="Sync now").click()
    expect(sync_status(trade)).to_contain_text("Up to date", timeout=60_000)
    go_to(trade, "Getting paid")
    sync_until(trade, card(trade, DONE))
    expect(card(trade, DONE, says="£95.00")).to_be_visible()
    shoot(trade, "getting-paid")

    seen = {"officer": {}, "resident": {}}
    for role in seen:
        seen[role] = run(as_seen_by(tmp_path / "check", url, role, ids))
    expected = {
        PACK: JobStatus.IN_PROGRESS,
        NOBODY_IN: JobStatus.NO_ACCESS,
        DONE: JobStatus.COMPLETED,
    }
    assert seen["officer"] == expected and seen["resident"] == expected

    # The officer approves the invoice the completion raised.
    officer = open_app(browser, app_url, "desktop")
    sign_in_with(officer, "officer")
    go_to(officer, "Invoices")
    sync_until(officer, card(officer, DONE))
    shoot(officer, "invoices")
    card(officer, DONE).get_by_role("button", name="Approve").click()
    see(officer, re.compile(r"^1 invoice approved\."))
    expect(card(officer, DONE, says="Approved")).to_be_visible()
    card(officer, DONE).get_by_role("button", name="Mark paid").click()
    see(officer, re.compile(r"^1 invoice marked paid today\."))

    go_to(trade, "Getting paid")
    sync_until(trade, card(trade, DONE, says="Paid"))
