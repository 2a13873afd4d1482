from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from checker.config import Agency, Cluster, Deployment, Group
from checker.i18n import Language, speaking
from checker.jobs.scorecards import Split, export_scorecards, import_workbooks, year_cards
from checker.reports.cells import neutralise_cell
from checker.reports.workbook import parse_points
from checker.scoring.assessment import INSPECTION, SELF
from checker.scoring.criteria import load_criteria
from metrics.catalogue import METRICS
from metrics.values import EvidenceLine

CRITERIA_DIR = Path(__file__).resolve().parents[3] / "config" / "criteria"
HANOI = load_criteria("hanoi-2017", CRITERIA_DIR)
NOW = datetime(2026, 3, 1, 9, 0)
DEPLOYMENT = Deployment(
    city="Huyện Thử",
    groups=(Group(id="xa", name="Xã", criteria="hanoi-2017"),),
    agencies=(
        Agency(code="X1", name="Xã Một", group="xa"),
        Agency(code="X2", name="Xã Hai", group="xa"),
    ),
    clusters=(Cluster(id="c1", name="Cụm 1", members=("X1", "X2"), leader="X1"),),
)
BY_GROUP = {"xa": HANOI}


def _export(
    engine, folder: Path, split: Split = Split.agency, language: Language = Language.vi
) -> list[Path]:
    """Exported by a command in ``language`` (Vietnamese unless told), whatever language the
    test reads: the tests that read English errors read them about a Vietnamese workbook."""
    with speaking(language):
        return export_scorecards(engine, DEPLOYMENT, BY_GROUP, 2025, folder, split, NOW).files


def _import(engine, *paths: Path, year: int = 2025):
    return import_workbooks(engine, DEPLOYMENT, BY_GROUP, list(paths), year, "Đoàn kiểm tra", NOW)


SCORING = {Language.vi: "Chấm điểm", Language.en: "Scoring"}
# letters only Vietnamese writes: none may be left in an English workbook but in its data
VIETNAMESE = re.compile(
    "[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.IGNORECASE
)


def _cards(engine):
    with engine.begin() as connection:
        return {a.code: c for a, c in year_cards(connection, DEPLOYMENT, BY_GROUP, 2025, NOW)}


def _row_of(sheet, criterion_id: str) -> int:
    return next(r[0].row for r in sheet.iter_rows() if r[1].value == criterion_id)


def _edit(path: Path, edits: dict[str, object], sheet: str = "Chấm điểm") -> None:
    book = openpyxl.load_workbook(path)
    for cell, value in edits.items():
        book[sheet][cell] = value
    book.save(path)


def test_exporting_and_importing_unchanged_changes_nothing(engine, tmp_path):
    files = _export(engine, tmp_path)
    outcome = _import(engine, *files)
    assert [o.entries for o in outcome.outcomes] == [0, 0] and not outcome.refused


def test_edits_are_imported_and_are_there_in_the_next_export(engine, tmp_path):
    path = _export(engine, tmp_path)[0]
    sheet = openpyxl.load_workbook(path)["Chấm điểm"]
    row = _row_of(sheet, "3.1")
    _edit(path, {f"G{row}": "20,5", f"I{row}": "thiếu sổ đăng ký", f"F{_row_of(sheet, '1.1')}": 4})
    assert _import(engine, path).outcomes[0].entries == 2
    card = _cards(engine)["X1"]
    assert card.cell("3.1").counting == (INSPECTION, Decimal("20.5"))
    assert card.cell("3.1").note == "thiếu sổ đăng ký"
    assert card.cell("1.1").latest[SELF].entered_by == "Đoàn kiểm tra"
    again = openpyxl.load_workbook(_export(engine, tmp_path / "again")[0])["Chấm điểm"]
    assert again[f"G{row}"].value == 20.5
    assert again[f"I{row}"].value == "thiếu sổ đăng ký"
    assert _import(engine, tmp_path / "again" / path.name).outcomes[0].entries == 0


