"""One repair from report to rating, through the real UI on three devices (a resident's
phone, an officer's desktop, a tradesperson's phone) that meet only through the server."""

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
    sync_status,
    sync_until,
    tap,
    type_into,
)

pytestmark = pytest.mark.e2e

TITLE = "Kitchen tap won't stop running"


def test_a_repair_goes_from_report_to_award_to_completion_to_rating(browser, app_url):
    resident = open_app(browser, app_url)
    sign_in_as(resident, "Resident")
    report_repair(resident, TITLE, where="Kitchen", what="A leak or drip")
    send_report(resident)
    see(resident, re.compile(r"^Repair reported\."))

    # The officer triages it and posts it to the marketplace.
    officer = open_app(browser, app_url, "desktop")
    sign_in_as(officer, "Housing officer")
    sync_until(officer, card(officer, TITLE))
    post_job(officer, TITLE)

    # The plumber finds it on the job board and puts themselves forward.
    trade = open_app(browser, app_url)
    sign_in_as(trade, "Tradesperson")
    sync_until(trade, card(trade, TITLE))
    put_forward(trade, TITLE, "120")
    expect(card(trade, TITLE, says="You put yourself forward: £120.00")).to_be_visible()

    # The officer sees the offer and awards the job.
    sync_until(officer, card(officer, TITLE, says="1 offer"))
    tap(card(officer, TITLE).get_by_role("button", name="See offers and award"))
    offer = officer.get_by_role("alertdialog").get_by_role("group", name=re.compile("£120.00"))
    expect(offer).to_be_visible()
    shoot(officer, "officer-offers")
    tap(offer.get_by_role("button", name="Award"))
    confirm_award(officer)
    see(officer, re.compile(r"^Job awarded to "))
    expect(card(officer, TITLE)).to_have_count(0)  # no longer waiting for triage

    # The plumber works it from My jobs: nobody home the first time, then done.
    go_to(trade, "My jobs")
    sync_until(trade, card(trade, TITLE))
    expect(card(trade, TITLE, says="Flat")).to_be_visible()  # the address, now it is theirs
    # Changed since they last saw it (on the board): marked until they leave the screen.
    expect(card(trade, TITLE, says="New or updated")).to_be_visible()
    shoot(trade, "trade-new-or-updated")
    tap(card(trade, TITLE).get_by_role("button", name="No access"))
    type_into(trade, "What happened?", "No answer at 9am. Calling card left.")
    tap(trade.get_by_role("alertdialog").get_by_role("button", name="Record no access"))
    see(trade, re.compile(r"^No access recorded\."))
    expect(card(trade, TITLE, says="No access at last visit")).to_be_visible()
    start_visit(trade, TITLE)
    tap(card(trade, TITLE).get_by_role("button", name="Complete job"))  # under the snack bar
    finish = trade.get_by_role("alertdialog")
    tap(finish.get_by_role("button", name="Complete job"))
    see(trade, "Add at least one photo of the finished work before completing.")
    type_into(trade, "What did you do?", "Replaced the tap washer and tested.")
    attach_photo(trade, "Add photos of the finished work", (90, 160, 60))
    shoot(trade, "trade-complete-job")
    tap(finish.get_by_role("button", name="Complete job"))
    see(trade, re.compile(r"^Job completed\."))
    expect(card(trade, TITLE)).to_have_count(0)  # finished jobs leave My jobs

    # The resident sees it completed and rates it.
    go_to(resident, "My repairs")
    sync_until(resident, card(resident, TITLE, says="Completed"))
    tap(card(resident, TITLE).get_by_role("button", name="Rate this repair"))
    rating = resident.get_by_role("alertdialog")
    tap(rating.get_by_role("button", name="Send rating"))
    see(resident, "Choose from 1 to 5 stars.")
    tap(rating.get_by_role("button", name="Speed: 4 out of 5"))
    tap(rating.get_by_role("button", name="Quality: 5 out of 5"))
    shoot(resident, "resident-rate-repair")
    tap(rating.get_by_role("button", name="Send rating"))
    see(resident, re.compile(r"^Thank you for your rating\."))
    expect(
        card(resident, TITLE, says="You rated it: speed 4 and quality 5 out of 5")
    ).to_be_visible()


def test_a_tradesperson_behind_the_news_is_told_the_job_went_to_someone_else(browser, app_url):
    officer = open_app(browser, app_url, "desktop")
    sign_in_as(officer, "Housing officer")
    trade = open_app(browser, app_url)
    sign_in_as(trade, "Tradesperson")
    forward = trade.get_by_role("button", name="Put yourself forward")
    expect(forward.first).to_be_visible()
    # The first job on the plumber's board, and where it is: titles repeat, and a job
    # board shows the street without the house number, so take both.
    job = trade.locator("[role=group][aria-label]").filter(has=forward).first
    title = job.get_attribute("aria-label")
    street = re.search(r"[A-Z][a-z]+ (Road|Street|Hill), [A-Z]+\d+", job.inner_html())

    # The plumber starts an offer; meanwhile, in the office, the officer awards the job to a
    # rival's offer.
    card(trade, title, says=street.group(0)).first.get_by_role(
        "button", name="Put yourself forward"
    ).click()
    type_into(trade, "Your price in pounds", "99")
    posted = card(officer, title, says=street.group(0)).first
    sync_until(officer, posted)
    tap(posted.get_by_role("button", name="See offers and award"))
    tap(officer.get_by_role("alertdialog").get_by_role("button", name="Award").first)
    confirm_award(officer)
    see(officer, re.compile(r"^Job awarded to "))
    expect(sync_status(officer)).to_contain_text("Up to date")  # the award has been sent

    # The plumber sends. With live updates the phone has usually heard already (the job has
    # left its board) and says so in the dialog; if it had not, the offer is saved and the
    # server's refusal is listed.
    tap(trade.get_by_role("alertdialog").get_by_role("button", name="Send offer"))
    told = trade.get_by_text(
        re.compile("^This job (was awarded to another tradesperson|is no longer available)")
    )
    saved = trade.get_by_text(re.compile(r"^You put yourself forward for £99\.00\."))
    expect(told.or_(saved).first).to_be_visible()
    if told.count():
        return
    badge = trade.get_by_role("tab", name=re.compile("^1 Needs attention"))
    expect(badge).to_be_visible()  # the count on the tab
    badge.click()
    # A card with a button is one group whose name holds all its text.
    problem = trade.get_by_role(
        "group", name=re.compile(r"^Put yourself forward This job was awarded to another")
    )
    expect(problem).to_have_accessible_name(re.compile("look for other jobs on the job board"))
    shoot(trade, "trade-needs-attention")
    tap(trade.get_by_role("button", name="Dismiss").first)
    see(trade, "Nothing needs your attention.")
