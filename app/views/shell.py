"""The signed-in shell: the role's screens, navigation that fits the width (a bar at the
bottom on phones, a rail on tablets and desktops), the sync indicator, the offline
banner and the "Needs attention" list."""

from __future__ import annotations

import flet as ft

from app.client import Client
from app.domain.models import Role
from app.views import format as fmt
from app.views.officer import Triage
from app.views.resident import MyRepairs, ReportRepair
from app.views.trade import JobBoard, MyJobs
from app.views.widgets import empty, heading, on

SCREENS = {
    Role.RESIDENT: (ReportRepair, MyRepairs),
    Role.TRADESPERSON: (JobBoard, MyJobs),
    Role.OFFICER: (Triage,),
}
PHONE_WIDTH = 640


class NeedsAttention:
    title, icon = "Needs attention", ft.Icons.ERROR_OUTLINE

    def __init__(self, page: ft.Page, client: Client) -> None:
        self.page, self.client = page, client
        self.list = ft.Column(spacing=8)
        self.control = ft.Column(
            [
                heading("Needs attention"),
                ft.Text(
                    "Changes the server could not accept, and what to do next.",
                    color=ft.Colors.GREY_700,
                ),
                self.list,
            ],
            scroll=ft.ScrollMode.AUTO,
            expand=True,
        )

    async def refresh(self) -> None:
        self.list.controls = [
            ft.Card(
                ft.Container(
                    ft.Column(
                        [
                            ft.Text(p.action, weight=ft.FontWeight.W_600),
                            ft.Text(p.message),
                            ft.Text(p.what_next, color=ft.Colors.GREY_700, size=13),
                            ft.TextButton("Dismiss", on_click=on(self._dismiss, p.id)),
                        ],
                        spacing=4,
                    ),
                    padding=ft.Padding.all(14),
                )
            )
            for p in self.client.problems()
        ] or [empty("Nothing needs your attention.")]

    async def _dismiss(self, problem_id: int) -> None:
        await self.client.dismiss_problem(problem_id)


def sync_words(client: Client) -> tuple[str, ft.IconData, str]:
    """The indicator's text, icon and colour."""
    s = client.status()
    waiting = f"{s.pending} change{'s' if s.pending != 1 else ''} waiting to sync"
    last = f"Last synced {fmt.clock(s.last_sync)}" if s.last_sync else "Not synced yet"
    if s.online is False:
        return (
            f"Offline. {waiting if s.pending else last}",
            ft.Icons.CLOUD_OFF,
            ft.Colors.ORANGE_800,
        )
    if s.pending or s.uploads_waiting:
        return (
            waiting if s.pending else "Sending photos",
            ft.Icons.CLOUD_UPLOAD_OUTLINED,
            (ft.Colors.BLUE_700),
        )
    return f"All changes sent. {last}", ft.Icons.CLOUD_DONE_OUTLINED, ft.Colors.GREEN_700


class Shell:
    def __init__(self, page: ft.Page, client: Client, sign_out) -> None:
        self.page, self.client = page, client
        self.screens = [cls(page, client) for cls in SCREENS[client.user.role]]
        self.attention = NeedsAttention(page, client)
        self.index = 0
        self.sync_text = ft.Text(size=13, expand=True)
        self.sync_icon = ft.Icon(ft.Icons.CLOUD_OUTLINED, size=18)
        self.attention_button = ft.TextButton(on_click=self._show_attention, visible=False)
        self.banner = ft.Container(
            ft.Row(
                [
                    ft.Icon(ft.Icons.CLOUD_OFF, color=ft.Colors.WHITE),
                    ft.Text(
                        "You're offline. What you do is saved on this device and sent "
                        "when you have signal.",
                        color=ft.Colors.WHITE,
                        expand=True,
                    ),
                ]
            ),
            bgcolor=ft.Colors.ORANGE_800,
            padding=ft.Padding.symmetric(horizontal=16, vertical=8),
            visible=False,
        )
        self.body = ft.Container(
            padding=ft.Padding.symmetric(horizontal=16, vertical=8), expand=True
        )
        self.status_strip = ft.Container(
            ft.Row(
                [
                    self.sync_icon,
                    self.sync_text,
                    self.attention_button,
                ],
                spacing=6,
            ),
            padding=ft.Padding.symmetric(horizontal=16, vertical=4),
            bgcolor=ft.Colors.BLUE_GREY_50,
        )
        self.page.appbar = ft.AppBar(
            title=ft.Text(client.user.name, size=18),
            actions=[
                ft.IconButton(ft.Icons.REFRESH, tooltip="Sync now", on_click=self._sync_now),
                ft.IconButton(ft.Icons.LOGOUT, tooltip="Sign out", on_click=sign_out),
            ],
        )
        self.page.on_resize = self._resized

    @property
    def current(self):
        return self.attention if self.index >= len(self.screens) else self.screens[self.index]

    def layout(self) -> None:
        """Lay out for the current width; call again when the width changes."""
        phone = (self.page.width or 1024) < PHONE_WIDTH
        destinations = [(s.title, s.icon) for s in self.screens]
        content = ft.Column([self.banner, self.status_strip, self.body], spacing=0, expand=True)
        if phone:
            self.page.navigation_bar = (
                ft.NavigationBar(
                    destinations=[
                        ft.NavigationBarDestination(icon=i, label=t) for t, i in destinations
                    ],
                    selected_index=min(self.index, len(self.screens) - 1),
                    on_change=self._navigate,
                )
                if len(destinations) > 1
                else None
            )
            self.page.controls = [content]
        else:
            self.page.navigation_bar = None
            rail = ft.NavigationRail(
                destinations=[
                    ft.NavigationRailDestination(icon=i, label=t) for t, i in destinations
                ],
                selected_index=self.index if self.index < len(self.screens) else None,
                label_type=ft.NavigationRailLabelType.ALL,
                on_change=self._navigate,
            )
            self.page.controls = [ft.Row([rail, ft.VerticalDivider(width=1), content], expand=True)]
        self.body.content = self.current.control

    async def _resized(self, _e) -> None:
        self.layout()
        self.page.update()

    async def _navigate(self, e) -> None:
        self.index = e.control.selected_index
        self.layout()
        await self.refresh()

    async def _show_attention(self, _e) -> None:
        self.index = len(self.screens)
        self.layout()
        await self.refresh()

    async def _sync_now(self, _e) -> None:
        self.client.connectivity_changed()

    async def refresh(self) -> None:
        """Show the latest sync state and reload the current screen's data."""
        text, icon, colour = sync_words(self.client)
        self.sync_text.value, self.sync_icon.icon = text, icon
        self.sync_text.color = self.sync_icon.color = colour
        self.sync_icon.tooltip = text
        status = self.client.status()
        self.banner.visible = status.online is False
        self.attention_button.content = f"Needs attention ({status.problems})"
        self.attention_button.visible = status.problems > 0
        await self.current.refresh()
        self.page.update()
