"""Benchmark: `checker sync` against the simulator, beside a bare fetch-and-decode loop.

Starts `checker simulate --size N` as its own process on a free loopback port, then measures
records per second for

- a bare loop that only fetches and decodes the same pages (httpx, offset/limit 500, every
  endpoint and agency, no mapping, no storage), and
- `checker sync` end to end (process start, mapping and validation, batched upserts and
  cursors in SQLite or the database given),

and prints both and their ratio. Run:  uv run python benchmarks/sync_http.py [N] [--db URL]
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

import httpx

from checker.demo import build_demo_workspace
from checker.simulated_data import demo_agency_codes

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


def bare_loop(base_url: str) -> int:
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
                    offset += 500
                    if offset >= page["total"]:
                        break
    return count


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
        [*command, "sync", "--json"], check=True, capture_output=True, text=True, env=env
    )
    report: dict[str, object] = json.loads(result.stdout)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", nargs="?", type=int, default=10, help="simulator size (10)")
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    port = free_port()
    simulator = start_simulator(args.size, port)
    base_url = f"http://127.0.0.1:{port}"
    try:
        bare_loop(base_url)  # warm up the server's encoded pages
        start = time.perf_counter()
        fetched = bare_loop(base_url)
        bare = time.perf_counter() - start
        with tempfile.TemporaryDirectory(prefix="checker-sync-bench-") as tmp:
            db_url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
            config = deployment_file(base_url, Path(tmp))
            start = time.perf_counter()
            report = checker_sync(config, db_url)
            elapsed = time.perf_counter() - start
    finally:
        simulator.terminate()
        simulator.wait()
    sources = report["sources"]
    assert isinstance(sources, list)
    stored = sum(int(s["records"]) + int(s["quarantined"]) for s in sources)
    print(f"records served: {fetched}, read by checker sync: {stored}, ok: {report['ok']}")
    print(f"bare fetch+decode loop: {fetched / bare:10.0f} records/s ({bare:.2f} s)")
    print(f"checker sync:           {stored / elapsed:10.0f} records/s ({elapsed:.2f} s)")
    print(f"ratio sync/bare:        {(stored / elapsed) / (fetched / bare):10.0%}")


if __name__ == "__main__":
    main()
