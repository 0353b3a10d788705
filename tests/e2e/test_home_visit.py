"""The resident's side on a tablet (820x1180): "I can smell gas" shows the National Gas
Emergency line; a leak reported through the guided questions; the tradesperson's visit
time confirmed; the after photo seen; "Not fixed?" opens a recall that the officer sees
linked to the original repair. The officer and tradesperson act on their own devices
through the same server."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.domain.models import PhotoStage, Priority
from tests.e2e.conftest import (
    ROOT,
    card,
    device,
    go_to,
    jpeg,
    keep_in_docs,
    open_app,
    report_repair,
    run,
    see,
    send_report,
    settle,
    shoot,
    sign_in_with,
    sync_until,
    tap,
    text_size,
    type_into,
)

pytestmark = pytest.mark.e2e

LEAK = "Shower leaking through the ceiling"


async def award_and_offer_a_time(folder: Path, url: str) -> str:
    """The officer posts the resident's report; the demo's plumber puts themselves forward,
    is awarded it and offers a visit time tomorrow at 10:00."""
    officer = await device(folder, url, "officer")
    trade = await device(folder, url, "tradesperson")
    [job] = [j for j in await officer.triage_queue() if j.title == LEAK]
    await officer.post_job(job.id, Priority.URGENT)
    await officer.sync()
    await trade.sync()
    offer = await trade.put_forward(job.id, 12_000, date.today() + timedelta(days=1))
    await trade.sync()
    await officer.sync()
    await officer.award(job.id, offer)
    await officer.sync()
    await trade.sync()
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).replace(hour=10, minute=0, microsecond=0)
    await trade.propose_appointment(job.id, tomorrow)
    await trade.sync()
    assert trade.problems() == [] and officer.problems() == []
    for client in (officer, trade):
        await client.close()
    return job.id


async def complete_with_an_after_photo(folder: Path, url: str, job_id: str) -> None:
    trade = await device(folder, url, "tradesperson")
    await trade.start_visit(job_id)
    after = await trade.add_photo(jpeg((220, 220, 210)), PhotoStage.AFTER)
    await trade.complete_job(job_id, "Resealed the shower tray.", [after])
    await trade.sync()
    assert trade.problems() == []
    await trade.close()


async def recall_of(folder: Path, url: str, job_id: str) -> list[str]:
    officer = await device(folder, url, "officer")
    found = [j.title for j in await officer.triage_queue() if j.parent_id == job_id]
    await officer.close()
    return found


def shoot_tablet(page, name: str) -> None:
    """Screenshots at every size, kept in docs/ at tablet and phone size, then back to the
    tablet this test is about."""
    shoot(page, name)
    keep_in_docs(name)
    page.set_viewport_size({"width": 820, "height": 1180})
    page.wait_for_timeout(500)


def test_gas_then_a_guided_report_an_appointment_and_not_fixed(
    browser, own_server, app_on_own_server, tmp_path
):
    url = own_server.ready_url.removesuffix("/v1/health")
    resident = open_app(browser, app_on_own_server, "tablet")
    sign_in_with(resident, "resident")

    # Emergencies first: gas goes to the national line, never a council's number.
    tap(resident.get_by_role("button", name="I can smell gas"))
    dialog = resident.get_by_role("alertdialog")
    expect(dialog.get_by_text("0800 111 999", exact=True)).to_be_visible()
    expect(dialog.get_by_role("button", name="Call 0800 111 999")).to_be_visible()
    expect(dialog.get_by_text(re.compile("^Leave the home now"))).to_be_visible()
    shoot_tablet(resident, "gas-emergency")
    tap(dialog.get_by_role("button", name="Close"))

    # Where and what pick the kind of repair and the room.
    report_repair(resident, LEAK, where="Bathroom or toilet", what="A leak or drip")
    see(resident, re.compile("^This goes to a tradesperson for plumbing. Repairs like this"))
    shoot_tablet(resident, "report-guided")
    send_report(resident)
    see(resident, re.compile("^Repair reported"))
    # The confirmation names the trade and the room the guide chose.
    see(resident, "Plumbing")
    see(resident, "Bathroom or toilet")
    tap(resident.get_by_role("button", name="Sync now"))
    expect(
        resident.get_by_text("Repair reported. Your housing officer has it now.")
    ).to_be_visible()

    job_id = run(award_and_offer_a_time(tmp_path / "devices", url))

    # The visit time: confirmed on the tablet.
    go_to(resident, "My repairs")
    sync_until(resident, card(resident, LEAK, says="Visit offered"))
    tap(card(resident, LEAK).get_by_role("button", name="See details"))
    tap(resident.get_by_role("button", name="Confirm this time"))
    see(resident, re.compile("^Visit time confirmed"))
    see(resident, re.compile("^Visit confirmed for"))
    shoot_tablet(resident, "repair-appointment")

    # The work is done; the resident sees the after photo, and it is not fixed.
    run(complete_with_an_after_photo(tmp_path / "devices", url, job_id))
    sync_until(resident, resident.get_by_role("button", name="Not fixed?"))
    expect(resident.get_by_role("img", name="After photo 1", exact=True)).to_be_visible()
    see(resident, "The work was completed.")
    see(resident, re.compile("^You confirmed the visit on"))
    shoot_tablet(resident, "repair-timeline")
    # At 200% text size on the tablet the page wraps rather than clips (looked at).
    text_size(resident, 200)
    expect(resident.get_by_role("button", name="Not fixed?")).to_be_visible()
    resident.screenshot(path=ROOT / "docs" / "repair-timeline-200-tablet.png")
    text_size(resident, 100)
    settle(resident.get_by_role("button", name="Not fixed?"))  # laid out again at 100%
    tap(resident.get_by_role("button", name="Not fixed?"))
    dialog = resident.get_by_role("alertdialog")
    tap(dialog.get_by_role("button", name="Send", exact=True))
    see(resident, "Say in a few words what is still wrong.")
    type_into(resident, "What is still wrong?", "Still dripping through the ceiling a day later")
    tap(dialog.get_by_role("button", name="Send", exact=True))
    see(resident, re.compile("^Reported as not fixed"))
    tap(resident.get_by_role("button", name="Sync now"))
    see(resident, re.compile("^You said it was not fixed, so it was reported again"))
    expect(resident.get_by_role("button", name="Not fixed?")).to_have_count(0)  # once
    shoot_tablet(resident, "repair-recall")

    # The officer sees the recall, linked to the original.
    officer = open_app(browser, app_on_own_server, "desktop")
    sign_in_with(officer, "officer")
    sync_until(officer, card(officer, f"Not fixed: {LEAK}"))
    shoot(officer, "officer-recall")
    assert run(recall_of(tmp_path / "check", url, job_id)) == [f"Not fixed: {LEAK}"]
