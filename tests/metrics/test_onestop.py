"""One-stop-shop metrics (metrics/onestop.py): dossiers kept as electronic files of the agency
handling them, and returned by the appointed time, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest
from pydantic import ValidationError

from checker.store.records import DossierRecord, Read
from checker.store.registry import write_registry
from checker.store.upsert import store_records
from metrics.evidence import evidence_by_agency, evidence_list
from metrics.onestop import measure_onestop
from metrics.period import Period
from tests.metrics.test_measure import CALENDAR, DEPLOYMENT, SNV, STC, SXD

YEAR = Period.year(2025)
KEPT, ON_TIME = "onestop.kept_electronic", "onestop.returned_on_time"


def dossier(code: str, organ_id: str = SNV, **fields: object) -> DossierRecord:
    values: dict[str, object] = {
        "received_at": datetime(2025, 3, 3, 9, 0),
        "due_at": datetime(2025, 3, 6, 17, 0),
        "returned_at": datetime(2025, 3, 5, 10, 0),
        "status": "returned",
        "electronic_file": True,
        **fields,
    }
    return DossierRecord(organ_id=organ_id, external_id=code, dossier_code=code, **values)  # type: ignore[arg-type]


def _measure(engine, records: list[DossierRecord], period: Period = YEAR) -> dict:
    reads = [Read(f"mc#{r.dossier_code}", r) for r in records]
    with engine.begin() as connection:
        write_registry(connection, DEPLOYMENT)
        store_records(connection, reads, source="mot-cua", fetched_at=datetime(2026, 1, 5))
        values = measure_onestop(connection, period)
    return {(v.agency_code, v.metric_id): (v.numerator, v.denominator) for v in values}


def test_dossiers_returned_in_the_period_count_when_kept_as_electronic_files(engine):
    values = _measure(
        engine,
        [
            dossier("K1"),
            dossier("K2", electronic_file=False),
            dossier("K3", electronic_file=None),  # not reported: not kept
            dossier("K4", status="processing", returned_at=None),  # no result yet
            dossier("K5", status="refused", returned_at=None),
            dossier(  # returned in 2024: another period
                "K6",
                received_at=datetime(2024, 12, 2, 9),
                due_at=datetime(2024, 12, 4, 17),
                returned_at=datetime(2024, 12, 4, 9),
            ),
        ],
    )
    assert values[SNV, KEPT] == (1, 3)


def test_a_dossier_is_measured_by_its_appointed_day_and_a_missed_one_stays_late(engine):
    values = _measure(
        engine,
        [
            dossier("T1"),  # returned the day before
            dossier("T2", returned_at=datetime(2025, 3, 6, 17, 0)),  # at the appointed time
            dossier("T3", returned_at=datetime(2025, 3, 6, 17, 1)),  # a minute after
            dossier("T4", status="processing", returned_at=None),  # appointed day passed
            dossier("T5", status="withdrawn", returned_at=None),  # no result due
            dossier(  # due on 31 December, returned in January: late in 2025
                "T6",
                received_at=datetime(2025, 12, 29, 9),
                due_at=datetime(2025, 12, 31, 17),
                returned_at=datetime(2026, 1, 2, 9),
            ),
        ],
    )
    assert values[SNV, ON_TIME] == (2, 5)


def test_the_handling_agency_stated_by_the_software_owns_the_dossier(engine):
    values = _measure(engine, [dossier("H1", organ_id=SNV, handled_by="H99.02")])
    assert values[STC, KEPT] == (1, 1)  # the alternative code of STC, through the registry
    assert (SNV, KEPT) not in values


def test_an_agency_without_dossiers_is_not_measured(engine):
    values = _measure(engine, [dossier("N1")])
    assert not [key for key in values if key[0] == SXD]


def test_evidence_lists_the_dossiers_behind_the_numbers_with_reasons(engine, english):
    records = [
        dossier("E1", procedure_name="Đăng ký khai sinh"),
        dossier("E2", returned_at=datetime(2025, 3, 10, 9, 0)),
        dossier("E3", status="processing", returned_at=None),
    ]
    values = _measure(engine, records)
    with engine.begin() as connection:
        listing = evidence_list(connection, SNV, ON_TIME, YEAR, CALENDAR)
    assert (listing.numerator, listing.denominator) == values[SNV, ON_TIME] == (1, 3)
    lines = {line.item: line for line in listing.lines}
    assert lines["E1"].counted and lines["E1"].title == "Đăng ký khai sinh"
    assert (
        lines["E2"].reason
        == "returned 2025-03-10 09:00:00, 4 days after the appointed day 2025-03-06"
    )
    assert lines["E3"].reason == "not returned by the appointed time 2025-03-06 17:00:00"
    assert lines["E1"].locator == "mc#E1"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"received_at": datetime(1850, 3, 3, 9)}, "before 1990"),
        ({"received_at": datetime(2099, 3, 3, 9), "due_at": None, "returned_at": None,
          "status": "processing"}, "in the future"),
        ({"returned_at": datetime(2025, 3, 1, 9)}, "before received_at"),
        ({"due_at": datetime(2025, 3, 1, 9)}, "due_at"),
        ({"returned_at": None}, "status returned without returned_at"),
        ({"status": "lost"}, "status"),
    ],
)  # fmt: skip
def test_nonsense_dossiers_are_refused_with_the_reason(fields, message, english):
    with pytest.raises(ValidationError, match=message):
        dossier("X", **fields)


def test_the_dossiers_of_many_agencies_are_read_at_once_each_its_own(engine, english):
    records = [
        dossier("M1"),
        dossier("M2", returned_at=datetime(2025, 3, 10, 9, 0)),
        dossier("M3", organ_id="H99.02", status="processing", returned_at=None),
        dossier("M4", organ_id=STC, electronic_file=False),
    ]
    _measure(engine, records)
    with engine.begin() as connection:
        for metric_id in (KEPT, ON_TIME):
            found = evidence_by_agency(connection, [SNV, STC, SXD], metric_id, YEAR, CALENDAR)
            assert found == {
                code: evidence_list(connection, code, metric_id, YEAR, CALENDAR).lines
                for code in (SNV, STC)
            }
        on_time = evidence_by_agency(connection, [SNV, STC, SXD], ON_TIME, YEAR, CALENDAR)
    assert {code: [line.item for line in lines] for code, lines in on_time.items()} == {
        SNV: ["M1", "M2"],
        STC: ["M4", "M3"],  # counted first
    }
    assert on_time[STC][1].organ_id == "H99.02"
