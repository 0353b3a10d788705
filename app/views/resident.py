"""The resident's screens: report a repair, and follow and rate their repairs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import flet as ft

from app.client import Choice, ChoiceOption, Client, JobDetail, JobView
from app.domain import commands
from app.domain.guide import Suggestion
from app.domain.lifecycle import Action, Rejected
from app.domain.models import AwardMode, JobStatus, PhotoStage, Trade
from app.domain.targets import DEFAULT_POLICY, damp_and_mould_timers
from app.views import format as fmt
from app.views import theme
from app.views.guided import Guide, emergency_line, step
from app.views.rules import may, shortest
from app.views.visit import appointment_lines
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
    hint,
    icon_action,
    job_card,
    limited,
    line,
    on,
    pending_marker,
    photo_progress,
    photo_strip,
    saved_message,
    say,
    show_error,
)

CHOOSE = "choose:"  # MyRepairs opens a repair's choice page at "choose:<job id>"
CHOSEN_BY_RESIDENT = "Chosen by the resident."

TRADE_MISSING = "Choose what kind of repair this is."
DONE = (JobStatus.COMPLETED, JobStatus.CLOSED)
RECALL_DAYS = 30  # 'not fixed' within this many days of completion opens a recall
S = JobStatus
CHOSEN = "A tradesperson has been chosen. They will contact you to arrange a visit."
WHAT_NEXT = {
    S.REPORTED: "A housing officer checks your report and decides how urgent it is. "
    "That sets your target date.",
    S.TRIAGED: "A housing officer has checked your report and will send it to tradespeople.",
    S.POSTED: "Tradespeople are putting themselves forward for this repair. The housing "
    "officer chooses one, who will then contact you to arrange a visit.",
    S.AWARDED: CHOSEN,
    S.SCHEDULED: CHOSEN,
    S.IN_PROGRESS: "The work has started. You can rate it once it is completed.",
    S.NO_ACCESS: "The tradesperson could not get in. They will contact you to arrange "
    "another visit.",
    S.VARIATION_PENDING: "The tradesperson found more work to do. The housing officer "
    "decides on it, then the work carries on.",
    S.ON_HOLD: "This repair is on hold. The housing officer will tell you when it restarts.",
    S.COMPLETED: "The work is done. Please rate it: your rating helps choose good tradespeople.",
    S.CLOSED: "This repair is finished and closed.",
    S.CANCELLED: "This repair was cancelled. Report it again if it still needs doing.",
    S.DUPLICATE: "This was the same as another of your reports: follow that one instead.",
}


def reference(job_id: str) -> str:
    """What a resident quotes on the phone: short, and the same on every screen."""
    return job_id[:8].upper()


def joined(job: JobView) -> bool:
    """A neighbour's report of a shared area that this resident said "me too" on: they
    follow it, but it is not theirs to rate, cancel or call not fixed."""
    return job.communal and job.resident_id is None


def what_next(job: JobView) -> str:
    if job.status in (S.AWARDED, S.SCHEDULED) and job.appointment_status == "confirmed":
        return "A tradesperson is booked to come at the time below."
    if job.status in DONE and job.rating_quality is not None:
        return "The work is done. Thank you for rating it."
    if job.status is S.POSTED and job.award_mode is AwardMode.RESIDENT_CHOICE:
        if job.shortlist:
            return (
                "Your housing officer has picked tradespeople for you to choose from. "
                "Choose the one you would like to come."
            )
        return (
            "Tradespeople are putting themselves forward for this repair. Your housing "
            "officer will pick some for you to choose from."
        )
    return WHAT_NEXT[job.status]


def damp_timescale(job: JobView) -> str:
    """Awaab's Law deadlines, in days a resident can hold us to."""
    timers, rules = damp_and_mould_timers(job.reported_at), DEFAULT_POLICY
    return (
        f"Damp and mould (Awaab's Law): we must investigate by "
        f"{fmt.day(timers.investigate_by)}, within {rules.damp_investigate_days} working days "
        f"of your report. We then write to you with what we found within "
        f"{rules.damp_summary_days} working days, and start any safety work within "
        f"{rules.damp_safety_work_days} working days."
    )


def section(title: str, *controls: ft.Control) -> ft.Control:
    return ft.Column([ft.Text(title, weight=ft.FontWeight.W_600, size=16), *controls], spacing=6)


def pill(text: str, colour: str) -> ft.Control:
    return ft.Container(
        ft.Text(text, size=13, color=theme.ON_COLOUR, weight=ft.FontWeight.W_500),
        bgcolor=colour,
        padding=ft.Padding.symmetric(horizontal=8, vertical=2),
        border_radius=12,
    )


