"""A tradesperson's day on a phone (390x844) with no signal: four jobs awarded to them
through the real server (nobody was in at the fourth once already); with the server
stopped they open the job pack with the home's alert, how the resident likes to be
contacted and the resident's photo, start one visit with a "before" photo, record no
access on another, complete a third with an "after" photo, a note and the materials used,
and find nobody in at the fourth a second time (told, before and after, that it goes back
to the housing officer). The server comes back: the officer and
the resident see all of it, and the officer has the invoice the completion raised."""

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
    keep_in_docs,
    open_app,
    run,
    see,
    shoot,
    sign_in_with,
    start_visit,
    sync_status,
    sync_until,
    tap,
    type_into,
)

pytestmark = pytest.mark.e2e

PACK, NOBODY_IN, DONE = "Basin tap dripping", "Radiator valve leaking", "Toilet cistern running"
AGAIN = "Outside tap frozen"
ASBESTOS = "Asbestos survey: artex ceilings, do not drill"
ROLES = ("officer", "resident")


async def award_four(folder: Path, url: str) -> dict[str, str]:
    """The resident reports four plumbing repairs (one with a photo); the officer posts
    them; the demo's plumber puts themselves forward; the officer awards each."""
    resident = await device(folder, url, "resident")
    officer = await device(folder, url, "officer")
    trade = await device(folder, url, "tradesperson")
    await officer.set_home_alerts(resident.user.home_id, [ASBESTOS])  # before the reports
    await officer.sync()
    ids = {}
    for title in (PACK, NOBODY_IN, DONE, AGAIN):
        photos = [await resident.add_photo(jpeg((40, 90, 200)), PhotoStage.REPORT)]
        pack = title == PACK
        ids[title] = await resident.report_repair(
            Trade.PLUMBING,
            title,
            description="Drips all night, worse since the cold snap." if pack else "",
            location="Bathroom",
            access_notes="Ring twice. A dog in the kitchen: I shut it away." if pack else "",
            photos=photos if pack else [],
            contact_preference="text" if pack else "either",
            best_times="after 4pm" if pack else "",
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
    await trade.sync()  # nobody in at the fourth, the first time: on another day
    await trade.record_no_access(ids[AGAIN], "Nobody in at 08:30, card left.")
    await trade.sync()
    assert officer.problems() == [] and trade.problems() == [] and resident.problems() == []
    for client in (resident, officer, trade):
        await client.close()
    return ids


async def as_seen_by(folder: Path, url: str, role: str, ids: dict[str, str]) -> dict:
    client = await device(folder, url, role)
    seen: dict = {}
    for title, job_id in ids.items():
        job = await client.job(job_id)
        seen[title] = job.status if job else None
        if role == "officer" and job and job.flag:
            seen["flag"] = job.flag
    if role == "officer":
        seen["invoices"] = [(v.job_title, v.payment.invoice.amount_pence)
                            for v in await client.invoices()]  # fmt: skip
    await client.close()
    return seen


def to_top(page, target) -> None:
    """Scroll the list until `target` starts near the top of the screen, for a screenshot
    of it (a tap would scroll it only into view)."""
    page.mouse.move(200, 500)
    for _ in range(10):
        box = target.bounding_box()
        if box is None or abs(box["y"] - 130) < 40:
            break
        page.mouse.wheel(0, box["y"] - 130)
        page.wait_for_timeout(400)


def test_a_day_on_site_without_signal_reaches_the_officer_and_the_resident(
    browser, own_server, app_on_own_server, tmp_path
):
    server, app_url = own_server, app_on_own_server
    url = server.ready_url.removesuffix("/v1/health")
    ids = run(award_four(tmp_path / "devices", url))

    trade = open_app(browser, app_url, "phone")
    sign_in_with(trade, "tradesperson")
    if trade.get_by_role("button", name="Got it").count():  # the sign-in notice
        tap(trade.get_by_role("button", name="Got it"))
    go_to(trade, "My jobs")
    sync_until(trade, card(trade, PACK))
    # The job pack: the resident's words and photo, on the phone before leaving.
    sync_until(trade, trade.get_by_role("img", name="The resident's photo 1"))
    to_top(trade, card(trade, PACK))
    expect(card(trade, PACK, says="Drips all night")).to_be_visible()
    expect(card(trade, PACK, says="Access: Ring twice.")).to_be_visible()
    expect(card(trade, PACK, says=ASBESTOS)).to_be_visible()  # the home's alert, at the top
    expect(card(trade, PACK, says="Prefers: text message, after 4pm")).to_be_visible()
    shoot(trade, "job-pack")
    keep_in_docs("job-pack", ("phone",))

    # In the stairwell: no signal.
    server.stop()
    tap(trade.get_by_role("button", name="Sync now"))
    expect(sync_status(trade)).to_contain_text("Offline")
    expect(trade.get_by_role("img", name="The resident's photo 1")).to_be_visible()

    # Start with a "before" photo.
    tap(card(trade, PACK).get_by_role("button", name="Start visit"))
    attach_photo(trade, "Add photos before you start", (150, 110, 70))
    shoot(trade, "visit")
    keep_in_docs("visit", ("phone",))
    tap(trade.get_by_role("alertdialog").get_by_role("button", name="Start visit"))
    see(trade, re.compile(r"^Visit started\. 1 before photo saved"))
    expect(card(trade, PACK, says="Visit started")).to_be_visible()

    # Nobody in: a note will do.
    tap(card(trade, NOBODY_IN).get_by_role("button", name="No access"))
    type_into(trade, "What happened?", "Nobody in at 10:00, card left under the door.")
    tap(trade.get_by_role("alertdialog").get_by_role("button", name="Record no access"))
    see(trade, re.compile(r"^No access recorded\. Offer the resident another visit time"))

    # Nobody in at the fourth again: told before and after that it goes back.
    expect(card(trade, AGAIN, says="If nobody is in next time")).to_be_visible()
    tap(card(trade, AGAIN).get_by_role("button", name="No access"))
    see(trade, re.compile(r"^This is the second time nobody was in"))
    type_into(trade, "What happened?", "Nobody in again at 14:00.")
    shoot(trade, "no-access-again")
    keep_in_docs("no-access-again", ("phone",))
    tap(trade.get_by_role("alertdialog").get_by_role("button", name="Record no access"))
    see(trade, re.compile(r"^No access recorded again\. The job has gone back"))
    expect(card(trade, AGAIN)).to_have_count(0)

    # Done: "after" photos are needed, said at the photo button; materials go in the note.
    start_visit(trade, DONE)
    tap(card(trade, DONE).get_by_role("button", name="Complete job"))
    finish = trade.get_by_role("alertdialog")
    tap(finish.get_by_role("button", name="Complete job"))
    see(trade, "Add at least one photo of the finished work before completing.")
    attach_photo(trade, "Add photos of the finished work", (60, 160, 90))
    type_into(trade, "What did you do?", "New fill valve fitted and tested.")
    type_into(trade, "Materials used (optional)", "1 fill valve, 2 fibre washers")
    shoot(trade, "complete")
    keep_in_docs("complete", ("phone",))
    tap(finish.get_by_role("button", name="Complete job"))
    see(trade, re.compile(r"^Job completed\."))
    expect(sync_status(trade)).to_contain_text(re.compile(r"Offline\. \d+ changes? waiting"))
    shoot(trade, "visit-offline")
    keep_in_docs("visit-offline", ("phone",))

    # Signal again: everything goes, nothing twice.
    server.start()
    tap(trade.get_by_role("button", name="Sync now"))
    expect(sync_status(trade)).to_contain_text("Up to date", timeout=60_000)
    go_to(trade, "Getting paid")
    sync_until(trade, card(trade, DONE))
    expect(card(trade, DONE, says="£95.00")).to_be_visible()

    seen = {role: run(as_seen_by(tmp_path / "check", url, role, ids)) for role in ROLES}
    expected = {
        PACK: JobStatus.IN_PROGRESS,
        NOBODY_IN: JobStatus.NO_ACCESS,
        DONE: JobStatus.COMPLETED,
        AGAIN: JobStatus.POSTED,  # back on the job board
    }
    assert {t: seen["resident"][t] for t in expected} == expected
    assert {t: seen["officer"][t] for t in expected} == expected
    assert seen["officer"]["flag"].startswith("Second no access")
    assert seen["officer"]["invoices"] == [(DONE, 9_500)]
