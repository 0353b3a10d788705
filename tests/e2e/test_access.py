"""Everyone can use it (issue 13): each role's main screens, read through Chromium's own
accessibility tree, have no control without a name, no two buttons of the same name, and
the screen on show marked in the navigation; they are drawn at the WCAG reflow width
(320 CSS px) and at 200% zoom on a 390 px phone (195 CSS px), screenshots kept under
tests/screenshots/access-*."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import (
    CHROMIUM,
    SHOTS,
    WAIT_MS,
    go_to,
    new_device,
    open_app,
    scroll_to,
    sign_in_as,
    tap,
    type_into,
)

pytestmark = pytest.mark.e2e

SCREENS = {
    "Resident": ["Report a repair", "My repairs", "Work with us", "Needs attention"],
    "Tradesperson": [
        "Job board",
        "My jobs",
        "My offers",
        "Done",
        "Getting paid",
        "Your details",
        "Needs attention",
    ],
    "Housing officer": [
        "Reports to triage",
        "Awarded jobs",
        "Extra work to approve",
        "Invoices",
        "Oversight",
        "Contractors",
        "Patterns",
        "Tradespeople",
        "Our rules",
        "Needs attention",
    ],
}
INTERACTIVE = {
    "button",
    "checkbox",
    "textbox",
    "searchbox",
    "combobox",
    "tab",
    "radio",
    "link",
    "menuitem",
    "slider",
    "switch",
    "spinbutton",
}
# The demo data holds different contractors with the same business name ("Eastside
# Plumbing Ltd" twice): the scorecard list names each by its business, as it must.
SAME_NAMES_ALLOWED = {"Contractors"}


def controls(page: Page) -> list[tuple[str, str, dict]]:
    """(role, accessible name, properties) of every control in Chromium's tree."""
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    found = []
    for node in nodes:
        role = (node.get("role") or {}).get("value")
        if node.get("ignored") or role not in INTERACTIVE:
            continue
        name = ((node.get("name") or {}).get("value") or "").strip()
        props = {p["name"]: (p.get("value") or {}).get("value") for p in node.get("properties", [])}
        found.append((role, name, props))
    return found


def problems(page: Page, screen: str) -> list[str]:
    """What a screen-reader or keyboard user would trip over on the screen as drawn."""
    found = controls(page)
    said = [f"{screen}: a {role} without a name" for role, name, _ in found if not name]
    said += [
        f"{screen}: a {role} called {name!r} that Tab never reaches"
        for role, name, props in found
        if role in {"button", "checkbox", "textbox"}
        and not props.get("focusable")
        and not props.get("disabled")
    ]
    if screen not in SAME_NAMES_ALLOWED:
        names = Counter(name for role, name, _ in found if role == "button" and name)
        said += [f"{screen}: {n} buttons called {name!r}" for name, n in names.items() if n > 1]
    return said


def marked(page: Page, screen: str, phone: bool) -> None:
    """The navigation marks the screen on show: the tab on a phone ("More" for those
    under it), the rail's destination (aria-current) on wider screens."""
    if phone:  # as many in the bar as its width holds, the rest under "More"
        shown = screen if page.get_by_role("tab", name=screen, exact=True).count() else "More"
        expect(page.get_by_role("tab", selected=True)).to_have_accessible_name(shown)
    else:
        current = page.locator("flt-semantics[aria-current=true][role=button]")
        expect(current.filter(has_text=re.compile(f"^{re.escape(screen)}"))).to_have_count(1)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def walk(page: Page, role: str, size: str, phone: bool = True) -> list[str]:
    """Every main screen of `role`: checked, its navigation marked, a screenshot taken."""
    titles = SCREENS[role]
    found: list[str] = []
    for screen in titles:
        go_to(page, screen)
        page.mouse.move(1, 200)  # no tooltip left over the navigation in the picture
        page.wait_for_timeout(1_500)
        marked(page, screen, phone)
        found += problems(page, screen)
        page.screenshot(path=SHOTS / f"access-{slug(screen)}-{size}.png")
        page.mouse.wheel(0, 600)  # what lies below the fold joins the tree once drawn
        page.wait_for_timeout(600)
        found += problems(page, screen)
    return found


