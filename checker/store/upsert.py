"""Writing records from the document-management, one-stop-shop and archive software: upserts on each
record's natural key, so reading the same records again changes nothing and a record that
changed at the source is updated in place. A document is written as what its system (the
software, or a register export) observed of it, and reconciled with what the other systems
observed of the same document (``checker.store.reconcile``): one document, counted once.

Callers pass an open connection: a sync writes a page of records and its cursor in one
transaction (see ``checker.store.cursors``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Engine, Table

from checker.clock import vietnam_now
from checker.store.bulk import insert_new, upsert
from checker.store.engine import storage_errors
from checker.store.models import (
    DIGITISED_FILE,
    DOCUMENT,
    DOSSIER,
    FILE_LIST,
    QUARANTINE,
    RECORD_FILE,
    TRANSFER,
)
from checker.store.reconcile import DMS, observation, write_observations
from checker.store.records import (
    AgencyDocumentRecord,
    DigitisedFileRecord,
    DossierRecord,
    FileListRecord,
    FileRecord,
    Quarantined,
    Read,
    SoftwareRecord,
    TransferRecord,
)

NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    # a document record is an observation of its source (checker.store.reconcile)
    "document": ("direction", "organ_id", "external_id"),
    "record_file": ("organ_id", "file_code"),
    "file_list": ("organ_id", "year"),
    "transfer": ("organ_id", "kind", "file_code"),
    "dossier": ("organ_id", "dossier_code"),
    "digitised_file": ("organ_id", "file_code"),
}


@dataclass
class StoredCounts:
    records: int = 0
    quarantined: int = 0
    reasons: list[str] = field(default_factory=list)


def store_in_batches(
    engine: Engine,
    items: Iterable[Read | Quarantined],
    source: str,
    batch_size: int = 2000,
    fetched_at: datetime | None = None,
    kind: str = DMS,
) -> StoredCounts:
    """Store what a file-based connector read, one transaction per batch (``kind``: the
    system its documents come from, see :func:`store_records`)."""
    total = StoredCounts()
    when = fetched_at or vietnam_now()
    iterator = iter(items)
    while batch := list(islice(iterator, batch_size)):
        with storage_errors(engine.url), engine.begin() as connection:
            counts = store_records(connection, batch, source=source, fetched_at=when, kind=kind)
        total.records += counts.records
        total.quarantined += counts.quarantined
        total.reasons += [i.reason for i in batch if isinstance(i, Quarantined)]
    return total


def store_records(
    connection: Connection,
    items: Sequence[Read | Quarantined],
    *,
    source: str,
    fetched_at: datetime,
    kind: str = DMS,
) -> StoredCounts:
    """Upsert every record read and keep every quarantined one; returns the counts.
    Documents are observations of the system ``kind`` (``dms``, the document-management
    software; ``register``, a register export), reconciled with the other systems'
    (``checker.store.reconcile``)."""
    write_rows(connection, rows_by_table(items, source=source, fetched_at=fetched_at), kind)
    quarantined = [i for i in items if isinstance(i, Quarantined)]
    if quarantined:
        q_rows = [{**q.model_dump(), "created_at": fetched_at} for q in quarantined]
        insert_new(connection, QUARANTINE, q_rows)
    return StoredCounts(len(items) - len(quarantined), len(quarantined))


def write_rows(
    connection: Connection, rows: dict[Table, list[dict[str, Any]]], kind: str = DMS
) -> None:
    """Upsert the rows of :func:`rows_by_table`. A document is stored as what the system
    ``kind`` observed of it and reconciled with the other systems' observations, which marks
    the documents written (and the other rows of each) stale."""
    for table, table_rows in rows.items():
        if table is DOCUMENT:
            write_observations(connection, [_observation(dict(row), kind) for row in table_rows])
        else:
            upsert(connection, table, table_rows, NATURAL_KEYS[table.name])


_KEY_OF = {name: itemgetter(*key) for name, key in NATURAL_KEYS.items()}  # row → natural key


def rows_by_table(
    items: Sequence[Read | Quarantined], *, source: str, fetched_at: datetime
) -> dict[Table, list[dict[str, Any]]]:
    """The rows ``store_records`` upserts for the records read, one per natural key (the
    last one read wins), by table."""
    rows: dict[Table, dict[tuple[Any, ...], dict[str, Any]]] = {}
    for item in items:
        if isinstance(item, Read):
            table, row = _row(item, source, fetched_at)
            rows.setdefault(table, {})[_KEY_OF[table.name](row)] = row
    return {table: list(by_key.values()) for table, by_key in rows.items()}


def _observation(row: dict[str, Any], kind: str) -> dict[str, Any]:
    source_key = f"{row['source']}:{row['external_id']}"
    return observation(row, kind, source_key, row.pop("document_id"))


def _row(item: Read, source: str, fetched_at: datetime) -> tuple[Table, dict[str, Any]]:
    record: SoftwareRecord = item.record  # type: ignore[assignment]
    table = _table_of(record)
    if isinstance(record, AgencyDocumentRecord):
        row = document_row(record, source)
    elif isinstance(record, DossierRecord):
        row = dossier_row(record)
    else:  # a flat record of plain values: its fields are what model_dump gives, less its walk
        row = dict(vars(record))
    row["source"] = source
    row["locator"] = item.locator
    row["fetched_at"] = fetched_at
    return table, row


def _table_of(record: SoftwareRecord) -> Table:
    if isinstance(record, AgencyDocumentRecord):
        return DOCUMENT
    if isinstance(record, FileRecord):
        return RECORD_FILE
    if isinstance(record, FileListRecord):
        return FILE_LIST
    if isinstance(record, TransferRecord):
        return TRANSFER
    if isinstance(record, DossierRecord):
        return DOSSIER
    if isinstance(record, DigitisedFileRecord):
        return DIGITISED_FILE
    raise TypeError(f"not a record of the document-management or archive software: {record!r}")


def dossier_row(record: DossierRecord) -> dict[str, Any]:
    """A dossier row, kept under the agency handling it (its electronic files are that
    agency's), with the agency the software was asked about beside it."""
    row = dict(vars(record))
    del row["handled_by"]
    row["organ_id"] = record.agency
    row["asked_for"] = record.organ_id
    return row


def document_row(record: AgencyDocumentRecord, source: str) -> dict[str, Any]:
    """A document row from the agency's own software (with ``document_id``, the DocumentId it
    knows, for the observation). Its key is the edXML DocumentId when the software knows it,
    else the software's own id within this source."""
    day = record.arrived_at or record.issued_at or record.signed_at
    return {
        "direction": record.direction,
        "organ_id": record.organ_id,
        "doc_key": record.doc_key or f"{source}:{record.external_id}",
        "document_id": record.doc_key,
        "external_id": record.external_id,
        "sender_id": record.sender_id or (record.organ_id if record.direction == "out" else ""),
        "sender_name": record.sender_name,
        "recipients": ";".join(record.recipient_ids),
        "code": record.code,
        "code_number": record.code_number,
        "code_notation": record.code_notation,
        "type_name": record.type_name,
        "subject": record.subject,
        "promulgation_date": record.promulgation_date,
        "due_date": record.due_date,
        "sent_at": record.issued_at if record.direction == "out" else record.arrived_at,
        "doc_date": day.date() if day else record.promulgation_date,
        "priority": record.priority,
        "channel": record.channel,
        "arrival_number": record.arrival_number,
        "arrived_at": record.arrived_at,
        "registered_at": record.registered_at,
        "submitted_at": record.submitted_at,
        "assigned_at": record.assigned_at,
        "signed_at": record.signed_at,
        "issued_at": record.issued_at,
        "digitally_signed": record.digitally_signed,
        "file_code": record.file_code,
        "recalled": record.recalled,
        "updated_at": record.updated_at,
        "business_type": 1 if record.recalled else 0,
        "flags": "",
    }
