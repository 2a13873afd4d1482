"""Benchmark: export and import the scorecards of a province.

Builds a store (SQLite, or ``--db URL``) with N agencies (default 2,000) and their documents
and files, generated as ``benchmarks/metrics_province.py`` generates a province (default 200
documents and 20 files an agency, the same seed), measured by the whole catalogue as
``checker score`` measures it, one stored run, every scorecard pre-filled from it and a
self-score on every manual criterion; then, each phase in a process of its own so that its
peak memory is its own, prints seconds and peak resident memory for

- ``export``: one workbook per agency with its evidence sheets (``--evidence``): for each
  measured criterion the documents and files the store's evidence does not count, with the
  reason, read as ``checker scorecards export --evidence`` reads them, and
- ``import``: every workbook read back and checked (the unchanged scores record nothing; the
  reading, checking and comparing is the work).

Memory should not grow with N: ``--agencies 200 1000 2000`` builds and measures each size in
turn (the documents an agency the same) and prints the peaks side by side. Resident memory
includes SQLite's page cache (``checker.store.engine``: up to 64 MiB a connection, filled as
far as the store is read, so more for a larger store until it is full); ``--python-heap``
also traces the peak of what Python holds (tracemalloc, slower), which is what keeping every
scorecard made grow.
Run:  uv run python benchmarks/scorecards_province.py [--agencies N ...]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from metrics_province import (  # type: ignore[import-not-found]  # benchmarks/ is the path
    Generator,
    Shape,
    Target,
    finish_load,
    province,
    start_load,
    write_chunk,
)

from checker.config import Deployment
from checker.jobs.scorecards import Split, export_scorecards, import_workbooks
from checker.scoring.assessment import SELF, NewEntry, load_scorecard, record_entries
from checker.scoring.criteria import bundled_criteria_dir, load_criteria
from checker.scoring.prefill import prefill
from checker.scoring.runs import score_agencies, store_run
from checker.store.engine import open_store
from metrics.calendar import WorkingCalendar
from metrics.evidence import missed_by_agency
from metrics.measure import measure_all
from metrics.period import Period

CRITERIA = load_criteria("danang-electronic-example", bundled_criteria_dir())
NOW = datetime(2026, 3, 2, 8, 0)
YEAR = 2025
SEED = 2025


def shape(agencies: int, documents: int, files: int) -> Shape:
    return Shape(agencies, agencies * documents, agencies * files, 0.3, SEED)


def deployment(of: Shape) -> Deployment:
    """The province's registry, generated from the seed as the store was (the generator's
    first draws; the whole generator holds 30 MiB of tables a phase has no use for)."""
    deployment: Deployment = province(of.agencies, random.Random(of.seed)).deployment
    return deployment


def build(db_url: str, of: Shape) -> tuple[int, int]:
    """The store; returns its documents and the evidence lines not counted over all agencies
    and measured metrics (what the evidence sheets list)."""
    engine = open_store(db_url)
    target = Target(engine.dialect.name, db_url, lambda: None)
    engine.dispose()
    calendar = WorkingCalendar()
    start_load(target)
    generator = Generator(of, calendar)
    for chunk in generator.chunks():
        write_chunk(target, chunk)
    dep = generator.province.deployment
    finish_load(target, dep, calendar)
    engine = open_store(db_url)
    by_group = {g.id: CRITERIA for g in dep.groups}
    period = Period.year(YEAR)
    with engine.begin() as connection:
        values = measure_all(connection, period, calendar, dep.files)
        scores = score_agencies(dep, by_group, values, {})
        run_id = store_run(connection, period, None, NOW, NOW, values, scores)
        done = prefill(connection, {CRITERIA.id: CRITERIA}, run_id, NOW)
        manual = [c for c in CRITERIA.criteria if c.kind == "manual"]
        for assessment_id in done.assessments.values():
            card = load_scorecard(connection, assessment_id, CRITERIA)
            entries = [NewEntry(c.id, SELF, c.max * Decimal("0.8")) for c in manual]
            record_entries(connection, card, entries, "tự chấm", "benchmark", NOW)
        codes = [a.code for a in dep.agencies]
        metrics = sorted({c.metric for c in CRITERIA.criteria if c.metric})
        lines = sum(
            len(found)
            for metric in metrics
            for found in missed_by_agency(
                connection, codes, metric, period, calendar, dep.files
            ).values()
        )
    engine.dispose()
    return target.rows["document"], lines


def phase(name: str, db_url: str, of: Shape, folder: Path, heap: bool) -> dict[str, float]:
    if heap:
        tracemalloc.start()
    dep = deployment(of)
    by_group = {g.id: CRITERIA for g in dep.groups}
    engine = open_store(db_url)
    start = time.perf_counter()
    cpu = time.process_time()
    if name == "export":
        done = export_scorecards(engine, dep, by_group, YEAR, folder, Split.agency, NOW, True)
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
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "workbooks": count,
        "peak_mib": peak_mib(),
        "heap_mib": tracemalloc.get_traced_memory()[1] / 2**20 if heap else 0.0,
    }


def peak_mib() -> float:
    """This process's peak resident memory: ``VmHWM``, not ``ru_maxrss``, which a process
    started by another carries over from it (the builder's hundreds of MiB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(args: argparse.Namespace, agencies: int) -> dict[str, float]:
    """Build a province of ``agencies`` and time both phases; their peak memory."""
    of = shape(agencies, args.documents, args.files)
    with tempfile.TemporaryDirectory() as tmp:
        db_url = args.db or f"sqlite:///{Path(tmp) / 'checker.db'}"
        started = time.perf_counter()
        documents, lines = build(db_url, of)
        print(
            f"{agencies} agencies: store with {documents:,} documents, {of.files:,} files and "
            f"{agencies} pre-filled scorecards built in {time.perf_counter() - started:.1f} s;"
            f" {lines:,} evidence lines not counted to list",
            flush=True,
        )
        folder = Path(tmp) / "workbooks"
        peaks = {}
        for name in ("export", "import"):
            command = [sys.executable, __file__, "--phase", name, "--db", db_url]
            command += ["--folder", str(folder), "--agencies", str(agencies)]
            command += ["--documents", str(args.documents), "--files", str(args.files)]
            command += ["--python-heap"] if args.python_heap else []
            result = subprocess.run(command, check=True, capture_output=True, text=True)
            figures = json.loads(result.stdout)
            size = sum(p.stat().st_size for p in folder.glob("*.xlsx")) / 2**20
            print(
                f"  {name}: {figures['workbooks']:.0f} workbooks in {figures['seconds']:.1f} s "
                f"({1000 * figures['seconds'] / figures['workbooks']:.0f} ms each; "
                f"CPU {figures['cpu_seconds']:.1f} s), "
                f"peak memory {figures['peak_mib']:.0f} MiB"
                + (f" (Python heap {figures['heap_mib']:.1f} MiB)" if args.python_heap else "")
                + (f", {size:.0f} MiB on disk" if name == "export" else ""),
                flush=True,
            )
            peaks[name] = figures["heap_mib" if args.python_heap else "peak_mib"]
        if args.db:
            _empty(args.db)
    return peaks


def _empty(db_url: str) -> None:
    """A database named with ``--db`` is used again for the next size: its tables dropped."""
    from checker.store.models import metadata

    engine = open_store(db_url)
    with engine.begin() as connection:
        metadata.drop_all(connection)
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, nargs="+", default=[2000])
    parser.add_argument("--documents", type=int, default=200, help="documents an agency")
    parser.add_argument("--files", type=int, default=20, help="record files an agency")
    parser.add_argument("--db", help="database URL (default: a SQLite file in a temp folder)")
    parser.add_argument(
        "--python-heap",
        action="store_true",
        help="also trace the Python heap's peak (tracemalloc: slower; leaves out the database"
        " driver's own cache, which SQLite's page cache fills up to 64 MiB a connection)",
    )
    parser.add_argument("--phase", choices=("export", "import"), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        of = shape(args.agencies[0], args.documents, args.files)
        print(json.dumps(phase(args.phase, args.db, of, args.folder, args.python_heap)))
        return
    peaks = {agencies: measure(args, agencies) for agencies in args.agencies}
    if len(peaks) > 1:
        what = "Python heap" if args.python_heap else "resident memory"
        print(f"peak {what} (MiB), export / import:")
        for agencies, peak in peaks.items():
            print(f"  {agencies:>6} agencies: {peak['export']:6.1f} / {peak['import']:6.1f}")


if __name__ == "__main__":
    main()
