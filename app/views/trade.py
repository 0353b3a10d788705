"""The tradesperson's screens: the job board to put themselves forward, and the jobs
they have won, worked from the phone onsite with or without signal."""

from __future__ import annotations

from datetime import date, timedelta

import flet as ft

from app.client import Client, JobView
from app.domain.models import AwardMode, JobStatus, OfferStatus, PhotoStage
from app.views import format as fmt
from app.views.widgets import (
    PhotoPicker,
    address,
    attempt,
    empty,
    field,
    heading,
    job_card,
    line,
    on,
    photo_progress,
    say,
)

OFFER_WORDS = {
    OfferStatus.OPEN: "You put yourself forward",
    OfferStatus.DECLINED: "Another tradesperson was chosen",
    OfferStatus.ACCEPTED: "You were chosen",
    OfferStatus.WITHDRAWN: "Offer withdrawn",
}


class JobBoard:
    title, icon = "Job board", ft.Icons.WORK_OUTLINE

    def __init__(self, page: ft.Page, client: Client) -> None:
        self.page, self.client = page, client
        self.list = ft.Column(spacing=8)
        self.control = ft.Column(
            [
                heading("Job board"),
                ft.Text("Open jobs in your trades and areas.", color=ft.Colors.GREY_700),
                self.list,
            ],
            scroll=ft.ScrollMode.AUTO,
            expand=True,
        )

    async def refresh(self) -> None:
        cards = []
        for job in await self.client.job_board():
            details = [
                line(ft.Icons.HANDYMAN_OUTLINED, job.trade_label),
                line(ft.Icons.PLACE_OUTLINED, address(job)),
                line(ft.Icons.FLAG_OUTLINED, fmt.target(job.target_at)),
            ]
            if job.priority:
                details.insert(0, line(ft.Icons.PRIORITY_HIGH, job.priority.capitalize()))
            if job.description:
                details.append(ft.Text(job.description, size=13))
            actions: list[ft.Control] = []
            if job.my_offer:
                o = job.my_offer
                details.append(
                    line(
                        ft.Icons.CHECK_CIRCLE_OUTLINE,
                        f"{OFFER_WORDS[o.status]}: {fmt.money(o.price_pence)}, "
                        f"earliest visit {fmt.day(o.earliest_slot)}",
                    )
                )
            elif job.award_mode is AwardMode.FIRST_TO_ACCEPT:
                details.append(
                    line(
                        ft.Icons.PAYMENTS_OUTLINED,
                        f"Fixed price {fmt.money(job.fixed_price_pence)}",
                    )
                )
                actions.append(ft.FilledButton("Accept job", on_click=on(self._accept, job)))
            else:
                actions.append(
                    ft.FilledButton(
                        "Put yourself forward", on_click=lambda _e, j=job: self._offer(j)
                    )
                )
            cards.append(job_card(job, details, actions, badge="Open for offers"))
        self.list.controls = cards or [
            empty(
                "No open jobs match your trades and areas "
                "right now. New jobs appear here when posted."
            )
        ]

    async def _accept(self, job: JobView) -> None:
        await attempt(
            self.page, lambda: self.client.accept_job(job.id), "Job accepted.", self.client
        )

    def _offer(self, job: JobView) -> None:
        price = field(label="Your price (£)", prefix="£ ", keyboard_type=ft.KeyboardType.NUMBER)
        earliest = field(
            label="Earliest visit (days from today)",
            value="1",
            keyboard_type=ft.KeyboardType.NUMBER,
        )
        note = field(label="Note for the housing officer (optional)", multiline=True)

        async def send(_e) -> None:
            pence = fmt.pounds_to_pence(price.value)
            price.error = None if pence else "Enter a price in pounds, e.g. 120."
            days = earliest.value.strip()
            earliest.error = (
                None
                if days.isdigit() and int(days) <= 60
                else ("Enter a number of days from 0 (today) to 60.")
            )
            if price.error or earliest.error:
                price.update()  # inside a dialog: page.update() does not reach it
                earliest.update()
                return
            self.page.pop_dialog()
            slot = date.today() + timedelta(days=int(days))
            await attempt(
                self.page,
                lambda: self.client.put_forward(job.id, pence, slot, note.value),
                "You put yourself forward.",
                self.client,
            )

        self.page.show_dialog(
            ft.AlertDialog(
                title=ft.Text(f"Put yourself forward: {job.title}"),
                content=ft.Column([price, earliest, note], tight=True),
                actions=[
                    ft.TextButton("Cancel", on_click=lambda _e: self.page.pop_dialog()),
                    ft.FilledButton("Send offer", on_click=send),
                ],
            )
        )


