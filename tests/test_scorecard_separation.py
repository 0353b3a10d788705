"""On the demo data, the scorecards tell the tradespeople generated good from the poor."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "scorecards.py"


def test_scorecards_separate_good_from_poor_on_the_demo_data():
    spec = importlib.util.spec_from_file_location("bench_scorecards", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    result = bench.separation(now=datetime(2026, 11, 1, 9, tzinfo=UTC))  # the same every run
    for key in ("within_target", "breaches", "quality", "speed"):
        good, poor, share, pairs = result[key]
        assert pairs >= 100 and share >= 0.9, (key, good, poor, share)
    assert result["recalls"][2] >= 0.75 and result["first_time_fix"][2] >= 0.75
