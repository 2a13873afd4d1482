"""The command line, end to end: real files, a real database on each backend."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.demo.city import SHARED
from checker.demo.simulated_data import (
    axis_copies,
    demo_agency_codes,
    generate_dataset,
    incoming_of,
)
from checker.demo.simulator import Simulator
from checker.store.engine import open_store
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
    return json.loads(
        run("--db", db, "ingest", "edxml", *map(str, paths), "--format", "json").stdout
    )


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
    assert "1 tệp khác trong thư mục, không đọc:" in output
    assert "SOURCES.md" in output
    assert "Không có gì bị đặt riêng." in run("--db", store_url, "quarantine", "list").stdout


def test_a_file_named_on_the_command_line_is_read_whatever_its_name(store_url, tmp_path):
    named = tmp_path / "message.txt"
    shutil.copy(SAMPLES / "edoc-vpcp-7816.edxml", named)
    assert ingest(store_url, named)["documents"] == 1


def test_a_pattern_on_the_command_line_chooses_what_a_folder_scan_reads(store_url, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(SAMPLES / "edoc-vpcp-7816.edxml", folder / "edoc.msg")
    shutil.copy(SAMPLES / "status-05-nghean.edxml", folder / "status.edxml")
    result = run(
        "--db", store_url, "ingest", "edxml", str(folder), "--pattern", "*.MSG", "--format", "json"
    )
    counts = json.loads(result.stdout)
    assert (counts["documents"], counts["statuses"], counts["skipped"]) == (1, 0, 1)


def test_a_missing_path_is_a_one_line_error(store_url, tmp_path):
    result = run(
        "--lang", "en", "--db", store_url, "ingest", "edxml", str(tmp_path / "nowhere"), ok=False
    )
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert result.output.count("\n") == 1


def test_grade_prints_the_grade_and_why_not_higher_in_vietnamese_or_english(monkeypatch):
    args = ["grade", "--criteria", "hanoi-2017", "--points", "5,10.5,25,30,10,10,5"]
    args += ["--format", "json"]
    payload = json.loads(run(*args).stdout)
    assert payload["grade"] == "B"
    assert payload["total"] == 95.5
    assert payload["reasons"] == ["chưa đạt Loại A: mục 2 đạt 10.5/15 (70%), cần trên 70%"]
    english = json.loads(run("--lang", "en", *args).stdout)
    assert english["reasons"] == ["not Loại A: section 2 has 10.5/15 (70%), needs above 70%"]
    monkeypatch.setenv("CHECKER_LANG", "en")
    assert json.loads(run(*args).stdout)["reasons"] == english["reasons"]
    assert run(*args[:-2]).stdout.splitlines()[1] == "Total 95.5: grade Loại B"


@pytest.mark.parametrize(
    ("points", "named"),
    [
        ("5,15,25,31,10,10,5", ("4", "31", "30")),  # section 4: 31 points, its max is 30
        ("5,15,25,30,10,10", ("7", "6")),  # 7 sections, 6 points given
        ("5,15,x,30,10,10,5", ("'x'",)),  # the value that is not a number, quoted
        ("1e309,15,25,30,10,10,5", ("'1e309'", "range")),  # not 310 digits
        ("1e-400,15,25,30,10,10,5", ("'1e-400'", "range")),
    ],
)
def test_grade_rejects_bad_points_with_one_line_naming_what_is_wrong(points, named):
    result = run("--lang", "en", "grade", "--criteria", "hanoi-2017", "--points", points, ok=False)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert result.output.count("\n") == 1
    words = re.findall(r"'[^']*'|[\w.]+", result.output.removeprefix("Error: "))
    assert set(named) <= set(words), words


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
        synced = json.loads(
            run("--config", config, "--db", store_url, "sync", "--format", "json").stdout
        )
    assert synced["ok"]
    assert [s["source"] for s in synced["sources"]] == ["qlvb", "luu-tru", "mot-cua"]
    scored = json.loads(
        run(
            "--config", config, "--db", store_url, "score", "--year", "2025", "--format", "json"
        ).stdout
    )
    assert scored["agencies"] == 27
    report = json.loads(
        run("--config", config, "--db", store_url, "report", "--all", "--format", "json").stdout
    )
    local_config = str(folder / "checker.toml")
    local = json.loads(run("--config", local_config, "report", "--all", "--format", "json").stdout)
    assert _without_run_id(report) == _without_run_id(local)
    assert set(report) == {"run", "groups", "agencies"}
    assert [g["id"] for g in report["groups"]] == ["so-nganh", "quan-huyen", "phuong-xa"]
    assert len(report["agencies"]) == 27


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
    lost_points = [f["lost"] for f in agency["to_fix"] if f["points"] is not None]
    assert lost_points == sorted(lost_points, reverse=True)
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
    assert result.stdout.startswith("\ufeff")  # Excel reads it as UTF-8
    lines = result.stdout.removeprefix("\ufeff").strip().splitlines()
    assert lines[0].startswith("Được tính,Lý do,Mục,")
    assert any(line.startswith("không,chưa đăng ký") for line in lines)
    assert any(line.startswith("có,được tính") for line in lines)
    assert all(",Văn phòng UBND thành phố," in line for line in lines[1:])


def test_documents_the_axis_and_the_software_both_report_are_one_each_in_the_demo(demo_output):
    _, folder = demo_output
    agency, addressed_as = SHARED
    copies = axis_copies(agency, addressed_as, agencies=demo_agency_codes())
    software = {i["document_id"]: i for i in incoming_of(agency, agencies=demo_agency_codes())}
    assert len(copies) == 3
    result = run(
        "--lang",
        "en",
        "--config",
        str(folder / "checker.toml"),
        "evidence",
        "--agency",
        agency,
        "--metric",
        "inbound.received_axis",
        "--year",
        "2025",
        "--format",
        "json",
    )
    listed = json.loads(result.stdout)["documents"]
    for n, copy in enumerate(copies, start=1):
        (line,) = [d for d in listed if d["item"] == copy.doc_key]  # one document, not two
        assert line["counted"] and line["locator"].endswith(f"edoc-truc-{n}.edxml")
        assert copy.sent_at is not None and line["date"] == copy.sent_at.date().isoformat()
        arrived = str(software[copy.doc_key]["arrived_at"])  # the software's, Vietnam time
        if arrived[:10] == line["date"]:
            assert line["sources_disagree"] is None
        else:  # the last one: the axis carried it the evening before
            assert n == len(copies)
            assert line["sources_disagree"] == (
                f"sources disagree on arrival: edXML {copy.sent_at:%Y-%m-%d %H:%M}, "
                f"DMS {arrived[:10]} {arrived[11:16]}"
            )


def test_report_before_any_score_says_what_to_run(tmp_path, demo_output):
    _, folder = demo_output
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    open_store(db).dispose()
    result = run(
        "--lang", "en", "--config", str(folder / "checker.toml"), "--db", db, "report", ok=False
    )
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
    counts = json.loads(run(*args, "--format", "json").stdout)
    assert counts == {"files": 1, "rows": 2, "stored": 1, "quarantined": 1}
    again = json.loads(run(*args, "--format", "json").stdout)
    assert again["stored"] == 1
    listing = run("--db", store_url, "quarantine", "list").stdout
    assert "30/02/2025" in listing


def test_overdue_lists_files_past_their_transfer_deadline(demo_output):
    _, folder = demo_output
    config = str(folder / "checker.toml")
    files = json.loads(
        run("--config", config, "overdue", "--as-of", "2025-12-31", "--format", "json").stdout
    )
    assert files, "the simulated archive has late files"
    assert all(f["days_overdue"] > 0 for f in files)
    assert {f["archive"] for f in files} <= {"agency_archive", "historical_archive"}
    one = run(
        "--config", config, "overdue", "--agency", files[0]["agency_code"], "--format", "json"
    )
    assert {f["agency_code"] for f in json.loads(one.stdout)} == {files[0]["agency_code"]}


def test_evidence_of_a_transfer_metric_says_how_late(demo_output):
    _, folder = demo_output
    config = str(folder / "checker.toml")
    files = json.loads(
        run("--config", config, "overdue", "--as-of", "2025-12-31", "--format", "json").stdout
    )
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
    documents = json.loads(result.stdout)["documents"]
    assert any("quá hạn" in d["reason"] for d in documents if not d["counted"])


# --- one language: what agencies and inspectors read --------------------------------------

ENGLISH_WORDS = re.compile(
    r"\b(not|total|section|sections|counted|because|overdue|days?|working|submitted|issued|"
    r"received|signature|agency|agencies|scored|points|grade|rank|lost|measured|due|file|"
    r"files|true|false|yes|no|needs|above|below|either|conditions?|fails?)\b",
    re.IGNORECASE,
)
METRIC_ID = re.compile(r"\b[a-z]+\.[a-z_]+\b")
COMMAND = re.compile(r"checker [a-z]+( --[a-z-]+ \S+)*")


def _read(args: list[str], stdout: str) -> str:
    """What people read in a command's output: JSON keys, ids and locators left out."""
    if "json" in args:
        data = json.loads(stdout)
        names = [data["metric"]["name"], data["agency"]["name"]]
        return "\n".join([*names, *(d["reason"] for d in data["documents"])])
    if "csv" in args:
        rows = csv.reader(io.StringIO(stdout.removeprefix("\ufeff")))
        return "\n".join(",".join(row[:8] + row[9:]) for row in rows)  # less the locator
    return stdout


