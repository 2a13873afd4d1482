from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from checker.cli import app
from tests.conftest import SAMPLES

SAMPLE_FILES = (SAMPLES / "edoc-vpcp-7816.edxml", SAMPLES / "status-05-nghean.edxml")

runner = CliRunner()
DEPLOYMENT = """
city = "Huyện Thử"
[[groups]]
id = "xa"
name = "Xã"
criteria = "hanoi-2017"
[[agencies]]
code = "X1"
name = "Xã Một"
group = "xa"
[[agencies]]
code = "X2"
name = "Xã Hai"
group = "xa"
[[agencies]]
code = "X3"
name = "Xã Ba"
group = "xa"
[[clusters]]
id = "c1"
name = "Cụm 1"
members = ["X1", "X2", "X3"]
leader = "X1"
district = "Huyện Thử"
"""


def run(*args: str, ok: bool = True):
    result = runner.invoke(app, list(args), env={"CHECKER_DB_URL": ""})
    if ok:
        assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def workspace(tmp_path: Path, store_url: str) -> tuple[Path, str]:
    config = tmp_path / "checker.toml"
    config.write_text(DEPLOYMENT)
    return config, store_url


def cli(workspace: tuple[Path, str], *args: str, ok: bool = True):
    config, db = workspace
    return run("--config", str(config), "--db", db, *args, ok=ok)


def test_scores_entered_from_a_file_show_a_provisional_grade_until_closing(workspace, tmp_path):
    points = tmp_path / "diem.toml"
    points.write_text(
        '[X1]\n"1.1" = 5\n"2.1" = 15\n"3.1" = 25\n"4.1" = 30\n"5.1" = 10\n"6.1" = 10\n'
    )
    entered = cli(
        workspace,
        "scorecards",
        "enter",
        "--file",
        str(points),
        "--year",
        "2025",
        "--role",
        "inspection",
        "--by",
        "Đoàn kiểm tra",
    )
    assert "Đã ghi nhận 6 mục điểm cho 1 cơ quan" in entered.stdout
    shown = json.loads(
        cli(
            workspace, "scorecards", "show", "--agency", "X1", "--year", "2025", "--format", "json"
        ).stdout
    )
    assert shown["grades_possible"] == ["A", "B", "C"]
    assert shown["deciding"] == ["7.1"] and not shown["final"]
    closed = cli(
        workspace, "scorecards", "close", "--agency", "X1", "--year", "2025", "--by", "Trưởng đoàn"
    )
    assert "Loại C" in closed.stdout and "7.1" in closed.stdout
    history = cli(
        workspace, "scorecards", "show", "--agency", "X1", "--year", "2025", "--criterion", "3.1"
    )
    assert "Đoàn kiểm tra (toml:diem.toml)" in history.stdout


def test_a_score_above_the_max_in_the_file_is_one_error_line(workspace, tmp_path):
    points = tmp_path / "diem.toml"
    points.write_text('[X1]\n"1.1" = 6\n')
    result = cli(
        workspace,
        "scorecards",
        "enter",
        "--file",
        str(points),
        "--year",
        "2025",
        "--role",
        "self",
        "--by",
        "Xã Một",
        ok=False,
    )
    assert result.exit_code == 1
    assert "6 cao hơn mức tối đa 5 của tiêu chí 1.1" in result.output


def test_export_then_import_of_a_refused_workbook_says_which_and_exits_1(workspace, tmp_path):
    folder = tmp_path / "out"
    exported = cli(workspace, "scorecards", "export", "--year", "2025", "--folder", str(folder))
    assert "3 tệp bảng tính cho 3 cơ quan" in exported.stdout
    broken = folder / "hỏng.xlsx"
    broken.write_text("not a workbook")
    files = sorted(str(p) for p in folder.glob("*.xlsx"))
    result = cli(
        workspace, "scorecards", "import", *files, "--year", "2025", "--by", "Đoàn", ok=False
    )
    assert result.exit_code == 1
    assert "Đã nhận 3 tệp bảng tính, từ chối 1 tệp." in result.stdout
    assert "Bị từ chối: hỏng.xlsx: không phải sổ tính XLSX đọc được" in result.output


