"""What we write cannot attack its reader: spreadsheet formulas and terminal escapes."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from checker.reports.cells import escape_controls, neutralise
from checker.reports.evidence import BOM, EvidenceSubject, render_evidence
from metrics.evidence import EvidenceList
from metrics.period import Period
from metrics.values import EvidenceLine

ATTACKS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", ATTACKS)
def test_text_that_would_start_a_formula_gets_an_apostrophe(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Công văn 12/UBND-VP", "2025-03-04", "", 12, None, True])
def test_other_values_are_left_as_they_are(value):
    assert neutralise(value) == value


def _line(subject: str, code: str) -> EvidenceLine:
    return EvidenceLine(
        item="doc-1",
        code=code,
        title=subject,
        organ_id="000.00.01.H99",
        day=date(2025, 3, 4),
        counted=False,
        reason="never registered",
        locator="file.edxml",
    )


SUBJECT = EvidenceSubject(
    agency_code="000.00.01.H99",
    agency_name="Sở Nội vụ",
    metric_id="inbound.registered",
    period=Period.year(2025),
    names={"000.00.01.H99": "Sở Nội vụ"},
)
TITLE, CODE = 7, 3  # columns of the evidence CSV


def _render(lines: list[EvidenceLine], output_format: str) -> str:
    return render_evidence(EvidenceList(lines, 0, len(lines)), SUBJECT, output_format)


def test_evidence_csv_neutralises_every_cell_a_spreadsheet_would_run():
    text = _render([_line(text, "=1+1") for text in ATTACKS], "csv")
    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM))))[1:]
    assert [row[TITLE] for row in rows] == ["'" + attack for attack in ATTACKS]
    assert {row[CODE] for row in rows} == {"'=1+1"}
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)


def test_evidence_table_shows_a_terminal_escape_escaped():
    osc = "12/UBND\x1b]0;owned\x07"
    text = _render([_line("x", osc)], "table")
    assert "\x1b" not in text and "\x07" not in text
    assert "12/UBND\\x1b]0;owned\\x07" in text


def test_escape_controls_keeps_lines_and_vietnamese_text():
    assert escape_controls("Sở Nội vụ\n\tx\x9b2J\x00") == "Sở Nội vụ\n\tx\\x9b2J\\x00"