def zoomed(browser: Browser, url: str) -> Page:
    """A 390 px phone at 200% zoom: 195 CSS px wide, everything drawn twice the size."""
    context = new_device(browser, viewport={"width": 195, "height": 422}, device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(url)
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
    page.locator("flt-semantics-placeholder").dispatch_event("click")
    page.get_by_role("button", name="Sign in", exact=True).wait_for()
    return page


def narrow(browser: Browser, url: str) -> Page:
    page = open_app(browser, url)
    page.set_viewport_size({"width": 320, "height": 640})
    return page


@pytest.fixture(autouse=True)
def shots_folder() -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert CHROMIUM


def test_sign_in_has_a_named_show_password_button_that_tab_reaches(browser, app_url):
    page = narrow(browser, app_url)
    assert problems(page, "Sign in") == []
    page.get_by_role("textbox", name="Password").focus()
    page.keyboard.press("Tab")
    show = page.get_by_role("button", name="Show password")
    expect(show).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Hide password")).to_be_visible()
    page.screenshot(path=SHOTS / "access-sign-in-320.png")
    page.context.close()


@pytest.mark.parametrize("role", list(SCREENS))
def test_every_main_screen_is_named_marked_and_reflows(browser, app_url, role):
    page = narrow(browser, app_url)
    sign_in_as(page, role)
    # The notice about the password store is one small line, hidden for good once read.
    got_it = page.get_by_role("button", name="Got it")
    if got_it.count():
        got_it.click()
        expect(got_it).to_have_count(0)
    found = walk(page, role, "320")
    page.context.close()

    big = zoomed(browser, app_url)
    sign_in_as(big, role)
    found += walk(big, role, "390-200")
    big.context.close()

    wide = open_app(browser, app_url, "tablet")
    sign_in_as(wide, role)
    for screen in SCREENS[role][:2]:
        go_to(wide, screen)
        marked(wide, screen, phone=False)
        found += problems(wide, screen)
    wide.context.close()
    assert found == []


def test_repeated_buttons_name_their_job_and_dropdowns_say_their_choice(browser, app_url):
    officer = narrow(browser, app_url)
    sign_in_as(officer, "Housing officer")
    post = officer.get_by_role("button", name=re.compile("^Post to marketplace: "))
    expect(post.first).to_be_visible()
    tap(officer.get_by_role("button", name="Filter and sort"))
    expect(officer.get_by_role("button", name=re.compile(r"^Status: \w"))).to_be_visible()
    officer.context.close()

    resident = narrow(browser, app_url)
    sign_in_as(resident, "Resident")
    kind = resident.get_by_role("button", name=re.compile(r"^What kind of repair\?"))
    scroll_to(resident, kind)
    expect(kind).to_have_accessible_name("What kind of repair?")
    # "More details" stops at the report's own limit and counts down to it.
    type_into(resident, "More details (optional)", "Dripping since Monday")
    expect(resident.get_by_text("1,979 characters remaining", exact=True)).to_be_visible()
    resident.context.close()


def test_put_forward_keeps_its_price_in_view_at_200_percent(browser, app_url):
    trade = zoomed(browser, app_url)
    sign_in_as(trade, "Tradesperson")
    offer = trade.get_by_role("button", name=re.compile("^Put yourself forward: "))
    expect(offer.first).to_be_visible()
    offer.first.click()
    dialog = trade.get_by_role("alertdialog")
    price = dialog.get_by_role("textbox", name="Your price in pounds")
    expect(price).to_be_in_viewport()
    expect(dialog.get_by_role("button", name="Send offer")).to_be_visible()
    trade.wait_for_timeout(800)  # the dialog has finished opening in the picture
    trade.screenshot(path=SHOTS / "access-put-forward-390-200.png")
    tap(dialog.get_by_role("button", name="Cancel"))
    expect(dialog).to_have_count(0)
    trade.context.close()
