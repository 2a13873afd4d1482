from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import Date, literal, select

from checker.config import Agency, Deployment, Group
from checker.errors import ConfigError
from checker.i18n import _
from checker.store.models import RECORD_FILE
from checker.store.records import FileRecord, Read, TransferRecord
from checker.store.registry import write_registry
from checker.store.upsert import store_records
from metrics.catalogue import ids_of
from metrics.files import FilesConfig
from metrics.period import Period
from metrics.sqldates import add_months, days_between, end_of_next_year
from metrics.transfers import (
    UNKNOWN_RETENTION,
    OverdueFile,
    agency_archive_deadline,
    measure_transfers,
    overdue_files,
    transfers_evidence,
)

SNV, STC = "000.00.01.H99", "000.00.02.H99"
pytestmark = pytest.mark.usefixtures("english")

DEPLOYMENT = Deployment(
    groups=(Group(id="g", name="Sở", criteria="danang-electronic-example"),),
    agencies=(
        Agency(code=SNV, name="Sở Nội vụ", group="g"),
        Agency(code=STC, codes=("H99.02",), name="Sở Tài chính", group="g"),
    ),
)
YEAR = Period.year(2025)
FETCHED = datetime(2026, 2, 1, 8, 0)
AGENCY = "transfers.agency_archive_on_time"
HISTORICAL = "transfers.historical_archive_on_time"


def _store(engine, *records):
    with engine.begin() as connection:
        write_registry(connection, DEPLOYMENT)
        items = [Read(f"archive#{i}", record) for i, record in enumerate(records)]
        store_records(connection, items, source="archive", fetched_at=FETCHED)


def _file(code, organ=SNV, retention_years=None, retention_code="01", **fields):
    """A file, permanent (code 01) unless kept ``retention_years`` or another code."""
    return FileRecord(
        organ_id=organ,
        external_id=code,
        file_code=code,
        title=f"Hồ sơ {code}",
        year=2024,
        retention_code=None if retention_years is not None else retention_code,
        retention_years=retention_years,
        **fields,
    )


def _sent(code, on, kind="agency_archive", status="received", organ=SNV):
    return TransferRecord(
        organ_id=organ,
        external_id=f"{kind}-{code}",
        file_code=code,
        kind=kind,
        transferred_on=on,
        status=status,
    )


def _values(engine, period=YEAR, config=FilesConfig()):
    with engine.connect() as connection:
        values = measure_transfers(connection, period, config)
    return {(v.agency_code, v.metric_id): (v.numerator, v.denominator) for v in values}


def _evidence(engine, agency, metric_id, period=YEAR, config=FilesConfig()):
    with engine.connect() as connection:
        lines = transfers_evidence(connection, agency, metric_id, period, config)
    return [(line.item, line.day, line.counted, line.reason) for line in lines]


def _deadlines(engine, *files):
    _store(engine, *files)
    query = select(RECORD_FILE.c.file_code, agency_archive_deadline())
    with engine.connect() as connection:
        return dict(connection.execute(query).all())


# --- The deadline to the agency archive ------------------------------------------------------


def test_deadline_by_end_of_work_construction_and_the_2024_law(engine):
    deadlines = _deadlines(
        engine,
        _file("DECREE", work_ended_on=date(2025, 6, 30)),
        _file("LAW", work_ended_on=date(2025, 7, 1)),
        _file("LEAP", work_ended_on=date(2024, 2, 29)),
        _file("BUILT", construction=True, final_settlement_on=date(2025, 1, 31)),
        _file("BUILT-NOV", construction=True, final_settlement_on=date(2023, 11, 30)),
        _file("BUILT-UNSETTLED", construction=True, work_ended_on=date(2024, 1, 10)),
        _file("OPEN"),
    )
    assert deadlines == {
        "DECREE": date(2026, 6, 30),  # Decree 30: one year after the work ended
        "LAW": date(2026, 12, 31),  # Law 2024: within 1 year from the year it ended
        "LEAP": date(2025, 2, 28),
        "BUILT": date(2025, 4, 30),  # 3 months after settlement; 31 Apr does not exist
        "BUILT-NOV": date(2024, 2, 29),
        "BUILT-UNSETTLED": None,
        "OPEN": None,
    }


def test_work_ended_on_30_june_2025_is_due_before_work_ended_on_1_july(engine):
    _store(
        engine,
        _file("JUNE", work_ended_on=date(2025, 6, 30)),
        _file("JULY", work_ended_on=date(2025, 7, 1)),
    )
    assert _values(engine, Period.year_to_date(date(2026, 6, 30)))[(SNV, AGENCY)] == (0, 1)
    assert _values(engine, Period.year(2026))[(SNV, AGENCY)] == (0, 2)


