"""The metric registry (metrics/catalogue.py): every metric it lists is measured, has
evidence and is defined in docs/metrics.md, and nothing is measured that it does not list."""

from __future__ import annotations

import os
import re
from datetime import date, datetime

from checker.store.records import (
    DigitisedFileRecord,
    DossierRecord,
    FileListRecord,
    FileRecord,
    Read,
    TransferRecord,
)
from checker.store.registry import write_registry
from checker.store.upsert import store_records
from metrics.catalogue import METRICS, catalogue_markdown, ids_of
from metrics.evidence import evidence
from metrics.inbound import INBOUND
from metrics.measure import measure_all
from metrics.outbound import NUMBERING_ANOMALIES, OUTBOUND
from metrics.period import Period
from metrics.workdays import write_period_calendar
from tests.metrics.test_measure import (
    CALENDAR,
    DAY,
    DEPLOYMENT,
    DOCS,
    SNV,
    STC,
    SXD,
    edoc,
    incoming,
    outgoing,
    sent,
    store,
)

YEAR = Period.year(2025)
TUESDAY, THURSDAY = DAY.replace(day=4), DAY.replace(day=6)


def _documents() -> list[Read]:
    a, b = edoc(1), edoc(2, recipients=(STC, SXD))
    return [
        a,
        b,
        edoc(4, code_number="4"),  # number 3 is missing: a numbering anomaly
        sent(a, STC, "01", DAY),
        sent(b, STC, "03", TUESDAY),
        sent(b, SXD, "02", DAY),
        incoming(5, registered_at=DAY, submitted_at=TUESDAY, assigned_at=THURSDAY),
        incoming(6, channel="paper", file_code="HS-01"),
        outgoing(7, signed_at=DAY, digitally_signed=True, file_code="HS-01"),
        outgoing(8, signed_at=DAY, issued_at=THURSDAY),
    ]


def _files() -> list[Read]:
    def file(code: str, **fields: object) -> FileRecord:
        return FileRecord(organ_id=SNV, external_id=code, file_code=code, **fields)  # type: ignore[arg-type]

    def transfer(code: str, kind: str, on: date) -> TransferRecord:
        return TransferRecord(
            organ_id=SNV,
            external_id=f"{kind}-{code}",
            file_code=code,
            kind=kind,  # type: ignore[arg-type]
            transferred_on=on,
            status="received",
        )

    records = [
        FileListRecord(organ_id=SNV, external_id="DM-2025", year=2025, issued_on=date(2025, 1, 20)),
        file("HS-01", year=2025, listed=True, electronic=True, metadata_complete=True),
        file("HS-02", year=2025, listed=True, electronic=False),
        file("OLD-1", year=2018, retention_code="01", work_ended_on=date(2018, 12, 31)),
        file("OLD-2", year=2022, retention_years=10, work_ended_on=date(2023, 3, 1)),
        transfer("OLD-1", "agency_archive", date(2019, 6, 3)),
        transfer("OLD-1", "historical_archive", date(2024, 5, 6)),
        transfer("OLD-2", "agency_archive", date(2024, 2, 1)),
        DigitisedFileRecord(
            organ_id=SNV,
            external_id="SH-1",
            file_code="OLD-2",
            digitised_on=date(2025, 4, 2),
            pages=30,
        ),
        DossierRecord(
            organ_id=SNV,
            external_id="MC-1",
            dossier_code="MC-1",
            received_at=datetime(2025, 3, 3, 9, 0),
            due_at=datetime(2025, 3, 6, 17, 0),
            returned_at=datetime(2025, 3, 5, 10, 0),
            status="returned",
            electronic_file=True,
        ),
    ]
    return [Read(f"dms#{i}", record) for i, record in enumerate(records)]


def test_every_metric_listed_is_measured_and_has_evidence_and_nothing_else_is_measured(engine):
    store(engine, _documents())
    with engine.begin() as connection:
        write_registry(connection, DEPLOYMENT)
        store_records(connection, _files(), source="dms", fetched_at=datetime(2026, 1, 5))
        write_period_calendar(connection, CALENDAR, YEAR)
        values = [v for v in measure_all(connection, YEAR, CALENDAR) if v.denominator]
        measured = {v.metric_id for v in values}
        assert measured == set(METRICS), "measured but not listed, or listed but not measured"
        for metric_id in METRICS:
            value = next(v for v in values if v.metric_id == metric_id)
            lines = evidence(connection, value.agency_code, metric_id, YEAR, CALENDAR)
            assert lines, f"{metric_id}: no evidence behind {value}"
            if metric_id != NUMBERING_ANOMALIES:  # its lines are the anomalies themselves
                assert sum(line.counted for line in lines) == value.numerator, metric_id


def test_each_family_measures_exactly_the_metrics_listed_for_it():
    assert {m.id for m in INBOUND} == set(ids_of("inbound"))
    assert {m.id for m in OUTBOUND} == set(ids_of("outbound"))
    assert ids_of("numbering") == (NUMBERING_ANOMALIES,)
    names = ("inbound", "outbound", "numbering", "files", "transfers", "onestop", "digitisation")
    families = [ids_of(f) for f in names]
    assert sorted(sum(families, ())) == sorted(METRICS)


def test_every_metric_listed_is_defined_in_the_docs():
    text = DOCS.read_text(encoding="utf-8")
    documented = re.findall(r"^### `([a-z_.]+)`$", text, flags=re.MULTILINE)
    assert documented == list(METRICS)


def test_docs_hold_the_catalogue_definitions():
    text = DOCS.read_text(encoding="utf-8")
    start, end = "<!-- catalogue:start -->\n", "<!-- catalogue:end -->"
    generated = text[text.index(start) + len(start) : text.index(end)]
    expected = "\n" + catalogue_markdown() + "\n"
    if generated != expected and os.environ.get("CHECKER_REGENERATE_DOCS") == "1":
        DOCS.write_text(text.replace(generated, expected), encoding="utf-8")
        generated = expected
    assert generated == expected, "regenerate with CHECKER_REGENERATE_DOCS=1"
