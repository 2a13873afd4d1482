"""Writing connector records into the store, in batches, idempotently.

Each message has a natural key (an edoc its DocumentId, what it does and when it was sent; a
status who sent which code on which document when). A key already in the store, or seen
earlier in the same load, is a duplicate and is written nothing. An edoc message is kept
with its values, and the rows of the document it is about are worked out again from every
message about it (``checker.store.versions``): a recall, an update or a replacement read
before or after the original gives the same rows. Rows go in with multi-row inserts through
SQLAlchemy Core, never one ORM object per row, and each batch commits on its own: a load
stopped half-way keeps its finished batches and a second load completes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Engine, and_, literal, select, update

# ``vietnam_now`` moved to ``checker.clock``; re-exported here for older imports.
from checker.clock import vietnam_now as vietnam_now
from checker.store.bulk import insert_new
from checker.store.derived import mark_stale
from checker.store.engine import storage_errors
from checker.store.models import DOCUMENT, EVENT, MESSAGE, QUARANTINE
from checker.store.reconcile import EDXML, observation, write_observations
from checker.store.records import (
    DocumentRecord,
    Quarantined,
    Read,
    Record,
    Skipped,
    SoftwareRecord,
    StatusRecord,
)
from checker.store.versions import DocumentState, StoredMessage, document_state


@dataclass
class LoadSummary:
    files: int = 0
    documents: int = 0
    statuses: int = 0
    duplicates: int = 0
    quarantined: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    """Files found in a scanned folder that are not messages (not read, not quarantined)."""

    def as_dict(self) -> dict[str, int]:
        return {
            "files": self.files,
            "documents": self.documents,
            "statuses": self.statuses,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "skipped": len(self.skipped),
        }


def message_key(record: Record | SoftwareRecord) -> str:
    """The natural key of an edXML message."""
    if isinstance(record, DocumentRecord):
        when = record.sent_at.isoformat() if record.sent_at else ""
        return f"edoc|{record.doc_key}|{record.business_type}|{when}"
    if isinstance(record, StatusRecord):
        when = record.occurred_at.isoformat() if record.occurred_at else ""
        return f"status|{record.actor_id}|{ref_key(record)}|{record.status_code}|{when}"
    raise TypeError(f"not an edXML message: {type(record).__name__} (see checker.store.upsert)")


def ref_key(status: StatusRecord) -> str:
    """What a status says it answers: the DocumentId, or the sender and code."""
    return status.doc_key or f"{status.ref_sender_id}|{status.ref_code}"


def load(
    engine: Engine,
    items: Iterable[Read | Quarantined | Skipped],
    *,
    source: str,
    batch_size: int = 2000,
    fetched_at: datetime | None = None,
) -> LoadSummary:
    """Store what a connector read; returns the counts of the load."""
    summary = LoadSummary()
    when = fetched_at or vietnam_now()
    with storage_errors(engine.url):
        for batch in _batches(_counting_skipped(items, summary), batch_size):
            with engine.begin() as connection:
                _load_batch(connection, batch, source, when, summary)
        with engine.begin() as connection:
            link_events(connection)
    return summary


def _counting_skipped(
    items: Iterable[Read | Quarantined | Skipped], summary: LoadSummary
) -> Iterator[Read | Quarantined]:
    for item in items:
        if isinstance(item, Skipped):
            summary.skipped.append(item.locator)
        else:
            yield item


def _batches(items: Iterable[Read | Quarantined], size: int) -> Iterator[list[Read | Quarantined]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _load_batch(
    connection: Connection,
    batch: Sequence[Read | Quarantined],
    source: str,
    when: datetime,
    summary: LoadSummary,
) -> None:
    summary.files += len(batch)
    reads = [item for item in batch if isinstance(item, Read)]
    quarantined = [item for item in batch if isinstance(item, Quarantined)]
    fresh = _fresh_reads(connection, reads)
    summary.duplicates += len(reads) - len(fresh)
    _insert_quarantined(connection, quarantined, when, summary)
    if not fresh:
        return
    insert_new(connection, MESSAGE, [_message_row(r, source, when) for r in fresh])
    docs = [r for r in fresh if isinstance(r.record, DocumentRecord)]
    events = [r for r in fresh if isinstance(r.record, StatusRecord)]
    _write_documents(connection, docs, source, when)
    insert_new(connection, EVENT, [_event_row(r, source, when) for r in events])
    edxml = (DocumentRecord, StatusRecord)
    mark_stale(connection, [r.record.doc_key for r in fresh if isinstance(r.record, edxml)])
    summary.documents += len(docs)
    summary.statuses += len(events)


def _fresh_reads(connection: Connection, reads: Sequence[Read]) -> list[Read]:
    """The reads whose message is neither in the store nor earlier in this batch."""
    keys = {message_key(r.record) for r in reads}
    table = MESSAGE
    stored: set[str] = set()
    key_list = sorted(keys)
    for start in range(0, len(key_list), 500):
        chunk = key_list[start : start + 500]
        stored.update(
            connection.scalars(select(table.c.message_key).where(table.c.message_key.in_(chunk)))
        )
    fresh: list[Read] = []
    for read in reads:
        key = message_key(read.record)
        if key not in stored:
            stored.add(key)
            fresh.append(read)
    return fresh


def _message_row(read: Read, source: str, when: datetime) -> dict[str, Any]:
    record = read.record
    row: dict[str, Any] = {
        "message_key": message_key(record),
        "kind": "status",
        "source": source,
        "locator": read.locator,
        "fetched_at": when,
        "doc_key": None,
        "business_type": None,
        "sent_at": None,
        "record": None,
    }
    if isinstance(record, DocumentRecord):
        row["kind"] = "edoc"
        row["doc_key"], row["business_type"] = record.doc_key, record.business_type
        row["sent_at"], row["record"] = record.sent_at, record.model_dump_json()
    return row


def _write_documents(
    connection: Connection, docs: Sequence[Read], source: str, when: datetime
) -> None:
    """Work out again the edXML observations of every document these new messages are
    about, from all its stored messages, and reconcile them with what the agencies' software
    and registers reported (``checker.store.reconcile``)."""
    by_doc: dict[str, list[StoredMessage]] = {}
    fresh: set[str] = set()
    for read in docs:
        assert isinstance(read.record, DocumentRecord)
        message = StoredMessage(message_key(read.record), read.record, source, read.locator, when)
        by_doc.setdefault(read.record.doc_key, []).append(message)
        fresh.add(message.key)
    for message in _stored_messages(connection, sorted(by_doc), fresh):
        by_doc[message.record.doc_key].append(message)
    rows = [row for messages in by_doc.values() for row in _rows(document_state(messages))]
    write_observations(
        connection, [observation(r, EDXML, r["doc_key"], r["doc_key"]) for r in rows]
    )


def _stored_messages(
    connection: Connection, doc_keys: Sequence[str], fresh: set[str]
) -> Iterator[StoredMessage]:
    """The stored edoc messages of ``doc_keys`` other than the ``fresh`` ones."""
    m = MESSAGE.c
    for start in range(0, len(doc_keys), 500):
        query = select(m.message_key, m.record, m.source, m.locator, m.fetched_at).where(
            m.doc_key.in_(doc_keys[start : start + 500]), m.record.is_not(None)
        )
        for row in connection.execute(query):
            if row.message_key not in fresh:
                record = DocumentRecord.model_validate_json(row.record)
                yield StoredMessage(
                    row.message_key, record, row.source, row.locator, row.fetched_at
                )


def _rows(state: DocumentState) -> list[dict[str, Any]]:
    doc, origin = state.values, state.origin
    common = {
        "doc_key": doc.doc_key,
        "sender_id": doc.sender_id,
        "sender_name": doc.sender_name,
        "recipients": ";".join(state.recipients),
        "code": doc.code,
        "code_number": doc.code_number,
        "code_notation": doc.code_notation,
        "doc_type": doc.doc_type,
        "type_name": doc.type_name,
        "subject": doc.subject,
        "promulgation_date": doc.promulgation_date,
        "due_date": doc.due_date,
        "sent_at": doc.sent_at,
        "doc_date": doc.sent_at.date() if doc.sent_at else doc.promulgation_date,
        "priority": doc.priority,
        "business_type": state.business_type,
        "recall_sent": state.recall_sent,
        "channel": doc.channel,
        "flags": "; ".join(doc.flags),
        "source": origin.source,
        "locator": origin.locator,
        "fetched_at": origin.fetched_at,
    }
    # the axis knows when the document crossed it: issued for its sender, arrived for the rest
    rows = [{**common, "direction": "out", "organ_id": doc.sender_id, "issued_at": doc.sent_at}]
    rows += [
        {**common, "direction": "in", "organ_id": r, "arrived_at": doc.sent_at}
        for r in state.recipients
    ]
    return rows


def _event_row(read: Read, source: str, when: datetime) -> dict[str, Any]:
    status = read.record
    assert isinstance(status, StatusRecord)
    return {
        "doc_key": status.doc_key,
        "ref_key": ref_key(status),
        "ref_sender_id": status.ref_sender_id,
        "ref_code": status.ref_code,
        "actor_id": status.actor_id,
        "status_code": status.status_code,
        "description": status.description,
        "occurred_at": status.occurred_at,
        "occurred_on": status.occurred_at.date() if status.occurred_at else None,
        "flags": "; ".join(status.flags),
        "source": source,
        "locator": read.locator,
        "fetched_at": when,
    }


def _insert_quarantined(
    connection: Connection, items: Sequence[Quarantined], when: datetime, summary: LoadSummary
) -> None:
    summary.quarantined += len(items)
    for item in items:
        summary.quarantine_reasons[item.reason] = summary.quarantine_reasons.get(item.reason, 0) + 1
    rows = [{**item.model_dump(), "created_at": when} for item in items]
    insert_new(connection, QUARANTINE, rows)


def link_events(connection: Connection) -> None:
    """Attach statuses that named their document only by sender and code, and mark the
    documents they attach to stale."""
    events, docs = EVENT, DOCUMENT
    match = (
        select(docs.c.doc_key)
        .where(
            and_(
                # a literal, so the planner can use the partial index of outgoing rows
                docs.c.direction == literal("out", literal_execute=True),
                docs.c.sender_id == events.c.ref_sender_id,
                docs.c.code == events.c.ref_code,
            )
        )
        .limit(1)
        .scalar_subquery()
    )
    linked = connection.scalars(
        update(events)
        .where(events.c.doc_key.is_(None), events.c.ref_code.is_not(None))
        .values(doc_key=match)
        .returning(events.c.doc_key)
    )
    mark_stale(connection, list(linked))