def choice_banner(choice: Choice, open_choice: Callable[[str], Awaitable[None]]) -> ft.Control:
    """The card on the resident's screens that asks them to choose, and by when;
    `open_choice(job_id)` shows the choice page."""
    job = choice.job
    names = ", ".join(o.business_name for o in choice.options)
    body = ft.Column(
        [
            ft.Row(
                [
                    ft.Icon(ft.Icons.HOW_TO_VOTE, color=theme.ON_COLOUR),
                    ft.Text(
                        f"Choose your tradesperson for {job.title}",
                        size=17,
                        weight=ft.FontWeight.W_600,
                        color=theme.ON_COLOUR,
                        expand=True,
                    ),
                ],
                vertical_alignment=ft.CrossAxisAlignment.START,
            ),
            ft.Text(f"{len(choice.options)} to choose from: {names}.", color=theme.ON_COLOUR),
            ft.Text(choice.deadline + ".", color=theme.ON_COLOUR, weight=ft.FontWeight.W_500),
            ft.Row(
                [
                    ft.FilledButton(
                        "Choose your tradesperson",
                        icon=ft.Icons.ARROW_FORWARD,
                        on_click=on(open_choice, job.id),
                        style=ft.ButtonStyle(
                            bgcolor=theme.PAGE, color=theme.BLUE, icon_color=theme.BLUE
                        ),
                    )
                ]
            ),
        ],
        spacing=6,
    )
    return ft.Semantics(
        content=ft.Container(
            body, bgcolor=theme.BLUE, padding=ft.Padding.all(16), border_radius=10
        ),
        label=f"Choose your tradesperson for {job.title}",
        container=True,
        key=f"choose-{job.id}",
    )


def stars(option: ChoiceOption) -> ft.Control:
    """Five stars filled to the rating (to the nearest half), read as the rating in words."""
    icons = []
    for n in range(1, 6):
        if option.ratings and option.rating >= n - 0.25:
            icon = ft.Icons.STAR
        elif option.ratings and option.rating >= n - 0.75:
            icon = ft.Icons.STAR_HALF
        else:
            icon = ft.Icons.STAR_BORDER
        icons.append(ft.Icon(icon, color=theme.STAR, size=24))
    return ft.Semantics(
        content=ft.Row(icons, spacing=0), label=option.rating_words, exclude_semantics=True
    )


def fact(icon: ft.IconData, text: str) -> ft.Control:
    return ft.Row(
        [ft.Icon(icon, size=20, color=theme.MUTED), ft.Text(text, size=15, expand=True)],
        spacing=8,
        vertical_alignment=ft.CrossAxisAlignment.START,
    )


def when(at: datetime) -> str:
    return f"{fmt.day(at)}, {fmt.clock(at)}"


def moment(
    icon: ft.IconData, at: datetime | None, what: str, *more: ft.Control, colour: str = ""
) -> ft.Control:
    """One moment of a repair's timeline: when (where the device knows it), what
    happened, and its photos or notes below, wrapping at any text size."""
    words: list[ft.Control] = []
    if at:
        words.append(ft.Text(when(at), size=13, color=theme.MUTED, weight=ft.FontWeight.W_500))
    words += [ft.Text(what, size=15), *more]
    return ft.Row(
        [
            ft.Icon(icon, size=22, color=colour or theme.GREEN),
            ft.Column(words, spacing=4, expand=True, tight=True),
        ],
        spacing=10,
        vertical_alignment=ft.CrossAxisAlignment.START,
    )


def photos_of(groups: dict[str, list[bytes]], stage: str, whose: str) -> list[ft.Control]:
    return photo_strip(groups.get(stage, []), 0, whose)


