"""Every expected failure at the command line is one line ``Error: ...`` and exit status 1,
and wrong input is refused before anything is stored: a locked database, unknown runs and
agencies, periods outside the data, a store with nothing to measure, unreadable files among
good ones, empty folders, ports that cannot be listened on."""

from __future__ import annotations

import re
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, insert, select

from checker.store.engine import open_store
from checker.store.loader import vietnam_now
from checker.store.models import (
    AGENCY,
    DOCUMENT,
    MESSAGE,
    QUARANTINE,
    RUN,
    SYNC_CURSOR,
)
from tests.checker.jobs.test_sync import incoming
from tests.checker.test_cli import SAMPLE_FILES, run

A, B = "000.00.01.H99", "000.00.02.H99"
DEPLOYMENT = f"""
city = "Thành phố Thử"
[[groups]]
id = "so"
name = "Sở, ban, ngành"
criteria = "danang-electronic-example"
[[agencies]]
code = "{A}"
codes = ["H99.01"]
name = "Sở Nội vụ"
group = "so"
[[agencies]]
code = "{B}"
name = "Sở Tài chính"
group = "so"
[[sources]]
name = "qlvb"
kind = "http"
system = "documents"
base_url = "http://dms.test/api/v1"
auth = {{ type = "bearer", token_env = "CHECKER_DEMO_TOKEN" }}
agencies = "registry"
"""
REGISTER = (
    "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN\n"
    "Ngày đến;Số đến;Tác giả;Số, ký hiệu;Ngày tháng;Tên loại và trích yếu nội dung\n"
    "03/03/2025;1;UBND Quận Mũi Đá;12/UBND-VP;01/03/2025;Công văn V/v kiểm tra\n"
)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "checker.toml").write_text(DEPLOYMENT, encoding="utf-8")
    (tmp_path / "so-den.csv").write_text(REGISTER, encoding="utf-8-sig")
    return tmp_path


def cli(workspace: Path, db: str, *args: str, ok: bool = True, lang: str = "en"):
    """The command in English (the messages these tests spell out) unless ``lang`` says."""
    config = str(workspace / "checker.toml")
    return run("--lang", lang, "--config", config, "--db", db, *args, ok=ok)


def one_error(result, message: str) -> None:
    """The command failed with exactly this one line and exit status 1."""
    assert (result.exit_code, result.output) == (1, f"Error: {message}\n")


def count(db: str, table) -> int:
    engine = open_store(db)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(table)) or 0)
    finally:
        engine.dispose()


# --- a locked database ------------------------------------------------------------------------


@contextmanager
def locked(path: Path) -> Iterator[str]:
    """The store at ``path``, its write lock held by another connection the whole time; the
    URL given back waits 0.1 s for it (SQLite's busy timeout) instead of 5 s."""
    open_store(f"sqlite:///{path}").dispose()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield f"sqlite:///{path}?timeout=0.1"
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def locked_message(path: Path) -> str:
    return f"database {path} is locked by another process; try again when it finishes"


def test_a_locked_store_during_score_is_one_line_and_stores_nothing(workspace):
    path = workspace / "checker.db"
    with locked(path) as db:
        result = cli(workspace, db, "score", "--year", "2025", ok=False)
    one_error(result, locked_message(path))
    assert (count(str(db), RUN), count(str(db), AGENCY)) == (0, 0)


def test_a_locked_store_during_ingest_edxml_is_one_line_without_sql_or_values(workspace):
    path = workspace / "checker.db"
    with locked(path) as db:
        result = cli(workspace, db, "ingest", "edxml", *map(str, SAMPLE_FILES), ok=False)
    one_error(result, locked_message(path))
    assert (count(db, MESSAGE), count(db, DOCUMENT)) == (0, 0)


def test_a_locked_store_during_ingest_register_is_one_line_and_stores_nothing(workspace):
    path = workspace / "checker.db"
    register = str(workspace / "so-den.csv")
    with locked(path) as db:
        result = cli(workspace, db, "ingest", "register", register, "--agency", A, ok=False)
    one_error(result, locked_message(path))
    assert count(db, DOCUMENT) == 0


