"""Importing past repairs from a landlord's existing system, so scorecards start with months
of history. A CSV export is read row by row: good rows become closed (or cancelled) jobs,
bad rows are reported by line with the reason, and one bad row never stops the rest.

Column names follow the HACT repairs data standard where it has one (RepairReference,
PropertyReference, ReportedDateTime, ...); the app's own field names are accepted too.
Only finished repairs are imported: open work belongs in the app itself."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time

from pydantic import ValidationError

from app.domain.commands import HIDDEN, ID_PATTERN
from app.domain.models import JobStatus, Priority, Trade
from app.domain.records import Home, Job, Tradesperson
from app.domain.targets import UK

MAX_ROWS = 100_000
COLUMNS: dict[str, tuple[str, ...]] = {  # our field -> the names a column may have
    "reference": ("RepairReference", "JobReference", "reference", "job_id"),
    "home": ("PropertyReference", "PropertyRef", "home_id"),
    "trade": ("TradeCode", "Trade", "trade"),
    "priority": ("PriorityCode", "Priority", "priority"),
    "title": ("RepairDescription", "Description", "title"),
    "reported": ("ReportedDateTime", "ReportedDate", "reported_at"),
    "target": ("TargetDateTime", "TargetDate", "target_at"),
    "completed": ("CompletedDateTime", "CompletionDate", "completed_at"),
    "status": ("RepairStatus", "Status", "status"),
    "contractor": ("ContractorReference", "Contractor", "tradesperson_id"),
    "cost": ("Cost", "InvoiceValue", "price"),
    "satisfaction": ("SatisfactionScore", "rating_quality"),
    "comment": ("SatisfactionComment", "review"),
}
REQUIRED = ("reference", "home", "trade", "title", "reported")
TRADES = {
    **{t.value: t for t in Trade},
    **{t.label.lower(): t for t in Trade},
    "heating": Trade.GAS,
    "joinery": Trade.CARPENTRY,
    "carpenter": Trade.CARPENTRY,
    "electrician": Trade.ELECTRICAL,
    "plumber": Trade.PLUMBING,
    "roofer": Trade.ROOFING,
    "glazier": Trade.GLAZING,
    "plasterer": Trade.PLASTERING,
    "damp": Trade.DAMP_AND_MOULD,
    "locks": Trade.LOCKSMITH,
}
PRIORITIES = {
    **{p.value: p for p in Priority},
    "e": Priority.EMERGENCY,
    "u": Priority.URGENT,
    "r": Priority.ROUTINE,
    "p": Priority.PLANNED,
}


@dataclass
class ImportReport:
    jobs: list[Job] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)  # line number, reason

    @property
    def said(self) -> str:
        kept = f"{len(self.jobs)} {'repair' if len(self.jobs) == 1 else 'repairs'} imported"
        if not self.refused:
            return f"{kept}."
        bad = len(self.refused)
        return f"{kept}; {bad} {'row' if bad == 1 else 'rows'} not imported (see each line)."


class BadRow(ValueError):
    pass


def _when(text: str, what: str) -> datetime:
    """ISO 8601 or dd/mm/yyyy [hh:mm]; a time without a zone is UK time."""
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        for form in ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y"):
            try:
                moment = datetime.strptime(text, form)
                break
            except ValueError:
                continue
        else:
            raise BadRow(f"{what} {text!r} is not a date (use 2026-03-31 or 31/03/2026)") from None
    if moment.tzinfo is None:
        moment = (
            moment.replace(tzinfo=UK)
            if moment.time() != time()
            else datetime.combine(moment.date(), time(12), UK)
        )
    return moment


def read_jobs(
    text: str,
    landlord_id: str,
    homes: Iterable[Home],
    tradespeople: Iterable[Tradesperson],
    existing: Mapping[str, object] | None = None,
) -> ImportReport:
    """Past repairs from CSV `text` for `landlord_id`: each row checked against the
    landlord's homes and tradespeople (by id or business name)."""
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = {h.strip().lower(): h for h in reader.fieldnames or []}
    columns = {
        ours: next((headers[n.lower()] for n in names if n.lower() in headers), None)
        for ours, names in COLUMNS.items()
    }
    missing = [COLUMNS[f][0] for f in REQUIRED if columns[f] is None]
    if missing:
        report.refused.append((1, f"The file has no {', '.join(missing)} column."))
        return report
    homes_by_id = {h.id: h for h in homes if h.landlord_id == landlord_id}
    people = {}
    for tp in tradespeople:
        if tp.landlord_id == landlord_id:
            people[tp.id.lower()] = tp.id
            people[tp.business_name.lower()] = tp.id
    taken = set(existing or ())
    for line, row in enumerate(reader, start=2):
        if line > MAX_ROWS + 1:
            report.refused.append((line, f"Only {MAX_ROWS:,} rows are read at a time."))
            break
        try:
            job = _job(row, columns, landlord_id, homes_by_id, people)
        except BadRow as e:
            report.refused.append((line, f"{str(e)[0].upper()}{str(e)[1:]}."))
            continue
        if job.id in taken:
            report.refused.append((line, "This repair was imported before."))
            continue
        taken.add(job.id)
        report.jobs.append(job)
    return report


