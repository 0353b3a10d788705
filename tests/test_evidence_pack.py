"""Evidence packs: the CSV and the PDF carry the same jobs and the same totals."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from app.domain.models import JobStatus, Priority
from app.domain.records import Extra, Job, Offer, Visit
from app.evidence_pack import assemble, to_csv, to_pdf, totals

T0 = datetime(2026, 2, 2, 9, tzinfo=UTC)
SHA = "ab" * 32


def records():
    jobs, offers, extras, visits = [], {}, [], []
    for n, (price, extra, decision) in enumerate(
        [(12_000, 0, ""), (20_000, 5_000, "approved"), (9_950, 3_000, "refused")]
    ):
        job = Job(
            id=f"job-{n}", landlord_id="l", home_id="h", trade="plumbing", title=f"Leak {n}",
            description="Water under the sink \u2014 again", reported_at=T0 + timedelta(days=n),
            priority=Priority.URGENT, status=JobStatus.COMPLETED, awarded_to="ann",
            awarded_offer_id=f"offer-{n}", target_at=T0 + timedelta(days=n + 5),
            completed_at=T0 + timedelta(days=4 * n), rating_quality=4, rating_speed=3,
            review="Tidy work", photos=[SHA], street="12 Mill Lane", district="E8",
        )  # fmt: skip
        jobs.append(job)
        offers[f"offer-{n}"] = Offer(
            id=f"offer-{n}", job_id=job.id, tradesperson_id="ann", price_pence=price,
            earliest_slot=T0.date(), created_at=T0,
        )  # fmt: skip
        visits.append(Visit(id=f"v{n}", job_id=job.id, tradesperson_id="ann",
                            started_at=T0 + timedelta(days=n + 1), outcome="completed",
                            photos=[f"{n:02d}" * 32]))  # fmt: skip
        if extra:
            extras.append(Extra(
                id=f"x{n}", landlord_id="l", job_id=job.id, tradesperson_id="ann",
                reason="Valve seized", price_pence=extra, status=decision, requested_at=T0,
                decided_at=T0 + timedelta(hours=3), decision_reason="Not needed" * (n == 2),
            ))  # fmt: skip
    return assemble(jobs, offers, extras, visits, {"ann": "Ann's Plumbing"})


def test_the_csv_rows_add_up_to_the_totals_the_pdf_prints():
    jobs = records()
    t = totals(jobs)
    assert (t.price, t.extras_approved, t.extras_refused, t.total) == (41_950, 5_000, 3_000, 46_950)
    rows = list(csv.DictReader(io.StringIO(to_csv(jobs))))
    assert [r["job"] for r in rows] == ["job-0", "job-1", "job-2"]
    assert sum(int(r["total_pence"]) for r in rows) == t.total
    assert sum(int(r["extras_refused_pence"]) for r in rows) == t.extras_refused
    assert rows[1]["photos"] == f"{SHA} {'01' * 32}"
    assert rows[2]["within_target"] == "no" and rows[0]["within_target"] == "yes"
    made = datetime(2026, 4, 1, 10, tzinfo=UTC)
    pdf = to_pdf(jobs, "Evidence pack: Ann's Plumbing", "Mill Homes", "Olu", made, compress=False)
    assert pdf.startswith(b"%PDF")
    text = pdf.decode("latin-1")
    assert "Total payable: \xa3469.50" in text and "Agreed prices: \xa3419.50" in text
    assert SHA in text and "Valve seized" in text and "SHA-256" in text
    assert "Water under the sink - again" in text  # shown in the PDF's own characters
    assert to_pdf(jobs, "t", "l", "o", made).startswith(b"%PDF")  # compressed by default


def test_an_empty_pack_says_so_with_zero_totals():
    made = datetime(2026, 4, 1, 10, tzinfo=UTC)
    pdf = to_pdf([], "Evidence pack", "Mill Homes", "Olu", made, compress=False)
    assert "Jobs: 0" in pdf.decode("latin-1")
    assert list(csv.reader(io.StringIO(to_csv([]))))[1:] == []


def test_contested_invoices_are_in_both_the_pdf_and_the_csv():
    from app.domain.records import Invoice

    jobs = records()
    disputed = Invoice(
        id="invoice:job-1", landlord_id="l", job_id="job-1", tradesperson_id="ann",
        amount_pence=25_000, status="disputed", submitted_at=T0 + timedelta(days=5),
        decided_at=T0 + timedelta(days=6), dispute_reason="No after photo of the valve",
    )  # fmt: skip
    with_invoice = assemble(
        [p.job for p in jobs],
        {p.offer.id: p.offer for p in jobs if p.offer},
        [e for p in jobs for e in p.extras],
        [v for p in jobs for v in p.visits],
        {"ann": "Ann's Plumbing"},
        [disputed],
    )
    rows = list(csv.DictReader(io.StringIO(to_csv(with_invoice))))
    assert (rows[1]["invoice_pence"], rows[1]["invoice_status"]) == ("25000", "disputed")
    assert rows[1]["invoice_dispute"] == "No after photo of the valve"
    assert rows[0]["invoice_pence"] == "0" and rows[0]["invoice_status"] == ""
    made = datetime(2026, 4, 1, 10, tzinfo=UTC)
    text = to_pdf(with_invoice, "t", "l", "o", made, compress=False).decode("latin-1")
    assert "Invoice \xa3250.00, disputed" in text and "No after photo of the valve" in text
    assert "Invoices: none recorded for this job." in text  # the jobs without one
