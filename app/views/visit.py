"""The tradesperson's visit, on the phone and offline: agreeing a time with the resident,
saying they are on their way, "before" photos at the start, and follow-on work found on
site. Each is one dialog; what is typed is checked at its field with the command's own
limits, and saved on the phone until there is signal."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import flet as ft

from app.client import Client, JobView
from app.domain import commands
from app.domain.models import PhotoStage, Trade
from app.domain.targets import UK
from app.views import format as fmt
from app.views import theme
from app.views.rules import shortest
from app.views.widgets import FormDialog, PhotoPicker, dropdown, dropdown_row, field, hint, line

SLOTS = [(f"{h:02d}:{m:02d}", f"{h:02d}:{m:02d}") for h in range(7, 20) for m in (0, 30)]
MINUTES = [("10", "10 minutes"), ("20", "20 minutes"), ("30", "30 minutes"),
           ("45", "45 minutes"), ("60", "1 hour"), ("90", "1 and a half hours"),
           ("120", "2 hours")]  # fmt: skip


def appointment_lines(job: JobView, for_resident: bool = False) -> list[ft.Control]:
    """Where the visit time stands, in words for the tradesperson or the resident."""
    shown: list[ft.Control] = []
    if job.completed_at:  # the visit is history now
        return shown
    at = job.appointment_at
    when = f"{fmt.day(at)} at {fmt.clock(at)}" if at else ""
    if job.appointment_status == "proposed":
        said = (
            f"Visit offered for {when}: please confirm it or ask for another time."
            if for_resident
            else f"Visit time offered: {when}. Waiting for the resident to confirm."
        )
        shown.append(line(ft.Icons.EVENT_OUTLINED, said))
    elif job.appointment_status == "confirmed":
        shown.append(line(ft.Icons.EVENT_AVAILABLE, f"Visit confirmed for {when}"))
    elif job.appointment_status == "change_asked":
        said = (
            f"You asked for another time than {when}."
            if for_resident
            else f"The resident asked for another time than {when}."
        )
        shown.append(line(ft.Icons.EVENT_BUSY, said))
        if job.appointment_note:
            shown.append(hint(f"“{job.appointment_note}”"))
    if job.arrive_by and job.started_at is None:
        shown.append(
            ft.Row(
                [
                    ft.Icon(ft.Icons.DIRECTIONS_CAR_OUTLINED, size=18, color=theme.GREEN),
                    ft.Text(
                        f"On the way: arriving by {fmt.clock(job.arrive_by)}",
                        size=14,
                        weight=ft.FontWeight.W_600,
                        color=theme.GREEN,
                        expand=True,
                    ),
                ]
            )
        )
    for miss in job.missed:
        who = "the resident was out" if miss.get("by") == "resident" else "nobody came"
        moment = datetime.fromisoformat(miss["at"]) if miss.get("at") else None
        shown.append(
            line(
                ft.Icons.EVENT_BUSY, f"Missed visit{f' {fmt.day(moment)}' if moment else ''}: {who}"
            )
        )
    return shown


def slot_moment(day: str, clock: str) -> datetime:
    """A day and time chosen in the UK, as the moment it is."""
    hours, minutes = (int(x) for x in clock.split(":"))
    local = datetime.combine(date.fromisoformat(day), time(hours, minutes), tzinfo=UK)
    return local.astimezone(UTC)


def propose_time(page: ft.Page, client: Client, job: JobView) -> None:
    """The tradesperson offers a visit time; the resident confirms it on their device."""
    days = fmt.visit_days(28)
    day_box = dropdown("Day", days, value=days[1][0])
    time_box = dropdown("Time", SLOTS, value="09:00")

    async def send() -> str | None:
        if not day_box.value or not time_box.value:
            return None
        at = slot_moment(day_box.value, time_box.value)
        if at <= datetime.now(UTC):
            time_box.error_text = "That time has passed. Choose a later one."
            return None
        time_box.error_text = None
        await client.propose_appointment(job.id, at)
        return f"Visit time offered: {fmt.day(at)} at {fmt.clock(at)}. The resident will confirm."

    FormDialog(
        page,
        client,
        f"Offer a visit time: {job.title}",
        [
            hint("The resident confirms the time or asks for another on their phone or tablet."),
            dropdown_row(day_box),
            dropdown_row(time_box),
        ],
        "Offer this time",
        send,
    ).open()


def on_my_way(page: ft.Page, client: Client, job: JobView) -> None:
    """Tell the resident someone is coming, and by when."""
    box = dropdown("How long until you arrive?", MINUTES, value="30")

    async def send() -> str | None:
        minutes = int(box.value or "30")
        await client.on_my_way(job.id, minutes)
        return "The resident is told you are on your way."

    FormDialog(
        page,
        client,
        f"On my way: {job.title}",
        [
            hint("The resident sees who is coming and the time you expect to arrive."),
            dropdown_row(box),
        ],
        "Tell the resident",
        send,
    ).open()


def start_visit(page: ft.Page, client: Client, job: JobView) -> None:
    """Start the visit with "before" photos: how the job was found, in case of dispute."""
    photos = PhotoPicker(page, client, PhotoStage.BEFORE, "Add photos before you start")

    async def send() -> str | None:
        await client.start_visit(job.id, photos.photos)
        taken = len(photos.photos)
        return "Visit started." + (
            f" {taken} before photo{'' if taken == 1 else 's'} saved." if taken else ""
        )

    FormDialog(
        page,
        client,
        f"Start visit: {job.title}",
        [
            hint(
                "Photos of how you found it protect you if the work is questioned later. "
                "They are kept on this phone until there is signal."
            ),
            photos.control,
        ],
        "Start visit",
        send,
    ).open()


def follow_on(page: ft.Page, client: Client, job: JobView) -> None:
    """Further work found on site, raised as a new repair linked to this one."""
    trade = dropdown("Trade", [(t.value, t.label) for t in Trade], value=job.trade.value)
    title = field(
        "What needs doing?",
        max_length=commands.RaiseFollowOn.limit("title"),
        hint_text="e.g. Replace rotten window sill",
    )
    details = field(
        "Details (optional)",
        multiline=True,
        min_lines=2,
        max_length=commands.RaiseFollowOn.limit("description"),
    )
    photos = PhotoPicker(page, client, PhotoStage.REPORT, "Add photos of it")

    async def send() -> str | None:
        text = (title.value or "").strip()
        least = shortest(commands.RaiseFollowOn, "title")
        title.error = (
            None if len(text) >= least else f"Say what needs doing ({least} letters or more)."
        )
        if title.error:
            return None
        await client.raise_follow_on(
            job.id, Trade(trade.value), text, (details.value or "").strip(), photos.photos
        )
        return "Follow-on work raised. The housing officer will triage it."

    FormDialog(
        page,
        client,
        f"Follow-on work: {job.title}",
        [
            hint("Raised as a new repair linked to this job; the housing officer decides on it."),
            dropdown_row(trade),
            title,
            details,
            photos.control,
        ],
        "Raise follow-on work",
        send,
    ).open()
