"""Browser tests: the real app (`python -m app --web`) with its bundled server and demo
data, driven in Debian's headless Chromium through Flutter's accessibility tree."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "tests" / "screenshots"
SIZES = {"phone": (390, 844), "tablet": (820, 1180), "desktop": (1440, 900)}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture(scope="session")
def app_url(tmp_path_factory) -> Iterator[str]:
    port = free_port()
    data = tmp_path_factory.mktemp("app-data")
    env = {**os.environ, "FLET_FORCE_WEB_SERVER": "1"}
    env.pop("DISPLAY", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "--web", "--port", str(port), "--data", str(data)],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.25)
    else:
        proc.kill()
        raise RuntimeError("the app did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")  # Playwright's loop must end before async tests run
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_app(browser: Browser, url: str, size: str = "phone") -> Page:
    """A new device (its own browser storage), with Flutter's semantics switched on."""
    width, height = SIZES[size]
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(url)
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
    page.locator("flt-semantics-placeholder").dispatch_event("click")
    page.get_by_role("button", name="Sign in", exact=True).wait_for(timeout=30_000)
    return page


def sign_in_as(page: Page, role: str) -> None:
    page.get_by_role("button", name=re.compile(f"Sign in as {role}")).click()


def shoot(page: Page, name: str) -> None:
    """Screenshots at phone, tablet and desktop sizes, for a person to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(700)  # the shell re-lays out on resize
        page.screenshot(path=SHOTS / f"{name}-{size}.png")
    page.set_viewport_size({"width": SIZES["phone"][0], "height": SIZES["phone"][1]})
    page.wait_for_timeout(500)


def see(page: Page, text: str | re.Pattern) -> None:
    """The text is on screen (a SnackBar is also announced to screen readers: either will do)."""
    expect(page.get_by_text(text).first).to_be_visible(timeout=15_000)


def type_into(page: Page, label: str, text: str) -> None:
    """Type as a person does: tap the field, clear it, type."""
    box = page.get_by_role("textbox", name=label)
    box.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    page.keyboard.type(text)
    expect(box).to_have_value(text)
