"""Benchmark: a province's whole nightly run (sync, score, site) and the site step apart.

A workspace of ``--agencies`` made-up agencies (default 2,000; the simulated vendor of
``benchmarks/sync_concurrency.py``, in a process of its own) is built in ``--folder`` (kept,
so later runs reuse it) or a temporary folder: a first sync without latency and a first
``checker run`` (the night before: the site then shows changes since it and trends).

Then, unless ``--site-only``:

- the nightly run, ``checker run`` as a scheduler starts it (a process), from a copy of the
  store, against the vendor answering in ``--latency`` ms (default 50) with ``--new-share``
  (default 1%) new records: seconds per step (from its log) and in all;

and the site step apart, ``checker.jobs.site.publish_site`` of the latest run in this
process (with ``--site-only``, of the last nightly run's store when the folder has one),
best of ``--repeat``, under cProfile with ``--profile`` (the top functions by cumulative
and by own time are printed).

Run:  uv run python benchmarks/nightly_province.py [--agencies 2000] [--folder DIR]
      [--latency 50] [--in-flight 16] [--new-share 0.01] [--site-only] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from sync_concurrency import (
    TOKEN_ENV,
    nightly_run,
    simulator,
    step_seconds,
    timed_sync,
    write_deployment,
)

from checker.config import load_deployment
from checker.demo import DEMO_TOKEN
from checker.jobs.site import SiteOptions, publish_site
from checker.store.engine import open_store


def build(folder: Path, agencies: int) -> Path:
    """The workspace's store after a first sync and a first run (built once per folder)."""
    baseline = folder / f"baseline-{agencies}.db"
    if baseline.exists():
        return baseline
    print(f"building a workspace of {agencies} agencies in {folder} ...", flush=True)
    partial = folder / "building.db"
    partial.unlink(missing_ok=True)
    with simulator(agencies, 0.0) as url:
        config = write_deployment(folder, url, agencies, 16)
        first = timed_sync(config, partial)
        print(f"  first sync: {first.seconds:.1f} s, {first.records} records", flush=True)
        command = [sys.executable, "-m", "checker", "--config", str(config), "--db"]
        command += [f"sqlite:///{partial}", "run", "--as-of", "2025-12-30", "--no-site"]
        command += ["--state-dir", str(folder / "first")]
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=os.environ)
        print(f"  first checker run: {time.perf_counter() - started:.1f} s", flush=True)
    partial.rename(baseline)
    return baseline


def nightly(
    folder: Path, baseline: Path, agencies: int, latency: float, in_flight: int, share: float
) -> Path:
    """Time ``checker run`` from a copy of the baseline; the store it leaves."""
    store = folder / "nightly.db"
    shutil.copyfile(baseline, store)
    run_folder = folder / "nightly"
    shutil.rmtree(run_folder, ignore_errors=True)
    run_folder.mkdir()
    with simulator(agencies, latency, share) as url:
        config = write_deployment(folder, url, agencies, in_flight)
        seconds, summary = nightly_run(config, store, run_folder)
    steps = step_seconds(run_folder / "state")
    print(f"nightly checker run, {latency:g} ms per request, {share:.0%} new records:")
    for step, value in steps.items():
        print(f"  {step:<8} {value:8.1f} s")
    print(f"  {'total':<8} {seconds:8.1f} s  (exit {summary.get('exit_code', '?')})")
    return store


def site_only(folder: Path, store: Path, agencies: int, repeat: int, profile: bool) -> None:
    """Time (or profile) the site of the store's latest run in this process."""
    deployment = load_deployment(write_deployment(folder, "http://127.0.0.1:9", agencies, 16))
    engine = open_store(f"sqlite:///{store}")
    output = folder / "site-only"
    times: list[float] = []
    profiler = cProfile.Profile() if profile else None
    for _ in range(1 if profile else repeat):
        shutil.rmtree(output, ignore_errors=True)
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        summary = publish_site(engine, deployment, SiteOptions(output=output))
        if profiler is not None:
            profiler.disable()
        times.append(time.perf_counter() - started)
    engine.dispose()
    pages = sum(1 for _ in output.rglob("*.html"))
    print(f"site of the latest run, {agencies} agencies: {min(times):.1f} s, {pages} pages")
    del summary
    if profiler is not None:
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(40)
        stats.sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=2000)
    parser.add_argument("--folder", type=Path, help="keep the workspace here (reused)")
    parser.add_argument("--latency", type=float, default=50.0, help="ms per request (50)")
    parser.add_argument("--in-flight", type=int, default=16)
    parser.add_argument("--new-share", type=float, default=0.01)
    parser.add_argument("--site-only", action="store_true", help="skip the nightly run")
    parser.add_argument("--profile", action="store_true", help="cProfile the site step")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    os.environ[TOKEN_ENV] = DEMO_TOKEN
    with tempfile.TemporaryDirectory(prefix="checker-nightly-") as tmp:
        folder = args.folder or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        store = build(folder, args.agencies)
        if not args.site_only:
            store = nightly(
                folder, store, args.agencies, args.latency, args.in_flight, args.new_share
            )
        elif (folder / "nightly.db").exists():
            store = folder / "nightly.db"  # two runs: the site shows changes and trends
        site_only(folder, store, args.agencies, args.repeat, args.profile)


if __name__ == "__main__":
    main()
