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
    photo_strip,
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
        took = "the day it was sent" if p.days == 0 else f"{days_words(p.days)} after it was sent"
        shown.append(line(ft.Icons.TASK_ALT, f"Paid {fmt.day(p.paid_on)}, {took}"))
    elif inv.status == "disputed":
        if not for_officer:
            shown.append(
                hint("Talk to the housing officer about it: they approve it once it is settled.")
            )
    else:
        due = f"to be paid by {fmt.day(p.due_on)}"
        said = (
            f"{due[0].upper()}{due[1:]}" if p.days == 0 else f"{days_words(p.days)} so far; {due}"
        )
        if p.past_target:
            late = f"{days_words(p.days)} since it was sent, due {fmt.day(p.due_on)}"
            said = f"Past the time to pay: {late}"
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


def invoice_card(
    v: InvoiceView,
    for_officer: bool,
    actions: list[ft.Control],
    evidence: list[ft.Control] | None = None,
) -> ft.Control:
    words, colour = BADGES.get(v.payment.invoice.status, (v.payment.status_words, theme.GREY))
    if v.payment.past_target and v.payment.invoice.status != "paid":
        colour = theme.RED
    title = v.job_title or "A repair"
    return card(
        title,
        words,
        colour,
        invoice_lines(v, for_officer) + (evidence or []),
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
        self.intro.value = (
            "An invoice is sent for you when you complete a job: the agreed price plus "
            "approved extra work. Newest first."
        )
        summary = owed_summary(found) if found else []
        self.list.controls = [*summary, *(invoice_card(v, False, []) for v in found)] or [
            empty("No invoices yet. Completing a job sends one for you.")
        ]


def owed_summary(found: list[InvoiceView]) -> list[ft.Control]:
    """What is owed, in one bold figure, and how it splits, above the invoices."""

    def of(*statuses: str) -> list[InvoiceView]:
        return [v for v in found if v.payment.invoice.status in statuses]

    def count(items: list[InvoiceView]) -> str:
        return f"{fmt.money(total(items))} on {len(items)} invoice{'' if len(items) == 1 else 's'}"

    owed, waiting, approved = of("submitted", "approved"), of("submitted"), of("approved")
    disputed, paid = of("disputed"), of("paid")
    rows: list[ft.Control] = [
        ft.Text(f"Owed to you: {fmt.money(total(owed))}", size=20, weight=ft.FontWeight.W_600)
    ]
    if approved:
        rows.append(line(ft.Icons.CHECK_OUTLINED, f"Approved, to be paid: {count(approved)}"))
    if waiting:
        rows.append(line(ft.Icons.HOURGLASS_TOP, f"Waiting for approval: {count(waiting)}"))
    if late := [v for v in owed if v.payment.past_target]:
        rows.append(line(ft.Icons.WARNING_AMBER, f"Past the landlord's time to pay: {count(late)}"))
    if disputed:
        rows.append(line(ft.Icons.REPORT_OUTLINED, f"Disputed: {count(disputed)}"))
    if paid:
        mean = round(sum(v.payment.days for v in paid) / len(paid))
        took = "on the day they were sent" if mean == 0 else f"{days_words(mean)} after sending"
        rows.append(line(ft.Icons.TASK_ALT, f"Paid: {count(paid)}, on average {took}"))
    return [
        ft.Container(
            ft.Column(rows, spacing=4),
            bgcolor=theme.PAGE,
            border_radius=8,
            padding=ft.Padding.all(12),
        )
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
        self.evidence: dict[str, tuple[str, list[bytes]]] = {}  # invoice: note, after photos

    async def refresh(self) -> None:
        self.found = await self.client.invoices()
        live = {v.payment.invoice.id for v in self.found if v.payment.invoice.status != "paid"}
        self.selected &= live
        # The evidence behind each invoice still to decide: the note and the after photos
        # (fetched once while online, then kept on this device).
        self.evidence = {}
        for v in self.found:
            inv = v.payment.invoice
            if inv.status not in ("submitted", "disputed"):
                continue
            job = await self.client.job(inv.job_id)
            if job is None:
                continue
            await self.client.fetch_photos(job.photos)
            after = (await self.client.job_photos_by_stage(job.id)).get("after", [])
            self.evidence[inv.id] = (job.completion_notes, after)
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
                    f"Approve {len(approvable)} selected" if approvable else "Approve selected",
                    icon=ft.Icons.DONE_ALL,
                    disabled=not approvable,
                    on_click=on(self._approve, [v.payment.invoice.id for v in approvable]),
                ),
                ft.OutlinedButton(
                    f"Mark {len(payable)} selected paid" if payable else "Mark selected paid",
                    icon=ft.Icons.PAYMENTS_OUTLINED,
                    disabled=not payable,
                    on_click=on(self._paid, [v.payment.invoice.id for v in payable]),
                ),
            ],
            wrap=True,
            spacing=8,
            run_spacing=8,
        )
        controls: list[ft.Control] = [
            hint("Tick several invoices to approve them, or mark them paid, together."),
            bulk,
        ]
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
        return invoice_card(v, True, actions, self._evidence(inv.id))

    def _evidence(self, invoice_id: str) -> list[ft.Control]:
        note, after = self.evidence.get(invoice_id, ("", []))
        lines: list[ft.Control] = []
        if note:
            lines.append(line(ft.Icons.NOTES, f"Their note: {note}"))
        lines += photo_strip(after, 0, "after ")
        return lines

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
