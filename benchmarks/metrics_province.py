"""Benchmark: the metric catalogue for every agency of a province, as SQL aggregates, beside
the same numbers from a plain Python pass over the rows.

Generates a province-sized store (default 2,000 agencies, 10 million documents, 1 million
files, half a million one-stop-shop dossiers) on SQLite and on PostgreSQL, then prints for
each database

- the seconds of the whole catalogue for all agencies (documents, numbering, files,
  transfers, one-stop-shop dossiers, digitisation), measured by
  ``metrics.measure.measure_all`` as ``checker score`` calls it, after ANALYZE, best of 2
  runs;
- the seconds of a straightforward Python pass: every row of the measured tables read once
  (streamed, ``yield_per``), the same numerators and denominators counted per agency in dicts;
- rows per second, the ratio, "values agree" (the two must give the same values, or the
  script fails), and for each aggregate query its plan (``EXPLAIN QUERY PLAN`` on SQLite,
  ``EXPLAIN`` on PostgreSQL) and its share of the catalogue's seconds.

The store is generated deterministically (``random.Random(seed)``): documents spread over
2025 in both directions (an outgoing row for a sender of the province, an incoming row for
each recipient of the province), channel mix, priorities, business types, numbering gaps and
duplicates, lifecycle times reported by the agencies' software with gaps, statuses sent back
through the axis, recalls, files of 2010-2025 with retention (the deployment's codes, years
the software reported, or neither: unknown), list and electronic flags, annual file lists,
transfers to the agency and the historical archive, the digitisation register of the agency
archives (files not digitised yet, digitised before, in and after the period), and dossiers
received from November of the year before (refused, withdrawn, still being handled, returned
before, at or after the appointed time, kept as electronic files or not). Statuses are
scaled down: the full lifecycle (01, 03-06, about 4 statuses) on ``--status-share`` of the
incoming axis copies (default 0.3), status 01 alone on the rest. The schema comes from
``checker.store.engine.open_store`` (the Alembic migrations); the loader drops the secondary indexes
and unique constraints it finds there, loads the rows (SQLite: ``executemany``, one
transaction per chunk, ``synchronous=OFF`` and a 1 GiB page cache for the load only;
PostgreSQL: ``COPY ... FROM STDIN``) and creates the same indexes again from their stored
definitions. The documents go in with their facts stale (``fact_*`` NULL, as every writer of
the product leaves them); once the indexes are back and the rows vacuumed and analysed (as
autovacuum does after a large write), ``metrics.facts.refresh_facts`` works them out for
every row, as the first measuring run after a load does, and its seconds are printed
("facts"). Generation, loading and the facts are timed apart and are not part of the
comparison: the catalogue is timed on a store whose facts are up to date. Then two nightly
runs (``nightly``): rows written again (marked stale), and the catalogue timed once more with
their facts worked out first. The Python pass reads the raw rows (documents and statuses),
not the facts, so it also checks that the facts are right.

Run:  uv run python benchmarks/metrics_province.py [--scale 0.1] [--db sqlite|postgresql|both]
PostgreSQL: CHECKER_BENCH_PG_URL (default postgresql://127.0.0.1:5432/test); the benchmark
works in a database of its own, created and dropped (kept with ``--keep-postgresql``; SQLite
with ``--keep PATH``). ``--reuse URL`` measures a kept store again without generating it,
``--reuse URL --full-facts`` first times working out every document's facts anew.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import tempfile
import time
import uuid
from bisect import bisect_left
from calendar import monthrange
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, func, select
from sqlalchemy.engine import make_url

from checker.config import Agency, Deployment, Group
from checker.store.derived import mark_all_stale, mark_stale
from checker.store.engine import create_store_engine, normalise_url, open_store
from checker.store.models import (
    AGENCY_CODE,
    CALENDAR_DAY,
    DIGITISED_FILE,
    DOCUMENT,
    DOSSIER,
    EVENT,
    FILE_LIST,
    RECORD_FILE,
    TRANSFER,
)
from checker.store.records import AXIS
from checker.store.registry import write_registry
from metrics.calendar import WorkingCalendar
from metrics.facts import (
    ACKNOWLEDGED,
    ASSIGNED,
    CHANGE_ACCEPTED,
    CHANGE_REFUSED,
    RECALL,
    RECALL_ONLY,
    REFUSED,
    REGISTERED,
    SUBMITTED,
    refresh_facts,
)
from metrics.facts import (
    CHUNK as FACTS_CHUNK,
)
from metrics.files import FilesConfig
from metrics.measure import measure_all
from metrics.outbound import NUMBERING_ANOMALIES
from metrics.period import Period
from metrics.transfers import (
    AGENCY_ARCHIVE,
    CONSTRUCTION_MONTHS,
    HISTORICAL_ARCHIVE,
    HISTORICAL_YEARS,
    LAW_2024_IN_FORCE,
    MIN_RETENTION_YEARS,
)
from metrics.values import MetricValue
from metrics.workdays import write_period_calendar

YEAR = 2025
PERIOD = Period.year(YEAR)
CHUNK = 50_000
PG_DEFAULT = "postgresql://127.0.0.1:5432/test"
FETCHED = "2026-01-05 08:00:00.000000"
SOURCE = "bench"
Row = tuple[Any, ...]

# --- generation: the province ------------------------------------------------------------

DOCUMENT_COLUMNS = (
    "direction", "organ_id", "doc_key", "sender_id", "sender_name", "recipients", "code",
    "code_number", "code_notation", "doc_type", "type_name", "subject", "promulgation_date",
    "due_date", "sent_at", "doc_date", "priority", "business_type", "recall_sent", "channel",
    "flags", "source", "locator", "fetched_at", "external_id", "arrival_number", "arrived_at",
    "registered_at", "submitted_at", "assigned_at", "signed_at", "issued_at",
    "digitally_signed", "file_code", "recalled", "updated_at",
)  # fmt: skip
EVENT_COLUMNS = (
    "doc_key", "ref_key", "ref_sender_id", "ref_code", "actor_id", "status_code",
    "description", "occurred_at", "occurred_on", "flags", "source", "locator", "fetched_at",
)  # fmt: skip
FILE_COLUMNS = (
    "organ_id", "file_code", "external_id", "title", "year", "retention_code",
    "retention_years", "listed", "electronic", "opened_at", "closed_at", "work_ended_on",
    "construction", "final_settlement_on", "metadata_complete", "document_count",
    "updated_at", "source", "locator", "fetched_at",
)  # fmt: skip
LIST_COLUMNS = (
    "organ_id", "year", "external_id", "issued_on", "updated_at", "source", "locator",
    "fetched_at",
)  # fmt: skip
TRANSFER_COLUMNS = (
    "organ_id", "kind", "file_code", "external_id", "transferred_on", "status",
    "retention_code", "updated_at", "source", "locator", "fetched_at",
)  # fmt: skip
REGISTER_COLUMNS = (
    "organ_id", "file_code", "external_id", "title", "digitised_on", "pages", "updated_at",
    "source", "locator", "fetched_at",
)  # fmt: skip
DOSSIER_COLUMNS = (
    "organ_id", "dossier_code", "external_id", "asked_for", "procedure_code", "procedure_name",
    "received_at", "due_at", "returned_at", "status", "electronic_file", "online", "updated_at",
    "source", "locator", "fetched_at",
)  # fmt: skip
RECONCILED = {"sources", "field_sources", "disagreements"}  # left at their defaults
COLUMNS = {
    "document": DOCUMENT_COLUMNS,
    "document_event": EVENT_COLUMNS,
    "record_file": FILE_COLUMNS,
    "file_list": LIST_COLUMNS,
    "transfer": TRANSFER_COLUMNS,
    "digitised_file": REGISTER_COLUMNS,
    "dossier": DOSSIER_COLUMNS,
}
TABLES = {
    "document": DOCUMENT,
    "document_event": EVENT,
    "record_file": RECORD_FILE,
    "file_list": FILE_LIST,
    "transfer": TRANSFER,
    "digitised_file": DIGITISED_FILE,
    "dossier": DOSSIER,
}
RETENTIONS = (
    ("01", None), ("02", 70), ("05", 20), ("06", 10), ("06", None), (None, 5), (None, 2),
    (None, None), ("VV", None),
)  # fmt: skip
"""Retention (code, years reported) of the generated files: the deployment's default codes
(01 permanent, 02 70 years ... 06 10 years; with or without the years), years the software
reported with no code, and retention not reported (no code, or a code the deployment does
not list, without years): unknown."""
RETENTION_WEIGHTS = (15, 10, 20, 10, 10, 15, 16, 3, 1)
PROCEDURES = (
    ("1.001234", "Cấp giấy chứng nhận đăng ký hộ kinh doanh"),
    ("1.004227", "Đăng ký khai sinh"),
    ("2.000889", "Cấp giấy phép xây dựng"),
    ("1.003583", "Chứng thực bản sao từ bản chính"),
)
FIRST_DAY = datetime(YEAR, 1, 1)
FETCHED_AT = datetime(YEAR + 1, 1, 5, 8)

DOC_TYPES = ("CV", "CV", "CV", "QĐ", "TB", "BC", "KH", "TTr", "GM")
TOPICS = (
    "triển khai chuyển đổi số", "báo cáo tình hình kinh tế - xã hội",
    "kế hoạch cải cách hành chính", "phòng chống thiên tai", "giải quyết thủ tục hành chính",
    "công tác văn thư, lưu trữ",
    "quản lý đầu tư công", "tổ chức hội nghị", "thi đua khen thưởng", "dự toán ngân sách",
)  # fmt: skip
LIFECYCLE = (("03", 0.95), ("04", 0.9), ("05", 0.85), ("06", 0.8))
"""Statuses after 01, each sent with this chance once the one before it was."""


@dataclass(frozen=True)
class Shape:
    agencies: int
    documents: int
    files: int
    status_share: float
    seed: int


@dataclass(frozen=True)
class Province:
    """The registry: main codes, alternative codes, and how much each agency sends."""

    codes: list[str]
    alternative: dict[str, str]
    cum_weights: list[float]
    deployment: Deployment


def province(count: int, rng: random.Random) -> Province:
    """Departments (5%), districts (5%) and communes; a tenth carry an older second code."""
    groups = (
        Group(id="so", name="Sở, ban, ngành", criteria="danang-electronic-example"),
        Group(id="huyen", name="UBND cấp huyện", criteria="danang-electronic-example"),
        Group(id="xa", name="UBND cấp xã", criteria="danang-electronic-example"),
    )
    codes, agencies, weights, alternative = [], [], [], {}
    for i in range(count):
        code = f"{i // 1000:03d}.{i // 100 % 10:02d}.{i % 100:02d}.H40"
        group, mu = ("so", 3.0) if i < count * 0.05 else ("huyen", 2.0)
        if i >= count * 0.1:
            group, mu = "xa", 0.5
        extra = (f"H40.{i:05d}",) if rng.random() < 0.1 else ()
        if extra:
            alternative[code] = extra[0]
        codes.append(code)
        weights.append(rng.lognormvariate(mu, 0.6))
        agencies.append(Agency(code=code, codes=extra, name=f"Cơ quan số {i}", group=group))
    deployment = Deployment(city="Tỉnh mẫu", groups=groups, agencies=tuple(agencies))
    return Province(codes, alternative, list(accumulate(weights)), deployment)


class Days:
    """Days from 1 January 2025 by number, with working-day steps and stored text forms."""

    def __init__(self, calendar: WorkingCalendar) -> None:
        first = date(YEAR, 1, 1)
        self.dates = [first + timedelta(n) for n in range(2 * 366)]
        self.iso = [d.isoformat() for d in self.dates]
        self.slashed = [d.strftime("%Y/%m/%d") for d in self.dates]
        self.working = [n for n, d in enumerate(self.dates) if calendar.is_working_day(d)]
        self.position = [bisect_left(self.working, n) for n in range(len(self.dates))]
        self.sending = [n for n in self.working if n < 365]
        self.off = sorted(set(range(365)) - set(self.working))

    def working_after(self, day: int, steps: int) -> int:
        """``steps`` working days after the first working day on or after ``day``."""
        return self.working[self.position[day] + steps]

    def at(self, day: int, minute: int) -> str:
        minute = min(minute, 1439)
        return f"{self.iso[day]} {minute // 60:02d}:{minute % 60:02d}:00.000000"


def _stamp(moment: datetime | None) -> str | None:
    """A time as the store keeps it (naive Vietnam time)."""
    return None if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S.000000")


def _lag(rng: random.Random, same: float, next_day: float, most: int) -> int:
    """0 working days with chance ``same``, 1 with ``next_day``, else 2..``most``."""
    r = rng.random()
    return 0 if r < same else 1 if r < same + next_day else rng.randint(2, most)


class Generator:
    """Rows of the province, in chunks of about ``CHUNK`` documents."""

    def __init__(self, shape: Shape, calendar: WorkingCalendar) -> None:
        self.shape = shape
        self.rng = random.Random(shape.seed)
        self.days = Days(calendar)
        self.province = province(shape.agencies, self.rng)
        self.unknown = [f"000.99.{n:02d}.H40" for n in range(20)]
        self.external = [f"000.00.{n:02d}.G{n % 7:02d}" for n in range(60)]
        self.numbers: Counter[str] = Counter()
        self.serial = 0
        self.axis_copies = 0

    def chunks(self) -> Iterator[dict[str, list[Row]]]:
        documents, events, written = [], [], 0
        while written + len(documents) < self.shape.documents:
            self._message(documents, events)
            if len(documents) >= CHUNK:
                written += len(documents)
                yield {"document": documents, "document_event": events}
                documents, events = [], []
        yield {"document": documents, "document_event": events}
        yield from self._file_chunks()
        yield from self._dossier_chunks()

    # documents and statuses

    def _agency(self) -> str:
        codes, weights = self.province.codes, self.province.cum_weights
        return self.rng.choices(codes, cum_weights=weights)[0]

    def _carried(self, agency: str) -> str:
        """The code a document carries for ``agency``: its older code now and then."""
        other = self.province.alternative.get(agency)
        return other if other is not None and self.rng.random() < 0.15 else agency

    def _recipients(self, sender: str) -> tuple[list[str], list[str]]:
        """The codes stored as incoming copies, and every code the message lists."""
        rng = self.rng
        r = rng.random()
        k = 1 if r < 0.4 else rng.randint(2, 3) if r < 0.7 else rng.randint(4, 6)
        if r >= 0.9:
            k = rng.randint(7, 20)
        picked = rng.choices(self.province.codes, cum_weights=self.province.cum_weights, k=k)
        stored = [self._carried(a) for a in dict.fromkeys(picked) if a != sender]
        if rng.random() < 0.01:
            stored.append(rng.choice(self.unknown))
        listed = list(stored)
        if rng.random() < 0.2:
            listed += rng.sample(self.external, rng.randint(1, 2))
        return stored, listed

    def _message(self, documents: list[Row], events: list[Row]) -> None:
        rng, days = self.rng, self.days
        self.serial += 1
        day = rng.choice(days.sending if rng.random() < 0.96 else days.off)
        minute = rng.randrange(450, 1020)
        internal = rng.random() < 0.9
        agency = self._agency() if internal else ""
        sender = self._carried(agency) if internal else rng.choice(self.external)
        stored, listed = self._recipients(agency)
        if not stored and not internal:
            return
        r = rng.random()
        business_type = 0 if r < 0.95 else 2 if r < 0.97 else 3 if r < 0.99 else RECALL_ONLY
        r = rng.random()
        priority = 0 if r < 0.85 else 1 if r < 0.97 else 2
        doc_type = rng.choice(DOC_TYPES)
        notation = "UBND-VP" if doc_type == "CV" else f"{doc_type}-UBND"
        number = self._number(agency or sender, business_type)
        code = f"{number}/{notation}" if number else None
        r = rng.random()
        channel = AXIS if r < 0.82 else "paper" if r < 0.94 else "email"
        issue_day, issue_minute = day, minute
        if internal and rng.random() < 0.9:  # the sender's software reports signing and issue
            lag = _lag(rng, 0.75, 0.17, 5)
            issue_day = day if lag == 0 else days.working_after(day, lag)
            issue_minute = minute + rng.randrange(5, 120) if lag == 0 else rng.randrange(450, 1020)
            signed: tuple[str | None, str | None] = (
                days.at(day, minute),
                days.at(issue_day, issue_minute),
            )
        else:
            signed = (None, None)
        doc_key = f"{sender},{days.slashed[day]},{code or '-'}.{self.serial}"
        common = (
            ";".join(listed), code, number, notation, doc_type, None,
            f"V/v {rng.choice(TOPICS)} ({self.serial})", days.iso[day], None,
            days.at(issue_day, issue_minute) if channel != "paper" else None,
        )  # fmt: skip
        if internal:
            documents.append(self._outgoing(doc_key, sender, common, issue_day, priority,
                                            business_type, channel, signed))  # fmt: skip
        for organ in stored:
            documents.append(self._incoming(doc_key, organ, sender, common, issue_day,
                                            issue_minute, priority, business_type, channel,
                                            events))  # fmt: skip
        if internal and channel == AXIS and rng.random() < 0.004:
            self._recall(doc_key, sender, code, stored, issue_day, events)

    def _number(self, agency: str, business_type: int) -> str | None:
        """The next number of the agency's 2025 sequence, with the odd gap, repeat or
        malformed number; a document known only from a recall repeats an earlier number
        (one known from an update or a replacement, its original not read, has its own)."""
        rng = self.rng
        if business_type == RECALL_ONLY:
            return str(max(1, self.numbers[agency] - rng.randrange(10)))
        r = rng.random()
        if r < 0.003:
            self.numbers[agency] += 2
        elif r < 0.005:
            return str(max(1, self.numbers[agency]))
        elif r < 0.008:
            return rng.choice((None, f"{self.numbers[agency]}a", "0"))
        else:
            self.numbers[agency] += 1
        return str(self.numbers[agency])

    def _outgoing(
        self,
        doc_key: str,
        sender: str,
        common: Row,
        issue_day: int,
        priority: int,
        business_type: int,
        channel: str,
        signed: tuple[str | None, str | None],
    ) -> Row:
        rng = self.rng
        reported = signed[0] is not None
        digital = None
        if reported:
            r = rng.random()
            digital = 0 if channel == "paper" or r < 0.05 else None if r < 0.1 else 1
        return (
            "out", sender, doc_key, sender, None, *common, self.days.iso[issue_day], priority,
            business_type, int(business_type == RECALL_ONLY), channel, "", SOURCE,
            f"out/{self.serial}", FETCHED,
            f"VBDI-{self.serial}" if reported else None, None, None, None, None, None,
            *signed, digital,
            f"{YEAR}.{rng.randrange(1, 200):05d}" if reported and rng.random() < 0.5 else None,
            int(rng.random() < 0.003), None,
        )  # fmt: skip

    def _incoming(
        self,
        doc_key: str,
        organ: str,
        sender: str,
        common: Row,
        issue_day: int,
        issue_minute: int,
        priority: int,
        business_type: int,
        channel: str,
        events: list[Row],
    ) -> Row:
        rng, days = self.rng, self.days
        if rng.random() < 0.03:
            channel = "paper"
        arrival = issue_day + rng.randint(1, 3) if channel == "paper" else issue_day
        minute = issue_minute + 1 if channel != "paper" else rng.randrange(450, 1020)
        times: list[str | None] = [None] * 4  # arrived, registered, submitted, assigned
        reported = rng.random() < 0.75
        if reported:
            times[0] = days.at(arrival, minute)
            day = arrival
            for step, chance in enumerate((0.9, 0.85, 0.85), start=1):
                if rng.random() >= chance:
                    break
                day = days.working_after(day, _lag(rng, 0.6, 0.25, 5))
                minute = rng.randrange(450, 1020)
                times[step] = days.at(day, minute)
        if channel == AXIS:
            self.axis_copies += 1
            events += self._statuses(doc_key, sender, common[1], organ, arrival)
        return (
            "in", organ, doc_key, sender, None, *common, days.iso[arrival], priority,
            business_type, int(business_type == RECALL_ONLY), channel, "", SOURCE,
            f"in/{self.serial}/{organ}", FETCHED,
            f"VBDEN-{self.serial}" if reported else None,
            str(rng.randrange(1, 9999)) if reported else None, *times, None, None, None,
            f"{YEAR}.{rng.randrange(1, 200):05d}" if reported and rng.random() < 0.55 else None,
            int(rng.random() < 0.002), None,
        )  # fmt: skip

    def _statuses(
        self, doc_key: str, sender: str, code: str | None, actor: str, arrival: int
    ) -> list[Row]:
        """Status 01 on most copies; the whole lifecycle (02, or 03 to 06) on a share."""
        rng, days = self.rng, self.days
        rows = []
        if rng.random() < 0.97:
            lag = _lag(rng, 0.8, 0.15, 4)
            day = arrival if lag == 0 else days.working_after(arrival, lag)
            rows.append(self._event(doc_key, sender, code, actor, "01", day))
        if rng.random() >= self.shape.status_share:
            return rows
        if rng.random() < 0.02:
            day = days.working_after(arrival, _lag(rng, 0.7, 0.3, 2))
            return [*rows, self._event(doc_key, sender, code, actor, "02", day)]
        day = arrival
        for status, chance in LIFECYCLE:
            if rng.random() >= chance:
                break
            day = days.working_after(day, _lag(rng, 0.5, 0.3, 6))
            rows.append(self._event(doc_key, sender, code, actor, status, day))
        return rows

    def _recall(
        self,
        doc_key: str,
        sender: str,
        code: str | None,
        stored: list[str],
        issue_day: int,
        events: list[Row],
    ) -> None:
        """The sender recalls the document (13); each recipient agrees (15) or refuses (16)."""
        day = self.days.working_after(issue_day, self.rng.randint(1, 5))
        events.append(self._event(doc_key, sender, code, sender, "13", day))
        for organ in stored:
            answer = "15" if self.rng.random() < 0.75 else "16"
            events.append(self._event(doc_key, sender, code, organ, answer, day))

    def _event(
        self, doc_key: str, sender: str, code: str | None, actor: str, status: str, day: int
    ) -> Row:
        days = self.days
        at = days.at(day, self.rng.randrange(450, 1020))
        return (
            doc_key, doc_key, sender, code, actor, status, None, at, days.iso[day], "",
            SOURCE, f"status/{self.serial}/{actor}/{status}", FETCHED,
        )  # fmt: skip

    # files, lists, transfers

    def _file_chunks(self) -> Iterator[dict[str, list[Row]]]:
        rng = self.rng
        codes = self.province.codes
        lists = [
            self._file_list(code, year)
            for code in codes
            for year in range(2010, YEAR + 1)
            if rng.random() < 0.95
        ]
        yield {"file_list": lists}
        sequence: Counter[tuple[str, int]] = Counter()
        files: list[Row] = []
        transfers: list[Row] = []
        register: list[Row] = []
        for n in range(self.shape.files):
            organ = self._carried(self._agency())
            year = YEAR if rng.random() < 0.2 else rng.randint(2010, YEAR - 1)
            sequence[organ, year] += 1
            file_code = f"{year}.{sequence[organ, year]:05d}"
            files.append(self._file(n, organ, file_code, year, transfers, register))
            if len(files) >= CHUNK:
                yield {"record_file": files, "transfer": transfers, "digitised_file": register}
                files, transfers, register = [], [], []
        yield {"record_file": files, "transfer": transfers, "digitised_file": register}

    def _file_list(self, organ: str, year: int) -> Row:
        rng = self.rng
        r = rng.random()
        issued = None
        if r < 0.7:
            issued = date(year, 1, rng.randint(1, 31))
        elif r < 0.95:
            issued = date(year, rng.randint(2, 3), rng.randint(1, 28))
        return (
            organ, year, f"DM-{organ}-{year}", issued.isoformat() if issued else None, None,
            SOURCE, f"list/{organ}/{year}", FETCHED,
        )  # fmt: skip

    def _file(
        self,
        n: int,
        organ: str,
        file_code: str,
        year: int,
        transfers: list[Row],
        register: list[Row],
    ) -> Row:
        rng = self.rng
        code, years = rng.choices(RETENTIONS, weights=RETENTION_WEIGHTS)[0]
        kept = retention(code, years, self.province.deployment.files)
        listed = rng.random() < 0.9
        share = 0.75 if year == YEAR else 0.6 if year == YEAR - 1 else 0.4 if year >= 2020 else 0.1
        electronic = rng.random() < (share if listed else share / 2)
        complete = rng.choices((None, 1, 0), weights=(15, 65, 20))[0] if electronic else None
        opened = date(year, 1, 1) + timedelta(rng.randrange(365))
        ended = None
        if rng.random() < (0.35 if year == YEAR else 0.9):
            ended = min(opened + timedelta(rng.randrange(30, 540)), date(YEAR, 12, 30))
        construction = rng.random() < 0.03
        settled = None
        if construction and ended is not None and rng.random() < 0.7:
            settled = min(ended + timedelta(rng.randrange(30, 700)), date(YEAR, 12, 30))
        held = self._transfers(organ, file_code, kept, code, construction, settled, ended,
                               transfers)  # fmt: skip
        if rng.random() < (0.5 if held else 0.03):  # the archive's register lists it
            register.append(self._digitised(organ, file_code))
        return (
            organ, file_code, f"HS-{n}", f"Hồ sơ {file_code}", year, code, years, int(listed),
            int(electronic),
            f"{opened.isoformat()} 08:00:00.000000",
            f"{ended.isoformat()} 17:00:00.000000" if ended else None,
            ended.isoformat() if ended else None, int(construction),
            settled.isoformat() if settled else None, complete, rng.randint(1, 40), None,
            SOURCE, f"file/{n}", FETCHED,
        )  # fmt: skip

    def _transfers(
        self,
        organ: str,
        file_code: str,
        kept: float | None,
        code: str | None,
        construction: bool,
        settled: date | None,
        ended: date | None,
        transfers: list[Row],
    ) -> bool:
        """Most files due to the agency archive went there, on time or late (some after the
        period); permanent ones due to the historical archive went on in part. Files of
        unknown retention go the same ways. True when the agency archive received the file."""
        rng = self.rng
        due = agency_archive_deadline(construction, settled, ended)
        as_of = PERIOD.end
        if kept is not None and kept < MIN_RETENTION_YEARS:
            return False
        if due is None or due > as_of or rng.random() >= 0.75:
            return False
        moved = due - timedelta(rng.randrange(180)) if rng.random() < 0.65 else None
        moved = moved or due + timedelta(rng.randint(1, 500))
        r = rng.random()
        status = "received" if r < 0.92 else "pending" if r < 0.97 else "returned"
        undated = status == "received" and rng.random() < 0.01
        transfers.append(self._transfer(organ, AGENCY_ARCHIVE, file_code, moved, status, code,
                                        undated))  # fmt: skip
        historical_due = historical_deadline(moved)
        if kept not in (PERMANENT, None) or status != "received" or undated:
            return status == "received"
        if historical_due <= as_of and rng.random() < 0.6:
            late = rng.random() >= 0.5
            day = historical_due + timedelta(rng.randint(1, 700) if late else -rng.randrange(365))
            transfers.append(self._transfer(organ, HISTORICAL_ARCHIVE, file_code, day,
                                            "received", code, False))  # fmt: skip
        return True

    def _digitised(self, organ: str, file_code: str) -> Row:
        """The register's entry of a file: not digitised yet, digitised before the period,
        in it, or after it."""
        rng = self.rng
        r = rng.random()
        day: date | None = None
        if r < 0.45:
            day = date(rng.randint(2019, YEAR - 1), rng.randint(1, 12), rng.randint(1, 28))
        elif r < 0.75:
            day = date(YEAR, 1, 1) + timedelta(rng.randrange(365))
        elif r < 0.8:
            day = date(YEAR + 1, 1, rng.randint(1, 4))
        return (
            organ, file_code, f"SH-{organ}-{file_code}", f"Hồ sơ {file_code}",
            day.isoformat() if day else None, rng.randint(5, 400) if day else 0, None, SOURCE,
            f"digitised/{organ}/{file_code}", FETCHED,
        )  # fmt: skip

    def _dossier_chunks(self) -> Iterator[dict[str, list[Row]]]:
        """One-stop-shop dossiers, half as many as files, received from November of the year
        before to the end of the period."""
        dossiers: list[Row] = []
        for n in range(self.shape.files // 2):
            dossiers.append(self._dossier(n))
            if len(dossiers) >= CHUNK:
                yield {"dossier": dossiers}
                dossiers = []
        yield {"dossier": dossiers}

    def _dossier(self, n: int) -> Row:
        rng = self.rng
        organ = self._carried(self._agency())
        received = FIRST_DAY + timedelta(
            days=rng.randrange(-60, 365), minutes=rng.randrange(450, 1020)
        )
        due = None
        if rng.random() < 0.95:
            due = datetime.combine(
                (received + timedelta(days=rng.randint(1, 20))).date(),
                datetime.min.time(),
            ) + timedelta(hours=rng.choice((10, 17)))
        returned = None
        r = rng.random()
        status = "refused" if r < 0.03 else "withdrawn" if r < 0.05 else "processing"
        if status == "processing" and rng.random() < 0.92:
            if due is not None and rng.random() < 0.03:
                returned = due  # at the appointed minute: on time
            else:
                base = due or received + timedelta(days=10)
                returned = base + timedelta(minutes=rng.randint(-12 * 1440, 3 * 1440))
                returned = max(returned, received + timedelta(minutes=30))
            if returned < FETCHED_AT:
                status = "returned"
            else:
                returned = None
        r = rng.random()
        electronic = 1 if r < 0.7 else 0 if r < 0.9 else None
        procedure = rng.choice(PROCEDURES)
        return (
            organ, f"{organ}-{n:07d}", f"MC-{n}", organ, *procedure, _stamp(received),
            _stamp(due), _stamp(returned), status, electronic, int(rng.random() < 0.4), None,
            SOURCE, f"dossier/{organ}/{n}", FETCHED,
        )  # fmt: skip

    def _transfer(
        self,
        organ: str,
        kind: str,
        file_code: str,
        day: date,
        status: str,
        code: str | None,
        undated: bool,
    ) -> Row:
        return (
            organ, kind, file_code, f"NL-{kind}-{organ}-{file_code}",
            None if undated else day.isoformat(), status, code, None, SOURCE,
            f"transfer/{kind}/{organ}/{file_code}", FETCHED,
        )  # fmt: skip


# --- loading -------------------------------------------------------------------------------


@dataclass
class Target:
    """A database under test and the seconds spent on it."""

    name: str
    url: str
    drop: Callable[[], None]
    seconds: dict[str, float] = field(default_factory=dict)
    rows: Counter[str] = field(default_factory=Counter)
    loading: Any = None  # the DBAPI connection the rows are loaded through
    indexes: list[str] = field(default_factory=list)  # dropped for the load, created after
    facts: int = 0  # document rows whose facts were worked out after the load

    def timed(self, step: str, started: float) -> None:
        self.seconds[step] = self.seconds.get(step, 0.0) + time.perf_counter() - started


def sqlite_target(path: Path) -> Target:
    return Target("sqlite", f"sqlite:///{path}", lambda: None)


def postgresql_target(server_url: str, keep: bool = False) -> Target:
    admin_url = normalise_url(server_url)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"checker_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        if keep:
            print(f"kept the PostgreSQL database {name}")
            admin.dispose()
            return
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    return Target("postgresql", url, drop)


def start_load(target: Target) -> None:
    """Create the schema through the migrations, then drop the secondary indexes and
    unique constraints of the loaded tables (kept to be created again after the load)."""
    open_store(target.url).dispose()
    raw = target.loading = create_store_engine(target.url).raw_connection()
    cursor = raw.cursor()
    names = tuple(TABLES)
    if target.name == "sqlite":
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA cache_size=-1048576")  # 1 GiB for the unique keys kept
        marks = ", ".join("?" for _ in names)
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            f" AND tbl_name IN ({marks})",
            names,
        )
        indexes = cursor.fetchall()
        for name, sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
            target.indexes.append(sql)
    else:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            " FROM pg_constraint WHERE contype = 'u' AND conrelid::regclass::text = ANY(%s)",
            (list(names),),
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            (list(names),),
        )
        for name, sql in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
            target.indexes.append(sql)
        for table, name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            target.indexes.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    raw.commit()


def write_chunk(target: Target, chunk: dict[str, list[Row]]) -> None:
    started = time.perf_counter()
    raw = target.loading
    for table, rows in chunk.items():
        columns = COLUMNS[table]
        names = ", ".join(columns)
        if target.name == "sqlite":
            marks = ", ".join("?" for _ in columns)
            raw.cursor().executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        else:
            with (
                raw.driver_connection.cursor() as cursor,
                cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        target.rows[table] += len(rows)
    raw.commit()
    target.timed("load", started)


def finish_load(target: Target, deployment: Deployment, calendar: WorkingCalendar) -> None:
    """Create the dropped indexes and constraints again, write the registry and the
    working-day calendar as ``checker score`` does, work out every document's facts, then
    gather planner statistics."""
    raw = target.loading
    started = time.perf_counter()
    cursor = raw.cursor()
    if target.name == "postgresql":
        cursor.execute("SET maintenance_work_mem = '1GB'")
    for sql in target.indexes:
        cursor.execute(sql)
    raw.commit()
    target.timed("indexes", started)
    raw.invalidate()  # closed for good: its load settings must not serve other work
    engine = open_store(target.url)
    with engine.begin() as connection:
        write_registry(connection, deployment)
        write_period_calendar(connection, calendar, PERIOD)
    engine.dispose()
    # the rows just copied in, vacuumed and analysed as the database's own maintenance
    # (autovacuum) does after a large write, before the facts are worked out
    analyze(target, "vacuum")
    engine = open_store(target.url)
    started = time.perf_counter()
    with engine.begin() as connection:
        target.facts = refresh_facts(connection)
    target.timed("facts", started)
    engine.dispose()
    analyze(target)


def analyze(target: Target, step: str = "analyze") -> None:
    """Gather planner statistics (and, on PostgreSQL, the visibility map that index-only
    scans need) as a store's nightly maintenance does."""
    started = time.perf_counter()
    engine = create_store_engine(target.url).execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE" if target.name == "sqlite" else "VACUUM ANALYZE")
    engine.dispose()
    target.timed(step, started)


