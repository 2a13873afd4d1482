from __future__ import annotations

from datetime import date, datetime

import pytest
from pydantic import ValidationError

from checker.config import Agency, Deployment, Group
from checker.errors import ConfigError
from checker.store.loader import load
from checker.store.records import AgencyDocumentRecord, FileListRecord, FileRecord, Read
from checker.store.registry import write_registry
from checker.store.upsert import store_records
from metrics.calendar import WorkingCalendar
from metrics.catalogue import ids_of
from metrics.facts import refresh_facts
from metrics.files import FilesConfig, files_evidence, files_evidence_by_agency
from metrics.measure import measure_all
from metrics.period import Period
from metrics.workdays import write_period_calendar
from tests.factories import doc

SNV, STC, SXD = "000.00.01.H99", "000.00.02.H99", "000.00.03.H99"
pytestmark = pytest.mark.usefixtures("english")

DEPLOYMENT = Deployment(
    groups=(Group(id="g", name="Sở", criteria="danang-electronic-example"),),
    agencies=(
        Agency(code=SNV, name="Sở Nội vụ", group="g"),
        Agency(code=STC, codes=("H99.02",), name="Sở Tài chính", group="g"),
        Agency(code=SXD, name="Sở Xây dựng", group="g"),
    ),
)
YEAR = Period.year(2025)
FETCHED = datetime(2026, 1, 5, 8, 0)


def _store(engine, *records):
    with engine.begin() as connection:
        write_registry(connection, DEPLOYMENT)
        items = [Read(f"dms#{i}", record) for i, record in enumerate(records)]
        store_records(connection, items, source="dms", fetched_at=FETCHED)
        refresh_facts(connection)


def _values(engine, period=YEAR, config=FilesConfig()):
    """Every metric, as scoring measures them (documents filed are counted with the other
    document metrics)."""
    with engine.begin() as connection:
        write_period_calendar(connection, WorkingCalendar(), period)
        values = measure_all(connection, period, WorkingCalendar(), config)
    return {(v.agency_code, v.metric_id): (v.numerator, v.denominator) for v in values}


def _evidence(engine, agency, metric_id, period=YEAR, config=FilesConfig()):
    with engine.connect() as connection:
        lines = files_evidence(connection, agency, metric_id, period, config)
    return [(line.item, line.counted, line.reason) for line in lines]


def _list(organ, issued_on, year=2025):
    return FileListRecord(
        organ_id=organ, external_id=f"DM-{organ}-{year}", year=year, issued_on=issued_on
    )


def _file(code, organ=SNV, year=2025, **fields):
    return FileRecord(organ_id=organ, external_id=code, file_code=code, year=year, **fields)


def _document(key, organ=SNV, direction="in", day=datetime(2025, 3, 3, 9), **fields):
    times = {"arrived_at": day} if direction == "in" else {"issued_at": day}
    return AgencyDocumentRecord(
        organ_id=organ,
        direction=direction,
        external_id=key,
        code_number=key,
        channel="email",
        **times,
        **fields,
    )


# --- The annual file list -------------------------------------------------------------------

LIST = "files.list_issued_on_time"


def test_a_list_issued_on_the_cut_off_day_is_on_time(engine):
    _store(engine, _list(SNV, date(2025, 1, 31)))
    assert _values(engine)[(SNV, LIST)] == (1, 1)
    assert _evidence(engine, SNV, LIST) == [
        (f"DM-{SNV}-2025", True, "issued on 2025-01-31, by the cut-off 2025-01-31")
    ]


def test_a_list_issued_after_the_cut_off_is_late_by_so_many_days(engine):
    _store(engine, _list(SNV, date(2025, 3, 4)), _list(STC, date(2025, 2, 1)))
    values = _values(engine)
    assert values[(SNV, LIST)] == (0, 1)
    assert _evidence(engine, SNV, LIST) == [
        (f"DM-{SNV}-2025", False, "issued on 2025-03-04, 32 days after the cut-off 2025-01-31")
    ]
    assert _evidence(engine, STC, LIST)[0][2] == (
        "issued on 2025-02-01, 1 day after the cut-off 2025-01-31"
    )


