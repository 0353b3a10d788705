"""Browser tests: the real app (`python -m app --web`) with its bundled server and demo
data, driven in Debian's headless Chromium through Flutter's accessibility tree.

Each test module gets one app process; each `open_app` is a new browser context, so a new
device with its own local store, as a second phone would be."""

from __future__ import annotations

import asyncio
import io
import os
import re
import subprocess
import sys
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from app.client import Client
from server_stub.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.conftest import copy_database, free_port

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "tests" / "screenshots"
SIZES = {"phone": (390, 844), "tablet": (820, 1180), "desktop": (1440, 900)}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
WAIT_MS = 20_000
T = TypeVar("T")


class Process:
    """A child process (the app, or a server on its own) that is ready once `ready_url`
    answers; it can be stopped and started again on the same port."""

    def __init__(self, args: list[str], ready_url: str, log: Path) -> None:
        self.args, self.ready_url, self.log = args, ready_url, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
        with self.log.open("a") as out:
            self.proc = subprocess.Popen(
                [sys.executable, *self.args], cwd=ROOT, env=env, stdout=out, stderr=out
            )
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(self.ready_url, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.args} did not start:\n{self.log.read_text()}")
            time.sleep(0.25)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:  # a web server still draining open connections
                self.proc.kill()
                self.proc.wait(timeout=10)


def app_process(data: Path, *args: str) -> tuple[Process, str]:
    """`python -m app --web` on a free port, keeping its data in `data`."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = ["-m", "app", "--web", "--port", str(port), "--data", str(data), *args]
    return Process(command, url, data / "app.log"), url


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, seeded_server_db) -> Iterator[str]:
    """The app with its bundled demo server, shared by one module's tests. Its server
    starts from a copy of the demo data seeded once for the session (seeding, with its
    password hashes, would cost each module's app seconds)."""
    data = tmp_path_factory.mktemp("app-data")
    (data / "server").mkdir()
    copy_database(seeded_server_db, data / "server" / "marketplace.db")
    app, url = app_process(data)
    app.start()
    yield url
    app.stop()


@pytest.fixture(scope="module")  # Playwright's loop must end before other async tests run
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Flutter's web engine drops a click on an accessibility node that comes within 500 ms of
# pointer activity (a mouse move, a wheel, a real tap): `tap` waits that out, timed here.
POINTER_CLOCK = """
for (const type of ["pointerdown", "pointermove", "pointerup", "mousedown", "mousemove",
                    "mouseup", "wheel", "touchstart", "touchend"]) {
  window.addEventListener(type, () => { window.__lastPointer = performance.now(); }, true);
}
"""


def new_device(browser: Browser, **options: Any) -> BrowserContext:
    """A browser context (its own storage: a device of its own) that times pointer use."""
    context = browser.new_context(**options)
    context.add_init_script(POINTER_CLOCK)
    return context


def open_app(browser: Browser, url: str, size: str = "phone") -> Page:
    """A new device (its own browser storage), with Flutter's semantics switched on."""
    width, height = SIZES[size]
    page = new_device(browser, viewport={"width": width, "height": height}).new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(url)
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
    # The placeholder sits outside the viewport: a DOM click, not a pointer click.
    page.locator("flt-semantics-placeholder").dispatch_event("click")
    page.get_by_role("button", name="Sign in", exact=True).wait_for()
    return page


def sign_in_as(page: Page, role: str) -> None:
    tap(page.get_by_role("button", name=re.compile(f"^Sign in as {role}")))
    # A password check costs the server a tenth of a second alone, seconds on a busy CI.
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=WAIT_MS)


def go_to(page: Page, screen: str) -> None:
    """Navigation is a tab bar on phones (the rest under "More") and a rail (buttons) on
    wider screens."""
    tab = page.get_by_role("tab", name=screen)
    more = page.get_by_role("tab", name="More")
    if tab.count():
        tab.click()
    elif more.count():  # a phone with more screens than its bar holds
        more.click()
        tap(page.get_by_role("alertdialog").get_by_role("button", name=screen))
    else:
        tap(page.get_by_role("button", name=re.compile(f"^{screen}")))


def card(page: Page, title: str, says: str | None = None) -> Locator:
    """A job card: a group named by the job's title; with `says`, only if it shows that
    text. A card's text is DOM text, or, in a card with buttons, the name of a group
    inside it: Flutter merges the texts around buttons into one node."""
    found = page.get_by_role("group", name=title, exact=True)
    if says is None:
        return found
    inner = page.get_by_role("group", name=re.compile(re.escape(says)))
    return found.filter(has_text=says).or_(found.filter(has=inner))


def scroll_to(page: Page, target: Locator, steps: int = 14) -> None:
    """Scroll the screen until `target` is drawn: Flutter leaves what is off screen out of
    the accessibility tree, so a card below the fold cannot be found until scrolled to."""
    page.mouse.move(200, 400)
    for _ in range(steps):
        if target.count():
            break
        page.mouse.wheel(0, 500)
        page.wait_for_timeout(300)
    expect(target.first).to_be_visible()


