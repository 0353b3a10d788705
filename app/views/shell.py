"""The signed-in shell: the role's screens, navigation that fits the width (a bar at the
bottom on phones, a rail on tablets and desktops), the sync indicator in the app bar, the
offline banner and the "Needs attention" list of changes the server refused."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import flet as ft

from app.client import Client, SyncStatus
from app.credentials import MEMORY_ONLY_NOTICE
from app.domain.models import Role, User
from app.views import format as fmt
from app.views import theme
from app.views.invoices import GettingPaid, Invoices
from app.views.joining import WorkWithUs, YourDetails
from app.views.landlord_rules import OurRules
from app.views.officer import AwardedJobs, ExtrasToApprove, Triage
from app.views.oversight import OversightScreen
from app.views.resident import MyRepairs, ReportRepair
from app.views.scorecards import Contractors, Patterns
from app.views.trade import Done, JobBoard, MyJobs, MyOffers
from app.views.vetting import Tradespeople
from app.views.widgets import (
    NARROW_DIALOG,
    ListScreen,
    Screen,
    distinct_names,
    empty,
    guarded,
    icon_action,
    job_cards,
    mark_fresh,
    on,
)

log = logging.getLogger(__name__)

SCREENS: dict[Role, tuple[type[Screen], ...]] = {
    Role.RESIDENT: (ReportRepair, MyRepairs, WorkWithUs),
    Role.TRADESPERSON: (JobBoard, MyJobs, MyOffers, Done, GettingPaid, YourDetails),
    Role.OFFICER: (
        Triage,
        AwardedJobs,
        ExtrasToApprove,
        Invoices,
        OversightScreen,
        Contractors,
        Patterns,
        Tradespeople,
        OurRules,
    ),
}
BAR_MOST = 5  # destinations a phone's navigation bar holds before "More"
BAR_SLOT = 64  # the least width a destination needs to keep its label's words whole
MORE = "More"
PHONE_WIDTH = 640  # below this: a phone, with the navigation bar at the bottom
CONTENT_WIDTH = 820  # wider screens keep lines short enough to read
RAIL_ALLOWANCE = 140  # the navigation rail and the margins beside the content
# Notices as the shell says them: short, as they sit above every screen until hidden.
SHORT_NOTICES = {
    MEMORY_ONLY_NOTICE: "You'll need to sign in again next time you open the app.",
}


def screens_for(user: User) -> list[type[Screen]]:
    """The person's screens: their role's, and a resident's too for a tradesperson who
    lives in one of the landlord's homes (`User.roles`)."""
    screens = list(SCREENS[user.role])
    if user.role is not Role.RESIDENT and Role.RESIDENT in user.roles:
        screens += [s for s in SCREENS[Role.RESIDENT] if s is not WorkWithUs]
    return screens


def approval_order(screens: list[Screen], approved: bool) -> list[Screen]:
    """A tradesperson not approved yet starts at "Your details"; once approved, at the job
    board with their details after their work."""
    details = [s for s in screens if isinstance(s, YourDetails)]
    others = [s for s in screens if not isinstance(s, YourDetails)]
    if approved:
        trade = [s for s in others if isinstance(s, JobBoard | MyJobs | MyOffers | Done)]
        rest = [s for s in others if s not in trade]
        return [*trade, *details, *rest]
    return [*details, *others]


