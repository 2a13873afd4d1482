"""A small city on disk for end-to-end tests: a deployment file with four agencies in two
groups and a folder of real edXML messages between them, some acknowledged, registered and
assigned on the day, some not, and one whose subject is hostile to web pages and
spreadsheets."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from checker.demo.edxml_writer import render_document, render_status
from checker.store.records import DocumentRecord, StatusRecord
from tests.factories import doc, status

AGENCIES = {
    "000.00.01.H99": ("Sở Nội vụ", "so-nganh"),
    "000.00.02.H99": ("Sở Tài chính", "so-nganh"),
    "000.00.31.H99": ("UBND quận Hải Châu", "quan-huyen"),
    "000.00.32.H99": ("UBND quận Thanh Khê", "quan-huyen"),
}
HOSTILE_SUBJECT = '=HYPERLINK("http://example.invalid","x") <script>alert(1)</script>'


def deployment_text(edxml: str = "edxml") -> str:
    agencies = "\n".join(
        f'[[agencies]]\ncode = "{code}"\nname = "{name}"\ngroup = "{group}"\n'
        for code, (name, group) in AGENCIES.items()
    )
    return f"""city = "Thành phố Thử Nghiệm"
[database]
url = "sqlite:///checker.db"
[[groups]]
id = "so-nganh"
name = "Sở, ban, ngành"
criteria = "danang-electronic-example"
[[groups]]
id = "quan-huyen"
name = "Quận, huyện"
criteria = "danang-electronic-example"
{agencies}
[[sources]]
name = "truc-lien-thong"
kind = "edxml"
paths = ["{edxml}"]
"""


def write_messages(folder: Path, start: int = 1, count: int = 24) -> int:
    """Write ``count`` documents and their statuses into ``folder``; returns files written."""
    folder.mkdir(parents=True, exist_ok=True)
    codes = list(AGENCIES)
    written = 0
    for number in range(start, start + count):
        sender = codes[number % len(codes)]
        recipient = codes[(number + 1) % len(codes)]
        sent = datetime(2025, 3, 3, 9, 0) + timedelta(days=number % 20)
        read = doc(number, sender=sender, recipients=(recipient,), sent_at=sent)
        record = read.record
        assert isinstance(record, DocumentRecord)
        if number == start:
            record = record.model_copy(update={"subject": HOSTILE_SUBJECT})
        (folder / f"edoc-{number}.edxml").write_bytes(render_document(record))
        written += 1
        diligence = codes.index(recipient) + 2  # the later in the list, the more diligent
        on_time = number % diligence and number != start
        codes_sent = ("01", "03", "04") if on_time else ()
        for code in codes_sent:
            ack = status(read, recipient, code, sent + timedelta(hours=2)).record
            assert isinstance(ack, StatusRecord)
            (folder / f"status-{number}-{code}.edxml").write_bytes(render_status(ack))
            written += 1
    return written


def build_small_city(folder: Path) -> Path:
    """The deployment file of a small city whose edXML folder is filled; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    write_messages(folder / "edxml")
    path = folder / "checker.toml"
    path.write_text(deployment_text(), encoding="utf-8")
    return path