# --- the catalogue, as `checker score` measures it ---------------------------------------


@dataclass
class Statement:
    sql: str
    parameters: Any
    started: float
    seconds: float = 0.0


def timed_catalogue(
    engine: Engine, deployment: Deployment, calendar: WorkingCalendar
) -> tuple[float, list[MetricValue], list[Statement]]:
    """One run of the catalogue, with the statements it sent and the seconds until the
    next one (a statement's execution, fetching and the Python around it)."""
    statements: list[Statement] = []

    def record(_conn: Any, _cursor: Any, sql: str, parameters: Any, *_args: Any) -> None:
        statements.append(Statement(sql, parameters, time.perf_counter()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        with engine.begin() as connection:
            started = time.perf_counter()
            values = measure_all(connection, PERIOD, calendar, deployment.files)
            ended = time.perf_counter()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    for statement, following in zip(statements, [*statements[1:], None], strict=True):
        statement.seconds = (following.started if following else ended) - statement.started
    return ended - started, values, statements


def plan(connection: Connection, statement: Statement) -> list[str]:
    """The plan of ``statement``: every step on SQLite, every node on PostgreSQL."""
    parameters = statement.parameters or None
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement.sql}", parameters)
        depth: dict[int, int] = {0: 0}
        lines = []
        for node, parent, _unused, detail in rows:
            depth[node] = depth.get(parent, 0) + 1
            lines.append("  " * depth[node] + detail)
        return lines
    rows = connection.exec_driver_sql(f"EXPLAIN (COSTS OFF) {statement.sql}", parameters)
    text = [row[0] for row in rows]
    return ["  " + text[0], *("  " + line for line in text[1:] if "->" in line)]


def label(sql: str) -> str:
    read = [t for t in (*TABLES, "calendar_day") if re.search(rf"\b{t}\b", sql)]
    return ", ".join(read) or sql.split()[0]


# --- the same numbers from a plain Python pass over the rows -------------------------------


def _accepted(facts: Sequence[Any]) -> bool:
    """The agency's last answer to a change of the document is an acceptance (15)."""
    accepted, refused = facts[3], facts[4]
    return accepted is not None and (refused is None or accepted > refused)


ACK, REFUSED_BIT, REGISTERED_BIT, ASSIGNED_BIT = (1 << n for n in range(4))
NO_TIME = datetime(1900, 1, 1)


def _status_bits() -> dict[str, int]:
    """What each status code says, as bits: the code lists are the metrics' own."""
    bits: dict[str, int] = defaultdict(int)
    for codes, bit in (
        (ACKNOWLEDGED, ACK),
        (REFUSED, REFUSED_BIT),
        (REGISTERED, REGISTERED_BIT),
        (ASSIGNED, ASSIGNED_BIT),
    ):
        for code in codes:
            bits[code] |= bit
    return bits


STATUS_BITS = _status_bits()
INBOUND_IDS = (
    "inbound.received_axis",
    "inbound.acknowledged_same_day",
    "inbound.registered",
    "inbound.submitted_in_time",
    "inbound.assigned",
    "inbound.refused",
)
OUTBOUND_IDS = (
    "outbound.electronic_signed",
    "outbound.issued_axis",
    "outbound.issued_in_time",
    "outbound.acknowledged_all",
)
PLAIN_NUMBER = re.compile(r"[0-9]{1,9}")


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the last day of that month (Civil Code)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def historical_deadline(entered: date) -> date:
    """31 December of the 5th year after the year a file entered the agency's archive (Law on
    Archives 2024), as ``metrics.transfers`` reads it."""
    return date(entered.year + HISTORICAL_YEARS, 12, 31)


PERMANENT = float("inf")
"""The years a permanent file is kept."""


def retention(code: str | None, years: int | None, files: FilesConfig) -> float | None:
    """The years a file is kept (``PERMANENT``): its code's, read with the deployment's
    codes, else those its software reported; None when neither tells (unknown)."""
    if code is not None and code in files.retention_permanent:
        return PERMANENT
    if code is not None and code in files.retention_years:
        return files.retention_years[code]
    return years


def agency_archive_deadline(
    construction: bool, settled: date | None, ended: date | None
) -> date | None:
    if construction:
        return add_months(settled, CONSTRUCTION_MONTHS) if settled else None
    if ended is None:
        return None
    if ended >= LAW_2024_IN_FORCE:
        return date(ended.year + 1, 12, 31)
    return add_months(ended, 12)


class StoredCalendar:
    """The deadlines of a start day, from the ``calendar_day`` rows' working-day index (not
    from their stored deadlines, which the catalogue reads)."""

    def __init__(self, connection: Connection) -> None:
        day = CALENDAR_DAY.c
        rows = connection.execute(select(day.day, day.working, day.working_index)).all()
        self.days = {day: (working, index) for day, working, index in rows}
        self.working = {index: day for day, working, index in rows if working}
        self.cache: dict[date, tuple[date | None, date | None]] = {}

    def deadlines(self, start: date) -> tuple[date | None, date | None]:
        """The first working day on or after ``start``, and the working day after it (the
        same first working day when ``start`` is a day off)."""
        found = self.cache.get(start)
        if found is None:
            same = following = None
            working = False
            if start in self.days:
                working, index = self.days[start]
                same = self.working.get(index if working else index + 1)
            if same is not None:  # a day off is due on the next working day (Decree 30 Art. 22)
                following = self.working.get(self.days[same][1] + 1) if working else same
            found = self.cache[start] = (same, following)
        return found


class PythonPass:
    """Every metric of the catalogue from one streamed read of each table."""

    def __init__(self, connection: Connection, files: FilesConfig) -> None:
        self.connection = connection
        self.files = files
        self.rows = 0
        self.agency_of: dict[str, str] = dict(connection.execute(select(AGENCY_CODE)).all())
        self.calendar = StoredCalendar(connection)
        self.values: list[MetricValue] = []

    def stream(self, *columns: Any) -> Iterator[Any]:
        query = select(*columns).execution_options(yield_per=CHUNK)
        for row in self.connection.execute(query):
            self.rows += 1
            yield row

    def run(self) -> list[MetricValue]:
        statuses, recalls = self._statuses()
        documented = self._documents(statuses, recalls)
        received = self._files(documented)
        self._digitisation(received)
        self._onestop()
        return self.values

    def _add(self, counts: dict[str, list[int]], ids: Sequence[str]) -> None:
        for agency, c in counts.items():
            for i, metric_id in enumerate(ids):
                self.values.append(MetricValue(agency, metric_id, c[2 * i], c[2 * i + 1]))

    def _statuses(self) -> tuple[dict[tuple[str, str], list[Any]], set[str]]:
        """Per document and answering agency (or unregistered code): the statuses sent, the
        first acknowledgement and submission days, the last acceptance (15) and refusal (16)
        of a change; and the documents recalled (13)."""
        statuses: dict[tuple[str, str], list[Any]] = {}
        recalls: set[str] = set()
        e = EVENT.c
        for doc_key, actor, code, day, at in self.stream(
            e.doc_key, e.actor_id, e.status_code, e.occurred_on, e.occurred_at
        ):
            if code == RECALL:
                recalls.add(doc_key)
            key = (doc_key, self.agency_of.get(actor, actor))
            facts = statuses.get(key)
            if facts is None:
                facts = statuses[key] = [0, None, None, None, None]
            facts[0] |= STATUS_BITS[code]
            if code in (CHANGE_ACCEPTED, CHANGE_REFUSED):
                last = 3 if code == CHANGE_ACCEPTED else 4
                at = at or NO_TIME
                if facts[last] is None or at > facts[last]:
                    facts[last] = at
            if code in ACKNOWLEDGED and day is not None and (facts[1] is None or day < facts[1]):
                facts[1] = day
            if code in SUBMITTED and day is not None and (facts[2] is None or day < facts[2]):
                facts[2] = day
        return statuses, recalls

    def _documents(self, statuses: dict[tuple[str, str], list[Any]], recalls: set[str]) -> set[str]:
        """The document metrics, numbering and filing; the agencies whose own software
        reported documents in the period."""
        start, end = PERIOD.start, PERIOD.end
        inbound: dict[str, list[int]] = defaultdict(lambda: [0] * 12)
        outbound: dict[str, list[int]] = defaultdict(lambda: [0] * 8)
        filed: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        numbered: dict[tuple[str, int], Counter[tuple[int, str | None]]] = defaultdict(Counter)
        unacknowledged: set[str] = set()
        unaccepted_recall: set[str] = set()
        axis_out: list[tuple[str, str]] = []
        recalled_out: list[tuple[str, Any]] = []
        reported: set[str] = set()
        none = (0, None, None, None, None)
        d = DOCUMENT.c
        for row in self.stream(
            d.direction, d.organ_id, d.doc_key, d.doc_date, d.channel, d.priority, d.recalled,
            d.business_type, d.recall_sent, d.registered_at, d.submitted_at, d.assigned_at,
            d.signed_at,
            d.issued_at, d.digitally_signed, d.code_number, d.code_notation, d.external_id,
            d.file_code,
        ):  # fmt: skip
            incoming = row.direction == "in"
            recall_sent = row.recall_sent or row.doc_key in recalls
            if incoming:
                recipient = self.agency_of.get(row.organ_id, row.organ_id)
                answers = statuses.get((row.doc_key, recipient), none)
                if not answers[0] & ACK:
                    unacknowledged.add(row.doc_key)
                if recall_sent and not _accepted(answers):
                    unaccepted_recall.add(row.doc_key)
            agency = self.agency_of.get(row.organ_id)
            if agency is None:
                continue
            day = row.doc_date
            if not incoming and date(start.year, 1, 1) <= day <= end:
                number = row.code_number or ""
                plain = PLAIN_NUMBER.fullmatch(number) and int(number) >= 1
                if plain and (row.business_type != RECALL_ONLY or row.recalled):
                    numbered[agency, day.year][int(number), row.code_notation] += 1
            if not start <= day <= end:
                continue
            f = filed[agency]
            if row.external_id is not None:  # the agency's own software reported it
                reported.add(agency)
            if not row.recalled and row.external_id is not None:
                f[1] += 1
                f[0] += bool(row.file_code)
            if incoming:
                facts = statuses.get((row.doc_key, agency), none)
                recalled = recall_sent and _accepted(facts)
                self._inbound(row, facts, recalled, inbound[agency])
            elif recall_sent:  # counted once every copy has told whether it accepted
                recalled_out.append((agency, row))
            elif self._outbound(row, False, outbound[agency]):
                axis_out.append((agency, row.doc_key))
        for agency, row in recalled_out:
            if self._outbound(row, row.doc_key not in unaccepted_recall, outbound[agency]):
                axis_out.append((agency, row.doc_key))
        for agency, doc_key in axis_out:
            outbound[agency][6] += doc_key not in unacknowledged
        self._add(inbound, INBOUND_IDS)
        self._add(outbound, OUTBOUND_IDS)
        self._add(filed, ("files.documents_filed",))
        self._numbering(numbered)
        return reported

    def _inbound(self, row: Any, facts: Any, recalled: bool, c: list[int]) -> None:
        bits, acknowledged_on, first_submitted, _, _ = facts
        if row.recalled or row.business_type == RECALL_ONLY or recalled:
            return
        axis = row.channel == AXIS
        refused = bits & REFUSED_BIT
        same, following = self.calendar.deadlines(row.doc_date)
        c[1] += 1
        c[0] += axis
        if axis:
            c[3] += 1
            c[2] += acknowledged_on is not None and same is not None and acknowledged_on <= same
            c[11] += 1
            c[10] += bool(refused)
        if refused:
            return
        c[5] += 1
        c[4] += row.registered_at is not None or bool(bits & REGISTERED_BIT)
        submitted = row.submitted_at.date() if row.submitted_at else first_submitted
        due = same if row.priority >= 1 else following
        c[7] += 1
        c[6] += submitted is not None and due is not None and submitted <= due
        c[9] += 1
        c[8] += row.assigned_at is not None or bool(bits & ASSIGNED_BIT)

    def _outbound(self, row: Any, recalled: bool, c: list[int]) -> bool:
        """Count the row; True when it waits for every recipient's acknowledgement."""
        if row.recalled or row.business_type == RECALL_ONLY or recalled:
            return False
        axis = row.channel == AXIS
        c[1] += 1
        c[0] += row.digitally_signed is True and row.channel != "paper"
        c[3] += 1
        c[2] += axis
        if row.signed_at is not None and row.issued_at is not None:
            same, following = self.calendar.deadlines(row.signed_at.date())
            due = same if row.priority >= 1 else following
            c[5] += 1
            c[4] += due is not None and row.issued_at.date() <= due
        c[7] += axis
        return axis

    def _numbering(self, numbered: dict[tuple[str, int], Counter[tuple[int, str | None]]]) -> None:
        anomalies: Counter[str] = Counter()
        tops: Counter[str] = Counter()
        for (agency, _year), pairs in numbered.items():
            numbers = {number for number, _notation in pairs}
            top = max(numbers)
            repeated = sum(1 for count in pairs.values() if count > 1)
            anomalies[agency] += top - len(numbers) + repeated
            tops[agency] += top
        for agency, top in tops.items():
            self.values.append(MetricValue(agency, NUMBERING_ANOMALIES, anomalies[agency], top))

    def _files(self, documented: set[str]) -> dict[str, dict[tuple[str, str], date | None]]:
        """File list, file and transfer metrics; what the archives received (``_received``)."""
        year, end = PERIOD.end.year, PERIOD.end
        active = set(documented)
        issued: dict[str, date | None] = {}
        for organ, list_year, issued_on in self.stream(
            FILE_LIST.c.organ_id, FILE_LIST.c.year, FILE_LIST.c.issued_on
        ):
            agency = self.agency_of.get(organ)
            if agency is None or list_year != year:
                continue
            active.add(agency)
            known = issued.get(agency)
            if issued_on is not None and (known is None or issued_on < known):
                known = issued_on
            issued[agency] = known
        received = self._received()
        rates: dict[str, list[int]] = defaultdict(lambda: [0] * 4)
        due: dict[str, dict[str, list[int]]] = {k: defaultdict(lambda: [0, 0]) for k in received}
        f = RECORD_FILE.c
        for row in self.stream(
            f.organ_id, f.file_code, f.year, f.retention_code, f.retention_years, f.listed,
            f.electronic, f.metadata_complete, f.construction, f.final_settlement_on,
            f.work_ended_on,
        ):  # fmt: skip
            agency = self.agency_of.get(row.organ_id)
            if agency is None:
                continue
            if row.year == year:
                active.add(agency)
                c = rates[agency]
                c[1] += bool(row.listed)
                c[0] += bool(row.listed and row.electronic)
                c[3] += bool(row.electronic)
                c[2] += bool(row.electronic and row.metadata_complete is True)
            self._due(row, agency, received, due)
        cutoff = self.files.cutoff(year)
        for agency in active:
            first = issued.get(agency)
            measured = cutoff <= end or (first is not None and first <= end)
            on_time = measured and first is not None and first <= cutoff
            self.values.append(
                MetricValue(agency, "files.list_issued_on_time", int(on_time), int(measured))
            )
        self._add(rates, ("files.opened_electronic", "files.metadata_complete"))
        self._add(due[AGENCY_ARCHIVE], ("transfers.agency_archive_on_time",))
        self._add(due[HISTORICAL_ARCHIVE], ("transfers.historical_archive_on_time",))
        return received

    def _received(self) -> dict[str, dict[tuple[str, str], date | None]]:
        """Per archive, agency and file code: the first day received by the period's end."""
        received: dict[str, dict[tuple[str, str], date | None]] = {
            AGENCY_ARCHIVE: {},
            HISTORICAL_ARCHIVE: {},
        }
        t = TRANSFER.c
        for organ, kind, file_code, day, status in self.stream(
            t.organ_id, t.kind, t.file_code, t.transferred_on, t.status
        ):
            agency = self.agency_of.get(organ)
            if agency is None or kind not in received:
                continue
            first = received[kind].get((agency, file_code))
            if status == "received" and day is not None and day <= PERIOD.end:
                first = day if first is None else min(first, day)
            received[kind][agency, file_code] = first
        return received

    def _due(
        self,
        row: Any,
        agency: str,
        received: dict[str, dict[tuple[str, str], date | None]],
        due: dict[str, dict[str, list[int]]],
    ) -> None:
        key, as_of = (agency, row.file_code), PERIOD.end
        kept = retention(row.retention_code, row.retention_years, self.files)
        if kept is None:  # unknown: counted neither as due nor as not due
            return
        if kept >= MIN_RETENTION_YEARS:
            deadline = agency_archive_deadline(
                bool(row.construction), row.final_settlement_on, row.work_ended_on
            )
            if deadline is not None and deadline <= as_of:
                moved = received[AGENCY_ARCHIVE].get(key)
                c = due[AGENCY_ARCHIVE][agency]
                c[1] += 1
                c[0] += moved is not None and moved <= deadline
        entered = received[AGENCY_ARCHIVE].get(key)
        if kept == PERMANENT and entered is not None:
            deadline = historical_deadline(entered)
            if deadline <= as_of:
                moved = received[HISTORICAL_ARCHIVE].get(key)
                c = due[HISTORICAL_ARCHIVE][agency]
                c[1] += 1
                c[0] += moved is not None and moved <= deadline

    def _digitisation(self, received: dict[str, dict[tuple[str, str], date | None]]) -> None:
        """Files the agency archive holds at the period's end (on the register, or received
        by then; not received by the historical archive by then), and of those the ones
        digitised by the end, and in the period."""
        start, end = PERIOD.start, PERIOD.end
        held = {key for key, day in received[AGENCY_ARCHIVE].items() if day is not None}
        digitised: dict[tuple[str, str], date | None] = {}
        r = DIGITISED_FILE.c
        for organ, file_code, day in self.stream(r.organ_id, r.file_code, r.digitised_on):
            agency = self.agency_of.get(organ)
            if agency is None:
                continue
            key = (agency, file_code)
            held.add(key)
            first = digitised.get(key)
            digitised[key] = day if first is None or (day is not None and day < first) else first
        counts: dict[str, list[int]] = defaultdict(lambda: [0] * 4)
        for key in held:
            if received[HISTORICAL_ARCHIVE].get(key) is not None:
                continue
            day, c = digitised.get(key), counts[key[0]]
            c[1] += 1
            c[0] += day is not None and day <= end
            c[3] += 1
            c[2] += day is not None and start <= day <= end
        ids = ("digitisation.archive_digitised", "digitisation.digitised_in_period")
        self._add(counts, ids)

    def _onestop(self) -> None:
        """Dossiers returned in the period, kept as electronic files; dossiers whose
        appointed day is in the period (refused and withdrawn ones left out), returned by
        the appointed time. An agency with no dossier in a denominator has no value."""
        start, end = PERIOD.start, PERIOD.end
        counts: dict[str, list[int]] = defaultdict(lambda: [0] * 4)
        d = DOSSIER.c
        for organ, status, due, returned, electronic in self.stream(
            d.organ_id, d.status, d.due_at, d.returned_at, d.electronic_file
        ):
            agency = self.agency_of.get(organ)
            if agency is None:
                continue
            c = counts[agency]
            if status == "returned" and returned is not None and start <= returned.date() <= end:
                c[1] += 1
                c[0] += electronic is True
            has_result = status not in ("refused", "withdrawn")
            if has_result and due is not None and start <= due.date() <= end:
                c[3] += 1
                c[2] += returned is not None and returned <= due
        for agency, c in counts.items():
            for i, metric_id in enumerate(("onestop.kept_electronic", "onestop.returned_on_time")):
                if c[2 * i + 1]:
                    self.values.append(MetricValue(agency, metric_id, c[2 * i], c[2 * i + 1]))


# --- running it ----------------------------------------------------------------------------


def as_table(values: list[MetricValue]) -> dict[tuple[str, str], tuple[int, int]]:
    table = {(v.agency_code, v.metric_id): (v.numerator, v.denominator) for v in values}
    assert len(table) == len(values), "a metric is measured twice for an agency"
    return table


def compare(sql: list[MetricValue], python: list[MetricValue]) -> None:
    a, b = as_table(sql), as_table(python)
    if a == b:
        agencies = len({agency for agency, _metric in a})
        print(f"  values agree: {len(a):,} values for {agencies:,} agencies")
        return
    keys = sorted(set(a) | set(b))
    wrong = [(k, a.get(k), b.get(k)) for k in keys if a.get(k) != b.get(k)]
    by_metric = Counter(metric for (_agency, metric), _x, _y in wrong)
    for key, x, y in wrong[:10]:
        print(f"  DIFFERENT {key}: catalogue {x}, Python pass {y}")
    raise AssertionError(f"{len(wrong)} values differ: {dict(by_metric)}")


def measure(target: Target, deployment: Deployment, calendar: WorkingCalendar) -> None:
    engine = open_store(target.url)
    try:
        rows = sum(target.rows.values())
        runs = [timed_catalogue(engine, deployment, calendar) for _ in range(2)]
        best, values, statements = min(runs, key=lambda run: run[0])
        nights = nightly(engine, deployment, calendar, values)  # before the Python pass
        started = time.perf_counter()
        with engine.connect() as connection:
            python_pass = PythonPass(connection, deployment.files)
            python_values = python_pass.run()
        python = time.perf_counter() - started
        seconds = ", ".join(f"{run[0]:.2f}" for run in runs)
        print(f"  catalogue (SQL):  {best:8.2f} s  {rows / best:12,.0f} rows/s  (runs: {seconds})")
        print(f"  Python pass:      {python:8.2f} s  {python_pass.rows / python:12,.0f} rows/s")
        print(f"  ratio Python/SQL: {python / best:8.1f}x  (aim: 10x)")
        compare(values, python_values)
        for written, marked, seconds, facts in nights:
            print(
                f"  nightly run, {written} and their copies written again ({marked:,} rows):"
                f" catalogue {seconds:.2f} s, of which working out their facts {facts:.2f} s;"
                f" ratio Python/SQL {python / seconds:.1f}x"
            )
        print("  plans of the catalogue's queries (seconds in the best run):")
        with engine.connect() as connection:
            for n, statement in enumerate(statements, start=1):
                print(f"  [{n}] {statement.seconds:7.2f} s  reads {label(statement.sql)}")
                for line in plan(connection, statement):
                    print(f"      {line}")
    finally:
        engine.dispose()


NIGHT = date(YEAR, 6, 16)
"""A Monday of the measured year: the day whose documents get statuses again in a nightly
run (``nightly``)."""
WORKING_DAYS = 250
"""A working day's share of a year's documents is what one nightly run brings in."""


def nightly(
    engine: Engine, deployment: Deployment, calendar: WorkingCalendar, values: list[MetricValue]
) -> list[tuple[str, int, float, float]]:
    """Two nightly runs, each the catalogue timed with the facts of the rows written since
    the last run worked out first, as ``checker score`` runs it. The rows are marked stale
    as the loader and the software sync mark them (``checker.store.derived``: every copy of each
    document written): first the newest rows, a working day's share (a night's load, at the
    end of the tables), then every document dated ``NIGHT`` (statuses arriving for older
    documents, their rows spread over the whole store). Nothing changed in what the rows
    hold, so each run must give the ``values`` measured before. Returns for each what was
    written, the rows marked, the catalogue's seconds and those of working out the facts."""
    with engine.connect() as connection:
        newest = connection.execute(select(func.max(DOCUMENT.c.id))).scalar_one()
    day_share = newest // WORKING_DAYS
    loads = (
        ("the newest rows, a working day's share", DOCUMENT.c.id > newest - day_share),
        (f"the documents dated {NIGHT}", DOCUMENT.c.doc_date == NIGHT),
    )
    nights = []
    for written, rows in loads:
        with engine.begin() as connection:
            keys = connection.execute(select(DOCUMENT.c.doc_key).where(rows).distinct())
            mark_stale(connection, keys.scalars())
        with engine.connect() as connection:
            stale = DOCUMENT.c.fact_recalled.is_(None)
            count = select(func.count()).select_from(DOCUMENT).where(stale)
            marked = connection.execute(count).scalar_one()
        seconds, night_values, statements = timed_catalogue(engine, deployment, calendar)
        assert as_table(night_values) == as_table(values), f"{written}: values changed"
        facts = sum(s.seconds for s in statements if s.sql.lstrip().startswith("UPDATE"))
        nights.append((written, marked, seconds, facts))
    return nights


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=2000)
    parser.add_argument("--documents", type=int, default=10_000_000)
    parser.add_argument("--files", type=int, default=1_000_000)
    parser.add_argument("--scale", type=float, default=1.0, help="times documents and files")
    parser.add_argument(
        "--status-share", type=float, default=0.3, help="axis copies with every status"
    )
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--keep", type=Path, help="keep the SQLite database at this path")
    parser.add_argument(
        "--keep-postgresql", action="store_true", help="keep the PostgreSQL database (named)"
    )
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--reuse",
        metavar="URL",
        help="measure a store kept by an earlier run (same --agencies and --seed) instead",
    )
    parser.add_argument(
        "--full-facts",
        type=int,
        nargs="?",
        const=FACTS_CHUNK,
        metavar="ROWS",
        help="with --reuse: mark every document stale, then time working out all their facts"
        f" (in ranges of ROWS stale rows, default {FACTS_CHUNK:,})",
    )
    args = parser.parse_args()
    shape = Shape(
        args.agencies,
        round(args.documents * args.scale),
        round(args.files * args.scale),
        args.status_share,
        args.seed,
    )
    for table, columns in COLUMNS.items():
        facts = {c.name for c in TABLES[table].c if c.name.startswith("fact_")}  # loaded stale
        left = facts | RECONCILED  # one source per document: nothing to reconcile
        assert set(columns) == set(TABLES[table].c.keys()) - {"id"} - left, f"{table} changed"
    if args.reuse:
        reuse(args.reuse, shape, args.full_facts)
        return
    if args.keep and args.keep.exists():
        raise SystemExit(f"--keep {args.keep}: the file exists; give a new path")
    workdir = Path(tempfile.mkdtemp(prefix="checker-bench-"))
    targets: list[Target] = []
    try:
        if args.db in ("sqlite", "both"):
            targets.append(sqlite_target(args.keep or workdir / "province.db"))
        if args.db in ("postgresql", "both"):
            server = os.environ.get("CHECKER_BENCH_PG_URL", PG_DEFAULT)
            targets.append(postgresql_target(server, keep=args.keep_postgresql))
        run(shape, targets)
    finally:
        for target in targets:
            target.drop()
        shutil.rmtree(workdir, ignore_errors=True)


