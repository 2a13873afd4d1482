"""A document as its edoc messages leave it: the original, its updates, replacements and
recalls (QCVN 102:2016, ``BussinessDocType`` 0 new, 1 recall, 2 update, 3 replace).

A recall, an update or a replacement is a message of its own that carries the DocumentId of
the document it acts on. Every message is stored with its values (``message.record``), and a
document's rows are worked out from the set of its messages, the same whatever order the
files are read in:

- the messages are taken in the order they were sent (``sent_at``, then their key);
- the document starts from its original (the first message of type 0), or, when no
  original is known, from its first update or replacement;
- an **update** changes the values it carries and keeps the others; a **replacement**
  supersedes every value; neither moves the day the document was sent (its deadlines run
  from the original), and the old values stay in the stored messages;
- a **recall** changes no value: the document notes that a recall was sent
  (``recall_sent``); it takes effect for a recipient that accepts it (status 15), not for
  one that refuses it (16) (``metrics.facts``). A document known only from recall messages
  is marked ``business_type`` 1;
- the document is incoming for every recipient any of its messages named, and outgoing for
  its sender.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from checker.store.records import DocumentRecord

NEW, RECALL, UPDATE, REPLACE = 0, 1, 2, 3

_KEPT_BY_CHANGES = ("doc_key", "sender_id", "sent_at", "business_type", "channel")
"""What an update or a replacement never changes: what the document is, who sent it when."""


@dataclass(frozen=True)
class StoredMessage:
    """An edoc message as stored: its key, values and where it came from."""

    key: str
    record: DocumentRecord
    source: str
    locator: str
    fetched_at: datetime


@dataclass(frozen=True)
class DocumentState:
    """The document its messages leave."""

    values: DocumentRecord
    recipients: tuple[str, ...]
    origin: StoredMessage  # the message the document came with (its locator is shown)
    business_type: int
    recall_sent: bool


def kind_of(record: DocumentRecord) -> int:
    """What a message does: a type outside 1..3 is a new document."""
    return record.business_type if record.business_type in (RECALL, UPDATE, REPLACE) else NEW


def document_state(messages: list[StoredMessage]) -> DocumentState:
    """The state of one document (every message shares its DocumentId)."""
    ordered = sorted(messages, key=_sending_order)
    acting = [m for m in ordered if kind_of(m.record) != RECALL]
    recall_sent = len(acting) < len(ordered)
    if not acting:
        origin = ordered[0]
        return DocumentState(origin.record, _recipients(ordered), origin, RECALL, recall_sent)
    origin = next((m for m in acting if kind_of(m.record) == NEW), acting[0])
    values, kind = origin.record, kind_of(origin.record)
    for message in acting:
        change = kind_of(message.record)
        if message is origin or change == NEW:  # the original sent again changes nothing
            continue
        values = _changed(values, message.record, supersede=change == REPLACE)
        kind = change
    return DocumentState(values, _recipients(ordered), origin, kind, recall_sent)


def _sending_order(message: StoredMessage) -> tuple[datetime, str]:
    return message.record.sent_at or datetime.min, message.key


def _changed(values: DocumentRecord, change: DocumentRecord, supersede: bool) -> DocumentRecord:
    given = change.model_dump(exclude=set(_KEPT_BY_CHANGES))
    if not supersede:
        given = {name: value for name, value in given.items() if value not in (None, ())}
    given["flags"] = tuple(dict.fromkeys((*values.flags, *change.flags)))
    updated: dict[str, Any] = {**values.model_dump(), **given}
    return DocumentRecord.model_validate(updated)


def _recipients(messages: list[StoredMessage]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r for m in messages for r in m.record.recipient_ids))
