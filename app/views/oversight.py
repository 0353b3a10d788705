"""The officer's oversight of work after award: open jobs past their target, at risk of
missing it, and on track, with hold, take off hold and close; completed jobs waiting to
be closed; and damp and mould reports with Awaab's Law's three clocks and the
investigation that restarts the later two.

The wording helpers at the top are plain functions (tested in tests/test_oversight_views.py);
the screen below only lays out what they say."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import flet as ft

from app.client import Client, DampView, JobView, Oversight
from app.domain import commands
from app.domain.lifecycle import Action
from app.domain.models import JobStatus, Priority
from app.domain.targets import UK
from app.views import format as fmt
from app.views import theme
from app.views.rules import may, shortest
from app.views.widgets import (
    FormDialog,
    ListScreen,
    address,
    attempt,
    card,
    dropdown,
    dropdown_row,
    empty,
    field,
    guarded,
    hint,
    line,
    on,
)

ANY = "any"
MOST_SHOWN = 100  # cards per list; the rest are counted
PRIORITY_NAMES = {p: p.value.capitalize() for p in Priority}


# -- words ----------------------------------------------------------------------------


def _uk(moment: datetime) -> datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UK)


def moment_words(moment: datetime) -> str:
    """'5pm Tue 24 Nov', '9.30am Fri 2 Oct'; a deadline at the end of a day is 'the end of
    Thu 26 Nov' (targets in working days run to 23:59:59)."""
    local = _uk(moment)
    day = f"{local:%a} {local.day} {local:%b}"
    if (local.hour, local.minute) == (23, 59):
        return f"the end of {day}"
    hour = local.hour % 12 or 12
    minutes = f".{local.minute:02d}" if local.minute else ""
    return f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'} {day}"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def span_words(gap: timedelta) -> str:
    """How long a (positive) stretch of time is, as an officer would say it."""
    hours = int(gap.total_seconds() // 3600)
    if hours < 1:
        return "less than an hour"
    if hours < 48:
        return _plural(hours, "hour")
    return _plural(gap.days, "day")


def due_words(target_at: datetime | None, now: datetime) -> str:
    """'due 5pm Tue 24 Nov', 'due by the end of Thu 26 Nov', or '3 days past target'."""
    if target_at is None:
        return "no target date yet"
    if target_at < now:
        return f"{span_words(now - target_at)} past target"
    by = moment_words(target_at)
    return f"due by {by}" if by.startswith("the end") else f"due {by}"


def left_words(deadline: datetime, now: datetime) -> str:
    """'3 days left', '5 hours left', or '2 days late'."""
    if deadline < now:
        return f"{span_words(now - deadline)} late"
    return f"{span_words(deadline - now)} left"


@dataclass(frozen=True)
class Clock:
    """One of Awaab's Law's clocks on a damp and mould report, in words."""

    name: str  # 'Investigate', 'Written summary', 'Safety work'
    by: datetime
    said: str  # 'Investigate by 5pm Tue 24 Nov: 3 days left'
    late: bool
    done: bool = False


def damp_clocks(view: DampView, now: datetime) -> list[Clock]:
    """The three clocks: the investigation done or due, then the written summary to the
    resident and the start of safety work, each with how long is left or how late."""
    t, job = view.timers, view.job
    clocks = []
    if job.investigated_on:
        on_day = fmt.day(job.investigated_on)
        late = job.investigated_on > _uk(t.investigate_by).date()
        said = f"Investigated on {on_day}" + (" (after its deadline)" if late else "")
        clocks.append(Clock("Investigate", t.investigate_by, said, late, done=True))
    else:
        clocks.append(_clock("Investigate", t.investigate_by, now))
    clocks.append(_clock("Written summary", t.summary_by, now))
    clocks.append(_clock("Safety work", t.safety_work_by, now))
    return clocks


def _clock(name: str, by: datetime, now: datetime) -> Clock:
    verb = {
        "Written summary": "Written summary to the resident",
        "Safety work": "Start safety work",
    }
    return Clock(
        name, by, f"{verb.get(name, name)} by {moment_words(by)}: {left_words(by, now)}", by < now
    )


def investigation_days(reported_at: datetime, today: date, most: int = 60) -> list[tuple[str, str]]:
    """The days an investigation may have happened on, today first: from the report to
    today (as the rulebook allows), at most `most` of them."""
    first = _uk(reported_at).date()
    names = {0: "Today", 1: "Yesterday"}
    choices = []
    for n in range(min((today - first).days + 1, most)):
        d = today - timedelta(days=n)
        choices.append((d.isoformat(), f"{names[n]}, {fmt.day(d)}" if n in names else fmt.day(d)))
    return choices


@dataclass(frozen=True)
class OversightFilter:
    """Which open work the officer looks at: a priority and an area (postcode district)."""

    priority: str = ANY
    district: str = ANY

    def matches(self, job: JobView) -> bool:
        priority = job.priority.value if job.priority else ""
        return self.priority in (ANY, priority) and self.district in (ANY, job.district)

    def keep(self, jobs: list[JobView]) -> list[JobView]:
        return [j for j in jobs if self.matches(j)]

    @property
    def filtered(self) -> bool:
        return self != OversightFilter()


def districts(seen: Oversight, done: list[JobView]) -> list[str]:
    jobs = [*seen.past_target, *seen.at_risk, *seen.on_track, *done]
    jobs += [d.job for d in seen.damp_and_mould]
    return sorted({j.district for j in jobs if j.district})


# -- the screen ------------------------------------------------------------------------


SECTIONS = (
    ("past", "Past target", "Open work whose target date has gone by, the longest overdue first."),
    ("risk", "At risk", "Due within the next 48 hours."),
    ("track", "On track", "Due later than 48 hours from now."),
)


class OversightScreen(ListScreen):
    title, icon = "Oversight", ft.Icons.TIMER_OUTLINED

    def __init__(self, page: ft.Page, client: Client) -> None:
        super().__init__(
            page,
            client,
            "Work after award against its target date. Put a job on hold with a reason, "
            "take it off hold, or close it once completed.",
        )
        self.seen = Oversight([], [], [], [])
        self.done: list[JobView] = []
        self.names: dict[str, str] = {}
        self.query = OversightFilter()
        self.priority = dropdown(
            "Priority",
            [(ANY, "Any priority"), *((p.value, n) for p, n in PRIORITY_NAMES.items())],
            value=ANY,
            on_select=guarded(self._set("priority")),
        )
        self.area = dropdown(
            "Area", [(ANY, "Any area")], value=ANY, on_select=guarded(self._set("district"))
        )
        self.showing = hint("")
        self.filters = ft.Row(
            [
                ft.Container(dropdown_row(self.priority), width=220),
                ft.Container(dropdown_row(self.area), width=220),
                ft.TextButton("Clear filters", icon=ft.Icons.CLEAR, on_click=on(self._clear)),
            ],
            wrap=True,
            spacing=8,
            run_spacing=8,
        )
        self.control.controls[2:2] = [self.filters, self.showing]

    async def refresh(self) -> None:
        self.seen = await self.client.oversight()
        self.done = await self.client.completed_to_close()
        self.names = await self.client.tradesperson_names()
        self._render()

    def _set(self, name: str):
        def changed(e: ft.Event) -> None:
            self.query = replace(self.query, **{name: e.control.value or ANY})
            self._render()
            self.control.update()

        return changed

    def _clear(self) -> None:
        self.query = OversightFilter()
        self._render()
        self.control.update()

    def _render(self) -> None:
        now = datetime.now(UTC)
        q = self.query
        self.area.options = [ft.DropdownOption(key=ANY, text="Any area")] + [
            ft.DropdownOption(key=d, text=d) for d in districts(self.seen, self.done)
        ]
        self.priority.value, self.area.value = q.priority, q.district
        lists = {
            "past": q.keep(self.seen.past_target),
            "risk": q.keep(self.seen.at_risk),
            "track": q.keep(self.seen.on_track),
        }
        damp = [d for d in self.seen.damp_and_mould if q.matches(d.job)]
        done = q.keep(self.done)
        counts = ", ".join(f"{len(lists[k])} {name.lower()}" for k, name, _ in SECTIONS)
        self.showing.value = f"{'Filtered: ' if q.filtered else ''}{counts}."
        shown: list[ft.Control] = []
        for key, name, about in SECTIONS:
            shown += self._section(f"{name} ({len(lists[key])})", about)
            shown += self._cards(lists[key], key, now)
        shown += self._section(
            f"Damp and mould ({len(damp)})",
            "Awaab's Law: investigate within 10 working days of the report, send the "
            "resident a written summary within 3 working days of the investigation, and "
            "start safety work within 5.",
        )
        shown += [self._damp_card(d, now) for d in damp] or [
            empty("No open damp and mould reports.")
        ]
        shown += self._section(
            f"Completed, to close ({len(done)})",
            "Work the tradesperson has marked complete. Close it once you are satisfied.",
        )
        shown += self._cards(done, "done", now)
        self.list.controls = shown

    def _section(self, title: str, about: str) -> list[ft.Control]:
        return [
            ft.Container(
                ft.Text(
                    title, theme_style=ft.TextThemeStyle.TITLE_LARGE, weight=ft.FontWeight.W_600
                ),
                padding=ft.Padding.only(top=12),
            ),
            hint(about),
        ]

    def _cards(self, jobs: list[JobView], key: str, now: datetime) -> list[ft.Control]:
        if not jobs:
            nothing = {
                "past": "Nothing is past its target.",
                "risk": "Nothing is due in the next 48 hours.",
                "track": "No other open work.",
                "done": "No completed jobs are waiting to be closed.",
            }[key]
            filtered = " Clear the filters to see all work." if self.query.filtered else ""
            return [empty(nothing + filtered)]
        shown = [self._card(j, key, now) for j in jobs[:MOST_SHOWN]]
        if len(jobs) > MOST_SHOWN:
            shown.append(hint(f"and {len(jobs) - MOST_SHOWN} more: filter by area to see them."))
        return shown

    def _who(self, job: JobView) -> str:
        if not job.awarded_to:
            return "Not awarded yet"
        return self.names.get(job.awarded_to, "A tradesperson")

    def _card(self, job: JobView, key: str, now: datetime) -> ft.Control:
        due = due_words(job.target_at, now)
        details: list[ft.Control] = []
        if key == "past":
            details.append(flag(ft.Icons.WARNING_AMBER_ROUNDED, sentence(due), theme.RED))
        elif key == "risk":
            details.append(flag(ft.Icons.SCHEDULE, sentence(due), theme.AMBER))
        elif key != "done":
            details.append(line(ft.Icons.FLAG_OUTLINED, sentence(due)))
        details += [
            line(ft.Icons.PLACE_OUTLINED, address(job)),
            line(ft.Icons.STOREFRONT_OUTLINED, self._who(job)),
            line(
                ft.Icons.PRIORITY_HIGH,
                f"{PRIORITY_NAMES[job.priority]} priority" if job.priority else "No priority set",
            ),
        ]
        if job.damp_and_mould and key != "done":
            details.append(
                flag(ft.Icons.WATER_DROP, "Damp and mould: its three clocks are below", theme.DAMP)
            )
        if job.status is JobStatus.ON_HOLD and job.hold_reason:
            details.append(line(ft.Icons.PAUSE_CIRCLE_OUTLINE, f"On hold: {job.hold_reason}"))
        if key == "done" and job.completed_at:
            details.append(
                line(ft.Icons.CHECK_CIRCLE_OUTLINE, f"Completed {fmt.day(job.completed_at)}")
            )
        return card(
            job.title,
            job.status_label,
            theme.status_colour(job.status),
            details,
            self._actions(job),
            f"oversight-{key}-{job.id}",
            job.pending,
        )

    def _actions(self, job: JobView) -> list[ft.Control]:
        actions: list[ft.Control] = []
        if may(self.client, job, Action.HOLD):
            actions.append(ft.OutlinedButton("Put on hold", on_click=on(self._hold, job)))
        if may(self.client, job, Action.REOPEN):
            actions.append(ft.FilledButton("Take off hold", on_click=on(self._reopen, job)))
        if may(self.client, job, Action.CLOSE):
            actions.append(ft.FilledButton("Close job", on_click=on(self._close, job)))
        return actions

    def _hold(self, job: JobView) -> None:
        least = shortest(commands.HoldJob, "reason")
        reason = field(
            "Why is it on hold?",
            multiline=True,
            min_lines=2,
            max_length=commands.HoldJob.limit("reason"),
            hint_text="e.g. Waiting for scaffolding to go up",
        )

        async def send() -> str | None:
            text = (reason.value or "").strip()
            if len(text) < least:
                reason.error = "Say why the job is on hold, so others know what it waits for."
                return None
            await self.client.hold_job(job.id, text)
            return f"{job.title} is on hold."

        FormDialog(
            self.page,
            self.client,
            f"Put on hold: {job.title}",
            [
                hint(
                    "The target clock keeps running; the job goes back where it was when you "
                    "take it off hold."
                ),
                reason,
            ],
            "Put on hold",
            send,
        ).open()

    async def _reopen(self, job: JobView) -> None:
        await attempt(
            self.page,
            lambda: self.client.reopen_job(job.id),
            f"{job.title} is off hold.",
            self.client,
        )

    def _close(self, job: JobView) -> None:
        async def confirmed() -> None:
            self.page.pop_dialog()
            await attempt(
                self.page,
                lambda: self.client.close_job(job.id),
                f"{job.title} closed.",
                self.client,
            )

        self.page.show_dialog(
            ft.AlertDialog(
                title=ft.Text(f"Close {job.title}?"),
                content=ft.Text(
                    f"{address(job)}, completed by {self._who(job)}. Closing it ends the job; "
                    "it stays in the tradesperson's scorecard."
                ),
                actions=[
                    ft.TextButton("Cancel", on_click=on(self.page.pop_dialog)),
                    ft.FilledButton("Close job", on_click=on(confirmed)),
                ],
            )
        )

    def _damp_card(self, view: DampView, now: datetime) -> ft.Control:
        job = view.job
        details: list[ft.Control] = [
            line(ft.Icons.PLACE_OUTLINED, address(job)),
            line(ft.Icons.STOREFRONT_OUTLINED, self._who(job)),
            line(ft.Icons.EVENT, f"Reported {fmt.day(job.reported_at)}"),
        ]
        for clock in damp_clocks(view, now):
            if clock.done:
                icon, colour = ft.Icons.CHECK_CIRCLE_OUTLINE, theme.GREEN
            elif clock.late:
                icon, colour = ft.Icons.WARNING_AMBER_ROUNDED, theme.RED
            else:
                icon, colour = ft.Icons.TIMER_OUTLINED, theme.DAMP
            details.append(flag(icon, clock.said, colour))
        if job.findings:
            details.append(line(ft.Icons.NOTES, f"Findings: {job.findings}"))
        actions: list[ft.Control] = []
        if job.investigated_on is None:
            actions.append(
                ft.FilledButton("Record the investigation", on_click=on(self._investigated, job))
            )
        actions += self._actions(job)
        return card(
            job.title,
            job.status_label,
            theme.DAMP,
            details,
            actions,
            f"damp-{job.id}",
            job.pending,
        )

    def _investigated(self, job: JobView) -> None:
        today = fmt.today()
        day = dropdown(
            "Day of the investigation",
            investigation_days(job.reported_at, today),
            value=today.isoformat(),
        )
        findings = field(
            "What was found",
            multiline=True,
            min_lines=3,
            max_length=commands.ConcludeInvestigation.limit("findings"),
            hint_text="e.g. Condensation from a blocked extractor fan; mould on two walls",
        )
        least = shortest(commands.ConcludeInvestigation, "findings")

        async def send() -> str | None:
            text = (findings.value or "").strip()
            if len(text) < least:
                findings.error = "Say what the investigation found: it goes in the written summary."
                return None
            when = date.fromisoformat(day.value or today.isoformat())
            await self.client.conclude_investigation(job.id, when, text)
            return (
                f"Investigation recorded for {job.title}: the written summary and safety work "
                "are now due from that day."
            )

        FormDialog(
            self.page,
            self.client,
            f"Record the investigation: {job.title}",
            [
                hint(
                    "The written summary (3 working days) and the start of safety work "
                    "(5 working days) run from the day of the investigation."
                ),
                dropdown_row(day),
                findings,
            ],
            "Record the investigation",
            send,
        ).open()


def sentence(text: str) -> str:
    """The text with its first letter a capital (str.capitalize lowers the rest)."""
    return text[:1].upper() + text[1:]


def flag(icon: ft.IconData, text: str, colour: str) -> ft.Control:
    """A line that must catch the eye, said in words as well as colour."""
    return ft.Row(
        [
            ft.Icon(icon, size=18, color=colour),
            ft.Text(text, size=13, color=colour, weight=ft.FontWeight.W_600, expand=True),
        ],
        spacing=6,
    )
