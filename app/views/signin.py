"""The sign-in screen. In demo mode it lists the demo accounts, each one tap away."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import flet as ft

from app.client import Client
from app.domain.lifecycle import Rejected
from app.views.joining import JoinForm
from app.views.widgets import error_text, field, hint, on, password_field, show_error

ROLE_WORDS = {
    "resident": ("Resident", "reports and tracks repairs at home"),
    "tradesperson": ("Tradesperson", "a plumber finding and doing jobs"),
    "officer": ("Housing officer", "triages, posts and awards jobs"),
}


@dataclass(frozen=True)
class DemoAccounts:
    """Sign-ins of the bundled demo server: shown only when the app started it."""

    emails: dict[str, str]  # role -> email
    password: str


class SignIn:
    def __init__(
        self,
        page: ft.Page,
        client: Client,
        demo: DemoAccounts | None,
        signed_in: Callable[[], Awaitable[None]],
    ) -> None:
        self.page, self.client, self.signed_in = page, client, signed_in
        self.email = field(
            "Email address",
            keyboard_type=ft.KeyboardType.EMAIL,
            autofill_hints=[ft.AutofillHint.EMAIL],
            on_submit=on(self._go),
        )
        self.password = password_field("Password", on_submit=on(self._go))
        self.error = error_text()
        status = client.status()
        if status.sign_in_expired:  # the server ended the session; nothing was lost
            waiting = (
                f" Your {status.pending} unsent change{'' if status.pending == 1 else 's'} "
                "will be sent after you sign in."
                if status.pending
                else ""
            )
            show_error(self.error, f"Your sign-in has expired. Please sign in again.{waiting}")
        self.button = ft.FilledButton("Sign in", on_click=on(self._go))
        items: list[ft.Control] = [
            ft.Text(
                "Repairs Marketplace",
                theme_style=ft.TextThemeStyle.HEADLINE_MEDIUM,
                weight=ft.FontWeight.W_600,
            ),
            hint("Report, find and manage home repairs."),
            self.email,
            self.password,
            self.error,
            self.button,
            ft.TextButton(
                "New tradesperson? Join the marketplace",
                icon=ft.Icons.HOW_TO_REG,
                on_click=on(self._join),
            ),
        ]
        if demo:
            items += [
                ft.Divider(),
                ft.Text(f"Demo accounts (password: {demo.password})", weight=ft.FontWeight.W_600),
                hint("This app is running with its own demo server and made-up data."),
            ]
            items += [
                ft.ListTile(
                    title=ft.Text(f"Sign in as {ROLE_WORDS[role][0]}"),
                    subtitle=ft.Text(f"{email}: {ROLE_WORDS[role][1]}"),
                    leading=ft.Icon(ft.Icons.PERSON_OUTLINE),
                    on_click=on(self._demo, email, demo.password),
                )
                for role, email in demo.emails.items()
                if role in ROLE_WORDS
            ]
        self.control = ft.Container(
            ft.Column(
                items,
                spacing=14,
                width=420,
                scroll=ft.ScrollMode.AUTO,
                horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
            ),
            alignment=ft.Alignment.TOP_CENTER,
            padding=ft.Padding.all(20),
            expand=True,
        )

    async def _join(self) -> None:
        """The join form, in place of sign-in until they join or go back."""
        form = JoinForm(self.page, self.client, self.signed_in, self._back)
        self.page.controls = [form.control]
        self.page.update()
        await form.load()

    def _back(self) -> None:
        self.page.controls = [self.control]
        self.page.update()

    async def _demo(self, email: str, password: str) -> None:
        self.email.value, self.password.value = email, password
        await self._go()

    async def _go(self) -> None:
        self.button.disabled = True
        show_error(self.error, None)
        self.page.update()
        try:
            await self.client.login(self.email.value or "", self.password.value or "")
        except Rejected as e:
            show_error(self.error, e.message)
            return
        finally:
            self.button.disabled = False
            self.page.update()
        await self.signed_in()
