"""Benchmark: a province's nightly sync against vendor APIs that answer in tens of
milliseconds, one request at a time and with requests in flight, and the whole nightly run.

A simulator (``checker.demo.simulator``, in a process of its own) serves a year of logs of
``--agencies`` made-up agencies (default 2,000: about 400,000 records) through the reference
API, each answer delayed by ``--latency`` ms (default 50), as a vendor's server across a
network. The store is first filled by a sync without latency (not timed). Then, each from a
copy of that store (SQLite), a nightly sync of both HTTP sources (six endpoints per agency:
incoming and outgoing documents, files, file lists, transfers of two kinds)

- with nothing new at the source (each endpoint re-reads its lookback window: one day), and
- with ``--new-share`` (default 1%) new records: new documents of every agency,

with ``max_in_flight = 1`` (one request at a time, as the sync did before) and
``--in-flight`` (default 16). It prints the seconds, requests, the seconds the one writer
spent storing pages (its share says whether fetching or writing is the bottleneck), the
floor (requests x latency / in flight) and the ratio one-at-a-time / concurrent.

Then the nightly run of the province, ``checker run`` (sync with the new records, score the
year, write the report site), as a process, from a copy of the store, timed whole.

Run:  uv run python benchmarks/sync_concurrency.py [--agencies 2000] [--latency 50]
      [--in-flight 16] [--new-share 0.01] [--no-sequential] [--no-nightly]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import checker.jobs.sync
from checker.config import load_deployment
from checker.demo import DEMO_TOKEN
from checker.demo.simulated_data import (
    SimulatedData,
    generate_dataset,
    province_agency_codes,
)
from checker.demo.simulator import serve
from checker.jobs.sync import SyncReport, http_sources, sync
from checker.store.engine import open_store

TOKEN_ENV = "CHECKER_BENCH_TOKEN"
CRITERIA = "danang-electronic-example"
GROUPS = 6
NEW_ENDPOINTS = ("incoming-documents", "outgoing-documents")


# --- the simulated vendor, in a process of its own -------------------------------------------


def with_new_records(data: SimulatedData, share: float) -> SimulatedData:
    """``data`` with ``share`` of its record count added as new documents, spread over every
    agency, changed after everything the store holds."""
    wanted = round(share * sum(data.counts().values()))
    listings = [(e, a) for e in NEW_ENDPOINTS for a in data.agencies]
    items = {e: dict(data.items[e]) for e in data.items}
    for n in range(wanted):
        endpoint, agency = listings[n % len(listings)]
        rows = list(items[endpoint][agency])
        rows.append(_new_copy(rows[n // len(listings) % len(rows)], rows[-1], n))
        items[endpoint][agency] = tuple(rows)
    return replace(data, items=items)


def _new_copy(item: dict[str, Any], newest: dict[str, Any], n: int) -> dict[str, Any]:
    stamp = datetime.fromisoformat(str(newest["updated_at"])) + timedelta(minutes=1)
    copy = {**item, "id": f"{item['id']}-new{n}", "updated_at": stamp.isoformat()}
    if copy.get("document_id"):
        copy["document_id"] = f"{copy['document_id']}-new{n}"
    return copy


def _serve(agencies: int, latency_ms: float, new_share: float, port: int) -> None:
    data = generate_dataset(agencies=province_agency_codes(agencies))
    if new_share:
        data = with_new_records(data, new_share)
    serve(data, port=port, token=DEMO_TOKEN, latency=latency_ms / 1000)


@contextlib.contextmanager
def simulator(agencies: int, latency_ms: float, new_share: float = 0.0) -> Iterator[str]:
    """The base URL of a simulator serving until the block ends."""
    port = free_port()
    context = multiprocessing.get_context("spawn")
    process = context.Process(target=_serve, args=(agencies, latency_ms, new_share, port))
    process.start()
    try:
        wait_for(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.join()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(port: int, process: multiprocessing.process.BaseProcess) -> None:
    while process.is_alive():
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.2)
    raise SystemExit(f"the simulator stopped (exit status {process.exitcode})")


# --- the province's deployment ----------------------------------------------------------------


def deployment_toml(base_url: str, agencies: int, in_flight: int) -> str:
    lines = ['city = "Tỉnh Thử"']
    for n in range(GROUPS):
        lines += [
            "",
            "[[groups]]",
            f'id = "g{n}"',
            f'name = "Nhóm {n}"',
            f'criteria = "{CRITERIA}"',
        ]
    for n, code in enumerate(province_agency_codes(agencies)):
        lines += ["", "[[agencies]]", f'code = "{code}"', f'name = "Cơ quan {n}"']
        lines.append(f'group = "g{n % GROUPS}"')
    for name, system, path in (
        ("qlvb", "documents", "api/v1"),
        ("luu-tru", "archive", "archive/v1"),
    ):
        lines += ["", "[[sources]]", f'name = "{name}"', 'kind = "http"', f'system = "{system}"']
        lines += [f'base_url = "{base_url}/{path}"', f"max_in_flight = {in_flight}"]
        lines.append(f'auth = {{ type = "bearer", token_env = "{TOKEN_ENV}" }}')
    return "\n".join(lines) + "\n"


def write_deployment(folder: Path, base_url: str, agencies: int, in_flight: int) -> Path:
    path = folder / "checker.toml"
    path.write_text(deployment_toml(base_url, agencies, in_flight), encoding="utf-8")
    return path


# --- timing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    seconds: float
    requests: int
    records: int
    writing: float
    report: SyncReport


def timed_sync(config: Path, db_file: Path) -> Timing:
    """One sync of every HTTP source in this process, the writer's time measured apart."""
    deployment = load_deployment(config)
    engine = open_store(f"sqlite:///{db_file}")
    writing = [0.0]
    real = checker.jobs.sync._store_pages

    def store_pages(*args: Any) -> None:
        started = time.perf_counter()
        real(*args)
        writing[0] += time.perf_counter() - started

    checker.jobs.sync._store_pages = store_pages  # type: ignore[assignment]
    try:
        started = time.perf_counter()
        report = sync(
            engine,
            deployment,
            http_sources(deployment),
            registry_codes=[a.code for a in deployment.agencies],
        )
        seconds = time.perf_counter() - started
    finally:
        checker.jobs.sync._store_pages = real  # type: ignore[assignment]
        engine.dispose()
    if not report.ok:
        raise SystemExit(f"the sync failed: {[s.status for s in report.sources]}")
    pages = sum(s.pages for s in report.sources)
    records = sum(s.records + s.quarantined for s in report.sources)
    return Timing(seconds, pages, records, writing[0], report)


