"""The housing officer's screens: triage (set a priority and post new reports to the
marketplace, award posted jobs from the offers received) and extra work to approve."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import flet as ft

from app.client import Client, ExtraView, JobView, RankedOffer, TriageFilter, TriagePage, when
from app.domain import commands
from app.domain.lifecycle import Action, Rejected
from app.domain.models import AwardMode, JobStatus, Priority, Trade
from app.views import format as fmt
from app.views import theme
from app.views.rules import may, price
from app.views.widgets import (
    FormDialog,
    ListScreen,
    address,
    announced,
    attempt,
    card,
    empty,
    error_text,
    field,
    guarded,
    hint,
    job_card,
    keep_place,
    line,
    on,
    photo_strip,
    saved_message,
    say,
    show_error,
)

PRIORITY_WORDS = {
    Priority.EMERGENCY: "Emergency (make safe within 24 hours)",
    Priority.URGENT: "Urgent (5 working days)",
    Priority.ROUTINE: "Routine (20 working days)",
    Priority.PLANNED: "Planned (60 working days)",
}


USUAL = "usual"
USUAL_ROUTE = "The landlord's usual route for this area and priority"
ROUTE_WORDS = {
    AwardMode.OFFERS: "Tradespeople put themselves forward; you choose from the ranked offers",
    AwardMode.RESIDENT_CHOICE: "The resident chooses from up to three you shortlist",
    AwardMode.AUTO: "The top-ranked offer wins automatically when offers close",
    AwardMode.FIRST_TO_ACCEPT: "A fixed price: the first eligible tradesperson to accept",
    AwardMode.DIRECT: "Straight to the landlord's in-house team or framework contractor",
}
SHORTLIST_MOST = 3
ANY = "any"
SEARCH_PAUSE = 0.4  # seconds without typing before the list follows the search
STATUS_CHOICES = [(ANY, "Any status"), ("new", "New reports"), ("posted", "Posted, to award")]
SORTS = {  # sorted in the device's store (app/store/triage.py)
    "triage": "New reports first",
    "oldest": "Oldest report first",
    "newest": "Newest report first",
    "target": "Soonest target first",
}
PAGE = 50  # cards drawn at a time: an officer may have thousands of open jobs


def filtered(query: TriageFilter) -> bool:
    return replace(query, sort=TriageFilter.sort) != TriageFilter()


def chooser(
    label: str, choices: list[tuple[str, str]], value: str, changed, width: int = 170
) -> ft.Dropdown:
    """A compact dropdown for the filter bar (labelled for screen readers where placed)."""
    return ft.Dropdown(
        label=label,
        options=[ft.DropdownOption(key=k, text=t) for k, t in choices],
        value=value,
        enable_search=False,
        width=width,  # 170: two to a row on a phone
        dense=True,
        on_select=guarded(changed),
    )


class Triage(ListScreen):
    title, icon = "Reports to triage", ft.Icons.INBOX_OUTLINED

    def __init__(self, page: ft.Page, client: Client) -> None:
        super().__init__(page, client)
        self.intro.visible = True
        self.jobs: list[JobView] = []
        self.found: TriagePage | None = None
        self.shown = PAGE
        self.thumbs: dict[str, bytes] = {}
        self.query = TriageFilter()
        self.order: tuple[TriageFilter, list[str]] = (self.query, [])
        self.typed = ""
        self.search = ft.TextField(
            label="Search title, street or resident",
            prefix_icon=ft.Icons.SEARCH,
            dense=True,
            on_change=guarded(self._searched),
        )
        self.filters = ft.Row(self._filter_controls(), wrap=True, spacing=8, run_spacing=8)
        self.toggle = ft.OutlinedButton(
            "Filter and sort", icon=ft.Icons.FILTER_LIST, on_click=on(self._toggle)
        )
        self.showing = hint("")
        self.control.controls[2:2] = [
            self.search,
            ft.Row([self.toggle, self.showing], wrap=True, spacing=12),
            self.filters,
        ]
        self.filters.visible = (page.width or 1024) >= 820

    async def refresh(self) -> None:
        await self._read()
        self._render()

    async def _read(self) -> None:
        """The page of jobs the query shows, read from the device's store."""
        self.jobs, self.found = await self.client.triage(self.query, limit=self.shown)
        self.thumbs = await self.client.thumbnails(sha for j in self.jobs for sha in j.photos)
        new = self.found.new
        self.intro.value = (
            f"{new} new report{'' if new == 1 else 's'} to triage, "
            f"{self.found.open - new} posted and waiting to be awarded. "
            "Damp and mould and emergencies are listed first."
        )

    def _render(self) -> None:
        query, previous = self.order
        arranged = self.jobs
        if query == self.query:  # the same view: cards keep their places after an action
            arranged = keep_place(previous, arranged, lambda j: j.id)
        self.order = (self.query, [j.id for j in arranged])
        self._show_query()
        matching = self.found.matching if self.found else 0
        shown = f"Showing {len(arranged)} of {matching}"
        self.showing.value = f"{shown}, filtered." if filtered(self.query) else f"{shown}."
        cards: list[ft.Control] = [self._card(job) for job in arranged]
        if matching > len(arranged):
            more = min(PAGE, matching - len(arranged))
            cards.append(
                ft.OutlinedButton(
                    f"Show {more} more of {matching - len(arranged)}",
                    icon=ft.Icons.EXPAND_MORE,
                    on_click=on(self._more),
                )
            )
        self.list.controls = cards or [
            empty("No reports match. Clear the filters to see them all.")
            if self.found and self.found.open
            else empty("Nothing to triage.")
        ]

    def _filter_controls(self) -> list[ft.Control]:
        """Built once: rebuilt on every change they would close a menu being opened."""
        q = self.query
        self.boxes = {
            "status": chooser("Status", STATUS_CHOICES, q.status, self._set("status")),
            "priority": chooser(
                "Priority",
                [(ANY, "Any priority")] + [(p.value, p.value.capitalize()) for p in Priority],
                q.priority,
                self._set("priority"),
            ),
            "trade": chooser(
                "Trade",
                [(ANY, "Any trade")] + [(t.value, t.label) for t in Trade],
                q.trade,
                self._set("trade"),
            ),
            "district": chooser("Area", [(ANY, "Any area")], q.district, self._set("district")),
            "sort": chooser(
                "Sort",
                list(SORTS.items()),
                q.sort,
                self._set("sort"),
                width=250,  # "Soonest target first" in full
            ),
        }
        self.damp_box = ft.Checkbox(
            label="Damp and mould only", value=q.damp_only, on_change=guarded(self._damp_only)
        )
        return [
            *(announced(box) for box in self.boxes.values()),
            self.damp_box,
            ft.TextButton("Clear filters", icon=ft.Icons.CLEAR, on_click=on(self._clear)),
        ]

    def _show_query(self) -> None:
        """Set the filter controls to the query, and the areas to those in the list."""
        districts = self.found.districts if self.found else []
        self.boxes["district"].options = [ft.DropdownOption(key=ANY, text="Any area")] + [
            ft.DropdownOption(key=d, text=d) for d in districts
        ]
        for name, box in self.boxes.items():
            box.value = getattr(self.query, name)
        self.damp_box.value = self.query.damp_only

    def _set(self, name: str):
        async def changed(e: ft.Event) -> None:
            await self._apply(replace(self.query, **{name: e.control.value or ANY}))

        return changed

    async def _apply(self, query: TriageFilter) -> None:
        """Show the list for `query`, from its first page. Only what changed is sent: a
        page update would send the search box's value back while the officer is typing."""
        self.query, self.shown = query, PAGE
        await self._read()
        self._render()
        for control in (self.intro, self.showing, self.filters, self.list):
            control.update()

    async def _more(self) -> None:
        self.shown += PAGE
        await self._read()
        self._render()
        self.list.update()
        self.showing.update()

    async def _searched(self, e: ft.Event) -> None:
        """Search once typing pauses: rebuilding the list under a moving cursor loses
        the letters typed meanwhile."""
        text = e.control.value or ""
        self.typed = text
        await asyncio.sleep(SEARCH_PAUSE)
        if self.typed == text and text != self.query.text:
            await self._apply(replace(self.query, text=text))

    async def _damp_only(self, e: ft.Event) -> None:
        await self._apply(replace(self.query, damp_only=bool(e.control.value)))

    async def _clear(self) -> None:
        self.search.value = self.typed = ""
        self.search.update()
        await self._apply(TriageFilter(sort=self.query.sort))

    def _toggle(self) -> None:
        self.filters.visible = not self.filters.visible
        self.page.update()

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
        if job.also_reported_by:
            count = len(job.also_reported_by) + 1
            details.append(line(ft.Icons.GROUPS_OUTLINED, f"{count} residents reported this"))
        if job.suggested_priority and not job.priority:
            details.append(
                line(
                    ft.Icons.LIGHTBULB_OUTLINE,
                    f"Resident's answers suggest: {job.suggested_priority.value.capitalize()}",
                )
            )
        if job.damp_and_mould:
            details.insert(
                0,
                marker(ft.Icons.WATER_DROP, "Damp and mould: Awaab's Law timers apply", theme.DAMP),
            )
        if job.priority is Priority.EMERGENCY:
            details.insert(
                0,
                marker(
                    ft.Icons.WARNING_AMBER_ROUNDED,
                    "Emergency: make safe within 24 hours",
                    theme.RED,
                ),
            )
        for said in job.property_alerts:
            details.append(line(ft.Icons.WARNING_AMBER, f"Property alert: {said}"))
        if job.description:
            details.append(ft.Text(job.description, size=13))
        held = [self.thumbs[s] for s in job.photos if s in self.thumbs]
        details += photo_strip(held, len(job.photos) - len(held), "resident's ")
        actions: list[ft.Control] = []
        if may(self.client, job, Action.POST):
            actions.append(ft.FilledButton("Post to marketplace", on_click=on(self._post, job)))
        else:
            if job.priority:
                details.append(line(ft.Icons.PRIORITY_HIGH, PRIORITY_WORDS[job.priority]))
            details.append(line(ft.Icons.FLAG_OUTLINED, fmt.target(job.target_at)))
            details.append(line(ft.Icons.ALT_ROUTE, f"Award route: {job.award_mode.label}"))
            offers = f"{job.offer_count} offer{'' if job.offer_count == 1 else 's'}"
            details.append(line(ft.Icons.PEOPLE_OUTLINE, offers))
            if job.shortlist and job.award_mode is AwardMode.RESIDENT_CHOICE:
                details.append(waiting_for_resident(job))
            if job.offer_count and may(self.client, job, Action.AWARD):
                actions.append(
                    ft.FilledButton("See offers and award", on_click=on(self._offers, job))
                )
        if job.home_id:
            actions.append(
                ft.TextButton(
                    "Property alerts", icon=ft.Icons.EDIT_NOTE, on_click=on(self._alerts, job)
                )
            )
        return job_card(job, details, actions)

    def _alerts(self, job: JobView) -> None:
        """What anyone visiting the home must be told, one a line: the home's list, which
        its open repairs (and their tradespeople's job packs) get too."""
        most = commands.SetHomeAlerts.limit("alerts")
        box = field(
            "Property alerts, one a line",
            multiline=True,
            min_lines=3,
            value="\n".join(job.property_alerts),
            hint_text="e.g. Dog on the premises",
        )

        async def send() -> str | None:
            lines = [x.strip() for x in (box.value or "").splitlines() if x.strip()]
            longest = max(lines, key=len, default="")
            if len(lines) > most:
                box.error = f"At most {most} alerts: join or remove {len(lines) - most}."
            elif len(longest) > commands.ALERT_MOST:
                box.error = (
                    f"Each alert takes at most {commands.ALERT_MOST} characters: "
                    f"shorten “{longest[:40]}…”."
                )
            else:
                box.error = None
            if box.error:
                return None
            await self.client.set_home_alerts(job.home_id, lines)
            return "Property alerts saved for this home and its open repairs."

        FormDialog(
            self.page,
            self.client,
            f"Property alerts: {address(job)}",
            [
                hint(
                    "What anyone visiting must know: asbestos, pets, how to get the "
                    "resident's attention. The tradesperson sees them once the job is theirs."
                ),
                box,
            ],
            "Save alerts",
            send,
        ).open()

    def _post(self, job: JobView) -> None:
        choice = ft.RadioGroup(
            ft.Column([ft.Radio(value=p.value, label=PRIORITY_WORDS[p]) for p in Priority])
        )
        suggested = (
            [hint(f"The resident's answers suggest {job.suggested_priority.value}: you decide.")]
            if job.suggested_priority
            else []
        )
        missing = error_text()
        route = ft.RadioGroup(
            ft.Column(
                [ft.Radio(value=USUAL, label=USUAL_ROUTE)]
                + [ft.Radio(value=m.value, label=ROUTE_WORDS[m]) for m in AwardMode]
            ),
            value=USUAL,
            on_change=guarded(lambda _e: self._route_chosen(route, fixed, dialog)),
        )
        fixed = field(
            "Fixed price in pounds",
            prefix="£ ",
            keyboard_type=ft.KeyboardType.NUMBER,
            hint_text="e.g. 120",
            visible=False,
        )

        async def send() -> str | None:
            show_error(missing, None if choice.value else "Choose a priority.")
            mode = None if route.value in (None, USUAL) else AwardMode(route.value)
            pence = None
            if mode is AwardMode.FIRST_TO_ACCEPT:
                pence, fixed.error = price(fixed.value, commands.PostJob, "fixed_price_pence")
            if not choice.value or fixed.error:
                return None
            await self.client.post_job(job.id, Priority(choice.value), mode, pence)
            if mode is AwardMode.DIRECT:
                return "Awarded directly to the landlord's own team."
            return "Posted to the marketplace."

        dialog = FormDialog(
            self.page,
            self.client,
            f"Post: {job.title}",
            [
                hint("The priority sets the target date tradespeople must meet."),
                ft.Text("Priority", weight=ft.FontWeight.W_600),
                *suggested,
                choice,
                missing,
                ft.Text("How should it be awarded?", weight=ft.FontWeight.W_600),
                route,
                fixed,
            ],
            "Post job",
            send,
        )
        dialog.open()

    def _route_chosen(self, route: ft.RadioGroup, fixed: ft.TextField, dialog) -> None:
        fixed.visible = route.value == AwardMode.FIRST_TO_ACCEPT.value
        dialog.dialog.update()

    async def _offers(self, job: JobView) -> None:
        await AwardDialog(self.page, self.client, job).open()


