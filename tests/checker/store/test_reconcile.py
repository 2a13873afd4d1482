"""One document, several systems: a document seen through the axis (edXML), the agency's
document-management software and its register export is one document of each agency and
direction, with each lifecycle time from the system that knows it, counted once, and the
times the systems disagree on shown in the evidence; in whatever order the systems are
read; on both databases."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, MetaData, func, select

from checker.reports.evidence import EvidenceSubject, evidence_csv, evidence_json
from checker.store.engine import create_store_engine, migrate, open_store
from checker.store.identity import code_key, id_key
from checker.store.loader import load
from checker.store.models import DOCUMENT, DOCUMENT_SOURCE, MESSAGE
from checker.store.records import AgencyDocumentRecord, Read
from checker.store.registry import write_registry
from checker.store.upsert import store_records
from metrics.evidence import evidence_list
from metrics.measure import measure_all
from metrics.period import Period
from metrics.workdays import write_period_calendar
from tests.metrics.test_measure import CALENDAR, DAY, DEPLOYMENT, SNV, STC, edoc, sent

pytestmark = pytest.mark.usefixtures("english")

YEAR = Period.year(2025)
TUESDAY = DAY.replace(day=4)
WHEN = datetime(2025, 12, 31, 23)


def software(
    number: str = "0001",
    notation: str = "snv - vp",
    external_id: str = "qlvb-1",
    document_id: str | None = None,
    arrived: datetime = DAY,
    **fields: Any,
) -> Read:
    """The incoming copy of ``edoc(1)`` at STC as its software or register reports it,
    written its own way (leading zeros, case, spaces)."""
    fields.setdefault("channel", "axis")
    record = AgencyDocumentRecord(
        organ_id=STC,
        direction="in",
        external_id=external_id,
        doc_key=document_id,
        sender_id=fields.pop("sender_id", SNV.lower()),
        code_number=number,
        code_notation=notation,
        promulgation_date=DAY.date(),
        subject="Văn bản đến 1",
        arrived_at=arrived,
        **fields,
    )
    return Read(f"https://qlvb.example/in/{external_id}", record)


def write(engine: Engine, item: Read, system: str) -> None:
    """Store ``item`` as the system ``system`` (edxml, dms or register) delivers it."""
    if system == "edxml":
        load(engine, [item], source="edxml", fetched_at=WHEN)
        return
    with engine.begin() as connection:
        store_records(connection, [item], source=system, fetched_at=WHEN, kind=system)


AXIS = edoc(1)
DMS = software(registered_at=DAY.replace(hour=10), submitted_at=DAY.replace(hour=11))
REGISTER = software(
    number="1",
    notation="SNV-VP",
    external_id="row-7",
    channel="paper",
    assigned_at=TUESDAY,
    arrival_number="7",
)
THREE = [(AXIS, "edxml"), (DMS, "dms"), (REGISTER, "register")]


def documents(engine: Engine) -> list[dict[str, Any]]:
    """Every document row but its id and facts, sorted."""
    with engine.connect() as connection:
        rows = connection.execute(select(DOCUMENT)).mappings().all()
    kept = [
        {k: v for k, v in row.items() if k != "id" and not k.startswith("fact_")} for row in rows
    ]
    return sorted(kept, key=lambda r: (r["direction"], r["organ_id"], r["doc_key"]))


def measured(engine: Engine) -> dict[tuple[str, str], tuple[int, int]]:
    with engine.begin() as connection:
        write_registry(connection, DEPLOYMENT)
        write_period_calendar(connection, CALENDAR, YEAR)
        values = measure_all(connection, YEAR, CALENDAR)
    return {(v.agency_code, v.metric_id): (v.numerator, v.denominator) for v in values}


def test_a_document_seen_through_the_axis_the_software_and_a_register_counts_once(engine):
    for item, system in THREE:
        write(engine, item, system)
    rows = [row for row in documents(engine) if row["direction"] == "in"]
    assert len(rows) == 1
    row = rows[0]
    assert row["doc_key"] == AXIS.record.doc_key  # what the statuses answer
    assert row["sources"] == "edxml;dms;register"
    assert row["channel"] == "axis"
    assert (row["arrived_at"], row["registered_at"], row["assigned_at"]) == (
        DAY,
        DAY.replace(hour=10),
        TUESDAY,
    )
    assert json.loads(row["field_sources"]) == {
        "arrived_at": "edxml",
        "registered_at": "dms",
        "submitted_at": "dms",
        "assigned_at": "register",
    }
    assert (row["external_id"], row["arrival_number"]) == ("qlvb-1", "7")
    assert row["disagreements"] is None
    values = measured(engine)
    assert values[STC, "inbound.received_axis"] == (1, 1)
    assert values[STC, "inbound.registered"] == (1, 1)
    assert values[STC, "inbound.submitted_in_time"] == (1, 1)
    assert values[STC, "inbound.assigned"] == (1, 1)
    assert values[SNV, "outbound.issued_axis"] == (1, 1)
    with engine.connect() as connection:
        observed = connection.scalar(select(func.count()).select_from(DOCUMENT_SOURCE))
    assert observed == 4  # edXML out and in, the software, the register


def test_the_software_read_before_the_axis_leaves_one_document_and_its_statuses_count(engine):
    write(engine, DMS, "dms")
    assert [r["doc_key"] for r in documents(engine)] == ["dms:qlvb-1"]
    write(engine, AXIS, "edxml")
    write(engine, sent(AXIS, STC, "01", DAY.replace(hour=9, minute=30)), "edxml")
    assert [(r["direction"], r["doc_key"]) for r in documents(engine)] == [
        ("in", AXIS.record.doc_key),
        ("out", AXIS.record.doc_key),
    ]
    assert measured(engine)[STC, "inbound.acknowledged_same_day"] == (1, 1)


def test_a_document_id_written_differently_is_the_same_document(engine):
    write(engine, AXIS, "edxml")
    other_way = f"  {AXIS.record.doc_key.upper().replace(',1/', ', 0001/')} "
    write(engine, software(number="99", document_id=other_way), "dms")
    assert len([r for r in documents(engine) if r["direction"] == "in"]) == 1


def test_a_code_two_document_ids_carry_is_not_guessed(engine):
    write(engine, AXIS, "edxml")
    twin = edoc(1, notation="SNV-VP", sent_at=DAY.replace(hour=15), subject="Bản khác")
    twin = Read(twin.locator, twin.record.model_copy(update={"doc_key": "another-id"}))
    write(engine, twin, "edxml")
    write(engine, DMS, "dms")
    keys = sorted(r["doc_key"] for r in documents(engine) if r["direction"] == "in")
    assert keys == sorted([AXIS.record.doc_key, "another-id", "dms:qlvb-1"])


def test_systems_disagreeing_on_arrival_keep_both_times_and_show_them_in_evidence(engine):
    write(engine, AXIS, "edxml")
    write(engine, software(arrived=TUESDAY), "dms")
    (row,) = [r for r in documents(engine) if r["direction"] == "in"]
    assert row["arrived_at"] == DAY  # the axis knows when it crossed
    assert json.loads(row["disagreements"]) == [
        {
            "field": "arrived_at",
            "values": [["edxml", "2025-03-03 09:00"], ["dms", "2025-03-04 09:00"]],
        }
    ]
    measured(engine)
    with engine.begin() as connection:
        found = evidence_list(connection, STC, "inbound.received_axis", YEAR, CALENDAR)
    expected = "sources disagree on arrival: edXML 2025-03-03 09:00, DMS 2025-03-04 09:00"
    assert [line.disagreement for line in found.lines] == [expected]
    subject = EvidenceSubject(STC, "Sở Tài chính", "inbound.received_axis", YEAR, {})
    assert evidence_json(found, subject)["documents"][0]["sources_disagree"] == expected  # type: ignore[index]
    csv_lines = evidence_csv(found, subject).splitlines()
    assert csv_lines[0].endswith("Sources disagree")
    assert csv_lines[1].endswith(f'"{expected}"')


def test_times_on_the_same_day_are_no_disagreement(engine):
    write(engine, AXIS, "edxml")
    write(engine, software(arrived=DAY.replace(hour=16)), "dms")
    (row,) = [r for r in documents(engine) if r["direction"] == "in"]
    assert row["disagreements"] is None


def test_every_order_of_the_three_systems_gives_the_same_store_and_metrics(engine):
    results = []
    for order in [THREE, THREE[::-1], [THREE[1], THREE[0], THREE[2]]]:
        with engine.begin() as connection:
            for table in (DOCUMENT, DOCUMENT_SOURCE, MESSAGE):
                connection.execute(table.delete())
        for item, system in order:
            write(engine, item, system)
        results.append((documents(engine), measured(engine)))
    assert results[0] == results[1] == results[2]


# --- property: any order, any batching ----------------------------------------------------

_ITEMS = [
    *THREE,
    (sent(AXIS, STC, "03", DAY.replace(hour=9, minute=40)), "edxml"),
    (edoc(2), "edxml"),
    (software(number="2", notation="SNV-VP", external_id="qlvb-2", arrived=TUESDAY), "dms"),
    (software(number="5", notation="X", external_id="qlvb-5"), "dms"),
    (software(number="5", notation="x", external_id="row-9", channel="paper"), "register"),
]


def _fresh(folder) -> Engine:
    return open_store(f"sqlite:///{folder / 'checker.db'}")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order=st.permutations(range(len(_ITEMS))), data=st.data())
def test_any_order_of_the_same_records_gives_the_same_store_and_metrics(
    tmp_path_factory, order, data
):
    reference = _fresh(tmp_path_factory.mktemp("reference"))
    shuffled = _fresh(tmp_path_factory.mktemp("shuffled"))
    try:
        for item, system in _ITEMS:
            write(reference, item, system)
        for index in order:
            item, system = _ITEMS[index]
            write(shuffled, item, system)
            if data.draw(st.booleans()):  # written again: nothing changes
                write(shuffled, item, system)
        assert documents(shuffled) == documents(reference)
        assert measured(shuffled) == measured(reference)
    finally:
        reference.dispose()
        shuffled.dispose()


# --- a store written before observations -------------------------------------------------


def test_documents_stored_before_become_the_observations_of_their_system(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_store_engine(url)
    migrate(engine, "0008")
    tables = MetaData()
    tables.reflect(engine, only=["document"])
    common = {"sender_id": SNV, "recipients": STC, "code": "0001/snv-vp", "priority": 0}
    common |= {"business_type": 0, "channel": "axis", "flags": "", "locator": "x"}
    common |= {"fetched_at": WHEN, "promulgation_date": DAY.date(), "direction": "in"}
    common |= {"organ_id": STC}
    rows = [
        {**common, "doc_key": AXIS.record.doc_key, "source": "edxml", "external_id": None},
        {**common, "doc_key": "qlvb:7", "source": "qlvb", "external_id": "7"},
        {**common, "doc_key": "register:9", "source": "register", "external_id": "9"},
    ]
    with engine.begin() as connection:
        connection.execute(tables.tables["document"].insert(), rows)
    migrate(engine)
    with engine.connect() as connection:
        observed = connection.execute(
            select(
                DOCUMENT_SOURCE.c.kind,
                DOCUMENT_SOURCE.c.source_key,
                DOCUMENT_SOURCE.c.id_key,
                DOCUMENT_SOURCE.c.code_key,
                DOCUMENT_SOURCE.c.document_key,
            ).order_by(DOCUMENT_SOURCE.c.kind)
        ).all()
        sources = connection.scalars(select(DOCUMENT.c.sources).order_by(DOCUMENT.c.sources))
        assert list(sources) == ["dms", "edxml", "register"]
    engine.dispose()
    code = code_key(SNV, "1/SNV-VP", DAY.date())
    assert observed == [
        ("dms", "qlvb:7", None, code, "qlvb:7"),
        ("edxml", AXIS.record.doc_key, id_key(AXIS.record.doc_key), code, AXIS.record.doc_key),
        ("register", "register:9", None, code, "register:9"),
    ]
