"""One document, several systems, several codes: an agency carries its edXML organ id and the
code its document-management software knows it by. The same document whose sender (or
recipient) one system writes with one code and another with the other is one document of
the registered agency, counted once, with the times the systems disagree on in evidence;
whether the registry is written before the documents or after, and again when its codes
change; on both databases."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy import MetaData, select, update

from checker.config import Agency, Deployment, Group
from checker.store.engine import alembic_config, create_store_engine, migrate, open_store
from checker.store.identity import code_key, normalised, registered
from checker.store.models import AGENCY_CODE, DOCUMENT, DOCUMENT_SOURCE
from checker.store.records import AgencyDocumentRecord, Read
from checker.store.registry import write_registry
from metrics.evidence import evidence_list
from metrics.measure import measure_all
from metrics.period import Period
from metrics.workdays import write_period_calendar
from tests.checker.store.test_reconcile import documents, write
from tests.metrics.test_measure import CALENDAR, DAY, SNV, STC, edoc

pytestmark = pytest.mark.usefixtures("english")

YEAR = Period.year(2025)
SNV_DMS, STC_DMS = "SNV-QLVB", "STC-QLVB"  # the agencies' codes on the software
TUESDAY = DAY.replace(day=4)


def deployment(snv_codes: tuple[str, ...] = (SNV_DMS,)) -> Deployment:
    return Deployment(
        groups=(Group(id="g", name="Sở", criteria="danang-electronic-example"),),
        agencies=(
            Agency(code=SNV, codes=snv_codes, name="Sở Nội vụ", group="g"),
            Agency(code=STC, codes=("H99.02", STC_DMS), name="Sở Tài chính", group="g"),
        ),
    )


def software(
    system: str, sender: str = SNV_DMS, organ: str = STC_DMS, arrived: datetime = TUESDAY, **fields
) -> Read:
    """STC's copy of ``edoc(1)`` on its software or register, the sender (and STC itself)
    written with the software's codes, arriving a day after the axis says."""
    record = AgencyDocumentRecord(
        organ_id=organ,
        direction="in",
        external_id=f"{system}-1",
        sender_id=sender,
        code_number="01",
        code_notation="SNV-VP",
        promulgation_date=DAY.date(),
        subject="Văn bản đến 1",
        channel="axis",
        arrived_at=arrived,
        **fields,
    )
    return Read(f"https://qlvb.example/in/{system}-1", record)


AXIS = edoc(1)  # SNV to STC through the axis, with the edXML organ ids
DMS = software("dms", registered_at=TUESDAY.replace(hour=10))
REGISTER = software("register", assigned_at=TUESDAY.replace(hour=14), arrived=TUESDAY)


def _registry(engine, chosen: Deployment) -> None:
    with engine.begin() as connection:
        write_registry(connection, chosen)


def _measured(engine, chosen: Deployment) -> dict[tuple[str, str], tuple[int, int]]:
    with engine.begin() as connection:
        write_registry(connection, chosen)
        write_period_calendar(connection, CALENDAR, YEAR)
        values = measure_all(connection, YEAR, CALENDAR)
    return {(v.agency_code, v.metric_id): (v.numerator, v.denominator) for v in values}


def _incoming(engine) -> list[dict[str, Any]]:
    return [row for row in documents(engine) if row["direction"] == "in"]


def _write_all(engine) -> None:
    write(engine, AXIS, "edxml")
    write(engine, DMS, "dms")
    write(engine, REGISTER, "register")


def _check_one_document(engine, chosen: Deployment) -> None:
    """With ``chosen``'s registry written, the three copies are one document."""
    _registry(engine, chosen)
    (row,) = _incoming(engine)
    assert (row["doc_key"], row["organ_id"], row["sources"]) == (
        AXIS.record.doc_key,
        STC,
        "edxml;dms;register",
    )
    assert json.loads(row["field_sources"]) == {
        "arrived_at": "edxml",
        "registered_at": "dms",
        "assigned_at": "register",
    }
    assert json.loads(row["disagreements"]) == [
        {
            "field": "arrived_at",
            "values": [
                ["edxml", "2025-03-03 09:00"],
                ["dms", "2025-03-04 09:00"],
                ["register", "2025-03-04 09:00"],
            ],
        }
    ]
    values = _measured(engine, chosen)
    assert values[STC, "inbound.received_axis"] == (1, 1)
    assert values[STC, "inbound.registered"] == (1, 1)
    assert values[STC, "inbound.assigned"] == (1, 1)
    with engine.begin() as connection:
        found = evidence_list(connection, STC, "inbound.received_axis", YEAR, CALENDAR)
    assert [line.disagreement for line in found.lines] == [
        "sources disagree on arrival: edXML 2025-03-03 09:00, DMS 2025-03-04 09:00, "
        "register 2025-03-04 09:00"
    ]