def _english_words(text: str) -> set[str]:
    """English words in what people read: ids and command lines left out."""
    found = set()
    for line in text.splitlines():
        if "checker evidence" in line or line.startswith(("Go on", "  uv run")):
            continue
        words = METRIC_ID.sub("", COMMAND.sub("", line))
        found |= {w.lower() for w in ENGLISH_WORDS.findall(words)}
    return found


def _scoring_commands(config: str) -> list[list[str]]:
    agency = ["--agency", "000.00.07.H99"]
    evidence = ["evidence", *agency, "--year", "2025", "--metric"]
    return [
        ["--config", config, "report", *agency],
        ["--config", config, "overdue", "--as-of", "2025-12-31"],
        ["--config", config, *evidence, "inbound.submitted_in_time"],
        ["--config", config, *evidence, "outbound.issued_in_time", "--format", "csv"],
        ["--config", config, *evidence, "transfers.agency_archive_on_time", "--format", "json"],
        ["--config", config, *evidence, "outbound.numbering_anomalies"],
        ["grade", "--criteria", "hanoi-2017", "--points", "0,0,10,10,0,0,0"],
        ["--config", config, "way", *agency, "--run", "1"],
        ["--config", config, "way", *agency, "--as-of", "2025-06-30"],
    ]


def test_what_agencies_read_is_all_vietnamese_by_default_and_english_on_request(demo_output):
    _, folder = demo_output
    for args in _scoring_commands(str(folder / "checker.toml")):
        vietnamese = _read(args, run(*args).stdout)
        assert _english_words(vietnamese) == set(), (args, vietnamese)
        english = _read(args, run("--lang", "en", *args).stdout)
        assert _english_words(english), args
    report = run("--config", str(folder / "checker.toml"), "report", "--agency", "000.00.07.H99")
    # 3.2 had nothing to measure: not a 0, so not a reason Trung bình khá was missed
    assert "vì: vẫn có thể đạt Trung bình khá: tùy vào 3.2 (chưa có điểm)" in report.stdout
    assert "tổng điểm 49.91 dưới 50" not in report.stdout