def copy_store(baseline: Path, folder: Path, name: str) -> Path:
    target = folder / f"{name}.db"
    shutil.copyfile(baseline, target)
    return target


def nightly_run(config: Path, db_file: Path, folder: Path) -> tuple[float, dict[str, Any]]:
    """``checker run`` as a scheduler starts it: seconds and its JSON summary."""
    command = [sys.executable, "-m", "checker", "--config", str(config), "--db"]
    command += [f"sqlite:///{db_file}", "run", "--as-of", "2025-12-31", "--format", "json"]
    command += ["--site", str(folder / "site"), "--state-dir", str(folder / "state")]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=os.environ)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"checker run exited {result.returncode}: {result.stderr[-2000:]}")
    summary: dict[str, Any] = json.loads(result.stdout)
    return seconds, summary


def step_seconds(state: Path) -> dict[str, float]:
    """The seconds of each step of the last run, from its JSON-lines log."""
    logs = sorted((state / "logs").glob("*.jsonl"), key=lambda p: p.stat().st_mtime)
    seconds: dict[str, float] = {}
    for line in logs[-1].read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        if "step" in event and "seconds" in event:
            seconds[str(event["step"])] = float(event["seconds"])
    return seconds


def show(label: str, timing: Timing, latency_ms: float, in_flight: int) -> None:
    floor = timing.requests * latency_ms / 1000 / in_flight
    print(
        f"  {label:<22} {timing.seconds:8.1f} s  {timing.requests:6d} requests  "
        f"{timing.records:7d} records  writer {timing.writing:6.1f} s "
        f"({timing.writing / timing.seconds:4.0%})  floor {floor:6.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=50.0, help="ms per request (50)")
    parser.add_argument("--in-flight", type=int, default=16)
    parser.add_argument("--new-share", type=float, default=0.01)
    parser.add_argument("--no-sequential", action="store_true", help="skip in-flight 1")
    parser.add_argument("--no-nightly", action="store_true", help="skip checker run")
    args = parser.parse_args()
    os.environ[TOKEN_ENV] = DEMO_TOKEN
    with tempfile.TemporaryDirectory(prefix="checker-sync-concurrency-") as tmp:
        folder = Path(tmp)
        baseline = folder / "baseline.db"
        print(f"{args.agencies} agencies, {args.latency:g} ms per request")
        with simulator(args.agencies, 0.0) as url:
            config = write_deployment(folder, url, args.agencies, 16)
            first = timed_sync(config, baseline)
        print(f"  first sync, no latency: {first.seconds:.1f} s, {first.records} records")
        flights = ([] if args.no_sequential else [1]) + [args.in_flight]
        results: dict[tuple[str, int], Timing] = {}
        scenarios: list[tuple[str, float]] = [("nothing new", 0.0)]
        scenarios.append((f"{args.new_share:.0%} new", args.new_share))
        for name, share in scenarios:
            with simulator(args.agencies, args.latency, share) as url:
                for in_flight in flights:
                    config = write_deployment(folder, url, args.agencies, in_flight)
                    store = copy_store(baseline, folder, f"{name}-{in_flight}")
                    timing = timed_sync(config, store)
                    results[name, in_flight] = timing
                    show(f"{name}, {in_flight} in flight", timing, args.latency, in_flight)
                    store.unlink()
                if not args.no_sequential:
                    ratio = results[name, 1].seconds / results[name, args.in_flight].seconds
                    print(f"  {name}: {args.in_flight} in flight is {ratio:.1f}x one at a time")
                if share and not args.no_nightly:
                    run_nightly(folder, baseline, url, args.agencies, args.in_flight)


def run_nightly(folder: Path, baseline: Path, url: str, agencies: int, in_flight: int) -> None:
    config = write_deployment(folder, url, agencies, in_flight)
    store = copy_store(baseline, folder, "nightly")
    seconds, summary = nightly_run(config, store, folder)
    steps = step_seconds(folder / "state")
    detail = ", ".join(f"{step} {value:.1f} s" for step, value in steps.items())
    print(f"  checker run (sync, score, site), {in_flight} in flight: {seconds:.1f} s ({detail})")
    print(f"  exit: {summary.get('exit_code', summary.get('status'))}")


if __name__ == "__main__":
    main()