# --- On time, late, overdue ------------------------------------------------------------------


def test_a_deadline_on_the_as_of_day_is_due_and_one_after_it_is_not(engine):
    _store(engine, _file("F1", work_ended_on=date(2024, 12, 31)))
    assert _values(engine)[(SNV, AGENCY)] == (0, 1)
    assert _evidence(engine, SNV, AGENCY) == [
        ("F1", date(2025, 12, 31), False, "not transferred by the deadline 2025-12-31")
    ]
    assert (SNV, AGENCY) not in _values(engine, Period.year_to_date(date(2025, 12, 30)))


def test_evidence_says_on_time_late_overdue_returned_and_pending(engine):
    ended = date(2024, 3, 2)  # deadline 2025-03-02
    _store(
        engine,
        *(_file(code, work_ended_on=ended) for code in ("A", "B", "C", "D", "E", "H")),
        _file("G", retention_years=10, work_ended_on=ended),
        _file("SHORT", retention_years=3, work_ended_on=ended),  # kept < 5 years: not due
        _sent("A", date(2025, 3, 2)),
        _sent("B", date(2025, 4, 12)),
        _sent("D", date(2025, 3, 1), status="returned"),
        _sent("E", date(2025, 2, 20), status="pending"),
        _sent("G", date(2025, 1, 15)),
        _sent("H", date(2026, 1, 5)),  # after the as-of day: not yet transferred then
        _sent("SHORT", date(2025, 9, 1)),
    )
    assert _values(engine)[(SNV, AGENCY)] == (2, 7)
    deadline = date(2025, 3, 2)
    assert _evidence(engine, SNV, AGENCY) == [
        ("A", deadline, True, "transferred 2025-03-02, on time"),
        ("G", deadline, True, "transferred 2025-01-15, on time"),
        ("B", deadline, False, "transferred 2025-04-12, 41 days late"),
        ("C", deadline, False, "overdue by 304 days"),
        ("D", deadline, False, "returned by the archive"),
        ("E", deadline, False, "pending at the archive, overdue by 304 days"),
        ("H", deadline, False, "overdue by 304 days"),
    ]


def test_construction_files_are_due_three_months_after_final_settlement(engine):
    _store(
        engine,
        _file("ON-TIME", construction=True, final_settlement_on=date(2025, 1, 31)),
        _file("LATE", construction=True, final_settlement_on=date(2025, 1, 31)),
        _file("NOT-YET", construction=True, final_settlement_on=date(2025, 10, 1)),
        _file("UNSETTLED", construction=True, work_ended_on=date(2023, 5, 5)),
        _sent("ON-TIME", date(2025, 4, 30)),
        _sent("LATE", date(2025, 5, 1)),
    )
    as_of = Period.year_to_date(date(2025, 12, 31))
    assert _values(engine, as_of)[(SNV, AGENCY)] == (1, 2)
    assert [line[3] for line in _evidence(engine, SNV, AGENCY, as_of)] == [
        "transferred 2025-04-30, on time",
        "transferred 2025-05-01, 1 day late",
    ]


def test_files_without_an_end_of_work_are_not_due_so_not_measured(engine):
    _store(engine, _file("OPEN"), _sent("OPEN", date(2025, 3, 1)))
    assert (SNV, AGENCY) not in _values(engine)
    assert _evidence(engine, SNV, AGENCY) == []


def test_a_transfer_reported_under_an_alternative_code_counts_for_the_agency(engine):
    _store(
        engine,
        _file("STC-1", organ=STC, work_ended_on=date(2024, 1, 10)),
        _sent("STC-1", date(2024, 12, 1), organ="H99.02"),
    )
    assert _values(engine)[(STC, AGENCY)] == (1, 1)


def test_a_received_transfer_without_a_date_is_not_shown_to_be_on_time(engine):
    _store(
        engine, _file("F1", work_ended_on=date(2024, 1, 10)), _sent("F1", None, status="received")
    )
    assert _values(engine)[(SNV, AGENCY)] == (0, 1)
    assert _evidence(engine, SNV, AGENCY)[0][3] == (
        "received without a transfer date, so not shown to be on time"
    )


# --- To the historical archive ---------------------------------------------------------------