def test_the_layout_locks_what_people_must_not_change_and_validates_what_they_fill(
    engine, tmp_path
):
    book = openpyxl.load_workbook(_export(engine, tmp_path)[0])
    sheet = book["Chấm điểm"]
    row = _row_of(sheet, "1.1")
    assert sheet.protection.sheet
    assert sheet[f"F{row}"].protection.locked is False
    assert sheet[f"D{row}"].protection.locked is not False
    rules = [
        (dv.type, dv.formula1, dv.formula2)
        for dv in sheet.data_validations.dataValidation
        if f"F{row}:H{row}" in str(dv.sqref).split()
    ]
    assert rules == [("decimal", "0", "5")]
    assert sheet[f"J{row}"].value.startswith("=IF(")
    assert book["checker"].sheet_state == "hidden"
    assert book["Tổng hợp"]["D4"].value.startswith("='Chấm điểm'!J")


def test_rows_are_found_by_criterion_id_when_people_move_them(engine, tmp_path):
    path = _export(engine, tmp_path)[0]
    book = openpyxl.load_workbook(path)
    sheet = book["Chấm điểm"]
    row = _row_of(sheet, "4.1")
    sheet.insert_rows(7, amount=3)
    sheet.delete_rows(_row_of(sheet, "1.1"))
    sheet[f"G{row + 3 - 1}"] = 28
    book.save(path)
    assert _import(engine, path).outcomes[0].entries == 1
    assert _cards(engine)["X1"].cell("4.1").counting == (INSPECTION, Decimal(28))


def test_points_above_the_max_refuse_the_workbook_and_name_file_sheet_and_cell(
    engine, tmp_path, english
):
    first, second = _export(engine, tmp_path)
    sheet = openpyxl.load_workbook(first)["Chấm điểm"]
    row = _row_of(sheet, "1.1")
    _edit(first, {f"G{row}": 6, f"G{_row_of(sheet, '2.1')}": 10})
    _edit(second, {f"G{row}": 3})
    outcome = _import(engine, first, second)
    assert outcome.refused[0].error == (
        f"X1 Xã Một.xlsx, sheet 'Chấm điểm', cell G{row}: 6 is above the maximum 5 of criterion 1.1"
    )
    assert [o.entries for o in outcome.outcomes] == [0, 1]
    cards = _cards(engine)
    assert cards["X1"].cell("2.1").latest == {}
    assert cards["X2"].cell("1.1").counting == (INSPECTION, Decimal(3))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("=5-1", "a formula (=5-1) where a number belongs; type the points"),
        ("năm", "'năm' is not a number"),
        (-1, "-1 is negative for criterion 1.1"),
    ],
)
def test_bad_cells_are_one_line_naming_the_cell(engine, tmp_path, value, message, english):
    path = _export(engine, tmp_path)[0]
    row = _row_of(openpyxl.load_workbook(path)["Chấm điểm"], "1.1")
    _edit(path, {f"F{row}": value})
    error = _import(engine, path).refused[0].error
    assert error == f"X1 Xã Một.xlsx, sheet 'Chấm điểm', cell F{row}: {message}"


def test_a_corrupted_file_or_another_year_is_refused_and_the_rest_carries_on(
    engine, tmp_path, english
):
    good = _export(engine, tmp_path)[0]
    broken = tmp_path / "hỏng.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    outcome = _import(engine, broken, good)
    assert outcome.refused[0].error == (
        "hỏng.xlsx: not a readable XLSX workbook (not a ZIP archive, as every .xlsx is)"
    )
    assert outcome.outcomes[1].error is None
    wrong_year = _import(engine, good, year=2024)
    assert "a workbook for 2025, not 2024" in wrong_year.refused[0].error


def test_a_workbook_changed_beyond_recognition_is_refused(engine, tmp_path, english):
    path = _export(engine, tmp_path)[0]
    book = openpyxl.load_workbook(path)
    book["Chấm điểm"].delete_rows(1, 5)
    book.save(path)
    assert "changed beyond recognition" in _import(engine, path).refused[0].error


