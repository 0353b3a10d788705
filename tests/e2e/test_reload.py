"""A page reload, a dropped connection to the screen and a second tab of the same browser
all meet the device's one open client: nothing stops working and nothing is shown twice."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import (
    SIZES,
    WAIT_MS,
    card,
    go_to,
    new_device,
    open_app,
    post_job,
    report_repair,
    see,
    send_report,
    sign_in_as,
    sync_status,
    sync_until,
    tap,
    type_into,
)

pytestmark = pytest.mark.e2e


def reload(page: Page) -> None:
    page.reload()
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
    page.locator("flt-semantics-placeholder").dispatch_event("click")


def report(page: Page, title: str) -> None:
    page.bring_to_front()  # a person acts in the tab in front
    report_repair(
        page,
        title,
        where="Hall or stairs inside the home",
        what="Cupboards, floors, stairs or skirting",
    )  # the room comes from the answers: typing into a second field right after a reload
    # sent its keys to the first (Flutter's text input was still on it)
    send_report(page)
    see(page, re.compile(r"^Repair reported\."))


def test_reloading_before_and_after_sign_in_keeps_every_role_working(browser, app_url):
    resident = open_app(browser, app_url)
    reload(resident)  # before signing in: signing in must still work
    sign_in_as(resident, "Resident")
    reload(resident)
    expect(resident.get_by_role("button", name="Send repair report")).to_be_visible()
    report(resident, "Cupboard door hanging off after reload")
    expect(sync_status(resident)).to_contain_text("Up to date")

    officer = open_app(browser, app_url, "desktop")
    sign_in_as(officer, "Housing officer")
    reload(officer)
    title = "Cupboard door hanging off after reload"
    # Among the demo's reports it can sit below the fold: the officer searches for it.
    type_into(officer, "Search title, street or resident", "Cupboard door hanging")
    sync_until(officer, card(officer, title))
    expect(sync_status(officer)).to_contain_text("Up to date")
    post_job(officer, title, "Routine (20 working days)")
    expect(sync_status(officer)).to_contain_text("Up to date")

    trade = open_app(browser, app_url)
    sign_in_as(trade, "Tradesperson")
    reload(trade)
    board = trade.get_by_role("button", name="Put yourself forward")
    expect(board.first).to_be_visible()  # the job board is not empty after a reload
    expect(sync_status(trade)).not_to_contain_text("Can't sync")
    board.first.click()
    type_into(trade, "Your price in pounds", "90")
    tap(trade.get_by_role("alertdialog").get_by_role("button", name="Send offer"))
    see(trade, re.compile(r"^You put yourself forward for £90\.00"))
    expect(sync_status(trade)).to_contain_text("Up to date")

    # What was done after the reloads reached the server: the resident sees it posted.
    go_to(resident, "My repairs")
    sync_until(resident, card(resident, title, says="Finding a tradesperson"))


def test_two_tabs_of_one_browser_share_one_device_and_both_can_act(browser: Browser, app_url):
    width, height = SIZES["phone"]
    context = new_device(browser, viewport={"width": width, "height": height})
    first = context.new_page()
    first.set_default_timeout(WAIT_MS)
    first.goto(app_url)
    reload(first)
    sign_in_as(first, "Resident")

    second = context.new_page()  # same browser storage, so the same device
    second.set_default_timeout(WAIT_MS)
    second.goto(app_url)
    reload(second)
    # Signed in already: it is the same device, with the same person's session.
    expect(second.get_by_role("button", name="Sign out")).to_be_visible()

    report(first, "Loft hatch stuck, first tab")
    report(second, "Skirting board loose, second tab")
    for page in (first, second):
        page.bring_to_front()
        go_to(page, "My repairs")
        for title in ("Loft hatch stuck, first tab", "Skirting board loose, second tab"):
            expect(card(page, title)).to_have_count(1)  # once each, not twice
        expect(sync_status(page)).to_contain_text("Up to date")

    # The server has both, exactly once: the officer sees each one card.
    officer = open_app(browser, app_url, "desktop")
    sign_in_as(officer, "Housing officer")
    type_into(officer, "Search title, street or resident", ", second tab")
    sync_until(officer, card(officer, "Skirting board loose, second tab"))
    expect(card(officer, "Skirting board loose, second tab")).to_have_count(1)
    type_into(officer, "Search title, street or resident", ", first tab")
    expect(card(officer, "Loft hatch stuck, first tab")).to_have_count(1)

    # Signing out in one tab signs the device out: the other tab follows.
    first.bring_to_front()
    tap(first.get_by_role("button", name="Sign out"))
    second.bring_to_front()
    expect(second.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    context.close()
