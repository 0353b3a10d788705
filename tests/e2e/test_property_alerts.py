"""Property alerts and the contact preference: the demo resident reports a repair on a
tablet (820x1180) and asks for a text message after 4pm; the officer, at a desktop
(1440x900), gives the home its alerts from the triage card, and the open repair carries
them, ready for the tradesperson's job pack."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    card,
    choose,
    device,
    go_to,
    keep_in_docs,
    open_app,
    report_repair,
    run,
    see,
    send_report,
    shoot,
    sign_in_with,
    sync_status,
    tap,
    type_into,
)

pytestmark = pytest.mark.e2e

TITLE = "Shower tray cracked"
ASBESTOS = "Asbestos survey: artex ceilings, do not drill"
DOG = "Dog on the premises"


async def as_the_officer_has_it(folder, url: str) -> tuple[list[str], str, str]:
    officer = await device(folder, url, "officer")
    [job] = [j for j in await officer.triage_queue() if j.title == TITLE]
    await officer.close()
    return job.property_alerts, job.contact_preference, job.best_times


def test_the_officer_gives_a_home_its_alerts_and_the_repair_carries_them(
    browser, own_server, app_on_own_server, tmp_path
):
    url = own_server.ready_url.removesuffix("/v1/health")
    resident = open_app(browser, app_on_own_server, "tablet")
    sign_in_with(resident, "resident")
    report_repair(resident, TITLE, trade="Plumbing", room="Bathroom")
    choose(resident, "How should the tradesperson contact you?", "Text message")
    type_into(resident, "Best times to contact you (optional)", "after 4pm")
    send_report(resident)
    see(resident, re.compile("^Repair reported"))
    tap(resident.get_by_role("button", name="Sync now"))
    expect(sync_status(resident)).to_contain_text("Up to date")

    officer = open_app(browser, app_on_own_server, "desktop")
    sign_in_with(officer, "officer")
    go_to(officer, "Reports to triage")
    type_into(officer, "Search title, street or resident", "shower tray")
    tap(card(officer, TITLE).get_by_role("button", name="Property alerts"))
    type_into(officer, "Property alerts, one a line", f"{ASBESTOS}\n{DOG}")
    shoot(officer, "property-alerts")
    keep_in_docs("property-alerts", ("desktop",))
    tap(officer.get_by_role("alertdialog").get_by_role("button", name="Save alerts"))
    see(officer, re.compile("^Property alerts saved"))
    expect(card(officer, TITLE, says=f"Property alert: {DOG}")).to_be_visible()
    tap(officer.get_by_role("button", name="Sync now"))
    expect(sync_status(officer)).to_contain_text("Up to date")

    assert run(as_the_officer_has_it(tmp_path, url)) == ([ASBESTOS, DOG], "text", "after 4pm")