def test_a_locked_store_during_sync_is_one_line_and_stores_nothing(workspace, httpx_mock):
    def api(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        items = [incoming("a1", 3)] if request.url.path.endswith("incoming-documents") else []
        items = items if params["agency"] == A and params["offset"] == "0" else []
        body = {"items": items, "total": len(items), "offset": 0, "limit": params["limit"]}
        return httpx.Response(200, json=body)

    httpx_mock.add_callback(api, url=re.compile(r"http://dms\.test/.*"), is_reusable=True)
    path = workspace / "checker.db"
    with locked(path) as db:
        result = cli(workspace, db, "sync", ok=False)
    one_error(result, locked_message(path))
    assert (count(db, DOCUMENT), count(db, SYNC_CURSOR)) == (0, 0)


# --- runs and reports -------------------------------------------------------------------------


@pytest.fixture
def scored(workspace: Path, store_url: str) -> str:
    """A store with the register of agency A ingested and the year 2025 scored (run 1)."""
    cli(workspace, store_url, "ingest", "register", str(workspace / "so-den.csv"), "--agency", A)
    cli(workspace, store_url, "score", "--year", "2025")
    return store_url


@pytest.mark.parametrize("run_id", ["999", "-1", "0"])
def test_report_of_a_run_not_in_the_store_is_one_line(workspace, scored, run_id):
    result = cli(workspace, scored, "report", "--run", run_id, ok=False)
    (latest,) = _run_ids(scored)
    one_error(
        result,
        f"there is no scoring run {run_id} in the store (run {latest}; without --run the "
        "report shows the latest)",
    )


def _run_ids(db: str) -> list[int]:
    engine = open_store(db)
    with engine.connect() as connection:
        ids = list(connection.scalars(select(RUN.c.id)))
    engine.dispose()
    return ids


def test_a_score_that_measured_some_families_says_which_were_not(workspace, store_url):
    cli(workspace, store_url, "ingest", "register", str(workspace / "so-den.csv"), "--agency", A)
    result = cli(workspace, store_url, "score", "--year", "2025", lang="vi")
    assert result.output.splitlines()[1] == (
        "Không đo được gì trong 2025 đối với: văn bản đi, giao nộp vào lưu trữ."
    )


# --- periods ----------------------------------------------------------------------------------


def _today() -> str:
    return vietnam_now().date().isoformat()


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--year", "1850", "the year 1850 is before 2000, the earliest year checker measures"),
        ("--year", "2999", "the year 2999 has not begun yet (today is {today})"),
        ("--as-of", "2030-01-01", "the as-of date 2030-01-01 is after today ({today})"),
        (
            "--as-of",
            "1999-12-31",
            "the year 1999 is before 2000, the earliest year checker measures",
        ),
        (
            "--year",
            "{year}",
            "the year {year} is not over yet: measure it to date (--as-of {today}, or "
            "neither --year nor --as-of)",
        ),
    ],
    ids=["1850", "2999", "future-as-of", "as-of-1999", "this-year"],
)
def test_a_period_outside_the_years_that_can_be_measured_is_refused(
    workspace, option, value, message
):
    today = vietnam_now().date()
    fill = {"today": today.isoformat(), "year": str(today.year)}
    db = f"sqlite:///{workspace / 'checker.db'}"
    result = cli(workspace, db, "score", option, value.format(**fill), ok=False)
    one_error(result, message.format(**fill))
    assert not (workspace / "checker.db").exists()


def test_score_on_an_empty_store_says_nothing_was_measured_and_stores_no_run(workspace, store_url):
    result = cli(workspace, store_url, "score", "--year", "2025", ok=False)
    one_error(
        result,
        "nothing was measured for 2025: no incoming or outgoing documents, files or transfers "
        "of the registry's agencies fall in that period (sources of the deployment: qlvb; "
        "the store is empty), so no run was stored",
    )
    assert count(store_url, RUN) == 0


def test_score_of_a_year_without_data_says_what_the_store_holds_and_keeps_the_latest_run(
    workspace, scored
):
    result = cli(workspace, scored, "score", "--year", "2024", ok=False)
    one_error(
        result,
        "nothing was measured for 2024: no incoming or outgoing documents, files or transfers "
        "of the registry's agencies fall in that period (sources of the deployment: qlvb; "
        "the store holds documents dated 2025-03-03 to 2025-03-03), so no run was stored",
    )
    assert len(_run_ids(scored)) == 1
    report = cli(workspace, scored, "report", "--format", "json").stdout
    assert '"period_start": "2025-01-01"' in report


# --- agency codes -----------------------------------------------------------------------------

TYPO = "000.00.01.H98"
SUGGESTION = f"agency {TYPO} is not in the deployment's registry: did you mean {A} or {B}?"


@pytest.mark.parametrize(
    "command",
    [
        ["ingest", "register", "{register}", "--agency", TYPO],
        ["overdue", "--agency", TYPO],
        ["evidence", "--agency", TYPO, "--metric", "inbound.registered", "--year", "2025"],
        ["report", "--agency", TYPO],
    ],
    ids=["ingest-register", "overdue", "evidence", "report"],
)
def test_an_unknown_agency_code_is_refused_with_the_nearest_codes(workspace, scored, command):
    args = [a.format(register=workspace / "so-den.csv") for a in command]
    before = count(scored, DOCUMENT)
    one_error(cli(workspace, scored, *args, ok=False), SUGGESTION)
    assert count(scored, DOCUMENT) == before


def test_a_code_far_from_every_registered_one_says_how_many_there_are(workspace, scored):
    result = cli(workspace, scored, "overdue", "--agency", "XYZ", ok=False)
    one_error(result, "agency XYZ is not in the deployment's registry: 3 codes are listed")


