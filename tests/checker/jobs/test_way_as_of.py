"""``checker way --as-of`` describes the agency as it stood on that day: what the store learnt
later (a file transferred after the day, documents arriving after it) neither lists an item
as done nor changes the counts and the year end. The way as of a day is the way a store
holding only what was there by that day gives."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from checker.config import Agency, Deployment, Group, ScoringConfig
from checker.jobs.way import way_to_next_grade
from checker.reports.way import WayReport
from checker.store.engine import open_store
from checker.store.loader import load
from checker.store.records import FileRecord, Read, TransferRecord
from checker.store.upsert import store_records
from tests.factories import doc, status

SNV, STC = "000.00.01.H99", "000.00.02.H99"
AS_OF = date(2025, 6, 30)
LATER = date(2025, 8, 31)
TODAY = date(2026, 1, 15)
FETCHED = datetime(2026, 1, 10, 8, 0)
METRIC = "transfers.agency_archive_on_time"

CRITERIA = """id = "transfers-only"
title = "Giao nộp hồ sơ"
total_max = 100

[[sections]]
id = "1"
title = "Giao nộp hồ sơ điện tử"
max = 100

  [[sections.criteria]]
  id = "1.1"
  title = "Giao nộp hồ sơ điện tử vào Lưu trữ cơ quan đúng hạn"
  max = 100
  kind = "measured"
  metric = "transfers.agency_archive_on_time"
  rule = { kind = "linear", from = 0.0, to = 0.75 }

[[grades]]
id = "tot"
name = "Tốt"
conditions = [{ total = "at_least", points = 90 }]

