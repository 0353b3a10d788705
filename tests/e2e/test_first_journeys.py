"""Each role's first journey through the real UI in Chromium, with the screenshots that a
person looks at after a change: sign-in, reporting a repair, the job board, triage."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.views.format import visit_days
from tests.e2e.conftest import (
    attach_photo,
    card,
    choose,
    go_to,
    open_app,
    report_repair,
    scroll_to,
    see,
    send_report,
    shoot,
    sign_in_as,
    sync_status,
    tap,
    type_into,
)

pytestmark = pytest.mark.e2e


def test_sign_in_lists_the_demo_accounts_and_says_why_a_sign_in_failed(browser, app_url):
    page = open_app(browser, app_url)
    for role in ("Resident", "Tradesperson", "Housing officer"):
        expect(page.get_by_role("button", name=re.compile(f"^Sign in as {role}"))).to_be_visible()
    shoot(page, "sign-in")

    tap(page.get_by_role("button", name="Sign in", exact=True))
    see(page, "Enter your email address and password.")
    type_into(page, "Email address", "resident@demo.test")
    type_into(page, "Password", "not-the-password")
    tap(page.get_by_role("button", name="Sign in", exact=True))
    see(page, "That email and password don't match an account.")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_resident_reports_a_repair_with_a_photo_and_sees_it_in_my_repairs(browser, app_url):
    page = open_app(browser, app_url)
    sign_in_as(page, "Resident")
    # Emergencies first, to the landlord's own line (from its rules, once synced).
    expect(sync_status(page)).to_contain_text("Up to date")
    tap(page.get_by_role("button", name="Water pouring in, or near electrics"))
    expect(page.get_by_role("alertdialog").get_by_text("020 8356 3691", exact=True)).to_be_visible()
    tap(page.get_by_role("alertdialog").get_by_role("button", name="Close"))
    report_repair(
        page,
        "Bathroom basin tap dripping",
        where="Bathroom or toilet",
        what="A leak or drip",
        room="Bathroom",
    )
    type_into(page, "When can we get in? (optional)", "Weekday mornings")
    attach_photo(page, "Add photos", (40, 90, 160))
    shoot(page, "resident-report")

    send_report(page)
    see(page, re.compile(r"^Repair reported\."))
    see(page, re.compile(r"^Your reference: [0-9A-F]{8}$"))
    tap(
        page.get_by_role("button", name="Report another repair"),
        then=page.get_by_role("textbox", name="What's wrong?"),
    )
    expect(page.get_by_role("textbox", name="What's wrong?")).to_have_value("")
    expect(page.get_by_role("img", name="Photo 1")).to_have_count(0)

    go_to(page, "My repairs")
    report = card(page, "Bathroom basin tap dripping")
    scroll_to(page, report)  # below the demo's "Choose your tradesperson" cards
    expect(card(page, "Bathroom basin tap dripping", says="Plumbing")).to_be_visible()
    expect(card(page, "Bathroom basin tap dripping", says="Bathroom")).to_be_visible()
    expect(page.get_by_text(re.compile("could not be shown"))).to_have_count(0)
    expect(sync_status(page)).to_contain_text("Up to date")  # sent, and said so
    expect(card(page, "Bathroom basin tap dripping", says="Waiting to sync")).to_have_count(0)
    shoot(page, "resident-my-repairs")


def test_resident_is_told_what_is_missing_before_anything_is_reported(browser, app_url):
    page = open_app(browser, app_url)
    sign_in_as(page, "Resident")
    tap(page.get_by_role("button", name="Send repair report"))
    see(page, "Choose what kind of repair this is.")
    see(page, "Say in a few words what's wrong.")
    expect(page.get_by_text(re.compile("^Repair reported"))).to_have_count(0)


def test_tradesperson_puts_themselves_forward_from_the_job_board(browser, app_url):
    page = open_app(browser, app_url)
    sign_in_as(page, "Tradesperson")
    offer_buttons = page.get_by_role("button", name="Put yourself forward")
    expect(offer_buttons.first).to_be_visible()
    shoot(page, "trade-job-board")
    before = offer_buttons.count()

    offer_buttons.first.click()
    dialog = page.get_by_role("alertdialog")
    type_into(page, "Your price in pounds", "about a hundred")
    tap(dialog.get_by_role("button", name="Send offer"))
    see(page, "Enter the price in pounds, for example 120 or 95.50.")
    expect(dialog).to_be_visible()  # what was typed is kept to correct
    shoot(page, "trade-put-forward")

    _, third_day = visit_days()[2]
    choose(page, "Earliest visit", third_day)
    type_into(page, "Your price in pounds", "135")
    tap(dialog.get_by_role("button", name="Send offer"))
    see(page, re.compile(r"^You put yourself forward for £135\.00\. Saved on this device"))
    see(page, f"You put yourself forward: £135.00, earliest visit {third_day}")
    expect(offer_buttons).to_have_count(before - 1)


def test_officer_posts_a_new_report_to_the_marketplace(browser, app_url):
    page = open_app(browser, app_url, "desktop")
    sign_in_as(page, "Housing officer")
    post = page.get_by_role("button", name="Post to marketplace")
    expect(post.first).to_be_visible()
    # On a desktop the screens are in a rail at the side, not a tab bar at the bottom.
    expect(page.get_by_role("tablist")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Reports to triage"))).to_be_visible()
    shoot(page, "officer-triage")
    expect(page.get_by_role("tablist")).to_be_visible()  # shoot() ends at phone width
    before = post.count()

    post.first.click()
    dialog = page.get_by_role("alertdialog")
    tap(dialog.get_by_role("button", name="Post job"))
    see(page, "Choose a priority.")
    page.get_by_role("radio", name="Urgent (5 working days)").click()
    tap(dialog.get_by_role("button", name="Post job"))
    see(page, re.compile(r"^Posted to the marketplace\."))
    expect(post).to_have_count(before - 1)

    expect(sync_status(page)).to_contain_text("Up to date")  # nothing left to send
    tap(page.get_by_role("button", name="Sign out"))
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
