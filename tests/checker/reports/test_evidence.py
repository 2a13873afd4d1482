from __future__ import annotations

import csv
import io
import json
from datetime import date

from checker.i18n import Language, speaking
from checker.reports.evidence import BOM, EvidenceSubject, render_evidence
from metrics.catalogue import METRICS
from metrics.evidence import EvidenceList
from metrics.period import Period
from metrics.values import EvidenceLine

SUBJECT = EvidenceSubject(
    agency_code="000.00.01.H99",
    agency_name="Sở Nội vụ",
    metric_id="outbound.electronic_signed",
    period=Period.year(2025),
    names={"000.00.01.H99": "Sở Nội vụ", "H99.01": "Sở Nội vụ"},
)
FOUND = EvidenceList(
    lines=[
        EvidenceLine("k1", "1/SNV", "Báo cáo", "000.00.01.H99", date(2025, 3, 3), True, "ok", "a"),
        EvidenceLine("k2", None, None, "H99.01", None, False, "không có chữ ký số", "b"),
    ],
    numerator=1,
    denominator=2,
)


def _rows(text: str) -> list[list[str]]:
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text.removeprefix(BOM))))


def test_the_csv_opens_in_excel_with_vietnamese_headers_yes_no_and_agency_names():
    rows = _rows(render_evidence(FOUND, SUBJECT, "csv"))
    assert rows[0][:2] == ["Được tính", "Lý do"]
    assert [r[0] for r in rows[1:]] == ["có", "không"]
    # an alternative code carries its agency's name too
    assert [(r[5], r[6]) for r in rows[1:]] == [
        ("000.00.01.H99", "Sở Nội vụ"),
        ("H99.01", "Sở Nội vụ"),
    ]


def test_the_csv_in_english_says_yes_and_no():
    with speaking(Language.en):
        rows = _rows(render_evidence(FOUND, SUBJECT, "csv"))
    assert rows[0][:2] == ["Counted", "Reason"]
    assert [r[0] for r in rows[1:]] == ["yes", "no"]


def test_the_json_names_the_metric_agency_period_and_counts_around_the_documents():
    payload = json.loads(render_evidence(FOUND, SUBJECT, "json"))
    assert payload["metric"] == {
        "id": "outbound.electronic_signed",
        "name": METRICS["outbound.electronic_signed"].name_vi,
    }
    assert payload["agency"] == {"code": "000.00.01.H99", "name": "Sở Nội vụ"}
    assert payload["period"] == {"start": "2025-01-01", "end": "2025-12-31"}
    assert payload["counts"] == {"numerator": 1, "denominator": 2}
    assert [d["counted"] for d in payload["documents"]] == [True, False]
    assert payload["documents"][1]["code"] is None
    assert payload["documents"][1]["date"] is None
    assert payload["documents"][1]["organ_name"] == "Sở Nội vụ"


def test_the_table_heads_with_the_counts():
    head = render_evidence(FOUND, SUBJECT, "table").splitlines()[0]
    assert head.endswith("[000.00.01.H99], 2025: 1/2 được tính")
