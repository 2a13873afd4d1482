"""Benchmark: `checker sync` against the simulator, beside a bare fetch-and-decode loop.

Starts `checker simulate --size N` as its own process on a free loopback port, then measures
records per second for

- a bare loop that only fetches and decodes the same pages (httpx, offset/limit 500, every
  endpoint and agency, no mapping, no storage),
- `checker sync` end to end (process start, mapping and validation, batched upserts and
  cursors in SQLite or the database given), and
- upserting the same records alone: the pages, mapped and made into rows beforehand by
  checker's own code, written with ``checker.store.upsert.write_rows`` (documents as observations,
  reconciled), one transaction per page, into
  the real schema (a fresh SQLite file, or the database given, its tables emptied first);
  the floor under any sync that stores every record,

and prints the three and the ratio of sync to bare. Run:
  uv run python benchmarks/sync_http.py [N] [--db URL]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Table

from checker.clock import vietnam_now
from checker.demo.city import build_demo_workspace
from checker.demo.simulated_data import demo_agency_codes
from checker.store.engine import open_store
from checker.store.models import DOCUMENT_SOURCE
from checker.store.records import Quarantined, Read
from checker.store.upsert import rows_by_table, write_rows
from connectors.mapping import Endpoint, reference_endpoints

TOKEN = "demo-token"
ENDPOINTS = (
    ("api/v1", "incoming-documents", {}),
    ("api/v1", "outgoing-documents", {}),
    ("api/v1", "files", {}),
    ("api/v1", "file-lists", {}),
    ("archive/v1", "transfers", {"kind": "agency_archive"}),
    ("archive/v1", "transfers", {"kind": "historical_archive"}),
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_simulator(size: int, port: int) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "checker", "simulate", "--size", str(size)]
    process = subprocess.Popen([*command, "--port", str(port)], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()  # "Serving N records at URL" once it listens
    if not line:
        raise SystemExit(f"the simulator did not start (exit status {process.wait()})")
    print(line.strip())
    return process


Pages = list[tuple[str, str, list[object]]]  # endpoint path with its kind, agency, items


def bare_loop(base_url: str, keep: Pages | None = None) -> int:
    """Records fetched and decoded; ``keep`` receives the pages."""
    count = 0
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(headers=headers, timeout=30) as client:
        for prefix, endpoint, extra in ENDPOINTS:
            for agency in demo_agency_codes():
                offset = 0
                while True:
                    params = {"agency": agency, "offset": offset, "limit": 500, **extra}
                    page = client.get(f"{base_url}/{prefix}/{endpoint}", params=params).json()
                    count += len(page["items"])
                    if keep is not None:
                        keep.append((f"{endpoint}{extra}", agency, page["items"]))
                    offset += 500
                    if offset >= page["total"]:
                        break
    return count


def rows_of(pages: Pages) -> list[dict[Table, list[dict[str, Any]]]]:
    """Each page's rows by table, as ``checker sync`` would write them."""
    endpoints: dict[str, Endpoint] = {
        f"{e.path}{e.extra_params}": e
        for e in reference_endpoints("documents") + reference_endpoints("archive")
    }
    when = vietnam_now()
    batches = []
    for key, agency, items in pages:
        endpoint = endpoints[key]
        reads: list[Read | Quarantined] = []
        for raw in items:
            record = endpoint.mapper(raw, agency)
            reads.append(Read(f"{endpoint.path}?agency={agency}#{record.external_id}", record))
        batches.append(rows_by_table(reads, source="bench", fetched_at=when))
    return batches


def store_only(batches: list[dict[Table, list[dict[str, Any]]]], db_url: str) -> float:
    """Seconds to upsert the rows, one transaction per page, into emptied tables."""
    engine = open_store(db_url)
    try:
        with engine.begin() as connection:
            for table in {table for rows in batches for table in rows} | {DOCUMENT_SOURCE}:
                connection.execute(table.delete())
        start = time.perf_counter()
        for rows in batches:
            with engine.begin() as connection:
                write_rows(connection, rows)
        return time.perf_counter() - start
    finally:
        engine.dispose()


def deployment_file(base_url: str, workdir: Path) -> Path:
    """The demo city's deployment file, its http sources pointed at the simulator."""
    config = build_demo_workspace(workdir / "city").config_path
    text = config.read_text(encoding="utf-8").replace("http://127.0.0.1:8765", base_url)
    config.write_text(text, encoding="utf-8")
    return config


def checker_sync(config: Path, db_url: str) -> dict[str, object]:
    env = {**os.environ, "CHECKER_DEMO_TOKEN": TOKEN}
    command = [sys.executable, "-m", "checker", "--config", str(config), "--db", db_url]
    result = subprocess.run(
        [*command, "sync", "--format", "json"], check=True, capture_output=True, text=True, env=env
    )
    report: dict[str, object] = json.loads(result.stdout)
    return report


def process_start() -> float:
    """Seconds for ``python -m checker --help``: imports and the CLI, no work."""
    start = time.perf_counter()
    command = [sys.executable, "-m", "checker", "--help"]
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", nargs="?", type=int, default=10, help="simulator size (10)")
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    port = free_port()
    simulator = start_simulator(args.size, port)
    base_url = f"http://127.0.0.1:{port}"
    try:
        pages: Pages = []
        bare_loop(base_url, pages)  # warms up the server's encoded pages, keeps them
        start = time.perf_counter()
        fetched = bare_loop(base_url)
        bare = time.perf_counter() - start
        with tempfile.TemporaryDirectory(prefix="checker-sync-bench-") as tmp:
            db_url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
            config = deployment_file(base_url, Path(tmp))
            start = time.perf_counter()
            report = checker_sync(config, db_url)
            elapsed = time.perf_counter() - start
            batches = rows_of(pages)
            rows = sum(len(r) for rows in batches for r in rows.values())
            storing = store_only(batches, args.db or f"sqlite:///{Path(tmp) / 'store.db'}")
        starting = min(process_start() for _ in range(3))
    finally:
        simulator.terminate()
        simulator.wait()
    sources = report["sources"]
    assert isinstance(sources, list)
    stored = sum(int(s["records"]) + int(s["quarantined"]) for s in sources)
    print(f"records served: {fetched}, read by checker sync: {stored}, ok: {report['ok']}")
    rate = {"bare": fetched / bare, "sync": stored / elapsed, "store": rows / storing}
    print(f"bare fetch+decode loop:            {rate['bare']:8.0f} records/s ({bare:.2f} s)")
    print(f"checker sync:                      {rate['sync']:8.0f} records/s ({elapsed:.2f} s)")
    print(
        f"upserting the same records alone:  {rate['store']:8.0f} records/s ({storing:.2f} s; "
        "rows built beforehand, one transaction per page)"
    )
    print(f"ratio sync/bare:                   {rate['sync'] / rate['bare']:8.0%}")
    print(f"ratio upserting alone/bare:        {rate['store'] / rate['bare']:8.0%}")
    print(f"process start (checker --help):    {starting:8.2f} s of the sync's {elapsed:.2f} s")


if __name__ == "__main__":
    main()
