"""Pieces several screens share: job cards, a photo picker with thumbnails, form dialogs,
and the one way an event handler tells the user what happened."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import flet as ft

from app.client import Client, JobView, LocalPhoto
from app.domain.lifecycle import Rejected
from app.domain.models import PhotoStage
from app.domain.records import Extra
from app.views import format as fmt
from app.views import theme

log = logging.getLogger(__name__)


# -- telling the user ------------------------------------------------------------------


def say(page: ft.Page, message: str) -> None:
    """A SnackBar. `show_dialog` only updates the dialog layer, so update the page too:
    other changes made in the same handler would otherwise not be sent."""
    page.show_dialog(ft.SnackBar(ft.Text(message), duration=ft.Duration(seconds=5)))
    page.update()


def saved_message(client: Client, what: str) -> str:
    """Never claim that something was sent: it is on this device until a sync takes it."""
    if client.status().online:
        return f"{what} Saved on this device and sending now."
    return f"{what} Saved on this device. It will be sent when you have signal."


def guarded(fn: Callable[[ft.Event], Any]) -> Callable[[ft.Event], Awaitable[None]]:
    """An event handler that calls `fn(event)`, awaiting it if need be. In Flet 1.0.5 an
    exception escaping a handler replaces the whole app with "Error running app", so a
    refusal is shown as its sentence, and a failure is logged with its traceback and the
    user told in words."""

    async def handle(e: ft.Event) -> None:
        try:
            result = fn(e)
            if inspect.isawaitable(result):
                await result
        except Rejected as rejected:
            say(e.page, rejected.message)
        except Exception:
            log.exception("An event handler failed")
            say(e.page, "Something went wrong on this screen. Please try again.")

    return handle


def on(fn: Callable[..., Any], *args: Any) -> Callable[[ft.Event], Awaitable[None]]:
    """A guarded handler that calls `fn(*args)` and ignores the event itself."""
    return guarded(lambda _e: fn(*args))


async def attempt(page: ft.Page, action: Callable[[], Awaitable[Any]], done: str, client) -> bool:
    """Run one client action and say what happened in words. True when it was saved."""
    try:
        await action()
    except Rejected as e:
        say(page, e.message)
        return False
    say(page, saved_message(client, done))
    return True


# -- building blocks -------------------------------------------------------------------


def field(label: str, **kwargs: Any) -> ft.TextField:
    """A text field whose value reaches Python as it is typed: in Flet 1.0.5 a TextField
    without an `on_change` handler may send its value too late for a quick tap on Send."""
    kwargs.setdefault("error_max_lines", 3)  # on a phone, one line cuts a sentence short
    return ft.TextField(label=label, on_change=_keep, **kwargs)


def _keep(e: ft.Event) -> None:
    """Having a handler is what makes Flet send each change. A field being corrected loses
    its old error at once (updated itself: in a dialog a page update would miss it)."""
    if getattr(e.control, "error", None):
        e.control.error = None
        e.control.update()


def dropdown(label: str, options: list[tuple[str, str]], **kwargs: Any) -> ft.Dropdown:
    """A dropdown of (key, text) pairs, as wide as the fields around it (see `dropdown_row`)."""
    return ft.Dropdown(
        label=label,
        options=[ft.DropdownOption(key=key, text=text) for key, text in options],
        enable_search=False,
        expand=True,
        **kwargs,
    )


def dropdown_row(control: ft.Dropdown, identifier: str | None = None) -> ft.Control:
    """Place a dropdown: alone in a row so that it fills the width, and labelled for screen
    readers (and tests), which do not hear the label it draws."""
    return ft.Semantics(content=ft.Row([control]), label=control.label, identifier=identifier)


def icon_action(icon: ft.IconData, label: str, on_click, colour: str | None = None) -> ft.Control:
    """An icon button with one name, said once: the wrapper is the button screen readers
    see (its tap is the button's), and the button's own unnamed node is left out."""
    return ft.Semantics(
        content=ft.IconButton(icon, icon_color=colour, tooltip=label, on_click=on_click),
        label=label,
        button=True,
        exclude_semantics=True,
        on_tap=on_click,
    )


def heading(text: str) -> ft.Text:
    return ft.Text(text, theme_style=ft.TextThemeStyle.HEADLINE_SMALL, weight=ft.FontWeight.W_600)


def hint(text: str) -> ft.Text:
    return ft.Text(text, color=theme.MUTED)


def empty(text: str) -> ft.Control:
    return ft.Container(ft.Text(text, color=theme.MUTED), padding=ft.Padding.all(16))


def line(icon: ft.IconData, text: str) -> ft.Control:
    return ft.Row(
        [ft.Icon(icon, size=16, color=theme.MUTED), ft.Text(text, size=13, expand=True)],
        spacing=6,
    )


def error_text() -> ft.Text:
    return ft.Text("", color=theme.RED, size=13, visible=False)


def show_error(text: ft.Text, message: str | None) -> None:
    text.value, text.visible = message or "", bool(message)


def pending_marker() -> ft.Control:
    return ft.Row(
        [
            ft.Icon(ft.Icons.CLOUD_UPLOAD_OUTLINED, size=16, color=theme.AMBER),
            ft.Text("Waiting to sync", size=13, color=theme.AMBER, weight=ft.FontWeight.W_500),
        ],
        spacing=4,
    )


def link(text: str, url: str, icon: ft.IconData, new_tab: bool = False) -> ft.Control:
    """A button that opens `url` (a phone number, a map) with the device's own app."""
    target = ft.UrlTarget.BLANK if new_tab else None
    return ft.TextButton(text, icon=icon, url=ft.Url(url, target=target))


def keep_place(previous: list[str], items: list[Any], key: Callable[[Any], str]) -> list[Any]:
    """`items` in their sorted order, except that those shown last time keep the order they
    had then, so a card never jumps away because of what was just done to it. New items
    take their sorted places; the known ones fill the remaining places in their old order."""
    rank = {k: n for n, k in enumerate(previous)}
    known = sorted((i for i in items if key(i) in rank), key=lambda i: rank[key(i)])
    refill = iter(known)
    return [next(refill) if key(i) in rank else i for i in items]


def photo_strip(thumbnails: list[bytes], elsewhere: int, whose: str = "") -> list[ft.Control]:
    """Thumbnails of the photos this device holds, and how many more it does not."""
    shown: list[ft.Control] = []
    if thumbnails:
        shown.append(
            ft.Row(
                [
                    ft.Image(
                        src=data,
                        width=72,
                        height=72,
                        fit=ft.BoxFit.COVER,
                        border_radius=6,
                        semantics_label=f"{whose}photo {n}".capitalize(),
                    )
                    for n, data in enumerate(thumbnails, start=1)
                ],
                wrap=True,
                spacing=6,
                run_spacing=6,
            )
        )
    if elsewhere:
        noun = "photo" if elsewhere == 1 else "photos"
        more = " more" if thumbnails else ""
        shown.append(
            line(ft.Icons.PHOTO_OUTLINED, f"{elsewhere}{more} {whose}{noun}, not on this device")
        )
    return shown


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


EXTRA_WORDS = {
    "pending": (ft.Icons.HOURGLASS_TOP, "Extra work waiting for the housing officer's decision"),
    "approved": (ft.Icons.CHECK_CIRCLE_OUTLINE, "Extra work approved"),
    "refused": (ft.Icons.CANCEL_OUTLINED, "Extra work refused"),
}


def extra_lines(extras: list[Extra]) -> list[ft.Control]:
    """'Extra work approved: £60.00 – Valve seized as well', and the officer's reason."""
    lines = []
    for extra in extras:
        icon, words = EXTRA_WORDS.get(extra.status, EXTRA_WORDS["pending"])
        lines.append(line(icon, f"{words}: {fmt.money(extra.price_pence)} – {extra.reason}"))
        if extra.decision_reason:
            why = "Why" if extra.status == "refused" else "Housing officer's note"
            lines.append(line(ft.Icons.COMMENT_OUTLINED, f"{why}: {extra.decision_reason}"))
    return lines


def job_card(
    job: JobView, details: list[ft.Control], actions: list[ft.Control], badge: str = ""
) -> ft.Control:
    colour = theme.status_colour(job.status)
    return card(
        job.title, badge or job.status_label, colour, details, actions, f"job-{job.id}", job.pending
    )


def card(
    title: str,
    badge: str,
    colour: str,
    details: list[ft.Control],
    actions: list[ft.Control],
    key: str,
    pending: bool = False,
) -> ft.Control:
    top = ft.Row(
        [
            ft.Text(title, weight=ft.FontWeight.W_600, size=16, expand=True),
            ft.Container(
                ft.Text(badge, size=13, color=theme.ON_COLOUR, weight=ft.FontWeight.W_500),
                bgcolor=colour,
                padding=ft.Padding.symmetric(horizontal=8, vertical=2),
                border_radius=12,
            ),
        ],
        vertical_alignment=ft.CrossAxisAlignment.START,
    )
    body: list[ft.Control] = [top, *details]
    if pending:
        body.append(pending_marker())
    if actions:
        body.append(ft.Row(actions, wrap=True, spacing=8, run_spacing=8))
    # Labelled, each card is its own group named by its title, for screen readers (and
    # tests); without a label Flutter merges cards that hold no buttons into one node.
    return ft.Semantics(
        content=ft.Card(ft.Container(ft.Column(body, spacing=6), padding=ft.Padding.all(14))),
        label=title,
        container=True,
        key=key,
    )


class Screen:
    """A screen in the shell: a title and icon for navigation, a control to show, and
    `refresh` to reload what it shows from the client."""

    title: str
    icon: ft.IconData

    def __init__(self, page: ft.Page, client: Client) -> None:
        self.page, self.client = page, client
        self.control: ft.Control = ft.Column()
        self.navigate: Callable[[str, str | None], Awaitable[None]] = _nowhere

    async def refresh(self) -> None:
        """Reload from the client. Screens that only hold a form have nothing to reload."""

    def open_item(self, item_id: str | None) -> None:
        """Show one item (a repair, a job) when navigated to with it; None: the list."""


async def _nowhere(_title: str, _item: str | None) -> None:
    """Until the shell wires navigation in."""


class ListScreen(Screen):
    """A heading, a line saying what the list is, and cards rebuilt on every refresh."""

    def __init__(self, page: ft.Page, client: Client, intro: str = "") -> None:
        super().__init__(page, client)
        self.intro = hint(intro)
        self.intro.visible = bool(intro)
        self.list = ft.Column(spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.control = ft.Column(
            [heading(self.title), self.intro, self.list],
            scroll=ft.ScrollMode.AUTO,
            expand=True,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )


# -- photos ------------------------------------------------------------------------


class PhotoPicker:
    """Add photos with the file picker, see thumbnails, remove one before sending. On the
    web a picked file has no path, so the bytes come with it (`with_data=True`)."""

    def __init__(
        self,
        page: ft.Page,
        client: Client,
        stage: PhotoStage,
        label: str,
        changed: Callable[[], None] = lambda: None,
    ) -> None:
        self.page, self.client, self.stage, self.changed = page, client, stage, changed
        self.photos: list[LocalPhoto] = []
        self.picker = ft.FilePicker()  # a service: it registers itself with the page
        self.strip = ft.Row(wrap=True, spacing=8, run_spacing=8)
        self.error = error_text()
        self.control = ft.Column(
            [
                ft.OutlinedButton(
                    label, icon=ft.Icons.ADD_A_PHOTO_OUTLINED, on_click=on(self._pick)
                ),
                self.error,
                self.strip,
            ]
        )

    async def _pick(self) -> None:
        files = await self.picker.pick_files(
            file_type=ft.FilePickerFileType.IMAGE, allow_multiple=True, with_data=True
        )
        problems = []
        for f in files or []:
            try:
                self.photos.append(await self.client.add_photo(f.bytes or b"", self.stage))
            except Rejected as e:
                problems.append(f"{f.name}: {e.message}")
        show_error(self.error, "\n".join(problems))
        self._render()

    def _render(self) -> None:
        self.strip.controls = [
            ft.Stack(
                [
                    ft.Image(
                        src=photo.thumbnail,
                        width=96,
                        height=96,
                        fit=ft.BoxFit.COVER,
                        border_radius=8,
                        semantics_label=f"Photo {n}",
                    ),
                    ft.Container(
                        icon_action(ft.Icons.CLOSE, f"Remove photo {n}", on(self._remove, photo)),
                        right=0,
                        top=0,
                        bgcolor=theme.PAGE,
                        border_radius=20,
                    ),
                ],
                width=96,
                height=96,
            )
            for n, photo in enumerate(self.photos, start=1)
        ]
        self.changed()
        self.control.update()

    def _remove(self, photo: LocalPhoto) -> None:
        self.photos.remove(photo)
        self._render()

    def clear(self) -> None:
        self.photos = []
        show_error(self.error, None)
        self.strip.controls = []


# -- dialogs -------------------------------------------------------------------------


class FormDialog:
    """A dialog with fields, Cancel and one action button. `submit` returns the sentence
    to show when the action is saved, or None when a field needs fixing (it has set that
    field's error). A refusal (`Rejected`) shows inside the dialog, keeping what was typed.
    Controls inside a dialog are updated through the dialog: `page.update()` misses them."""

    def __init__(
        self,
        page: ft.Page,
        client: Client,
        title: str,
        controls: list[ft.Control],
        action: str,
        submit: Callable[[], Awaitable[str | None]],
    ) -> None:
        self.page, self.client, self.submit = page, client, submit
        self.error = error_text()
        self.button = ft.FilledButton(action, on_click=on(self._submit))
        self.dialog = ft.AlertDialog(
            title=ft.Text(title),
            # The dialog scrolls; a scrolling column inside it would take the full height.
            content=ft.Column(
                [*controls, self.error],
                tight=True,
                width=460,
                horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
            ),
            actions=[ft.TextButton("Cancel", on_click=on(page.pop_dialog)), self.button],
            scrollable=True,
        )

    def open(self) -> None:
        self.page.show_dialog(self.dialog)

    def clear_error(self) -> None:
        """What was refused has changed: the old reason no longer applies."""
        if self.error.visible:
            show_error(self.error, None)
            self.error.update()

    async def _submit(self) -> None:
        show_error(self.error, None)
        self.button.disabled = True
        self.dialog.update()
        try:
            done = await self.submit()
        except Rejected as e:
            show_error(self.error, e.message)
            done = None
        finally:
            self.button.disabled = False
        if done is None:
            self.dialog.update()
            return
        self.page.pop_dialog()
        say(self.page, saved_message(self.client, done))