class NeedsAttention(ListScreen):
    title, icon = "Needs attention", ft.Icons.REPORT_PROBLEM_OUTLINED

    def __init__(self, page: ft.Page, client: Client) -> None:
        super().__init__(page, client, "Changes the server could not accept, and what to do next.")

    async def refresh(self) -> None:
        self.list.controls = [
            ft.Card(
                ft.Container(
                    ft.Column(
                        [
                            ft.Text(p.action, weight=ft.FontWeight.W_600),
                            ft.Text(p.message),
                            ft.Text(p.what_next, color=theme.MUTED, size=13),
                            ft.Text(
                                f"{fmt.day(p.created_at)} at {fmt.clock(p.created_at)}",
                                color=theme.MUTED,
                                size=12,
                            ),
                            ft.TextButton(
                                "Dismiss", on_click=on(self.client.dismiss_problem, p.id)
                            ),
                        ],
                        spacing=4,
                    ),
                    padding=ft.Padding.all(14),
                )
            )
            for p in self.client.problems()
        ] or [empty("Nothing needs your attention.")]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def sync_words(s: SyncStatus) -> tuple[str, ft.IconData, str]:
    """The indicator's sentence, icon and colour: never 'sent' while anything waits."""
    waiting = f"{_count(s.pending, 'change')} waiting to sync"
    last = f"Last synced {fmt.clock(s.last_sync)}" if s.last_sync else "Not synced yet"
    news = waiting if s.pending else last
    if s.online is False:
        return f"Offline. {news}", ft.Icons.CLOUD_OFF, theme.SYNC_COLOURS["trouble"]
    if s.error:
        return f"Can't sync just now. {news}", ft.Icons.SYNC_PROBLEM, theme.SYNC_COLOURS["trouble"]
    if s.pending:
        return waiting, ft.Icons.CLOUD_UPLOAD_OUTLINED, theme.SYNC_COLOURS["waiting"]
    if s.uploads_waiting:
        return (
            f"Sending {_count(s.uploads_waiting, 'photo')}",
            ft.Icons.CLOUD_UPLOAD_OUTLINED,
            theme.SYNC_COLOURS["waiting"],
        )
    if s.online is None:
        return "Connecting to the server", ft.Icons.CLOUD_OUTLINED, theme.SYNC_COLOURS["connecting"]
    return f"Up to date. {last}", ft.Icons.CLOUD_DONE_OUTLINED, theme.SYNC_COLOURS["ok"]


def strip(icon: ft.IconData, text: ft.Text, colour: str, *extra: ft.Control) -> ft.Container:
    """A full-width band above the screen, hidden until there is something to say."""
    return ft.Container(
        ft.Row([ft.Icon(icon, color=theme.ON_COLOUR, size=18), text, *extra]),
        bgcolor=colour,
        padding=ft.Padding.symmetric(horizontal=16, vertical=6),
        visible=False,
    )


