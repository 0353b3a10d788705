"""Extra work through the real UI on three devices: the plumber finds more to do on site
and asks for it with a photo, the officer approves it at the desk, and the resident and
the plumber both see the outcome."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    attach_photo,
    card,
    confirm_award,
    go_to,
    open_app,
    post_job,
    put_forward,
    report_repair,
    see,
    send_report,
    shoot,
    sign_in_as,
    start_visit,
    sync_until,
    tap,
    type_into,
)

pytestmark = pytest.mark.e2e

TITLE = "Radiator valve leaking in hall"
REASON = "Valve seized as well"
APPROVED = f"Extra work approved: £60.00 – {REASON}"


def test_extra_work_is_asked_for_with_a_photo_approved_by_the_officer_and_seen_by_all(
    browser, app_url
):
    resident = open_app(browser, app_url, "tablet")
    sign_in_as(resident, "Resident")
    report_repair(resident, TITLE, where="Hall or stairs inside the home", what="A leak or drip")
    send_report(resident)
    see(resident, re.compile(r"^Repair reported\."))

    officer = open_app(browser, app_url, "desktop")
    sign_in_as(officer, "Housing officer")
    sync_until(officer, card(officer, TITLE))
    post_job(officer, TITLE)

    trade = open_app(browser, app_url)
    sign_in_as(trade, "Tradesperson")
    sync_until(trade, card(trade, TITLE))
    put_forward(trade, TITLE, "90")
    expect(card(trade, TITLE, says="You put yourself forward: £90.00")).to_be_visible()

    sync_until(officer, card(officer, TITLE, says="1 offer"))
    tap(card(officer, TITLE).get_by_role("button", name="See offers and award"))
    tap(officer.get_by_role("alertdialog").get_by_role("button", name="Award").first)
    confirm_award(officer)
    see(officer, re.compile(r"^Job awarded to "))

    # On site: the visit starts, and the plumber finds the valve seized.
    go_to(trade, "My jobs")
    sync_until(trade, card(trade, TITLE))
    expect(card(trade, TITLE).get_by_role("button", name="Ask for extra work")).to_have_count(0)
    start_visit(trade, TITLE)
    tap(card(trade, TITLE).get_by_role("button", name="Ask for extra work"))
    ask = trade.get_by_role("alertdialog")
    tap(ask.get_by_role("button", name="Ask for approval"))
    see(trade, "Say why the extra work is needed.")
    see(trade, "Enter the price in pounds, for example 120 or 95.50.")
    see(trade, "Add a photo showing why the extra work is needed.")
    type_into(trade, "Why is extra work needed?", REASON)
    type_into(trade, "Price of the extra work in pounds", "60")
    attach_photo(trade, "Add a photo of the extra work", (140, 90, 60))
    shoot(trade, "trade-ask-for-extra")
    tap(ask.get_by_role("button", name="Ask for approval"))
    see(trade, re.compile(r"^Extra work of £60\.00 asked for\."))
    pending = card(trade, TITLE, says="Extra work waiting for the housing officer's decision")
    expect(pending).to_be_visible()
    expect(card(trade, TITLE).get_by_role("button", name="Complete job")).to_have_count(0)
    scroll_down(trade)
    shoot(trade, "trade-extra-waiting")

    # At the desk: the officer sees what is asked, for how much, and with what evidence.
    go_to(officer, "Extra work to approve")
    waiting = card(officer, TITLE, says=REASON)
    sync_until(officer, waiting)
    expect(card(officer, TITLE, says="£60.00")).to_be_visible()
    expect(card(officer, TITLE, says="1 photo")).to_be_visible()
    shoot(officer, "officer-extra-to-approve")
    tap(waiting.get_by_role("button", name="Approve"))
    decide = officer.get_by_role("alertdialog")
    type_into(officer, "Note for the tradesperson (optional)", "Agreed on the phone.")
    tap(decide.get_by_role("button", name="Approve extra work"))
    see(officer, re.compile(r"^Extra work of £60\.00 approved\."))
    see(officer, "No extra work is waiting for a decision.")

    # The resident sees what was agreed, and the plumber can finish.
    go_to(resident, "My repairs")
    sync_until(resident, card(resident, TITLE, says=APPROVED))
    shoot(resident, "resident-extra-approved")
    sync_until(trade, card(trade, TITLE, says=APPROVED))
    expect(card(trade, TITLE).get_by_role("button", name="Complete job")).to_be_visible()
    scroll_down(trade)
    shoot(trade, "trade-extra-approved")

    # Signing out leaves nothing of the resident's on the tablet; signing in brings it back.
    tap(resident.get_by_role("button", name="Sign out"))
    resident.get_by_role("button", name="Sign in", exact=True).wait_for()
    sign_in_as(resident, "Resident")
    go_to(resident, "My repairs")
    sync_until(resident, card(resident, TITLE, says=APPROVED))
    shoot(resident, "resident-signed-in-again")


def scroll_down(page) -> None:
    """The newest job is last in My jobs: scroll the list as a thumb would."""
    page.mouse.move(195, 500)
    page.mouse.wheel(0, 3000)
    page.wait_for_timeout(500)
