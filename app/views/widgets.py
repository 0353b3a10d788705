"""Pieces several screens share: a job card, a photo picker with thumbnails, messages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import flet as ft

from app.client import Client, JobView, LocalPhoto
from app.domain.lifecycle import Rejected
from app.domain.models import JobStatus, PhotoStage

STATUS_COLOURS = {
    JobStatus.COMPLETED: ft.Colors.GREEN_700,
    JobStatus.CLOSED: ft.Colors.GREEN_700,
    JobStatus.CANCELLED: ft.Colors.GREY_600,
    JobStatus.NO_ACCESS: ft.Colors.ORANGE_800,
    JobStatus.POSTED: ft.Colors.BLUE_700,
}


def say(page: ft.Page, message: str) -> None:
    page.show_dialog(ft.SnackBar(ft.Text(message), duration=ft.Duration(seconds=5)))
    page.update()


def saved_message(client: Client, what: str) -> str:
    if client.status().online:
        return f"{what} Sending it now."
    return f"{what} Saved on this device: it will be sent when you have signal."


def field(label: str, **kwargs) -> ft.TextField:
    """A text field whose value reaches Python as it is typed: in Flet 1.0.5 a TextField
    without an `on_change` handler only sends its value later, so a quick tap on Send
    would see it empty."""
    return ft.TextField(label=label, on_change=_keep, **kwargs)


def _keep(_e) -> None:
    """Nothing to do: having a handler is what makes Flet send each change."""


def heading(text: str) -> ft.Text:
    return ft.Text(text, theme_style=ft.TextThemeStyle.HEADLINE_SMALL, weight=ft.FontWeight.W_600)


def empty(text: str) -> ft.Control:
    return ft.Container(ft.Text(text, color=ft.Colors.GREY_700), padding=ft.Padding.all(16))


def pending_marker() -> ft.Control:
    return ft.Row(
        [
            ft.Icon(ft.Icons.CLOUD_UPLOAD_OUTLINED, size=16, color=ft.Colors.ORANGE_800),
            ft.Text("Waiting to sync", size=12, color=ft.Colors.ORANGE_800),
        ],
        spacing=4,
    )


def address(job: JobView) -> str:
    """As much of the address as this person may see: the flat only once the job is theirs."""
    street = ", ".join(x for x in (job.flat, job.street) if x)
    return f"{street}, {job.district}" if street else job.district


PHOTO_STATE_WORDS = {
    "waiting": "waiting to upload",
    "uploading": "uploading",
    "failed": "could not be sent",
}


def photo_progress(job: JobView, states: dict[str, tuple[str, str]]) -> ft.Control | None:
    """'2 photos: 1 uploading, 1 waiting to upload', or None once they are all up."""
    counts: dict[str, int] = {}
    for sha in job.photos:
        state = states.get(sha, ("uploaded", ""))[0]
        if state != "uploaded":
            counts[state] = counts.get(state, 0) + 1
    if not counts:
        return None
    parts = ", ".join(f"{n} {PHOTO_STATE_WORDS.get(state, state)}" for state, n in counts.items())
    noun = "photo" if len(job.photos) == 1 else "photos"
    return line(ft.Icons.PHOTO_OUTLINED, f"{len(job.photos)} {noun}: {parts}")


def job_card(
    job: JobView, details: list[ft.Control], actions: list[ft.Control], badge: str = ""
) -> ft.Control:
    colour = STATUS_COLOURS.get(job.status, ft.Colors.BLUE_GREY_700)
    top = ft.Row(
        [
            ft.Text(job.title, weight=ft.FontWeight.W_600, size=16, expand=True),
            ft.Container(
                ft.Text(badge or job.status_label, size=12, color=ft.Colors.WHITE),
                bgcolor=colour,
                padding=ft.Padding.symmetric(horizontal=8, vertical=2),
                border_radius=12,
            ),
        ],
        vertical_alignment=ft.CrossAxisAlignment.START,
    )
    body: list[ft.Control] = [top, *details]
    if job.pending:
        body.append(pending_marker())
    if actions:
        body.append(ft.Row(actions, wrap=True, spacing=8))
    return ft.Card(
        ft.Container(ft.Column(body, spacing=6), padding=ft.Padding.all(14)),
        key=f"job-{job.id}",
    )


def line(icon: ft.IconData, text: str) -> ft.Control:
    return ft.Row(
        [ft.Icon(icon, size=16, color=ft.Colors.GREY_700), ft.Text(text, size=13, expand=True)],
        spacing=6,
    )


class PhotoPicker:
    """Add photos with the file picker, see thumbnails, remove one before sending."""

    def __init__(self, page: ft.Page, client: Client, stage: PhotoStage, label: str) -> None:
        self.page, self.client, self.stage = page, client, stage
        self.photos: list[LocalPhoto] = []
        self.picker = ft.FilePicker()
        self.strip = ft.Row(wrap=True, spacing=8)
        self.error = ft.Text("", color=ft.Colors.RED_700, size=13, visible=False)
        self.control = ft.Column(
            [
                ft.OutlinedButton(label, icon=ft.Icons.ADD_A_PHOTO_OUTLINED, on_click=self._pick),
                self.error,
                self.strip,
            ]
        )

    async def _pick(self, _e) -> None:
        files = await self.picker.pick_files(
            file_type=ft.FilePickerFileType.IMAGE, allow_multiple=True, with_data=True
        )
        problems = []
        for f in files or []:
            try:
                self.photos.append(await self.client.add_photo(f.bytes or b"", self.stage))
            except Rejected as e:
                problems.append(f"{f.name}: {e.message}")
        self.error.value, self.error.visible = "\n".join(problems), bool(problems)
        self._render()

    def _render(self) -> None:
        self.strip.controls = [
            ft.Stack(
                [
                    ft.Image(
                        src=ph.thumbnail,
                        width=96,
                        height=96,
                        fit=ft.BoxFit.COVER,
                        border_radius=8,
                        semantics_label=f"Photo {n}",
                    ),
                    ft.IconButton(
                        ft.Icons.CLOSE,
                        tooltip=f"Remove photo {n}",
                        icon_size=16,
                        right=0,
                        top=0,
                        bgcolor=ft.Colors.WHITE_70,
                        on_click=lambda _e, ph=ph: self._remove(ph),
                    ),
                ],
                width=96,
                height=96,
            )
            for n, ph in enumerate(self.photos, start=1)
        ]
        self.page.update()

    def _remove(self, photo: LocalPhoto) -> None:
        self.photos.remove(photo)
        self._render()

    def clear(self) -> None:
        self.photos = []
        self.error.visible = False
        self._render()


Action = Callable[[], Awaitable[None]]


def on(fn: Callable[..., Awaitable[None]], *args) -> Callable[[ft.Event], Awaitable[None]]:
    """An event handler that awaits `fn(*args)`: Flet awaits async handlers, not lambdas
    that return coroutines."""

    async def handle(_e) -> None:
        await fn(*args)

    return handle


async def attempt(page: ft.Page, action: Action, done: str, client: Client) -> bool:
    """Run an action; tell the user what happened in words. True when it was saved."""
    try:
        await action()
    except Rejected as e:
        say(page, e.message)
        return False
    say(page, saved_message(client, done))
    return True
