"""The housing officer's triage: set a priority and post new reports to the marketplace,
and award posted jobs from the offers received."""

from __future__ import annotations

import flet as ft

from app.client import Client, JobView
from app.domain.lifecycle import Action
from app.domain.models import OfferStatus, Priority
from app.domain.records import Offer
from app.views import format as fmt
from app.views.rules import may
from app.views.widgets import (
    FormDialog,
    ListScreen,
    address,
    attempt,
    empty,
    error_text,
    hint,
    job_card,
    line,
    on,
    show_error,
)

PRIORITY_WORDS = {
    Priority.EMERGENCY: "Emergency (make safe within 24 hours)",
    Priority.URGENT: "Urgent (5 working days)",
    Priority.ROUTINE: "Routine (20 working days)",
    Priority.PLANNED: "Planned (60 working days)",
}


class Triage(ListScreen):
    title, icon = "Reports to triage", ft.Icons.INBOX_OUTLINED

    def __init__(self, page: ft.Page, client: Client) -> None:
        super().__init__(page, client)
        self.intro.visible = True

    async def refresh(self) -> None:
        jobs = await self.client.triage_queue()
        new = sum(may(self.client, j, Action.POST) for j in jobs)
        self.intro.value = (
            f"{new} new report{'' if new == 1 else 's'} to triage, "
            f"{len(jobs) - new} posted and waiting to be awarded."
        )
        self.list.controls = [self._card(job) for job in jobs] or [empty("Nothing to triage.")]

    def _card(self, job: JobView) -> ft.Control:
        details = [
            line(ft.Icons.HANDYMAN_OUTLINED, job.trade_label),
            line(ft.Icons.PLACE_OUTLINED, address(job)),
            line(
                ft.Icons.EVENT,
                f"Reported {fmt.day(job.reported_at)} by {job.resident_name or 'a resident'}",
            ),
        ]
        if job.location:
            details.append(line(ft.Icons.MEETING_ROOM_OUTLINED, f"In the {job.location.lower()}"))
        if job.damp_and_mould:
            details.append(
                line(ft.Icons.WATER_DROP_OUTLINED, "Damp and mould: Awaab's Law timers apply")
            )
        if job.description:
            details.append(ft.Text(job.description, size=13))
        actions: list[ft.Control] = []
        if may(self.client, job, Action.POST):
            actions.append(ft.FilledButton("Post to marketplace", on_click=on(self._post, job)))
        else:
            if job.priority:
                details.append(line(ft.Icons.PRIORITY_HIGH, PRIORITY_WORDS[job.priority]))
            details.append(line(ft.Icons.FLAG_OUTLINED, fmt.target(job.target_at)))
            offers = f"{job.offer_count} offer{'' if job.offer_count == 1 else 's'}"
            details.append(line(ft.Icons.PEOPLE_OUTLINE, offers))
            if job.offer_count and may(self.client, job, Action.AWARD):
                actions.append(
                    ft.FilledButton("See offers and award", on_click=on(self._offers, job))
                )
        return job_card(job, details, actions)

    def _post(self, job: JobView) -> None:
        choice = ft.RadioGroup(
            ft.Column([ft.Radio(value=p.value, label=PRIORITY_WORDS[p]) for p in Priority])
        )
        missing = error_text()

        async def send() -> str | None:
            show_error(missing, None if choice.value else "Choose a priority.")
            if not choice.value:
                return None
            await self.client.post_job(job.id, Priority(choice.value))
            return "Posted to the marketplace."

        FormDialog(
            self.page,
            self.client,
            f"Post: {job.title}",
            [
                hint("The priority sets the target date tradespeople must meet."),
                ft.Text("Priority", weight=ft.FontWeight.W_600),
                choice,
                missing,
            ],
            "Post job",
            send,
        ).open()

    async def _offers(self, job: JobView) -> None:
        offers = [o for o in await self.client.offers_for(job.id) if o.status is OfferStatus.OPEN]
        rows = [self._offer_row(job, o) for o in offers] or [ft.Text("No open offers.")]
        self.page.show_dialog(
            ft.AlertDialog(
                title=ft.Text(f"Offers: {job.title}"),
                content=ft.Column([hint("Cheapest first."), *rows], tight=True, width=520),
                actions=[ft.TextButton("Close", on_click=on(self.page.pop_dialog))],
                scrollable=True,
            )
        )

    def _offer_row(self, job: JobView, offer: Offer) -> ft.Control:
        async def award() -> None:
            self.page.pop_dialog()
            await attempt(
                self.page,
                lambda: self.client.award(job.id, offer.id),
                f"Job awarded to {offer.business_name}.",
                self.client,
            )

        subtitle = f"{fmt.money(offer.price_pence)}, earliest visit {fmt.day(offer.earliest_slot)}"
        return ft.ListTile(
            title=ft.Text(offer.business_name),
            subtitle=ft.Text(subtitle + (f"\n{offer.note}" if offer.note else "")),
            trailing=ft.FilledButton("Award", on_click=on(award)),
            content_padding=ft.Padding.all(0),
        )
