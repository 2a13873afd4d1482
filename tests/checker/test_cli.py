"""The command line, end to end: real files, a real database on each backend."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.demo.simulated_data import demo_agency_codes, generate_dataset
from checker.demo.simulator import Simulator
from tests.conftest import SAMPLES

SAMPLE_FILES = (SAMPLES / "edoc-vpcp-7816.edxml", SAMPLES / "status-05-nghean.edxml")

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
runner = CliRunner()


def run(*args: str, ok: bool = True):
    env = {"CHECKER_DB_URL": "", "CHECKER_DEMO_TOKEN": "demo-token"}
    result = runner.invoke(app, list(args), env=env)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def ingest(db: str, *paths: Path) -> dict[str, int]:
    return json.loads(run("--db", db, "ingest", "edxml", *map(str, paths), "--json").stdout)


def test_ingesting_the_real_samples_stores_a_document_and_a_status(store_url):
    counts = ingest(store_url, *SAMPLE_FILES)
    assert counts == {
        "files": 2,
        "documents": 1,
        "statuses": 1,
        "duplicates": 0,
        "quarantined": 0,
        "skipped": 0,
    }


def test_ingesting_the_same_messages_again_stores_nothing_new(store_url):
    ingest(store_url, *SAMPLE_FILES)
    counts = ingest(store_url, *SAMPLE_FILES)
    assert counts == {
        "files": 2,
        "documents": 0,
        "statuses": 0,
        "duplicates": 2,
        "quarantined": 0,
        "skipped": 0,
    }


def test_a_malformed_file_is_set_aside_and_the_run_goes_on(store_url, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(SAMPLES / "edoc-vpcp-7816.edxml", folder / "good.edxml")
    (folder / "bad.edxml").write_text("<edXML><unclosed>", encoding="utf-8")
    counts = ingest(store_url, folder)
    assert (counts["documents"], counts["quarantined"]) == (1, 1)
    listing = run("--db", store_url, "quarantine", "list").stdout
    assert "bad.edxml" in listing
    assert "XML" in listing


def test_the_real_samples_folder_is_read_without_quarantining_its_notes(store_url):
    counts = ingest(store_url, SAMPLES)
    assert (counts["documents"], counts["statuses"]) == (1, 1)
    assert (counts["quarantined"], counts["skipped"]) == (0, 1)
    output = run("--db", store_url, "ingest", "edxml", str(SAMPLES)).stdout
    assert "1 other files in the folders, not read:" in output
    assert "SOURCES.md" in output
    assert "Nothing set aside." in run("--db", store_url, "quarantine", "list").stdout


def test_a_file_named_on_the_command_line_is_read_whatever_its_name(store_url, tmp_path):
    named = tmp_path / "message.txt"
    shutil.copy(SAMPLES / "edoc-vpcp-7816.edxml", named)
    assert ingest(store_url, named)["documents"] == 1


def test_a_pattern_on_the_command_line_chooses_what_a_folder_scan_reads(store_url, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(SAMPLES / "edoc-vpcp-7816.edxml", folder / "edoc.msg")
    shutil.copy(SAMPLES / "status-05-nghean.edxml", folder / "status.edxml")
    result = run("--db", store_url, "ingest", "edxml", str(folder), "--pattern", "*.MSG", "--json")
    counts = json.loads(result.stdout)
    assert (counts["documents"], counts["statuses"], counts["skipped"]) == (1, 0, 1)


def test_a_missing_path_is_a_one_line_error(store_url, tmp_path):
    result = run("--db", store_url, "ingest", "edxml", str(tmp_path / "nowhere"), ok=False)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert result.output.count("\n") == 1


def test_grade_prints_the_grade_and_why_not_higher():
    result = run("grade", "--criteria", "hanoi-2017", "--points", "5,10.5,25,30,10,10,5", "--json")
    payload = json.loads(result.stdout)
    assert payload["grade"] == "B"
    assert payload["total"] == 95.5
    assert payload["reasons"] == ["not Loại A: section 2 has 10.5/15 (70%), needs above 70%"]


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ("5,15,25,31,10,10,5", "31"),
        ("5,15,25,30,10,10", "7 sections"),
        ("5,15,x,30,10,10,5", "x"),
    ],
)
def test_grade_rejects_bad_points_with_one_line(points, message):
    result = run("grade", "--criteria", "hanoi-2017", "--points", points, ok=False)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert message in result.output
    assert result.output.count("\n") == 1


def test_grade_with_an_unknown_criteria_set_lists_the_known_ones():
    result = run("grade", "--criteria", "nowhere-2030", "--points", "1", ok=False)
    assert result.exit_code == 1
    assert "hanoi-2017" in result.output


@pytest.fixture(scope="module")
def demo_output(tmp_path_factory) -> tuple[str, Path]:
    folder = tmp_path_factory.mktemp("demo") / "city"
    result = runner.invoke(app, ["demo", "--folder", str(folder)], env={"CHECKER_DB_URL": ""})
    assert result.exit_code == 0, result.output
    return result.stdout, folder


def _normalise(text: str, folder: Path) -> str:
    text = text.replace(str(folder), "<workspace>")
    return text.replace(str(Path(__file__).resolve().parents[2]), "<project>")


def test_the_demo_output_matches_the_golden_file(demo_output):
    output, folder = demo_output
    golden = GOLDEN / "demo.txt"
    normalised = _normalise(output, folder)
    if os.environ.get("CHECKER_REGENERATE_GOLDEN") == "1":
        golden.write_text(normalised, encoding="utf-8")
    assert normalised == golden.read_text(encoding="utf-8")


def test_the_demo_gives_the_same_result_twice(demo_output, tmp_path):
    output, folder = demo_output
    again = runner.invoke(app, ["demo", "--folder", str(folder)], env={"CHECKER_DB_URL": ""})
    assert again.exit_code == 0, again.output
    assert again.stdout == output


def test_ingest_sync_score_and_report_on_each_database_agree_with_the_demo(
    demo_output, store_url, tmp_path
):
    _, folder = demo_output
    data = generate_dataset(agencies=demo_agency_codes(), year=2025)
    with Simulator(data, token="demo-token", port=0) as simulator:
        config_path = tmp_path / "checker.toml"
        text = (folder / "checker.toml").read_text(encoding="utf-8")
        text = text.replace("http://127.0.0.1:8765", simulator.base_url)
        config_path.write_text(text.replace('"edxml"]', f'"{folder / "edxml"}"]'), encoding="utf-8")
        shutil.copy(folder / "manual-points.toml", tmp_path / "manual-points.toml")
        config = str(config_path)
        ingest(store_url, folder / "edxml")
        synced = json.loads(run("--config", config, "--db", store_url, "sync", "--json").stdout)
    assert synced["ok"]
    assert [s["source"] for s in synced["sources"]] == ["qlvb", "luu-tru"]
    scored = json.loads(
        run("--config", config, "--db", store_url, "score", "--year", "2025", "--json").stdout
    )
    assert scored["agencies"] == 27
    report = json.loads(
        run("--config", config, "--db", store_url, "report", "--format", "json").stdout
    )
    local_config = str(folder / "checker.toml")
    local = json.loads(run("--config", local_config, "report", "--format", "json").stdout)
    assert _without_run_id(report) == _without_run_id(local)
    assert set(report) == {"run", "groups", "agencies"}
    assert [g["id"] for g in report["groups"]] == ["so-nganh", "quan-huyen", "phuong-xa"]


def _without_run_id(report: dict) -> dict:
    return {**report, "run": {k: v for k, v in report["run"].items() if k != "id"}}


def test_report_for_one_agency_lists_its_criteria_with_metrics_and_evidence(demo_output):
    _, folder = demo_output
    config = str(folder / "checker.toml")
    report = json.loads(
        run("--config", config, "report", "--agency", "000.00.01.H99", "--format", "json").stdout
    )
    (agency,) = report["agencies"]
    measured = [c for s in agency["sections"] for c in s["criteria"] if c["origin"] == "measured"]
    assert measured and all(
        c["metric"]["evidence"].startswith("checker evidence") for c in measured
    )
    assert sum(s["points"] for s in agency["sections"]) == pytest.approx(agency["total"])
    lost = sum(f["lost"] for f in agency["to_fix"])
    assert lost == pytest.approx(agency["max"] - agency["total"])
    assert [f["lost"] for f in agency["to_fix"]] == sorted(
        (f["lost"] for f in agency["to_fix"]), reverse=True
    )
    assert all(f["points"] == f["max"] for f in agency["strengths"])


def test_evidence_lists_documents_as_csv(demo_output):
    _, folder = demo_output
    config = str(folder / "checker.toml")
    result = run(
        "--config",
        config,
        "evidence",
        "--agency",
        "000.00.01.H99",
        "--metric",
        "inbound.registered",
        "--year",
        "2025",
        "--format",
        "csv",
    )
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("counted,reason,item")
    assert any(line.startswith("False,never registered") for line in lines)
    assert any(line.startswith("True,counted") for line in lines)


def test_report_before_any_score_says_what_to_run(tmp_path, demo_output):
    _, folder = demo_output
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    result = run("--config", str(folder / "checker.toml"), "--db", db, "report", ok=False)
    assert result.exit_code == 1
    assert re.match(r"Error: no scoring run .*checker score", result.output)


def test_a_register_export_is_stored_and_a_bad_row_set_aside(store_url, tmp_path):
    path = tmp_path / "so-den.csv"
    path.write_text(
        "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN\n"
        "Ngày đến;Số đến;Tác giả;Số, ký hiệu;Ngày tháng;Tên loại và trích yếu nội dung\n"
        "03/03/2025;1;UBND Quận Mũi Đá;12/UBND-VP;01/03/2025;Công văn V/v kiểm tra\n"
        "30/02/2025;2;Sở Tài chính;13/STC-VP;01/03/2025;Công văn V/v dự toán\n",
        encoding="utf-8-sig",
    )
    args = ["--db", store_url, "ingest", "register", str(path), "--agency", "000.00.01.H99"]
    counts = json.loads(run(*args, "--json").stdout)
    assert counts == {"files": 1, "rows": 2, "stored": 1, "quarantined": 1}
    again = json.loads(run(*args, "--json").stdout)
    assert again["stored"] == 1
    listing = run("--db", store_url, "quarantine", "list").stdout
    assert "30/02/2025" in listing


def test_overdue_lists_files_past_their_transfer_deadline(demo_output):
    _, folder = demo_output
    config = str(folder / "checker.toml")
    files = json.loads(run("--config", config, "overdue", "--as-of", "2025-12-31", "--json").stdout)
    assert files, "the simulated archive has late files"
    assert all(f["days_overdue"] > 0 for f in files)
    assert {f["archive"] for f in files} <= {"agency_archive", "historical_archive"}
    one = run("--config", config, "overdue", "--agency", files[0]["agency_code"], "--json")
    assert {f["agency_code"] for f in json.loads(one.stdout)} == {files[0]["agency_code"]}


def test_evidence_of_a_transfer_metric_says_how_late(demo_output):
    _, folder = demo_output
    config = str(folder / "checker.toml")
    files = json.loads(run("--config", config, "overdue", "--as-of", "2025-12-31", "--json").stdout)
    agency = next(f["agency_code"] for f in files if f["archive"] == "agency_archive")
    result = run(
        "--config",
        config,
        "evidence",
        "--agency",
        agency,
        "--metric",
        "transfers.agency_archive_on_time",
        "--year",
        "2025",
        "--format",
        "json",
    )
    lines = json.loads(result.stdout)
    assert any("overdue by" in line["reason"] for line in lines if not line["counted"])
