"""An officer sets the landlord's own rules: targets, routes, weights, lines."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    go_to,
    open_app,
    see,
    shoot,
    sign_in_as,
    sync_status,
    sync_until,
    tap,
    type_into,
)

pytestmark = pytest.mark.e2e


def test_an_officer_changes_the_landlords_rules_and_bad_ones_are_explained(browser, app_url):
    officer = open_app(browser, app_url, "desktop")
    sign_in_as(officer, "Housing officer")
    go_to(officer, "Our rules")
    expect(sync_status(officer)).to_contain_text("Up to date")
    expect(officer.get_by_text("Your rules are on their way")).to_have_count(0)
    # Flutter's text fields do not show their text to the accessibility tree until typed
    # into, so the values shown are checked in the screenshots, and the save by its result.
    type_into(officer, "Urgent repairs (working days)", "3")
    type_into(officer, "Out-of-hours emergency line for residents", "020 7946 0123")
    tap(officer.get_by_role("button", name="Save our rules"))
    see(officer, re.compile("^Rules saved"))
    shoot(officer, "officer-rules")

    type_into(officer, "Emergencies: attend within (hours)", "30")
    tap(officer.get_by_role("button", name="Save our rules"))
    see(officer, re.compile("attend before making safe"))

    sync_until(officer, officer.get_by_text(re.compile("^Up to date")))
    go_to(officer, "Needs attention")
    see(officer, "Nothing needs your attention.")  # the server took the rules
