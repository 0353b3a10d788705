"""Without signal: the app says it is offline, keeps what the resident does on the device,
says it is waiting, and sends it when the server can be reached again. The app runs
against a separate server process here, so that the server can be stopped and started."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import free_port
from tests.e2e.conftest import (
    Process,
    app_process,
    card,
    go_to,
    open_app,
    report_repair,
    see,
    send_report,
    shoot,
    sync_status,
    tap,
    type_into,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Process]:
    root = tmp_path_factory.mktemp("server")
    port = free_port()
    command = ["-m", "server_stub", "--db", f"sqlite:///{root / 'server.db'}"]
    command += ["--blobs", str(root / "blobs"), "--port", str(port)]
    server = Process(command, f"http://127.0.0.1:{port}/v1/health", root / "server.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def app_url(server, tmp_path_factory) -> Iterator[str]:
    server_url = server.ready_url.removesuffix("/v1/health")
    app, url = app_process(tmp_path_factory.mktemp("app-data"), "--server", server_url)
    app.start()
    yield url
    app.stop()


def sign_in_as_resident(page: Page) -> None:
    type_into(page, "Email address", "resident@demo.test")
    type_into(page, "Password", "demo")
    tap(page.get_by_role("button", name="Sign in", exact=True))
    expect(sync_status(page)).to_contain_text("Up to date")


def lose_signal(page: Page, server: Process) -> None:
    server.stop()
    tap(page.get_by_role("button", name="Sync now"))
    expect(sync_status(page)).to_contain_text("Offline")
    see(page, re.compile("^You're offline"))


def report(page: Page, title: str) -> None:
    report_repair(page, title, where="Living room", what="Window broken or won't close")
    send_report(page)


def test_a_repair_reported_without_signal_waits_on_the_device_then_is_sent(
    browser, server, app_url
):
    page = open_app(browser, app_url)
    # With a real server, no demo sign-ins are offered: the resident types theirs.
    expect(page.get_by_role("button", name=re.compile("^Sign in as"))).to_have_count(0)
    sign_in_as_resident(page)
    lose_signal(page, server)

    report(page, "Bedroom window won't shut")
    see(page, "Repair reported. Saved on this device. It will be sent when you have signal.")
    expect(sync_status(page)).to_contain_text("Offline. 1 change waiting to sync")
    shoot(page, "resident-offline")

    server.start()
    tap(page.get_by_role("button", name="Sync now"))
    expect(sync_status(page)).to_contain_text("Up to date")
    expect(page.get_by_text(re.compile("^You're offline"))).to_have_count(0)
    go_to(page, "My repairs")
    expect(card(page, "Bedroom window won't shut")).to_be_visible()
    expect(card(page, "Bedroom window won't shut", says="Waiting to sync")).to_have_count(0)


def test_my_repairs_shows_a_repair_made_without_signal_as_waiting_to_sync(browser, server, app_url):
    page = open_app(browser, app_url)
    sign_in_as_resident(page)
    lose_signal(page, server)
    try:
        report(page, "Hallway light flickering")
        go_to(page, "My repairs")
        expect(card(page, "Hallway light flickering", says="Waiting to sync")).to_be_visible()
    finally:
        server.start()