def waiting_for_resident(job: JobView) -> ft.Control:
    """'Shortlist sent: the resident chooses by 5pm Tuesday 24 November.'"""
    count = len(job.shortlist)
    people = f"{count} tradesperson" if count == 1 else f"{count} tradespeople"
    by = f" by {when(job.choose_by)}" if job.choose_by else ""
    return marker(
        ft.Icons.HOW_TO_VOTE_OUTLINED,
        f"Shortlist of {people} sent: the resident chooses{by}. After that the best-ranked "
        "on the shortlist gets the job.",
        theme.BLUE,
    )


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def score_words(offer: RankedOffer) -> str:
    return f"{offer.score} out of 100"


def why_this_rank(offer: RankedOffer) -> ft.Control:
    """Each part of the score, its points and the sentence that explains it, folded away."""
    rows: list[ft.Control] = [
        ft.Semantics(
            content=ft.Column(
                [
                    ft.Row(
                        [
                            ft.Text(part.name, weight=ft.FontWeight.W_600, size=13, expand=True),
                            ft.Text(f"{part.points} points", size=13, weight=ft.FontWeight.W_600),
                        ]
                    ),
                    ft.Text(part.why, size=13, color=theme.MUTED),
                ],
                spacing=0,
            ),
            label=f"{part.name}: {part.points} points. {part.why}",
            container=True,
            exclude_semantics=True,
        )
        for part in offer.parts
    ]
    rows.append(
        ft.Text(
            f"Total: {score_words(offer)}. Eligible tradespeople always rank above those who "
            "can't be awarded the job.",
            size=12,
            color=theme.MUTED,
        )
    )
    return ft.ExpansionTile(
        title=ft.Text("Why this rank", size=14, weight=ft.FontWeight.W_500),
        controls=rows,
        controls_padding=ft.Padding.only(left=12, right=12, bottom=8),
        tile_padding=ft.Padding.symmetric(horizontal=4),
        expanded_cross_axis_alignment=ft.CrossAxisAlignment.STRETCH,
        dense=True,
    )


