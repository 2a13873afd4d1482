"""Benchmark: export and import the scorecards of a province.

Builds a store (SQLite, or ``--db URL``) with N agencies (default 2,000) in six groups on the
example electronic criteria set, one scoring run with their metric values, their scorecards
pre-filled from it and a self-score on every manual criterion; then, each phase in a process
of its own so that its peak memory is its own, prints seconds and peak resident memory for

- ``export``: one workbook per agency, with an evidence sheet per measured criterion of
  ``--lines`` rows each (documents not counted, with the reason: made up here, since a
  province's documents are the business of ``benchmarks/metrics_province.py``; the lines go
  through the same write-only sheets as the store's would), and
- ``import``: every workbook read back and checked (the unchanged scores record nothing; the
  reading, checking and comparing is the work).

Memory should not grow with N: run with ``--agencies 200`` and ``--agencies 2000`` and
compare the peaks. Run:  uv run python benchmarks/scorecards_province.py [--agencies N]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from checker.config import Agency, Deployment, Group
from checker.jobs.scorecards import Split, export_scorecards, import_workbooks
from checker.reports.workbook import Evidence
from checker.scoring.assessment import SELF, NewEntry, Scorecard, load_scorecard, record_entries
from checker.scoring.criteria import bundled_criteria_dir, load_criteria
from checker.scoring.prefill import prefill
from checker.scoring.runs import score_agencies, store_run
from checker.store.engine import open_store
from metrics.period import Period
from metrics.values import EvidenceLine, MetricValue

CRITERIA = load_criteria("danang-electronic-example", bundled_criteria_dir())
NOW = datetime(2026, 3, 2, 8, 0)
YEAR = 2025


def deployment(agencies: int) -> Deployment:
    groups = tuple(Group(id=f"g{n}", name=f"Nhóm {n}", criteria=CRITERIA.id) for n in range(6))
    return Deployment(
        city="Tỉnh Thử",
        groups=groups,
        agencies=tuple(
            Agency(code=f"000.00.{n:04d}.H99", name=f"Cơ quan {n}", group=f"g{n % 6}")
            for n in range(agencies)
        ),
    )


def build(db_url: str, agencies: int) -> None:
    dep = deployment(agencies)
    metrics = sorted({c.metric for c in CRITERIA.criteria if c.metric})
    values = [
        MetricValue(a.code, m, (n * 7 + k) % 100, 100)
        for n, a in enumerate(dep.agencies)
        for k, m in enumerate(metrics)
    ]
    engine = open_store(db_url)
    with engine.begin() as connection:
        scores = score_agencies(dep, {g.id: CRITERIA for g in dep.groups}, values, {})
        run_id = store_run(connection, Period.year(YEAR), None, NOW, NOW, values, scores)
        done = prefill(connection, {CRITERIA.id: CRITERIA}, run_id, NOW)
        manual = [c for c in CRITERIA.criteria if c.kind == "manual"]
        for assessment_id in done.assessments.values():
            card = load_scorecard(connection, assessment_id, CRITERIA)
            entries = [NewEntry(c.id, SELF, c.max * Decimal("0.8")) for c in manual]
            record_entries(connection, card, entries, "tự chấm", "benchmark", NOW)
    engine.dispose()


def made_up_evidence(lines: int) -> Evidence:
    def source(agency: str, metric_id: str) -> Iterator[EvidenceLine]:
        for n in range(lines):
            yield EvidenceLine(
                f"doc-{n}",
                f"{n}/UBND-VP",
                f"Về việc triển khai nhiệm vụ số {n} năm {YEAR}",
                agency,
                date(YEAR, 1 + n % 12, 1 + n % 28),
                False,
                "trình sau 3 ngày làm việc kể từ khi đến",
                f"edxml/{n}.edxml",
            )

    return source


def phase(name: str, db_url: str, agencies: int, folder: Path, lines: int) -> dict[str, float]:
    dep = deployment(agencies)
    by_group = {g.id: CRITERIA for g in dep.groups}
    engine = open_store(db_url)
    start = time.perf_counter()
    cpu = time.process_time()
    if name == "export":
        evidence = made_up_evidence(lines)

        def evidence_of(card: Scorecard) -> Evidence:
            return evidence

        done = export_scorecards(
            engine, dep, by_group, YEAR, folder, Split.agency, NOW, True, None, evidence_of
        )
        count = float(len(done.files))
    else:
        paths = sorted(folder.glob("*.xlsx"))
        outcome = import_workbooks(engine, dep, by_group, paths, YEAR, "đoàn", NOW)
        if outcome.refused:
            raise SystemExit(f"refused: {outcome.refused[0].error}")
        count = float(len(paths))
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu
    engine.dispose()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "workbooks": count,
        "peak_mib": peak_kib / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=2000)
    parser.add_argument("--lines", type=int, default=200, help="rows per evidence sheet")
    parser.add_argument("--db", help="database URL (default: a SQLite file in a temp folder)")
    parser.add_argument("--phase", choices=("export", "import"), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, args.db, args.agencies, args.folder, args.lines)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        db_url = args.db or f"sqlite:///{Path(tmp) / 'checker.db'}"
        started = time.perf_counter()
        build(db_url, args.agencies)
        print(
            f"store with {args.agencies} pre-filled scorecards: "
            f"{time.perf_counter() - started:.1f} s"
        )
        folder = Path(tmp) / "workbooks"
        for name in ("export", "import"):
            result = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--phase",
                    name,
                    "--db",
                    db_url,
                    "--folder",
                    str(folder),
                    "--agencies",
                    str(args.agencies),
                    "--lines",
                    str(args.lines),
                ],
                check=True,
                capture_output=True,
                text=True,
            )
            figures = json.loads(result.stdout)
            size = sum(p.stat().st_size for p in folder.glob("*.xlsx")) / 2**20
            print(
                f"{name}: {figures['workbooks']:.0f} workbooks in {figures['seconds']:.1f} s "
                f"({1000 * figures['seconds'] / figures['workbooks']:.0f} ms each; "
                f"CPU {figures['cpu_seconds']:.1f} s), "
                f"peak memory {figures['peak_mib']:.0f} MiB"
                + (f", {size:.0f} MiB on disk" if name == "export" else "")
            )


if __name__ == "__main__":
    main()
