from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from checker.store.cursors import forget_cursors, read_cursor, save_cursor
from checker.store.models import DOCUMENT, QUARANTINE, RECORD_FILE, TRANSFER
from checker.store.records import (
    AgencyDocumentRecord,
    FileRecord,
    Quarantined,
    Read,
    TransferRecord,
)
from checker.store.upsert import store_records

WHEN = datetime(2026, 1, 2, 3, 4)


def incoming(external_id: str, registered: datetime | None = None) -> Read:
    record = AgencyDocumentRecord(
        organ_id="000.00.01.H99",
        direction="in",
        external_id=external_id,
        code_number="12",
        code_notation="UBND-VP",
        subject="V/v kiểm tra",
        channel="axis",
        arrived_at=datetime(2025, 3, 3, 8),
        registered_at=registered,
    )
    return Read(f"https://dms/api/v1/incoming-documents page 1 #{external_id}", record)


def test_reading_the_same_records_again_changes_nothing(engine):
    items = [incoming("a"), incoming("b")]
    with engine.begin() as connection:
        assert store_records(connection, items, source="dms", fetched_at=WHEN).records == 2
    with engine.begin() as connection:
        store_records(connection, items, source="dms", fetched_at=WHEN)
        assert connection.scalar(select(func.count()).select_from(DOCUMENT)) == 2


def test_a_record_changed_at_the_source_is_updated_in_place(engine):
    with engine.begin() as connection:
        store_records(connection, [incoming("a")], source="dms", fetched_at=WHEN)
        later = incoming("a", registered=datetime(2025, 3, 4, 9))
        store_records(connection, [incoming("a"), later], source="dms", fetched_at=WHEN)
        rows = connection.execute(select(DOCUMENT.c.doc_key, DOCUMENT.c.registered_at)).all()
    assert rows == [("dms:a", datetime(2025, 3, 4, 9))]


def test_files_transfers_and_quarantined_records_are_stored(engine):
    file = FileRecord(
        organ_id="X", external_id="f1", file_code="X.2025.01", year=2025, electronic=True
    )
    transfer = TransferRecord(
        organ_id="X",
        external_id="t1",
        file_code="X.2025.01",
        kind="agency_archive",
        transferred_on=date(2026, 3, 1),
        status="received",
    )
    bad = Quarantined(source="dms", locator="files page 2", reason="year: not a number")
    items = [Read("files page 1", file), Read("transfers page 1", transfer), bad]
    with engine.begin() as connection:
        counts = store_records(connection, items, source="dms", fetched_at=WHEN)
        tables = [RECORD_FILE, TRANSFER, QUARANTINE]
        stored = [connection.scalar(select(func.count()).select_from(t)) for t in tables]
    assert (counts.records, counts.quarantined) == (2, 1)
    assert stored == [1, 1, 1]


def test_cursors_are_saved_per_source_endpoint_and_agency(engine):
    with engine.begin() as connection:
        save_cursor(connection, "dms", "incoming", "A", "2025-03-01T00:00:00", WHEN)
        save_cursor(connection, "dms", "incoming", "A", "2025-04-01T00:00:00", WHEN)
        save_cursor(connection, "dms", "incoming", "B", "x", WHEN)
        assert read_cursor(connection, "dms", "incoming", "A") == "2025-04-01T00:00:00"
        forget_cursors(connection, "dms")
        assert read_cursor(connection, "dms", "incoming", "B") is None


def test_times_and_days_read_back_as_written_whether_rows_share_them_or_not(engine):
    shared = datetime(2025, 3, 3, 8, 0, 0, 250)
    records = [
        AgencyDocumentRecord(
            organ_id="000.00.01.H99",
            direction="in",
            external_id=f"d{n}",
            channel="axis",
            arrived_at=shared if n < 3 else datetime(2025, 3, n, 9, 30),
            registered_at=None if n % 2 else shared,
            promulgation_date=date(2025, 3, 1) if n else None,
        )
        for n in range(6)
    ]
    items = [Read(f"dms #{r.external_id}", r) for r in records]
    with engine.begin() as connection:
        store_records(connection, items, source="dms", fetched_at=WHEN)
        columns = (DOCUMENT.c.arrived_at, DOCUMENT.c.registered_at, DOCUMENT.c.promulgation_date)
        rows = connection.execute(select(*columns).order_by(DOCUMENT.c.external_id)).all()
        fetched = set(connection.scalars(select(DOCUMENT.c.fetched_at)))
    expected = [(r.arrived_at, r.registered_at, r.promulgation_date) for r in records]
    assert [tuple(row) for row in rows] == expected
    assert fetched == {WHEN}
