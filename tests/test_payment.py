"""Days to pay and the landlord's target time, counted in the UK's calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime

from app.domain.payment import payment
from app.domain.records import Invoice, Landlord

LANDLORD = Landlord(id="l1", name="Hackney Homes", pay_days=30)


def invoice(**kw) -> Invoice:
    base = dict(
        id="invoice:j1",
        landlord_id="l1",
        job_id="j1",
        tradesperson_id="t1",
        amount_pence=12_000,
        submitted_at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC),  # 1 March in London (GMT)
    )
    return Invoice(**(base | kw))


def test_unpaid_counts_to_today_and_is_past_target_after_the_due_date():
    on_time = payment(invoice(), LANDLORD, date(2026, 3, 31))
    assert (on_time.submitted_on, on_time.due_on, on_time.days) == (
        date(2026, 3, 1),
        date(2026, 3, 31),
        30,
    )
    assert not on_time.past_target
    late = payment(invoice(status="approved"), LANDLORD, date(2026, 4, 1))
    assert late.days == 31 and late.past_target


def test_paid_counts_to_the_day_paid_whatever_today_is():
    paid = invoice(status="paid", paid_at=datetime(2026, 3, 15, 9, tzinfo=UTC))
    p = payment(paid, LANDLORD, date(2026, 9, 1))
    assert (p.paid_on, p.days, p.past_target, p.status_words) == (
        date(2026, 3, 15),
        14,
        False,
        "Paid",
    )
    late = invoice(status="paid", paid_at=datetime(2026, 4, 2, 9, tzinfo=UTC))
    assert payment(late, LANDLORD, date(2026, 9, 1)).past_target


def test_a_british_summer_time_evening_is_the_next_day_in_london():
    p = payment(
        invoice(submitted_at=datetime(2026, 6, 1, 23, 30, tzinfo=UTC)), LANDLORD, date(2026, 6, 2)
    )
    assert p.submitted_on == date(2026, 6, 2) and p.days == 0


def test_a_disputed_invoice_is_not_counted_past_target():
    p = payment(invoice(status="disputed"), LANDLORD, date(2026, 5, 1))
    assert not p.past_target and p.days == 61


def test_each_landlord_sets_its_own_target():
    quick = LANDLORD.model_copy(update={"pay_days": 10})
    assert payment(invoice(), quick, date(2026, 3, 12)).past_target