def reuse(url: str, shape: Shape, full_facts: int | None) -> None:
    """Measure a kept store again: its rows counted, the registry of ``shape``'s province
    (generated from the seed, as the store was), optionally every fact worked out anew."""
    url = normalise_url(url)
    engine = open_store(url)
    target = Target(engine.dialect.name, url, lambda: None)
    calendar = WorkingCalendar()
    deployment = Generator(shape, calendar).province.deployment
    with engine.connect() as connection:
        for table, model in TABLES.items():
            count = select(func.count()).select_from(model)
            target.rows[table] = connection.execute(count).scalar_one()
    print("rows: " + ", ".join(f"{target.rows[t]:,} {t}" for t in TABLES))
    if full_facts is not None:
        started = time.perf_counter()
        with engine.begin() as connection:
            mark_all_stale(connection)
        marked = time.perf_counter() - started
        analyze(target, "vacuum")  # as the database's own maintenance does after such a write
        started = time.perf_counter()
        with engine.begin() as connection:
            target.facts = refresh_facts(connection, full_facts)
        target.timed("facts", started)
        print(
            f"{target.name}: marked every row stale in {marked:.1f} s, vacuumed in"
            f" {target.seconds['vacuum']:.1f} s; worked out the facts of {target.facts:,}"
            f" rows in {target.seconds['facts']:.1f} s (in ranges of {full_facts:,})"
        )
    engine.dispose()
    analyze(target)
    print(f"{target.name}: vacuumed and analysed in {target.seconds['analyze']:.1f} s")
    measure(target, deployment, calendar)