def test_an_alternative_code_is_accepted_everywhere_as_its_agency(workspace, store_url):
    register = str(workspace / "so-den.csv")
    cli(workspace, store_url, "ingest", "register", register, "--agency", "H99.01")
    engine = open_store(store_url)
    with engine.connect() as connection:
        assert list(connection.scalars(select(DOCUMENT.c.organ_id))) == [A]
    engine.dispose()
    cli(workspace, store_url, "score", "--year", "2025")
    evidence = cli(
        workspace,
        store_url,
        "evidence",
        "--agency",
        "H99.01",
        "--metric",
        "inbound.registered",
        "--year",
        "2025",
        "--format",
        "json",
    )
    assert '"counted": true' in evidence.stdout
    assert (
        f'"code": "{A}"'
        in cli(workspace, store_url, "report", "--agency", "H99.01", "--format", "json").stdout
    )
    overdue = cli(workspace, store_url, "overdue", "--agency", "H99.01", lang="vi")
    assert overdue.stdout.startswith("0 hồ sơ quá hạn")


# --- files and folders ------------------------------------------------------------------------


def test_a_bad_register_among_good_ones_stores_none_of_them(workspace, store_url):
    bad = workspace / "so-di.xlsx"
    bad.write_bytes(b"not a workbook")
    good = str(workspace / "so-den.csv")
    result = cli(
        workspace, store_url, "ingest", "register", good, str(bad), "--agency", A, ok=False
    )
    one_error(
        result,
        f"register {bad} is not a readable XLSX workbook: it is not a ZIP archive, as "
        "every XLSX file is",
    )
    assert count(store_url, DOCUMENT) == 0


def test_ingesting_an_empty_folder_is_an_error_and_creates_no_store(workspace, tmp_path):
    folder = tmp_path / "mnt" / "axis"
    folder.mkdir(parents=True)
    db = f"sqlite:///{workspace / 'checker.db'}"
    result = cli(workspace, db, "ingest", "edxml", str(folder), ok=False)
    one_error(result, f"edXML folder {folder} holds no files (is it mounted?)")
    assert not (workspace / "checker.db").exists()


def test_ingesting_a_missing_folder_among_good_files_stores_nothing(workspace, store_url):
    missing = workspace / "nowhere"
    result = cli(
        workspace, store_url, "ingest", "edxml", *map(str, SAMPLE_FILES), str(missing), ok=False
    )
    one_error(result, f"edXML path {missing} does not exist")
    assert count(store_url, MESSAGE) == 0


def test_quarantine_list_outside_a_workspace_says_there_is_no_store(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("--lang", "en", "quarantine", "list", ok=False)
    one_error(
        result,
        "there is no store here: checker.db does not exist (run the command in a workspace, "
        "or name the database with --db URL or --config PATH)",
    )
    assert list(tmp_path.iterdir()) == []


def test_quarantine_list_of_an_existing_store_still_works(store_url):
    engine = open_store(store_url)
    with engine.begin() as connection:
        connection.execute(
            insert(QUARANTINE).values(
                source="edxml",
                locator="a.edxml",
                reason="not XML",
                excerpt="",
                content_hash="x",
                created_at=vietnam_now(),
            )
        )
    engine.dispose()
    assert run("--db", store_url, "quarantine", "list").stdout == "edxml  a.edxml\n    not XML\n"


# --- the simulator's port ---------------------------------------------------------------------


def test_simulate_on_a_port_in_use_is_one_line():
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = run("--lang", "en", "simulate", "--port", str(port), ok=False)
    one_error(
        result,
        f"cannot serve on 127.0.0.1:{port}: the port is already in use (choose another port, "
        "or 0 for any free one)",
    )


def test_simulate_on_a_port_that_does_not_exist_is_one_line():
    result = run("--lang", "en", "simulate", "--port", "70000", ok=False)
    one_error(result, "port 70000 does not exist: a port is a number from 0 to 65535")


# --- errors in the reader's language ----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "english"),
    [
        (("quarantine", "list"), "there is no store here"),
        (("ingest", "edxml", "nowhere"), "edXML path nowhere does not exist"),
        (("overdue", "--agency", "000.00.09.H99"), "is not in the deployment's registry"),
        (("overdue", "--as-of", "30/06/2025"), "is not a date like 2025-06-30"),
        (("report",), "no scoring run in the store yet"),
    ],
    ids=["no-store", "no-path", "unknown-agency", "bad-date", "no-run"],
)
def test_errors_read_in_vietnamese_by_default_and_in_english_on_request(
    workspace, monkeypatch, args, english
):
    monkeypatch.chdir(workspace)
    base: tuple[str, ...] = ()
    if args[0] == "quarantine":
        (workspace / "checker.toml").unlink()
    else:
        base = ("--db", "sqlite:///checker.db")
        open_store("sqlite:///checker.db").dispose()
    vietnamese = run("--lang", "vi", *base, *args, ok=False)
    assert vietnamese.exit_code == 1 and vietnamese.output.count("\n") == 1
    assert vietnamese.output.startswith("Lỗi: ")
    words = re.findall(r"[^\W\d_]+", vietnamese.output)
    assert not {"the", "is", "not", "does", "exist", "no", "run", "store"} & set(words), words
    assert english not in vietnamese.output
    in_english = run("--lang", "en", *base, *args, ok=False)
    assert in_english.output.startswith("Error: ") and english in in_english.output