def candidate_card(offer: RankedOffer, controls: list[ft.Control]) -> ft.Control:
    """One candidate: rank, business, score, price, earliest visit, whether they can be
    awarded, and why this rank. Labelled with the price, for screen readers and tests."""
    badge_colour = theme.GREEN if offer.chosen else theme.BLUE if offer.eligible else theme.GREY
    rank = ft.Container(
        ft.Text(str(offer.position), color=theme.ON_COLOUR, weight=ft.FontWeight.W_600),
        bgcolor=badge_colour,
        width=30,
        height=30,
        border_radius=15,
        alignment=ft.Alignment.CENTER,
    )
    who = offer.business_name
    if offer.name and offer.name != who:
        who = f"{who} ({offer.name})"
    top = ft.Row(
        [
            rank,
            ft.Text(who, weight=ft.FontWeight.W_600, size=15, expand=True),
            ft.Text(score_words(offer), weight=ft.FontWeight.W_600, size=15),
        ],
        vertical_alignment=ft.CrossAxisAlignment.CENTER,
    )
    lines: list[ft.Control] = [
        top,
        line(
            ft.Icons.PAYMENTS_OUTLINED,
            f"{fmt.money(offer.price_pence)}, earliest visit {offer.earliest}",
        ),
    ]
    if offer.chosen:
        lines.append(marker(ft.Icons.CHECK_CIRCLE, "Chosen", theme.GREEN))
    elif offer.live and offer.eligible:
        lines.append(marker(ft.Icons.CHECK_CIRCLE_OUTLINE, "Can be awarded", theme.GREEN))
    elif offer.live:
        lines.append(marker(ft.Icons.BLOCK, f"Can't be awarded: {offer.reason}", theme.RED))
    if offer.shortlisted and not offer.chosen:
        lines.append(line(ft.Icons.HOW_TO_VOTE_OUTLINED, "On the resident's shortlist"))
    if offer.note:
        lines.append(line(ft.Icons.NOTES, offer.note))
    lines.append(why_this_rank(offer))
    if controls:
        lines.append(ft.Row(controls, wrap=True, spacing=8, run_spacing=8))
    label = (
        f"{ordinal(offer.position)}: {offer.business_name}, {score_words(offer)}, "
        f"{fmt.money(offer.price_pence)}"
    )
    return ft.Semantics(
        content=ft.Container(
            ft.Column(lines, spacing=6),
            padding=ft.Padding.all(12),
            border=ft.Border.all(1, "#C9D2D0"),
            border_radius=8,
            bgcolor=theme.CARD,
        ),
        label=label,
        container=True,
    )