def test_a_sender_written_with_two_codes_of_its_agency_is_one_document(engine):
    _registry(engine, deployment())
    _write_all(engine)
    _check_one_document(engine, deployment())


def test_documents_stored_before_the_registry_are_reconciled_when_it_is_written(engine):
    _write_all(engine)
    # no registry yet: the axis's codes and the software's are two senders, two agencies
    assert sorted(r["sources"] for r in _incoming(engine)) == ["dms;register", "edxml"]
    _check_one_document(engine, deployment())


def test_a_registry_whose_codes_change_keys_the_documents_again(engine):
    _registry(engine, deployment())
    _write_all(engine)
    assert len(_incoming(engine)) == 1
    # SNV's software code leaves the registry: the software's copies are another sender's
    _registry(engine, deployment(snv_codes=()))
    rows = _incoming(engine)
    assert sorted(r["sources"] for r in rows) == ["dms;register", "edxml"]
    assert all(r["disagreements"] is None for r in rows)
    with engine.connect() as connection:
        keys = set(connection.scalars(select(DOCUMENT_SOURCE.c.code_key)))
    assert keys == {
        code_key(SNV, "1/SNV-VP", DAY.date()),
        code_key(SNV_DMS, "1/SNV-VP", DAY.date()),
    }
    values = _measured(engine, deployment(snv_codes=()))
    assert values[STC, "inbound.received_axis"] == (2, 2)
    # and back: one document again
    _check_one_document(engine, deployment())


def test_a_sender_the_registry_does_not_know_keeps_its_own_code(engine):
    _registry(engine, deployment())
    write(engine, edoc(1, sender="000.00.77.H99"), "edxml")
    write(engine, software("dms", sender="000.00.77.h99 "), "dms")  # the same, written so
    write(engine, software("register", sender="SO-LA"), "register")  # another sender
    assert sorted(r["sources"] for r in _incoming(engine)) == ["edxml;dms", "register"]


def test_codes_read_through_the_registry():
    codes = registered([(SNV, SNV), (SNV_DMS, SNV), (" h99.02", STC)])
    assert codes == {
        normalised(SNV): normalised(SNV),
        "snv-qlvb": normalised(SNV),
        "h99.2": normalised(STC),
    }
    day = DAY.date()
    assert code_key("snv-qlvb", "01/SNV-VP", day, codes) == code_key(SNV, "1/snv-vp", day)
    assert code_key("H99.02", "1/TC", day, codes) == code_key(STC, "1/TC", day)
    assert code_key("SO-LA", "1/X", day, codes) == code_key("so-la", "1/X", day)


def test_keys_stored_before_the_upgrade_are_worked_out_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_store_engine(url)
    migrate(engine, "0010")
    engine.dispose()
    engine = open_store(url)  # up to date, then the keys put back as they were stored
    try:
        _registry(engine, deployment())
        _write_all(engine)
        with engine.begin() as connection:
            raw = select(DOCUMENT_SOURCE.c.id, DOCUMENT_SOURCE.c.sender_id).subquery()
            for row_id, sender in connection.execute(select(raw)).all():
                connection.execute(
                    update(DOCUMENT_SOURCE)
                    .where(DOCUMENT_SOURCE.c.id == row_id)
                    .values(code_key=code_key(sender, "1/SNV-VP", DAY.date()))
                )
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0011")  # the schema 0011 left
            tables = MetaData()
            tables.reflect(connection, only=["alembic_version"])
            version = tables.tables["alembic_version"]
            connection.execute(version.update().values(version_num="0010"))
        migrate(engine)  # 0011 empties the registry
        with engine.connect() as connection:
            assert connection.execute(select(AGENCY_CODE)).all() == []
        _check_one_document(engine, deployment())
        with engine.connect() as connection:
            assert (
                len(connection.execute(select(DOCUMENT).where(DOCUMENT.c.direction == "in")).all())
                == 1
            )
    finally:
        engine.dispose()


def test_a_message_to_two_codes_of_one_agency_is_one_incoming_document(engine):
    _registry(engine, deployment())
    write(engine, edoc(1, recipients=(STC, "H99.02")), "edxml")
    (row,) = _incoming(engine)
    assert (row["organ_id"], row["sources"]) == (STC, "edxml")
    values = _measured(engine, deployment())
    assert values[STC, "inbound.received_axis"] == (1, 1)