def test_the_summary_ranks_the_cluster_and_reports_a_tie_for_the_vote(workspace, tmp_path):
    points = tmp_path / "diem.toml"
    full = '"1.1" = 5\n"2.1" = 15\n"3.1" = 25\n"4.1" = 30\n"5.1" = 10\n"6.1" = 10\n"7.1" = 5\n'
    points.write_text(f"[X1]\n{full}[X2]\n{full}[X3]\n" + full.replace('"1.1" = 5', '"1.1" = 2'))
    cli(
        workspace,
        "scorecards",
        "enter",
        "--file",
        str(points),
        "--year",
        "2025",
        "--role",
        "agreed",
        "--by",
        "Cụm 1",
    )
    summary = json.loads(
        cli(workspace, "scorecards", "summary", "--year", "2025", "--format", "json").stdout
    )
    ranks = {a["agency"]: (a["group_rank"], a["cluster_rank"]) for a in summary["agencies"]}
    assert ranks == {"X1": (1, 1), "X2": (1, 1), "X3": (3, 3)}
    cluster = summary["nominations"][0]
    assert (cluster["nominee"], cluster["tied"]) == (None, ["X1", "X2"])
    assert "cần biểu quyết" in cluster["text"]
    table = cli(workspace, "scorecards", "summary", "--year", "2025").stdout
    assert "Cụm 1 (cụm trưởng X1)" in table
    assert "Đề nghị — c1: bằng điểm giữa X1, X2, cần biểu quyết" in table
    english = cli(workspace, "--lang", "en", "scorecards", "summary", "--year", "2025").stdout
    assert "Ranking — " in english and "Cụm 1 (cluster leader X1)" in english
    assert "Proposed — c1: equal points between X1, X2, a vote must decide" in english
    assert "Xếp loại" not in english and "Grade" in english
    claims = cli(workspace, "--lang", "en", "scorecards", "claims", "--year", "2025").stdout
    assert claims == "No self-score above what the logs show (2025).\n"
    vietnamese = cli(workspace, "scorecards", "claims", "--year", "2025").stdout
    assert vietnamese == "Không có điểm tự chấm nào cao hơn nhật ký (2025).\n"


def test_a_run_keeps_its_criteria_and_says_when_the_store_changed_since(workspace):
    config, _db = workspace
    cli(workspace, "score", "--year", "2025", "--format", "json")
    config.write_text(
        DEPLOYMENT.replace('criteria = "hanoi-2017"', 'criteria = "danang-electronic-example"')
    )
    report = json.loads(cli(workspace, "report", "--all", "--format", "json").stdout)
    assert report["groups"][0]["criteria_set"] == "hanoi-2017"
    assert [s["id"] for s in report["agencies"][0]["sections"]] == list("1234567")
    runs = json.loads(cli(workspace, "runs", "list", "--format", "json").stdout)
    assert runs[0]["criteria"].keys() == {"hanoi-2017"} and runs[0]["store_change"] is None
    cli(workspace, "ingest", "edxml", *map(str, SAMPLE_FILES))
    shown = cli(workspace, "runs", "show", str(runs[0]["id"])).stdout
    assert "kho dữ liệu đã thay đổi kể từ lần chấm" in shown
    assert "+" in shown.split("kho dữ liệu đã thay đổi kể từ lần chấm", 1)[1]


def test_a_workbook_exported_in_english_is_imported_by_the_vietnamese_command_and_back(
    workspace, tmp_path
):
    english = tmp_path / "en"
    done = cli(
        workspace,
        "--lang",
        "en",
        "scorecards",
        "export",
        "--year",
        "2025",
        "--folder",
        str(english),
    )
    assert "3 workbooks for 3 agencies" in done.stdout
    path = next(english.glob("X1*.xlsx"))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", "Scoring", "checker"]
    sheet = book["Scoring"]
    assert sheet["G5"].value == "Inspection team's points"
    row = next(r[0].row for r in sheet.iter_rows() if r[1].value == "1.1")
    sheet[f"G{row}"] = 4
    book.save(path)
    taken = cli(workspace, "scorecards", "import", str(path), "--year", "2025", "--by", "Đoàn")
    assert "Đã nhận 1 tệp bảng tính, từ chối 0 tệp." in taken.stdout

    vietnamese = tmp_path / "vi"
    cli(workspace, "scorecards", "export", "--year", "2025", "--folder", str(vietnamese))
    path = next(vietnamese.glob("X1*.xlsx"))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Tổng hợp", "Chấm điểm", "checker"]
    sheet = book["Chấm điểm"]
    assert sheet[f"G{row}"].value == 4
    sheet[f"H{row}"] = 4.5
    book.save(path)
    taken = cli(
        workspace,
        "--lang",
        "en",
        "scorecards",
        "import",
        str(path),
        "--year",
        "2025",
        "--by",
        "Team",
    )
    assert "1 workbook taken, 0 refused." in taken.stdout
    shown = json.loads(
        cli(
            workspace, "scorecards", "show", "--agency", "X1", "--year", "2025", "--format", "json"
        ).stdout
    )
    line = next(c for c in shown["criteria_lines"] if c["criterion"] == "1.1")
    assert (line["inspection"], line["agreed"], line["counts_from"]) == ("4", "4.5", "agreed")
