"""The way to the next grade as spreadsheets: a CSV with a BOM and names beside codes, an
XLSX with the way and the year end, that LibreOffice opens; text from the logs that would
run as a formula neutralised."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from checker.jobs.way import latest_run, way_to_next_grade
from checker.reports.cells import FORMULA_START
from checker.store.engine import open_store
from tests.checker.reports.conftest import ScoredCity, cli, score_city
from tests.small_city import AGENCIES, HOSTILE_SUBJECT

TODAY = date(2026, 1, 15)
HOSTILE_RECIPIENT = "000.00.31.H99"  # receives the document with the hostile subject


def _agency_with_listed_documents(city: ScoredCity) -> tuple[str, int]:
    """An agency with documents listed under its way, and the run."""
    engine = open_store(city.db_url)
    try:
        run = latest_run(engine)
        for code in sorted(AGENCIES, key=lambda c: c != HOSTILE_RECIPIENT):
            way = way_to_next_grade(engine, city.deployment, code, run_id=run, today=TODAY)
            if any(s.items for s in way.steps):
                return code, run
    finally:
        engine.dispose()
    raise AssertionError("no agency of the small city has documents to work on")


def _export(city: ScoredCity, found: tuple[str, int], path: Path, *options: str) -> str:
    code, run = found
    base = ("--config", str(city.config), "--db", city.db_url, "export", "way")
    return cli(*base, "--agency", code, "--run", str(run), "--output", str(path), *options)


def test_the_way_as_csv_and_xlsx_names_the_agency_and_lists_the_documents(scored_city, tmp_path):
    found = _agency_with_listed_documents(scored_city)
    code = found[0]
    csv_path, xlsx_path = tmp_path / "con-duong.csv", tmp_path / "con-duong.xlsx"
    said = _export(scored_city, found, csv_path, "--format", "csv")
    assert str(csv_path) in said and code in said
    _export(scored_city, found, xlsx_path)
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {(r["Mã cơ quan"], r["Tên cơ quan"]) for r in rows} == {(code, AGENCIES[code][0])}
    assert any(r["Số, ký hiệu"] for r in rows) and all(r["Việc cần làm"] for r in rows)
    assert not any(value.startswith(FORMULA_START) for r in rows for value in r.values())
    titles = {r["Trích yếu, tiêu đề"] for r in rows}
    assert "'" + HOSTILE_SUBJECT in titles  # kept as text, never as a formula

    book = load_workbook(xlsx_path)
    assert book.sheetnames == ["Con đường lên hạng", "Cuối năm theo nhịp hiện tại"]
    way_sheet = list(book["Con đường lên hạng"].iter_rows(values_only=True))
    assert len(way_sheet) == len(rows) + 1
    assert [str(v) for v in way_sheet[0]] == list(rows[0])
    outlook = list(book["Cuối năm theo nhịp hiện tại"].iter_rows(values_only=True))
    assert outlook[1][:2] == (code, AGENCIES[code][0]) and isinstance(outlook[1][4], int)


def _libreoffice() -> str:
    found = shutil.which("soffice")
    if found is None:
        if os.environ.get("CHECKER_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail("LibreOffice (soffice) is required but not installed")
        pytest.skip("LibreOffice (soffice) is not installed")
    return found


def test_libreoffice_opens_the_way_workbook_with_its_vietnamese(tmp_path):
    city = score_city(f"sqlite:///{tmp_path / 'checker.db'}", tmp_path / "city")
    found = _agency_with_listed_documents(city)
    code = found[0]
    xlsx_path = tmp_path / "con-duong.xlsx"
    _export(city, found, xlsx_path)
    out = tmp_path / "lo"
    subprocess.run(
        [
            _libreoffice(),
            f"-env:UserInstallation=file://{out / 'profile'}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(out),
            str(xlsx_path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    rows = list(csv.reader(io.StringIO((out / "con-duong.csv").read_text(encoding="utf-8"))))
    first = list(load_workbook(xlsx_path).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == [str(v) for v in first[0]]
    assert len(rows) == len(first)
    assert rows[1][:2] == [code, AGENCIES[code][0]]