def test_permanent_files_are_due_in_the_historical_archive_five_years_from_the_year(engine):
    """Law on Archives 33/2024/QH15 Art. 21: within 5 years from the year of entry into the
    agency archive, so by 31 December of the 5th year after it."""
    _store(
        engine,
        *(_file(code, work_ended_on=date(2019, 1, 2)) for code in ("P1", "P2", "P3", "P4")),
        _file("KEPT-50", retention_years=50, work_ended_on=date(2019, 1, 2)),
        _sent("P1", date(2020, 12, 31)),
        _sent("P1", date(2025, 12, 31), kind="historical_archive"),
        _sent("P2", date(2020, 2, 29)),  # due 31 December 2025, not 28 February
        _sent("P2", date(2025, 3, 1), kind="historical_archive"),
        _sent("P3", date(2020, 6, 15)),
        _sent("P4", date(2021, 1, 1)),  # due 31 December 2026: not due
        _sent("KEPT-50", date(2020, 1, 1)),
    )
    assert _values(engine)[(SNV, HISTORICAL)] == (2, 3)
    assert _evidence(engine, SNV, HISTORICAL) == [
        ("P1", date(2025, 12, 31), True, "transferred 2025-12-31, on time"),
        ("P2", date(2025, 12, 31), True, "transferred 2025-03-01, on time"),
        ("P3", date(2025, 12, 31), False, "not transferred by the deadline 2025-12-31"),
    ]


@pytest.mark.parametrize(
    ("transferred", "on_time"),
    [(date(2030, 11, 15), True), (date(2030, 12, 31), True), (date(2031, 1, 1), False)],
)
def test_entered_10_august_2025_is_due_in_the_historical_archive_by_31_december_2030(
    engine, transferred, on_time
):
    _store(
        engine,
        _file("P", work_ended_on=date(2024, 3, 1)),
        _sent("P", date(2025, 8, 10)),
        _sent("P", transferred, kind="historical_archive"),
    )
    assert _values(engine, Period.year(2031))[(SNV, HISTORICAL)] == (int(on_time), 1)
    line = _evidence(engine, SNV, HISTORICAL, Period.year(2031))[0]
    assert line[1:3] == (date(2030, 12, 31), on_time)
    assert (SNV, HISTORICAL) not in _values(engine, Period.year_to_date(date(2030, 12, 30)))


# --- Retention --------------------------------------------------------------------------------


def test_a_file_without_a_reported_retention_is_unknown_listed_and_not_counted(engine):
    _store(
        engine,
        _file("PERMANENT", work_ended_on=date(2024, 1, 10)),
        _file("UNKNOWN", retention_code=None, work_ended_on=date(2024, 1, 10)),
        _sent("PERMANENT", date(2019, 1, 1)),
        _sent("UNKNOWN", date(2019, 1, 1)),
    )
    values = _values(engine)
    assert values[(SNV, AGENCY)] == (1, 1)
    assert values[(SNV, HISTORICAL)] == (0, 1)
    for metric_id in (AGENCY, HISTORICAL):
        unknown = _evidence(engine, SNV, metric_id)[-1]
        assert unknown[0] == "UNKNOWN"
        assert unknown[2:] == (False, _(UNKNOWN_RETENTION))
    with engine.connect() as connection:
        overdue = {f.file_code for f in overdue_files(connection, date(2026, 6, 1))}
    assert overdue == {"PERMANENT"}


def test_retention_codes_and_years_come_from_the_deployment(engine):
    """Files kept 5 years or more are transferred (Decree 30/2020/NĐ-CP Art. 30); a city's
    code for 5 years is due, its code for 3 years is not, a code it does not list is
    unknown."""
    _store(
        engine,
        *(
            _file(code, retention_code=code, work_ended_on=date(2024, 1, 10))
            for code in ("07", "08", "09", "06")
        ),
    )
    config = FilesConfig(retention_years={"06": 10, "07": 5, "08": 3})
    assert _values(engine, config=config)[(SNV, AGENCY)] == (0, 2)  # 06 and 07
    lines = _evidence(engine, SNV, AGENCY, config=config)
    assert [line[0] for line in lines] == ["06", "07", "09"]
    assert lines[-1][3] == _(UNKNOWN_RETENTION)
    assert _values(engine)[(SNV, AGENCY)] == (0, 1)  # by default 07, 08 and 09 are unknown


def test_a_retention_code_listed_twice_is_refused():
    with pytest.raises(ValueError, match="retention code '01' is in both"):
        FilesConfig(retention_years={"01": 5})


def test_a_file_not_received_in_the_agency_archive_is_not_due_in_the_historical_one(engine):
    _store(
        engine,
        _file("P1", work_ended_on=date(2019, 1, 2)),
        _sent("P1", date(2020, 1, 6), status="pending"),
    )
    assert (SNV, HISTORICAL) not in _values(engine)


