"""The sign-in screen. In demo mode it lists the demo accounts to tap."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import flet as ft

from app.client import Client
from app.domain.lifecycle import Rejected
from app.views.widgets import field, on

DEMO_ACCOUNTS = [
    ("Resident", "resident@demo.test", "reports and tracks repairs at home"),
    ("Tradesperson", "trade@demo.test", "a plumber finding and doing jobs"),
    ("Housing officer", "officer@demo.test", "triages, posts and awards jobs"),
]
DEMO_PASSWORD = "demo"


class SignIn:
    def __init__(
        self, page: ft.Page, client: Client, demo: bool, signed_in: Callable[[], Awaitable[None]]
    ) -> None:
        self.page, self.client, self.signed_in = page, client, signed_in
        self.email = field(
            label="Email address",
            keyboard_type=ft.KeyboardType.EMAIL,
            autofill_hints=[ft.AutofillHint.EMAIL],
            on_submit=self._go,
        )
        self.password = field(
            label="Password", password=True, can_reveal_password=True, on_submit=self._go
        )
        self.error = ft.Text("", color=ft.Colors.RED_700, visible=False)
        self.button = ft.FilledButton("Sign in", on_click=self._go)
        items: list[ft.Control] = [
            ft.Text(
                "Repairs Marketplace",
                theme_style=ft.TextThemeStyle.HEADLINE_MEDIUM,
                weight=ft.FontWeight.W_600,
            ),
            ft.Text("Report, find and manage home repairs."),
            self.email,
            self.password,
            self.error,
            self.button,
        ]
        if demo:
            items += [
                ft.Divider(),
                ft.Text("Demo accounts (password: demo)", weight=ft.FontWeight.W_600),
            ]
            items += [
                ft.ListTile(
                    title=ft.Text(f"Sign in as {role}"),
                    subtitle=ft.Text(f"{email}: {what}"),
                    leading=ft.Icon(ft.Icons.PERSON_OUTLINE),
                    on_click=on(self._demo, email),
                )
                for role, email, what in DEMO_ACCOUNTS
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

    async def _demo(self, email: str) -> None:
        self.email.value, self.password.value = email, DEMO_PASSWORD
        await self._go(None)

    async def _go(self, _e) -> None:
        self.button.disabled, self.error.visible = True, False
        self.page.update()
        try:
            await self.client.login(self.email.value or "", self.password.value or "")
        except Rejected as e:
            self.error.value, self.error.visible = e.message, True
            return
        finally:
            self.button.disabled = False
            self.page.update()
        await self.signed_in()
