"""The tradesperson's visit, on the phone and offline: the job pack (what they need to know
before they knock), agreeing a time with the resident, saying they are on their way,
"before" photos at the start, "after" photos, a note and materials at the end, no access
with a calling card, and follow-on work found on site. Each action is one dialog; what is
typed is checked at its field with the command's own limits, and saved on the phone until
there is signal."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from urllib.parse import quote_plus

import flet as ft

from app.client import Client, JobView
from app.domain import commands
from app.domain.models import PhotoStage, Priority, Trade
from app.domain.records import Visit
from app.domain.targets import UK
from app.views import format as fmt
from app.views import theme
from app.views.rules import shortest
from app.views.widgets import (
    FormDialog,
    PhotoPicker,
    dropdown,
    dropdown_row,
    field,
    hint,
    line,
    link,
    photo_strip,
    show_error,
)

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


# -- the job pack --------------------------------------------------------------------


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def no_access_visits(visits: list[Visit]) -> list[Visit]:
    return [v for v in visits if v.outcome == "no_access"]


def warning_box(said: list[str]) -> ft.Control:
    """Hazards and alerts, in a box of their own so they are read before anything else."""
    return ft.Container(
        ft.Column(
            [
                ft.Row(
                    [
                        ft.Icon(ft.Icons.WARNING_AMBER, size=18, color=theme.RED),
                        ft.Text(text, size=14, weight=ft.FontWeight.W_600, expand=True),
                    ],
                    vertical_alignment=ft.CrossAxisAlignment.START,
                )
                for text in said
            ],
            spacing=4,
        ),
        bgcolor=theme.PAGE,
        border=ft.Border.all(1, theme.RED),
        border_radius=8,
        padding=ft.Padding.all(10),
    )


def alerts(job: JobView, visits: list[Visit]) -> list[str]:
    """What the tradesperson must know before they go: the landlord's alerts about the
    home first (asbestos, a dog), each on its own line, then emergencies, hazards, what
    the housing officer flagged, and how the last attempt went."""
    said = list(job.property_alerts)
    if job.priority is Priority.EMERGENCY:
        by = f" by {fmt.day(job.attend_by)} at {fmt.clock(job.attend_by)}" if job.attend_by else ""
        said.append(f"Emergency: be on site{by} and make it safe first.")
    if job.damp_and_mould:
        said.append(
            "Damp and mould: a significant hazard under Awaab's Law. Photograph what you "
            "find before you start."
        )
    if job.flag:
        said.append(job.flag)
    missed = no_access_visits(visits)
    if missed and job.completed_at is None:
        last = missed[-1]
        said.append(
            f"No access on {fmt.day(last.started_at)}. If nobody is in next time, the job "
            "goes back to the housing officer."
        )
    return said


def reach(job: JobView) -> list[ft.Control]:
    """Who lives there and how to get in touch: tap to call, or open the maps."""
    shown: list[ft.Control] = []
    if job.resident_name:
        shown.append(line(ft.Icons.PERSON_OUTLINE, f"Resident: {job.resident_name}"))
    links: list[ft.Control] = []
    if job.resident_phone:
        number = "".join(ch for ch in job.resident_phone if ch.isdigit() or ch == "+")
        links.append(link(f"Call {job.resident_phone}", f"tel:{number}", ft.Icons.PHONE))
    place = ", ".join(x for x in (job.street, job.district) if x)
    if place:
        maps = f"https://www.google.com/maps/search/?api=1&query={quote_plus(place)}"
        links.append(link("Open in maps", maps, ft.Icons.MAP_OUTLINED, new_tab=True))
    if links:
        shown.append(ft.Row(links, wrap=True, spacing=4, run_spacing=0))
    if said := preference(job):
        shown.append(line(ft.Icons.SMS_OUTLINED, said))
    if job.resident_name and not job.resident_phone:
        shown.append(hint("No phone number given: knock, and leave a calling card if out."))
    return shown


PREFERS = {"phone": "phone call", "text": "text message", "either": "phone call or text"}


def preference(job: JobView) -> str:
    """How the resident likes to be contacted: "Prefers: text message, after 4pm"; "" for
    a repair reported before residents could say."""
    how = PREFERS.get(job.contact_preference)
    if not how:
        return ""
    return f"Prefers: {how}" + (f", {job.best_times}" if job.best_times else "")


def visit_lines(job: JobView, visits: list[Visit]) -> list[ft.Control]:
    """This job's visits so far, in words: when, how they ended, the note left."""
    shown: list[ft.Control] = []
    for v in visits:
        when = f"{fmt.day(v.started_at)} at {fmt.clock(v.started_at)}"
        photos = f", {plural(len(v.photos), 'photo')}" if v.photos else ""
        if v.outcome == "no_access":
            said = f"No access {when}{photos}"
            icon = ft.Icons.DOOR_FRONT_DOOR_OUTLINED
        elif v.outcome == "completed":
            said = f"Visit {when}: completed{photos}"
            icon = ft.Icons.TASK_ALT
        else:
            said = f"Visit started {when}{photos}"
            icon = ft.Icons.PLAY_CIRCLE_OUTLINE
        shown.append(line(icon, said))
        if v.notes:
            shown.append(hint(f"Your note: {v.notes}"))
    return shown