[[grades]]
id = "dat"
name = "Đạt"
"""


def _deployment(folder: Path) -> Deployment:
    (folder / "transfers-only.toml").write_text(CRITERIA, encoding="utf-8")
    return Deployment(
        groups=(Group(id="g", name="Sở", criteria="transfers-only"),),
        agencies=(
            Agency(code=SNV, name="Sở Nội vụ", group="g"),
            Agency(code=STC, name="Sở Tài chính", group="g"),
        ),
        scoring=ScoringConfig(criteria_dir=folder),
    )


def _file(code: str, work_ended_on: date) -> FileRecord:
    """A permanent file of SNV due in the agency archive a year after its work ended."""
    return FileRecord(
        organ_id=SNV,
        external_id=code,
        file_code=code,
        title=f"Hồ sơ {code}",
        year=2024,
        retention_code="01",
        work_ended_on=work_ended_on,
    )


def _sent(code: str, on: date) -> TransferRecord:
    return TransferRecord(
        organ_id=SNV,
        external_id=f"agency_archive-{code}",
        file_code=code,
        kind="agency_archive",
        transferred_on=on,
        status="received",
    )


def _store(engine, *records) -> None:
    with engine.begin() as connection:
        items = [Read(f"archive#{type(r).__name__}-{r.external_id}", r) for r in records]
        store_records(connection, items, source="archive", fetched_at=FETCHED)


def _documents(engine, *numbers_and_days: tuple[int, datetime]) -> None:
    reads = [doc(n, sender=STC, recipients=(SNV,), sent_at=at) for n, at in numbers_and_days]
    load(engine, reads, source="truc", fetched_at=FETCHED)


def _way(engine, deployment: Deployment, as_of: date) -> WayReport:
    return way_to_next_grade(engine, deployment, SNV, as_of=as_of, today=TODAY)


def _step_items(way: WayReport) -> list[str]:
    (step,) = (s for s in way.steps if s.metric == METRIC)
    return [item.item for item in step.items]


@pytest.mark.usefixtures("english")
def test_a_file_transferred_after_the_day_is_still_to_transfer_as_of_that_day(store_url, tmp_path):
    deployment = _deployment(tmp_path)
    engine = open_store(store_url)
    try:
        # what the store held on 30 June: four files coming due this year, the first two
        # transferred (one late, one on time); two incoming documents
        _store(
            engine,
            _file("HS-00", date(2024, 2, 1)),  # due 2025-02-01
            _sent("HS-00", date(2025, 4, 1)),
            _file("HS-01", date(2024, 3, 1)),  # due 2025-03-01
            _file("HS-02", date(2024, 9, 15)),  # due 2025-09-15
            _file("HS-03", date(2024, 10, 1)),  # due 2025-10-01
            _sent("HS-01", date(2025, 2, 1)),
        )
        _documents(engine, (1, datetime(2025, 3, 3, 9, 0)), (2, datetime(2025, 6, 2, 9, 0)))
        on_the_day = _way(engine, deployment, AS_OF)

        # what came after: HS-02 transferred on 1 August, on time; documents in July
        _store(engine, _sent("HS-02", date(2025, 8, 1)))
        _documents(engine, (3, datetime(2025, 7, 7, 9, 0)), (4, datetime(2025, 8, 4, 9, 0)))
        as_of_the_day = _way(engine, deployment, AS_OF)
        later = _way(engine, deployment, LATER)
    finally:
        engine.dispose()

    # the way as of 30 June is the one the store gave on 30 June, whatever came later
    assert as_of_the_day == on_the_day
    assert _step_items(as_of_the_day) == ["HS-02", "HS-03"]
    (outlook,) = as_of_the_day.outlook
    assert (outlook.numerator, outlook.denominator) == (1, 2)  # HS-00 late, HS-01 on time
    (step,) = as_of_the_day.steps
    assert (step.percent_now, step.units, step.percent_after) == (50.0, 2, 75.0)
    assert (step.items[0].date, step.items[0].reason) == (
        date(2025, 9, 15),
        "not transferred by the deadline 2025-09-15",
    )

    # as of 31 August HS-02 is done: only HS-03 is still to transfer
    assert _step_items(later) == ["HS-03"]
    (step,) = later.steps
    assert (step.units, step.percent_after) == (1, 75.0)


REGISTERED = "inbound.registered"


def _registration_deployment(folder: Path) -> Deployment:
    criteria = (
        CRITERIA.replace("transfers-only", "registration-only")
        .replace("Giao nộp hồ sơ điện tử vào Lưu trữ cơ quan đúng hạn", "Đăng ký văn bản đến")
        .replace(METRIC, REGISTERED)
        .replace("to = 0.75", "to = 1.0")
    )
    (folder / "registration-only.toml").write_text(criteria, encoding="utf-8")
    return Deployment(
        groups=(Group(id="g", name="Sở", criteria="registration-only"),),
        agencies=(
            Agency(code=SNV, name="Sở Nội vụ", group="g"),
            Agency(code=STC, name="Sở Tài chính", group="g"),
        ),
        scoring=ScoringConfig(criteria_dir=folder),
    )


@pytest.mark.usefixtures("english")
def test_a_document_registered_after_the_day_is_still_to_register_as_of_that_day(
    store_url, tmp_path
):
    deployment = _registration_deployment(tmp_path)
    first, second = (
        doc(n, sender=STC, recipients=(SNV,), sent_at=datetime(2025, 6, d, 9, 0))
        for n, d in ((1, 2), (2, 20))
    )
    engine = open_store(store_url)
    try:
        # on 30 June: two incoming documents of SNV, the first registered on 3 June
        load(
            engine,
            [first, second, status(first, SNV, "03", datetime(2025, 6, 3, 9, 0))],
            source="truc",
        )
        on_the_day = _way(engine, deployment, AS_OF)
        # the second is registered on 2 July
        load(engine, [status(second, SNV, "03", datetime(2025, 7, 2, 9, 0))], source="truc")
        as_of_the_day = _way(engine, deployment, AS_OF)
        later = _way(engine, deployment, LATER)
    finally:
        engine.dispose()

    assert as_of_the_day == on_the_day
    (step,) = (s for s in as_of_the_day.steps if s.metric == REGISTERED)
    assert [item.item for item in step.items] == [second.record.doc_key]  # type: ignore[union-attr]
    assert (step.percent_now, step.units) == (50.0, 1)
    # as of 31 August both are registered: nothing is left to register
    assert all(s.metric != REGISTERED for s in later.steps)
