"""Pieces several screens share: job cards, a photo picker with thumbnails, form dialogs,
and the one way an event handler tells the user what happened."""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import flet as ft
from annotated_types import MinLen

from app.client import Client, JobView, LocalPhoto
from app.domain.commands import Command
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


def password_field(label: str, **kwargs: Any) -> ft.TextField:
    """A password field with a show/hide button that has a name and that Tab reaches
    (Flet's own reveal button has neither on the web)."""
    box = field(label, password=True, **kwargs)

    def toggle(_e: ft.Event) -> None:
        box.password = not box.password
        box.suffix_icon = _reveal(box.password, toggle)
        box.update()

    box.suffix_icon = _reveal(True, toggle)
    return box


def _reveal(hidden: bool, toggle: Callable[[ft.Event], None]) -> ft.Control:
    name = "Show password" if hidden else "Hide password"
    icon = ft.Icons.VISIBILITY_OUTLINED if hidden else ft.Icons.VISIBILITY_OFF_OUTLINED
    return ft.IconButton(
        icon=ft.Icon(icon, semantics_label=name), tooltip=name, on_click=guarded(toggle)
    )


@dataclass(frozen=True)
class Limit:
    """Where a field's limits come from: a command model's field (`Command.limit`)."""

    command: type[Command]
    name: str
    words: str  # the field as people call it: "More details"

    @property
    def most(self) -> int:
        return self.command.limit(self.name)

    @property
    def fewest(self) -> int:
        rules = self.command.model_fields[self.name].metadata
        return max((r.min_length for r in rules if isinstance(r, MinLen)), default=0)


def limited(command: type[Command], name: str, label: str, **kwargs: Any) -> ft.TextField:
    """A text field that takes what `command`'s field `name` takes, and no more: its most
    characters come from the command model (so the form and the server never disagree),
    a counter shows how many are left, and `check_limits` puts any problem under the
    field in the field's own words."""
    limit = Limit(command, name, re.sub(r"\s*\(optional\)$", "", label))
    kwargs.setdefault("max_length", limit.most)
    box = field(label, data=limit, **kwargs)
    return box


def limit_problem(box: ft.TextField) -> str | None:
    """What is wrong with `box`'s length, in its own words, or None."""
    limit = box.data
    if not isinstance(limit, Limit):
        return None
    text = (box.value or "").strip()
    if len(text) > limit.most:
        return (
            f"“{limit.words}” takes at most {limit.most} characters and has {len(text)}: "
            "please shorten it."
        )
    if len(text) < limit.fewest:
        return f"“{limit.words}” needs at least {limit.fewest} characters."
    return None


