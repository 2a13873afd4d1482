"""Benchmark: the report site's evidence, one query per agency and metric against the bulk
query (``metrics.evidence.missed_by_agency``), and ``checker site`` end to end.

On a demo workspace (built with ``checker demo`` into a temporary folder unless ``--folder``
names one already built), for the latest run:

- per pair: ``metrics.evidence.evidence`` for every (agency, measured metric) of the report,
  the lines not counted kept (what the site did before);
- bulk: ``missed_by_agency`` once per metric for all the report's agencies (what it does now),
  checked to give the same lines;
- the whole site (``checker.jobs.site.publish_site``) with and without evidence pages.

Prints seconds (best of ``--repeat``), the number of evidence queries and the ratio. Run:
  uv run python benchmarks/site_evidence.py [--folder checker-demo] [--repeat 3]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from checker.config import database_url, load_deployment
from checker.jobs.score import prepare_measuring
from checker.jobs.site import SiteOptions, publish_site
from checker.reports.report import build_report, latest_run_id
from checker.scoring.snapshot import run_criteria
from checker.store.engine import open_store
from checker.store.models import RUN
from metrics.evidence import evidence, missed_by_agency
from metrics.period import Period


def best(repeat: int, work: Callable[[], object]) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--folder", type=Path, help="a demo workspace already built")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.folder or Path(scratch) / "demo"
        if args.folder is None:
            print(f"building the demo workspace in {folder} ...", flush=True)
            command = [sys.executable, "-m", "checker", "demo", "--folder", str(folder)]
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        measure(folder, args.repeat, Path(scratch) / "site")


def measure(folder: Path, repeat: int, output: Path) -> None:
    deployment = load_deployment(folder / "checker.toml")
    engine = open_store(database_url(None, deployment))
    with engine.begin() as connection:
        run_id = latest_run_id(connection)
        run = connection.execute(RUN.select().where(RUN.c.id == run_id)).mappings().one()
        period = Period(run["period_start"], run["period_end"])
        calendar = prepare_measuring(connection, deployment, period)
        sets = run_criteria(connection, run_id)
        report = build_report(connection, sets, run_id, None, [g.id for g in deployment.groups])
        codes = [a.code for a in report.agencies]
        metrics = sorted(
            {
                c.metric.id
                for a in report.agencies
                for s in a.sections
                for c in s.criteria
                if c.metric
            }
        )
        pairs = [(code, metric) for code in codes for metric in metrics]

        def per_pair() -> dict[tuple[str, str], list[object]]:
            found = {}
            for code, metric in pairs:
                lines = evidence(connection, code, metric, period, calendar, deployment.files)
                found[code, metric] = [line for line in lines if not line.counted]
            return found

        def bulk() -> dict[tuple[str, str], list[object]]:
            found = {}
            for metric in metrics:
                lines = missed_by_agency(
                    connection, codes, metric, period, calendar, deployment.files
                )
                found.update({(code, metric): lines.get(code, []) for code in codes})
            return found

        old, old_lines = best(repeat, per_pair)
        new, new_lines = best(repeat, bulk)
    assert old_lines == new_lines, "the bulk query gives other lines"
    rows = sum(len(lines) for lines in new_lines.values())  # type: ignore[union-attr]
    print(f"{len(codes)} agencies, {len(metrics)} metrics, {rows} lines not counted")
    print(f"evidence per (agency, metric): {old:7.2f} s  ({len(pairs)} calls)")
    print(f"evidence in bulk per metric:   {new:7.2f} s  ({len(metrics)} calls)  {old / new:.1f}x")
    for with_evidence in (True, False):
        options = SiteOptions(output, None, with_evidence)
        seconds, _ = best(repeat, lambda: publish_site(engine, deployment, options))  # noqa: B023
        print(f"publish_site, evidence {'on ' if with_evidence else 'off'}:    {seconds:7.2f} s")
    engine.dispose()


if __name__ == "__main__":
    main()
