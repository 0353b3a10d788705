"""The guided start of a repair report: emergency questions first, each with what to do now
and the number to call (gas always the National Gas Emergency Service; the rest the
landlord's own line, from its rules), then where the problem is and what it is, which
fill in the kind of repair for the resident. Numbers come from `app.domain.guide`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import flet as ft

from app.client import Client
from app.domain.guide import (
    EMERGENCIES,
    PROBLEM,
    PROBLEMS,
    WHERE,
    Emergency,
    Suggestion,
    lines,
    suggest,
)
from app.domain.models import Priority
from app.domain.records import Landlord
from app.domain.targets import RIGHT_TO_REPAIR_DAYS
from app.views import theme
from app.views.widgets import dropdown, dropdown_row, hint, link, on

# What a resident would say, for each emergency question.
SAYS = {
    "gas": "I can smell gas",
    "water_electrics": "Water pouring in, or near electrics",
    "electrics": "No power, sparks or a burning smell",
    "insecure": "I can't lock my door, or a ground-floor window is broken",
}
NO_LINE = (
    "Phone the emergency repairs number on your tenancy papers or your landlord's website, "
    "day or night."
)


def emergency_line(landlord: Landlord | None) -> str:
    """The words for 'phone us in an emergency' on other screens."""
    found = lines(landlord).get("landlord")
    return f"phone {found.number}" if found else "phone your landlord's emergency repairs line"


def emergency_panel(page: ft.Page, emergency: Emergency, landlord: Landlord | None) -> None:
    """What to do now and who to call, shown large, before anything else."""
    call = lines(landlord).get(emergency.call)
    body: list[ft.Control] = [
        ft.Text(emergency.advice, size=16),
    ]
    if call:
        body += [
            ft.Text(call.name, weight=ft.FontWeight.W_600),
            ft.Text(call.number, size=34, weight=ft.FontWeight.W_700, color=theme.RED),
            hint(call.when),
            link(f"Call {call.number}", call.tel, ft.Icons.PHONE),
        ]
    else:
        body.append(ft.Text(NO_LINE, weight=ft.FontWeight.W_600))
    body.append(hint("Once you are safe, you can report anything that still needs repairing here."))
    dialog = ft.AlertDialog(
        title=ft.Text(f"{SAYS[emergency.key]}: act now", color=theme.RED),
        content=ft.Column(body, tight=True, width=460, spacing=10),
        actions=[ft.TextButton("Close", on_click=on(page.pop_dialog))],
        scrollable=True,
    )
    page.show_dialog(dialog)


def step(number: int, text: str) -> ft.Control:
    """A numbered question of the guided report, so a resident sees where they are."""
    return ft.Text(f"{number}. {text}", weight=ft.FontWeight.W_600, size=16)


def usual_time(priority: Priority, landlord: Landlord | None) -> str:
    """'Repairs like this are usually urgent: put right within 5 working days.' from the
    landlord's own targets (the defaults until its rules have synced)."""
    rules = landlord or Landlord(id="", name="")
    days = {
        Priority.URGENT: rules.urgent_days,
        Priority.ROUTINE: rules.routine_days,
        Priority.PLANNED: rules.planned_days,
    }.get(priority)
    if days is None:
        return "Repairs like this are usually emergencies: phone us as well as reporting it."
    if rules.right_to_repair and priority in RIGHT_TO_REPAIR_DAYS:
        days = min(days, RIGHT_TO_REPAIR_DAYS[priority])
    return f"Repairs like this are usually {priority.value}: put right within {days} working days."


class Guide:
    """The top of the report form: emergencies, then where and what, which suggest the
    kind of repair and how soon it is usually done."""

    def __init__(
        self, page: ft.Page, client: Client, chosen: Callable[[str, Suggestion | None], None]
    ) -> None:
        """`chosen(place, suggestion)` hears each answer: the place in words, and the
        trade and usual priority once the problem is chosen."""
        self.page, self.client, self.chosen = page, client, chosen
        self.landlord: Landlord | None = None
        self.where = dropdown(
            "Where is the problem?", list(WHERE.items()), on_select=on(self._picked)
        )
        self.what = dropdown(
            "What is the problem?",
            [(p.key, p.label) for p in PROBLEMS],
            on_select=on(self._picked),
        )
        self.suggestion = ft.Text("", expand=True)
        self.communal = hint(
            "For shared areas, say which block, entrance or floor in the details below, so "
            "the tradesperson finds it."
        )
        self.suggested = ft.Container(
            ft.Column(
                [
                    ft.Row(
                        [ft.Icon(ft.Icons.LIGHTBULB_OUTLINE, color=theme.BLUE), self.suggestion],
                        vertical_alignment=ft.CrossAxisAlignment.START,
                    ),
                    self.communal,
                ],
                spacing=6,
            ),
            bgcolor=theme.CARD,
            padding=ft.Padding.all(12),
            border_radius=8,
            visible=False,
        )
        questions = [
            ft.OutlinedButton(
                SAYS[e.key],
                icon=ft.Icons.WARNING_AMBER_ROUNDED,
                style=ft.ButtonStyle(color=theme.RED),
                on_click=on(self._emergency, e),
            )
            for e in EMERGENCIES
        ]
        self.control = ft.Column(
            [
                ft.Container(
                    ft.Column(
                        [
                            ft.Text(
                                "1. Is it an emergency?",
                                weight=ft.FontWeight.W_600,
                                size=16,
                                color=theme.RED,
                            ),
                            hint(
                                "If any of these is happening, tap it first: don't report it here."
                            ),
                            ft.Row(questions, wrap=True, spacing=8, run_spacing=8),
                        ],
                        spacing=8,
                    ),
                    bgcolor=theme.RED_TINT,
                    padding=ft.Padding.all(12),
                    border_radius=8,
                ),
                hint("Not an emergency? Tell us where and what, and we pick the right trade."),
                step(2, "Where is the problem?"),
                dropdown_row(self.where, "where"),
                step(3, "What is the problem?"),
                dropdown_row(self.what, "what"),
                self.suggested,
            ],
            spacing=12,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )

    async def load(self) -> None:
        self.landlord = await self.client.landlord()

    async def _emergency(self, emergency: Emergency) -> None:
        self.landlord = await self.client.landlord()  # its line may have synced since
        emergency_panel(self.page, emergency, self.landlord)

    def _picked(self) -> None:
        where, what = self.where.value or "", self.what.value or ""
        if what not in PROBLEM:
            self.chosen(WHERE.get(where, ""), None)
            return
        found = suggest(where or "kitchen", what)  # the trade; the place only once chosen
        if not where:
            found = replace(found, location="", communal=False)
        self.suggestion.value = (
            f"This goes to a tradesperson for {found.trade.label.lower()}. "
            f"{usual_time(found.priority, self.landlord)} Your housing officer checks your "
            "report and sets the target date."
        )
        self.communal.visible = found.communal
        self.suggested.visible = True
        self.chosen(found.location, found)

    def clear(self) -> None:
        self.where.value = self.what.value = None
        self.suggested.visible = False
