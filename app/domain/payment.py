"""Getting paid: where an invoice stands against the landlord's target time to pay. A small
firm's cash flow decides whether it takes public work, so the days are counted plainly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.domain.models import utc
from app.domain.records import Invoice, Landlord
from app.domain.targets import UK

STATUS_WORDS = {
    "submitted": "Submitted",
    "approved": "Approved",
    "disputed": "Disputed",
    "paid": "Paid",
}


@dataclass(frozen=True)
class Payment:
    """An invoice's dates in the UK's calendar: sent, decided, paid, when payment is due,
    the days it took (or has taken so far) and whether it is past the target."""

    invoice: Invoice
    submitted_on: date
    decided_on: date | None
    paid_on: date | None
    due_on: date
    days: int  # from sent to paid, or to today while unpaid
    past_target: bool  # paid late, or unpaid (and not disputed) after the due date

    @property
    def status_words(self) -> str:
        return STATUS_WORDS.get(self.invoice.status, self.invoice.status)


def _day(moment: datetime | None) -> date | None:
    return utc(moment).astimezone(UK).date() if moment else None


def payment(invoice: Invoice, landlord: Landlord, today: date) -> Payment:
    submitted = _day(invoice.submitted_at)
    assert submitted is not None
    paid = _day(invoice.paid_at)
    due = submitted + timedelta(days=landlord.pay_days)
    days = ((paid or today) - submitted).days
    return Payment(
        invoice=invoice,
        submitted_on=submitted,
        decided_on=_day(invoice.decided_at),
        paid_on=paid,
        due_on=due,
        days=max(days, 0),
        past_target=(paid or today) > due and invoice.status != "disputed",
    )