def test_a_cluster_workbook_has_a_sheet_per_agency(engine, tmp_path):
    path = _export(engine, tmp_path, Split.cluster)[0]
    book = openpyxl.load_workbook(path)
    assert path.name == "Cụm 1.xlsx"
    assert book.sheetnames[:3] == ["Tổng hợp", "X1", "X2"]
    summary = [str(c.value) for row in book["Tổng hợp"].iter_rows() for c in row if c.value]
    assert "c1: không có đơn vị đạt loại cao nhất để đề nghị" in summary
    _edit(path, {f"H{_row_of(book['X2'], '5.1')}": 7}, sheet="X2")
    assert _import(engine, path).outcomes[0].entries == 1


def test_numbers_typed_as_text_with_a_decimal_comma_are_read():
    assert parse_points("7,5") == Decimal("7.5")
    assert parse_points(" 8 ") == Decimal(8)
    assert parse_points(None) is None and parse_points("  ") is None


def test_text_from_the_logs_is_never_run_as_a_formula(engine, tmp_path):
    assert neutralise_cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert [neutralise_cell(t) for t in ("+1", "-1", "@a", "\tx", "\rx", "Công văn")] == [
        "'+1",
        "'-1",
        "'@a",
        "'\tx",
        "'\rx",
        "Công văn",
    ]
    danang = load_criteria("danang-electronic-example", CRITERIA_DIR)
    deployment = Deployment(
        groups=(Group(id="so", name="Sở", criteria=danang.id),),
        agencies=(Agency(code="S", name="Sở Tư pháp", group="so"),),
    )
    from checker.reports.workbook import AgencyCard, export_workbook

    with engine.begin() as connection:
        card = year_cards(connection, deployment, {"so": danang}, 2025, NOW)[0][1]
    line = EvidenceLine("k1", "=1+1", "=cmd|' /C calc'!A0", "S", date(2025, 3, 1), False, "-x", "f")
    path = export_workbook(
        tmp_path / "s.xlsx", [AgencyCard(card, "Sở Tư pháp")], "Đà Nẵng", lambda a, m: [line]
    )
    book = openpyxl.load_workbook(path)
    evidence = book[book.sheetnames[2]]
    values = [c.value for c in evidence[5]]
    assert values[:3] == ["không", "'-x", "'=1+1"]
    assert all(c.data_type != "f" for c in evidence[5])