def pack_lines(job: JobView, thumbs: dict[str, bytes], visits: list[Visit]) -> list[ft.Control]:
    """The job pack, kept on the phone while the job is theirs: hazards first, then the
    resident and how to get in, the resident's own words and photos, and the visit."""
    shown: list[ft.Control] = []
    if said := alerts(job, visits):
        shown.append(warning_box(said))
    shown += reach(job)
    if job.location:
        shown.append(line(ft.Icons.MEETING_ROOM_OUTLINED, f"Where in the home: {job.location}"))
    if job.access_notes:
        shown.append(line(ft.Icons.KEY_OUTLINED, f"Access: {job.access_notes}"))
    if job.description:
        shown.append(ft.Text(f"The resident says: “{job.description}”", size=14))
    # Before the work starts every photo on the job is the resident's; a completion adds
    # the after photos to the job itself.
    theirs = [s for s in job.photos if not any(s in v.photos for v in visits)]
    held = [thumbs[sha] for sha in theirs if sha in thumbs]
    shown += photo_strip(held, len(theirs) - len(held), "the resident's ")
    if not theirs:
        shown.append(hint("The resident sent no photos."))
    shown += appointment_lines(job)
    shown += visit_lines(job, visits)
    return shown


# -- the end of a visit ----------------------------------------------------------------

NEEDS_AFTER_PHOTO = "Add at least one photo of the finished work before completing."
COMPLETE_NOTES = commands.CompleteJob.limit("notes")
MATERIALS_LIMIT = 500  # materials go into the completion note, which has room for both


def completion_note(notes: str, materials: str) -> str:
    """The command has one note: materials used go at its end, on a line of their own."""
    notes, materials = notes.strip(), materials.strip()
    if not materials:
        return notes
    return f"{notes}\n\nMaterials used: {materials}" if notes else f"Materials used: {materials}"


def complete(page: ft.Page, client: Client, job: JobView) -> None:
    """Finish the job: "after" photos (at least one), what was done, materials used."""
    notes = field(
        "What did you do?",
        multiline=True,
        min_lines=2,
        max_length=COMPLETE_NOTES - MATERIALS_LIMIT - 20,
        hint_text="e.g. Replaced washer and tested: no drip",
    )
    materials = field(
        "Materials used (optional)",
        multiline=True,
        max_length=MATERIALS_LIMIT,
        hint_text="e.g. 1 tap washer, PTFE tape",
    )
    photos = PhotoPicker(
        page,
        client,
        PhotoStage.AFTER,
        "Add photos of the finished work",
        changed=lambda: dialog.clear_error(),
    )

    async def send() -> str | None:
        if not photos.photos:
            show_error(photos.error, NEEDS_AFTER_PHOTO)
            return None
        show_error(photos.error, None)
        await client.complete_job(
            job.id, completion_note(notes.value, materials.value), photos.photos
        )
        return "Job completed. An invoice is sent to the housing officer: see Getting paid."

    dialog = FormDialog(
        page,
        client,
        f"Complete: {job.title}",
        [
            hint("At least one photo of the finished work is needed."),
            photos.control,
            notes,
            materials,
        ],
        "Complete job",
        send,
    )
    dialog.open()


def no_access(page: ft.Page, client: Client, job: JobView, visits: list[Visit]) -> None:
    """Nobody in: a calling-card photo or a note. The second time, the job goes back."""
    again = bool(no_access_visits(visits))
    note = field(
        "What happened?",
        multiline=True,
        min_lines=2,
        max_length=commands.RecordNoAccess.limit("note"),
        hint_text="e.g. Nobody in at 10:00, card left under the door",
    )
    photos = PhotoPicker(
        page,
        client,
        PhotoStage.NO_ACCESS,
        "Add a photo of your calling card",
        changed=lambda: dialog.clear_error(),
    )
    explain = [hint("Add a photo of the calling card you left, or a note, or both.")]
    if again:
        explain.insert(
            0,
            warning_box(
                [
                    "This is the second time nobody was in. The job goes back to the housing "
                    "officer, who contacts the resident and offers it again. It leaves your jobs."
                ]
            ),
        )

    async def send() -> str | None:
        if not (note.value or "").strip() and not photos.photos:
            note.error = "Say what happened, or add a photo of your calling card."
            return None
        note.error = None
        await client.record_no_access(job.id, (note.value or "").strip(), photos.photos)
        if again:
            return (
                "No access recorded again. The job has gone back to the housing officer; "
                "you do not need to go again."
            )
        return "No access recorded. Offer the resident another visit time."

    dialog = FormDialog(
        page,
        client,
        f"No access: {job.title}",
        [*explain, note, photos.control],
        "Record no access",
        send,
    )
    dialog.open()