def _job(row, columns, landlord_id, homes, people) -> Job:
    def get(name: str) -> str:
        column = columns[name]
        value = (row.get(column) or "").strip() if column else ""
        if HIDDEN.search(value):
            raise BadRow(f"{column} has characters that can't be shown")
        return value

    for name in REQUIRED:
        if not get(name):
            raise BadRow(f"{columns[name]} is empty")
    reference = get("reference")
    if len(reference) > 50 or not re.match(ID_PATTERN, reference):
        raise BadRow(f"RepairReference {reference!r} has characters other than letters, digits")
    home = homes.get(get("home"))
    if home is None:
        raise BadRow(f"no property {get('home')!r} among this landlord's homes")
    trade = TRADES.get(get("trade").lower())
    if trade is None:
        raise BadRow(f"trade {get('trade')!r} is not one the app knows")
    priority = PRIORITIES.get(get("priority").lower()) if get("priority") else None
    if get("priority") and priority is None:
        raise BadRow(f"priority {get('priority')!r} is not emergency, urgent, routine or planned")
    reported = _when(get("reported"), "ReportedDateTime")
    target = _when(get("target"), "TargetDateTime") if get("target") else None
    completed = _when(get("completed"), "CompletedDateTime") if get("completed") else None
    cancelled = get("status").lower() in ("cancelled", "canceled", "abandoned")
    if completed is None and not cancelled:
        raise BadRow("the repair is not completed: only finished repairs are imported")
    if completed and completed < reported:
        raise BadRow("it was completed before it was reported")
    contractor = None
    if get("contractor"):
        contractor = people.get(get("contractor").lower())
        if contractor is None:
            raise BadRow(
                f"contractor {get('contractor')!r} is not one of this landlord's tradespeople: "
                "add them first, or leave ContractorReference empty"
            )
    cost = None
    if get("cost"):
        try:
            cost = round(float(get("cost").lstrip("£").replace(",", "")) * 100)
        except ValueError:
            raise BadRow(f"cost {get('cost')!r} is not an amount in pounds") from None
        if not 0 <= cost <= 10_000_000:
            raise BadRow("cost is more than £100,000")
    rating = None
    if get("satisfaction"):
        if get("satisfaction") not in ("1", "2", "3", "4", "5"):
            raise BadRow("SatisfactionScore must be 1 to 5")
        rating = int(get("satisfaction"))
    try:
        return Job(
            id=f"import:{reference}",
            landlord_id=landlord_id,
            home_id=home.id,
            trade=trade,
            title=get("title")[:120],
            status=JobStatus.CANCELLED if cancelled else JobStatus.CLOSED,
            priority=priority,
            reported_at=reported,
            target_at=target,
            awarded_to=contractor,
            awarded_at=reported if contractor else None,
            completed_at=completed,
            closed_at=completed or reported,
            fixed_price_pence=cost,
            rating_quality=rating,
            review=get("comment")[:1000],
            district=home.district,
            street=home.street,
            flat=home.flat,
            award_reason="Imported from the landlord's previous repairs system.",
        )
    except ValidationError as e:
        raise BadRow(e.errors()[0]["msg"]) from None
