"""The order records are read in never changes a metric or a score: a generated store (edXML
documents and statuses, statuses that arrive before their document or name it by its code
only, messages read twice, the agencies' software records, files and transfers) is loaded
once as generated and once shuffled, in batches of varying size, on both databases, and
measured and scored each time.

A recall or update that carries the same DocumentId as the document it acts on is not
generated here: the store takes the second message for a duplicate (issue 13); once each
message is its own, add it to ``_store_contents``."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.scoring.criteria import load_criteria
from checker.scoring.runs import score_agencies
from checker.store.loader import load
from checker.store.models import (
    AGENCY_CODE,
    DOCUMENT,
    DOCUMENT_SOURCE,
    EVENT,
    FILE_LIST,
    MESSAGE,
    RECORD_FILE,
    TRANSFER,
)
from checker.store.records import (
    AgencyDocumentRecord,
    FileListRecord,
    FileRecord,
    Read,
    TransferRecord,
)
from checker.store.registry import write_registry
from checker.store.upsert import store_records
from metrics.measure import measure_all
from metrics.period import Period
from metrics.workdays import write_period_calendar
from tests.factories import status
from tests.metrics.test_measure import AGENCIES, CALENDAR, DEPLOYMENT, edoc, traffic

CRITERIA = load_criteria(
    "danang-electronic-example", Path(__file__).resolve().parents[3] / "config" / "criteria"
)
YEAR = Period.year(2025)
FETCHED = datetime(2026, 1, 5, 8)


@st.composite
def _store_contents(draw: st.DrawFn) -> list[Read]:
    items = draw(traffic())
    edocs = [i for i in items if i.record.__class__.__name__ == "DocumentRecord"]
    for number, document in enumerate(edocs[:3], start=100):
        record = document.record
        recall = edoc(number, record.sender_id, record.recipient_ids, business_type=1)  # type: ignore[union-attr]
        items.append(recall)
        actor = record.recipient_ids[0]  # type: ignore[union-attr]
        when = datetime(2025, 3, 3, 9) + timedelta(days=draw(st.integers(0, 200)))
        items.append(status(document, actor, draw(st.sampled_from(("01", "03", "04"))), when, True))
    items += draw(st.lists(st.sampled_from(items), max_size=4)) if items else []  # read twice
    # one file list per agency and year: two lists for the same year would be two versions
    # of one record, and the one stored last rightly wins
    lists = st.tuples(st.sampled_from(AGENCIES), st.sampled_from((2018, 2024, 2025)))
    for n, (organ, year) in enumerate(draw(st.lists(lists, max_size=4, unique=True))):
        code = f"HS-{n}"
        items.append(
            _read(
                FileListRecord(
                    organ_id=organ,
                    external_id=f"DM-{n}",
                    year=year,
                    issued_on=date(year, 1, 1) + timedelta(days=draw(st.integers(0, 60))),
                )
            )
        )
        items.append(
            _read(
                FileRecord(
                    organ_id=organ,
                    external_id=code,
                    file_code=code,
                    year=year,
                    listed=draw(st.booleans()),
                    electronic=draw(st.booleans()),
                    metadata_complete=draw(st.none() | st.booleans()),
                    work_ended_on=draw(st.none() | st.just(date(year, 6, 30))),
                    retention_years=draw(st.sampled_from((None, 10, 70))),
                )
            )
        )
        if draw(st.booleans()):
            on = date(year + 1, 1, 1) + timedelta(days=draw(st.integers(0, 500)))
            items.append(
                _read(
                    TransferRecord(
                        organ_id=organ,
                        external_id=f"T-{n}",
                        file_code=code,
                        kind="agency_archive",
                        transferred_on=on,
                        status="received",
                    )
                )
            )
    return items


def _read(record: FileListRecord | FileRecord | TransferRecord) -> Read:
    return Read(f"dms#{record.external_id}", record)


def _measured_and_scored(engine, items: list[Read], batch_size: int):
    with engine.begin() as connection:
        for table in (EVENT, DOCUMENT, DOCUMENT_SOURCE, MESSAGE, TRANSFER, RECORD_FILE, FILE_LIST):
            connection.execute(table.delete())
    software_kinds = (AgencyDocumentRecord, FileListRecord, FileRecord, TransferRecord)
    edxml = [i for i in items if not isinstance(i.record, software_kinds)]
    load(engine, edxml, source="test", batch_size=batch_size)
    with engine.begin() as connection:
        software = [i for i in items if isinstance(i.record, software_kinds)]
        for start in range(0, len(software), batch_size):
            chunk = software[start : start + batch_size]
            store_records(connection, chunk, source="dms", fetched_at=FETCHED)
        values = measure_all(connection, YEAR, CALENDAR)
    scores = score_agencies(DEPLOYMENT, {"g": CRITERIA}, values, {})
    return sorted(values, key=lambda v: (v.agency_code, v.metric_id)), sorted(
        scores, key=lambda s: s.agency.code
    )


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_order_records_are_read_in_never_changes_a_metric_or_a_score(engine, data):
    with engine.begin() as connection:
        if not connection.execute(AGENCY_CODE.select().limit(1)).first():
            write_registry(connection, DEPLOYMENT)
            write_period_calendar(connection, CALENDAR, YEAR)
    items = data.draw(_store_contents())
    shuffled = data.draw(st.permutations(items))
    values, scores = _measured_and_scored(engine, items, data.draw(st.integers(1, 50)))
    values_again, scores_again = _measured_and_scored(
        engine, shuffled, data.draw(st.integers(1, 5))
    )
    assert values_again == values
    assert scores_again == scores
