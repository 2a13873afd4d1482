"""Benchmark: what keeping runs costs a province's nightly job: the diff of the last two runs,
every agency's trend across the kept runs (both read for the site every night), and a prune.

A store (SQLite file, or ``--db`` a PostgreSQL URL to an empty database) is filled with
``--runs`` nightly runs, one a day, of ``--agencies`` agencies on 30 criteria and 10 metrics,
points drifting from night to night; then each step is timed.

Run: uv run python benchmarks/runs_changes.py [--agencies 2000] [--runs 30] [--db URL]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, insert, select

from checker.config import RunsConfig
from checker.reports.changes import compare_runs, pick_runs
from checker.reports.trend import trends
from checker.scoring.retention import prune_runs
from checker.store.engine import open_store
from checker.store.models import AGENCY_RESULT, METRIC_VALUE, RUN, RUN_SNAPSHOT, SCORE

CRITERIA = [f"{s}.{c}" for s in range(1, 7) for c in range(1, 6)]
METRICS = [f"inbound.m{n}" for n in range(10)]
FIRST_DAY = date(2025, 1, 1)


def fill(engine: Engine, agencies: int, runs: int) -> int:
    rng = random.Random(7)
    points = {(a, c): rng.randint(0, 4) for a in range(agencies) for c in CRITERIA}
    rows = 0
    for night in range(runs):
        day = FIRST_DAY + timedelta(days=night)
        with engine.begin() as connection:
            run_id = connection.execute(
                insert(RUN).values(
                    kind="nightly",
                    started_at=datetime(day.year, day.month, day.day, 2),
                    finished_at=datetime(day.year, day.month, day.day, 2, 5),
                    period_start=FIRST_DAY,
                    period_end=day,
                    as_of=day,
                    note="",
                )
            ).inserted_primary_key[0]
            for key in rng.sample(sorted(points), len(points) // 50):  # 2% move a night
                points[key] = rng.randint(0, 4)
            scores = [
                {
                    "run_id": run_id,
                    "agency_code": f"A{a:05d}",
                    "section_id": c.split(".")[0],
                    "criterion_id": c,
                    "points": str(points[(a, c)]),
                    "max_points": "4",
                    "origin": "measured",
                    "metric_id": None,
                }
                for a in range(agencies)
                for c in CRITERIA
            ]
            values = [
                {
                    "run_id": run_id,
                    "agency_code": f"A{a:05d}",
                    "metric_id": m,
                    "numerator": night * 3 + a % 7,
                    "denominator": night * 3 + 9,
                }
                for a in range(agencies)
                for m in METRICS
            ]
            results = [
                {
                    "run_id": run_id,
                    "agency_code": f"A{a:05d}",
                    "group_id": "g",
                    "criteria": "set",
                    "total": str(sum(points[(a, c)] for c in CRITERIA)),
                    "max_total": "120",
                    "grade_id": "tb",
                    "grade_name": "Trung bình",
                    "reasons": "[]",
                    "rank": 1 + a,
                }
                for a in range(agencies)
            ]
            connection.execute(insert(SCORE), scores)
            connection.execute(insert(METRIC_VALUE), values)
            connection.execute(insert(AGENCY_RESULT), results)
            connection.execute(
                insert(RUN_SNAPSHOT).values(
                    run_id=run_id,
                    criteria="{}",
                    registry_json='{"groups": [], "agencies": []}',
                    last_message_id=0,
                    documents=0,
                )
            )
            rows += len(scores) + len(values) + len(results)
    return rows


def timed(label: str, action):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = action()
    print(f"{label:<40} {time.perf_counter() - started:8.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agencies", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--db")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'runs.db'}"
        engine = open_store(url)
        rows = timed(
            f"fill {args.runs} runs x {args.agencies} agencies",
            lambda: fill(engine, args.agencies, args.runs),
        )
        print(f"{'rows stored':<40} {rows:>10,}")
        with engine.connect() as connection:
            before, after = pick_runs(connection)
            changes = timed(
                "diff of the last two runs", lambda: compare_runs(connection, before, after)
            )
            print(f"{'agencies changed':<40} {len(changes.agencies):>10,}")
            lines = timed("trends of every agency", lambda: trends(connection, "nightly"))
            print(f"{'points in the trends':<40} {sum(len(t.points) for t in lines.values()):>10,}")
        today = FIRST_DAY + timedelta(days=args.runs - 1)
        rule = RunsConfig(keep_daily_days=max(1, args.runs // 3))
        with engine.begin() as connection:
            pruned = timed(
                f"prune (keep_daily_days={rule.keep_daily_days})",
                lambda: prune_runs(connection, rule, today),
            )
        print(f"{'runs pruned':<40} {len(pruned.pruned):>10,}")
        with engine.connect() as connection:
            left = connection.scalar(select(func.count()).select_from(SCORE))
        print(f"{'score rows left':<40} {left:>10,}")
        engine.dispose()


if __name__ == "__main__":
    main()