def shoot(page: Page, name: str) -> None:
    """Screenshots at phone, tablet and desktop sizes, for a person to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(800)  # the shell lays out again for the new width
        page.screenshot(path=SHOTS / f"{name}-{size}.png")
    page.set_viewport_size(dict(zip(("width", "height"), SIZES["phone"], strict=True)))
    page.wait_for_timeout(500)


def sync_status(page: Page) -> Locator:
    """The sync indicator in the app bar."""
    return page.locator("[flt-semantics-identifier=sync-status]")


def see(page: Page, text: str | re.Pattern) -> None:
    expect(page.get_by_text(text).first).to_be_visible()


def settle(target: Locator, tries: int = 20) -> None:
    """Wait until `target` stops moving: a tap is aimed where the element is drawn, and a
    page still scrolling or laying out (an error line appearing above) moves it away, so
    the tap lands on whatever comes under it (a checkbox, another field)."""
    target.scroll_into_view_if_needed()
    last = None
    for _ in range(tries):
        box = target.bounding_box()
        if box is not None and box == last:
            return
        last = box
        target.page.wait_for_timeout(150)


def tap(target: Locator, then: Locator | None = None, tries: int = 3) -> None:
    """Tap a control through its semantics node (a DOM click, which Flutter turns into the
    control's tap action): it reaches the control even while a snack bar lies over it or
    the page still moves, where a pointer tap lands on whatever is drawn on top. Flutter
    ignores such a click within 500 ms of pointer activity, so that is waited out first;
    a control below the fold is scrolled to (until drawn it is not in the tree).

    With `then`, what the tap must bring: a tap that arrives just as the screen is redrawn
    after a sync reaches a control that is being replaced and is lost, so while `then`
    has not come and the control is still there, it is tapped again."""
    page = target.page
    if not target.count():
        scroll_to(page, target)
    for attempt in range(tries):
        target.wait_for()
        page.wait_for_function("performance.now() - (window.__lastPointer || -1e9) > 600")
        target.dispatch_event("click")
        if then is None:
            return
        try:
            expect(then.first).to_be_visible(timeout=5_000)
            return
        except AssertionError:
            if attempt == tries - 1 or not target.count():
                raise


def send_report(page: Page) -> None:
    """Send the report form, and see it taken."""
    tap(
        page.get_by_role("button", name="Send repair report"),
        then=page.get_by_text(re.compile(r"^Repair reported\.")),
    )


_TYPED: dict[int, tuple[str, str]] = {}  # by page: the field last typed into, and its text


def type_into(page: Page, label: str, text: str, check_last: bool = True) -> None:
    """Type as a person does: into the field, over what is there. The field is focused
    through its semantics rather than tapped (a tap while the form still scrolls lands on
    whatever is under it), and scrolled to first when it is below the fold. A field that
    redraws as it is focused (an error clearing) can drop the selection: then again."""
    box = page.get_by_role("textbox", name=label)
    if not box.count():  # below the fold: Flutter leaves it out of the tree until drawn
        scroll_to(page, box)
    for _ in range(3):
        box.focus()
        try:
            expect(box).to_be_focused(timeout=3_000)
        except AssertionError:
            settle(box)
            box.click()
        page.keyboard.press("Control+A")
        page.keyboard.press("Delete")
        page.keyboard.type(text)
        try:
            expect(box).to_have_value(text, timeout=3_000)
            break
        except AssertionError:
            continue
    expect(box).to_have_value(text)
    # Keys typed just as the focus moves can still reach the field typed into before
    # (Flutter's text input moves after the page's focus): then that one is typed again.
    last = _TYPED.get(id(page))
    _TYPED[id(page)] = (label, text)
    if check_last and last and last[0] != label:
        before = page.get_by_role("textbox", name=last[0])
        leaked = (last[1] + text, text)  # what the keys meant for this field make of it
        if before.count() == 1 and before.input_value() in leaked and last[1] != text:
            type_into(page, *last, check_last=False)
            _TYPED[id(page)] = (label, text)


def choose(page: Page, dropdown: str, option: str) -> None:
    """Open a dropdown and pick `option`. A tap that arrives while a dialog is still
    closing or the form still moving opens nothing: then tap again."""
    # Named by its label, and by the option chosen once there is one ("Trade: Plumbing").
    button = page.get_by_role("button", name=re.compile(rf"^{re.escape(dropdown)}(: .+)?$"))
    if not button.count():
        scroll_to(page, button)
    choice = page.get_by_role("button", name=option, exact=True)
    for _ in range(3):
        settle(button)
        button.click()
        try:
            expect(choice.first).to_be_visible(timeout=4_000)
            break
        except AssertionError:
            page.keyboard.press("Escape")
    choice.first.click()


def attach_photo(page: Page, button: str, colour: tuple[int, int, int]) -> None:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), colour).save(out, "JPEG")
    target = page.get_by_role("button", name=button)
    for attempt in range(3):  # a tap on a page still scrolling can miss the button
        settle(target)
        try:
            with page.expect_file_chooser(timeout=10_000) as chooser:
                target.click()
            break
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
    chooser.value.set_files(
        files=[{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}]
    )
    expect(page.get_by_role("img", name="Photo 1", exact=True)).to_be_visible()


def sync_until(page: Page, target: Locator, tries: int = 10) -> None:
    """Another device's change arrives with a pull: tap "Sync now" until it shows."""
    for _ in range(tries):
        tap(page.get_by_role("button", name="Sync now"))
        try:
            expect(target.first).to_be_visible(timeout=2_000)
            return
        except AssertionError:
            continue
    expect(target.first).to_be_visible()


def start_visit(trade: Page, title: str, before: tuple[int, int, int] | None = None) -> None:
    """Start the visit on `title`'s card, with a "before" photo of `before`'s colour."""
    tap(card(trade, title).get_by_role("button", name="Start visit"))
    if before:
        attach_photo(trade, "Add photos before you start", before)
    tap(trade.get_by_role("alertdialog").get_by_role("button", name="Start visit"))
    see(trade, re.compile(r"^Visit started\."))


def confirm_award(officer: Page, business: str | None = None) -> None:
    """An award is confirmed in a second dialog that names the tradesperson and price."""
    confirm = officer.get_by_role("alertdialog")
    if business:
        expect(
            confirm.get_by_text(re.compile(f"^Award to {re.escape(business)} for £"))
        ).to_be_visible()
    tap(confirm.get_by_role("button", name="Award job"))


def post_job(officer: Page, title: str, priority: str = "Urgent (5 working days)") -> None:
    """The officer posts a new report to the marketplace with `priority`."""
    tap(card(officer, title).get_by_role("button", name="Post to marketplace"))
    officer.get_by_role("radio", name=priority).click()
    tap(officer.get_by_role("alertdialog").get_by_role("button", name="Post job"))
    expect(card(officer, title, says="0 offers")).to_be_visible()


def put_forward(trade: Page, title: str, pounds: str) -> None:
    """The tradesperson offers on a job from the board, earliest visit as offered."""
    tap(card(trade, title).get_by_role("button", name="Put yourself forward"))
    type_into(trade, "Your price in pounds", pounds)
    tap(trade.get_by_role("alertdialog").get_by_role("button", name="Send offer"))


# -- a server of its own, and devices driven beside the browser -------------------------


@pytest.fixture(scope="module")
def own_server(tmp_path_factory, seeded_server_db) -> Iterator[Process]:
    root = tmp_path_factory.mktemp("server")
    copy_database(seeded_server_db, root / "server.db")
    port = free_port()
    command = ["-m", "server_stub", "--db", f"sqlite:///{root / 'server.db'}"]
    command += ["--blobs", str(root / "blobs"), "--port", str(port)]
    server = Process(command, f"http://127.0.0.1:{port}/v1/health", root / "server.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def app_on_own_server(own_server, tmp_path_factory) -> Iterator[str]:
    server_url = own_server.ready_url.removesuffix("/v1/health")
    app, url = app_process(tmp_path_factory.mktemp("app-data"), "--server", server_url)
    app.start()
    yield url
    app.stop()


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run devices' async code beside Playwright's own loop (on a thread of its own)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def jpeg(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(out, "JPEG")
    return out.getvalue()


async def device(folder: Path, url: str, role: str) -> Client:
    client = await Client.open(folder / role, url)
    await client.login(DEMO_ACCOUNTS[role], DEMO_PASSWORD)
    await client.sync()
    return client


def sign_in_with(page: Page, role: str) -> None:
    type_into(page, "Email address", DEMO_ACCOUNTS[role])
    type_into(page, "Password", DEMO_PASSWORD)
    tap(page.get_by_role("button", name="Sign in", exact=True))
    expect(sync_status(page)).to_contain_text("Up to date", timeout=WAIT_MS)  # a busy CI


def report_repair(
    page: Page,
    title: str,
    where: str | None = None,
    what: str | None = None,
    trade: str | None = None,
    room: str | None = None,
) -> None:
    """Fill in the resident's guided report up to Send: where and what (which choose the
    kind of repair and the room), or the kind of repair itself when `trade` is given; the
    title; and the room in the resident's own words when `room` is given."""
    if where:
        choose(page, "Where is the problem?", where)
    if what:
        choose(page, "What is the problem?", what)
        see(page, re.compile("^This goes to a tradesperson for"))
    if trade:
        choose(page, "What kind of repair?", trade)
    type_into(page, "What's wrong?", title)
    if room:
        type_into(page, "Where in your home?", room)


def keep_in_docs(name: str, sizes: tuple[str, ...] = ("tablet", "phone")) -> None:
    """Copy `shoot`'s screenshots of `name` to docs/, where the README shows them."""
    docs = ROOT / "docs"
    docs.mkdir(exist_ok=True)
    for size in sizes:
        (docs / f"{name}-{size}.png").write_bytes((SHOTS / f"{name}-{size}.png").read_bytes())


def text_size(page: Page, percent: int) -> None:
    """The browser's text size (Flutter on the web reads the page's root font size), as a
    person who needs larger text sets it: 200 for 200%."""
    page.evaluate(f"document.documentElement.style.fontSize = '{16 * percent // 100}px'")
    page.wait_for_timeout(800)
