"""How money, dates and sync state read on screen, in plain British English."""

from __future__ import annotations

from datetime import UTC, date, datetime

from app.domain.targets import UK


def money(pence: int | None) -> str:
    return "" if pence is None else f"£{pence / 100:,.2f}"


def day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(UK).date() if value.tzinfo else value.date()
    return value.strftime("%a %-d %b")


def clock(moment: datetime) -> str:
    return moment.astimezone(UK).strftime("%H:%M")


def target(target_at: datetime | None, now: datetime | None = None) -> str:
    """'Target date Fri 10 Apr (in 3 days)', or how overdue it is."""
    if target_at is None:
        return "Target date not set yet"
    today = (now or datetime.now(UTC)).astimezone(UK).date()
    due = target_at.astimezone(UK).date()
    days = (due - today).days
    if days < 0:
        return f"Overdue: target date was {day(due)}"
    when = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
    return f"Target date {day(due)} ({when})"


def pounds_to_pence(text: str) -> int | None:
    """'£125', '125.50' -> pence; None when it is not an amount of money."""
    cleaned = text.strip().removeprefix("£").replace(",", "")
    try:
        value = round(float(cleaned) * 100)
    except ValueError:
        return None
    return value if value > 0 else None
