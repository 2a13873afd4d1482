"""Exports for spreadsheets: CSV with a BOM and XLSX, names beside codes, and text from the
logs that would run as a formula neutralised."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from checker.config import load_deployment
from checker.errors import OutputError
from checker.reports.cells import FORMULA_START, neutralise
from checker.reports.export import ExportFormat, overdue_sheet, write_export
from checker.store.engine import open_store
from checker.store.records import FileRecord, Read
from checker.store.registry import write_registry
from checker.store.upsert import store_records
from metrics.transfers import OverdueFile
from tests.checker.reports.conftest import cli
from tests.small_city import AGENCIES, HOSTILE_SUBJECT, deployment_text


@pytest.mark.parametrize("start", FORMULA_START)
def test_text_a_spreadsheet_would_run_is_kept_as_text(start):
    assert neutralise(f"{start}SUM(A1:A9)") == f"'{start}SUM(A1:A9)"


@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.none()))
def test_a_neutralised_cell_never_starts_a_formula_and_keeps_its_text(value):
    cell = neutralise(value)
    if isinstance(value, str):
        assert isinstance(cell, str)
        assert not cell.startswith(FORMULA_START)
        assert cell.removeprefix("'") == value or cell == value
    else:
        assert cell == value


def test_the_report_as_csv_has_a_bom_names_beside_codes_and_no_formula(scored_city, tmp_path):
    path = tmp_path / "bao-cao.csv"
    config, db = str(scored_city.config), scored_city.db_url
    cli(
        "--config", config, "--db", db, "export", "report", "--format", "csv", "--output", str(path)
    )
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {(r["Mã cơ quan"], r["Tên cơ quan"]) for r in rows} == {
        (code, name) for code, (name, _group) in AGENCIES.items()
    }
    criteria = {r["Tiêu chí"] for r in rows}
    assert len(rows) == len(AGENCIES) * len(criteria)
    assert not any(value.startswith(FORMULA_START) for r in rows for value in r.values())


def test_the_report_as_xlsx_has_rankings_and_criteria_sheets(scored_city, tmp_path):
    path = tmp_path / "bao-cao.xlsx"
    config, db = str(scored_city.config), scored_city.db_url
    cli("--config", config, "--db", db, "export", "report", "--output", str(path))
    book = load_workbook(path)
    assert book.sheetnames == ["Xếp hạng", "Điểm từng tiêu chí"]
    ranking = list(book["Xếp hạng"].iter_rows(values_only=True))
    assert ranking[0][:4] == ("Nhóm", "Hạng", "Mã cơ quan", "Tên cơ quan")
    assert {(row[2], row[3]) for row in ranking[1:]} == {
        (code, name) for code, (name, _group) in AGENCIES.items()
    }
    assert all(isinstance(row[4], float | int) for row in ranking[1:])


def test_the_overdue_list_names_agencies_and_neutralises_titles(store_url, tmp_path):
    config = tmp_path / "checker.toml"
    config.write_text(deployment_text(), encoding="utf-8")
    deployment = load_deployment(config)
    code = next(iter(AGENCIES))
    engine = open_store(store_url)
    try:
        with engine.begin() as connection:
            write_registry(connection, deployment)
            record = FileRecord(
                organ_id=code,
                external_id="HS-1",
                file_code="HS-1",
                title=HOSTILE_SUBJECT,
                year=2024,
                retention_code="01",
                work_ended_on=date(2024, 1, 10),
            )
            store_records(
                connection,
                [Read("archive#1", record)],
                source="qlvb",
                fetched_at=datetime(2026, 1, 5, 8, 0),
            )
    finally:
        engine.dispose()
    csv_path, xlsx_path = tmp_path / "qua-han.csv", tmp_path / "qua-han.xlsx"
    base = ("--config", str(config), "--db", store_url, "export", "overdue", "--as-of")
    cli(*base, "2025-12-31", "--format", "csv", "--output", str(csv_path))
    cli(*base, "2025-12-31", "--output", str(xlsx_path))
    rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert rows[1][:4] == [code, AGENCIES[code][0], "HS-1", "'" + HOSTILE_SUBJECT]
    sheet = load_workbook(xlsx_path).active
    values = [cell.value for cell in sheet[2]]
    assert values[:4] == [code, AGENCIES[code][0], "HS-1", "'" + HOSTILE_SUBJECT]
    assert sheet["D2"].data_type == "s"


def test_an_export_that_cannot_be_written_is_one_error(tmp_path, english):
    sheet = overdue_sheet(
        [OverdueFile("agency_archive", "A", "A", "F", None, date(2025, 1, 1), 3, None)], {}
    )
    with pytest.raises(OutputError, match=r"export file .*/missing/x.csv cannot be written"):
        write_export([sheet], tmp_path / "missing" / "x.csv", ExportFormat.csv)


def _overdue(status: str | None, archive: str = "agency_archive") -> OverdueFile:
    return OverdueFile(archive, "A", "A", "F", "Hồ sơ", date(2025, 1, 1), 3, status)


def test_an_overdue_sheet_is_in_the_readers_language_states_included():
    files = [_overdue("pending"), _overdue("returned", "historical_archive"), _overdue(None)]
    sheet = overdue_sheet(files, {"A": "Sở Nội vụ"})
    assert sheet.title == "Hồ sơ quá hạn nộp lưu"
    assert sheet.header[-2:] == ("Tình trạng", "Mã đơn vị trong nhật ký")
    archives = ["Lưu trữ cơ quan", "Lưu trữ lịch sử", "Lưu trữ cơ quan"]
    assert [row[4] for row in sheet.rows] == archives
    assert [row[7] for row in sheet.rows] == ["đang chờ tiếp nhận", "bị trả lại", "chưa nộp"]


def test_an_overdue_sheet_reads_english_on_request(english):
    sheet = overdue_sheet([_overdue("pending"), _overdue(None)], {})
    assert sheet.title == "Files overdue for the archives"
    assert sheet.header[:3] == ("Agency code", "Agency name", "File code")
    assert [(row[4], row[7]) for row in sheet.rows] == [
        ("Agency archive", "pending"),
        ("Agency archive", "not transferred"),
    ]


def test_the_report_reads_english_on_request(scored_city, tmp_path):
    path = tmp_path / "report.xlsx"
    config, db = str(scored_city.config), scored_city.db_url
    cli("--lang", "en", "--config", config, "--db", db, "export", "report", "--output", str(path))
    book = load_workbook(path)
    assert book.sheetnames == ["Ranks", "Points by criterion"]
    header = next(book["Points by criterion"].iter_rows(values_only=True))
    assert header[:3] == ("Group", "Agency code", "Agency name")
    assert header[-5:] == ("Points from", "Metric", "Numerator", "Denominator", "Rate (%)")
