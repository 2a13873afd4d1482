from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from checker.store.loader import load
from checker.store.models import DOCUMENT, EVENT, MESSAGE, QUARANTINE
from checker.store.records import Quarantined
from tests.factories import doc, status


def _count(engine, table):
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(table))


def test_an_edoc_is_outgoing_for_its_sender_and_incoming_for_each_recipient(engine):
    d = doc(1, recipients=("A", "B", "C"))
    summary = load(engine, [d], source="test")
    assert summary.documents == 1
    with engine.connect() as connection:
        rows = connection.execute(
            select(DOCUMENT.c.direction, DOCUMENT.c.organ_id).order_by(DOCUMENT.c.organ_id)
        ).all()
    assert sorted(rows) == [("in", "A"), ("in", "B"), ("in", "C"), ("out", "000.00.01.H99")]


def test_loading_the_same_messages_twice_stores_them_once(engine):
    d = doc(1)
    items = [d, status(d, "000.00.02.H99", "01", datetime(2025, 3, 3, 10))]
    first = load(engine, items, source="test")
    second = load(engine, items, source="test")
    assert (first.documents, first.statuses, first.duplicates) == (1, 1, 0)
    assert (second.documents, second.statuses, second.duplicates) == (0, 0, 2)
    assert _count(engine, MESSAGE) == 2
    assert _count(engine, DOCUMENT) == 2
    assert _count(engine, EVENT) == 1


def test_a_duplicate_inside_one_load_is_counted_once(engine):
    d = doc(7)
    summary = load(engine, [d, d, d], source="test", batch_size=2)
    assert summary.as_dict() == {
        "files": 3,
        "documents": 1,
        "statuses": 0,
        "duplicates": 2,
        "quarantined": 0,
        "skipped": 0,
    }


def test_a_status_naming_its_document_by_code_is_linked_once_the_document_arrives(engine):
    d = doc(3)
    s = status(d, "000.00.02.H99", "03", datetime(2025, 3, 3, 11), by_code_only=True)
    load(engine, [s], source="test")
    load(engine, [d], source="test")
    with engine.connect() as connection:
        linked = connection.scalar(select(EVENT.c.doc_key))
    assert linked == d.record.doc_key


def test_quarantined_inputs_are_kept_once_with_their_reason(engine):
    bad = Quarantined(source="test", locator="/x/bad.edxml", reason="not XML", content_hash="h")
    load(engine, [bad], source="test")
    summary = load(engine, [bad], source="test")
    assert summary.quarantined == 1
    assert summary.quarantine_reasons == {"not XML": 1}
    assert _count(engine, QUARANTINE) == 1
