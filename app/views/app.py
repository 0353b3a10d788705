"""One browser tab or window: find this device's data folder, open the `Client`, and show
sign-in or the signed-in shell, re-rendering when data or sync state change."""

from __future__ import annotations

import uuid
from pathlib import Path

import flet as ft

from app.client import Client
from app.views.shell import Shell
from app.views.signin import DemoAccounts, SignIn
from app.views.widgets import on


class Session:
    def __init__(self, page: ft.Page, client: Client, demo: DemoAccounts | None) -> None:
        self.page, self.client, self.demo = page, client, demo
        self.shell: Shell | None = None
        self._refresh_queued = False
        client.on_change(self._changed)

    def _changed(self) -> None:
        """Called on the loop after any change: one refresh at a time is enough."""
        if self.shell and not self._refresh_queued:
            self._refresh_queued = True
            self.page.run_task(self._refresh)

    async def _refresh(self) -> None:
        self._refresh_queued = False
        if self.shell:
            await self.shell.refresh()

    async def show(self) -> None:
        if self.client.user is None:
            self.shell = None
            self.page.appbar = self.page.navigation_bar = self.page.on_resize = None
            self.page.controls = [SignIn(self.page, self.client, self.demo, self.show).control]
            self.page.update()
            return
        self.shell = Shell(self.page, self.client, self._sign_out)
        self.shell.layout()
        await self.shell.refresh()

    async def _sign_out(self) -> None:
        await self.client.logout()
        await self.show()


async def device_folder(page: ft.Page, data_dir: Path) -> Path:
    """Each browser (or window) is a device with its own store, found again next time."""
    prefs = ft.SharedPreferences()
    device = await prefs.get("device_id")
    if not device:
        device = uuid.uuid4().hex
        await prefs.set("device_id", device)
    return data_dir / "devices" / str(device)


def make_main(data_dir: Path, server_url: str, demo: DemoAccounts | None):
    async def main(page: ft.Page) -> None:
        page.title = "Repairs Marketplace"
        page.theme = ft.Theme(color_scheme_seed=ft.Colors.TEAL)
        page.padding = 0
        client = await Client.open(await device_folder(page, data_dir), server_url)
        client.start_background_sync()
        connectivity = ft.Connectivity()
        connectivity.on_change = lambda _e: client.connectivity_changed()
        session = Session(page, client, demo)
        page.on_disconnect = on(client.close)
        page.data = (session, connectivity)  # keep the services alive with the page
        await session.show()

    return main
