"""The housing officer's screens: triage (set a priority and post new reports to the
marketplace, award posted jobs from the offers received) and extra work to approve."""

from __future__ import annotations

import flet as ft

from app.client import Client, ExtraView, JobView
from app.domain import commands
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
    card,
    empty,
    error_text,
    field,
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


class ExtrasToApprove(ListScreen):
    title, icon = "Extra work to approve", ft.Icons.REQUEST_QUOTE_OUTLINED

    def __init__(self, page: ft.Page, client: Client) -> None:
        super().__init__(
            page,
            client,
            "Extra work tradespeople found on site, the longest waiting first. "
            "The job waits until you decide.",
        )

    async def refresh(self) -> None:
        self.list.controls = [self._card(x) for x in await self.client.extras_to_decide()] or [
            empty("No extra work is waiting for a decision.")
        ]

    def _card(self, extra: ExtraView) -> ft.Control:
        photos = len(extra.photos)
        details = [
            line(ft.Icons.STOREFRONT_OUTLINED, extra.business_name or "A tradesperson"),
            line(ft.Icons.PAYMENTS_OUTLINED, f"Price {fmt.money(extra.price_pence)}"),
            line(ft.Icons.BUILD_OUTLINED, extra.reason),
            line(ft.Icons.PHOTO_OUTLINED, f"{photos} photo{'' if photos == 1 else 's'}"),
            line(ft.Icons.EVENT, f"Asked for {fmt.day(extra.requested_at)}"),
        ]
        actions: list[ft.Control] = [
            ft.FilledButton("Approve", on_click=on(self._approve, extra)),
            ft.OutlinedButton("Refuse", on_click=on(self._refuse, extra)),
        ]
        return card(
            extra.job_title or "Extra work",
            "Waiting for you",
            ft.Colors.ORANGE_800,
            details,
            actions,
            f"extra-{extra.id}",
            extra.pending,
        )

    def _summary(self, extra: ExtraView) -> ft.Control:
        who = extra.business_name or "The tradesperson"
        return hint(f"{who} asks for {fmt.money(extra.price_pence)}: {extra.reason}")

    def _approve(self, extra: ExtraView) -> None:
        note = field(
            "Note for the tradesperson (optional)",
            multiline=True,
            max_length=commands.DecideExtra.limit("reason"),
        )

        async def send() -> str:
            await self.client.decide_extra(extra.id, approve=True, reason=note.value.strip())
            return f"Extra work of {fmt.money(extra.price_pence)} approved."

        FormDialog(
            self.page,
            self.client,
            f"Approve extra work: {extra.job_title}",
            [self._summary(extra), note],
            "Approve extra work",
            send,
        ).open()

    def _refuse(self, extra: ExtraView) -> None:
        why = field(
            "Why is it refused?",
            multiline=True,
            min_lines=2,
            max_length=commands.DecideExtra.limit("reason"),
            hint_text="e.g. Not needed: the valve can be freed",
        )

        async def send() -> str | None:
            why.error = (
                None
                if why.value.strip()
                else "Say why the extra work is refused, so the tradesperson knows."
            )
            if why.error:
                return None
            await self.client.decide_extra(extra.id, approve=False, reason=why.value.strip())
            return "Extra work refused."

        FormDialog(
            self.page,
            self.client,
            f"Refuse extra work: {extra.job_title}",
            [self._summary(extra), why],
            "Refuse extra work",
            send,
        ).open()