def test_an_agency_with_files_but_no_list_is_measured_and_fails(engine):
    _store(engine, _file(f"{SXD}.2025.01", organ=SXD, listed=True))
    assert _values(engine)[(SXD, LIST)] == (0, 1)
    assert _evidence(engine, SXD, LIST) == [("file list 2025", False, "no file list for 2025")]


def test_an_agency_with_documents_but_no_list_is_measured_and_fails(engine):
    _store(engine, _document("VB-1", organ=SXD))
    assert _values(engine)[(SXD, LIST)] == (0, 1)


def test_an_agency_known_only_through_the_axis_is_not_measured_on_its_file_list(engine):
    # Decree 30/2020/NĐ-CP Art. 28: nothing of its file list is known, not a list missing
    load(engine, [doc(1, sender=SXD, recipients=(STC,))], source="axis")
    values = _values(engine)
    assert (SXD, LIST) not in values
    assert (STC, LIST) not in values


def test_a_list_without_an_issue_date_is_not_on_time(engine):
    _store(engine, _list(SNV, None))
    assert _values(engine)[(SNV, LIST)] == (0, 1)
    assert _evidence(engine, SNV, LIST)[0][2] == "the file list for 2025 has no issue date"


def test_an_agency_with_nothing_in_the_year_is_not_measured(engine):
    _store(engine, _list(SNV, date(2025, 1, 5)), _list(SXD, date(2024, 1, 5), year=2024))
    values = _values(engine)
    assert (SXD, LIST) not in values
    assert (STC, LIST) not in values
    assert _evidence(engine, STC, LIST) == []


def test_the_cut_off_comes_from_configuration(engine):
    _store(engine, _list(SNV, date(2025, 3, 4)))
    assert _values(engine, config=FilesConfig(list_due="03-31"))[(SNV, LIST)] == (1, 1)


def test_before_the_cut_off_only_an_agency_with_its_list_issued_is_measured(engine):
    _store(
        engine,
        _list(SNV, date(2025, 1, 10)),
        _list(STC, date(2025, 1, 20)),  # issued after the as-of day
        _document("VB-1", organ=SXD, day=datetime(2025, 1, 6, 9)),
    )
    values = _values(engine, Period.year_to_date(date(2025, 1, 15)))
    assert values[(SNV, LIST)] == (1, 1)
    assert values[(STC, LIST)] == (0, 0)
    assert values[(SXD, LIST)] == (0, 0)
    assert _evidence(engine, STC, LIST, Period.year_to_date(date(2025, 1, 15))) == []


def test_a_list_reported_under_an_alternative_code_counts_for_the_agency(engine):
    _store(engine, _list("H99.02", date(2025, 1, 2)))
    assert _values(engine)[(STC, LIST)] == (1, 1)


def test_the_lists_of_many_agencies_at_once_are_each_agency_s_own(engine):
    """One read for several agencies: the first list of the year each issued (under any of
    its codes), a measured agency without one, and none for an agency not measured."""
    _store(
        engine,
        _list("H99.02", date(2025, 3, 4)),
        FileListRecord(organ_id=STC, external_id="DM-late", year=2025, issued_on=date(2025, 5, 1)),
        _list(SNV, None),
        _file(f"{SXD}.2025.01", organ=SXD, listed=True),
    )
    agencies = [SNV, STC, SXD, "000.00.09.H99"]
    with engine.connect() as connection:
        found = files_evidence_by_agency(connection, agencies, LIST, YEAR, FilesConfig())
        each = {code: files_evidence(connection, code, LIST, YEAR) for code in (SNV, STC, SXD)}
    assert found == each
    assert [(line.item, line.counted) for line in found[STC]] == [("DM-H99.02-2025", False)]
    assert found[SXD][0].reason == "no file list for 2025"
    assert found[SNV][0].reason == "the file list for 2025 has no issue date"


@pytest.mark.parametrize("list_due", ["02-29", "02-30", "13-01", "1-31", "January 31"])
def test_a_cut_off_that_is_not_a_day_of_every_year_is_refused(list_due):
    with pytest.raises(ValidationError, match="list_due"):
        FilesConfig(list_due=list_due)


def test_the_files_settings_refuse_unknown_keys():
    with pytest.raises(ValidationError, match="extra"):
        FilesConfig.model_validate({"list_due": "01-31", "list_date": "01-15"})


