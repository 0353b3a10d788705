"""The resident's screens: report a repair, and follow and rate their repairs."""

from __future__ import annotations

import flet as ft

from app.client import Client, JobView
from app.domain import commands
from app.domain.models import JobStatus, PhotoStage, Trade
from app.views import format as fmt
from app.views.rules import shortest
from app.views.widgets import (
    FormDialog,
    ListScreen,
    PhotoPicker,
    Screen,
    attempt,
    dropdown,
    dropdown_row,
    empty,
    error_text,
    extra_lines,
    field,
    guarded,
    heading,
    icon_action,
    job_card,
    line,
    on,
    photo_progress,
    show_error,
)

EMERGENCY_LINE = "020 8356 3691"
TRADE_MISSING = "Choose what kind of repair this is."
DONE = (JobStatus.COMPLETED, JobStatus.CLOSED)


def emergency_note() -> ft.Control:
    return ft.Container(
        ft.Row(
            [
                ft.Icon(ft.Icons.WARNING_AMBER_ROUNDED, color=ft.Colors.RED_800),
                ft.Text(
                    "Emergency? Smell of gas, flooding, no heating or hot water for someone "
                    f"vulnerable, or exposed wires: phone {EMERGENCY_LINE} now, day or night. "
                    "Don't report it here.",
                    expand=True,
                    color=ft.Colors.RED_900,
                ),
            ]
        ),
        bgcolor=ft.Colors.RED_50,
        padding=ft.Padding.all(12),
        border_radius=8,
    )


class ReportRepair(Screen):
    title, icon = "Report a repair", ft.Icons.ADD_CIRCLE_OUTLINE

    def __init__(self, page: ft.Page, client: Client) -> None:
        super().__init__(page, client)
        self.trade = dropdown(
            "What kind of repair?",
            [(t.value, t.label) for t in Trade],
            on_select=guarded(self._trade_chosen),
        )
        self.trade_error = error_text()
        limit = commands.ReportRepair.limit
        self.what = field(
            "What's wrong?",
            hint_text="e.g. Tap leaking under the kitchen sink",
            max_length=limit("title"),
        )
        self.details = field(
            "More details (optional)",
            multiline=True,
            min_lines=2,
            max_lines=5,
            max_length=limit("description"),
        )
        self.where = field(
            "Where in your home?", hint_text="e.g. Kitchen", max_length=limit("location")
        )
        self.access = field(
            "When can we get in? (optional)",
            hint_text="e.g. Weekday mornings, call first",
            max_length=limit("access_notes"),
        )
        self.damp = ft.Checkbox(label="This is damp or mould")
        self.photos = PhotoPicker(page, client, PhotoStage.REPORT, "Add photos")
        self.control = ft.Column(
            [
                heading(self.title),
                emergency_note(),
                dropdown_row(self.trade, "trade"),
                self.trade_error,
                self.what,
                self.details,
                self.where,
                self.access,
                self.damp,
                self.photos.control,
                ft.FilledButton("Send repair report", icon=ft.Icons.SEND, on_click=on(self._send)),
            ],
            spacing=12,
            scroll=ft.ScrollMode.AUTO,
            expand=True,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )

    def _trade_chosen(self, _e: ft.Event) -> None:
        show_error(self.trade_error, None)
        if self.trade.value == Trade.DAMP_AND_MOULD.value:
            self.damp.value = True

    async def _send(self) -> None:
        show_error(self.trade_error, None if self.trade.value else TRADE_MISSING)
        long_enough = len(self.what.value.strip()) >= shortest(commands.ReportRepair, "title")
        self.what.error = None if long_enough else "Say in a few words what's wrong."
        if self.trade_error.visible or self.what.error:
            self.page.update()
            return

        async def report() -> None:
            await self.client.report_repair(
                Trade(self.trade.value),
                self.what.value.strip(),
                description=self.details.value.strip(),
                location=self.where.value.strip(),
                access_notes=self.access.value.strip(),
                damp_and_mould=bool(self.damp.value),
                photos=self.photos.photos,
            )

        if await attempt(self.page, report, "Repair reported.", self.client):
            for box in (self.what, self.details, self.where, self.access):
                box.value = ""
            self.trade.value, self.damp.value = None, False
            self.photos.clear()
            self.page.update()


class MyRepairs(ListScreen):
    title, icon = "My repairs", ft.Icons.LIST_ALT

    def __init__(self, page: ft.Page, client: Client) -> None:
        super().__init__(page, client, "Newest first. Completed repairs can be rated.")

    async def refresh(self) -> None:
        jobs = await self.client.my_repairs()
        states = await self.client.photo_states()
        self.list.controls = [self._card(job, states) for job in jobs] or [
            empty("You haven't reported any repairs yet.")
        ]

    def _card(self, job: JobView, states: dict[str, tuple[str, str]]) -> ft.Control:
        details = [
            line(ft.Icons.HANDYMAN_OUTLINED, job.trade_label),
            line(ft.Icons.EVENT, f"Reported {fmt.day(job.reported_at)}"),
        ]
        if job.location:
            details.insert(1, line(ft.Icons.PLACE_OUTLINED, job.location))
        if job.status not in (*DONE, JobStatus.CANCELLED, JobStatus.DUPLICATE):
            details.append(line(ft.Icons.FLAG_OUTLINED, fmt.target(job.target_at)))
        if progress := photo_progress(job, states):
            details.append(progress)
        details += extra_lines(job.extras)
        actions: list[ft.Control] = []
        if job.status in DONE and job.rating_quality is None:
            actions.append(
                ft.FilledTonalButton(
                    "Rate this repair", icon=ft.Icons.STAR_OUTLINE, on_click=on(self._rate, job)
                )
            )
        elif job.rating_quality is not None:
            details.append(
                line(
                    ft.Icons.STAR,
                    f"You rated it: speed {job.rating_speed} and quality "
                    f"{job.rating_quality} out of 5",
                )
            )
        return job_card(job, details, actions)

    def _rate(self, job: JobView) -> None:
        speed = Stars("How quickly was it fixed?", "Speed")
        quality = Stars("How good was the work?", "Quality")
        review = field(
            "Anything to add? (optional)",
            multiline=True,
            max_length=commands.RateJob.limit("review"),
        )

        async def send() -> str | None:
            if not speed.value or not quality.value:
                speed.check()
                quality.check()
                return None
            await self.client.rate_job(job.id, speed.value, quality.value, review.value.strip())
            return "Thank you for your rating."

        FormDialog(
            self.page,
            self.client,
            f"Rate: {job.title}",
            [speed.control, quality.control, review],
            "Send rating",
            send,
        ).open()


class Stars:
    """A score from 1 to 5 as five tappable stars, each announced as 'Speed: 3 out of 5'."""

    def __init__(self, question: str, name: str) -> None:
        self.name, self.value = name, 0
        self.row = ft.Row(spacing=0)
        self.error = ft.Text(
            "Choose from 1 to 5 stars.", color=ft.Colors.RED_700, size=12, visible=False
        )
        self.control = ft.Column([ft.Text(question), self.row, self.error], spacing=0)
        self._render()

    def check(self) -> None:
        self.error.visible = not self.value

    def _choose(self, n: int) -> None:
        self.value = n
        self.error.visible = False
        self._render()
        self.control.update()

    def _render(self) -> None:
        self.row.controls = [
            icon_action(
                ft.Icons.STAR if n <= self.value else ft.Icons.STAR_BORDER,
                f"{self.name}: {n} out of 5",
                on(self._choose, n),
                colour=ft.Colors.AMBER_800,
            )
            for n in range(1, 6)
        ]
