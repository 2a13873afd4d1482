"""What a failing sync and a bad register file tell people: Vietnamese by default, with no
English sentence inside, and English with ``--lang en`` (docs/translating.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checker.demo.simulated_data import generate_dataset
from checker.demo.simulator import FaultPlan, Simulator
from tests.checker.test_cli import _english_words, run

A, B = "000.00.01.H99", "000.00.02.H99"
DEPLOYMENT = """
city = "Thành phố Thử"
[[groups]]
id = "so"
name = "Sở, ban, ngành"
criteria = "danang-electronic-example"
[[agencies]]
code = "{a}"
name = "Sở Nội vụ"
group = "so"
[[agencies]]
code = "{b}"
name = "Sở Tài chính"
group = "so"
[[sources]]
name = "qlvb"
kind = "http"
system = "documents"
base_url = "{url}/api/v1"
auth = {{ type = "bearer", token_env = "CHECKER_DEMO_TOKEN" }}
agencies = "registry"
retry = {{ max_attempts = 2, base_delay = 0 }}
"""
# One good row; a row without its arrival date; a row whose channel is not known.
REGISTER = (
    "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN\n"
    "Ngày đến;Số đến;Tác giả;Số, ký hiệu;Ngày tháng;Tên loại và trích yếu nội dung;Hình thức\n"
    "03/03/2025;1;UBND Quận Mũi Đá;12/UBND-VP;01/03/2025;Công văn V/v kiểm tra;Giấy\n"
    ";2;UBND Quận Mũi Đá;13/UBND-VP;01/03/2025;Công văn V/v báo cáo;Giấy\n"
    "04/03/2025;3;UBND Quận Mũi Đá;14/UBND-VP;02/03/2025;Công văn V/v họp;bồ câu\n"
)
# URLs, paths and query strings, and the endpoint's id before its agency ("files, cơ quan",
# "file-lists, agency"): quoted as they are
LOCATOR = re.compile(r"\S*[/=]\S*|\b[a-z]+(?:-[a-z]+)*(?=, (?:cơ quan|agency) )")


def _read(output: str) -> str:
    """What people read, without the URLs and paths quoted in it."""
    return LOCATOR.sub("", output)


@pytest.fixture
def city(tmp_path: Path) -> Path:
    (tmp_path / "so-den.csv").write_text(REGISTER, encoding="utf-8-sig")
    (tmp_path / "so-den.xls").write_bytes(b"\xd0\xcf\x11\xe0 an old workbook")
    config = DEPLOYMENT.format(a=A, b=B, url="http://127.0.0.1:9")
    (tmp_path / "checker.toml").write_text(config, encoding="utf-8")
    return tmp_path


def _sync(city: Path, *lang: str):
    data = generate_dataset(agencies=[A, B], year=2025)
    with Simulator(data, token="demo-token", faults=FaultPlan(error_every=1)) as server:
        config = city / "checker.toml"
        config.write_text(DEPLOYMENT.format(a=A, b=B, url=server.base_url), encoding="utf-8")
        db = f"sqlite:///{city / 'checker.db'}"
        return run(*lang, "--config", str(config), "--db", db, "sync", ok=False)


def _ingest(city: Path, name: str, *lang: str):
    db = f"sqlite:///{city / 'checker.db'}"
    args = ["ingest", "register", str(city / name), "--agency", A]
    return run(*lang, "--config", str(city / "checker.toml"), "--db", db, *args, ok=False)


def test_a_failing_source_is_told_in_vietnamese_by_default_and_in_english_on_request(city):
    vietnamese = _sync(city)
    assert vietnamese.exit_code == 1, vietnamese.output
    said = r"qlvb: thất bại: [a-z-]+, cơ quan 000\.00\.0[12]\.H99: GET "
    assert re.match(said, vietnamese.output)
    assert "dừng sau 2 lần thử" in vietnamese.output
    assert "HTTP 503" in vietnamese.output  # the server's status, quoted as it came
    assert _english_words(_read(vietnamese.output)) == set(), vietnamese.output
    assert "gave up" not in vietnamese.output and "attempt" not in vietnamese.output

    english = _sync(city, "--lang", "en")
    assert english.exit_code == 1, english.output
    assert re.match(r"qlvb: failed: [a-z-]+, agency 000\.00\.0[12]\.H99: GET ", english.output)
    assert "gave up after 2 attempts in" in english.output
    assert _english_words(_read(english.output))


def test_a_bad_register_and_its_bad_rows_are_told_in_vietnamese_or_english(city):
    refused = _ingest(city, "so-den.xls")
    assert refused.exit_code == 1
    (line,) = refused.output.splitlines()
    assert "không đọc tệp .xls; hãy xuất sổ ra .xlsx hoặc .csv" in line
    assert _english_words(_read(line)) == set(), line
    english = _ingest(city, "so-den.xls", "--lang", "en")
    assert english.output.endswith(": .xls is not read; export the register as .xlsx or .csv\n")

    rows = _ingest(city, "so-den.csv")
    assert rows.exit_code == 0, rows.output
    assert "dòng 4: không có ngày đến" in rows.output
    assert "dòng 5: hình thức 'bồ câu' không rõ" in rows.output
    assert _english_words(_read(rows.output)) == set(), rows.output
    (city / "checker.db").unlink()
    rows = _ingest(city, "so-den.csv", "--lang", "en")
    assert "row 4: no arrival date" in rows.output
    assert "row 5: channel 'bồ câu' is not known (axis, email or paper)" in rows.output


# --- configuration, TOML and the database URL ---------------------------------------------

# English words of pydantic's, tomllib's, SQLAlchemy's and the driver's messages, and of ours
ENGLISH = re.compile(
    r"\b(input|should|value|error|unknown|key|line|column|deployment|file|not|valid|must|"
    r"be|greater|than|equal|less|database|usable|cannot|connect|connection|refused|server|"
    r"failed|missing|required|invalid|load|plugin|the|is|or|of|store|opened)\b",
    re.IGNORECASE,
)
QUOTED_OR_KEY = re.compile(r"'[^']*'|\S*[/=_.\[\]:@]\S*")
SOURCE = 'city = "X"\n[[sources]]\nname = "q"\nkind = "http"\nsystem = "documents"\n'


def _english_in(line: str) -> set[str]:
    """English words in what people read: quoted values, keys, paths and URLs left out."""
    return {w.lower() for w in ENGLISH.findall(QUOTED_OR_KEY.sub("", line))}


@pytest.mark.parametrize(
    ("toml", "vietnamese", "english"),
    [
        (
            SOURCE + 'base_url = "http://x"\nmax_in_flight = 0\n',
            "Lỗi: checker.toml, dòng 7: sources[0].http.max_in_flight: 0 nhỏ hơn mức tối thiểu 1",
            "Error: checker.toml, line 7: sources[0].http.max_in_flight: 0 is below the minimum 1",
        ),
        (
            SOURCE + 'base_url = "ftp://x"\n',
            "Lỗi: checker.toml, dòng 6: sources[0].http.base_url: "
            "base_url phải là địa chỉ URL http:// hoặc https://",
            "Error: checker.toml, line 6: sources[0].http.base_url: "
            "base_url must be an http:// or https:// URL",
        ),
        (
            "year = 1\n",
            "Lỗi: checker.toml, dòng 1: khóa lạ 'year'",
            "Error: checker.toml, line 1: unknown key 'year'",
        ),
        (
            "year = \n",
            "Lỗi: tệp cấu hình checker.toml, dòng 1, cột 8: không phải TOML hợp lệ "
            "(thiếu giá trị hoặc giá trị không viết đúng cách của TOML)",
            "Error: deployment file checker.toml, line 1, column 8: not valid TOML "
            "(a value missing or not written as TOML writes values)",
        ),
        (
            SOURCE + 'base_url = "http://x"\nmax_in_flight = "tám"\n',
            "Lỗi: checker.toml, dòng 7: sources[0].http.max_in_flight: "
            "'tám' không phải là số nguyên",
            "Error: checker.toml, line 7: sources[0].http.max_in_flight: "
            "'tám' is not a whole number",
        ),
        (
            '[[groups]]\nid = "so"\nname = "Sở"\n',
            "Lỗi: checker.toml, dòng 1: groups[0].criteria: bắt buộc nhưng còn thiếu",
            "Error: checker.toml, line 1: groups[0].criteria: required, but missing",
        ),
    ],
    ids=["at-least", "own-check", "unknown-key", "not-toml", "not-a-number", "missing"],
)
def test_a_wrong_deployment_file_is_told_in_vietnamese_or_english(
    tmp_path, monkeypatch, toml, vietnamese, english
):
    (tmp_path / "checker.toml").write_text(toml, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # found as ./checker.toml, named as it is found
    said = run("report", ok=False)
    assert said.exit_code == 1
    assert said.output.splitlines() == [vietnamese]
    assert _english_in(said.output) == set(), said.output
    said = run("--lang", "en", "report", ok=False)
    assert said.output.splitlines() == [english]
    assert _english_in(said.output)


@pytest.mark.parametrize(
    ("url", "vietnamese", "english"),
    [
        (
            "foo://x",
            "Lỗi: không dùng được URL cơ sở dữ liệu foo://x: checker không làm việc với loại "
            "cơ sở dữ liệu 'foo'; hãy dùng sqlite:///PATH hoặc postgresql://USER@HOST/DATABASE",
            "Error: database URL foo://x is not usable: 'foo' is not a database checker knows; "
            "use sqlite:///PATH or postgresql://USER@HOST/DATABASE",
        ),
        (
            "postgresql://someone:hunter2@127.0.0.1:1/nothing",
            "Lỗi: không mở hoặc cập nhật được kho dữ liệu: không kết nối được tới cơ sở dữ liệu "
            "postgresql+psycopg://someone:***@127.0.0.1:1/nothing: máy chủ từ chối kết nối "
            "(PostgreSQL có đang chạy ở đó không?)",
            "Error: the store cannot be opened or brought up to date: cannot connect to database "
            "postgresql+psycopg://someone:***@127.0.0.1:1/nothing: the server refuses "
            "connections (is PostgreSQL running there?)",
        ),
        (
            "postgresql://127.0.0.1:5432/checker_no_such_database",
            "Lỗi: không mở hoặc cập nhật được kho dữ liệu: không kết nối được tới cơ sở dữ liệu "
            "postgresql+psycopg://127.0.0.1:5432/checker_no_such_database: máy chủ không có cơ "
            "sở dữ liệu hoặc người dùng này; hãy tạo nó hoặc sửa URL",
            "Error: the store cannot be opened or brought up to date: cannot connect to database "
            "postgresql+psycopg://127.0.0.1:5432/checker_no_such_database: the server has no "
            "such database or user; create it or fix the URL",
        ),
        (
            "postgresql://checker:s3cret@127.0.0.1:abc/db",
            "Lỗi: URL cơ sở dữ liệu postgresql://checker:***@127.0.0.1:abc/db: "
            "cổng 'abc' không phải là số",
            "Error: database URL postgresql://checker:***@127.0.0.1:abc/db: "
            "the port 'abc' is not a number",
        ),
        (
            "postgresql://127.0.0.1:5432/test?sslmode=bogus",
            "Lỗi: không mở hoặc cập nhật được kho dữ liệu: không kết nối được tới cơ sở dữ liệu "
            "postgresql+psycopg://127.0.0.1:5432/test: tùy chọn 'sslmode' của URL không nhận "
            "giá trị 'bogus'",
            "Error: the store cannot be opened or brought up to date: cannot connect to database "
            "postgresql+psycopg://127.0.0.1:5432/test: the URL's option 'sslmode' does not take "
            "the value 'bogus'",
        ),
        (
            "postgresql://127.0.0.1:5432/test?bogusopt=1",
            "Lỗi: không mở hoặc cập nhật được kho dữ liệu: không kết nối được tới cơ sở dữ liệu "
            "postgresql+psycopg://127.0.0.1:5432/test: URL có tùy chọn mà trình điều khiển không "
            "biết: 'bogusopt'; hãy kiểm tra phần sau dấu '?'",
            "Error: the store cannot be opened or brought up to date: cannot connect to database "
            "postgresql+psycopg://127.0.0.1:5432/test: the URL has an option the driver does not "
            "know: 'bogusopt'; check the part after '?'",
        ),
    ],
    ids=[
        "unknown-scheme",
        "unreachable",
        "no-such-database",
        "port-not-a-number",
        "bad-option-value",
        "unknown-option",
    ],
)
def test_an_unusable_database_url_is_told_in_vietnamese_or_english(
    tmp_path, monkeypatch, url, vietnamese, english
):
    monkeypatch.chdir(tmp_path)
    said = run("--db", url, "quarantine", "list", ok=False)
    assert said.exit_code == 1
    assert said.output.splitlines() == [vietnamese]
    assert _english_in(said.output) == set(), said.output
    said = run("--lang", "en", "--db", url, "quarantine", "list", ok=False)
    assert said.output.splitlines() == [english]