# --- Files opened electronically, and their metadata -----------------------------------------

OPENED = "files.opened_electronic"
METADATA = "files.metadata_complete"


def test_listed_files_are_measured_on_being_opened_as_electronic_files(engine):
    _store(
        engine,
        _file("F1", listed=True, electronic=True, title="Hồ sơ một"),
        _file("F2", listed=True, electronic=False),
        _file("F3", listed=False, electronic=True),  # not on the list: not measured here
        _file("F4", organ="H99.02", listed=True, electronic=True),
    )
    values = _values(engine)
    assert values[(SNV, OPENED)] == (1, 2)
    assert values[(STC, OPENED)] == (1, 1)
    assert _evidence(engine, SNV, OPENED) == [
        ("F1", True, "opened as an electronic file"),
        ("F2", False, "listed but not opened as an electronic file"),
    ]


def test_a_file_belongs_to_the_year_it_was_opened_even_when_its_work_ends_later(engine):
    _store(
        engine,
        _file("F2024", year=2024, listed=True, electronic=True, work_ended_on=date(2025, 5, 2)),
        _file("F2025", listed=True, electronic=False),
    )
    assert _values(engine)[(SNV, OPENED)] == (0, 1)
    assert _values(engine, Period.year(2024))[(SNV, OPENED)] == (1, 1)


def test_metadata_not_reported_counts_as_incomplete_and_evidence_says_so(engine):
    _store(
        engine,
        _file("F1", electronic=True, metadata_complete=True),
        _file("F2", electronic=True, metadata_complete=False),
        _file("F3", electronic=True, metadata_complete=None),
        _file("F4", electronic=False, metadata_complete=True),  # paper: not measured here
    )
    assert _values(engine)[(SNV, METADATA)] == (1, 3)
    assert _evidence(engine, SNV, METADATA) == [
        ("F1", True, "required metadata complete"),
        ("F2", False, "required metadata incomplete"),
        ("F3", False, "metadata completeness not reported, counted as incomplete"),
    ]


def test_an_agency_without_electronic_files_has_metadata_not_measured(engine):
    _store(engine, _file("F1", listed=True, electronic=False))
    assert _values(engine)[(SNV, METADATA)] == (0, 0)


# --- Documents filed into files --------------------------------------------------------------

FILED = "files.documents_filed"


def test_documents_of_both_directions_are_measured_on_being_filed(engine):
    _store(
        engine,
        _document("IN-1", file_code=f"{SNV}.2025.01"),
        _document("OUT-1", direction="out", day=datetime(2025, 4, 1, 9)),
        _document("IN-2", file_code="", day=datetime(2025, 5, 1, 9)),
        _document("IN-3", recalled=True),  # recalled: not measured
        _document("IN-4", day=datetime(2024, 12, 31, 9)),  # outside the period
    )
    assert _values(engine)[(SNV, FILED)] == (1, 3)
    assert _evidence(engine, SNV, FILED) == [
        ("dms:IN-1", True, f"filed into {SNV}.2025.01"),
        ("dms:OUT-1", False, "not filed into any file"),
        ("dms:IN-2", False, "not filed into any file"),
    ]


def test_documents_known_only_from_the_axis_are_not_measured_for_filing(engine):
    load(engine, [doc(1, SNV, (STC,))], source="edxml")
    _store(engine)
    values = _values(engine)
    assert values[(STC, FILED)] == (0, 0)  # not measured
    assert _evidence(engine, STC, FILED) == []
    assert (STC, LIST) not in values  # nor on its file list: nothing of it is known


def test_evidence_of_an_unknown_metric_is_refused_with_the_known_ones(engine):
    _store(engine)
    with pytest.raises(ConfigError, match=r"unknown file metric 'files\.nope'.*files\.opened"):
        _evidence(engine, SNV, "files.nope")


def test_every_metric_measured_is_in_the_module_catalogue(engine):
    _store(engine, _list(SNV, date(2025, 1, 2)), _file("F1", listed=True, electronic=True))
    _store(engine, _document("IN-1"))
    measured = {metric_id for _agency, metric_id in _values(engine) if metric_id[:6] == "files."}
    assert measured == set(ids_of("files"))
