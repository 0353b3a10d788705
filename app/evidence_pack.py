"""Dispute evidence packs: for a contractor and period, or a set of jobs, a PDF a finance
partner can read and a CSV of the same rows with the same totals. Built on the officer's
device from synced records, so it works offline.

Each job: its timeline, the agreed price, extra work and the decisions on it, the photos
(stage, when, SHA-256), the resident's words and ratings. The photo hashes were computed
on the device that took each photo, at capture, and are the photo's name on the server:
a changed photo has a different hash, which makes the pack tamper-evident."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from fpdf import FPDF

from app.domain.records import Extra, Invoice, Job, Offer, Visit
from app.domain.targets import UK

TAMPER_EVIDENT = (
    "How to check the photos: each photo's SHA-256 hash was computed on the phone or tablet "
    "that took it, at the moment it was taken, and the server stores and serves the photo "
    "under that hash. Changing a photo in any way changes its hash. To check a photo, "
    "compute its SHA-256 (for example `sha256sum photo.jpg`) and compare it with the hash "
    "listed here."
)
COLUMNS = (
    "job", "title", "address", "trade", "priority", "status", "tradesperson", "reported",
    "target", "awarded", "completed", "within_target", "price_pence", "extras_approved_pence",
    "extras_refused_pence", "total_pence", "quality", "speed", "resident_review",
    "resident_description", "photos", "invoice_pence", "invoice_status", "invoice_dispute",
)  # fmt: skip


@dataclass(frozen=True)
class PackJob:
    job: Job
    offer: Offer | None
    extras: list[Extra]
    visits: list[Visit]
    tradesperson: str
    invoices: list[Invoice] = field(default_factory=list)

    @property
    def price(self) -> int:
        if self.offer is not None:
            return self.offer.price_pence
        return self.job.fixed_price_pence or 0

    def extras_pence(self, status: str) -> int:
        return sum(e.price_pence for e in self.extras if e.status == status)

    @property
    def total(self) -> int:
        return self.price + self.extras_pence("approved")


@dataclass(frozen=True)
class Totals:
    jobs: int
    price: int
    extras_approved: int
    extras_refused: int
    total: int


def totals(jobs: Iterable[PackJob]) -> Totals:
    jobs = list(jobs)
    return Totals(
        len(jobs),
        sum(j.price for j in jobs),
        sum(j.extras_pence("approved") for j in jobs),
        sum(j.extras_pence("refused") for j in jobs),
        sum(j.total for j in jobs),
    )


def assemble(
    jobs: Iterable[Job],
    offers: Mapping[str, Offer],
    extras: Iterable[Extra],
    visits: Iterable[Visit],
    names: Mapping[str, str],
    invoices: Iterable[Invoice] = (),
) -> list[PackJob]:
    by_job_invoices: dict[str, list[Invoice]] = {}
    for i in invoices:
        by_job_invoices.setdefault(i.job_id, []).append(i)
    by_job_extras: dict[str, list[Extra]] = {}
    for e in extras:
        by_job_extras.setdefault(e.job_id, []).append(e)
    by_job_visits: dict[str, list[Visit]] = {}
    for v in visits:
        by_job_visits.setdefault(v.job_id, []).append(v)
    return [
        PackJob(
            j,
            offers.get(j.awarded_offer_id or ""),
            sorted(by_job_extras.get(j.id, []), key=lambda e: e.requested_at),
            sorted(by_job_visits.get(j.id, []), key=lambda v: v.started_at),
            names.get(j.awarded_to or "", "Not awarded"),
            sorted(by_job_invoices.get(j.id, []), key=lambda i: i.submitted_at),
        )
        for j in sorted(jobs, key=lambda j: j.reported_at)
    ]


def pounds(pence: int) -> str:
    return f"£{pence / 100:,.2f}"


def when(moment: datetime | None) -> str:
    return moment.astimezone(UK).strftime("%d %b %Y %H:%M") if moment else ""


def _within(job: Job) -> str:
    if job.completed_at is None or job.target_at is None:
        return ""
    return "yes" if job.completed_at <= job.target_at else "no"


def _photos(p: PackJob) -> list[tuple[str, str, str]]:
    """(stage, when, sha256) of every photo: the report's, then each visit's."""
    shown = [("report", when(p.job.reported_at), sha) for sha in p.job.photos]
    seen = set(p.job.photos)
    for v in p.visits:
        for sha in v.photos:
            if sha not in seen:
                seen.add(sha)
                shown.append((v.outcome.replace("_", " "), when(v.started_at), sha))
    for e in p.extras:
        for sha in e.photos:
            if sha not in seen:
                seen.add(sha)
                shown.append(("extra work", when(e.requested_at), sha))
    return shown


def to_csv(jobs: list[PackJob]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for p in jobs:
        j = p.job
        writer.writerow([
            j.id, j.title, j.street, j.trade.label, j.priority.value if j.priority else "",
            j.status.label, p.tradesperson, when(j.reported_at), when(j.target_at),
            when(j.awarded_at), when(j.completed_at), _within(j), p.price,
            p.extras_pence("approved"), p.extras_pence("refused"), p.total,
            j.rating_quality or "", j.rating_speed or "", j.review, j.description,
            " ".join(sha for _, _, sha in _photos(p)),
            sum(i.amount_pence for i in p.invoices),
            " ".join(i.status for i in p.invoices),
            " ".join(i.dispute_reason for i in p.invoices if i.dispute_reason),
        ])  # fmt: skip
    return out.getvalue()


def _text(value: str) -> str:
    """What the PDF's built-in fonts can show (Latin-1): other characters become '?'."""
    return (
        value.replace("\u2014", "-")
        .replace("\u2019", "'")
        .encode("latin-1", "replace")
        .decode("latin-1")
    )


