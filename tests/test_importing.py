"""Importing past repairs from a CSV export: good rows kept, bad rows reported by line."""

from __future__ import annotations

from datetime import UTC, datetime

from app.domain.importing import read_jobs
from app.domain.models import JobStatus, Priority, Trade, Vetting
from app.domain.records import Home, Tradesperson

HOMES = [
    Home(id="P100", landlord_id="l1", street="1 Mill Lane", flat="", postcode="E8 1AA",
         district="E8"),
    Home(id="P200", landlord_id="l2", street="2 Other Road", flat="", postcode="N1 1AA",
         district="N1"),
]  # fmt: skip
PEOPLE = [
    Tradesperson(id="tp-1", landlord_id="l1", name="Ann", business_name="Ann's Plumbing",
                 trades=["plumbing"], districts=["E8"], status=Vetting.APPROVED),
    Tradesperson(id="tp-2", landlord_id="l2", name="Bo", business_name="Bo Builds",
                 trades=["general"], districts=["N1"], status=Vetting.APPROVED),
]  # fmt: skip
HEADER = (
    "RepairReference,PropertyReference,TradeCode,PriorityCode,RepairDescription,"
    "ReportedDateTime,TargetDateTime,CompletedDateTime,RepairStatus,ContractorReference,Cost,"
    "SatisfactionScore,SatisfactionComment\n"
)


def test_good_rows_become_closed_jobs_and_bad_rows_are_reported_by_line():
    text = HEADER + (
        "R1,P100,Plumbing,U,Dripping tap,2026-01-05T09:00:00,2026-01-12,2026-01-08 14:30,"
        'Completed,Ann\'s plumbing,"£1,250.50",5,Lovely\n'
        "R2,P200,plumbing,R,Not ours,2026-01-05,,2026-01-06,Completed,,,,\n"  # other landlord
        "R3,P100,Telepathy,R,Odd,2026-01-05,,2026-01-06,Completed,,,,\n"
        "R4,P100,general,R,Still open,2026-01-05,,,Open,,,,\n"
        "R5,P100,general,R,Cancelled one,05/01/2026,,,Cancelled,,,,\n"
        "R6,P100,general,R,Bad date,31/02/2026,,,Cancelled,,,,\n"
        "R7,P100,general,R,Someone else's contractor,2026-01-05,,2026-01-06,,Bo Builds,,,\n"
        "R1,P100,general,R,Twice,2026-01-05,,2026-01-06,,,,,\n"
        "R9,P100,general,X,Odd priority,2026-01-05,,2026-01-06,,,,,\n"
        "R10,P100,general,R,Rated 9,2026-01-05,,2026-01-06,,,,9,\n"
    )
    report = read_jobs(text, "l1", HOMES, PEOPLE)
    assert [j.id for j in report.jobs] == ["import:R1", "import:R5"]
    r1 = report.jobs[0]
    assert (r1.trade, r1.priority, r1.status) == (Trade.PLUMBING, Priority.URGENT, JobStatus.CLOSED)
    assert (r1.awarded_to, r1.fixed_price_pence, r1.rating_quality) == ("tp-1", 125_050, 5)
    assert r1.reported_at == datetime(2026, 1, 5, 9, tzinfo=UTC)  # UK winter time is UTC
    assert r1.completed_at == datetime(2026, 1, 8, 14, 30, tzinfo=UTC)
    assert report.jobs[1].status is JobStatus.CANCELLED
    refused = {line: reason.lower() for line, reason in report.refused}
    assert sorted(refused) == [3, 4, 5, 7, 8, 9, 10, 11]
    assert "no property 'p200'" in refused[3]
    assert "trade 'telepathy'" in refused[4]
    assert "not completed" in refused[5]
    assert "'31/02/2026' is not a date" in refused[7]
    assert "contractor 'bo builds' is not one of this landlord's" in refused[8]
    assert refused[9] == "this repair was imported before."
    assert "priority 'x'" in refused[10] and "1 to 5" in refused[11]
    assert report.said == "2 repairs imported; 8 rows not imported (see each line)."


def test_a_file_without_the_needed_columns_is_refused_whole():
    report = read_jobs("Ref,Where\nR1,P100\n", "l1", HOMES, PEOPLE)
    assert report.jobs == [] and report.refused[0][0] == 1
    assert "RepairReference" in report.refused[0][1]


def test_a_repair_imported_before_is_not_imported_again():
    text = HEADER + "R1,P100,general,R,Tap,2026-01-05,,2026-01-06,,,,,\n"
    report = read_jobs(text, "l1", HOMES, PEOPLE, existing={"import:R1": None})
    assert report.jobs == [] and report.refused == [(2, "This repair was imported before.")]
