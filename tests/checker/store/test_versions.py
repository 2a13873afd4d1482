"""A document as its messages leave it (``checker.store.versions``), and the messages a
store kept before each message had its own identity (migration 0007)."""

from __future__ import annotations

from datetime import datetime

from alembic import command
from sqlalchemy import select, text

from checker.store.engine import alembic_config, create_store_engine, open_store
from checker.store.loader import load
from checker.store.models import DOCUMENT, MESSAGE
from checker.store.records import Read
from checker.store.versions import StoredMessage, document_state
from tests.factories import doc

DAY = datetime(2025, 3, 3, 9, 0)


def _message(read: Read, **changes) -> StoredMessage:
    record = read.record.model_copy(update=changes)
    key = f"{record.business_type}|{record.sent_at}"
    return StoredMessage(key, record, "test", read.locator, DAY)


def test_an_update_keeps_what_it_does_not_say_and_a_replacement_supersedes_all():
    original = _message(doc(1), sender_name="Sở Nội vụ", subject="Gốc")
    update = _message(
        doc(1), business_type=2, sent_at=DAY.replace(day=4), sender_name=None, subject="Sửa"
    )
    state = document_state([update, original])
    assert (state.values.subject, state.values.sender_name) == ("Sửa", "Sở Nội vụ")
    assert (state.origin, state.business_type, state.values.sent_at) == (original, 2, DAY)
    replacement = _message(
        doc(1), business_type=3, sent_at=DAY.replace(day=5), sender_name=None, subject="Mới"
    )
    state = document_state([replacement, update, original])
    assert (state.values.subject, state.values.sender_name, state.business_type) == (
        "Mới",
        None,
        3,
    )


def test_a_recall_changes_no_value_and_recipients_add_up():
    original = _message(doc(1, recipients=("A",)))
    recall = _message(doc(1, recipients=("A", "B")), business_type=1, sent_at=DAY.replace(day=4))
    state = document_state([recall, original])
    assert (state.values, state.recall_sent, state.business_type) == (original.record, True, 0)
    assert state.recipients == ("A", "B")
    only = document_state([recall])
    assert (only.business_type, only.recall_sent) == (1, True)


def test_messages_stored_before_keep_their_identity_after_the_upgrade(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_store_engine(url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
        connection.execute(
            text(
                "INSERT INTO message (message_key, kind, source, locator, fetched_at) VALUES "
                "('edoc|000.00.01.H99,2025/03/03,1/SNV-VP', 'edoc', 'old', '/e/1.edxml', "
                "'2025-03-04 00:00:00.000000')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO document (direction, organ_id, doc_key, sender_id, recipients, "
                "code, code_number, code_notation, subject, promulgation_date, sent_at, "
                "doc_date, priority, business_type, channel, flags, source, locator, fetched_at) "
                "SELECT d, o, '000.00.01.H99,2025/03/03,1/SNV-VP', '000.00.01.H99', "
                "'000.00.02.H99', '1/SNV-VP', '1', 'SNV-VP', 'V/v thử nghiệm 1', '2025-03-03', "
                "'2025-03-03 09:00:00.000000', '2025-03-03', 0, 0, 'axis', '', 'old', "
                "'/e/1.edxml', '2025-03-04 00:00:00.000000' FROM (SELECT 'out' AS d, "
                "'000.00.01.H99' AS o UNION ALL SELECT 'in', '000.00.02.H99')"
            )
        )
    engine.dispose()
    engine = open_store(url)  # upgraded to the newest revision
    summary = load(engine, [doc(1)], source="test")
    assert (summary.documents, summary.duplicates) == (0, 1)  # the same message as before
    with engine.connect() as connection:
        stored = connection.execute(select(MESSAGE)).mappings().one()
        facts = connection.scalars(select(DOCUMENT.c.fact_recalled)).all()
    assert stored["doc_key"] == "000.00.01.H99,2025/03/03,1/SNV-VP"
    assert stored["message_key"] == f"edoc|{stored['doc_key']}|0|2025-03-03T09:00:00"
    assert facts == [None, None]  # worked out again under the new recall rule
    recall = doc(1).record.model_copy(update={"business_type": 1, "sent_at": DAY.replace(day=5)})
    load(engine, [Read("/e/recall.edxml", recall)], source="test")
    with engine.connect() as connection:
        rows = connection.execute(select(DOCUMENT.c.subject, DOCUMENT.c.recall_sent)).all()
    assert rows == [("V/v thử nghiệm 1", True), ("V/v thử nghiệm 1", True)]
    engine.dispose()