class AwardDialog:
    """The job's candidates in ranked order, each with its score and why; award one (with
    the usual confirmation), or tick up to three for the resident to choose from."""

    def __init__(self, page: ft.Page, client: Client, job: JobView) -> None:
        self.page, self.client, self.job = page, client, job
        self.offers: list[RankedOffer] = []
        self.picking = False
        self.ticked: list[str] = []
        self.deadline = None
        self.error = error_text()
        self.dialog = ft.AlertDialog(title=ft.Text(f"Offers: {job.title}"), scrollable=True)

    async def open(self) -> None:
        self.offers = await self.client.ranking(self.job.id)
        self.deadline = await self.client.choice_deadline(self.job.id)
        self._render()
        self.page.show_dialog(self.dialog)

    @property
    def can_shortlist(self) -> bool:
        job = self.job
        return (
            bool(job.resident_id)
            and job.status is JobStatus.POSTED
            and job.award_mode in (AwardMode.OFFERS, AwardMode.AUTO, AwardMode.RESIDENT_CHOICE)
            and any(o.eligible for o in self.offers)
        )

    def _render(self) -> None:
        job = self.job
        intro: list[ft.Control] = [
            line(ft.Icons.ALT_ROUTE, f"Award route: {job.award_mode.label}"),
        ]
        if job.status is JobStatus.POSTED:
            intro.append(
                hint(
                    "Best first: those who can be awarded the job come first, then by score "
                    'out of 100. Open "Why this rank" to see each part of a score.'
                )
            )
            if job.shortlist and job.award_mode is AwardMode.RESIDENT_CHOICE:
                intro.append(waiting_for_resident(job))
        else:
            intro += [
                marker(ft.Icons.GAVEL, job.award_reason or "Awarded.", theme.GREEN),
                hint(
                    "The ranking as it stood when the job was awarded, best first. Each "
                    "tradesperson has been told where they came and why."
                ),
            ]
        if self.picking:
            intro.append(
                marker(
                    ft.Icons.HOW_TO_VOTE_OUTLINED,
                    f"Tick up to {SHORTLIST_MOST} for the resident to choose from. They will "
                    f"have until {when(self.deadline)} to choose; after that the best-ranked "
                    "on the shortlist gets the job.",
                    theme.BLUE,
                )
            )
        rows = [candidate_card(o, self._controls(o)) for o in self.offers] or [
            ft.Text("No open offers.")
        ]
        self.dialog.content = ft.Column(
            [*intro, *rows, self.error],
            tight=True,
            width=680,
            spacing=10,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )
        close = ft.TextButton("Close", on_click=on(self.page.pop_dialog))
        if self.picking:
            count = len(self.ticked)
            self.dialog.actions = [
                ft.TextButton("Back to awarding", on_click=on(self._pick, False)),
                ft.FilledButton(
                    f"Send shortlist ({count})",
                    icon=ft.Icons.SEND,
                    disabled=count == 0,
                    on_click=on(self._send_shortlist),
                ),
            ]
        elif self.can_shortlist:
            self.dialog.actions = [
                close,
                ft.OutlinedButton(
                    "Let the resident choose",
                    icon=ft.Icons.HOW_TO_VOTE_OUTLINED,
                    on_click=on(self._pick, True),
                ),
            ]
        else:
            self.dialog.actions = [close]

    def _controls(self, offer: RankedOffer) -> list[ft.Control]:
        if not offer.live or not offer.eligible:
            return []
        if self.picking:
            ticked = offer.offer_id in self.ticked
            return [
                ft.Checkbox(
                    label=f"Shortlist {offer.business_name}",
                    value=ticked,
                    disabled=not ticked and len(self.ticked) >= SHORTLIST_MOST,
                    on_change=guarded(lambda e, o=offer: self._tick(o, bool(e.control.value))),
                )
            ]
        return [ft.FilledButton("Award", on_click=on(self._confirm, offer))]

    def _update(self) -> None:
        self._render()
        self.dialog.update()

    def _pick(self, picking: bool) -> None:
        self.picking = picking
        self.ticked = (
            [o.offer_id for o in self.offers if o.shortlisted and o.eligible][:SHORTLIST_MOST]
            if picking
            else []
        )
        show_error(self.error, None)
        self._update()

    def _tick(self, offer: RankedOffer, on_list: bool) -> None:
        if on_list and offer.offer_id not in self.ticked and len(self.ticked) < SHORTLIST_MOST:
            self.ticked.append(offer.offer_id)
        elif not on_list and offer.offer_id in self.ticked:
            self.ticked.remove(offer.offer_id)
        self._update()

    async def _send_shortlist(self) -> None:
        ranked = [o.offer_id for o in self.offers if o.offer_id in self.ticked]
        try:
            await self.client.shortlist(self.job.id, ranked)
        except Rejected as e:  # a refusal stays in the dialog, with the ticks
            show_error(self.error, e.message)
            self.dialog.update()
            return
        self.page.pop_dialog()
        people = "tradesperson" if len(ranked) == 1 else "tradespeople"
        say(
            self.page,
            saved_message(
                self.client,
                f"Shortlist of {len(ranked)} {people} sent to the resident, who chooses by "
                f"{when(self.deadline)}.",
            ),
        )

    def _confirm(self, offer: RankedOffer) -> None:
        job = self.job

        async def award() -> None:
            self.page.pop_dialog()
            await attempt(
                self.page,
                lambda: self.client.award(job.id, offer.offer_id),
                f"Job awarded to {offer.business_name}.",
                self.client,
            )

        self.page.pop_dialog()
        others = sum(o.live for o in self.offers) - 1
        declined = (
            f" The other {others} offer{'' if others == 1 else 's'} will be declined, and "
            "each tradesperson told why."
            if others > 0
            else ""
        )
        self.page.show_dialog(
            ft.AlertDialog(
                title=ft.Text(
                    f"Award to {offer.business_name} for {fmt.money(offer.price_pence)}?"
                ),
                content=ft.Text(
                    f"{job.title}, {address(job)}. Ranked {ordinal(offer.position)}, "
                    f"{score_words(offer)}. Earliest visit {offer.earliest}.{declined}"
                ),
                actions=[
                    ft.TextButton("Cancel", on_click=on(self.page.pop_dialog)),
                    ft.FilledButton("Award job", on_click=on(award)),
                ],
            )
        )


