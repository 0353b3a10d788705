"""Joining the marketplace: the join form reached from sign-in, the tradesperson's details
(trades, areas, days, registrations, insurance and photos of the documents) and the "Your
details" screen that says where the landlord's checks stand and what runs out soon. A
resident can join as a tradesperson too, keeping their home ("Work with us").

Every limit comes from the command (`SubmitProfile.limit`) or the wire model
(`JOIN_LIMITS`), so a form never lets through what the server would refuse."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import date, datetime

import flet as ft

from app.client import (
    DAY_WORDS,
    GAS_CATEGORY_WORDS,
    JOIN_LIMITS,
    Client,
    LandlordChoice,
    TradespersonView,
)
from app.domain import commands
from app.domain.lifecycle import Rejected
from app.domain.models import PhotoStage, Trade, Vetting
from app.views import theme
from app.views.widgets import (
    PhotoPicker,
    Screen,
    dropdown,
    dropdown_row,
    error_text,
    field,
    guarded,
    heading,
    hint,
    line,
    on,
    password_field,
    pending_marker,
    photo_strip,
    saved_message,
    say,
    show_error,
)

Profile = commands.SubmitProfile
CERTIFICATE_NUMBER_LIMIT = 30  # as SubmitProfile's own check says
SCHEMES = (("niceic", "NICEIC"), ("napit", "NAPIT"), ("elecsa", "ELECSA"))
STATUS_COLOURS = {
    Vetting.APPLIED: theme.BLUE,
    Vetting.MORE_INFO: theme.AMBER,
    Vetting.APPROVED: theme.GREEN,
    Vetting.REFUSED: theme.RED,
}
STATUS_ICONS = {
    Vetting.APPLIED: ft.Icons.HOURGLASS_TOP,
    Vetting.MORE_INFO: ft.Icons.HELP_OUTLINE,
    Vetting.APPROVED: ft.Icons.VERIFIED_OUTLINED,
    Vetting.REFUSED: ft.Icons.BLOCK,
}


# -- small parsers, kept out of the controls so that they are easy to test -------------


def parse_day(text: str | None, today: date) -> tuple[date | None, str | None]:
    """A dd/mm/yyyy date that has not passed, or the message to show at the field."""
    written = (text or "").strip()
    if not written:
        return None, "Enter the expiry date as dd/mm/yyyy."
    parts = re.split(r"[/.\- ]+", written)
    try:
        if len(parts) != 3 or len(parts[2]) != 4:
            raise ValueError
        day = datetime(int(parts[2]), int(parts[1]), int(parts[0])).date()
    except ValueError:
        return None, "Write the date as dd/mm/yyyy, for example 31/03/2027."
    if day < today:
        return None, "This date has passed. Give the expiry date of your current one."
    return day, None


def parse_districts(text: str | None) -> tuple[list[str], str | None]:
    """'e5, N16 e8' -> ['E5', 'N16', 'E8'], or the message to show at the field."""
    typed = [d for d in re.split(r"[,;\s]+", text or "") if d]
    if not typed:
        return [], "Enter at least one postcode district, for example E5."
    bad = [d for d in typed if not re.match(commands.DISTRICT, d.upper())]
    if bad:
        return [], (
            f"{bad[0]} is not a postcode district. Write the first part of a postcode, "
            "for example E5, N16 or SW1A."
        )
    found = list(dict.fromkeys(d.upper() for d in typed))
    most = Profile.limit("districts")
    if len(found) > most:
        return [], f"Give at most {most} districts."
    return found, None


def uk_date(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def section(title: str, *controls: ft.Control, visible: bool = True) -> ft.Column:
    return ft.Column(
        [ft.Text(title, weight=ft.FontWeight.W_600, size=16), *controls],
        spacing=8,
        visible=visible,
        horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
    )


# -- joining ---------------------------------------------------------------------------


class JoinForm:
    """A new tradesperson's account: name, email, password, phone and the landlord. They
    are signed in once it is made, and send their details next."""

    def __init__(
        self,
        page: ft.Page,
        client: Client,
        signed_in: Callable[[], Awaitable[None]],
        back: Callable[[], None],
    ) -> None:
        self.page, self.client, self.signed_in, self.back = page, client, signed_in, back
        limits = JOIN_LIMITS
        self.name = field(
            "Your full name", max_length=limits["name"][1], autofill_hints=[ft.AutofillHint.NAME]
        )
        self.email = field(
            "Email address",
            keyboard_type=ft.KeyboardType.EMAIL,
            max_length=limits["email"][1],
            autofill_hints=[ft.AutofillHint.EMAIL],
        )
        self.password = password_field(
            f"Password (at least {limits['password'][0]} characters)",
            max_length=limits["password"][1],
        )
        self.phone = field(
            "Mobile phone (optional)",
            keyboard_type=ft.KeyboardType.PHONE,
            max_length=limits["phone"][1],
        )
        self.landlord = dropdown(
            "Landlord you want to work for", [], on_select=guarded(self._chosen)
        )
        self.landlord_error = error_text()
        self.error = error_text()
        self.button = ft.FilledButton(
            "Join the marketplace", icon=ft.Icons.HOW_TO_REG, on_click=on(self._join)
        )
        self.control = ft.Container(
            ft.Column(
                [
                    ft.Text(
                        "Join the marketplace",
                        theme_style=ft.TextThemeStyle.HEADLINE_MEDIUM,
                        weight=ft.FontWeight.W_600,
                    ),
                    hint(
                        "Make your account, then tell the landlord about your trades, areas, "
                        "registrations and insurance. A housing officer checks them before "
                        "you can put yourself forward for jobs."
                    ),
                    self.name,
                    self.email,
                    self.password,
                    self.phone,
                    dropdown_row(self.landlord, "landlord"),
                    self.landlord_error,
                    self.error,
                    self.button,
                    ft.TextButton(
                        "Back to sign in", icon=ft.Icons.ARROW_BACK, on_click=on(self.back)
                    ),
                ],
                spacing=14,
                width=420,
                scroll=ft.ScrollMode.AUTO,
                horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
            ),
            alignment=ft.Alignment.TOP_CENTER,
            padding=ft.Padding.all(20),
            expand=True,
        )

    def _chosen(self, _e: ft.Event) -> None:
        show_error(self.landlord_error, None)

    async def load(self) -> None:
        """Fill the landlords in: they come from the server."""
        try:
            landlords: list[LandlordChoice] = await self.client.landlords()
        except Rejected as e:
            show_error(self.error, e.message)
        else:
            self.landlord.options = [ft.DropdownOption(key=x.id, text=x.name) for x in landlords]
            if len(landlords) == 1:
                self.landlord.value = landlords[0].id
        self.page.update()

    def _check(self) -> bool:
        low = JOIN_LIMITS
        name, email, password = (
            (self.name.value or "").strip(),
            (self.email.value or "").strip(),
            self.password.value or "",
        )
        self.name.error = None if len(name) >= low["name"][0] else "Enter your full name."
        self.email.error = (
            None if re.match(r"^[^@\s]+@[^@\s]+$", email) else "Enter an email address with an @."
        )
        self.password.error = (
            None
            if len(password) >= low["password"][0]
            else f"Use at least {low['password'][0]} characters: a few words work well."
        )
        phone_ok = re.match(r"^[0-9 +()-]*$", self.phone.value or "")
        self.phone.error = None if phone_ok else "Use only numbers, spaces and + ( ) -."
        show_error(
            self.landlord_error,
            None if self.landlord.value else "Choose the landlord you want to work for.",
        )
        return not any(
            (self.name.error, self.email.error, self.password.error, self.phone.error)
        ) and bool(self.landlord.value)

    async def _join(self) -> None:
        show_error(self.error, None)
        if not self._check():
            self.page.update()
            return
        self.button.disabled = True
        self.page.update()
        try:
            await self.client.join(
                self.name.value or "",
                self.email.value or "",
                self.password.value or "",
                self.landlord.value or "",
                self.phone.value or "",
            )
        except Rejected as e:
            show_error(self.error, e.message)
            return
        finally:
            self.button.disabled = False
            self.page.update()
        await self.signed_in()


# -- the tradesperson's details --------------------------------------------------------


class DetailsForm:
    """Trades, areas, days, registrations, insurance and document photos, sent for checks.
    Filled in from `current` when changing them."""

    def __init__(
        self,
        page: ft.Page,
        client: Client,
        current: TradespersonView | None,
        done: Callable[[], Awaitable[None]],
        cancel: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.page, self.client, self.done = page, client, done
        tp = current.profile if current else None
        self.has_documents = bool(tp and tp.documents)
        self.kind = ft.RadioGroup(
            ft.Row(
                [
                    ft.Radio(value="sole_trader", label="Sole trader"),
                    ft.Radio(value="business", label="Business (a company or partnership)"),
                ],
                wrap=True,
            ),
            value=tp.kind if tp and tp.kind in ("sole_trader", "business") else "sole_trader",
        )
        self.business = field(
            "Business or trading name",
            max_length=Profile.limit("business_name"),
            value=tp.business_name if tp else "",
            hint_text="As on your invoices, e.g. Pat's Plumbing",
        )
        self.phone = field(
            "Phone number for the housing officer (optional)",
            keyboard_type=ft.KeyboardType.PHONE,
            max_length=Profile.limit("phone"),
            value=tp.phone if tp else "",
        )
        chosen = set(tp.trades) if tp else set()
        self.trades = {
            t: ft.Checkbox(label=t.label, value=t in chosen, on_change=on(self._trades_changed))
            for t in Trade
        }
        self.trades_error = error_text()
        self.districts = field(
            "Postcode districts you cover",
            hint_text="e.g. E5, E8, N16",
            value=", ".join(tp.districts) if tp else "",
            helper="The first part of the postcode, separated by commas",
        )
        days = set(tp.working_days) if tp else set(range(5))
        self.days = [
            ft.Chip(
                label=ft.Text(name),
                selected=n in days,
                on_select=on(self._day_changed),
            )
            for n, name in enumerate(DAY_WORDS)
        ]
        self.days_error = error_text()

        certificates = tp.certificates if tp else {}
        numbers = tp.certificate_numbers if tp else {}
        self.gas_number = field(
            "Gas Safe registration number",
            max_length=CERTIFICATE_NUMBER_LIMIT,
            value=numbers.get("gas_safe", ""),
        )
        self.gas_expiry = date_field("Gas Safe expiry date", certificates.get("gas_safe"))
        categories = set(tp.gas_categories) if tp else set()
        self.gas_categories = {
            key: ft.Checkbox(label=words, value=key in categories)
            for key, words in GAS_CATEGORY_WORDS.items()
        }
        self.gas_error = error_text()
        self.gas = section(
            "Gas Safe registration",
            hint("Gas work needs a Gas Safe registration in date."),
            self.gas_number,
            self.gas_expiry,
            ft.Text("Appliances you are registered for", size=14),
            ft.ResponsiveRow(
                [ft.Container(box, col={"xs": 6, "md": 4}) for box in self.gas_categories.values()],
                spacing=0,
                run_spacing=0,
            ),
            self.gas_error,
            visible=Trade.GAS in chosen,
        )
        scheme = next((k for k, _ in SCHEMES if k in certificates), "niceic")
        self.scheme = ft.RadioGroup(
            ft.Row([ft.Radio(value=k, label=words) for k, words in SCHEMES], wrap=True),
            value=scheme,
        )
        self.scheme_number = field(
            "Scheme registration number",
            max_length=CERTIFICATE_NUMBER_LIMIT,
            value=numbers.get(scheme, ""),
        )
        self.scheme_expiry = date_field("Scheme registration expiry date", certificates.get(scheme))
        self.electrical = section(
            "Electrical registration",
            hint("Electrical work needs an NICEIC, NAPIT or ELECSA registration in date."),
            self.scheme,
            self.scheme_number,
            self.scheme_expiry,
            visible=Trade.ELECTRICAL in chosen,
        )
        self.insurance = date_field(
            "Public liability insurance expiry date", tp.insurance_expires if tp else None
        )
        self.photos = PhotoPicker(
            page, client, PhotoStage.REPORT, "Add photos of your documents", self._photos_changed
        )
        self.photos_error = error_text()
        self.error = error_text()
        self.button = ft.FilledButton(
            "Send for checks", icon=ft.Icons.SEND, on_click=on(self._send)
        )
        actions: list[ft.Control] = [self.button]
        if cancel:
            actions.append(ft.TextButton("Cancel", on_click=on(cancel)))
        kept = (
            [hint("The document photos you sent before are kept. Add any new ones.")]
            if self.has_documents
            else []
        )
        self.controls: list[ft.Control] = [
            section("About your business", self.business, self.phone, self.kind),
            section(
                "Your trades",
                ft.ResponsiveRow(
                    [ft.Container(box, col={"xs": 6, "md": 4}) for box in self.trades.values()],
                    spacing=0,
                    run_spacing=0,
                ),
                self.trades_error,
            ),
            self.gas,
            self.electrical,
            section("Where and when you work", self.districts, ft.Text("Working days", size=14)),
            ft.Row(self.days, wrap=True, spacing=6, run_spacing=6),
            self.days_error,
            section(
                "Insurance and documents",
                self.insurance,
                hint(
                    "Add clear photos of your public liability insurance certificate and any "
                    "registration cards. Only the landlord's housing officers see them."
                ),
                *kept,
                self.photos.control,
                self.photos_error,
            ),
            self.error,
            ft.Row(actions, wrap=True, spacing=8),
        ]

    def _trades_changed(self) -> None:
        show_error(self.trades_error, None)
        self.gas.visible = bool(self.trades[Trade.GAS].value)
        self.electrical.visible = bool(self.trades[Trade.ELECTRICAL].value)
        self.page.update()

    def _day_changed(self) -> None:
        show_error(self.days_error, None)
        self.page.update()

    def _photos_changed(self) -> None:
        show_error(self.photos_error, None)

    async def _send(self) -> None:
        today = datetime.now().date()
        trades = [t for t, box in self.trades.items() if box.value]
        districts, self.districts.error = parse_districts(self.districts.value)
        days = [n for n, chip in enumerate(self.days) if chip.selected]
        name = (self.business.value or "").strip()
        self.business.error = (
            None if len(name) >= 2 else "Enter your business or trading name (your own will do)."
        )
        phone_ok = re.match(r"^[0-9 +()-]*$", self.phone.value or "")
        self.phone.error = None if phone_ok else "Use only numbers, spaces and + ( ) -."
        show_error(self.trades_error, None if trades else "Tick at least one trade.")
        show_error(self.days_error, None if days else "Choose at least one working day.")
        insurance, self.insurance.error = parse_day(self.insurance.value, today)
        certificates: dict[str, date] = {}
        numbers: dict[str, str] = {}
        categories: list[str] = []
        if Trade.GAS in trades:
            ends, self.gas_expiry.error = parse_day(self.gas_expiry.value, today)
            number = (self.gas_number.value or "").strip()
            self.gas_number.error = None if number else "Enter your Gas Safe registration number."
            categories = [k for k, box in self.gas_categories.items() if box.value]
            show_error(self.gas_error, None if categories else "Tick the appliances you work on.")
            if ends and number:
                certificates["gas_safe"], numbers["gas_safe"] = ends, number
        if Trade.ELECTRICAL in trades:
            ends, self.scheme_expiry.error = parse_day(self.scheme_expiry.value, today)
            number = (self.scheme_number.value or "").strip()
            self.scheme_number.error = None if number else "Enter your registration number."
            scheme = self.scheme.value or "niceic"
            if ends and number:
                certificates[scheme], numbers[scheme] = ends, number
        show_error(
            self.photos_error,
            None
            if self.photos.photos or self.has_documents
            else "Add a photo of your insurance certificate (and any registration cards).",
        )
        fields = [self.business, self.phone, self.districts, self.insurance]
        if Trade.GAS in trades:
            fields += [self.gas_number, self.gas_expiry]
        if Trade.ELECTRICAL in trades:
            fields += [self.scheme_number, self.scheme_expiry]
        problems = [f.error for f in fields] + [
            self.trades_error.visible,
            self.days_error.visible,
            self.photos_error.visible,
            self.gas_error.visible and Trade.GAS in trades,
        ]
        show_error(self.error, "Please correct the fields marked above." if any(problems) else None)
        if any(problems) or insurance is None:
            self.page.update()
            return
        self.button.disabled = True
        self.page.update()
        try:
            await self.client.submit_profile(
                name,
                trades,
                districts,
                days,
                insurance,
                kind=self.kind.value or "sole_trader",
                phone=(self.phone.value or "").strip(),
                certificates=certificates,
                certificate_numbers=numbers,
                gas_categories=categories,
                photos=self.photos.photos,
            )
        except Rejected as e:
            show_error(self.error, e.message)
            return
        finally:
            self.button.disabled = False
            self.page.update()
        say(self.page, saved_message(self.client, "Your details were sent for checks."))
        await self.done()


def date_field(label: str, value: date | None) -> ft.TextField:
    return field(
        f"{label} (dd/mm/yyyy)",
        value=uk_date(value),
        hint_text="e.g. 31/03/2027",
        keyboard_type=ft.KeyboardType.DATETIME,
        max_length=10,
        counter="",
    )


def status_banner(view: TradespersonView | None) -> ft.Control:
    """Where the checks stand, in words, with what to do next: big enough to read first."""
    if view is None:
        colour, icon = theme.BLUE, ft.Icons.ASSIGNMENT_OUTLINED
        said, next_step = (
            "Send your details",
            "Tell the landlord about your trades, areas, registrations and insurance. A "
            "housing officer checks them before you can see the job board.",
        )
    else:
        colour, icon = STATUS_COLOURS[view.status], STATUS_ICONS[view.status]
        said, next_step = view.status_words, view.what_next
    return ft.Semantics(
        content=ft.Container(
            ft.Row(
                [
                    ft.Icon(icon, color=theme.ON_COLOUR),
                    ft.Column(
                        [
                            ft.Text(said, color=theme.ON_COLOUR, weight=ft.FontWeight.W_600),
                            ft.Text(next_step, color=theme.ON_COLOUR, size=13),
                        ],
                        spacing=2,
                        expand=True,
                    ),
                ],
                vertical_alignment=ft.CrossAxisAlignment.START,
            ),
            bgcolor=colour,
            padding=ft.Padding.all(14),
            border_radius=8,
        ),
        container=True,
        identifier="vetting-status",
    )


def reminder_lines(view: TradespersonView) -> list[ft.Control]:
    return [
        ft.Container(
            ft.Row(
                [
                    ft.Icon(ft.Icons.WARNING_AMBER, color=theme.ON_COLOUR),
                    ft.Text(r.text, color=theme.ON_COLOUR, expand=True),
                ]
            ),
            bgcolor=theme.RED if r.urgent else theme.AMBER,
            padding=ft.Padding.all(12),
            border_radius=8,
        )
        for r in view.reminders
    ]


def detail_lines(view: TradespersonView, who: str | None = None) -> list[ft.Control]:
    """The details as sent, one line each: what the officer checks. `who` leads the first
    line in place of the business name (the officer's card has that as its title)."""
    lines = [
        line(ft.Icons.STOREFRONT_OUTLINED, f"{who or view.business_name} – {view.kind}"),
        line(ft.Icons.HANDYMAN_OUTLINED, ", ".join(view.trades)),
        line(ft.Icons.PLACE_OUTLINED, f"Areas: {view.districts}"),
        line(ft.Icons.CALENDAR_MONTH_OUTLINED, f"Working days: {view.days}"),
    ]
    if view.profile.phone:
        lines.append(line(ft.Icons.PHONE_OUTLINED, view.profile.phone))
    lines += [line(ft.Icons.BADGE_OUTLINED, c) for c in view.certificates]
    if view.gas_categories:
        lines.append(line(ft.Icons.LOCAL_FIRE_DEPARTMENT_OUTLINED, f"Gas: {view.gas_categories}"))
    lines.append(line(ft.Icons.SHIELD_OUTLINED, view.insurance))
    if view.applied:
        lines.append(line(ft.Icons.EVENT, view.applied))
    return lines


class YourDetails(Screen):
    """The tradesperson's details and where the landlord's checks stand; the form to send
    or change them."""

    title, icon = "Your details", ft.Icons.BADGE_OUTLINED

    def __init__(self, page: ft.Page, client: Client) -> None:
        super().__init__(page, client)
        self.editing = False
        self.form: DetailsForm | None = None
        self.body = ft.Column(spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.control = ft.Column(
            [heading(self.title), self.body],
            scroll=ft.ScrollMode.AUTO,
            expand=True,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )

    async def refresh(self) -> None:
        if self.editing:
            return  # keep what is being typed; a sync must not wipe the form
        view = await self.client.my_profile()
        if view is None:
            self._edit(None, cancellable=False)
            return
        documents = await self.client.thumbnails(view.documents)
        held = [documents[s] for s in view.documents if s in documents]
        self.body.controls = [
            status_banner(view),
            *reminder_lines(view),
            *([pending_marker()] if view.pending else []),
            ft.Card(
                ft.Container(
                    ft.Column(
                        [
                            ft.Text("What you sent", weight=ft.FontWeight.W_600, size=16),
                            *detail_lines(view),
                            *photo_strip(held, len(view.documents) - len(held), "document "),
                        ],
                        spacing=6,
                    ),
                    padding=ft.Padding.all(14),
                )
            ),
            ft.Row(
                [
                    ft.OutlinedButton(
                        "Change your details", icon=ft.Icons.EDIT, on_click=on(self._change)
                    )
                ]
            ),
            hint("Changed details are checked again before you can take more work."),
        ]

    def _edit(self, view: TradespersonView | None, cancellable: bool = True) -> None:
        self.editing = True
        self.form = DetailsForm(
            self.page,
            self.client,
            view,
            self._sent,
            self._cancel if cancellable else None,
        )
        intro = (
            [
                hint(
                    "Change what you need and send your details again. Until a housing "
                    "officer checks them, you can't put yourself forward for new jobs."
                )
            ]
            if view
            else []
        )
        self.body.controls = [status_banner(view), *intro, *self.form.controls]

    async def _change(self) -> None:
        self._edit(await self.client.my_profile())
        self.page.update()

    async def _cancel(self) -> None:
        self.editing = False
        await self.refresh()
        self.page.update()

    async def _sent(self) -> None:
        self.editing = False
        await self.refresh()
        self.page.update()


class WorkWithUs(Screen):
    """For a resident: join the marketplace as a tradesperson too, on the same account."""

    title, icon = "Work with us", ft.Icons.HANDYMAN_OUTLINED

    def __init__(self, page: ft.Page, client: Client) -> None:
        super().__init__(page, client)
        self.error = error_text()
        self.control = ft.Column(
            [
                heading("Work with us"),
                hint(
                    "Are you a tradesperson? Join the marketplace with this account to find "
                    "repair jobs near you. You keep your home and its repairs here; you "
                    "can never take a repair at your own home."
                ),
                hint(
                    "After joining you send your trades, areas, registrations and insurance, "
                    "and a housing officer checks them."
                ),
                ft.Row(
                    [
                        ft.FilledButton(
                            "Join as a tradesperson",
                            icon=ft.Icons.HOW_TO_REG,
                            on_click=on(self._ask),
                        )
                    ]
                ),
                self.error,
            ],
            spacing=12,
            scroll=ft.ScrollMode.AUTO,
            expand=True,
        )

    def _ask(self) -> None:
        self.page.show_dialog(
            ft.AlertDialog(
                title=ft.Text("Join as a tradesperson?"),
                content=ft.Text(
                    "Your account will be a tradesperson's too. You then send your details "
                    "for the landlord's checks."
                ),
                actions=[
                    ft.TextButton("Not now", on_click=on(self.page.pop_dialog)),
                    ft.FilledButton("Join", on_click=on(self._join)),
                ],
            )
        )

    async def _join(self) -> None:
        self.page.pop_dialog()
        try:
            await self.client.join_as_tradesperson()
        except Rejected as e:
            show_error(self.error, e.message)
            self.page.update()
            return
        # The shell is built for a role: show the new one's screens, "Your details" first.
        session = self.page.data[0] if isinstance(self.page.data, tuple) else None
        if session is not None and hasattr(session, "show"):
            await session.show()