def test_a_language_the_catalogues_do_not_hold_is_a_usage_error():
    result = run("--lang", "fr", "grade", "--criteria", "hanoi-2017", "--points", "1", ok=False)
    assert result.exit_code == 2


@pytest.mark.parametrize("output_format", ["csv", "json"])
def test_the_evidence_csv_and_json_match_their_golden_files(demo_output, output_format):
    _, folder = demo_output
    result = run(
        "--config",
        str(folder / "checker.toml"),
        "evidence",
        "--agency",
        "000.00.01.H99",
        "--metric",
        "transfers.agency_archive_on_time",
        "--year",
        "2025",
        "--format",
        output_format,
    )
    golden = GOLDEN / f"evidence.{output_format}"
    # the simulator's port changes from run to run
    normalised = re.sub(r"127\.0\.0\.1:[0-9]+", "127.0.0.1:<port>", result.stdout)
    if os.environ.get("CHECKER_REGENERATE_GOLDEN") == "1":
        golden.write_bytes(normalised.encode("utf-8"))
    assert normalised == golden.read_bytes().decode("utf-8")


def test_report_without_options_prints_the_rankings_only(demo_output):
    _, folder = demo_output
    config = str(folder / "checker.toml")
    table = run("--config", config, "report").stdout
    assert table.count("Xếp hạng — ") == 3
    assert "Cần khắc phục" not in table
    head, groups, blanks_between, hint = 2, 3, 2, 2
    assert len(table.splitlines()) == head + groups + 27 + blanks_between + hint
    assert table.rstrip().endswith("checker report --all")
    rankings = json.loads(run("--config", config, "report", "--format", "json").stdout)
    assert rankings["agencies"] == []
    assert sum(len(g["ranking"]) for g in rankings["groups"]) == 27


