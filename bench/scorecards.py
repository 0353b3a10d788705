"""Do the scorecards tell good tradespeople from poor ones? `python bench/scorecards.py`

Seeds the demo data (`server_stub.demo`) into a temporary SQLite file, computes every
tradesperson's scorecard over the last twelve months with `app.domain.scorecards`, and
compares the tradespeople the generator made good (hidden skill of 0.85 or more) with
those it made poor (0.65 or less). For each figure it prints both groups' medians and the
share of (good, poor) pairs where the good one's figure is the better. The generator's
skill is only its chance of finishing within target; recalls, no access and ratings follow
from it with noise, so a figure separates the groups only if it measures something real.

Exits 1 if the share for "within target" or "residents' quality rating" is under 90%.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.domain.scorecards import Period, rows_from_records, scorecards  # noqa: E402
from server_stub import db, demo, security  # noqa: E402
from server_stub.repo import SqlRepo  # noqa: E402

GOAL = 0.9
GOOD, POOR = 0.85, 0.65
FIGURES = (
    "within_target", "breaches", "recalls", "first_time_fix", "no_access", "quality", "speed",
    "cost",
)  # fmt: skip


def separation(
    seed: int = 7, now: datetime | None = None
) -> dict[str, tuple[float | None, float | None, float, int]]:
    """For each figure: the good group's median, the poor group's, the share of pairs
    where good is better, and how many pairs were compared."""
    security.use_test_hasher()
    now = now or datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        engine = db.create_engine(f"sqlite:///{Path(tmp) / 'demo.db'}")
        skills = demo.seed(engine, seed=seed, now=now)
        with engine.connect() as conn:
            repo = SqlRepo(conn)
            cards = {}
            period = Period((now - timedelta(days=365)).date(), now.date())
            for landlord in (demo.LANDLORD_ID, demo.SECOND_LANDLORD_ID):
                jobs = repo.find("jobs", "landlord_id", landlord)
                offers = {o.id: o.price_pence for o in repo.find("offers", "landlord_id", landlord)}
                visits = repo.find("visits", "landlord_id", landlord)
                extras = repo.find("extras", "landlord_id", landlord)
                rows = rows_from_records(jobs, visits, extras, offers)
                cards |= scorecards(*rows, period, now)
        engine.dispose()
    good = [c for tp, c in cards.items() if skills.get(tp, 0) >= GOOD]
    poor = [c for tp, c in cards.items() if 0 < skills.get(tp, 1) <= POOR]
    result = {}
    for key in FIGURES:
        g = [c.figures[key] for c in good if c.figures[key].value is not None]
        p = [c.figures[key] for c in poor if c.figures[key].value is not None]
        pairs = [(a.value, b.value) for a in g for b in p]
        higher = g[0].higher_is_better if g else True
        better = sum((a > b) if higher else (a < b) for a, b in pairs)
        result[key] = (
            statistics.median(f.value for f in g) if g else None,
            statistics.median(f.value for f in p) if p else None,
            better / len(pairs) if pairs else 0.0,
            len(pairs),
        )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    result = separation(args.seed)
    print("Scorecards over the demo's last 12 months: tradespeople generated good against poor")
    print(f"  {'figure':<18} {'good (median)':>14} {'poor (median)':>14} {'good better':>12}")
    for key, (good, poor, share, pairs) in result.items():
        shown = [f"{v:.2f}" if v is not None else "-" for v in (good, poor)]
        print(f"  {key:<18} {shown[0]:>14} {shown[1]:>14} {share:>11.0%}  ({pairs} pairs)")
    worst = min(result["within_target"][2], result["quality"][2])
    verdict = "met" if worst >= GOAL else "NOT met"
    print(f"  goal: good better in {GOAL:.0%} of pairs on within target and quality: {verdict}")
    return 0 if worst >= GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())
