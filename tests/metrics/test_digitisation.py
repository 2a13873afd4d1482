"""Digitisation metrics (metrics/digitisation.py): the agency archive's files digitised by the
period's end and in the period, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from pydantic import ValidationError

from checker.store.records import DigitisedFileRecord, Read, TransferRecord
from checker.store.registry import write_registry
from checker.store.upsert import store_records
from metrics.digitisation import measure_digitisation
from metrics.evidence import evidence_by_agency, evidence_list
from metrics.period import Period
from tests.metrics.test_measure import CALENDAR, DEPLOYMENT, SNV, STC, SXD

YEAR = Period.year(2025)
HELD, IN_PERIOD = "digitisation.archive_digitised", "digitisation.digitised_in_period"


def entry(code: str, on: date | None = None, pages: int = 0, organ_id: str = SNV) -> Read:
    record = DigitisedFileRecord(
        organ_id=organ_id, external_id=f"SH-{code}", file_code=code, digitised_on=on, pages=pages
    )
    return Read(f"sh#{code}", record)


def moved(code: str, kind: str, on: date, status: str = "received") -> Read:
    record = TransferRecord(
        organ_id=SNV,
        external_id=f"{kind}-{code}",
        file_code=code,
        kind=kind,  # type: ignore[arg-type]
        transferred_on=on,
        status=status,
    )
    return Read(f"gn#{kind}-{code}", record)


def _store(engine, reads: list[Read]) -> None:
    with engine.begin() as connection:
        write_registry(connection, DEPLOYMENT)
        store_records(connection, reads, source="luu-tru", fetched_at=datetime(2026, 1, 5))


def _measure(engine, period: Period = YEAR) -> dict:
    with engine.begin() as connection:
        values = measure_digitisation(connection, period)
    return {(v.agency_code, v.metric_id): (v.numerator, v.denominator) for v in values}


READS = [
    entry("F1", date(2025, 4, 2), 30),  # digitised in the year
    entry("F2", date(2023, 5, 5), 12),  # digitised before it
    entry("F3"),  # on the register, not digitised
    entry("F4", date(2026, 2, 1), 8),  # digitised after the period
    moved("F5", "agency_archive", date(2025, 6, 1)),  # received, not on the register
    moved("F6", "agency_archive", date(2026, 3, 1)),  # received after the period
    moved("F7", "agency_archive", date(2025, 2, 1), status="pending"),  # not received
    entry("F8", date(2025, 1, 10), 5),  # moved on to the historical archive in 2025
    moved("F8", "historical_archive", date(2025, 9, 1)),
    entry("G1", date(2025, 7, 7), 40, organ_id="H99.02"),  # STC's alternative code
]


def test_the_files_held_at_the_periods_end_and_those_digitised(engine):
    _store(engine, READS)
    values = _measure(engine)
    assert values[SNV, HELD] == (2, 5)  # F1, F2 of F1-F5
    assert values[SNV, IN_PERIOD] == (1, 5)  # F1
    assert values[STC, HELD] == values[STC, IN_PERIOD] == (1, 1)


def test_a_past_period_measures_the_same_after_later_digitisation(engine):
    _store(engine, READS)
    before = _measure(engine, Period.year(2024))
    _store(engine, [entry("F3", date(2025, 11, 3), 20)])
    assert _measure(engine, Period.year(2024)) == before
    assert _measure(engine)[SNV, HELD] == (3, 5)


def test_evidence_lists_the_archive_files_with_reasons(engine, english):
    _store(engine, READS)
    with engine.begin() as connection:
        listing = evidence_list(connection, SNV, IN_PERIOD, YEAR, CALENDAR)
    assert (listing.numerator, listing.denominator) == (1, 5)
    reasons = {line.item: line.reason for line in listing.lines}
    assert reasons == {
        "F1": "digitised on 2025-04-02 (30 pages)",
        "F2": "digitised on 2023-05-05 (12 pages), before the period",
        "F3": "on the digitisation register, not digitised",
        "F4": "digitised on 2026-02-01, after the period",
        "F5": "in the agency archive, not on the digitisation register",
    }
    assert listing.lines[0].item == "F1" and listing.lines[0].locator == "sh#F1"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"pages": -3}, "greater than or equal to 0"),
        ({"digitised_on": date(1850, 1, 1), "pages": 3}, "before 1990"),
        ({"digitised_on": date(2099, 1, 1), "pages": 3}, "in the future"),
        ({"digitised_on": date(2025, 1, 1)}, "0 pages"),
    ],
)
def test_nonsense_register_entries_are_refused_with_the_reason(fields, message, english):
    with pytest.raises(ValidationError, match=message):
        DigitisedFileRecord(organ_id=SNV, external_id="x", file_code="x", **fields)


def test_the_archive_files_of_many_agencies_are_read_at_once_each_its_own(engine, english):
    _store(engine, READS)
    with engine.begin() as connection:
        for metric_id in (HELD, IN_PERIOD):
            found = evidence_by_agency(connection, [SNV, STC, SXD], metric_id, YEAR, CALENDAR)
            assert found == {
                code: evidence_list(connection, code, metric_id, YEAR, CALENDAR).lines
                for code in (SNV, STC)
            }
        held = evidence_by_agency(connection, [SNV, STC, SXD], HELD, YEAR, CALENDAR)
    assert {code: [line.item for line in lines] for code, lines in held.items()} == {
        SNV: ["F1", "F2", "F3", "F4", "F5"],
        STC: ["G1"],
    }
    assert held[STC][0].organ_id == "H99.02" and held[SNV][4].organ_id == SNV