class Shell:
    def __init__(
        self, page: ft.Page, client: Client, sign_out: Callable[[], Awaitable[None]]
    ) -> None:
        assert client.user is not None
        self.page, self.client, self.sign_out = page, client, sign_out
        self.screens: list[Screen] = [cls(page, client) for cls in screens_for(client.user)]
        self._approved: bool | None = None  # as the screens were last ordered (tradespeople)
        self.screens.append(NeedsAttention(page, client))
        for screen in self.screens:
            screen.navigate = self.go
        self.index = 0
        self._refreshing = asyncio.Lock()
        self.fresh: set[str] = set()  # jobs marked "New or updated" on the screen on show
        self._laid_out: tuple[bool, bool, int] = (False, False, BAR_MOST)
        self.bar_most = BAR_MOST
        self.attention_icon = ft.Icon(NeedsAttention.icon)

        # Its own width, beside the icons, never under them: cut short with "..." when text
        # is very large (the words stay in the accessibility tree, and on the Sync button).
        self.sync_text = ft.Text(
            size=12, max_lines=1, overflow=ft.TextOverflow.ELLIPSIS, expand=True
        )
        self.sync_icon = ft.Icon(ft.Icons.CLOUD_OUTLINED, size=14)
        self.offline = strip(
            ft.Icons.CLOUD_OFF,
            ft.Text(
                "You're offline. What you do is saved on this device and sent when you "
                "have signal.",
                color=theme.ON_COLOUR,
                expand=True,
            ),
            theme.BANNERS["offline"],
        )
        self.notice_text = ft.Text(color=theme.ON_COLOUR, expand=True, size=12)
        self.notice_hidden = False
        # Small: one or two short lines and its button, no icon, even at 200% zoom.
        self.notice = ft.Container(
            ft.Row(
                [
                    self.notice_text,
                    ft.TextButton(
                        "Got it",
                        on_click=on(self._hide_notice),
                        style=ft.ButtonStyle(
                            color=theme.ON_COLOUR,
                            padding=ft.Padding.symmetric(horizontal=8),
                            visual_density=ft.VisualDensity.COMPACT,
                        ),
                    ),
                ],
                spacing=4,
            ),
            bgcolor=theme.BANNERS["notice"],
            padding=ft.Padding.only(left=16, right=8, top=2, bottom=2),
            visible=False,
        )
        self.load_error = ft.Text(color=theme.RED, visible=False)
        self.body = ft.Container(padding=ft.Padding.symmetric(horizontal=16, vertical=8))
        self.column = ft.Column(
            [
                self.offline,
                self.notice,
                ft.Row(
                    [self.body],
                    alignment=ft.MainAxisAlignment.CENTER,
                    vertical_alignment=ft.CrossAxisAlignment.STRETCH,
                    expand=True,
                ),
            ],
            spacing=0,
            expand=True,
        )
        page.appbar = ft.AppBar(
            title=ft.Column(
                [
                    ft.Text(
                        client.user.name,
                        size=17,
                        weight=ft.FontWeight.W_600,
                        max_lines=1,
                        overflow=ft.TextOverflow.ELLIPSIS,
                    ),
                    ft.Semantics(
                        content=ft.Row([self.sync_icon, self.sync_text], spacing=4),
                        # Not a live region: "Last synced" every half minute is noise.
                        identifier="sync-status",
                    ),
                ],
                spacing=0,
                tight=True,
            ),
            actions=[
                icon_action(ft.Icons.SYNC, "Sync now", on(self._sync_now)),
                icon_action(ft.Icons.LOGOUT, "Sign out", on(self._ask_sign_out)),
            ],
        )
        page.on_resize = on(self._resized)

    @property
    def current(self) -> Screen:
        return self.screens[self.index]

    def _shape(self) -> tuple[bool, bool, int]:
        """(a phone?, wide enough to cap the line length?, destinations the bar holds) for
        the current width: a 320 px phone holds five, one zoomed to 200% (195 px) three."""
        width = self.page.width or 1024
        bar = max(3, min(BAR_MOST, int(width // BAR_SLOT)))
        return width < PHONE_WIDTH, width >= CONTENT_WIDTH + RAIL_ALLOWANCE, bar

    def layout(self) -> None:
        """Lay out for the current width; again whenever the width crosses a threshold."""
        self._laid_out = phone, wide, self.bar_most = self._shape()
        self.body.content = ft.Column([self.load_error, self.current.control], expand=True)
        self.body.width = CONTENT_WIDTH if wide else None
        self.body.expand = not wide
        # A fresh icon for the fresh bar or rail, keeping the problem count on it.
        self.attention_icon = ft.Icon(NeedsAttention.icon, badge=self.attention_icon.badge)
        icons = [s.icon for s in self.screens[:-1]] + [self.attention_icon]
        titles = [s.title for s in self.screens]
        if phone:
            # As many as the width holds, the rest under "More": no label breaks mid-word.
            most = self.bar_most
            shown = len(titles) if len(titles) <= most else most - 1
            destinations = [
                ft.NavigationBarDestination(icon=icon, label=title)
                for icon, title in zip(icons[:shown], titles[:shown], strict=True)
            ]
            if shown < len(titles):
                badge = self.attention_icon.badge
                destinations.append(
                    ft.NavigationBarDestination(
                        icon=ft.Icon(ft.Icons.MORE_HORIZ, badge=badge), label=MORE
                    )
                )
            self.page.navigation_bar = ft.NavigationBar(
                destinations=destinations,
                selected_index=min(self.index, shown),
                on_change=guarded(self._navigate),
            )
            self.page.controls = [self.column]
        else:
            self.page.navigation_bar = None
            rail = ft.NavigationRail(
                destinations=[
                    ft.NavigationRailDestination(icon=icon, label=title)
                    for icon, title in zip(icons, titles, strict=True)
                ],
                selected_index=self.index,
                label_type=ft.NavigationRailLabelType.ALL,
                on_change=guarded(self._navigate),
            )
            self.page.controls = [
                ft.Row([rail, ft.VerticalDivider(width=1), self.column], expand=True)
            ]

    async def refresh(self) -> None:
        """Show the latest sync state and reload the current screen's data."""
        async with self._refreshing:
            status = self.client.status()
            text, icon, colour = sync_words(status)
            self.sync_text.value, self.sync_icon.icon = text, icon
            self.sync_text.color = self.sync_icon.color = colour
            self.offline.visible = status.online is False
            self.notice_text.value = SHORT_NOTICES.get(status.notice or "", status.notice or "")
            self.notice.visible = bool(status.notice) and not self.notice_hidden
            self.attention_icon.badge = str(status.problems) if status.problems else None
            try:
                await self._arrange()
                await self.current.refresh()
                await self._show_fresh()
                distinct_names(self.current.control)  # "See details" twice: which is which
                self.load_error.visible = False
            except Exception:
                # Keep the app usable: say so, and try again with the next change.
                log.exception("Could not show %s", self.current.title)
                self.load_error.value = (
                    f"{self.current.title} could not be shown just now. It will try again "
                    "after the next sync."
                )
                self.load_error.visible = True
            self.page.update()

    async def _show_fresh(self) -> None:
        """Cards whose job changed since the person last looked ("New or updated") stay
        marked while this screen is on show; from then on they count as seen."""
        cards = job_cards(self.current.control)
        if not cards:
            return
        self.fresh |= await self.client.unseen(cards)
        await self.client.mark_seen(cards)
        for job_id in self.fresh & cards.keys():
            mark_fresh(cards[job_id])

    async def _arrange(self) -> None:
        """Order a tradesperson's screens by where their checks stand, keeping the screen
        on show (the first one when they have just signed in)."""
        if not any(isinstance(s, YourDetails) for s in self.screens):
            return
        profile = await self.client.my_profile()
        if profile is None and self.client.status().last_sync is None:
            return  # not synced yet: their profile may be on its way
        approved = bool(profile and profile.approved)
        if approved == self._approved:
            return
        first, self._approved = self._approved is None, approved
        showing = self.current
        attention = self.screens[-1]
        self.screens = [*approval_order(self.screens[:-1], approved), attention]
        # On first sight, and when approval arrives, the first screen: then the job board.
        self.index = 0 if first or approved else self.screens.index(showing)
        self.layout()

    async def _resized(self) -> None:
        if self._shape() != self._laid_out:
            self.layout()
            self.page.update()

    async def _navigate(self, e: ft.Event) -> None:
        chosen = e.control.selected_index or 0
        more = isinstance(e.control, ft.NavigationBar) and len(self.screens) > self.bar_most
        if more and chosen == self.bar_most - 1:  # "More": the rest of the screens, by name
            self._more()
            return
        self.index = chosen
        self.fresh = set()  # what was marked on the screen left has been seen
        self.current.open_item(None)  # a tab tapped again shows its list, not the last item
        self.layout()
        await self.refresh()

    def _more(self) -> None:
        rest = self.screens[self.bar_most - 1 :]

        async def chosen(title: str) -> None:
            self.page.pop_dialog()
            await self.go(title)

        async def closed() -> None:
            self.page.pop_dialog()
            self.layout()  # the bar marks the screen on show again
            self.page.update()

        items: list[ft.Control] = [
            ft.TextButton(
                s.title,
                icon=s.icon,
                on_click=on(chosen, s.title),
                style=ft.ButtonStyle(
                    text_style=ft.TextStyle(
                        weight=ft.FontWeight.W_700 if s is self.current else None
                    )
                ),
            )
            for s in rest
        ]
        self.page.show_dialog(
            ft.AlertDialog(
                title=ft.Text(MORE),
                content=ft.Column(items, tight=True, spacing=4),
                actions=[ft.TextButton("Close", on_click=on(closed))],
                scrollable=True,
                **NARROW_DIALOG,
            )
        )

    async def go(self, title: str, item_id: str | None = None) -> None:
        """Show the screen called `title`, opened at one item when given."""
        self.index = next(n for n, s in enumerate(self.screens) if s.title == title)
        self.fresh = set()
        self.current.open_item(item_id)
        self.layout()
        await self.refresh()

    async def _hide_notice(self) -> None:
        """Hidden for good on this device: it is said once, not on every screen."""
        self.notice_hidden = True
        self.notice.visible = False
        self.page.update()
        await self.client.dismiss_notice()

    def _sync_now(self) -> None:
        self.client.connectivity_changed()

    async def _ask_sign_out(self) -> None:
        pending = self.client.status().pending
        if not pending:
            await self.sign_out()
            return

        async def confirmed() -> None:
            self.page.pop_dialog()
            await self.sign_out()

        waiting = (
            "has not been sent yet. It stays here and is sent"
            if pending == 1
            else "have not been sent yet. They stay here and are sent"
        )
        self.page.show_dialog(
            ft.AlertDialog(
                title=ft.Text("Sign out?"),
                content=ft.Text(
                    f"{_count(pending, 'change')} on this device {waiting} after you sign in again."
                ),
                actions=[
                    ft.TextButton("Stay signed in", on_click=on(self.page.pop_dialog)),
                    ft.FilledButton("Sign out", on_click=on(confirmed)),
                ],
            )
        )
