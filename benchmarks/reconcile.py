"""Benchmark: one document, several systems.

Writes N documents as the three systems deliver them, in batches of 2,000 as ingest and sync
do: the edXML messages through the loader (one sender, two recipients each), then the
incoming copy of every other document as the first recipient's software reports it (no
DocumentId: matched by sender, number and notation and date), then the same copy as its
register export. Prints records per second for each, the time to store them all again
(nothing changes), the rows in ``document`` and ``document_source``, and how many
documents were reconciled from two or three systems. Run:

    uv run python benchmarks/reconcile.py [N] [--db URL]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select

from checker.store.engine import open_store
from checker.store.loader import load
from checker.store.models import DOCUMENT, DOCUMENT_SOURCE
from checker.store.records import AgencyDocumentRecord, DocumentRecord, Read
from checker.store.upsert import store_in_batches

SENDER, FIRST, SECOND = "000.00.01.H99", "000.00.02.H99", "000.00.03.H99"
START = datetime(2025, 1, 2, 8)


def edoc(n: int) -> Read:
    sent = START + timedelta(minutes=n)
    record = DocumentRecord(
        doc_key=f"{SENDER},{sent:%Y/%m/%d},{n}/SNV-VP",
        sender_id=SENDER,
        recipient_ids=(FIRST, SECOND),
        code_number=str(n),
        code_notation="SNV-VP",
        subject=f"Văn bản {n}",
        promulgation_date=sent.date(),
        sent_at=sent,
    )
    return Read(f"edoc-{n}.edxml", record)


def copy(n: int, system: str) -> Read:
    sent = START + timedelta(minutes=n)
    record = AgencyDocumentRecord(
        organ_id=FIRST,
        direction="in",
        external_id=f"{system}-{n}",
        sender_id=SENDER,
        code_number=f"{n:05d}",
        code_notation="snv-vp",
        promulgation_date=sent.date(),
        channel="axis",
        arrived_at=sent + timedelta(minutes=3),
        registered_at=sent + timedelta(hours=1),
    )
    return Read(f"{system}#{n}", record)


def timed(step) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def count(engine: Engine, table, *where) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(table).where(*where)) or 0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=20_000)
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    n = args.n
    with tempfile.TemporaryDirectory() as folder:
        engine = open_store(args.db or f"sqlite:///{Path(folder) / 'bench.db'}")
        messages = [edoc(i) for i in range(1, n + 1)]
        software = [copy(i, "qlvb") for i in range(1, n + 1, 2)]
        register = [copy(i, "register") for i in range(1, n + 1, 2)]

        def edxml() -> None:
            load(engine, messages, source="edxml")

        def dms() -> None:
            store_in_batches(engine, software, "qlvb", kind="dms")

        def registers() -> None:
            store_in_batches(engine, register, "register", kind="register")

        seconds = {"edxml": timed(edxml), "dms": timed(dms), "register": timed(registers)}
        again = timed(dms) + timed(registers)
        print(f"documents: {n:,} edXML messages, {len(software):,} software records, ", end="")
        print(f"{len(register):,} register rows")
        for system, records in (("edxml", n), ("dms", len(software)), ("register", len(register))):
            print(f"  {system:<9} {records / seconds[system]:10,.0f} records/s  ", end="")
            print(f"({seconds[system]:.2f} s)")
        print(f"  the software and register read again: {again:.2f} s (nothing changes)")
        print(f"document rows:        {count(engine, DOCUMENT):,}")
        print(f"observations:         {count(engine, DOCUMENT_SOURCE):,}")
        three = count(engine, DOCUMENT, DOCUMENT.c.sources == "edxml;dms;register")
        print(f"seen by three systems: {three:,}")
        engine.dispose()


if __name__ == "__main__":
    main()