def run(shape: Shape, targets: list[Target]) -> None:
    calendar = WorkingCalendar()
    print(
        f"province: {shape.agencies:,} agencies, {shape.documents:,} documents, "
        f"{shape.files:,} files, full lifecycle on {shape.status_share:.0%} of axis copies"
    )
    for target in targets:
        start_load(target)
    generator = Generator(shape, calendar)
    built, started = 0.0, time.perf_counter()
    for chunk in generator.chunks():
        built += time.perf_counter() - started
        for target in targets:
            write_chunk(target, chunk)
        started = time.perf_counter()
    built += time.perf_counter() - started
    counts = targets[0].rows
    print("rows: " + ", ".join(f"{counts[t]:,} {t}" for t in TABLES))
    statuses = counts["document_event"] / max(generator.axis_copies, 1)
    print(f"  {statuses:.1f} statuses per incoming axis copy (recalls included)")
    print(f"  built in {built:.1f} s (Python, shared by the databases; not compared)")
    for target in targets:
        finish_load(target, generator.province.deployment, calendar)
        steps = ", ".join(f"{step} {s:.1f} s" for step, s in target.seconds.items())
        print(f"{target.name}: generation {steps} (facts of {target.facts:,} document rows)")
    for target in targets:
        print(f"{target.name}:")
        measure(target, generator.province.deployment, calendar)


if __name__ == "__main__":
    main()
