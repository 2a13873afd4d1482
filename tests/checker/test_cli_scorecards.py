from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli import app

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
    assert "6 entries recorded for 1 agencies" in entered.stdout
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
    assert "6 is above the maximum 5 of criterion 1.1" in result.output


def test_export_then_import_of_a_refused_workbook_says_which_and_exits_1(workspace, tmp_path):
    folder = tmp_path / "out"
    exported = cli(workspace, "scorecards", "export", "--year", "2025", "--folder", str(folder))
    assert "3 workbooks for 3 agencies" in exported.stdout
    broken = folder / "hỏng.xlsx"
    broken.write_text("not a workbook")
    files = sorted(str(p) for p in folder.glob("*.xlsx"))
    result = cli(
        workspace, "scorecards", "import", *files, "--year", "2025", "--by", "Đoàn", ok=False
    )
    assert result.exit_code == 1
    assert "3 workbooks taken, 1 refused." in result.stdout
    assert "Refused: hỏng.xlsx: not a readable XLSX workbook" in result.output