def test_report_prints_scorecards_for_one_agency_or_with_all(demo_output):
    _, folder = demo_output
    config = str(folder / "checker.toml")
    one = run("--config", config, "report", "--agency", "000.00.07.H99").stdout
    assert one.count("Xếp hạng — ") == 1
    assert one.count("Cần khắc phục") == 1
    every = run("--config", config, "report", "--all").stdout
    assert every.count("Xếp hạng — ") == 3
    assert every.count(" — hạng ") == 27


def test_to_fix_lists_points_lost_before_criteria_without_points(demo_output):
    _, folder = demo_output
    config = str(folder / "checker.toml")
    report = json.loads(run("--config", config, "report", "--all", "--format", "json").stdout)
    for agency in report["agencies"]:
        missing = [f["points"] is None for f in agency["to_fix"]]
        assert missing == sorted(missing), agency["code"]
    assert any(f["points"] is None for a in report["agencies"] for f in a["to_fix"])


def test_global_options_work_after_the_command_name_too(demo_output, tmp_path):
    _, folder = demo_output
    config = str(folder / "checker.toml")
    before = run("--config", config, "report", "--format", "json").stdout
    after = run("report", "--config", config, "--format", "json").stdout
    assert after == before
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    result = run(
        "--lang",
        "en",
        "--config",
        config,
        "--db",
        "sqlite:///nowhere/x.db",
        "report",
        "--db",
        empty,
        ok=False,
    )
    assert result.exit_code == 1
    expected = f"Error: there is no store here: {tmp_path / 'empty.db'} does not exist"
    assert result.output.startswith(expected), "the option after the name wins"


def test_version_prints_the_package_version():
    from importlib.metadata import version

    assert run("--version").stdout == f"checker {version('checker')}\n"


@pytest.mark.parametrize(
    "args",
    [
        ("report", "--format", "xml"),
        ("report", "--agency", "000.00.01.H99", "--all"),
        ("score", "--no-such-option"),
        ("no-such-command",),
        ("grade", "--criteria", "hanoi-2017"),
        ("runs", "diff", "--kind", "nightlly"),
        ("runs", "trend", "--agency", "000.00.01.H99", "--kind", "nope"),
    ],
)
def test_usage_errors_exit_with_status_2(args):
    result = run("--lang", "en", *args, ok=False)
    assert result.exit_code == 2
    assert "Error" in result.output


def test_the_kind_option_takes_the_kinds_runs_are_stored_with():
    from checker.cli.changes import RunKind
    from checker.scoring.runs import RUN_KINDS

    assert tuple(RunKind) == RUN_KINDS