def timeline(
    job: JobView,
    who: str | None,
    groups: dict[str, list[bytes]],
    recalls: list[JobView],
    parent: JobView | None,
    open_job: Callable[[str], Awaitable[None]],
) -> list[ft.Control]:
    """A repair from the resident's side, oldest first: reported (with their photos),
    checked, offered, who is doing it, the visit time, on the way, started, extra work
    and its outcome, completed (with the after photos), rated, and any 'not fixed'."""
    them = who or "The tradesperson"
    if parent:
        said = f"You said “{parent.title}” was not fixed, and reported it again."
    elif joined(job):
        said = "A neighbour reported it, and you said it affects you too."
    else:
        said = "You reported it."
    steps = [
        moment(ft.Icons.EDIT_NOTE, job.reported_at, said, *photos_of(groups, "report", "your "))
    ]
    if parent:
        steps.append(
            ft.Row(
                [
                    ft.TextButton(
                        f"See the first repair (reference {reference(parent.id)})",
                        icon=ft.Icons.LINK,
                        on_click=on(open_job, parent.id),
                    )
                ],
                wrap=True,
            )
        )
    if job.priority:
        steps.append(
            moment(
                ft.Icons.FACT_CHECK_OUTLINED,
                None,
                f"Your housing officer checked it: {job.priority.value} priority.",
            )
        )
    if job.status is S.POSTED or job.awarded_to:
        steps.append(moment(ft.Icons.CAMPAIGN_OUTLINED, None, "Offered to local tradespeople."))
    if job.awarded_to:
        by = "You chose them." if job.award_reason == CHOSEN_BY_RESIDENT else ""
        steps.append(
            moment(
                ft.Icons.ENGINEERING_OUTLINED,
                job.awarded_at,
                f"{them} was chosen to do it. {by}".strip(),
            )
        )
    at = job.appointment_at
    if at and job.appointment_status:
        slot = f"{fmt.day(at)} at {fmt.clock(at)}"
        said = {
            "proposed": f"{them} offered a visit on {slot}.",
            "confirmed": f"You confirmed the visit on {slot}.",
            "change_asked": f"You asked {them.lower() if not who else them} for another time.",
        }.get(job.appointment_status, f"Visit on {slot}.")
        note = [hint(f"You said: “{job.appointment_note}”")] if job.appointment_note else []
        icon = ft.Icons.EVENT_AVAILABLE if job.appointment_status == "confirmed" else ft.Icons.EVENT
        colour = theme.BLUE if job.appointment_status == "proposed" else ""
        steps.append(moment(icon, None, said, *note, colour=colour))
    for miss in job.missed:
        missed_at = datetime.fromisoformat(miss["at"]) if miss.get("at") else None
        said = (
            "Nobody was in for the visit."
            if miss.get("by") == "resident"
            else "You told us nobody came. Your housing officer follows it up."
        )
        steps.append(moment(ft.Icons.EVENT_BUSY, missed_at, said, colour=theme.AMBER))
    if job.on_the_way_at:
        by_then = f": arriving by {fmt.clock(job.arrive_by)}" if job.arrive_by else ""
        steps.append(
            moment(ft.Icons.DIRECTIONS_CAR_OUTLINED, job.on_the_way_at, f"{them} set off{by_then}.")
        )
    if job.started_at:
        steps.append(
            moment(
                ft.Icons.HANDYMAN_OUTLINED,
                job.started_at,
                "The work started.",
                *photos_of(groups, "before", "before "),
            )
        )
    if job.status is S.NO_ACCESS or groups.get("no_access"):
        steps.append(
            moment(
                ft.Icons.DOOR_FRONT_DOOR_OUTLINED,
                None,
                f"{them} could not get in. They will arrange another visit.",
                *photos_of(groups, "no_access", "calling card "),
                colour=theme.AMBER,
            )
        )
    for n, extra in enumerate(sorted(job.extras, key=lambda x: x.requested_at)):
        pictures = photos_of(groups, "extra", "extra work ") if n == 0 else []
        steps.append(
            moment(
                ft.Icons.ADD_TASK,
                extra.requested_at,
                f"{them} found more work: {extra.reason} ({fmt.money(extra.price_pence)}).",
                *pictures,
                colour=theme.BLUE,
            )
        )
        if extra.status in ("approved", "refused"):
            outcome = "approved" if extra.status == "approved" else "refused"
            why = [hint(extra.decision_reason)] if extra.decision_reason else []
            steps.append(
                moment(
                    ft.Icons.CHECK_CIRCLE_OUTLINE
                    if outcome == "approved"
                    else ft.Icons.CANCEL_OUTLINED,
                    extra.decided_at,
                    f"Your housing officer {outcome} the extra work.",
                    *why,
                )
            )
        else:
            steps.append(
                moment(
                    ft.Icons.HOURGLASS_TOP,
                    None,
                    "Waiting for your housing officer to decide on the extra work.",
                    colour=theme.MUTED,
                )
            )
    if job.completed_at:
        after = photos_of(groups, "after", "after ") or [
            hint("No after photos are on this device yet.")
        ]
        note = [hint(f"Their note: {job.completion_notes}")] if job.completion_notes else []
        steps.append(
            moment(ft.Icons.TASK_ALT, job.completed_at, "The work was completed.", *note, *after)
        )
    if job.rating_quality is not None:
        steps.append(
            moment(
                ft.Icons.STAR,
                None,
                f"You rated it: speed {job.rating_speed} and quality {job.rating_quality} "
                "out of 5.",
                colour=theme.STAR,
            )
        )
    for recall in recalls:
        steps.append(
            moment(
                ft.Icons.REPORT_PROBLEM_OUTLINED,
                recall.reported_at,
                f"You said it was not fixed, so it was reported again as a new repair "
                f"(reference {reference(recall.id)}). Where it stands: {recall.status_label}.",
                ft.Row(
                    [
                        ft.TextButton(
                            "See the new report",
                            icon=ft.Icons.ARROW_FORWARD,
                            on_click=on(open_job, recall.id),
                        )
                    ],
                    wrap=True,
                ),
                colour=theme.AMBER,
            )
        )
    if job.status is S.CLOSED:
        steps.append(moment(ft.Icons.LOCK_OUTLINE, job.closed_at, "Closed."))
    elif job.status in (S.CANCELLED, S.DUPLICATE):
        steps.append(
            moment(ft.Icons.BLOCK, job.closed_at, job.status_label + ".", colour=theme.GREY)
        )
    return steps


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
        self.details = limited(
            commands.ReportRepair,
            "description",
            "More details (optional)",
            multiline=True,
            min_lines=2,
            max_lines=5,
        )
        self.where = field(
            "Where in your home?", hint_text="e.g. Kitchen", max_length=limit("location")
        )
        self.access = field(
            "When can we get in? (optional)",
            hint_text="e.g. Weekday mornings, call first",
            max_length=limit("access_notes"),
        )
        self.contact = dropdown(
            "How should the tradesperson contact you?",
            list(commands.CONTACT_PREFERENCES.items()),
            value="either",
        )
        self.best_times = limited(
            commands.ReportRepair,
            "best_times",
            "Best times to contact you (optional)",
            hint_text="e.g. after 4pm",
        )
        self.damp = ft.Checkbox(label="This is damp or mould")
        self.photos = PhotoPicker(page, client, PhotoStage.REPORT, "Add photos")
        self.guide = Guide(page, client, self._guided)
        self.suggested: Suggestion | None = None  # from the guide's answers
        self.same = ft.Column(spacing=8, visible=False)  # "me too" on a neighbour's report
        self.confirmed: str | None = None  # the repair just reported, until the next one
        self._shown: tuple | None = None  # the confirmation as last drawn
        self.banners = ft.Column(spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.form: list[ft.Control] = [
            self.banners,
            heading(self.title),
            self.guide.control,
            self.same,
            step(4, "Tell us about it"),
            hint("The kind of repair is filled in from your answers: change it if it's wrong."),
            dropdown_row(self.trade, "trade"),
            self.trade_error,
            self.what,
            self.details,
            self.where,
            self.access,
            dropdown_row(self.contact, "contact"),
            self.best_times,
            self.damp,
            step(5, "Photos help the tradesperson bring the right things"),
            self.photos.control,
            ft.FilledButton("Send repair report", icon=ft.Icons.SEND, on_click=on(self._send)),
        ]
        self.control = ft.Column(
            self.form,
            spacing=12,
            scroll=ft.ScrollMode.AUTO,
            expand=True,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )

    def _guided(self, where: str, found: Suggestion | None) -> None:
        """Where and what, from the guide: they fill in the kind of repair and the room,
        which the resident can still change."""
        if where:
            self.where.value = where
        self.suggested = found
        if found:
            self.trade.value = found.trade.value
            self.damp.value = found.damp_and_mould
            show_error(self.trade_error, None)
        self.same.visible = False
        if found and found.communal:
            self.page.run_task(self._same_in_block, found)
        self.page.update()

    async def _same_in_block(self, found: Suggestion) -> None:
        """A shared area: a neighbour's open report of the same kind is offered first, so
        the resident can say "me too" instead of reporting it again."""
        reports = (await self.client.open_in_block(found.trade))[:3]
        if self.suggested != found:  # the answers changed meanwhile
            return
        self.same.controls = [
            ft.Container(
                ft.Column(
                    [
                        ft.Row(
                            [
                                ft.Icon(ft.Icons.GROUPS_OUTLINED, color=theme.BLUE),
                                ft.Text(
                                    "A neighbour has already reported this",
                                    weight=ft.FontWeight.W_600,
                                    size=16,
                                    expand=True,
                                ),
                            ],
                            vertical_alignment=ft.CrossAxisAlignment.START,
                        ),
                        hint(
                            "If it is the same problem, say “me too”: you follow it in My "
                            "repairs and your housing officer knows it affects you. If it is "
                            "something else, carry on below."
                        ),
                        *(self._same_report(job, len(reports) > 1) for job in reports),
                    ],
                    spacing=8,
                ),
                bgcolor=theme.CARD,
                padding=ft.Padding.all(12),
                border_radius=8,
            )
        ]
        self.same.visible = bool(reports)
        self.page.update()

    def _same_report(self, job: JobView, several: bool) -> ft.Control:
        return ft.Column(
            [
                ft.Text(job.title, weight=ft.FontWeight.W_600),
                hint(
                    f"{job.location or job.trade_label}. Reported {fmt.day(job.reported_at)}. "
                    f"Where it stands: {job.status_label}."
                ),
                ft.Row(
                    [
                        ft.FilledButton(
                            f"Me too: {job.title}" if several else "Me too",
                            icon=ft.Icons.PAN_TOOL_OUTLINED,
                            on_click=on(self._me_too, job),
                        )
                    ],
                    wrap=True,
                ),
            ],
            spacing=4,
        )

    async def _me_too(self, job: JobView) -> None:
        done = await attempt(
            self.page,
            lambda: self.client.me_too(job.id),
            "Thank you. You can follow this repair in My repairs.",
            self.client,
        )
        if not done:
            return
        self._clear()
        await self.navigate(MyRepairs.title, job.id)

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
        found = self.suggested
        if found and found.trade.value != self.trade.value:
            found = None  # the resident changed the kind of repair: their answers no longer fit
        try:
            job_id = await self.client.report_repair(
                Trade(self.trade.value),
                self.what.value.strip(),
                description=self.details.value.strip(),
                location=self.where.value.strip(),
                access_notes=self.access.value.strip(),
                damp_and_mould=bool(self.damp.value),
                photos=self.photos.photos,
                # The guide's suggestion holds while its trade is the one sent.
                suggested_priority=found.priority if found else None,
                communal=bool(found and found.communal),
                contact_preference=self.contact.value or "either",
                best_times=self.best_times.value.strip(),
            )
        except Rejected as e:
            say(self.page, e.message)
            return
        self._clear()
        self.confirmed = job_id
        await self.refresh()
        self.page.update()

    def _clear(self) -> None:
        for box in (self.what, self.details, self.where, self.access, self.best_times):
            box.value = ""
        self.contact.value = "either"
        self.trade.value, self.damp.value = None, False
        self.guide.clear()
        self.photos.clear()
        self.suggested, self.same.visible = None, False

    async def refresh(self) -> None:
        """The confirmation follows the report: waiting on this device, then sent."""
        await self.guide.load()
        job = await self.client.job(self.confirmed) if self.confirmed else None
        # Drawn again only when it changed: a tap arriving as a redrawn button replaces the
        # one tapped is lost ("Report another repair" did nothing when a sync ended then).
        shown = (job.id, job.pending, job.status, job.target_at) if job else None
        if shown is None or shown != self._shown:
            self.control.controls = [self.banners, *self._confirmation(job)] if job else self.form
        self._shown = shown
        # The report form stays at the top, where a resident with a leak looks for it:
        # choices waiting for them are on My repairs.
        self.banners.controls = []

    async def _open_choice(self, job_id: str) -> None:
        await self.navigate(MyRepairs.title, CHOOSE + job_id)

    def _confirmation(self, job: JobView) -> list[ft.Control]:
        """After Send: the reference to quote, when it will be done, and what comes next."""
        facts = [
            line(ft.Icons.HANDYMAN_OUTLINED, job.trade_label),
            line(ft.Icons.FLAG_OUTLINED, fmt.target(job.target_at)),
        ]
        if job.location:
            facts.insert(1, line(ft.Icons.PLACE_OUTLINED, job.location))
        state = (
            saved_message(self.client, "Repair reported.")
            if job.pending
            else "Repair reported. Your housing officer has it now."
        )
        body: list[ft.Control] = [
            ft.Row(
                [ft.Icon(ft.Icons.CHECK_CIRCLE, color=theme.GREEN, size=32), heading("Thank you")],
                spacing=8,
            ),
            ft.Text(state, weight=ft.FontWeight.W_500),
            ft.Semantics(
                content=ft.Text(
                    f"Your reference: {reference(job.id)}", size=20, weight=ft.FontWeight.W_600
                ),
                identifier="reference",
            ),
            hint(f"{job.title}. Quote your reference if you phone us about it."),
            *facts,
            section("What happens next", ft.Text(what_next(job))),
        ]
        if job.damp_and_mould:
            body.append(line(ft.Icons.WATER_DROP_OUTLINED, damp_timescale(job)))
        body += [
            hint(
                f"If it gets worse or becomes an emergency, {emergency_line(self.guide.landlord)}."
            ),
            ft.Row(
                [
                    ft.FilledButton(
                        "See this repair",
                        icon=ft.Icons.VISIBILITY_OUTLINED,
                        on_click=on(self.navigate, MyRepairs.title, job.id),
                    ),
                    ft.OutlinedButton(
                        "Report another repair", icon=ft.Icons.ADD, on_click=on(self._new_report)
                    ),
                ],
                wrap=True,
                spacing=8,
                run_spacing=8,
            ),
        ]
        return body

    def _new_report(self) -> None:
        self.open_item(None)
        self.page.update()

    def open_item(self, item_id: str | None) -> None:
        self.confirmed = item_id
        self._shown = None
        if item_id is None:
            self.control.controls = self.form


class MyRepairs(ListScreen):
    title, icon = "My repairs", ft.Icons.LIST_ALT

    def __init__(self, page: ft.Page, client: Client) -> None:
        super().__init__(page, client, "Newest first. Tap a repair to see its history and photos.")
        self.listing = list(self.control.controls)
        self.showing: str | None = None

    def open_item(self, item_id: str | None) -> None:
        self.showing = item_id

    async def _open(self, job_id: str | None) -> None:
        self.showing = job_id
        await self.refresh()
        self.page.update()

    async def refresh(self) -> None:
        if self.showing and self.showing.startswith(CHOOSE):
            job_id = self.showing.removeprefix(CHOOSE)
            choice = next((ch for ch in await self.client.choices() if ch.job.id == job_id), None)
            if choice:
                self.control.controls = self._choice_page(choice)
                return
            self.showing = job_id  # chosen meanwhile, here or elsewhere: show the repair
        if self.showing and (detail := await self.client.job_detail(self.showing)):
            who = await self.client.awarded_to_whom(self.showing)
            groups = await self.client.job_photos_by_stage(self.showing)
            mine = await self.client.my_repairs()
            recalls = [j for j in mine if j.parent_id == detail.job.id]
            parent = next((j for j in mine if j.id == detail.job.parent_id), None)
            self.control.controls = self._detail(detail, who, groups, recalls, parent)
            return
        self.showing = None
        self.control.controls = self.listing
        choices = await self.client.choices()
        jobs = await self.client.my_repairs()
        states = await self.client.photo_states()
        banners = [choice_banner(ch, self._open_choice) for ch in choices]
        self.list.controls = banners + [self._card(job, states) for job in jobs] or [
            empty("You haven't reported any repairs yet.")
        ]

    async def _open_choice(self, job_id: str) -> None:
        await self._open(CHOOSE + job_id)

    def _choice_page(self, choice: Choice) -> list[ft.Control]:
        """Up to three tradespeople side by side (stacked on a phone): their record, when
        they can come, and a button to choose each. No prices and no internal scores."""
        job = choice.job
        deadline = ft.Container(
            ft.Column(
                [
                    ft.Row(
                        [
                            ft.Icon(ft.Icons.SCHEDULE, color=theme.AMBER),
                            ft.Text(
                                choice.deadline,
                                weight=ft.FontWeight.W_600,
                                size=16,
                                color=theme.AMBER,
                                expand=True,
                            ),
                        ]
                    ),
                    *([] if choice.passed else [ft.Text(choice.otherwise)]),
                ],
                spacing=4,
            ),
            bgcolor="#FFF4E5",
            padding=ft.Padding.all(12),
            border_radius=8,
        )
        cards = [
            ft.Container(self._option(choice, option), col={"xs": 12, "sm": 4})
            for option in choice.options
        ]
        return [
            ft.Row(
                [
                    ft.TextButton(
                        "Back to my repairs",
                        icon=ft.Icons.ARROW_BACK,
                        on_click=on(self._open, None),
                    )
                ]
            ),
            heading("Choose your tradesperson"),
            ft.Text(f"For your repair: {job.title}", size=16, weight=ft.FontWeight.W_500),
            ft.Text(
                "Your housing officer has checked these local tradespeople. Any of them can "
                "do the work. Choose the one you would like to come."
            ),
            deadline,
            ft.ResponsiveRow(
                cards,
                spacing=12,
                run_spacing=12,
                breakpoints={"xs": 0, "sm": 600},
            ),
            hint(
                "Ratings are from other residents after their repairs. The tradesperson you "
                "choose will contact you to arrange a visit."
            ),
        ]

    def _option(self, choice: Choice, option: ChoiceOption) -> ft.Control:
        button = ft.FilledButton(
            content=ft.Text(
                f"Choose {option.business_name}",
                text_align=ft.TextAlign.CENTER,
                weight=ft.FontWeight.W_600,
                size=15,
            ),
            on_click=on(self._confirm_choice, choice, option),
            disabled=choice.passed,
            style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=12, vertical=14)),
        )
        body = ft.Column(
            [
                ft.Text(option.business_name, weight=ft.FontWeight.W_600, size=18),
                stars(option),
                ft.Text(option.rating_words, size=14),
                ft.Divider(height=8),
                fact(ft.Icons.HANDYMAN_OUTLINED, option.jobs_words),
                fact(ft.Icons.FLAG_OUTLINED, option.within_words),
                fact(ft.Icons.EVENT, f"Earliest visit {option.earliest}"),
                ft.Container(height=4),
                button,  # as wide as the card, its words wrapping: long names fit
            ],
            spacing=6,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )
        return ft.Semantics(
            content=ft.Card(ft.Container(body, padding=ft.Padding.all(16))),
            label=option.business_name,
            container=True,
        )

    def _confirm_choice(self, choice: Choice, option: ChoiceOption) -> None:
        name = option.business_name

        async def chosen() -> None:
            self.page.pop_dialog()
            try:
                await self.client.choose_offer(choice.job.id, option.offer_id)
            except Rejected as e:
                say(self.page, e.message)
                return
            say(
                self.page,
                saved_message(self.client, f"You chose {name}. They will contact you soon."),
            )
            await self._open(choice.job.id)

        self.page.show_dialog(
            ft.AlertDialog(
                title=ft.Text(f"Choose {name}?"),
                content=ft.Text(
                    f"{name} will do your repair ({choice.job.title}). They will contact you "
                    f"to arrange a visit; their earliest is {option.earliest}. You can't "
                    "change your choice afterwards."
                ),
                actions=[
                    ft.TextButton("Go back", on_click=on(self.page.pop_dialog)),
                    ft.FilledButton(f"Yes, choose {name}", on_click=on(chosen)),
                ],
            )
        )

    def _card(self, job: JobView, states: dict[str, tuple[str, str]]) -> ft.Control:
        details = [
            line(ft.Icons.HANDYMAN_OUTLINED, job.trade_label),
            line(ft.Icons.EVENT, f"Reported {fmt.day(job.reported_at)}, ref {reference(job.id)}"),
        ]
        if job.location:
            details.insert(1, line(ft.Icons.PLACE_OUTLINED, job.location))
        if job.status not in (*DONE, JobStatus.CANCELLED, JobStatus.DUPLICATE):
            details.append(line(ft.Icons.FLAG_OUTLINED, fmt.target(job.target_at)))
        if progress := photo_progress(job, states):
            details.append(progress)
        details += appointment_lines(job, for_resident=True)
        details += extra_lines(job.extras)
        actions: list[ft.Control] = [
            ft.OutlinedButton(
                "See details", icon=ft.Icons.CHEVRON_RIGHT, on_click=on(self._open, job.id)
            )
        ]
        if joined(job):
            details.insert(0, line(ft.Icons.GROUPS_OUTLINED, "A neighbour reported it: me too"))
        elif job.status in DONE and job.rating_quality is None:
            actions.insert(
                0,
                ft.FilledTonalButton(
                    "Rate this repair", icon=ft.Icons.STAR_OUTLINE, on_click=on(self._rate, job)
                ),
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

    def _detail(
        self,
        detail: JobDetail,
        who: str | None = None,
        groups: dict[str, list[bytes]] | None = None,
        recalls: list[JobView] | None = None,
        parent: JobView | None = None,
    ) -> list[ft.Control]:
        """One repair: where it stands, who is coming, what comes next, its photos and
        its history."""
        job = detail.job
        facts = [
            line(ft.Icons.HANDYMAN_OUTLINED, job.trade_label),
            line(ft.Icons.EVENT, f"Reported {fmt.day(job.reported_at)}"),
        ]
        if job.location:
            facts.insert(1, line(ft.Icons.PLACE_OUTLINED, job.location))
        if job.status not in (*DONE, S.CANCELLED, S.DUPLICATE):
            facts.append(line(ft.Icons.FLAG_OUTLINED, fmt.target(job.target_at)))
        next_steps: list[ft.Control] = [ft.Text(what_next(job))]
        if joined(job):
            next_steps.insert(
                0,
                hint(
                    "You said “me too” on this report of a shared area of your block: you "
                    "follow it here, and your housing officer knows it affects you."
                ),
            )
        if who and job.awarded_to and job.status not in (S.CANCELLED, S.DUPLICATE):
            by = (
                "You chose them."
                if job.award_reason == CHOSEN_BY_RESIDENT
                else "Your housing officer chose them."
            )
            if job.status in (S.AWARDED, S.SCHEDULED) and not job.appointment_status:
                next_steps = [ft.Text("They will contact you to arrange a visit.")]
            next_steps.insert(
                0,
                ft.Row(
                    [
                        ft.Icon(ft.Icons.ENGINEERING_OUTLINED, color=theme.GREEN),
                        ft.Text(
                            f"{who} is doing this repair. {by}",
                            weight=ft.FontWeight.W_600,
                            expand=True,
                        ),
                    ]
                ),
            )
        if job.award_mode is AwardMode.RESIDENT_CHOICE and job.status is S.POSTED:
            next_steps.append(
                ft.FilledButton(
                    "Choose your tradesperson",
                    icon=ft.Icons.HOW_TO_VOTE_OUTLINED,
                    on_click=on(self._open, CHOOSE + job.id),
                )
            )
        if job.damp_and_mould:
            next_steps.append(line(ft.Icons.WATER_DROP_OUTLINED, damp_timescale(job)))
        next_steps += self._visit_steps(job, who, bool(recalls))  # buttons last, cancel last
        if job.status in DONE and job.rating_quality is None and not joined(job):
            next_steps.append(
                ft.FilledTonalButton(
                    "Rate this repair", icon=ft.Icons.STAR_OUTLINE, on_click=on(self._rate, job)
                )
            )
        steps = timeline(job, who, groups or {}, recalls or [], parent, self._open)
        if detail.photos_elsewhere:
            steps += photo_strip([], detail.photos_elsewhere)
        body: list[ft.Control] = [
            ft.Row(
                [
                    ft.TextButton(
                        "Back to my repairs",
                        icon=ft.Icons.ARROW_BACK,
                        on_click=on(self._open, None),
                    )
                ]
            ),
            heading(job.title),
            ft.Row(
                [
                    pill(job.status_label, theme.status_colour(job.status)),
                    ft.Text(f"Reference {reference(job.id)}", weight=ft.FontWeight.W_500),
                ],
                wrap=True,
            ),
            *facts,
        ]
        if job.pending:
            body.append(pending_marker())
        if job.description:
            body.append(ft.Text(job.description))
        body += [
            section("What happens next", *next_steps),
            section("What has happened", *steps),
        ]
        return body

    def _visit_steps(
        self, job: JobView, who: str | None, recalled: bool = False
    ) -> list[ft.Control]:
        """The visit from the resident's side: the time offered (confirm or ask for
        another), who is on the way, nobody came, not fixed, cancel."""
        shown = appointment_lines(job, for_resident=True)
        buttons: list[ft.Control] = []
        now = datetime.now(UTC)
        if job.appointment_status == "proposed":
            buttons += [
                ft.FilledButton(
                    "Confirm this time",
                    icon=ft.Icons.EVENT_AVAILABLE,
                    on_click=on(self._confirm, job),
                ),
                ft.OutlinedButton("Ask for another time", on_click=on(self._another_time, job)),
            ]
        if job.arrive_by and job.started_at is None and who:
            shown.append(hint(f"{who} said they are on the way."))
        at = job.appointment_at
        if job.appointment_status == "confirmed" and at and at <= now and job.started_at is None:
            buttons.append(ft.OutlinedButton("Nobody came", on_click=on(self._nobody_came, job)))
        done = job.completed_at
        if recalled:  # once is enough: the new report carries it on
            shown.append(hint("You said it was not fixed: follow the new report below."))
        elif (
            job.status in DONE
            and done
            and now - done <= timedelta(days=RECALL_DAYS)
            and not joined(job)
        ):
            buttons.append(
                ft.OutlinedButton(
                    "Not fixed?",
                    icon=ft.Icons.REPORT_PROBLEM_OUTLINED,
                    on_click=on(self._not_fixed, job),
                )
            )
        if job.started_at is None and may(self.client, job, Action.CANCEL):
            buttons.append(ft.TextButton("Cancel this repair", on_click=on(self._cancel, job)))
        if buttons:
            shown.append(ft.Row(buttons, wrap=True, spacing=8, run_spacing=8))
        return shown

    async def _confirm(self, job: JobView) -> None:
        await attempt(
            self.page,
            lambda: self.client.answer_appointment(job.id, True),
            "Visit time confirmed.",
            self.client,
        )

    def _another_time(self, job: JobView) -> None:
        note = field(
            "Which days and times suit you?",
            multiline=True,
            max_length=commands.AnswerAppointment.limit("note"),
            hint_text="e.g. Any weekday after 2pm, or Saturday morning",
        )

        async def send() -> str | None:
            text = (note.value or "").strip()
            note.error = None if text else "Say which days and times suit you."
            if note.error:
                return None
            await self.client.answer_appointment(job.id, False, text)
            return "Asked for another time."

        FormDialog(
            self.page,
            self.client,
            f"Another time: {job.title}",
            [hint("The tradesperson sees your note and offers another time."), note],
            "Ask for another time",
            send,
        ).open()

    def _nobody_came(self, job: JobView) -> None:
        async def send() -> str | None:
            await self.client.report_missed(job.id)
            return "Thank you. Your housing officer is told nobody came."

        FormDialog(
            self.page,
            self.client,
            f"Nobody came: {job.title}",
            [hint("We record the missed visit and your housing officer follows it up.")],
            "Say nobody came",
            send,
        ).open()

    def _not_fixed(self, job: JobView) -> None:
        what = field(
            "What is still wrong?",
            multiline=True,
            min_lines=2,
            max_length=commands.ReportNotFixed.limit("description"),
            hint_text="e.g. The tap started dripping again two days later",
        )
        photos = PhotoPicker(self.page, self.client, PhotoStage.REPORT, "Add photos")

        async def send() -> str | None:
            text = (what.value or "").strip()
            least = shortest(commands.ReportNotFixed, "description")
            what.error = None if len(text) >= least else "Say in a few words what is still wrong."
            if what.error:
                return None
            await self.client.report_not_fixed(job.id, text, photos.photos)
            return "Reported as not fixed. Your housing officer sees it linked to this repair."

        FormDialog(
            self.page,
            self.client,
            f"Not fixed: {job.title}",
            [
                hint(f"Within {RECALL_DAYS} days of the repair, it goes back to be put right."),
                what,
                photos.control,
            ],
            "Send",
            send,
        ).open()

    def _cancel(self, job: JobView) -> None:
        async def send() -> str | None:
            await self.client.cancel_job(job.id, "Cancelled by the resident.")
            return "Repair cancelled."

        FormDialog(
            self.page,
            self.client,
            f"Cancel: {job.title}",
            [hint("Cancel this repair if it no longer needs doing. This cannot be undone.")],
            "Cancel the repair",
            send,
        ).open()

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
        self.error = ft.Text("Choose from 1 to 5 stars.", color=theme.RED, size=12, visible=False)
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
                colour=theme.STAR,
            )
            for n in range(1, 6)
        ]
