"""Every colour the screens use, in one place, and the pairs they are drawn in.

Each colour here is chosen to meet WCAG AA where it is drawn: 4.5:1 for text, 3:1 for
icons, outlines and the keyboard focus ring. `PAIRS` lists every foreground and background
the screens put together, and tests/test_theme.py checks each one, so a colour changed
here is checked before anyone reads it on a phone in the sun."""

from __future__ import annotations

from dataclasses import dataclass

import flet as ft

from app.domain.models import JobStatus

# Surfaces: set explicitly, so what the test checks is what the screen draws.
PAGE = "#FFFFFF"
CARD = "#F4F6F6"
BAR = "#E3F0EE"  # the app bar
DIALOG = "#FFFFFF"

# Text and lines.
INK = "#1C1C1C"
MUTED = "#595959"  # hints, dates, secondary lines
ON_COLOUR = "#FFFFFF"  # text on a coloured badge or banner

# Meanings.
GREEN = "#1B5E20"  # done, up to date
BLUE = "#1559B5"  # open, waiting on the server
AMBER = "#8F4300"  # needs a person: no access, waiting to sync, offline
SLATE = "#455A64"  # a status with no colour of its own
GREY = "#5F5F5F"  # cancelled, connecting
RED = "#B71C1C"  # errors, emergencies
RED_TINT = "#FFEBEE"  # the emergency note's background
DAMP = "#0B4F6C"  # damp and mould marker
STAR = "#8C5A00"  # rating stars, filled and outlined
FOCUS = "#0B57D0"  # the keyboard focus ring
FRESH = "#6A1B9A"  # "New or updated": a card that changed since the person last looked

STATUS_COLOURS: dict[JobStatus, str] = {
    JobStatus.COMPLETED: GREEN,
    JobStatus.CLOSED: GREEN,
    JobStatus.CANCELLED: GREY,
    JobStatus.DUPLICATE: GREY,
    JobStatus.NO_ACCESS: AMBER,
    JobStatus.VARIATION_PENDING: AMBER,
    JobStatus.POSTED: BLUE,
}


def status_colour(status: JobStatus) -> str:
    return STATUS_COLOURS.get(status, SLATE)


@dataclass(frozen=True)
class Pair:
    """A foreground drawn on a background: text needs 4.5:1, graphics (icons, outlines,
    the focus ring) 3:1."""

    name: str
    fg: str
    bg: str
    text: bool = True

    @property
    def needs(self) -> float:
        return 4.5 if self.text else 3.0


SYNC_COLOURS = {"ok": GREEN, "waiting": BLUE, "trouble": AMBER, "connecting": GREY}
BANNERS = {"offline": AMBER, "notice": SLATE, "emergency": RED}

PAIRS: list[Pair] = [
    *(Pair(f"{s.value} badge", ON_COLOUR, c) for s, c in STATUS_COLOURS.items()),
    Pair("badge of other statuses", ON_COLOUR, SLATE),
    *(Pair(f"{n} banner", ON_COLOUR, c) for n, c in BANNERS.items()),
    *(Pair(f"sync line: {n}", c, BAR) for n, c in SYNC_COLOURS.items()),
    *(Pair(f"sync icon: {n}", c, BAR, text=False) for n, c in SYNC_COLOURS.items()),
    Pair("text on a page", INK, PAGE),
    Pair("text on a card", INK, CARD),
    Pair("hint on a page", MUTED, PAGE),
    Pair("hint on a card", MUTED, CARD),
    Pair("hint in a dialog", MUTED, DIALOG),
    Pair("line icon on a card", MUTED, CARD, text=False),
    Pair("Waiting to sync on a card", AMBER, CARD),
    Pair("error on a page", RED, PAGE),
    Pair("error in a dialog", RED, DIALOG),
    Pair("emergency note", RED, RED_TINT),
    Pair("damp and mould on a card", DAMP, CARD),
    Pair("emergency on a card", RED, CARD),
    Pair("done on a card", GREEN, CARD),
    Pair("open on a card", BLUE, CARD),
    Pair("star in a dialog", STAR, DIALOG, text=False),
    Pair("star on a card", STAR, CARD, text=False),
    Pair("new or updated badge", ON_COLOUR, FRESH),
    Pair("new or updated card's edge", FRESH, CARD, text=False),
    Pair("focus ring on a page", FOCUS, PAGE, text=False),
    Pair("focus ring on a card", FOCUS, CARD, text=False),
    Pair("focus ring on a dialog", FOCUS, DIALOG, text=False),
    Pair("focus ring on a filled button", FOCUS, PAGE, text=False),
]


def _focus_ring() -> ft.ButtonStyle:
    """A 3-pixel ring around whichever button the keyboard is on."""
    return ft.ButtonStyle(side={ft.ControlState.FOCUSED: ft.BorderSide(3, FOCUS)})


def app_theme() -> ft.Theme:
    ring = _focus_ring()
    return ft.Theme(
        color_scheme_seed=ft.Colors.TEAL,
        focus_color=ft.Colors.with_opacity(0.16, FOCUS),
        card_theme=ft.CardTheme(color=CARD),
        dialog_theme=ft.DialogTheme(bgcolor=DIALOG),
        appbar_theme=ft.AppBarTheme(bgcolor=BAR),
        button_theme=ft.ButtonTheme(style=ring),
        filled_button_theme=ft.FilledButtonTheme(style=ring),
        outlined_button_theme=ft.OutlinedButtonTheme(style=ring),
        text_button_theme=ft.TextButtonTheme(style=ring),
        icon_button_theme=ft.IconButtonTheme(style=ring),
    )


def apply(page: ft.Page) -> None:
    page.theme = app_theme()
    page.theme_mode = ft.ThemeMode.LIGHT  # the pairs above are checked on light surfaces
    page.bgcolor = PAGE