def _libreoffice() -> str:
    found = shutil.which("soffice")
    if found is None:
        if os.environ.get("CHECKER_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail("LibreOffice (soffice) is required but not installed")
        pytest.skip("LibreOffice (soffice) is not installed")
    return found


def _resave_with_libreoffice(path: Path, folder: Path) -> Path:
    folder.mkdir()
    subprocess.run(
        [
            _libreoffice(),
            f"-env:UserInstallation=file://{folder / 'profile'}",
            "--headless",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(folder),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return folder / path.name


@pytest.mark.parametrize("language", [Language.vi, Language.en])
def test_a_workbook_saved_by_libreoffice_is_accepted_and_keeps_its_edits(
    engine, tmp_path, language
):
    """In either language of the export, read by the (Vietnamese) import."""
    scoring = SCORING[language]
    path = _export(engine, tmp_path / "out", language=language)[0]
    resaved = _resave_with_libreoffice(path, tmp_path / "lo")
    outcome = _import(engine, resaved).outcomes[0]
    assert (outcome.error, outcome.entries) == (None, 0)
    row = _row_of(openpyxl.load_workbook(resaved)[scoring], "3.1")
    _edit(resaved, {f"G{row}": "7,5", f"I{row}": "sửa"}, sheet=scoring)
    edited = _resave_with_libreoffice(resaved, tmp_path / "lo2")
    assert _import(engine, edited).outcomes[0].entries == 1
    again = _export(engine, tmp_path / "again", language=language)[0]
    assert openpyxl.load_workbook(again)[scoring][f"G{row}"].value == 7.5


def test_the_summary_of_a_year_stores_nothing(engine):
    from checker.jobs.scorecards import year_summary
    from checker.store.models import ASSESSMENT

    summary = year_summary(engine, DEPLOYMENT, BY_GROUP, 2025, NOW)
    assert [r.group_rank for r in summary.ranked] == [1, 1]
    with engine.connect() as connection:
        assert connection.execute(ASSESSMENT.select()).first() is None


def test_evidence_sheets_written_as_text_read_back_in_excel_and_libreoffice(engine, tmp_path):
    """The evidence rows are written as the sheet's XML directly (for speed): what a
    spreadsheet program reads is the text and the day, escaped, and nothing else."""
    danang = load_criteria("danang-electronic-example", CRITERIA_DIR)
    deployment = Deployment(
        groups=(Group(id="so", name="Sở", criteria=danang.id),),
        agencies=(Agency(code="S", name="Sở Tư pháp", group="so"),),
    )
    from checker.reports.workbook import AgencyCard, export_workbook

    with engine.begin() as connection:
        card = year_cards(connection, deployment, {"so": danang}, 2025, NOW)[0][1]
    tricky = "Về <b> & \"x\" 'y' "
    lines = [
        EvidenceLine("k1", "1/UBND", tricky, "S", date(2025, 3, 1), False, "muộn", "f"),
        EvidenceLine("k2", None, "có\x01 ký tự điều khiển", "S", None, False, "=SUM(A1)", "g"),
        EvidenceLine("k3", "3/UBND", "đã tính", "S", date(2025, 3, 2), True, "tính", "h"),
    ]
    path = export_workbook(
        tmp_path / "s.xlsx", [AgencyCard(card, "Sở Tư pháp")], "Đà Nẵng", lambda a, m: lines
    )
    expected = [
        ("không", "muộn", "1/UBND", datetime(2025, 3, 1), tricky, "k1"),
        ("không", "'=SUM(A1)", None, None, "có ký tự điều khiển", "k2"),
    ]
    for book_path in (path, _resave_with_libreoffice(path, tmp_path / "lo")):
        book = openpyxl.load_workbook(book_path)
        sheet = book[book.sheetnames[2]]
        assert sheet.protection.sheet
        assert sheet.max_row == 6
        assert [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=5)] == expected
        assert sheet["D5"].is_date and sheet["E4"].value == "Trích yếu / tiêu đề"
        scoring = book["Chấm điểm"]
        row = _row_of(scoring, "1.1")  # measured, nothing measured yet: not a 0
        assert scoring[f"E{row}"].value == "chưa đo được"


def _trimmed(rows) -> list[tuple]:
    trimmed = []
    for row in rows:
        values = list(row)
        while values and values[-1] is None:
            values.pop()
        trimmed.append(tuple(values))
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    return trimmed


def test_the_import_reads_the_cells_openpyxl_reads_as_written_and_as_libreoffice_saves(
    engine, tmp_path
):
    """The import's reader (checker/reports/xlsx.py) parses only the sheets it reads; what it
    gives is what openpyxl gives (formulas as text), for our files and LibreOffice's."""
    from checker.reports.xlsx import open_xlsx

    path = _export(engine, tmp_path / "out")[0]
    _edit(path, {"G8": "7,5", "F9": 3, "I9": "=1+1"})
    for book_path in (path, _resave_with_libreoffice(path, tmp_path / "lo")):
        theirs = openpyxl.load_workbook(book_path, read_only=True, data_only=False)
        ours = open_xlsx(book_path)
        try:
            assert ours.sheetnames == theirs.sheetnames
            for name in theirs.sheetnames:
                expected = _trimmed(theirs[name].iter_rows(values_only=True))
                assert _trimmed(ours.rows(name)) == expected, name
        finally:
            ours.close()
            theirs.close()


def test_a_sheet_that_is_not_xml_is_one_line_naming_the_file(engine, tmp_path, english):
    import zipfile

    from checker.errors import WorkbookError
    from checker.reports.workbook import read_workbook

    path = _export(engine, tmp_path / "out")[0]
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = data[: len(data) // 2]  # cut in the middle of the scoring sheet
            target.writestr(item, data)
    with pytest.raises(WorkbookError, match=r"^broken\.xlsx, sheet 'Chấm điểm': not readable"):
        read_workbook(broken, lambda code: HANOI)
    outcome = _import(engine, broken).outcomes[0]
    assert outcome.error is not None and outcome.error.startswith("broken.xlsx")


def test_evidence_sheets_from_the_store_list_what_checker_evidence_lists(scored_city, tmp_path):
    """Exported with --evidence from a scored store (both databases): each measured
    criterion's sheet lists the documents the evidence command gives as not counted; the
    period's working-day calendar is written once for the export, not per agency."""
    from tests.checker.reports.conftest import cli

    city = ("--config", str(scored_city.config), "--db", scored_city.db_url)
    cli(*city, "scorecards", "prefill")
    folder = tmp_path / "books"
    cli(*city, "scorecards", "export", "--year", "2025", "--folder", str(folder), "--evidence")
    agency = scored_city.deployment.agencies[0]
    book = openpyxl.load_workbook(next(folder.glob(f"*{agency.code}*.xlsx")), read_only=True)
    sheets = [name for name in book.sheetnames if name.startswith("Minh chứng")]
    assert sheets
    compared = 0
    for name in sheets:
        rows = list(book[name].iter_rows(values_only=True))
        metric = next(m for m in METRICS if str(rows[1][0]).startswith(METRICS[m].name_vi))
        listed = json.loads(
            cli(
                *city,
                "evidence",
                "--agency",
                agency.code,
                "--metric",
                metric,
                "--year",
                "2025",
                "--format",
                "json",
            )
        )
        missed = [line for line in listed["documents"] if not line["counted"]]
        assert [r[5] for r in rows[4:] if any(r)] == [line["item"] for line in missed]
        compared += len(missed)
    assert compared > 0


def test_a_file_that_is_no_workbook_is_refused_in_vietnamese_words(engine, tmp_path):
    broken = tmp_path / "hỏng.xlsx"
    broken.write_bytes(b"Ngay den;So den\r\n")
    outcome = _import(engine, broken)
    assert outcome.refused[0].error == (
        "hỏng.xlsx: không phải sổ tính XLSX đọc được (không phải tệp nén ZIP như mọi tệp .xlsx)"
    )


def _words(book: openpyxl.Workbook, data: list[str]) -> list[str]:
    """What an exported workbook says in words besides its data (names and titles from the
    deployment and the criteria set): sheet names, texts of the visible sheets, the
    validations' messages."""
    data = sorted(data, key=len, reverse=True)
    texts = list(book.sheetnames)
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            continue
        texts += [v for row in sheet.iter_rows(values_only=True) for v in row if isinstance(v, str)]
        for rule in sheet.data_validations.dataValidation:
            texts += [rule.errorTitle or "", rule.error or ""]
    words = []
    for text in texts:
        if text.startswith("="):
            continue  # a formula
        for name in data:
            text = text.replace(name, "")
        words.append(text)
    return words


def _data(criteria, deployment: Deployment) -> list[str]:
    return [
        deployment.city,
        *(a.name for a in deployment.agencies),
        *(c.name for c in deployment.clusters),
        criteria.title,
        *(s.title for s in criteria.sections),
        *(c.title for c in criteria.criteria),
        *(g.name for g in criteria.grades),
    ]


def test_an_english_export_has_english_sheets_headers_and_words(engine, tmp_path):
    path = _export(engine, tmp_path, Split.cluster, language=Language.en)[0]
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", "X1", "X2", "checker"]
    summary = [[c.value for c in row] for row in book["Summary"].iter_rows()]
    assert summary[0][0] == "SUMMARY OF THE SCORES — Huyện Thử"
    assert summary[2] == [
        "No.",
        "Agency code",
        "Agency",
        "Total points",
        "Grade",
        "Rank",
        "Cluster",
    ]
    sheet = book["X1"]
    assert [c.value for c in sheet[5]] == [
        "No.",
        "Criterion id",
        "Content, criterion",
        "Max points",
        "Measured points",
        "Self-assessed points",
        "Inspection team's points",
        "Agreed points",
        "Note",
        "Points that count",
    ]
    assert [sheet["A2"].value, sheet["A3"].value] == [
        "Agency: Xã Một (X1)",
        f"Year: 2025 — {HANOI.title}",
    ]
    rule = sheet.data_validations.dataValidation[0]
    assert (rule.errorTitle, rule.error) == ("Invalid points", "Enter a number from 0 to 5.")
    words = _words(book, _data(HANOI, DEPLOYMENT))
    assert "Grand total" in words and "Rank in the group: 1" in words
    assert [w for w in words if VIETNAMESE.search(w)] == []


def test_an_english_export_writes_its_evidence_sheets_in_english(engine, tmp_path):
    danang = load_criteria("danang-electronic-example", CRITERIA_DIR)
    deployment = Deployment(
        city="Đà Nẵng",
        groups=(Group(id="so", name="Sở", criteria=danang.id),),
        agencies=(Agency(code="S", name="Sở Tư pháp", group="so"),),
    )
    from checker.reports.workbook import AgencyCard, export_workbook

    with engine.begin() as connection:
        card = year_cards(connection, deployment, {"so": danang}, 2025, NOW)[0][1]
    line = EvidenceLine("k1", "1/UBND", "Công văn", "S", date(2025, 3, 1), False, "late", "f")
    with speaking(Language.en):
        path = export_workbook(
            tmp_path / "s.xlsx", [AgencyCard(card, "Sở Tư pháp")], "Đà Nẵng", lambda a, m: [line]
        )
    book = openpyxl.load_workbook(path)
    measured = [c for c in danang.criteria if c.metric]
    assert book.sheetnames[:3] == ["Summary", "Scoring", f"Evidence {measured[0].id}"]
    evidence = book[f"Evidence {measured[0].id}"]
    assert str(evidence["A2"].value).startswith(METRICS[measured[0].metric].name_en)
    assert evidence["A2"].value.endswith("— no measurement yet")
    assert [c.value for c in evidence[4]] == [
        "Counts",
        "Reason not counted",
        "Number and notation",
        "Date",
        "Summary / title",
        "Code",
    ]
    assert [c.value for c in evidence[5]][:3] == ["no", "late", "1/UBND"]
    row = _row_of(book["Scoring"], measured[0].id)
    assert book["Scoring"][f"E{row}"].value == "not measured"
    data = [*_data(danang, deployment), "Công văn", "Sở Tư pháp", "1/UBND"]
    assert [w for w in _words(book, data) if VIETNAMESE.search(w)] == []


@pytest.mark.parametrize(
    ("written", "read"),
    [(Language.en, Language.vi), (Language.vi, Language.en), (Language.en, Language.en)],
)
def test_a_workbook_is_read_whatever_language_it_was_written_in(engine, tmp_path, written, read):
    """Export, import unchanged: nothing; edit, import, export: the edits are there; the
    reader's language need not be the writer's."""
    scoring = SCORING[written]
    path = _export(engine, tmp_path / "out", language=written)[0]
    with speaking(read):
        assert [o.entries for o in _import(engine, path).outcomes] == [0]
    sheet = openpyxl.load_workbook(path)[scoring]
    row = _row_of(sheet, "3.1")
    edits = {f"G{row}": "20,5", f"I{row}": "thiếu sổ đăng ký", f"F{_row_of(sheet, '1.1')}": 4}
    _edit(path, edits, sheet=scoring)
    with speaking(read):
        outcome = _import(engine, path).outcomes[0]
    assert (outcome.error, outcome.entries) == (None, 2)
    card = _cards(engine)["X1"]
    assert card.cell("3.1").counting == (INSPECTION, Decimal("20.5"))
    assert card.cell("3.1").note == "thiếu sổ đăng ký"
    assert card.cell("1.1").points_of(SELF) == Decimal(4)
    again = _export(engine, tmp_path / "again", language=written)[0]
    sheet = openpyxl.load_workbook(again)[scoring]
    assert (sheet[f"G{row}"].value, sheet[f"I{row}"].value) == (20.5, "thiếu sổ đăng ký")
    with speaking(read):
        assert _import(engine, again).outcomes[0].entries == 0


def test_errors_about_an_english_workbook_are_in_the_readers_language(engine, tmp_path):
    """Named by its file, its (English) sheet and cell, said in Vietnamese."""
    first, second = _export(engine, tmp_path, language=Language.en)
    sheet = openpyxl.load_workbook(first)["Scoring"]
    row = _row_of(sheet, "1.1")
    _edit(first, {f"G{row}": 6}, sheet="Scoring")
    book = openpyxl.load_workbook(second)
    book["Scoring"]["G5"] = "Inspectors"
    book.save(second)
    outcome = _import(engine, first, second)
    assert outcome.refused[0].error == (
        f"X1 Xã Một.xlsx, trang tính 'Scoring', ô G{row}: 6 cao hơn mức tối đa 5 của tiêu chí 1.1"
    )
    assert outcome.refused[1].error == (
        "X2 Xã Hai.xlsx, trang tính 'Scoring': không có cột Điểm đoàn kiểm tra"
    )


def test_evidence_sheets_are_read_a_batch_of_agencies_at_a_time_with_the_same_rows(
    scored_city, tmp_path, monkeypatch
):
    """The evidence sheets read the store's evidence for a batch of agencies at a time
    (``metrics.evidence_batches``): batches of a line each (every agency with evidence
    alone) list the rows one batch of all agencies lists (both databases)."""
    from checker.jobs.score import criteria_by_group
    from checker.store.engine import open_store
    from metrics import evidence_batches
    from tests.checker.reports.conftest import cli

    cli("--config", str(scored_city.config), "--db", scored_city.db_url, "scorecards", "prefill")
    deployment = scored_city.deployment
    engine = open_store(scored_city.db_url)
    read: list[list[str]] = []
    real = evidence_batches.missed_by_agency

    def missed_by_agency(connection, codes, *args):
        read.append(list(codes))
        return real(connection, codes, *args)

    try:
        by_group = criteria_by_group(deployment)
        for lines, folder in ((None, "whole"), (1, "alone")):
            if lines is not None:
                monkeypatch.setattr(evidence_batches, "BATCH_LINES", lines)
            monkeypatch.setattr(evidence_batches, "missed_by_agency", missed_by_agency)
            read.clear()
            export_scorecards(
                engine, deployment, by_group, 2025, tmp_path / folder, Split.agency, NOW, True
            )
            if lines is None:
                assert {len(codes) for codes in read} == {len(deployment.agencies)}
            else:
                assert len({tuple(codes) for codes in read}) > 1
    finally:
        engine.dispose()
    rows = {}
    for folder in ("whole", "alone"):
        for path in sorted((tmp_path / folder).glob("*.xlsx")):
            book = openpyxl.load_workbook(path, read_only=True)
            for name in book.sheetnames:
                rows[folder, path.name, name] = list(book[name].iter_rows(values_only=True))
            book.close()
    whole = {key[1:]: value for key, value in rows.items() if key[0] == "whole"}
    alone = {key[1:]: value for key, value in rows.items() if key[0] == "alone"}
    assert alone == whole
    assert any(name.startswith("Minh chứng") and len(r) > 4 for (_, name), r in whole.items())
