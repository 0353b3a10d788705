"""The officer's "Tradespeople" screen: applications waiting for checks first (details,
certificates with their expiry dates, insurance and photos of the documents), each
approved, sent back with a question or refused (a reason for the last two, which the
tradesperson reads); then approved tradespeople whose registrations or insurance run out
within 30 days."""

from __future__ import annotations

import flet as ft

from app.client import Client, TradespersonView
from app.domain import commands
from app.domain.models import Vetting
from app.views import theme
from app.views.joining import STATUS_COLOURS, detail_lines
from app.views.widgets import (
    FormDialog,
    ListScreen,
    card,
    empty,
    field,
    hint,
    line,
    on,
)

REASON_LIMIT = commands.VetTradesperson.limit("reason")
DOCUMENT_SIZE = 120  # big enough to tell an insurance schedule from a Gas Safe card


class Tradespeople(ListScreen):
    title, icon = "Tradespeople", ft.Icons.ENGINEERING_OUTLINED

    def __init__(self, page: ft.Page, client: Client) -> None:
        super().__init__(
            page,
            client,
            "Applications waiting for your checks, oldest first; then approved "
            "tradespeople whose registrations or insurance run out soon.",
        )

    async def refresh(self) -> None:
        views = await self.client.applications()
        waiting = [v for v in views if v.waiting]
        running_out = [v for v in views if not v.waiting]
        shown: list[ft.Control] = [self._heading(f"Waiting for checks ({len(waiting)})")]
        if waiting:
            for view in waiting:
                thumbs = await self.client.document_thumbnails(view.profile.id, view.documents)
                shown.append(self._application(view, thumbs))
        else:
            shown.append(empty("No applications are waiting for checks."))
        shown.append(self._heading(f"Running out soon ({len(running_out)})"))
        shown += [self._running_out(v) for v in running_out] or [
            empty("No approved tradesperson's registration or insurance runs out in 30 days.")
        ]
        self.list.controls = shown

    @staticmethod
    def _heading(text: str) -> ft.Control:
        return ft.Container(
            ft.Text(text, weight=ft.FontWeight.W_600, size=17), padding=ft.Padding.only(top=8)
        )

    def _application(self, view: TradespersonView, thumbs: list[bytes]) -> ft.Control:
        details: list[ft.Control] = detail_lines(view, who=view.name)
        if view.status is Vetting.MORE_INFO and view.profile.vetting_note:
            details.append(
                line(ft.Icons.COMMENT_OUTLINED, f"You asked: {view.profile.vetting_note}")
            )
        details += [ft.Text(r.text, color=theme.RED if r.urgent else theme.AMBER, size=13)
                    for r in view.reminders]  # fmt: skip
        details.append(ft.Text("Documents", weight=ft.FontWeight.W_600, size=14))
        if thumbs:
            details.append(
                ft.Row(
                    [
                        ft.Image(
                            src=data,
                            width=DOCUMENT_SIZE,
                            height=DOCUMENT_SIZE,
                            fit=ft.BoxFit.COVER,
                            border_radius=6,
                            semantics_label=f"Document {n} of {view.business_name}",
                        )
                        for n, data in enumerate(thumbs, start=1)
                    ],
                    wrap=True,
                    spacing=6,
                    run_spacing=6,
                )
            )
        missing = len(view.documents) - len(thumbs)
        if not view.documents:
            details.append(hint("No document photos were sent: ask for them before approving."))
        elif missing:
            noun = "photo" if missing == 1 else "photos"
            details.append(
                hint(f"{missing} document {noun} could not be fetched. Sync when online.")
            )
        actions: list[ft.Control] = [
            ft.FilledButton("Approve", icon=ft.Icons.CHECK, on_click=on(self._approve, view)),
            ft.OutlinedButton(
                "Ask for more", icon=ft.Icons.HELP_OUTLINE, on_click=on(self._ask, view)
            ),
            ft.TextButton(
                "Refuse",
                icon=ft.Icons.BLOCK,
                on_click=on(self._refuse, view),
                style=ft.ButtonStyle(color=theme.RED),
            ),
        ]
        if view.pending:
            actions = []  # the decision is made, waiting to be sent
        return card(
            view.business_name,
            view.profile.status.label,
            STATUS_COLOURS[view.status],
            details,
            actions,
            f"tradesperson-{view.profile.id}",
            view.pending,
        )

    def _running_out(self, view: TradespersonView) -> ft.Control:
        details = [
            line(ft.Icons.PERSON_OUTLINE, f"{view.name} – {', '.join(view.trades)}"),
            *[
                line(
                    ft.Icons.WARNING_AMBER,
                    r.text,
                )
                for r in view.reminders
            ],
            *[line(ft.Icons.BADGE_OUTLINED, c) for c in view.certificates],
            line(ft.Icons.SHIELD_OUTLINED, view.insurance),
        ]
        urgent = any(r.urgent for r in view.reminders)
        return card(
            view.business_name,
            "Runs out within 7 days" if urgent else "Runs out within 30 days",
            theme.RED if urgent else theme.AMBER,
            details,
            [],
            f"tradesperson-{view.profile.id}",
            view.pending,
        )

    def _approve(self, view: TradespersonView) -> None:
        async def send() -> str:
            await self.client.vet(view.profile.id, "approve")
            return f"{view.business_name} approved."

        FormDialog(
            self.page,
            self.client,
            f"Approve {view.business_name}?",
            [
                hint(
                    f"{view.name} will see the job board for {', '.join(view.trades).lower()} "
                    f"in {view.districts} and can be awarded work. Check that their documents "
                    "match the details first."
                )
            ],
            "Approve",
            send,
        ).open()

    def _ask(self, view: TradespersonView) -> None:
        self._with_reason(
            view,
            "more_info",
            f"Ask {view.business_name} for more",
            "What do you need from them? They read this and send their details again.",
            "Send question",
            f"Question sent to {view.business_name}.",
        )

    def _refuse(self, view: TradespersonView) -> None:
        self._with_reason(
            view,
            "refuse",
            f"Refuse {view.business_name}?",
            "Why are you refusing them? They read this. They can't take work from you "
            "unless they send changed details and you approve them.",
            "Refuse",
            f"{view.business_name} refused.",
        )

    def _with_reason(
        self, view: TradespersonView, decision: str, title: str, ask: str, button: str, done: str
    ) -> None:
        reason = field("Reason", multiline=True, min_lines=2, max_length=REASON_LIMIT)

        async def send() -> str | None:
            said = (reason.value or "").strip()
            if not said:
                reason.error = "Say why, so the tradesperson knows what to do next."
                return None
            await self.client.vet(view.profile.id, decision, said)
            return done

        FormDialog(self.page, self.client, title, [hint(ask), reason], button, send).open()