# --- Overdue files for reports ---------------------------------------------------------------


def test_overdue_files_lists_both_archives_by_agency_oldest_first(engine):
    _store(
        engine,
        _file("NEW", work_ended_on=date(2024, 6, 1)),
        _file("OLD", work_ended_on=date(2024, 1, 10)),
        _file("TODAY", work_ended_on=date(2024, 12, 31)),  # deadline is the as-of day
        _file("DONE", work_ended_on=date(2024, 1, 10)),
        _file("PERM", work_ended_on=date(2019, 1, 2)),
        _file("STC-1", organ=STC, work_ended_on=date(2024, 3, 1)),
        _sent("NEW", date(2025, 5, 1), status="returned"),
        _sent("DONE", date(2025, 12, 1)),  # late, but transferred
        _sent("PERM", date(2019, 3, 2)),  # due in the historical archive by 31 Dec 2024
        _sent("PERM", date(2025, 4, 1), kind="historical_archive", status="pending"),
    )
    with engine.connect() as connection:
        every = overdue_files(connection, date(2025, 12, 31))
        one = overdue_files(connection, date(2025, 12, 31), agency_code=STC)
    assert every == [
        OverdueFile("agency_archive", SNV, SNV, "OLD", "Hồ sơ OLD", date(2025, 1, 10), 355, None),
        OverdueFile(
            "agency_archive", SNV, SNV, "NEW", "Hồ sơ NEW", date(2025, 6, 1), 213, "returned"
        ),
        OverdueFile(
            "historical_archive", SNV, SNV, "PERM", "Hồ sơ PERM", date(2024, 12, 31), 365, "pending"
        ),
        OverdueFile(
            "agency_archive", STC, STC, "STC-1", "Hồ sơ STC-1", date(2025, 3, 1), 305, None
        ),
    ]
    assert [f.file_code for f in one] == ["STC-1"]


def test_evidence_of_an_unknown_metric_is_refused_with_the_known_ones(engine):
    _store(engine)
    with pytest.raises(ConfigError, match=r"unknown transfer metric .*agency_archive_on_time"):
        _evidence(engine, SNV, "transfers.nope")


def test_the_metric_ids_measured_are_those_of_the_catalogue(engine):
    _store(
        engine,
        _file("P1", work_ended_on=date(2019, 1, 2)),
        _sent("P1", date(2020, 1, 6)),
    )
    assert {metric_id for _agency, metric_id in _values(engine)} == set(ids_of("transfers"))


# --- Date arithmetic in SQL (metrics.sqldates) -----------------------------------------------


def _reference_add_months(day: date, months: int) -> date:
    """The Civil Code's reading: the same day, or the month's last day when there is none."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _sql(engine, *expressions):
    with engine.connect() as connection:
        return list(connection.execute(select(*expressions)).one())


def _day(value: date):
    return literal(value, Date)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),  # SQLite alone would say 2025-03-03
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 3, 31), 3, date(2025, 6, 30)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2020, 2, 29), 60, date(2025, 2, 28)),
        (date(2025, 12, 31), 2, date(2026, 2, 28)),
        (date(2025, 5, 15), 3, date(2025, 8, 15)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_last_day_of_the_month(engine, day, months, expected):
    assert _sql(engine, add_months(_day(day), months)) == [expected]


@pytest.mark.parametrize("months", [1, 3, 12, 60])
def test_add_months_agrees_with_the_civil_code_on_every_day_of_a_leap_year(engine, months):
    days = [date(2024, 1, 1) + timedelta(days=n) for n in range(366)]
    results = _sql(engine, *(add_months(_day(day), months) for day in days))
    assert results == [_reference_add_months(day, months) for day in days]


def test_end_of_next_year_and_days_between(engine):
    assert _sql(
        engine,
        end_of_next_year(_day(date(2025, 7, 1))),
        end_of_next_year(_day(date(2025, 12, 31))),
        days_between(_day(date(2025, 1, 31)), _day(date(2025, 3, 4))),
        days_between(_day(date(2025, 3, 4)), _day(date(2025, 1, 31))),
        days_between(_day(date(2024, 2, 28)), _day(date(2024, 3, 1))),
    ) == [date(2026, 12, 31), date(2026, 12, 31), 32, -32, 2]


def test_date_arithmetic_of_a_missing_day_is_missing(engine):
    missing = literal(None, Date)
    assert _sql(engine, add_months(missing, 3), end_of_next_year(missing)) == [None, None]
