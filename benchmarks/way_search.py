"""Benchmark: the search for the smallest set of criteria that reaches the next grade
(``checker.scoring.next_grade``), on the example criteria set, for many random agencies.

Each agency gets random counts for every measured criterion (a year to 30 June, so the
same-day metrics are worked on the documents still to come) and random manual points; the
script prints how long a plan takes (mean, 95th percentile, worst) and how many criteria the
plans need. It measures the search alone: reading the evidence from the store is the
metrics' cost (``benchmarks/metrics_province.py``).

Run: uv run python benchmarks/way_search.py [--agencies 2000] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter
from datetime import date
from decimal import Decimal

from checker.scoring.criteria import bundled_criteria_dir, load_criteria
from checker.scoring.next_grade import levers_of, outlook, plan_next_grade
from checker.scoring.points import measured_points
from checker.scoring.projection import Pace, year_end
from metrics.values import EvidenceLine

PACE = Pace.of(date(2025, 6, 30))


def _line(n: int) -> EvidenceLine:
    return EvidenceLine(f"d{n}", f"{n}/UBND", None, "A", date(2025, 12, 31), False, "x", "x")


def _agency(criteria, rng: random.Random):
    points: dict[str, Decimal | None] = {}
    outlooks = []
    for section in criteria.sections:
        for c in section.criteria:
            if c.metric is None:
                points[c.id] = Decimal(rng.randint(0, int(c.max) * 100)) / 100
                continue
            denominator = rng.randint(0, 400)
            numerator = rng.randint(0, denominator)
            due = (numerator, denominator + rng.randint(0, 20))
            end = year_end(c.metric, numerator, denominator, PACE, due)
            points[c.id] = measured_points(c, numerator, denominator)
            open_items = [_line(n) for n in range(denominator - numerator)]
            outlooks.append(outlook(section.id, c, end, points[c.id], open_items))
    return points, outlooks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    criteria = load_criteria("danang-electronic-example", bundled_criteria_dir())
    rng = random.Random(args.seed)
    timings, sizes, reachable = [], Counter[int](), 0
    for _ in range(args.agencies):
        points, outlooks = _agency(criteria, rng)
        started = time.perf_counter()
        plan = plan_next_grade(criteria, points, levers_of(criteria, points, outlooks))
        timings.append(time.perf_counter() - started)
        if plan.target is not None and plan.reachable:
            reachable += 1
            sizes[len(plan.steps)] += 1
    timings.sort()
    ms = [t * 1000 for t in timings]
    print(f"{args.agencies} agencies on {criteria.id} ({len(criteria.criteria)} criteria)")
    print(
        f"plan: mean {statistics.mean(ms):.1f} ms, p95 {ms[int(len(ms) * 0.95)]:.1f} ms, "
        f"worst {ms[-1]:.1f} ms; all {sum(timings):.1f} s"
    )
    print(f"next grade reachable for {reachable}; criteria needed: {dict(sorted(sizes.items()))}")


if __name__ == "__main__":
    main()