def test_the_help_lists_every_command_and_the_exit_statuses():
    help_text = run("--lang", "en", "--help").stdout
    for command in ("demo", "ingest", "sync", "simulate", "quarantine", "score", "report"):
        assert f"  {command} " in help_text
    for command in ("evidence", "overdue", "grade"):
        assert f"  {command} " in help_text
    assert "Exit status: 0" in " ".join(help_text.split())


def test_the_help_imports_no_heavy_library():
    """What makes `checker --help` instant: the command modules import the library (and its
    dependencies) only when a command runs."""
    code = (
        "import sys\n"
        "from checker.cli import app\n"
        "try:\n"
        "    app(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('sqlalchemy', 'rich', 'lxml', 'httpx', 'openpyxl', 'pydantic', 'metrics',\n"
        "         'connectors', 'alembic', 'holidays')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    ("day", "said"),
    [("1850-01-01", "before 2000"), ("2099-01-01", "after today"), ("2025-13-01", "not a date")],
)
def test_overdue_refuses_a_day_it_cannot_judge_on_in_one_line(demo_output, tmp_path, day, said):
    _, folder = demo_output
    config = str(folder / "checker.toml")
    output = tmp_path / "overdue.csv"
    for args in (
        ["overdue", "--as-of", day],
        ["export", "overdue", "--as-of", day, "--output", str(output), "--format", "csv"],
    ):
        result = run("--lang", "en", "--config", config, *args, ok=False)
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr.startswith("Error: ") and said in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert not output.exists()


def test_scorecards_print_in_the_language_asked(demo_output):
    _, folder = demo_output
    config = str(folder / "checker.toml")
    show = ["--config", config, "scorecards", "show", "--year", "2025"]
    show += ["--agency", "000.00.07.H99"]
    summary = ["--config", config, "scorecards", "summary", "--year", "2025"]
    claims = ["--config", config, "scorecards", "claims", "--year", "2025"]
    vietnamese = "".join(run(*args).stdout for args in (show, summary, claims))
    english = "".join(run("--lang", "en", *args).stdout for args in (show, summary, claims))
    for said in ("(đo tự động)  đo ", "tự chấm", "thống nhất", "Xếp loại (tạm thời)"):
        assert said in vietnamese and said not in english, said
    for said in ("(measured)  measured ", "self-assessed", "agreed", "Grade (provisional)"):
        assert said in english and said not in vietnamese, said
    assert "No self-score above what the logs show (2025)." in english


def test_a_source_status_is_said_in_the_language_asked(demo_output):
    _, folder = demo_output
    sync = ["--config", str(folder / "checker.toml"), "sync"]
    vietnamese = runner.invoke(app, sync, env={"CHECKER_DB_URL": "", "CHECKER_DEMO_TOKEN": None})
    english = runner.invoke(
        app, ["--lang", "en", *sync], env={"CHECKER_DB_URL": "", "CHECKER_DEMO_TOKEN": None}
    )
    assert (vietnamese.exit_code, english.exit_code) == (1, 1)
    assert vietnamese.stdout.startswith("qlvb: cấu hình sai: nguồn qlvb: chưa đặt biến môi trường")
    assert "misconfigured" not in vietnamese.stdout
    assert english.stdout.startswith("qlvb: misconfigured: source qlvb: environment variable")


def test_the_site_line_names_the_run_it_was_written_from(demo_output, tmp_path):
    _, folder = demo_output
    args = ["--config", str(folder / "checker.toml"), "site", "--run", "1"]
    vietnamese = run(*args, "--output", str(tmp_path / "vi")).stdout
    english = run("--lang", "en", *args, "--output", str(tmp_path / "en")).stdout
    assert vietnamese.startswith(f"Đã ghi trang báo cáo của lượt chấm 1 vào {tmp_path / 'vi'}:")
    assert english.startswith(f"Site of run 1 written to {tmp_path / 'en'}:")


