"""Benchmark: edXML ingest against a bare lxml parse of the same files.

Generates N edoc messages shaped like the real sample (shared/samples/edxml, with its base64
attachment), each with its own DocumentId and number, plus one status message per document;
then prints messages per second for

- a bare ``lxml.etree.parse`` of every file (no field extraction, no storage), and
- ``checker ingest edxml`` end to end (process start, parsing, batched writes to SQLite),

and the ratio of the two. Run:  uv run python benchmarks/ingest_edxml.py [N] [--db URL]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "edxml"


def generate(folder: Path, count: int) -> list[Path]:
    edoc = (SAMPLES / "edoc-vpcp-7816.edxml").read_text(encoding="utf-8")
    status = (SAMPLES / "status-05-nghean.edxml").read_text(encoding="utf-8")
    paths = []
    for n in range(count):
        number = str(100000 + n)
        sub = folder / f"{n // 1000:03d}"
        sub.mkdir(exist_ok=True)
        doc_path = sub / f"edoc-{n}.edxml"
        doc_path.write_text(edoc.replace("7816", number), encoding="utf-8", newline="")
        status_path = sub / f"status-{n}.edxml"
        status_path.write_text(status.replace("7816", number), encoding="utf-8", newline="")
        paths += [doc_path, status_path]
    return paths


def bare_parse(paths: list[Path]) -> float:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    start = time.perf_counter()
    for path in paths:
        etree.parse(str(path), parser)
    return time.perf_counter() - start


def ingest(folder: Path, db_url: str) -> tuple[float, dict[str, int]]:
    start = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "checker",
            "--db",
            db_url,
            "ingest",
            "edxml",
            str(folder),
            "--format",
            "json",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - start, json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=5000, help="documents (default 5000)")
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="checker-bench-"))
    try:
        folder = workdir / "edxml"
        folder.mkdir()
        paths = generate(folder, args.count)
        size = sum(p.stat().st_size for p in paths)
        print(f"{len(paths)} messages, {size / 1e6:.1f} MB")
        bare_parse(paths[:200])  # warm the page cache
        bare = bare_parse(paths)
        db_url = args.db or f"sqlite:///{workdir / 'bench.db'}"
        elapsed, counts = ingest(folder, db_url)
        stored = counts["documents"] + counts["statuses"]
        assert stored == len(paths), counts
        bare_rate, ingest_rate = len(paths) / bare, len(paths) / elapsed
        print(f"bare lxml parse:        {bare_rate:10.0f} messages/s ({bare:.2f} s)")
        print(f"checker ingest edxml:   {ingest_rate:10.0f} messages/s ({elapsed:.2f} s)")
        print(f"ratio ingest/bare:      {ingest_rate / bare_rate:10.0%}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
