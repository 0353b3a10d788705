"""Each role's first journey through the real UI in Chromium."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import open_app, see, shoot, sign_in_as, type_into

pytestmark = pytest.mark.e2e


def photo_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (40, 90, 160)).save(out, "JPEG")
    return out.getvalue()


def test_sign_in_screen_lists_demo_accounts(browser, app_url):
    page = open_app(browser, app_url)
    expect(page.get_by_role("button", name=re.compile("Sign in as Resident"))).to_be_visible()
    shoot(page, "sign-in")
    page.get_by_role("button", name="Sign in", exact=True).click()
    see(page, "Enter your email address and password.")


def test_resident_reports_a_repair_with_a_photo_and_sees_it_in_my_repairs(browser, app_url):
    page = open_app(browser, app_url)
    sign_in_as(page, "Resident")
    page.get_by_role("checkbox", name="Plumbing").click()
    type_into(page, "What's wrong?", "Bathroom basin tap dripping")
    type_into(page, "Where in your home?", "Bathroom")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Add photos").click()
    chooser.value.set_files(
        files=[{"name": "tap.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}]
    )
    expect(page.get_by_role("img", name="Photo 1")).to_be_visible(timeout=15_000)
    shoot(page, "resident-report")
    page.get_by_role("button", name="Send repair report").click()
    see(page, re.compile("Repair reported"))

    page.get_by_role("tab", name="My repairs").click()
    see(page, "Bathroom basin tap dripping")
    shoot(page, "resident-my-repairs")


def test_resident_is_told_what_is_missing_and_nothing_is_sent(browser, app_url):
    page = open_app(browser, app_url)
    sign_in_as(page, "Resident")
    page.get_by_role("button", name="Send repair report").click()
    see(page, "Choose what kind of repair this is.")


def test_tradesperson_puts_themselves_forward_from_the_job_board(browser, app_url):
    page = open_app(browser, app_url)
    sign_in_as(page, "Tradesperson")
    offer_buttons = page.get_by_role("button", name="Put yourself forward")
    expect(offer_buttons.first).to_be_visible(timeout=20_000)
    shoot(page, "trade-job-board")
    before = offer_buttons.count()
    offer_buttons.first.click()
    type_into(page, "Your price (£)", "abc")
    page.get_by_role("button", name="Send offer").click()
    see(page, "Enter a price in pounds, e.g. 120.")
    type_into(page, "Your price (£)", "135")
    page.get_by_role("button", name="Send offer").click()
    see(page, re.compile("You put yourself forward: £135.00"))
    expect(offer_buttons).to_have_count(before - 1)


def test_officer_posts_a_new_report_to_the_marketplace(browser, app_url):
    page = open_app(browser, app_url, "desktop")
    sign_in_as(page, "Housing officer")
    post = page.get_by_role("button", name="Post to marketplace")
    expect(post.first).to_be_visible(timeout=20_000)
    shoot(page, "officer-triage")
    before = post.count()
    post.first.click()
    page.get_by_role("radio", name="Urgent (5 working days)").click()
    page.get_by_role("button", name="Post job").click()
    see(page, re.compile("Posted to the marketplace"))
    expect(post).to_have_count(before - 1)