class AwardedJobs(ListScreen):
    """Jobs awarded and under way: who has each, how it was awarded and the stored
    ranking behind it."""

    title, icon = "Awarded jobs", ft.Icons.ASSIGNMENT_TURNED_IN_OUTLINED

    def __init__(self, page: ft.Page, client: Client) -> None:
        super().__init__(
            page,
            client,
            "Jobs awarded and not yet finished, the most recent first. Each says how it was "
            "awarded; open the ranking to see why.",
        )

    async def refresh(self) -> None:
        jobs = await self.client.awarded_jobs()
        names = {j.id: await self.client.awarded_to_whom(j.id) for j in jobs[:200]}
        self.list.controls = [self._card(j, names.get(j.id)) for j in jobs[:200]] or [
            empty("No jobs are awarded and under way.")
        ]

    def _card(self, job: JobView, who: str | None) -> ft.Control:
        details = [
            line(ft.Icons.STOREFRONT_OUTLINED, f"Awarded to {who or 'a tradesperson'}"),
            line(ft.Icons.GAVEL, job.award_reason or "Awarded."),
            line(ft.Icons.ALT_ROUTE, f"Award route: {job.award_mode.label}"),
            line(ft.Icons.PLACE_OUTLINED, address(job)),
            line(ft.Icons.FLAG_OUTLINED, fmt.target(job.target_at)),
        ]
        if job.awarded_at:
            details.append(line(ft.Icons.EVENT, f"Awarded {fmt.day(job.awarded_at)}"))
        actions: list[ft.Control] = []
        if job.awarded_offer_id:
            actions.append(ft.OutlinedButton("See the ranking", on_click=on(self._ranking, job)))
        return job_card(job, details, actions)

    async def _ranking(self, job: JobView) -> None:
        await AwardDialog(self.page, self.client, job).open()


def marker(icon: ft.IconData, text: str, colour: str) -> ft.Control:
    """A line that must catch the eye: damp and mould, emergencies."""
    return ft.Row(
        [
            ft.Icon(icon, size=18, color=colour),
            ft.Text(text, size=13, color=colour, weight=ft.FontWeight.W_600, expand=True),
        ],
        spacing=6,
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
            theme.AMBER,
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
