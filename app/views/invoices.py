"""Getting paid. A tradesperson sees each invoice sent, approved, disputed and paid, with
the days it took against the landlord's target; the officer approves invoices one by one
or in bulk, disputes one with a reason, marks them paid, and sees those past the target
first. Cash flow decides whether a small firm takes public work at all."""

from __future__ import annotations

from collections.abc import Iterable

import flet as ft

from app.client import Client, InvoiceView
from app.domain import commands
from app.views import format as fmt
from app.views import theme
from app.views.rules import shortest
from app.views.widgets import (
    FormDialog,
    ListScreen,
    attempt,
    card,
    empty,
    field,
    heading,
    hint,
    line,
    on,
)

BADGES = {
    "submitted": ("Waiting for approval", theme.BLUE),
    "approved": ("Approved, to be paid", theme.AMBER),
    "disputed": ("Disputed", theme.RED),
    "paid": ("Paid", theme.GREEN),
}


def days_words(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


def invoice_lines(v: InvoiceView, for_officer: bool) -> list[ft.Control]:
    """The invoice's dates in order, the days it took, and any dispute, in words."""
    p, inv = v.payment, v.payment.invoice
    shown = [line(ft.Icons.PAYMENTS_OUTLINED, fmt.money(inv.amount_pence))]
    if for_officer:
        shown.append(line(ft.Icons.STOREFRONT_OUTLINED, v.business_name))
    shown.append(line(ft.Icons.SEND_OUTLINED, f"Sent {fmt.day(p.submitted_on)}"))
    if inv.status in ("approved", "paid") and p.decided_on:
        shown.append(line(ft.Icons.CHECK_OUTLINED, f"Approved {fmt.day(p.decided_on)}"))
    if inv.status == "disputed":
        when = f" {fmt.day(p.decided_on)}" if p.decided_on else ""
        shown.append(line(ft.Icons.REPORT_OUTLINED, f"Disputed{when}: {inv.dispute_reason}"))
    if p.paid_on:
        shown.append(
            line(
                ft.Icons.TASK_ALT,
                f"Paid {fmt.day(p.paid_on)}, {days_words(p.days)} after it was sent",
            )
        )
    elif inv.status != "disputed":
        due = f"due by {fmt.day(p.due_on)}"
        said = f"Sent today; {due}" if p.days == 0 else f"{days_words(p.days)} so far; {due}"
        if p.past_target:
            said = f"Past the time to pay: {days_words(p.days)} since it was sent, {due}"
        icon = ft.Icons.WARNING_AMBER if p.past_target else ft.Icons.SCHEDULE
        shown.append(
            ft.Row(
                [
                    ft.Icon(icon, size=18, color=theme.RED if p.past_target else theme.MUTED),
                    ft.Text(
                        said,
                        size=14,
                        color=theme.RED if p.past_target else None,
                        weight=ft.FontWeight.W_600 if p.past_target else None,
                        expand=True,
                    ),
                ]
            )
        )
    return shown


def invoice_card(v: InvoiceView, for_officer: bool, actions: list[ft.Control]) -> ft.Control:
    words, colour = BADGES.get(v.payment.invoice.status, (v.payment.status_words, theme.GREY))
    if v.payment.past_target and v.payment.invoice.status != "paid":
        colour = theme.RED
    title = v.job_title or "A repair"
    return card(
        title,
        words,
        colour,
        invoice_lines(v, for_officer),
        actions,
        f"invoice-{v.payment.invoice.id}",
        v.pending,
    )


def total(invoices: Iterable[InvoiceView]) -> int:
    return sum(v.payment.invoice.amount_pence for v in invoices)


class GettingPaid(ListScreen):
    """The tradesperson's invoices, newest first, with what is owed in one line."""

    title, icon = "Getting paid", ft.Icons.PAYMENTS_OUTLINED

    def __init__(self, page: ft.Page, client: Client) -> None:
        super().__init__(page, client)
        self.intro.visible = True

    async def refresh(self) -> None:
        found = await self.client.invoices()
        owed = [v for v in found if v.payment.invoice.status in ("submitted", "approved")]
        paid = [v for v in found if v.payment.paid_on]
        said = [
            f"Owed to you: {fmt.money(total(owed))} on {len(owed)} "
            f"invoice{'' if len(owed) == 1 else 's'}."
        ]
        if paid:
            mean = round(sum(v.payment.days for v in paid) / len(paid))
            said.append(f"Paid so far in {days_words(mean)} on average.")
        said.append(
            "An invoice is sent when you complete a job: the agreed price plus approved extra work."
        )
        self.intro.value = " ".join(said)
        self.list.controls = [invoice_card(v, False, []) for v in found] or [
            empty("No invoices yet. Completing a job sends one for you.")
        ]


class Invoices(ListScreen):
    """The officer's invoices: past the time to pay first, then waiting for approval
    (select several to approve together), approved and waiting to be paid, disputed."""

    title, icon = "Invoices", ft.Icons.RECEIPT_LONG_OUTLINED

    def __init__(self, page: ft.Page, client: Client) -> None:
        super().__init__(page, client)
        self.intro.visible = True
        self.selected: set[str] = set()
        self.found: list[InvoiceView] = []

    async def refresh(self) -> None:
        self.found = await self.client.invoices()
        live = {v.payment.invoice.id for v in self.found if v.payment.invoice.status != "paid"}
        self.selected &= live
        self._render()

    def _render(self) -> None:
        def by_status(*statuses: str) -> list[InvoiceView]:
            return [v for v in self.found if v.payment.invoice.status in statuses]

        late = [v for v in by_status("submitted", "approved") if v.payment.past_target]
        waiting = [v for v in by_status("submitted") if not v.payment.past_target]
        to_pay = [v for v in by_status("approved") if not v.payment.past_target]
        disputed = by_status("disputed")
        paid = by_status("paid")[:20]
        self.intro.value = (
            f"{len(late)} past the time to pay, {len(waiting)} waiting for approval, "
            f"{len(to_pay)} approved and waiting to be paid, {len(disputed)} disputed."
        )
        chosen = [v for v in self.found if v.payment.invoice.id in self.selected]
        approvable = [v for v in chosen if v.payment.invoice.status == "submitted"]
        payable = [v for v in chosen if v.payment.invoice.status == "approved"]
        bulk = ft.Row(
            [
                ft.FilledButton(
                    f"Approve {len(approvable)} selected",
                    icon=ft.Icons.DONE_ALL,
                    disabled=not approvable,
                    on_click=on(self._approve, [v.payment.invoice.id for v in approvable]),
                ),
                ft.OutlinedButton(
                    f"Mark {len(payable)} selected paid",
                    icon=ft.Icons.PAYMENTS_OUTLINED,
                    disabled=not payable,
                    on_click=on(self._paid, [v.payment.invoice.id for v in payable]),
                ),
            ],
            wrap=True,
            spacing=8,
            run_spacing=8,
        )
        controls: list[ft.Control] = [bulk]
        for name, items, why in (
            ("Past the time to pay", late, "Sent longer ago than your landlord's target."),
            ("Waiting for approval", waiting, "Check the job's evidence, then approve or dispute."),
            ("Approved, to be paid", to_pay, "Mark them paid once the payment has gone."),
            ("Disputed", disputed, "Approve once the dispute is settled."),
            ("Paid recently", paid, ""),
        ):
            if not items and name != "Waiting for approval":
                continue
            controls.append(heading(f"{name} ({len(items)})"))
            if why:
                controls.append(hint(why))
            controls += [self._card(v) for v in items] or [empty("Nothing waiting.")]
        if not self.found:
            controls = [empty("No invoices yet. They arrive as tradespeople complete jobs.")]
        self.list.controls = controls

    def _card(self, v: InvoiceView) -> ft.Control:
        inv = v.payment.invoice
        what = v.job_title or "this repair"
        actions: list[ft.Control] = []
        if inv.status in ("submitted", "approved"):
            actions.append(
                ft.Checkbox(
                    label="Select",
                    value=inv.id in self.selected,
                    on_change=on(self._select, inv.id),
                    semantics_label=f"Select the invoice for {what}",
                )
            )
        if inv.status in ("submitted", "disputed"):
            actions.append(ft.FilledButton("Approve", on_click=on(self._approve, [inv.id])))
        if inv.status == "submitted":
            actions.append(ft.OutlinedButton("Dispute", on_click=on(self._dispute, v)))
        if inv.status == "approved":
            actions.append(ft.OutlinedButton("Mark paid", on_click=on(self._paid, [inv.id])))
        return invoice_card(v, True, actions)

    def _select(self, invoice_id: str) -> None:
        self.selected ^= {invoice_id}
        self._render()
        self.list.update()

    async def _approve(self, ids: list[str]) -> None:
        n = len(ids)
        if await attempt(
            self.page,
            lambda: self.client.approve_invoices(ids),
            f"{n} invoice{'' if n == 1 else 's'} approved.",
            self.client,
        ):
            self.selected -= set(ids)

    async def _paid(self, ids: list[str]) -> None:
        n = len(ids)
        if await attempt(
            self.page,
            lambda: self.client.mark_paid(ids, fmt.today()),
            f"{n} invoice{'' if n == 1 else 's'} marked paid today.",
            self.client,
        ):
            self.selected -= set(ids)

    def _dispute(self, v: InvoiceView) -> None:
        reason = field(
            "Why do you dispute it?",
            multiline=True,
            min_lines=2,
            max_length=commands.DisputeInvoice.limit("reason"),
            hint_text="e.g. The after photos do not show the new tap",
        )

        async def send() -> str | None:
            text = (reason.value or "").strip()
            least = shortest(commands.DisputeInvoice, "reason")
            reason.error = (
                None if len(text) >= least else "Say why, so the tradesperson can put it right."
            )
            if reason.error:
                return None
            await self.client.dispute_invoice(v.payment.invoice.id, text)
            return "Invoice disputed. The tradesperson sees your reason."

        FormDialog(
            self.page,
            self.client,
            f"Dispute the invoice: {v.job_title}",
            [
                hint(
                    f"{fmt.money(v.payment.invoice.amount_pence)} from {v.business_name}. "
                    "The tradesperson sees your reason; you can approve it later."
                ),
                reason,
            ],
            "Dispute invoice",
            send,
        ).open()