class MyJobs:
    title, icon = "My jobs", ft.Icons.ASSIGNMENT_OUTLINED

    def __init__(self, page: ft.Page, client: Client) -> None:
        self.page, self.client = page, client
        self.list = ft.Column(spacing=8)
        self.control = ft.Column(
            [heading("My jobs"), self.list], scroll=ft.ScrollMode.AUTO, expand=True
        )

    async def refresh(self) -> None:
        cards = []
        states = await self.client.photo_states()
        for job in await self.client.my_jobs():
            details = [
                line(ft.Icons.PLACE_OUTLINED, address(job)),
                line(
                    ft.Icons.PERSON_OUTLINE,
                    f"{job.resident_name or 'Resident'} {job.resident_phone or ''}".strip(),
                ),
                line(ft.Icons.FLAG_OUTLINED, fmt.target(job.target_at)),
            ]
            if job.access_notes:
                details.append(line(ft.Icons.KEY_OUTLINED, job.access_notes))
            if progress := photo_progress(job, states):
                details.append(progress)
            actions: list[ft.Control] = []
            if job.status in (JobStatus.AWARDED, JobStatus.SCHEDULED, JobStatus.NO_ACCESS):
                actions.append(ft.FilledButton("Start visit", on_click=on(self._start, job)))
            if job.status is JobStatus.IN_PROGRESS:
                actions.append(
                    ft.FilledButton(
                        "Complete job", on_click=lambda _e, j=job: self._finish(j, done=True)
                    )
                )
            if job.status in (JobStatus.AWARDED, JobStatus.SCHEDULED, JobStatus.IN_PROGRESS):
                actions.append(
                    ft.OutlinedButton(
                        "No access", on_click=lambda _e, j=job: self._finish(j, done=False)
                    )
                )
            cards.append(job_card(job, details, actions))
        self.list.controls = cards or [
            empty("No jobs awarded to you yet. Put yourself forward on the job board.")
        ]

    async def _start(self, job: JobView) -> None:
        await attempt(
            self.page, lambda: self.client.start_visit(job.id), "Visit started.", self.client
        )

    def _finish(self, job: JobView, done: bool) -> None:
        stage = PhotoStage.AFTER if done else PhotoStage.NO_ACCESS
        photos = PhotoPicker(
            self.page,
            self.client,
            stage,
            "Add photos of the finished work" if done else "Add a photo of your calling card",
        )
        notes = field(
            label="What did you do?" if done else "What happened?", multiline=True, min_lines=2
        )

        async def send(_e) -> None:
            if done and not photos.photos:
                say(self.page, "Add at least one photo of the finished work before completing.")
                return
            self.page.pop_dialog()
            if done:
                await attempt(
                    self.page,
                    lambda: self.client.complete_job(job.id, notes.value, photos.photos),
                    "Job completed.",
                    self.client,
                )
            else:
                await attempt(
                    self.page,
                    lambda: self.client.record_no_access(job.id, notes.value, photos.photos),
                    "No access recorded.",
                    self.client,
                )

        self.page.show_dialog(
            ft.AlertDialog(
                title=ft.Text(("Complete: " if done else "No access: ") + job.title),
                content=ft.Column([notes, photos.control], tight=True, scroll=ft.ScrollMode.AUTO),
                actions=[
                    ft.TextButton("Cancel", on_click=lambda _e: self.page.pop_dialog()),
                    ft.FilledButton("Complete job" if done else "Record no access", on_click=send),
                ],
            )
        )
