"""A new tradesperson joins from the sign-in page on their phone, sends their details with
a photo of their insurance, and waits for checks; the officer approves them on the office
desktop; the tradesperson syncs and finds the demo's posted plumbing jobs on their board."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    attach_photo,
    card,
    choose,
    go_to,
    open_app,
    see,
    settle,
    shoot,
    sign_in_as,
    sync_until,
    tap,
    type_into,
)

pytestmark = pytest.mark.e2e

BUSINESS = "Jo's Plumbing"
DISTRICTS = "E5, E8, E9, N1, N16"  # where the demo's Hackney homes are


def fill(page: Page, label: str, text: str) -> None:
    """Type into a field of the long details form. The field is focused through its
    semantics, not tapped: on a busy machine the form is still scrolling a field into view
    when a tap arrives, and the tap lands on whatever is under it (a trade's checkbox)."""
    box = page.get_by_role("textbox", name=label)
    for _ in range(3):
        settle(box)
        box.focus()
        try:
            expect(box).to_be_focused(timeout=3_000)
        except AssertionError:
            continue
        page.keyboard.press("Control+A")
        page.keyboard.press("Delete")
        page.keyboard.type(text)
        try:
            expect(box).to_have_value(text, timeout=3_000)
            return
        except AssertionError:
            continue
    expect(box).to_have_value(text)


def test_a_tradesperson_joins_is_approved_and_then_sees_the_job_board(browser, app_url):
    trade = open_app(browser, app_url)
    tap(trade.get_by_role("button", name="New tradesperson? Join the marketplace"))
    type_into(trade, "Your full name", "Jo Joiner")
    type_into(trade, "Email address", "jo@joiners.test")
    type_into(trade, "Password (at least 10 characters)", "a long passphrase")
    type_into(trade, "Mobile phone (optional)", "07700 900456")
    choose(trade, "Landlord you want to work for", "Hackney Homes")
    shoot(trade, "join-form")
    tap(trade.get_by_role("button", name="Join the marketplace"))
    expect(trade.get_by_role("button", name="Sign out")).to_be_visible()

    # Signed in at "Your details": the details form, checked at its fields. Filled in
    # from top to bottom; boxes are ticked by their semantics (no pointer position).
    see(trade, "Send your details")
    tap(trade.get_by_role("checkbox", name="Plumbing"))
    expect(trade.get_by_role("checkbox", name="Plumbing")).to_be_checked()
    fill(trade, "Business or trading name", BUSINESS)
    fill(trade, "Postcode districts you cover", "Hackney")
    fill(trade, "Public liability insurance expiry date (dd/mm/yyyy)", "31/02/2031")
    attach_photo(trade, "Add photos of your documents", (230, 200, 60))
    tap(trade.get_by_role("button", name="Send for checks"))
    see(trade, re.compile("^Hackney is not a postcode district"))
    see(trade, re.compile("^Write the date as dd/mm/yyyy"))
    fill(trade, "Postcode districts you cover", DISTRICTS)
    fill(trade, "Public liability insurance expiry date (dd/mm/yyyy)", "31/03/2031")
    expect(trade.get_by_role("textbox", name="Business or trading name")).to_have_value(BUSINESS)
    for other in ("Carpentry", "Damp and mould", "Electrical", "Gas and heating"):
        expect(trade.get_by_role("checkbox", name=other)).not_to_be_checked()
    expect(trade.get_by_role("radio", name="Sole trader")).to_be_checked()
    shoot(trade, "your-details-form")
    tap(trade.get_by_role("button", name="Send for checks"))
    status = trade.locator("[flt-semantics-identifier=vetting-status]")
    expect(status).to_contain_text("Waiting for checks")
    sent = trade.get_by_role("group", name=re.compile("^What you sent"))
    expect(sent).to_have_accessible_name(re.compile("Areas: E5, E8, E9, N1, N16"))
    expect(sent).to_have_accessible_name(re.compile(f"{BUSINESS} – Sole trader"))
    shoot(trade, "your-details-waiting")
    go_to(trade, "Job board")  # not an empty board: where the checks stand
    expect(status).to_contain_text("Waiting for checks")
    expect(trade.get_by_role("button", name="Put yourself forward")).to_have_count(0)
    shoot(trade, "job-board-waiting")

    # The officer checks the application on the office desktop and approves it.
    officer = open_app(browser, app_url, "desktop")
    sign_in_as(officer, "Housing officer")
    go_to(officer, "Tradespeople")
    application = card(officer, BUSINESS)
    sync_until(officer, application)
    expect(card(officer, BUSINESS, says="Areas: E5, E8, E9, N1, N16")).to_be_visible()
    expect(officer.get_by_role("img", name=f"Document 1 of {BUSINESS}")).to_be_visible()
    shoot(officer, "officer-tradespeople")
    tap(application.get_by_role("button", name="Approve"))
    tap(officer.get_by_role("alertdialog").get_by_role("button", name="Approve"))
    see(officer, re.compile(f"^{re.escape(BUSINESS)} approved"))

    # The tradesperson syncs: approved, and the board shows plumbing jobs in their areas.
    sync_until(trade, trade.get_by_role("button", name="Put yourself forward"))
    expect(card(trade, "Kitchen cupboard door hanging off")).to_have_count(0)  # carpentry
    shoot(trade, "job-board-approved")
    go_to(trade, "Your details")
    expect(status).to_contain_text("Approved")
    shoot(trade, "your-details-approved")
