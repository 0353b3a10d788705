"""Screens people can work with: the resident's confirmation and repair detail, the
tradesperson's offers (changed, withdrawn) and record of work done, and the officer's
filtered triage list and award confirmation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    attach_photo,
    card,
    choose,
    go_to,
    open_app,
    post_job,
    put_forward,
    report_repair,
    see,
    send_report,
    shoot,
    sign_in_as,
    sync_status,
    sync_until,
    tap,
    type_into,
)

pytestmark = pytest.mark.e2e

DAMP = "Black mould on bedroom ceiling"
LEAK = "Bath panel leaking onto floor"


def report(page, where: str, what: str, title: str) -> None:
    """Through the guided report: where and what choose the kind of repair and the room."""
    report_repair(page, title, where=where, what=what)


def test_resident_sees_a_reference_and_next_steps_then_opens_the_repair(browser, app_url):
    page = open_app(browser, app_url)
    sign_in_as(page, "Resident")
    report(page, "Bedroom", "Damp or mould", DAMP)
    attach_photo(page, "Add photos", (60, 70, 60))
    send_report(page)

    # The confirmation: a reference to quote, what happens next, when, and Awaab's Law.
    see(page, "Repair reported")
    reference = page.locator("[flt-semantics-identifier=reference]")
    expect(reference).to_contain_text(re.compile(r"Your reference: [0-9A-F]{8}$"))
    code = reference.inner_text().rsplit(" ", 1)[-1]
    see(page, "What happens next")
    see(page, "Target date set once the repair is assessed")
    see(page, re.compile(r"Awaab's Law\): we must investigate by \w{3} \d+ \w{3}, within 10"))
    expect(sync_status(page)).to_contain_text("Up to date")
    shoot(page, "resident-confirmation")

    # Its page: status, reference, photos held on this tablet, and its history.
    tap(page.get_by_role("button", name="See this repair"))
    expect(page.get_by_role("button", name="Back to my repairs")).to_be_visible()
    see(page, f"Reference {code}")
    see(page, "What has happened")
    see(page, "You reported it.")
    expect(page.get_by_role("img", name="Photo 1")).to_be_visible()
    shoot(page, "resident-repair-detail")

    # Back to the list, where the card carries the same reference and opens the same page.
    tap(page.get_by_role("button", name="Back to my repairs"))
    mine = card(page, DAMP, says=code)
    expect(mine).to_be_visible()
    tap(mine.get_by_role("button", name="See details"))
    see(page, f"Reference {code}")
    go_to(page, "Report a repair")
    expect(page.get_by_role("button", name="Send repair report")).to_be_visible()


def test_offers_change_and_withdraw_the_award_is_confirmed_and_done_work_stays(browser, app_url):
    resident = open_app(browser, app_url, "tablet")
    sign_in_as(resident, "Resident")
    report(resident, "Bathroom or toilet", "A leak or drip", LEAK)
    send_report(resident)
    see(resident, re.compile(r"^Repair reported\."))

    # The officer narrows the long list to what matters, then posts the new report.
    officer = open_app(browser, app_url, "desktop")
    sign_in_as(officer, "Housing officer")
    sync_until(officer, card(officer, LEAK))
    type_into(officer, "Search title, street or resident", "bath panel")
    expect(card(officer, LEAK)).to_be_visible()
    expect(officer.get_by_text(re.compile(r"^Showing 1 of \d+, filtered\."))).to_be_visible()
    tap(officer.get_by_role("button", name="Clear filters"))
    expect(officer.get_by_text(re.compile(r"^Showing (\d+) of \1\.$"))).to_be_visible()
    choose(officer, "Trade", "Plumbing")
    choose(officer, "Status", "New reports")
    expect(card(officer, LEAK)).to_be_visible()
    shoot(officer, "officer-triage-filtered")
    officer.get_by_role("checkbox", name="Damp and mould only").click()
    expect(card(officer, LEAK)).to_have_count(0)
    tap(officer.get_by_role("button", name="Clear filters"))
    post_job(officer, LEAK)

    # The plumber offers, changes the price, withdraws, and offers again.
    trade = open_app(browser, app_url)
    sign_in_as(trade, "Tradesperson")
    sync_until(trade, card(trade, LEAK))
    put_forward(trade, LEAK, "120")
    see(trade, re.compile(r"^You put yourself forward for £120\.00\."))
    go_to(trade, "My offers")
    expect(card(trade, LEAK, says="Your offer £120.00")).to_be_visible()
    tap(card(trade, LEAK).get_by_role("button", name="Change offer"))
    type_into(trade, "Your price in pounds", "110")
    tap(trade.get_by_role("alertdialog").get_by_role("button", name="Save changes"))
    see(trade, re.compile(r"^Offer changed to £110\.00\."))
    expect(card(trade, LEAK, says="Your offer £110.00")).to_be_visible()
    shoot(trade, "trade-my-offers")
    tap(card(trade, LEAK).get_by_role("button", name="Withdraw offer"))
    ask = trade.get_by_role("alertdialog")
    expect(ask.get_by_text(re.compile(r"^Withdraw your offer of £110\.00"))).to_be_visible()
    tap(ask.get_by_role("button", name="Withdraw offer"))
    see(trade, re.compile(r"^Offer withdrawn\."))
    withdrawn = card(trade, LEAK, says="Withdrawn")
    expect(withdrawn).to_be_visible()
    expect(withdrawn.get_by_role("button", name="Withdraw offer")).to_have_count(0)
    go_to(trade, "Job board")
    put_forward(trade, LEAK, "115")
    see(trade, re.compile(r"^You put yourself forward for £115\.00\."))

    # The officer sees one offer, and is asked to confirm the award by name and price.
    sync_until(officer, card(officer, LEAK, says="1 offer"))
    tap(card(officer, LEAK).get_by_role("button", name="See offers and award"))
    offer = officer.get_by_role("alertdialog").get_by_role("group", name=re.compile("£115.00"))
    expect(offer).to_be_visible()
    tap(offer.get_by_role("button", name="Award"))
    confirm = officer.get_by_role("alertdialog")
    expect(confirm.get_by_text(re.compile(r"^Award to .+ for £115\.00\?$"))).to_be_visible()
    shoot(officer, "officer-award-confirm")
    tap(confirm.get_by_role("button", name="Cancel"))
    expect(card(officer, LEAK, says="1 offer")).to_be_visible()  # nothing awarded
    tap(card(officer, LEAK).get_by_role("button", name="See offers and award"))
    tap(officer.get_by_role("alertdialog").get_by_role("button", name="Award").first)
    tap(officer.get_by_role("alertdialog").get_by_role("button", name="Award job"))
    see(officer, re.compile(r"^Job awarded to "))

    # On site: tap to call and open in maps, then the job is done and stays on record.
    go_to(trade, "My jobs")
    sync_until(trade, card(trade, LEAK))
    mine = card(trade, LEAK)
    call = mine.get_by_role("button", name=re.compile(r"^Call 07700 9\d{5}: "))
    expect(call).to_be_visible()
    # No internet here: answer for the maps site, and check where the phone was sent.
    trade.context.route("https://www.google.com/**", lambda r: r.fulfill(body="A map"))
    with trade.expect_popup() as maps:
        mine.get_by_role("button", name="Open in maps").click()
    expect(maps.value).to_have_url(re.compile(r"^https://www\.google\.com/maps/search/.*E\d"))
    maps.value.close()
    trade.bring_to_front()  # the maps tab took the front: a hidden tab misses clicks
    shoot(trade, "trade-my-jobs-call-and-map")
    tap(mine.get_by_role("button", name="Start visit"))
    tap(trade.get_by_role("alertdialog").get_by_role("button", name="Start visit"))
    see(trade, re.compile(r"^Visit started\."))
    tap(mine.get_by_role("button", name="Complete job"))
    type_into(trade, "What did you do?", "Resealed the bath panel.")
    attach_photo(trade, "Add photos of the finished work", (90, 160, 60))
    tap(trade.get_by_role("alertdialog").get_by_role("button", name="Complete job"))
    see(trade, re.compile(r"^Job completed\."))
    expect(sync_status(trade)).to_contain_text("Up to date")
    expect(card(trade, LEAK)).to_have_count(0)  # synced, so no longer in My jobs
    go_to(trade, "Done")
    done = card(trade, LEAK, says="Your price £115.00")
    expect(done).to_be_visible()
    tap(trade.get_by_role("button", name="Sync now"))
    expect(sync_status(trade)).to_contain_text("Up to date")
    expect(done).to_be_visible()  # still there after a sync
    shoot(trade, "trade-done")