@pytest.mark.parametrize(
    ("name", "options", "said"),
    [
        ("bao-cao.pdf", [], "a XLSX export is named *.xlsx; name it bao-cao.xlsx"),
        ("bao-cao.csv", [], "a XLSX export is named *.xlsx; name it bao-cao.xlsx"),
        ("bao-cao.xlsx", ["--format", "csv"], "a CSV export is named *.csv; name it bao-cao.csv"),
    ],
)
def test_an_export_named_for_another_format_is_refused(demo_output, tmp_path, name, options, said):
    _, folder = demo_output
    output = tmp_path / name
    args = ["--config", str(folder / "checker.toml"), "export", "report", "--output", str(output)]
    result = run("--lang", "en", *args, *options, ok=False)
    assert result.exit_code == 1
    assert (
        result.stderr == f"Error: export file {output}: {said} or give the --format its name says\n"
    )
    assert not output.exists()
    assert (
        run(*args[:-1], str(tmp_path / "bao-cao"), *options).exit_code == 0
    )  # no suffix: as asked


@pytest.mark.parametrize("what", ["folder", "missing"])
def test_scorecards_import_of_a_folder_or_a_missing_file_says_so(demo_output, tmp_path, what):
    _, folder = demo_output
    path = tmp_path / "phieu"
    if what == "folder":
        path.mkdir()
    args = ["--config", str(folder / "checker.toml"), "scorecards", "import", str(path)]
    result = run("--lang", "en", *args, "--year", "2025", "--by", "Sở Nội vụ", ok=False)
    assert result.exit_code == 1
    said = "phieu: a folder, not a workbook" if what == "folder" else f"{path}: no such file"
    assert said in result.stderr, result.stderr
    assert "openpyxl" not in result.stderr and "Errno" not in result.stderr


def test_the_simulator_says_where_it_serves_in_vietnamese_by_default():
    with subprocess.Popen(
        [sys.executable, "-m", "checker", "simulate", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "CHECKER_LANG": "vi"},
    ) as process:
        try:
            assert process.stdout is not None
            lines = [process.stdout.readline() for _ in range(5)]
        finally:
            process.terminate()
            process.wait(timeout=30)
    assert lines[0].startswith("Đang phục vụ ") and " bản ghi tại http://127.0.0.1:" in lines[0]
    assert lines[1].startswith("  API phần mềm quản lý văn bản: http://127.0.0.1:")
    assert lines[4] == "Nhấn Ctrl-C để dừng.\n"


@pytest.mark.parametrize(
    ("day", "said"), [("1850-01-01", "before 2000"), ("2099-01-01", "after today")]
)
def test_the_nightly_run_refuses_an_as_of_it_cannot_measure_before_doing_anything(
    demo_output, day, said
):
    _, folder = demo_output
    config = ["--config", str(folder / "checker.toml")]
    runs = run(*config, "runs", "list", "--format", "json").stdout
    result = run("--lang", "en", *config, "run", "--no-site", "--as-of", day, ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and said in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert run(*config, "runs", "list", "--format", "json").stdout == runs


def test_the_overdue_export_lists_what_overdue_prints_under_the_deployments_deadlines(
    demo_output, tmp_path
):
    """Both read the deployment's ``[files]`` settings: with retention code 02 the only one
    known, files of the other codes have no deadline and are neither printed nor exported."""
    _, folder = demo_output
    config = folder / "own-deadlines.toml"
    text = (folder / "checker.toml").read_text(encoding="utf-8")
    extra = '\n[files]\nretention_permanent = []\nretention_years = { "02" = 70 }\n'
    config.write_text(text + extra, encoding="utf-8")
    day = ["--as-of", "2025-12-31"]
    default = json.loads(
        run("--config", str(folder / "checker.toml"), "overdue", *day, "--format", "json").stdout
    )
    printed = json.loads(run("--config", str(config), "overdue", *day, "--format", "json").stdout)
    output = tmp_path / "overdue.csv"
    run(
        "--config",
        str(config),
        "export",
        "overdue",
        *day,
        "--output",
        str(output),
        "--format",
        "csv",
    )
    with output.open(encoding="utf-8-sig", newline="") as exported:
        rows = list(csv.reader(exported))[1:]
    assert 0 < len(printed) < len(default)
    assert sorted(row[2] for row in rows) == sorted(f["file_code"] for f in printed)
