"""Benchmark: what hostile inputs cost, in peak memory (max RSS), seconds and outcome.

Each case runs in a process of its own (so its peak is its own) against the checker found on
``PYTHONPATH`` (this tree by default; point it at an older checkout to compare):

- ``xlsx-bomb``: a small workbook whose shared strings (9,000 a MB) unpack to ``--bomb-mb`` MB;
- ``csv-field``: a register CSV of 1,000 rows, one of them holding a 50 MB field;
- ``csv-rows``: a register CSV of ``--rows`` rows;
- ``http-page``: a vendor page of 200 MB holding 330,000 items (the vendor ignored ``limit``);
- ``http-trickle``: a vendor answer trickling one byte every 0.2 s (100 bytes);
- ``http-nested``: a page of JSON nested 100,000 levels.

Run: uv run python benchmarks/hostile_inputs.py [--bomb-mb 600] [--rows 300000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import openpyxl

HEADER = "Số, ký hiệu;Ngày tháng;Tên loại và trích yếu;Người ký;Nơi nhận"


def _row(n: int) -> str:
    return f"{n}/UBND-VP;0{1 + n % 9}/03/2025;Công văn số {n};Nguyễn Văn A;Sở Nội vụ"


def make_bomb(path: Path, megabytes: int) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Số, ký hiệu", "Ngày tháng", "Tên loại và trích yếu"])
    sheet.append(["1/UBND", "01/03/2025", "shared"])
    plain = path.with_suffix(".plain.xlsx")
    book.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            if item.filename != "xl/sharedStrings.xml":
                out.writestr(item, source.read(item))
        with out.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            for text in (b"S\xe1\xbb\x91, k\xc3\xbd hi\xe1\xbb\x87u", b"shared"):
                part.write(b"<si><t>" + text + b"</t></si>")
            block = b"".join(b"<si><t>%07d%s</t></si>" % (i, b"a" * 92) for i in range(9_000))
            for _ in range(megabytes):  # 9,000 distinct-enough strings of 99 characters per MB
                part.write(block)
            part.write(b"</sst>")


CASES = {
    "xlsx-bomb": """
from connectors.register import read_register
print(sum(1 for _ in read_register(Path(ARG), organ_id="X", direction="out")))
""",
    "csv-field": """
from connectors.register import read_register
items = list(read_register(Path(ARG), organ_id="X", direction="out"))
print(len(items), "items,", sum(type(i).__name__ == "Quarantined" for i in items), "set aside")
""",
    "csv-rows": """
from connectors.register import read_register
print(sum(1 for _ in read_register(Path(ARG), organ_id="X", direction="out")), "items")
""",
    "http-page": """
import httpx
from connectors.http import RetryPolicy, fetch_json
def body():
    yield b'{"items": ['
    item = json.dumps({"id": "x" * 560, "n": 1}).encode()
    for i in range(330_000):
        yield item + (b"," if i < 329_999 else b"")
    yield b"]}"
client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, content=body())))
page = fetch_json(client, "http://vendor.test/docs", {}, policy=RetryPolicy(max_attempts=1))
print(len(page["items"]), "items")
""",
    "http-trickle": """
import httpx
from connectors.http import RetryPolicy, fetch_json
def body():
    for _ in range(100):
        time.sleep(0.2)
        yield b" "
    yield b"[]"
client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, content=body())))
kwargs = {"limits": __import__("connectors.http").http.Limits(request_seconds=3)} if hasattr(
    __import__("connectors.http").http, "Limits") else {}
print(fetch_json(client, "http://vendor.test/docs", {}, policy=RetryPolicy(max_attempts=1),
                 **kwargs))
""",
    "http-nested": """
import httpx
from connectors.http import RetryPolicy, fetch_json
body = b"[" * 100_000 + b"]" * 100_000
client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, content=body)))
print(fetch_json(client, "http://vendor.test/docs", {}, policy=RetryPolicy(max_attempts=2),
                 sleep=lambda s: None))
""",
}
# VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child would show its parent's.
PRELUDE = """import atexit, json, re, sys, time
from pathlib import Path
ARG = sys.argv[1]
def _peak():
    status = Path("/proc/self/status").read_text()
    print("PEAK", re.search(r"VmHWM:\\s+(\\d+)", status).group(1), flush=True)
atexit.register(_peak)
"""


def run_case(name: str, argument: str) -> None:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", PRELUDE + CASES[name], argument],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - started
    peaks = [int(line.split()[1]) for line in done.stdout.splitlines() if line.startswith("PEAK")]
    shown = f"{peaks[0] / 1024:.0f} MB" if peaks else "killed"
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("PEAK")]
    outcome = lines[-1][:160] if lines else ""
    tb = (
        f" (traceback, {len(done.stderr.splitlines())} lines)" if "Traceback" in done.stderr else ""
    )
    print(f"{name:<13} peak {shown:>8}  {seconds:6.1f} s  exit {done.returncode}{tb}: {outcome}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bomb-mb", type=int, default=600)
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("cases", nargs="*", default=list(CASES))
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        bomb, field, rows = work / "bomb.xlsx", work / "field.csv", work / "rows.csv"
        make_bomb(bomb, options.bomb_mb)
        lines = [HEADER, *(_row(n) for n in range(1, 1001))]
        lines[500] = lines[500].replace("Công văn số 500", "Công văn " + "y" * 50_000_000)
        field.write_text("\n".join(lines), encoding="utf-8")
        rows.write_text("\n".join([HEADER, *map(_row, range(options.rows))]), encoding="utf-8")
        print(f"bomb.xlsx: {bomb.stat().st_size / 2**20:.1f} MB on disk")
        arguments = {"xlsx-bomb": bomb, "csv-field": field, "csv-rows": rows}
        for name in options.cases:
            run_case(name, str(arguments.get(name, "")))


if __name__ == "__main__":
    main()
