"""The tradesperson's screens: the job board, to put themselves forward, and the jobs they
have won, worked from the phone onsite with or without signal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import flet as ft

from app.client import Client, JobView, OfferView
from app.domain import commands
from app.domain.lifecycle import FINISHED, Action
from app.domain.models import JobStatus, OfferStatus, PhotoStage
from app.domain.records import Job, Visit
from app.views import format as fmt
from app.views import theme, visit
from app.views.joining import status_banner
from app.views.rules import may, may_change_offer, price
from app.views.widgets import (
    FormDialog,
    ListScreen,
    PhotoPicker,
    address,
    attempt,
    card,
    dropdown,
    dropdown_row,
    empty,
    error_text,
    extra_lines,
    field,
    guarded,
    hint,
    job_card,
    keep_place,
    line,
    on,
    photo_progress,
    show_error,
)

OFFER_WORDS = {
    OfferStatus.OPEN: "You put yourself forward",
    OfferStatus.DECLINED: "Another tradesperson was chosen",
    OfferStatus.ACCEPTED: "You were chosen",
    OfferStatus.WITHDRAWN: "Offer withdrawn",
}


TRADE_BADGES = {  # the job's status as the tradesperson it is awarded to reads it
    JobStatus.AWARDED: "Awarded to you",
    JobStatus.SCHEDULED: "Visit booked",
}


def where_and_when(job: JobView) -> list[ft.Control]:
    details = [
        line(ft.Icons.HANDYMAN_OUTLINED, job.trade_label),
        line(ft.Icons.PLACE_OUTLINED, address(job)),
        line(ft.Icons.FLAG_OUTLINED, fmt.target(job.target_at)),
    ]
    if job.priority:
        details.insert(0, line(ft.Icons.PRIORITY_HIGH, f"{job.priority.capitalize()} priority"))
    return details


class JobBoard(ListScreen):
    title, icon = "Job board", ft.Icons.WORK_OUTLINE

    def __init__(self, page: ft.Page, client: Client) -> None:
        super().__init__(page, client, "Open jobs in your trades and areas, soonest target first.")
        self.order: list[str] = []

    async def refresh(self) -> None:
        profile = await self.client.my_profile()
        if profile is None or not profile.approved:  # the board is for approved people
            self.list.controls = [
                status_banner(profile),
                ft.Row(
                    [
                        ft.FilledButton(
                            "Open Your details",
                            icon=ft.Icons.BADGE_OUTLINED,
                            on_click=on(self.navigate, "Your details", None),
                        )
                    ]
                ),
            ]
            return
        jobs = keep_place(self.order, await self.client.job_board(), lambda j: j.id)
        self.order = [j.id for j in jobs]
        self.list.controls = [self._card(job) for job in jobs] or [
            empty(
                "No open jobs match your trades and areas right now. "
                "New jobs appear here when they are posted."
            )
        ]

    def _card(self, job: JobView) -> ft.Control:
        details = where_and_when(job)
        if job.description:
            details.append(ft.Text(job.description, size=13))
        actions: list[ft.Control] = []
        if job.my_offer:
            offer = job.my_offer
            details.append(
                line(
                    ft.Icons.CHECK_CIRCLE_OUTLINE,
                    f"{OFFER_WORDS[offer.status]}: {fmt.money(offer.price_pence)}, "
                    f"earliest visit {fmt.day(offer.earliest_slot)}",
                )
            )
        elif may(self.client, job, Action.ACCEPT):  # a fixed price: the first to accept wins
            details.append(
                line(ft.Icons.PAYMENTS_OUTLINED, f"Fixed price {fmt.money(job.fixed_price_pence)}")
            )
            actions.append(ft.FilledButton("Accept job", on_click=on(self._accept, job)))
        else:
            actions.append(ft.FilledButton("Put yourself forward", on_click=on(self._offer, job)))
        return job_card(job, details, actions, badge="Open for offers")

    async def _accept(self, job: JobView) -> None:
        await attempt(
            self.page, lambda: self.client.accept_job(job.id), "Job accepted.", self.client
        )

    def _offer(self, job: JobView) -> None:
        async def send(pence: int, slot: date, note: str) -> str:
            await self.client.put_forward(job.id, pence, slot, note)
            return f"You put yourself forward for {fmt.money(pence)}."

        offer_dialog(self.page, self.client, job, "Put yourself forward", "Send offer", send)


def offer_dialog(
    page: ft.Page,
    client: Client,
    job: Job | None,
    title: str,
    button: str,
    save: Callable[[int, date, str], Awaitable[str]],
    current: OfferView | None = None,
) -> None:
    """Price, earliest visit and a note: to put oneself forward, or to change an offer."""
    amount = field(
        "Your price in pounds",
        prefix="£ ",
        keyboard_type=ft.KeyboardType.NUMBER,
        hint_text="e.g. 120 or 95.50",
        value=f"{current.price_pence / 100:.2f}" if current else "",
    )
    days = fmt.visit_days()
    if current and current.earliest_slot.isoformat() not in dict(days):
        days.insert(0, (current.earliest_slot.isoformat(), fmt.day(current.earliest_slot)))
    chosen = current.earliest_slot.isoformat() if current else days[1][0]
    earliest = dropdown("Earliest visit", days, value=chosen, menu_height=320)
    note = field(
        "Note for the housing officer (optional)",
        multiline=True,
        max_length=commands.PutForward.limit("note"),
        value=current.note if current else "",
    )
    missing_day = error_text()

    async def send() -> str | None:
        pence, amount.error = price(amount.value, commands.PutForward)
        show_error(missing_day, None if earliest.value else "Choose your earliest visit.")
        if amount.error or missing_day.visible:
            return None
        return await save(pence, date.fromisoformat(earliest.value), note.value.strip())

    about = (
        [hint(f"{job.trade.label} in {job.district}. {fmt.target(job.target_at)}.")] if job else []
    )
    name = job.title if job else "your offer"
    FormDialog(
        page,
        client,
        f"{title}: {name}",
        # The price first: on a small screen or with large text it shows without scrolling.
        [amount, dropdown_row(earliest, "earliest-visit"), missing_day, note, *about],
        button,
        send,
    ).open()


class MyJobs(ListScreen):
    title, icon = "My jobs", ft.Icons.ASSIGNMENT_OUTLINED

    def __init__(self, page: ft.Page, client: Client) -> None:
        super().__init__(
            page,
            client,
            "Jobs awarded to you. They work without signal too. Completed work moves to Done.",
        )
        self.order: list[str] = []
        self.thumbs: dict[str, bytes] = {}
        self.visits: dict[str, list[Visit]] = {}

    async def refresh(self) -> None:
        states = await self.client.photo_states()
        jobs = keep_place(self.order, await self.client.my_jobs(), lambda j: j.id)
        self.order = [j.id for j in jobs]
        # The job pack: the resident's photos, fetched after each sync and kept on the phone.
        self.thumbs = await self.client.thumbnails(sha for j in jobs for sha in j.photos)
        self.visits = {job.id: await self.client.visits(job.id) for job in jobs}
        self.list.controls = [self._card(job, states) for job in jobs] or [
            empty("No jobs awarded to you yet. Put yourself forward on the job board.")
        ]

    def _card(self, job: JobView, states: dict[str, tuple[str, str]]) -> ft.Control:
        visits = self.visits.get(job.id, [])
        details = where_and_when(job) + visit.pack_lines(job, self.thumbs, visits)
        if progress := photo_progress(job, states):
            details.append(progress)
        details += extra_lines(job.extras)
        if any(x.status == "pending" for x in job.extras):
            details.append(hint("You can complete the job once the housing officer decides."))
        actions: list[ft.Control] = []
        if may(self.client, job, Action.START):
            actions.append(
                ft.FilledButton(
                    "Start visit", on_click=on(visit.start_visit, self.page, self.client, job)
                )
            )
        if may(self.client, job, Action.START):  # not on site yet
            offered = job.appointment_status in ("proposed", "confirmed")
            actions.append(
                ft.OutlinedButton(
                    "Change the visit time" if offered else "Offer a visit time",
                    on_click=on(visit.propose_time, self.page, self.client, job),
                )
            )
            actions.append(
                ft.OutlinedButton(
                    "On my way", on_click=on(visit.on_my_way, self.page, self.client, job)
                )
            )
        if may(self.client, job, Action.COMPLETE):
            actions.append(
                ft.FilledButton(
                    "Complete job", on_click=on(visit.complete, self.page, self.client, job)
                )
            )
        # Nobody in again after a first no access: the domain hands the job back.
        again = job.status is JobStatus.NO_ACCESS and may(self.client, job, Action.HAND_BACK)
        if may(self.client, job, Action.NO_ACCESS) or again:
            actions.append(
                ft.OutlinedButton(
                    "No access",
                    on_click=on(visit.no_access, self.page, self.client, job, visits),
                )
            )
        if may(self.client, job, Action.REQUEST_EXTRA):
            actions.append(
                ft.OutlinedButton("Ask for extra work", on_click=on(self._ask_for_extra, job))
            )
        if job.started_at is not None and job.status not in FINISHED:
            actions.append(
                ft.TextButton(
                    "Raise follow-on work",
                    on_click=on(visit.follow_on, self.page, self.client, job),
                )
            )
        return job_card(job, details, actions, badge=TRADE_BADGES.get(job.status, ""))

    def _ask_for_extra(self, job: JobView) -> None:
        """Reason, price and a photo: the housing officer decides before the job goes on."""
        reason = field(
            "Why is extra work needed?",
            multiline=True,
            min_lines=2,
            max_length=commands.RequestExtra.limit("reason"),
            hint_text="e.g. Valve seized as well and needs replacing",
        )
        amount = field(
            "Price of the extra work in pounds",
            prefix="£ ",
            keyboard_type=ft.KeyboardType.NUMBER,
            hint_text="e.g. 60 or 45.50",
        )
        photos = PhotoPicker(
            self.page,
            self.client,
            PhotoStage.EXTRA,
            "Add a photo of the extra work",
            changed=lambda: dialog.clear_error(),
        )

        async def send() -> str | None:
            reason.error = None if reason.value.strip() else "Say why the extra work is needed."
            pence, amount.error = price(amount.value, commands.RequestExtra)
            no_photo = not photos.photos
            if no_photo:
                show_error(photos.error, "Add a photo showing why the extra work is needed.")
            if reason.error or amount.error or no_photo:
                return None
            await self.client.request_extra(job.id, reason.value.strip(), pence, photos.photos)
            return f"Extra work of {fmt.money(pence)} asked for."

        dialog = FormDialog(
            self.page,
            self.client,
            f"Ask for extra work: {job.title}",
            [
                hint("The housing officer approves extra work before you carry on."),
                reason,
                amount,
                photos.control,
            ],
            "Ask for approval",
            send,
        )
        dialog.open()


OFFER_BADGES = {
    OfferStatus.OPEN: ("Waiting for a decision", theme.BLUE),
    OfferStatus.ACCEPTED: ("Chosen", theme.GREEN),
    OfferStatus.DECLINED: ("Not chosen", theme.GREY),
    OfferStatus.WITHDRAWN: ("Withdrawn", theme.GREY),
}


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def outcome_lines(offer: OfferView, unfolded: set[str] | None = None) -> list[ft.Control]:
    """After the decision: what the tradesperson reads about it (chosen, or why not with
    their own figures), and their score part by part, folded away. `unfolded` holds the
    offers whose figures are open, so that a sync redrawing the list leaves them open."""
    unfolded = set() if unfolded is None else unfolded
    if offer.status not in (OfferStatus.ACCEPTED, OfferStatus.DECLINED) or not offer.explanation:
        return []
    told = offer.explanation[: len(offer.explanation) - len(offer.parts)] or offer.explanation
    colour = theme.GREEN if offer.status is OfferStatus.ACCEPTED else theme.INK
    said: list[ft.Control] = [
        ft.Text(sentence, size=14, weight=ft.FontWeight.W_500, color=colour)
        for sentence in (told if offer.parts else offer.explanation)
    ]
    if offer.position:
        said.append(
            line(ft.Icons.LEADERBOARD_OUTLINED, f"Your offer ranked {ordinal(offer.position)}")
        )
    if offer.parts:
        rows = [
            ft.Semantics(
                content=ft.Column(
                    [
                        ft.Row(
                            [
                                ft.Text(
                                    part.get("name", ""),
                                    size=13,
                                    weight=ft.FontWeight.W_600,
                                    expand=True,
                                ),
                                ft.Text(
                                    f"{part.get('points', '0')} points",
                                    size=13,
                                    weight=ft.FontWeight.W_600,
                                ),
                            ]
                        ),
                        ft.Text(part.get("why", ""), size=13, color=theme.MUTED),
                    ],
                    spacing=0,
                ),
                label=f"{part.get('name', '')}: {part.get('points', '0')} points. "
                f"{part.get('why', '')}",
                container=True,
                exclude_semantics=True,
            )
            for part in offer.parts
        ]
        said.append(
            ft.Semantics(  # a button of its own: its name is its title, not the card's text
                container=True,
                content=ft.ExpansionTile(
                    title=ft.Text(
                        "Your figures, part by part", size=14, weight=ft.FontWeight.W_500
                    ),
                    controls=rows,
                    controls_padding=ft.Padding.only(left=8, right=8, bottom=8),
                    tile_padding=ft.Padding.symmetric(horizontal=0),
                    expanded_cross_axis_alignment=ft.CrossAxisAlignment.STRETCH,
                    dense=True,
                    expanded=offer.id in unfolded,
                    on_change=guarded(lambda e: _fold(unfolded, offer.id, e.data)),
                ),
            )
        )
    return [
        ft.Container(
            ft.Column(said, spacing=4),
            bgcolor=theme.PAGE,
            padding=ft.Padding.all(10),
            border_radius=8,
        )
    ]


def _fold(unfolded: set[str], offer_id: str, opened: object) -> None:
    if opened in (True, "true"):
        unfolded.add(offer_id)
    else:
        unfolded.discard(offer_id)


class MyOffers(ListScreen):
    title, icon = "My offers", ft.Icons.LOCAL_OFFER_OUTLINED

    def __init__(self, page: ft.Page, client: Client) -> None:
        super().__init__(
            page,
            client,
            "Newest first. You can change or withdraw an offer until the job is awarded.",
        )
        self.order: list[str] = []
        self.unfolded: set[str] = set()  # offers whose figures are open

    async def refresh(self) -> None:
        offers = keep_place(self.order, await self.client.my_offers(), lambda o: o.id)
        self.order = [o.id for o in offers]
        self.list.controls = [self._card(o) for o in offers] or [
            empty("You haven't put yourself forward for any jobs yet.")
        ]

    def _card(self, offer: OfferView) -> ft.Control:
        job = offer.job
        badge, colour = OFFER_BADGES[offer.status]
        details = [
            line(
                ft.Icons.PAYMENTS_OUTLINED,
                f"Your offer {fmt.money(offer.price_pence)}, "
                f"earliest visit {fmt.day(offer.earliest_slot)}",
            )
        ]
        if job:
            details.insert(0, line(ft.Icons.PLACE_OUTLINED, address(job)))
            if job.target_at:
                details.append(line(ft.Icons.FLAG_OUTLINED, fmt.target(job.target_at)))
        if offer.note:
            details.append(line(ft.Icons.NOTES, offer.note))
        details.append(line(ft.Icons.EVENT, f"Sent {fmt.day(offer.created_at)}"))
        details += outcome_lines(offer, self.unfolded)
        actions: list[ft.Control] = []
        if may_change_offer(self.client, offer, job):
            actions += [
                ft.OutlinedButton("Change offer", on_click=on(self._change, offer)),
                ft.OutlinedButton("Withdraw offer", on_click=on(self._withdraw, offer)),
            ]
        gone = (
            "A job that went to another tradesperson"
            if offer.status is OfferStatus.DECLINED
            else "A job no longer on your board"
        )
        title = job.title if job else (offer.job_title or gone)
        return card(title, badge, colour, details, actions, f"offer-{offer.id}", offer.pending)

    def _change(self, offer: OfferView) -> None:
        async def save(pence: int, slot: date, note: str) -> str:
            await self.client.change_offer(offer.id, pence, slot, note)
            return f"Offer changed to {fmt.money(pence)}."

        offer_dialog(
            self.page, self.client, offer.job, "Change your offer", "Save changes", save, offer
        )

    def _withdraw(self, offer: OfferView) -> None:
        title = offer.job.title if offer.job else "this job"

        async def confirmed() -> None:
            self.page.pop_dialog()
            await attempt(
                self.page,
                lambda: self.client.withdraw_offer(offer.id),
                "Offer withdrawn.",
                self.client,
            )

        self.page.show_dialog(
            ft.AlertDialog(
                title=ft.Text("Withdraw your offer?"),
                content=ft.Text(
                    f"Withdraw your offer of {fmt.money(offer.price_pence)} for {title}? "
                    "The housing officer will no longer see it. You can put yourself "
                    "forward again while the job is open."
                ),
                actions=[
                    ft.TextButton("Keep offer", on_click=on(self.page.pop_dialog)),
                    ft.FilledButton("Withdraw offer", on_click=on(confirmed)),
                ],
            )
        )


class Done(ListScreen):
    title, icon = "Done", ft.Icons.TASK_ALT

    def __init__(self, page: ft.Page, client: Client) -> None:
        super().__init__(page, client, "Work you have completed, most recent first.")

    async def refresh(self) -> None:
        self.list.controls = [self._card(job) for job in await self.client.done_jobs()] or [
            empty("Jobs you complete are listed here.")
        ]

    def _card(self, job: JobView) -> ft.Control:
        details = [
            line(ft.Icons.HANDYMAN_OUTLINED, job.trade_label),
            line(ft.Icons.PLACE_OUTLINED, address(job)),
        ]
        if job.completed_at:
            details.append(line(ft.Icons.TASK_ALT, f"Completed {fmt.day(job.completed_at)}"))
        if job.my_offer and job.my_offer.status is OfferStatus.ACCEPTED:
            details.append(
                line(
                    ft.Icons.PAYMENTS_OUTLINED, f"Your price {fmt.money(job.my_offer.price_pence)}"
                )
            )
        elif job.fixed_price_pence:
            details.append(
                line(ft.Icons.PAYMENTS_OUTLINED, f"Fixed price {fmt.money(job.fixed_price_pence)}")
            )
        if job.completion_notes:
            details.append(line(ft.Icons.NOTES, job.completion_notes))
        details += extra_lines(job.extras)
        if job.rating_quality is not None:
            details.append(
                line(
                    ft.Icons.STAR,
                    f"Resident's rating: speed {job.rating_speed}, "
                    f"quality {job.rating_quality} out of 5",
                )
            )
        return job_card(job, details, [])
