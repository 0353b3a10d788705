"""Scorecards, patterns and the pre-review brief, against figures worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.domain.models import JobStatus, Priority, Trade
from app.domain.scorecards import (
    ExtraRow,
    JobRow,
    PatternRules,
    Period,
    VisitRow,
    brief,
    patterns,
    recalls,
    scorecards,
)

Q1 = Period(date(2026, 1, 1), date(2026, 3, 31))
NOW = datetime(2026, 4, 15, 12, tzinfo=UTC)
S, P = JobStatus, Priority


def at(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def job(key, who, *, home=None, trade=Trade.PLUMBING, priority=P.ROUTINE, status=S.CLOSED,
        reported, target=None, awarded=None, completed=None, speed=None, quality=None,
        review="", price=None, parent=None) -> JobRow:  # fmt: skip
    return JobRow(
        key, home or f"home-{key}", trade, priority, status, reported, target, who,
        awarded or reported, completed, speed, quality, review, price, parent, f"Repair {key}",
    )  # fmt: skip


JOBS = [
    job("a1", "ann", priority=P.EMERGENCY, reported=at(1, 5, 10), target=at(1, 6, 10),
        completed=at(1, 5, 20), price=10_000, quality=5, speed=4, review="Quick and tidy"),
    job("a2", "ann", reported=at(1, 10), target=at(2, 7), awarded=at(1, 11),
        completed=at(2, 10), price=20_000, quality=3),
    job("a3", "ann", home="h3", reported=at(2, 1), target=at(3, 1), completed=at(2, 20)),
    job("a4", "ben", home="h3", status=S.AWARDED, reported=at(3, 5), target=at(4, 2)),
    job("a5", "ann", status=S.AWARDED, reported=at(2, 20), target=at(3, 20), awarded=at(3, 1)),
    job("a6", "ann", status=S.CANCELLED, reported=at(3, 1), target=at(3, 10), awarded=at(3, 2)),
    job("a7", "ann", reported=at(3, 20), target=at(4, 10), awarded=at(3, 25),
        completed=at(4, 2), quality=1),
    job("b1", "ben", reported=at(1, 15), target=at(2, 1), completed=at(1, 20), price=15_000,
        quality=4),
]  # fmt: skip
VISITS = [
    VisitRow("a1", "ann", at(1, 5, 18), "completed"),
    VisitRow("a2", "ann", at(1, 20), "no_access"),
    VisitRow("a2", "ann", at(2, 10), "completed"),
    VisitRow("a3", "ann", at(2, 20), "completed"),
    VisitRow("a7", "ann", at(4, 2), "completed"),  # after the period
    VisitRow("b1", "ben", at(1, 20), "completed"),
]
EXTRAS = [
    ExtraRow("a2", "ann", at(1, 25), "approved", 5_000),
    ExtraRow("a3", "ann", at(2, 15), "refused", 3_000),
]


@pytest.fixture(scope="module")
def cards():
    return scorecards(JOBS, VISITS, EXTRAS, Q1, NOW)


def test_a_scorecard_matches_the_figures_worked_out_by_hand(cards):
    ann = cards["ann"].figures
    assert ann["awarded"].value == 6  # a1 a2 a3 a5 a6 a7: a cancelled award still counts
    assert set(ann["completed"].jobs) == {"a1", "a2", "a3"}  # a7 was completed in April
    assert ann["cost"].value == 17_500  # (10,000 + 20,000 + 5,000 approved extra) / 2 priced
    assert ann["cost"].shown == "£175.00"
    assert (ann["within_target_emergency"].value, ann["within_target"].value) == (1.0, 0.5)
    assert ann["within_target"].hits == ("a3",)
    assert set(ann["breaches"].jobs) == {"a1", "a2", "a3", "a5"}  # a6 cancelled, a7 due later
    assert set(ann["breaches"].hits) == {"a2", "a5"}  # a2 late, a5 never done
    assert ann["recalls"].hits == ("a3",)  # a4 reported at h3 within 30 days
    assert ann["recalls"].value == pytest.approx(1 / 3)
    assert ann["first_time_fix"].hits == ("a1",)  # a2 had no access, a3 came back
    assert (ann["no_access"].value, ann["no_access"].count) == (0.25, 4)
    assert ann["extras_refused"].value == 0.5
    assert (ann["quality"].value, ann["quality"].count, ann["speed"].value) == (4.0, 2, 4.0)
    assert cards["ann"].trend == [("Jan 2026", 5.0, 1), ("Feb 2026", 3.0, 1), ("Mar 2026", None, 0)]
    assert [c.review for c in cards["ann"].comments] == ["Quick and tidy"]


def test_each_figure_sits_beside_the_marketplace_median(cards):
    ann, ben = cards["ann"].figures, cards["ben"].figures
    assert ann["cost"].median == ben["cost"].median == 16_250  # median of 17,500 and 15,000
    assert ann["within_target"].median == 0.75
    assert ann["within_target"].worse_than_median == pytest.approx(1 / 3)
    assert ben["within_target"].worse_than_median == 0


def test_no_completed_jobs_gives_no_figures_rather_than_zeroes():
    card = scorecards([job("x", "new", status=S.AWARDED, reported=at(3, 1))], [], [], Q1, NOW)
    figures = card["new"].figures
    assert figures["completed"].value == 0
    for key in ("cost", "within_target", "recalls", "first_time_fix", "quality", "no_access"):
        assert figures[key].value is None, key
        assert figures[key].shown in ("no jobs yet", "no ratings yet")


def test_recall_chains_count_each_link_against_the_job_before():
    chain = [
        job("r1", "ann", home="h", reported=at(1, 1), completed=at(1, 2)),
        job("r2", "ann", home="h", reported=at(1, 10), completed=at(1, 11)),
        job("r3", "ben", home="h", reported=at(1, 20), completed=at(1, 21)),
        job("r4", "ben", home="h", reported=at(3, 30), completed=at(3, 31)),  # 68 days on
        job("p1", "ann", reported=at(2, 1), completed=at(2, 2)),
        job("p2", "ben", reported=at(3, 25), parent="p1"),  # "not fixed": raised as a recall
    ]
    assert recalls(chain) == {"r1": "r2", "r2": "r3", "p1": "p2"}


def test_the_period_ends_at_midnight_uk_time_in_summer_too():
    # BST began on 29 March 2026: 23:30 UTC on 31 March is 00:30 on 1 April in London.
    rows = [
        job("in", "ann", reported=at(3, 1), completed=at(3, 31, 22, 30)),
        job("out", "ann", reported=at(3, 1), completed=at(3, 31, 23, 30)),
    ]
    done = scorecards(rows, [], [], Q1, NOW)["ann"].figures["completed"]
    assert done.jobs == ("in",)
    assert Period.quarter_of(date(2026, 11, 22)) == Period(date(2026, 10, 1), date(2026, 12, 31))


def test_patterns_name_the_contractor_and_link_the_jobs():
    rows, visits = [], []
    for n in range(12):  # 12 visits each
        for tp in ("ann", "ben", "cal"):
            key = f"v{tp}{n}"
            rows.append(job(key, tp, reported=at(3, 1 + n), completed=at(3, 2 + n)))
            out = "no_access" if (tp == "cal" and n % 3 == 0) or n == 0 else "done"
            visits.append(VisitRow(key, tp, at(3, 2 + n), out))
    # cal: 4 of 12 no access (33%); ann and ben 1 of 12 (8%): cal is four times the median.
    rows += [  # three of ben's repairs came back within 30 days
        job(f"o{n}", "ben", home=f"rh{n}", reported=at(3, 1), completed=at(3, 5)) for n in range(3)
    ] + [job(f"back{n}", "ann", home=f"rh{n}", reported=at(3, 20)) for n in range(3)]
    rows += [  # ann's ratings fell from 5 to 3
        job(f"q{n}", "ann", reported=at(m, 1), completed=at(m, d), quality=q)
        for n, (m, d, q) in enumerate([(1, 10, 5), (1, 20, 5), (2, 5, 5), (3, 10, 3),
                                        (3, 15, 3), (3, 20, 3)])
    ]  # fmt: skip
    found = patterns(rows, visits, date(2026, 3, 31), names={"cal": "Cal Pipe"})
    by_rule = {p.rule: p for p in found}
    assert set(by_rule) == {"no_access", "recalls", "rating"}
    assert by_rule["no_access"].tradesperson_id == "cal" and "Cal Pipe" in by_rule["no_access"].said
    assert len(by_rule["no_access"].jobs) == 4
    assert set(by_rule["recalls"].jobs) == {"o0", "o1", "o2"}
    assert "fell from 5.0 to 3.0" in by_rule["rating"].said
    stricter = PatternRules(recall_count=4, no_access_factor=5, rating_drop=2.5)
    assert patterns(rows, visits, date(2026, 3, 31), stricter) == []


def test_the_brief_raises_patterns_first_then_the_worst_figures(cards):
    points = brief(cards["ann"], [], "Ann")
    assert len(points) <= 3 and points
    # Breaches: 50% against a median of 25%, the furthest worse of the figures over 3 jobs
    # or more (within target, 50% against 75%, is over 2 jobs only).
    assert points[0].title == "Target breaches"
    assert "Ann: target breaches 50% against a marketplace median of 25% (4 in" in points[0].said
    assert set(points[0].jobs) == {"a2", "a5"}
    assert "Other jobs within target" not in [p.title for p in points]


def test_reading_only_recent_rows_from_the_device_gives_the_same_scorecards(tmp_path):
    import random

    from app.domain.records import Job, Visit
    from app.store import Store
    from app.store.reports import scorecard_rows

    rng = random.Random(3)
    store = Store(tmp_path / "device.db")
    with store.tx() as conn:
        for n in range(400):
            reported = at(1, 1) + timedelta(days=rng.uniform(-200, 120))
            target = reported + timedelta(days=rng.choice((1, 7, 28)))
            done = reported + timedelta(days=rng.uniform(0.5, 40))
            job = Job(
                id=f"j{n}", landlord_id="l", home_id=f"h{rng.randrange(60)}", trade="plumbing",
                title="Leak", status=S.CLOSED, reported_at=reported, target_at=target,
                awarded_to=rng.choice(("ann", "ben", "cal")), awarded_at=reported,
                completed_at=done, rating_quality=rng.choice((None, 2, 5)),
            )  # fmt: skip
            visit = Visit(
                id=f"v{n}", landlord_id="l", job_id=job.id, tradesperson_id=job.awarded_to,
                started_at=done, outcome=rng.choice(("completed", "no_access")),
            )  # fmt: skip
            conn.execute(
                "INSERT INTO jobs(id, body) VALUES (?, ?)", (job.id, job.model_dump_json())
            )
            conn.execute(
                "INSERT INTO visits(id, body) VALUES (?, ?)", (visit.id, visit.model_dump_json())
            )
    everything = scorecards(*scorecard_rows(store.conn, "l"), Q1, NOW)
    recent = scorecards(*scorecard_rows(store.conn, "l", since=Q1.start), Q1, NOW)
    assert recent == everything and everything["ann"].figures["completed"].count > 10
    assert scorecard_rows(store.conn, "another landlord") == ([], [], [])
    store.close()
