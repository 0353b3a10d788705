"""The housing officer's triage: set a priority and post new reports to the marketplace,
and award posted jobs from the offers received."""

from __future__ import annotations

import flet as ft

from app.client import Client, JobView
from app.domain.models import JobStatus, Priority
from app.views import format as fmt
from app.views.widgets import address, attempt, empty, heading, job_card, line, on

PRIORITY_WORDS = {
    Priority.EMERGENCY: "Emergency (24 hours)",
    Priority.URGENT: "Urgent (5 working days)",
    Priority.ROUTINE: "Routine (20 working days)",
    Priority.PLANNED: "Planned (60 working days)",
}


class Triage:
    title, icon = "Reports to triage", ft.Icons.INBOX_OUTLINED

    def __init__(self, page: ft.Page, client: Client) -> None:
        self.page, self.client = page, client
        self.list = ft.Column(spacing=8)
        self.summary = ft.Text(color=ft.Colors.GREY_700)
        self.control = ft.Column(
            [heading("Reports to triage"), self.summary, self.list],
            scroll=ft.ScrollMode.AUTO,
            expand=True,
        )

    async def refresh(self) -> None:
        jobs = await self.client.triage_queue()
        new = sum(j.status is JobStatus.REPORTED for j in jobs)
        self.summary.value = f"{new} new reports, {len(jobs) - new} posted and awaiting award."
        cards = []
        for job in jobs:
            details = [
                line(ft.Icons.HANDYMAN_OUTLINED, job.trade_label),
                line(
                    ft.Icons.PLACE_OUTLINED,
                    address(job),
                ),
                line(
                    ft.Icons.EVENT,
                    f"Reported {fmt.day(job.reported_at)} by {job.resident_name or 'a resident'}",
                ),
            ]
            if job.damp_and_mould:
                details.append(
                    line(ft.Icons.WATER_DROP_OUTLINED, "Damp and mould: Awaab's Law timers apply")
                )
            if job.description:
                details.append(ft.Text(job.description, size=13))
            actions: list[ft.Control] = []
            if job.status in (JobStatus.REPORTED, JobStatus.TRIAGED):
                actions.append(
                    ft.FilledButton("Post to marketplace", on_click=lambda _e, j=job: self._post(j))
                )
            else:
                details.append(line(ft.Icons.FLAG_OUTLINED, fmt.target(job.target_at)))
                details.append(
                    line(
                        ft.Icons.PEOPLE_OUTLINE,
                        f"{job.offer_count} offer{'' if job.offer_count == 1 else 's'}",
                    )
                )
                if job.offer_count:
                    actions.append(
                        ft.FilledButton("See offers and award", on_click=on(self._offers, job))
                    )
            cards.append(job_card(job, details, actions))
        self.list.controls = cards or [empty("Nothing to triage.")]

    def _post(self, job: JobView) -> None:
        choice = ft.RadioGroup(
            ft.Column([ft.Radio(value=p.value, label=PRIORITY_WORDS[p]) for p in Priority])
        )

        async def send(_e) -> None:
            if not choice.value:
                return
            self.page.pop_dialog()
            await attempt(
                self.page,
                lambda: self.client.post_job(job.id, Priority(choice.value)),
                "Posted to the marketplace.",
                self.client,
            )

        self.page.show_dialog(
            ft.AlertDialog(
                title=ft.Text(f"Post: {job.title}"),
                content=ft.Column([ft.Text("Priority"), choice], tight=True),
                actions=[
                    ft.TextButton("Cancel", on_click=lambda _e: self.page.pop_dialog()),
                    ft.FilledButton("Post job", on_click=send),
                ],
            )
        )

    async def _offers(self, job: JobView) -> None:
        offers = [o for o in await self.client.offers_for(job.id) if o.status == "open"]

        def award(offer_id: str):
            async def go(_e) -> None:
                self.page.pop_dialog()
                await attempt(
                    self.page,
                    lambda: self.client.award(job.id, offer_id),
                    "Job awarded.",
                    self.client,
                )

            return go

        rows = [
            ft.ListTile(
                title=ft.Text(o.business_name),
                subtitle=ft.Text(
                    f"{fmt.money(o.price_pence)}, earliest visit "
                    f"{fmt.day(o.earliest_slot)}" + (f"\n{o.note}" if o.note else "")
                ),
                trailing=ft.FilledButton("Award", on_click=award(o.id)),
            )
            for o in offers
        ]
        self.page.show_dialog(
            ft.AlertDialog(
                title=ft.Text(f"Offers: {job.title}"),
                content=ft.Column(
                    rows or [ft.Text("No open offers.")],
                    tight=True,
                    scroll=ft.ScrollMode.AUTO,
                    width=520,
                ),
                actions=[ft.TextButton("Close", on_click=lambda _e: self.page.pop_dialog())],
            )
        )
