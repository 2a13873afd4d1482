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
LOCATOR = re.compile(r"\S*[/=]\S*")  # URLs, paths and query strings: quoted as they are


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