def check_limits(*boxes: ft.TextField) -> bool:
    """Mark each field that breaks its limits with the reason under it. True when none do."""
    fine = True
    for box in boxes:
        problem = limit_problem(box)
        if problem:
            box.error, fine = problem, False
    return fine


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
    readers (and tests), which do not hear the label it draws. Once something is chosen
    the name says it too ("What kind of repair?: Plumbing"), as the field shows it."""
    return _Announced(content=ft.Row([control]), label=control.label, identifier=identifier)


def announced(control: ft.Dropdown) -> ft.Control:
    """A dropdown labelled for screen readers where it stands (no row of its own)."""
    return _Announced(content=control, label=control.label)


def chosen_text(control: ft.Dropdown) -> str:
    """The words of the chosen option, or "" when nothing is chosen."""
    return next((o.text or str(o.key) for o in control.options or [] if o.key == control.value), "")


@ft.control("Semantics")
class _Announced(ft.Semantics):
    """A dropdown's semantics: its label, and the option chosen, kept up to date at every
    update (the dropdown's value changes in many handlers across the screens)."""

    def before_update(self) -> None:
        super().before_update()
        dropdown = self.content
        if isinstance(dropdown, ft.Row) and dropdown.controls:
            dropdown = dropdown.controls[0]
        if isinstance(dropdown, ft.Dropdown):
            words = str(dropdown.label or "")
            chosen = chosen_text(dropdown)
            self.label = f"{words}: {chosen}" if chosen else words


def icon_action(icon: ft.IconData, label: str, on_click, colour: str | None = None) -> ft.Control:
    """An icon button with one name, said once, that Tab reaches: the name is the icon's
    own semantics label (a tooltip alone leaves the button unnamed on the web, and a
    `Semantics` wrapper makes a second, unfocusable button)."""
    return ft.IconButton(
        icon=ft.Icon(icon, color=colour, semantics_label=label), tooltip=label, on_click=on_click
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
        job.title,
        badge or job.status_label,
        colour,
        details,
        actions,
        JOB_KEY + job.id,
        job.pending,
        more=f"reported {fmt.day(job.reported_at)}",
    )


def card(
    title: str,
    badge: str,
    colour: str,
    details: list[ft.Control],
    actions: list[ft.Control],
    key: str,
    pending: bool = False,
    more: str = "",
) -> ft.Control:
    # Wrapped, so on a narrow screen or with large text the badge moves below the title
    # rather than squeezing it to a letter a line.
    top = ft.Row(
        [
            ft.Text(title, weight=ft.FontWeight.W_600, size=16),
            ft.Container(
                ft.Text(badge, size=13, color=theme.ON_COLOUR, weight=ft.FontWeight.W_500),
                bgcolor=colour,
                padding=ft.Padding.symmetric(horizontal=8, vertical=2),
                border_radius=12,
            ),
        ],
        wrap=True,
        spacing=8,
        run_spacing=4,
        vertical_alignment=ft.CrossAxisAlignment.CENTER,
    )
    name_buttons([*details, *actions], title, more)
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


BUTTONS = (ft.Button, ft.TextButton, ft.OutlinedButton)


def name_buttons(controls: list[ft.Control], thing: str, more: str = "") -> None:
    """Buttons that repeat from card to card name what they act on, for screen readers:
    "Post to marketplace: Bathroom tiles falling off". The words shown stay as they are
    and start the name, so voice control finds the button by what it shows. `more` tells
    two things of the same name apart ("reported Sat 30 May"), used by `distinct_names`
    only when two names on a screen would be the same."""
    for control in controls:
        if isinstance(control, BUTTONS):
            words = control.content
            if isinstance(words, str) and thing and thing.lower() not in words.lower():
                name = f"{words}: {thing}"
                longer = f"{name}, {more}" if more else name
                control.content = ft.Text(words, semantics_label=name, data=ButtonName(longer))
        elif isinstance(control, ft.Row | ft.Column):
            name_buttons(list(control.controls), thing, more)
        elif isinstance(getattr(control, "content", None), ft.Control):
            name_buttons([control.content], thing, more)


@dataclass(frozen=True)
class ButtonName:
    """The longer name a button named by `name_buttons` takes when its name repeats."""

    longer: str


def distinct_names(root: ft.Control) -> None:
    """No two buttons named by `name_buttons` under `root` share a name: those that would
    take their longer names, and any still the same are numbered ("(2 of 2)")."""
    texts: list[ft.Text] = []
    _named_texts(root, texts)
    for stage in ("short", "longer", "numbered"):
        groups: dict[str, list[ft.Text]] = {}
        for text in texts:
            groups.setdefault(str(text.semantics_label), []).append(text)
        repeated = [g for g in groups.values() if len(g) > 1]
        if not repeated:
            return
        for group in repeated:
            for n, text in enumerate(group, start=1):
                if stage == "short":
                    text.semantics_label = text.data.longer
                elif stage == "longer":
                    text.semantics_label = f"{text.semantics_label} ({n} of {len(group)})"


def _named_texts(control: Any, found: list[ft.Text]) -> None:
    if isinstance(control, ft.Text):
        if isinstance(control.data, ButtonName):
            found.append(control)
        return
    for attr in ("controls", "content"):
        child = getattr(control, attr, None)
        if isinstance(child, list):
            for c in child:
                _named_texts(c, found)
        elif isinstance(child, ft.Control):
            _named_texts(child, found)


FRESH = "New or updated"
JOB_KEY = "job-"  # a job card's key: JOB_KEY + the job's id


def job_cards(root: Any) -> dict[str, ft.Semantics]:
    """The job cards under `root` (those `job_card` built), by job id."""
    found: dict[str, ft.Semantics] = {}

    def walk(control: Any) -> None:
        if isinstance(control, ft.Semantics) and str(control.key or "").startswith(JOB_KEY):
            found[str(control.key).removeprefix(JOB_KEY)] = control
            return
        for attr in ("controls", "content"):
            child = getattr(control, attr, None)
            for c in child if isinstance(child, list) else [child]:
                if isinstance(c, ft.Control):
                    walk(c)

    walk(root)
    return found


def mark_fresh(card: ft.Semantics) -> None:
    """A card whose job changed since the person last looked: a badge that says so beside
    its title (read with the card), and an edge in the same colour."""
    box = card.content.content  # Semantics > Card > Container > Column
    top = box.content.controls[0]
    if any(getattr(c, "data", None) == FRESH for c in top.controls):
        return
    top.controls.append(
        ft.Container(
            ft.Text(FRESH, size=13, color=theme.ON_COLOUR, weight=ft.FontWeight.W_500),
            bgcolor=theme.FRESH,
            padding=ft.Padding.symmetric(horizontal=8, vertical=2),
            border_radius=12,
            data=FRESH,
        )
    )
    box.border = ft.Border.only(left=ft.BorderSide(4, theme.FRESH))


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


def has_camera(page: ft.Page) -> bool:
    """The phone app (not a browser): photos can come straight from its camera."""
    return not page.web and bool(page.platform and page.platform.is_mobile())


class PhotoPicker:
    """Add photos with the file picker (and on the phone app, straight from the camera),
    see thumbnails, remove one before sending. On the web a picked file has no path, so
    the bytes come with it (`with_data=True`); a browser on a phone offers its camera in
    the picker itself."""

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
        buttons: list[ft.Control] = [
            ft.OutlinedButton(label, icon=ft.Icons.ADD_A_PHOTO_OUTLINED, on_click=on(self._pick))
        ]
        if has_camera(page):
            buttons.insert(
                0,
                ft.FilledTonalButton(
                    "Take a photo", icon=ft.Icons.PHOTO_CAMERA, on_click=on(self._camera)
                ),
            )
        self.control = ft.Column(
            [ft.Row(buttons, wrap=True, spacing=8, run_spacing=8), self.error, self.strip]
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

    async def _camera(self) -> None:
        """The camera's preview in a dialog; each photo taken joins the others, through the
        same preparation as a picked one (upright, no location, resized)."""
        import flet_camera as fc  # the phone app only: a browser's client has no camera

        camera = fc.Camera(expand=True)
        said = error_text()
        taken = ft.Text()

        async def take() -> None:
            try:
                data = await camera.take_picture()
                self.photos.append(await self.client.add_photo(data, self.stage))
            except Rejected as e:
                show_error(said, e.message)
                return
            except Exception:  # the camera itself failed: say so, keep the dialog
                log.exception("camera")
                show_error(said, "The camera did not take the photo. Try again.")
                return
            show_error(said, None)
            taken.value = f"Photo {len(self.photos)} added."
            self._render()
            dialog.update()

        dialog = ft.AlertDialog(
            modal=True,
            title=ft.Text("Take a photo"),
            content=ft.Column(
                [ft.Container(camera, height=360, width=320), taken, said], tight=True
            ),
            actions=[
                ft.TextButton("Done", on_click=lambda _e: self.page.pop_dialog()),
                ft.FilledButton("Take photo", icon=ft.Icons.CAMERA, on_click=on(take)),
            ],
        )
        self.page.show_dialog(dialog)
        try:
            cameras = await camera.get_available_cameras()
            back = [c for c in cameras if c.lens_direction == fc.CameraLensDirection.BACK]
            chosen = (back or cameras)[0]
            await camera.initialize(chosen, fc.ResolutionPreset.HIGH, enable_audio=False)
        except Exception:  # no camera, or permission refused
            log.exception("camera")
            show_error(said, "The camera is not available. Use 'Add photos' instead.")
            dialog.update()

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


# Dialogs keep their words whole on a narrow screen or with large text: small margins
# around the dialog and inside it, so a field keeps room for its words.
NARROW_DIALOG: dict[str, Any] = {
    "inset_padding": ft.Padding.symmetric(horizontal=12, vertical=16),
    "title_padding": ft.Padding.only(left=16, top=16, right=16, bottom=4),
    "content_padding": ft.Padding.symmetric(horizontal=16, vertical=4),
    "actions_padding": ft.Padding.only(left=8, right=8, bottom=8),
}


def dialog_title(text: str) -> ft.Text:
    """A dialog's title: a size that leaves room for what it asks."""
    return ft.Text(text, theme_style=ft.TextThemeStyle.TITLE_LARGE)


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
            title=dialog_title(title),
            # The dialog scrolls; a scrolling column inside it would take the full height.
            content=ft.Column(
                [*controls, self.error],
                tight=True,
                width=460,
                horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
            ),
            actions=[ft.TextButton("Cancel", on_click=on(page.pop_dialog)), self.button],
            scrollable=True,
            **NARROW_DIALOG,
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