class _Pdf(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.pack_title = title
        self.set_auto_page_break(True, margin=15)
        self.set_title(_text(title))

    def header(self) -> None:
        self.set_font("Helvetica", "B", 9)
        self.set_text_color(90)
        self.cell(0, 6, _text(self.pack_title), new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.cell(0, 6, f"Page {self.page_no()} of {{nb}}", align="C")

    def line_of(self, text: str, size: float = 10, bold: bool = False, gap: float = 5) -> None:
        self.set_font("Helvetica", "B" if bold else "", size)
        self.multi_cell(0, gap, _text(text), new_x="LMARGIN", new_y="NEXT")


def to_pdf(
    jobs: list[PackJob],
    title: str,
    landlord: str,
    made_by: str,
    made_at: datetime,
    compress: bool = True,
) -> bytes:
    pdf = _Pdf(title)
    pdf.compress = compress  # uncompressed, its text can be searched (tests)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.line_of(title, 16, bold=True, gap=8)
    pdf.line_of(
        f"{landlord}. Made by {made_by} on {when(made_at)} from the records on their device."
    )
    t = totals(jobs)
    pdf.ln(2)
    pdf.line_of("Totals", 12, bold=True, gap=7)
    for label, value in (
        ("Jobs", str(t.jobs)),
        ("Agreed prices", pounds(t.price)),
        ("Extra work approved", pounds(t.extras_approved)),
        ("Extra work refused (not payable)", pounds(t.extras_refused)),
        ("Total payable", pounds(t.total)),
    ):
        pdf.line_of(f"{label}: {value}")
    pdf.ln(2)
    pdf.line_of(TAMPER_EVIDENT, 9)
    for p in jobs:
        j = p.job
        pdf.ln(3)
        pdf.line_of(f"{j.title} ({j.id})", 12, bold=True, gap=7)
        pdf.line_of(
            f"{j.street}, {j.district}. {j.trade.label}; "
            f"{j.priority.value if j.priority else 'no priority'}; now {j.status.label.lower()}. "
            f"Tradesperson: {p.tradesperson}."
        )
        steps = [
            ("Reported", j.reported_at),
            ("Target", j.target_at),
            ("Awarded", j.awarded_at),
            ("Work started", j.started_at),
            ("Completed", j.completed_at),
            ("Closed", j.closed_at if j.closed_at != j.completed_at else None),
        ]
        pdf.line_of("; ".join(f"{name} {when(at)}" for name, at in steps if at), 9)
        if j.award_reason:
            pdf.line_of(f"How awarded: {j.award_reason}", 9)
        pdf.line_of(
            f"Agreed price {pounds(p.price)}; approved extra work "
            f"{pounds(p.extras_pence('approved'))}; total {pounds(p.total)}."
        )
        for e in p.extras:
            decided = f"{e.status} on {when(e.decided_at)}" if e.decided_at else e.status
            reason = f" ({e.decision_reason})" if e.decision_reason else ""
            pdf.line_of(f"Extra work: {e.reason}, {pounds(e.price_pence)}: {decided}{reason}.", 9)
        for v in p.visits:
            said = f": {v.notes}" if v.notes else ""
            pdf.line_of(f"Visit {when(v.started_at)}, {v.outcome.replace('_', ' ')}{said}", 9)
        if not p.invoices:
            pdf.line_of("Invoices: none recorded for this job.", 9)
        for i in p.invoices:
            steps = [f"sent {when(i.submitted_at)}"]
            if i.decided_at:
                steps.append(f"decided {when(i.decided_at)}")
            if i.paid_at:
                steps.append(f"paid {when(i.paid_at)}")
            disputed = f' Disputed: "{i.dispute_reason}"' if i.dispute_reason else ""
            pdf.line_of(
                f"Invoice {pounds(i.amount_pence)}, {i.status}; {', '.join(steps)}.{disputed}", 9
            )
        if j.description:
            pdf.line_of(f"Resident's words: {j.description}", 9)
        if j.rating_quality is not None:
            review = f' "{j.review}"' if j.review else ""
            rated = f"quality {j.rating_quality}/5"
            if j.rating_speed is not None:
                rated += f", speed {j.rating_speed}/5"
            pdf.line_of(f"Resident's rating: {rated}.{review}", 9)
        photos = _photos(p)
        if photos:
            pdf.line_of("Photos (stage, taken, SHA-256):", 9, bold=True)
            for stage, taken, sha in photos:
                pdf.set_font("Courier", "", 7)
                pdf.multi_cell(
                    0, 4, f"{stage:<11} {taken:<18} {sha}", new_x="LMARGIN", new_y="NEXT"
                )
        else:
            pdf.line_of("Photos: none.", 9)
    return bytes(pdf.output())
