"""The resident's screens: report a repair, and follow and rate their repairs."""

from __future__ import annotations

import flet as ft

from app.client import Client
from app.domain.models import JobStatus, PhotoStage, Trade
from app.views import format as fmt
from app.views.widgets import (
    PhotoPicker,
    attempt,
    empty,
    field,
    heading,
    job_card,
    line,
    photo_progress,
    say,
)

EMERGENCY_LINE = "020 8356 3691"


class ReportRepair:
    title, icon = "Report a repair", ft.Icons.ADD_CIRCLE_OUTLINE

    def __init__(self, page: ft.Page, client: Client) -> None:
        self.page, self.client = page, client
        self.trade: Trade | None = None
        self.trade_chips = ft.Row(wrap=True, spacing=8, run_spacing=8)
        self.trade_error = ft.Text("", color=ft.Colors.RED_700, size=13, visible=False)
        self.what = field(
            label="What's wrong?",
            hint_text="e.g. Tap leaking under the kitchen sink",
            max_length=120,
        )
        self.details = field(
            label="More details (optional)", multiline=True, min_lines=2, max_lines=5
        )
        self.where = field(label="Where in your home?", hint_text="e.g. Kitchen")
        self.access = field(
            label="When can we get in? (optional)", hint_text="e.g. Weekday mornings, call first"
        )
        self.damp = ft.Checkbox(label="This is damp or mould")
        self.photos = PhotoPicker(page, client, PhotoStage.REPORT, "Add photos")
        self._render_chips()
        self.control = ft.Column(
            [
                heading("Report a repair"),
                ft.Container(
                    ft.Row(
                        [
                            ft.Icon(ft.Icons.WARNING_AMBER_ROUNDED, color=ft.Colors.RED_800),
                            ft.Text(
                                "Emergency? Smell of gas, flooding, no heating or hot water for "
                                f"someone vulnerable, or exposed wires: phone {EMERGENCY_LINE} "
                                "now, day or night. Don't report it here.",
                                expand=True,
                                color=ft.Colors.RED_900,
                            ),
                        ]
                    ),
                    bgcolor=ft.Colors.RED_50,
                    padding=ft.Padding.all(12),
                    border_radius=8,
                ),
                ft.Text("What kind of repair?", weight=ft.FontWeight.W_600),
                self.trade_chips,
                self.trade_error,
                self.what,
                self.details,
                self.where,
                self.access,
                self.damp,
                self.photos.control,
                ft.FilledButton("Send repair report", icon=ft.Icons.SEND, on_click=self._send),
            ],
            spacing=12,
            scroll=ft.ScrollMode.AUTO,
            expand=True,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )

    def _render_chips(self) -> None:
        self.trade_chips.controls = [
            ft.Chip(
                label=t.label, selected=t is self.trade, on_select=lambda _e, t=t: self._choose(t)
            )
            for t in Trade
        ]

    def _choose(self, trade: Trade) -> None:
        self.trade = trade
        if trade is Trade.DAMP_AND_MOULD:
            self.damp.value = True
        self.trade_error.visible = False
        self._render_chips()

    async def _send(self, _e) -> None:
        if self.trade is None:
            self.trade_error.value = "Choose what kind of repair this is."
            self.trade_error.visible = True
            self.page.update()
            return
        self.what.error = (
            None if len(self.what.value.strip()) >= 3 else ("Say in a few words what's wrong.")
        )
        if self.what.error:
            self.page.update()
            return

        async def report() -> None:
            await self.client.report_repair(
                self.trade,
                self.what.value,
                description=self.details.value,
                location=self.where.value,
                access_notes=self.access.value,
                damp_and_mould=bool(self.damp.value),
                photos=self.photos.photos,
            )

        if await attempt(self.page, report, "Repair reported.", self.client):
            for field in (self.what, self.details, self.where, self.access):
                field.value = ""
            self.damp.value, self.trade = False, None
            self._render_chips()
            self.photos.clear()
            self.page.update()

    async def refresh(self) -> None:
        """A form keeps what the resident typed: nothing to reload."""


class MyRepairs:
    title, icon = "My repairs", ft.Icons.LIST_ALT

    def __init__(self, page: ft.Page, client: Client) -> None:
        self.page, self.client = page, client
        self.list = ft.Column(spacing=8)
        self.control = ft.Column(
            [heading("My repairs"), self.list], scroll=ft.ScrollMode.AUTO, expand=True
        )

    async def refresh(self) -> None:
        jobs = await self.client.my_repairs()
        states = await self.client.photo_states()
        cards = []
        for job in jobs:
            details = [
                line(ft.Icons.PLACE_OUTLINED, job.location or job.trade_label),
                line(ft.Icons.EVENT, f"Reported {fmt.day(job.reported_at)}"),
            ]
            if job.status not in (JobStatus.COMPLETED, JobStatus.CLOSED, JobStatus.CANCELLED):
                details.append(line(ft.Icons.FLAG_OUTLINED, fmt.target(job.target_at)))
            if progress := photo_progress(job, states):
                details.append(progress)
            actions = []
            if job.status in (JobStatus.COMPLETED, JobStatus.CLOSED):
                if job.rating_quality is None:
                    actions.append(
                        ft.FilledTonalButton(
                            "Rate this repair",
                            icon=ft.Icons.STAR_OUTLINE,
                            on_click=lambda _e, j=job: self._rate(j.id, j.title),
                        )
                    )
                else:
                    details.append(
                        line(ft.Icons.STAR, f"You rated it {job.rating_quality} out of 5")
                    )
            cards.append(job_card(job, details, actions))
        self.list.controls = cards or [empty("You haven't reported any repairs yet.")]

    def _rate(self, job_id: str, title: str) -> None:
        speed = ft.RadioGroup(ft.Row([ft.Radio(value=str(n), label=str(n)) for n in range(1, 6)]))
        quality = ft.RadioGroup(ft.Row([ft.Radio(value=str(n), label=str(n)) for n in range(1, 6)]))
        review = field(label="Anything to add? (optional)", multiline=True)

        async def send(_e) -> None:
            if not speed.value or not quality.value:
                say(self.page, "Choose a score from 1 to 5 for both questions.")
                return
            self.page.pop_dialog()
            await attempt(
                self.page,
                lambda: self.client.rate_job(
                    job_id, int(speed.value), int(quality.value), review.value
                ),
                "Thank you for your rating.",
                self.client,
            )

        self.page.show_dialog(
            ft.AlertDialog(
                title=ft.Text(f"Rate: {title}"),
                content=ft.Column(
                    [
                        ft.Text("How quickly was it fixed? (1 slow, 5 fast)"),
                        speed,
                        ft.Text("How good was the work? (1 poor, 5 excellent)"),
                        quality,
                        review,
                    ],
                    tight=True,
                    scroll=ft.ScrollMode.AUTO,
                ),
                actions=[
                    ft.TextButton("Cancel", on_click=lambda _e: self.page.pop_dialog()),
                    ft.FilledButton("Send rating", on_click=send),
                ],
            )
        )
