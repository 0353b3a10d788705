"""'Me too' on a tablet (820x1180): the demo resident reports a broken stairwell light
through the guided questions; their neighbour in the same block answers the same
questions and is offered "Me too" on that report instead of sending another, then
follows it in My repairs. The officer sees the resident's suggested priority and two
residents on the one report."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.domain.models import Priority
from server_stub.demo import DEMO_PASSWORD, NEIGHBOUR
from tests.e2e.conftest import (
    WAIT_MS,
    card,
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

LIGHT = "Stairwell light broken"
STAIRS = "Shared stairs, landings or corridors"
LIGHTS = "Lights, sockets or switches not working"


async def officer_sees(folder, url: str) -> tuple[Priority | None, int]:
    officer = await device(folder, url, "officer")
    [job] = [j for j in await officer.triage_queue() if j.title == LIGHT]
    await officer.close()
    return job.suggested_priority, len(job.also_reported_by) + 1


def sign_in_by_email(page, email: str) -> None:
    """Sign in by typing, as the neighbour is not among the sign-in buttons. A busy machine
    can take the tap on Sign in before the password typed has reached the app: the screen
    then asks for it, and it is typed again."""
    for _ in range(3):
        type_into(page, "Email address", email)
        type_into(page, "Password", DEMO_PASSWORD)
        tap(page.get_by_role("button", name="Sign in", exact=True))
        try:
            expect(sync_status(page)).to_contain_text("Up to date", timeout=WAIT_MS)
            return
        except AssertionError:
            if not page.get_by_text("Enter your email address and password.").count():
                raise
    expect(sync_status(page)).to_contain_text("Up to date")


def test_a_neighbour_says_me_too_on_a_broken_stairwell_light(
    browser, own_server, app_on_own_server, tmp_path
):
    url = own_server.ready_url.removesuffix("/v1/health")
    resident = open_app(browser, app_on_own_server, "tablet")
    sign_in_with(resident, "resident")
    report_repair(resident, LIGHT, where=STAIRS, what=LIGHTS)
    see(resident, re.compile("^This goes to a tradesperson for electrical. Repairs like"))
    send_report(resident)
    see(resident, re.compile("^Repair reported"))
    tap(resident.get_by_role("button", name="Sync now"))
    expect(
        resident.get_by_text("Repair reported. Your housing officer has it now.")
    ).to_be_visible()

    neighbour = open_app(browser, app_on_own_server, "tablet")
    sign_in_by_email(neighbour, NEIGHBOUR)
    report_repair(neighbour, "Light out on the stairs", where=STAIRS, what=LIGHTS)
    see(neighbour, "A neighbour has already reported this")
    see(neighbour, LIGHT)
    shoot(neighbour, "report-me-too")
    keep_in_docs("report-me-too", ("tablet",))  # on a phone the offer is below the fold
    neighbour.set_viewport_size({"width": 820, "height": 1180})
    neighbour.wait_for_timeout(500)

    tap(neighbour.get_by_role("button", name="Me too", exact=True))
    see(neighbour, re.compile("^Thank you. You can follow this repair in My repairs."))
    heading = neighbour.get_by_text(LIGHT, exact=True)
    expect(heading.first).to_be_visible()
    see(neighbour, "A neighbour reported it, and you said it affects you too.")
    shoot(neighbour, "me-too-followed")
    neighbour.set_viewport_size({"width": 820, "height": 1180})
    neighbour.wait_for_timeout(800)  # the shell lays out again: a rail, not a tab bar
    go_to(neighbour, "My repairs")
    expect(card(neighbour, LIGHT)).to_be_visible()

    suggested, residents = run(officer_sees(tmp_path, url))
    assert (suggested, residents) == (Priority.URGENT, 2)

    # The officer's triage card: the resident's suggestion, and how many reported it.
    officer = open_app(browser, app_on_own_server, "desktop")
    sign_in_with(officer, "officer")
    go_to(officer, "Reports to triage")
    type_into(officer, "Search title, street or resident", "stairwell light")
    found = card(officer, LIGHT, says="2 residents reported this")
    expect(found).to_be_visible()
    expect(card(officer, LIGHT, says="Resident's answers suggest: Urgent")).to_be_visible()
    shoot(officer, "triage-me-too")
    keep_in_docs("triage-me-too", ("desktop",))
