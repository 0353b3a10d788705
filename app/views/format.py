"""How money, dates and sync state read on screen, in plain British English."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from app.domain.targets import UK


def money(pence: int | None) -> str:
    return "" if pence is None else f"£{pence / 100:,.2f}"


def _uk(moment: datetime) -> datetime:
    """UK local time. A moment without a zone is UTC: that is how the server stores it."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UK)


def day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _uk(value).date()
    return value.strftime("%a %-d %b")


def clock(moment: datetime) -> str:
    return _uk(moment).strftime("%H:%M")


def today(now: datetime | None = None) -> date:
    return _uk(now or datetime.now(UTC)).date()


def target(target_at: datetime | None, now: datetime | None = None) -> str:
    """'Target date Fri 10 Apr (in 3 days)', or how overdue it is."""
    if target_at is None:
        return "Target date set once the repair is assessed"
    due = _uk(target_at).date()
    days = (due - today(now)).days
    if days < 0:
        return f"Overdue: target date was {day(due)}"
    when = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
    return f"Target date {day(due)} ({when})"


def visit_days(count: int = 28, now: datetime | None = None) -> list[tuple[str, str]]:
    """The next `count` days as (ISO date, 'Tomorrow, Mon 23 Nov') choices."""
    first = today(now)
    names = {0: "Today", 1: "Tomorrow"}
    choices = []
    for n in range(count):
        d = first + timedelta(days=n)
        choices.append((d.isoformat(), f"{names[n]}, {day(d)}" if n in names else day(d)))
    return choices


def pounds_to_pence(text: str) -> int | None:
    """'£125', '125.50', '1,200' -> pence; None when it is not an amount of money."""
    cleaned = text.strip().removeprefix("£").replace(",", "").strip()
    whole, _, pence = cleaned.partition(".")
    if not whole.isdigit() or (pence and not (pence.isdigit() and len(pence) <= 2)):
        return None
    return int(whole) * 100 + int(pence.ljust(2, "0") or 0)
