"""Bad input at the command line, as a user types it: every refusal is one line in
Vietnamese (``Lỗi: ...``, exit status 1; or the usage error form, exit status 2), without a
traceback or English words, and a refused command stores nothing.

One table of cases: (arguments, exit status, a fragment of the Vietnamese message). Each
runs on a copy of a small scored workspace, its deployment and store given unless the case
names its own ``--config`` or ``--db``; the arguments may name ``{ws}`` (that copy),
``{empty}`` (a store without runs), ``{A}`` (an agency), ``{next_year}`` and ``{tomorrow}``."""

from __future__ import annotations

import shlex
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest

from checker.clock import today
from checker.store.engine import open_store
from tests.checker.test_cli import _english_words, run
from tests.checker.test_errors_cli import DEPLOYMENT, REGISTER, A

NOT_A_TEXT = b"\xff\xfe\x00\x81 binary \x00\x9f"
MANUAL = f'["{A}"]\n"5.1" = 7\n'


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace once per module: a register ingested, 2025 scored (run 1), scorecards
    pre-filled; beside it a store without runs and the bad files the cases name."""
    ws = tmp_path_factory.mktemp("workspace")
    (ws / "checker.toml").write_text(DEPLOYMENT, encoding="utf-8")
    (ws / "so-den.csv").write_text(REGISTER, encoding="utf-8-sig")
    (ws / "manual.toml").write_text(MANUAL, encoding="utf-8")
    bad = ws / "in"
    (bad / "folder").mkdir(parents=True)
    (bad / "empty.toml").write_bytes(b"")
    (bad / "comments.toml").write_text("# Thành phố Thử: chưa điền\n\n", encoding="utf-8")
    (bad / "groups-only.toml").write_text(DEPLOYMENT.split("[[agencies]]")[0], encoding="utf-8")
    (bad / "binary.toml").write_bytes(NOT_A_TEXT)
    (bad / "binary.xlsx").write_bytes(NOT_A_TEXT)
    (bad / "not-a-db.db").write_bytes(b"not a database\n")
    (bad / "nan.toml").write_text(f'["{A}"]\n"5.1" = nan\n', encoding="utf-8")
    db = f"sqlite:///{ws / 'checker.db'}"
    config = ["--config", str(ws / "checker.toml"), "--db", db]
    run(*config, "ingest", "register", str(ws / "so-den.csv"), "--agency", A)
    run(*config, "score", "--year", "2025")
    run(*config, "scorecards", "prefill")
    open_store(f"sqlite:///{ws / 'empty.db'}").dispose()
    _store_copy(ws, "newer.db", "UPDATE alembic_version SET version_num = '0099'")
    _store_copy(ws, "foreign.db", "DROP TABLE alembic_version")
    return ws


def _store_copy(ws: Path, name: str, change: str) -> None:
    shutil.copy(ws / "empty.db", ws / "in" / name)
    with sqlite3.connect(ws / "in" / name) as connection:
        connection.execute(change)
    connection.close()


@pytest.fixture
def workspace(prepared: Path, tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    shutil.copytree(prepared, ws)
    return ws


def _store(ws: str) -> list[str]:
    return ["--config", f"{ws}/checker.toml", "--db", f"sqlite:///{ws}/checker.db"]


# (arguments after --config and --db of the workspace, exit status, Vietnamese fragment)
CASES = [
    # years and days
    ("score --year 1850", 1, "trước năm 2000"),
    ("score --year 0", 1, "năm 0 trước năm 2000"),
    ("score --year -1", 1, "trước năm 2000"),
    ("score --year 99999", 1, "chưa bắt đầu"),
    ("score --year {next_year}", 1, "chưa bắt đầu"),
    ("score --as-of {tomorrow}", 1, "sau ngày hôm nay"),
    ("score --as-of 2025-02-30", 1, "không phải là ngày theo dạng 2025-06-30"),
    ("score --as-of 30/06/2025", 1, "không phải là ngày"),
    ("score --as-of ''", 1, "không phải là ngày"),
    ("score --year 2025 --as-of 2025-06-30", 1, "chỉ dùng một trong hai"),
    ("overdue --as-of 1850-01-01", 1, "trước năm 2000"),
    ("evidence --agency {A} --metric inbound.registered --year {next_year}", 1, "chưa bắt đầu"),
    ("way --agency {A} --as-of {tomorrow}", 1, "sau ngày hôm nay"),
    ("run --no-site --as-of 2025-02-30", 1, "không phải là ngày"),
    # the nightly run's threshold is judged before anything is read or stored
    ("run --no-site --state-dir {ws}/state --fail-below 500", 1, "điểm đi từ 0 đến 100"),
    ("run --no-site --state-dir {ws}/state --fail-below nan", 1, "điểm đi từ 0 đến 100"),
    ("run --no-site --state-dir {ws}/state --fail-below -1", 1, "điểm đi từ 0 đến 100"),
    ("run --no-site --state-dir {ws}/state --fail-below bogus", 1, "không phải số điểm"),
    (
        "run --no-site --state-dir {ws}/state --fail-below kha --agency NOPE",
        1,
        "không phải cơ quan trong cấu hình",
    ),
    ("run --no-site --state-dir {ws}/state --agency {A}", 1, "hãy ghi cả --fail-below"),
    ("run --no-site --state-dir {ws}/state --fail-below ''", 1, "không phải số điểm"),
    ("run --no-site --site {ws}/site --state-dir {ws}/state", 1, "chỉ dùng một trong hai"),
    # agencies, metrics, criteria, runs
    ("report --agency NOPE", 1, "không có trong danh mục cơ quan"),
    ("report --agency '\"; DROP TABLE run; --'", 1, "không có trong danh mục cơ quan"),
    ("report --agency 'Sở Nội vụ'", 1, "không có trong danh mục cơ quan"),
    ("report --agency ''", 1, "cơ quan '' không có trong danh mục cơ quan"),
    ("report --agency " + "9" * 5000, 1, "9" * 40 + "… không có trong danh mục cơ quan"),
    ("report --run 0", 1, "không có lượt chấm 0"),
    ("report --run -1", 1, "không có lượt chấm -1"),
    ("report --run 999999", 1, "không có lượt chấm 999999"),
    ("way --agency {A} --run 999999", 1, "không có lượt chấm 999999"),
    ("evidence --agency {A} --metric nope.nope --year 2025", 1, "không có chỉ số 'nope.nope'"),
    (
        "evidence --agency {A} --metric inbound.registred --year 2025",
        1,
        "có phải là inbound.registered",
    ),
    ("scorecards prefill --run 0", 1, "không có lượt chấm 0"),
    ("scorecards show --agency {A} --year 2025 --criterion 9.9", 1, "không có tiêu chí '9.9'"),
    ("scorecards show --agency {A} --year 2025 --criterion ''", 1, "không có tiêu chí ''"),
    ("runs show 999999", 1, "không có lượt chấm 999999"),
    ("runs diff 1 999999", 1, "không có lượt chấm 999999"),
    ("runs diff 1 1", 1, "không thể so sánh lượt chấm 1 với chính nó"),
    ("runs trend --agency NOPE", 1, "không có trong danh mục cơ quan"),
    ("grade --criteria hanoi-2017 --points nan,15,25,30,10,10,5", 1, "không phải là số"),
    # scorecard years and names are refused before anything is stored
    ("scorecards enter --file {ws}/manual.toml --year 1850 --role self --by x", 1, "trước năm"),
    (
        "scorecards enter --file {ws}/manual.toml --year {next_year} --role self --by x",
        1,
        "chưa bắt đầu",
    ),
    (
        "scorecards enter --file {ws}/manual.toml --year 2025 --role self --by '  '",
        1,
        "hãy cho biết ai nhập điểm",
    ),
    ("scorecards show --agency {A} --year 1850", 1, "trước năm 2000"),
    ("scorecards close --agency {A} --year {next_year} --by x", 1, "chưa bắt đầu"),
    ("scorecards close --agency {A} --year 2025 --by ''", 1, "hãy cho biết ai nhập điểm"),
    ("scorecards summary --year 1850", 1, "trước năm 2000"),
    ("scorecards claims --year 99999", 1, "chưa bắt đầu"),
    ("scorecards export --year {next_year} --folder {ws}/books", 1, "chưa bắt đầu"),
    ("scorecards import --year 1850 --by x {ws}/in/binary.xlsx", 1, "trước năm 2000"),
    # files that are missing, folders, empty, not text, not TOML
    ("score --year 2025 --manual {ws}/in/missing.toml", 1, "không có tệp hay thư mục này"),
    ("score --year 2025 --manual {ws}/in/folder", 1, "đây là thư mục, không phải tệp"),
    ("score --year 2025 --manual {ws}/in/binary.toml", 1, "không phải văn bản UTF-8"),
    ("score --year 2025 --manual {ws}/in/nan.toml", 1, "5.1 = nan không phải là số"),
    (
        "scorecards enter --file {ws}/in/nan.toml --year 2025 --role self --by x",
        1,
        "5.1 = nan không phải là số",
    ),
    ("grade --criteria {ws}/in/missing.toml --points 1", 1, "không có tệp hay thư mục này"),
    ("grade --criteria {ws}/in/empty.toml --points 1", 1, "bắt buộc nhưng còn thiếu"),
    ("ingest edxml {ws}/in/missing.edxml", 1, "không tồn tại"),
    ("ingest register --agency {A} {ws}/in/missing.csv", 1, "không có tệp hay thư mục này"),
    ("ingest register --agency {A} {ws}/in/binary.xlsx", 1, "không phải là tệp nén ZIP"),
    ("ingest register --agency NOPE {ws}/so-den.csv", 1, "không có trong danh mục cơ quan"),
    (
        "scorecards enter --file {ws}/in/folder --year 2025 --role self --by x",
        1,
        "đây là thư mục, không phải tệp",
    ),
    ("ingest edxml --pattern '' {ws}/in", 1, "mẫu tên tệp rỗng"),
    # output paths
    ("demo --folder {ws}/checker.toml", 1, "không ghi được thư mục làm việc mẫu"),
    ("scorecards export --year 2025 --folder {ws}/checker.toml", 1, "là một tệp"),
    ("site --output {ws}/checker.toml", 1, "một phần của đường dẫn là tệp"),
    ("export report --output {ws}/in/folder", 1, "đây là thư mục, không phải tệp"),
    ("export report --output {ws}/checker.toml/x.xlsx", 1, "một phần của đường dẫn là tệp"),
    # stores that are not there, not databases, too new, not checker's, without runs
    ("--db sqlite:///{ws}/missing.db runs list", 1, "không có kho dữ liệu ở đây"),
    ("--db sqlite:///{ws}/missing.db scorecards summary --year 2025", 1, "không có kho"),
    ("--db sqlite:///{ws}/in/not-a-db.db report", 1, "không phải tệp cơ sở dữ liệu SQLite"),
    ("--db sqlite:///{ws}/in/folder report", 1, "đó là một thư mục"),
    ("--db sqlite:///{ws}/in/newer.db report", 1, "checker mới hơn"),
    ("--db sqlite:///{ws}/in/foreign.db report", 1, "không phải kho dữ liệu của checker"),
    ("--db nonsense report", 1, "đây không phải là URL"),
    ("--db {empty} report", 1, "chưa có lượt chấm nào"),
    ("--db {empty} runs diff", 1, "chưa có lượt chấm nào"),
    ("--db {empty} runs trend --agency {A}", 1, "chưa có lượt chấm nào"),
    ("--db {empty} site --output {ws}/site", 1, "chưa có lượt chấm nào"),
    ("--db {empty} export report --output {ws}/r.xlsx", 1, "chưa có lượt chấm nào"),
    ("--db {empty} way --agency {A}", 1, "kho dữ liệu trống"),
    ("--db {empty} score --year 2025", 1, "kho dữ liệu trống"),
    ("--config {ws}/in/missing.toml report", 1, "không có tệp hay thư mục này"),
    # a deployment without agencies: refused where agencies are measured, graded or reported
    ("--config {ws}/in/empty.toml --db {empty} score --year 2025", 1, "chưa có nhóm và cơ quan"),
    ("--config {ws}/in/comments.toml --db {empty} report", 1, "chưa có nhóm và cơ quan"),
    ("--config {ws}/in/comments.toml --db {empty} overdue", 1, "chưa có nhóm và cơ quan"),
    ("--config {ws}/in/groups-only.toml --db {empty} way --agency {A}", 1, "chưa có cơ quan"),
    ("--config {ws}/in/empty.toml --db {empty} sync", 1, "chưa có nguồn http"),
    # the demo simulator's options
    ("simulate --faults nonsense", 1, "kế hoạch lỗi 'nonsense'"),
    ("simulate --faults error_every=abc", 1, "không phải là số"),
    ("simulate --port 99999", 1, "không có cổng 99999"),
    # usage errors: status 2
    ("report --run abc", 2, "không phải là số nguyên"),
    ("score --format xml", 2, "không phải là một trong"),
    ("report --agency {A} --all", 2, "chỉ dùng một trong hai"),
    ("way --agency {A} --run 1 --as-of 2025-06-30", 2, "chỉ dùng một trong hai"),
    ("runs diff --kind nope", 2, "không phải là một trong"),
    ("simulate --size 0", 2, "nhỏ hơn mức tối thiểu"),
]


def _args(case: str, ws: Path) -> list[str]:
    values = {
        "ws": str(ws),
        "A": A,
        "empty": f"sqlite:///{ws / 'empty.db'}",
        "next_year": str(today().year + 1),
        "tomorrow": (today() + timedelta(days=1)).isoformat(),
    }
    args = [word.format(**values) for word in shlex.split(case)]
    global_options = [] if args[0] in ("--db", "--config") else _store(str(ws))
    if args[0] == "--db":  # the workspace's deployment, another store
        global_options = ["--config", str(ws / "checker.toml")]
    return [*global_options, *args]


def _rows(store: Path) -> dict[str, int]:
    with sqlite3.connect(store) as connection:
        tables = [
            r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        counts = {
            t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables
        }
    connection.close()
    return counts


def _read_words(line: str) -> set[str]:
    """English words in what people read: paths, URLs, option names and the deployment file's
    section names (``[[agencies]]``, written as the file has them) left out."""
    kept = [w for w in line.split() if "/" not in w and not w.lstrip("'(").startswith(("--", "[["))]
    return _english_words(" ".join(kept))


@pytest.mark.parametrize(("case", "status", "fragment"), CASES, ids=[c[0][:60] for c in CASES])
def test_bad_input_is_refused_in_one_vietnamese_line(workspace, case, status, fragment):
    before = _rows(workspace / "checker.db")
    result = run(*_args(case, workspace), ok=False)
    lines = result.stderr.splitlines()
    assert "Traceback" not in result.output, result.output
    assert result.exit_code == status, result.output
    if status == 1:
        assert len(lines) == 1, result.stderr
    else:  # the usage error form: how to use, where to look, then the one error line
        assert lines[0].startswith("Cách dùng: ") and lines[-2:-1] == [""], result.stderr
    error = lines[-1]
    assert error.startswith("Lỗi: "), result.stderr
    assert fragment in error, error
    assert _read_words(error) == set(), error
    assert _rows(workspace / "checker.db") == before  # a refused command stores nothing
    assert not (workspace / "missing.db").exists()  # nor makes a store to say so


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("score --year 1850", "Error: the year 1850 is before 2000"),
        ("--db sqlite:///{ws}/in/newer.db report", "it was written by a newer checker"),
        ("score --year 2025 --manual {ws}/in/folder", "it is a folder, not a file"),
        ("evidence --agency {A} --metric nope.nope --year 2025", "there is no metric 'nope.nope'"),
        ("runs diff 1 1", "Error: run 1 cannot be compared with itself"),
        ("--config {ws}/in/comments.toml report", "lists no groups and no agencies: add"),
    ],
)
def test_the_same_refusals_read_in_english_on_request(workspace, case, message):
    result = run("--lang", "en", *_args(case, workspace), ok=False)
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_an_empty_store_lists_no_runs_and_says_so(workspace):
    empty = f"sqlite:///{workspace / 'empty.db'}"
    result = run("--config", str(workspace / "checker.toml"), "--db", empty, "runs", "list")
    assert (
        result.stdout
        == "Kho dữ liệu chưa có lượt chấm nào: lệnh `checker score` sẽ tạo một lượt.\n"
    )


NONSENSE_ROWS = (
    "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN\n"
    "Ngày đến;Số đến;Tác giả;Số, ký hiệu;Ngày tháng;Tên loại và trích yếu nội dung\n"
    "03/03/1850;7;UBND Quận Mũi Đá;21/UBND-VP;01/03/1850;Công văn V/v năm 1850\n"
    "03/03/{next_year};8;UBND Quận Mũi Đá;22/UBND-VP;01/03/{next_year};Công văn V/v năm sau\n"
)


def test_register_rows_dated_1850_or_in_the_future_are_set_aside_and_counted(workspace):
    register = workspace / "so-den-sai.csv"
    register.write_text(NONSENSE_ROWS.format(next_year=today().year + 1), encoding="utf-8-sig")
    before = _rows(workspace / "checker.db")
    result = run(*_store(str(workspace)), "ingest", "register", str(register), "--agency", A)
    assert "lưu 0 dòng, đặt riêng 2 dòng" in result.stdout
    assert "dòng 3: cột 'Ngày tháng': 1850-03-01 trước năm 1990" in result.stdout
    assert f"dòng 4: cột 'Ngày tháng': {today().year + 1}-03-01 nằm ở tương lai" in result.stdout
    after = _rows(workspace / "checker.db")
    assert after["document"] == before["document"]
    assert after["quarantine"] == before["quarantine"] + 2
    assert _read_words(result.stdout) == set(), result.stdout


def test_a_damaged_workbook_is_refused_in_vietnamese_and_stores_nothing(workspace):
    books = workspace / "books"
    run(*_store(str(workspace)), "scorecards", "export", "--year", "2025", "--folder", str(books))
    book = sorted(books.glob("*.xlsx"))[0]
    workbook = openpyxl.load_workbook(book)
    workbook["Chấm điểm"]["F7"] = float("inf")  # written so that no reader takes it back
    workbook.save(book)
    before = _rows(workspace / "checker.db")
    args = ["scorecards", "import", "--year", "2025", "--by", "Văn phòng", str(book)]
    result = run(*_store(str(workspace)), *args, ok=False)
    assert result.exit_code == 1
    assert "trang tính 'Chấm điểm': không đọc được (nội dung bị hỏng: ValueError)" in result.output
    assert "Traceback" not in result.output
    assert _read_words(result.output) == set(), result.output
    assert _rows(workspace / "checker.db") == before


@pytest.mark.parametrize(
    ("case", "vietnamese", "english"),
    [
        (
            "--db {empty} evidence --agency {A} --metric inbound.registered --year 2025",
            "chưa đo được gì: kho dữ liệu không có văn bản hay hồ sơ nào của cơ quan này trong "
            "kỳ đó (kho dữ liệu trống)",
            "nothing measured: the store holds no documents or files of this agency in that "
            "period (the store is empty)",
        ),
        (
            "evidence --agency {A} --metric inbound.registered --year 2024",
            "chưa đo được gì: kho dữ liệu không có văn bản hay hồ sơ nào của cơ quan này trong "
            "kỳ đó (kho dữ liệu có văn bản đề ngày từ 2025-03-03 đến 2025-03-03)",
            "nothing measured: the store holds no documents or files of this agency in that "
            "period (the store holds documents dated 2025-03-03 to 2025-03-03)",
        ),
        (
            "evidence --agency {A} --metric outbound.numbering_anomalies --year 2025",
            "không có gì để tính: không văn bản hay hồ sơ nào của cơ quan trong kỳ đó thuộc "
            "phạm vi chỉ số này",
            "nothing to count: none of the agency's documents or files in that period comes "
            "under this metric",
        ),
    ],
    ids=["empty-store", "other-year", "nothing-under-the-metric"],
)
def test_evidence_with_nothing_to_list_says_why_instead_of_zero_of_zero(
    workspace, case, vietnamese, english
):
    before = _rows(workspace / "checker.db")
    said = run(*_args(case, workspace))
    assert said.exit_code == 0
    assert said.stdout.endswith(f": {vietnamese}\n") and said.stdout.count("\n") == 1
    assert "0/0" not in said.stdout
    assert _read_words(said.stdout) == set(), said.stdout
    said = run("--lang", "en", *_args(case, workspace))
    assert said.stdout.endswith(f": {english}\n") and said.stdout.count("\n") == 1
    after = _rows(workspace / "checker.db")
    after.pop("calendar_day"), before.pop("calendar_day")  # the period's working days, derived
    assert after == before
