"""The demo marketplace and its benchmark (`bench/choice.py`): ranked as the officer saw each
job when it was reported, the top-ranked offer comes from a better tradesperson than the
median candidate in at least 80% of jobs; the cheapest offer (the old way) and a random pick
do much worse, so the check can fail."""

from __future__ import annotations

from datetime import UTC, datetime

from bench.choice import GOAL, judge, load

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # a Monday morning: the same data every run


def test_the_top_ranked_offer_beats_the_median_candidate_and_cheapest_or_random_do_not():
    report = judge(load(seed=7, now=NOW))
    skill, later = report.by_skill, report.by_later
    assert report.with_offers >= 800 and report.live >= 15  # past and live work both count
    assert skill.jobs >= 0.95 * report.with_offers  # hardly any left out as ineligible
    assert skill.share("top") >= GOAL
    # A pick that ignores the track record does much worse, so the goal is not a given.
    assert skill.share("random") <= GOAL - 0.3
    assert skill.share("cheapest") <= skill.share("random")
    for landlord in report.by_landlord.values():  # each landlord with its own weights
        assert landlord.share("top") >= landlord.share("random") + 0.3
    # What happened afterwards agrees with the generator's truth.
    assert later.jobs >= 500
    assert later.share("top") >= later.share("random") + 0.25
