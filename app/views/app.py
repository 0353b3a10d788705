"""Browser tabs and windows: each finds its device's data folder, shares that device's one
`Client`, and shows sign-in or the signed-in shell, re-rendering when data or sync state
change.

A device's `Client` lives as long as the process, not as long as a tab: a page reload, a
dropped connection to the screen and a second tab of the same browser all meet the same
open client. It is closed only when the last tab of that device has expired."""

from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path

import flet as ft
from flet_secure_storage import SecureStorage

from app.client import Client
from app.views import theme
from app.views.shell import Shell
from app.views.signin import DemoAccounts, SignIn
from app.views.widgets import guarded, on

log = logging.getLogger(__name__)

BACKGROUND = {
    ft.AppLifecycleState.HIDE,
    ft.AppLifecycleState.PAUSE,
    ft.AppLifecycleState.DETACH,
}


class Session:
    """One tab or window showing one device."""

    def __init__(self, page: ft.Page, client: Client, demo: DemoAccounts | None) -> None:
        self.page, self.client, self.demo = page, client, demo
        self.shell: Shell | None = None
        self.shown_user: str | None = None
        self.in_background = False
        self._refresh_queued = False

    def changed(self) -> None:
        """Called on the loop after any change: one refresh at a time is enough. A tab
        that is reconnecting has no screen to draw on; it redraws when it is back."""
        if self.page.session.connection is None:
            return
        if not self._refresh_queued:
            self._refresh_queued = True
            self.page.run_task(self._refresh)

    async def _refresh(self) -> None:
        self._refresh_queued = False
        user = self.client.user.id if self.client.user else None
        if user != self.shown_user:  # signed in or out in another tab of this device
            await self.show()
        elif self.shell:
            await self.shell.refresh()

    async def show(self) -> None:
        self.shown_user = self.client.user.id if self.client.user else None
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


class Devices:
    """The open `Client` of each device folder, and the tabs showing it."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self._clients: dict[Path, Client] = {}
        self._sessions: dict[Path, set[Session]] = {}
        self._lock = asyncio.Lock()

    async def attach(self, folder: Path, make_session, secure_storage=None) -> Session:
        async with self._lock:  # two tabs opening at once must not open the store twice
            client = self._clients.get(folder)
            if client is None:
                client = await Client.open(folder, self.server_url, secure_storage)
                client.start_background_sync()
                self._clients[folder] = client
            session = make_session(client)
            self._sessions.setdefault(folder, set()).add(session)
            client.on_change(session.changed)
            return session

    async def detach(self, folder: Path, session: Session) -> None:
        """A tab has expired; the last one to go closes the device's client."""
        async with self._lock:
            session.client.off_change(session.changed)
            sessions = self._sessions.get(folder, set())
            sessions.discard(session)
            if not sessions and folder in self._clients:
                del self._sessions[folder]
                await self._clients.pop(folder).close()

    def lifecycle(self, folder: Path, session: Session, state: ft.AppLifecycleState) -> None:
        """Sync while any tab of the device is in front; pause while all are away."""
        session.in_background = state in BACKGROUND
        if all(s.in_background for s in self._sessions.get(folder, ())):
            session.client.pause_sync()
        else:
            session.client.resume_sync()


async def device_folder(page: ft.Page, data_dir: Path) -> Path:
    """Each browser (or window) is a device with its own store, found again next time."""
    prefs = ft.SharedPreferences()
    device = await prefs.get("device_id")
    if not device:
        device = uuid.uuid4().hex
        await prefs.set("device_id", device)
    return data_dir / "devices" / str(device)


def make_main(data_dir: Path, server_url: str, demo: DemoAccounts | None):
    devices = Devices(server_url)

    async def main(page: ft.Page) -> None:
        page.title = "Repairs Marketplace"
        theme.apply(page)
        page.padding = 0
        folder = await device_folder(page, data_dir)
        # On a phone the sign-in is kept in its Keychain or Keystore; elsewhere the keyring.
        phone = bool(page.platform and page.platform.is_mobile()) and not page.web
        storage = SecureStorage() if phone else None
        session = await devices.attach(folder, lambda client: Session(page, client, demo), storage)
        client = session.client
        connectivity = ft.Connectivity()
        connectivity.on_change = lambda _e: client.connectivity_changed()

        async def reconnected() -> None:
            # A reload or a returning connection: the tab is in front again, and the world
            # may have moved on meanwhile.
            devices.lifecycle(folder, session, ft.AppLifecycleState.SHOW)
            client.connectivity_changed()
            await session.show()

        page.on_connect = on(reconnected)
        page.on_close = on(devices.detach, folder, session)
        page.on_app_lifecycle_state_change = guarded(
            lambda e: devices.lifecycle(folder, session, e.state)
        )
        page.data = (session, connectivity, storage)  # keep the services alive with the page
        await session.show()

    return main
