"""One document, several systems: observations reconciled into one document row.

A document reaches the store through the axis (edXML messages, ``checker.store.loader``),
through its agency's document-management API and through its register export
(``checker.store.upsert``). Each writer hands what its system says as *observations*
(``document_source``: one per system, organisation, direction and the system's own key) to
:func:`write_observations`, which puts the observations of one document together, writes
them with the document they belong to, and writes the one ``document`` row that metrics
count:

- **Identity** (``checker.store.identity``): observations of one organisation and direction
  are one document when their DocumentIds agree, or, when one of them has none, when the
  sender, number and notation and promulgation date agree (with exactly one DocumentId
  behind that code: a code carried by two DocumentIds is left alone, as is an observation
  with neither key). Organisation codes (the sender in the code key, the organisation an
  observation belongs to) are read through the agency registry stored: an agency's
  alternative code is its main code, so its copies seen under either are one document; a
  registry whose codes change has the observations it reads otherwise written again
  (:func:`rekey`, called by ``checker.store.registry``).
- **Values**: each lifecycle time from the system that knows it: the moments a document
  crossed the axis (arrival, issue) from edXML, then the software, then the register; the
  agency's own steps (registration, submission, assignment, signing, filing) from the
  software, then the register. What the document says (sender, code, subject, priority,
  recipients) from edXML first. ``field_sources`` keeps, per lifecycle time, the system it
  came from; ``sources`` every system that saw the document.
- **Disagreements**: when two systems give a lifecycle time on different days, every value
  is kept in ``disagreements`` (JSON, shown by evidence: ``metrics.evidence``).
- The document's ``doc_key`` (what statuses answer) is the DocumentId edXML carried, else
  the one the software carried, else the first system's own key; an observation keeps it as
  ``document_key``, so a document whose key changes (the software's record first, the axis
  message later) leaves no row behind.

An observation read again with the values stored is not written again. Only the
observations related to the ones written are read (by key, in chunks of 500; of
the organisations and directions written; keys and links first, whole rows only for the
observations not being written): the work is proportional to what a batch touched, never to
the store (``benchmarks/reconcile.py``). The result depends only on the
set of observations, not on the order they were written in.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from itertools import zip_longest
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, bindparam, delete, or_, select, update

from checker.store.bulk import upsert
from checker.store.derived import mark_stale
from checker.store.identity import Registered, code_key, id_key, organisation, registered
from checker.store.models import AGENCY_CODE, DOCUMENT, DOCUMENT_SOURCE

EDXML, DMS, REGISTER = "edxml", "dms", "register"
KINDS = (EDXML, DMS, REGISTER)

AXIS_FIRST = (EDXML, DMS, REGISTER)
SOFTWARE_FIRST = (DMS, REGISTER, EDXML)

LIFECYCLE = ("arrived_at", "registered_at", "submitted_at", "assigned_at", "signed_at", "issued_at")
"""The lifecycle times, each taken from the system that knows it and compared across them."""

_SOFTWARE_FIELDS = {
    "registered_at",
    "submitted_at",
    "assigned_at",
    "signed_at",
    "digitally_signed",
    "file_code",
    "updated_at",
    "external_id",
    "arrival_number",
}
"""What the agency's own software knows best; everything else the axis first."""

OBSERVATION_KEY = ("source_key", "kind", "direction", "organ_id")
DOCUMENT_KEY = ("doc_key", "direction", "organ_id")

VALUE_COLUMNS = tuple(
    c.name for c in DOCUMENT_SOURCE.c if c.name in DOCUMENT.c and c.name not in ("id", "doc_date")
)
_DEFAULTS: dict[str, Any] = {
    "recipients": "",
    "flags": "",
    "priority": 0,
    "business_type": 0,
    "recall_sent": False,
    "recalled": False,
}
_CHUNK = 500


def observation(
    row: dict[str, Any], kind: str, source_key: str, document_id: str | None
) -> dict[str, Any]:
    """The observation row of a document row (``row``: the columns of ``document`` a writer
    knows), with its identity keys (``document_id``: the DocumentId the system knows)."""
    values = {name: row.get(name, _DEFAULTS.get(name)) for name in VALUE_COLUMNS}
    values["doc_date"] = row.get("doc_date")
    values["kind"], values["source_key"] = kind, source_key
    values["id_key"] = id_key(document_id)
    values["code_key"] = code_key(row["sender_id"], row.get("code"), row.get("promulgation_date"))
    return values


def write_observations(
    connection: Connection, rows: Sequence[dict[str, Any]], *, again: bool = False
) -> None:
    """Store ``rows`` (from :func:`observation`, one per natural key) and work out again the
    document rows of the observations written and of every observation they may be one
    document with. Each observation is written once, with the document it belongs to.
    The code keys are worked out with the registry stored (``checker.store.identity``);
    ``again`` writes even the observations stored with the same values (:func:`rekey`)."""
    codes = registered_codes(connection)
    rows = [_keyed(o, codes) for o in rows]
    if not again:
        rows = _changed(connection, rows)
    if not rows:
        return
    stored = _related(connection, rows, codes)
    written = {_natural(o): o for o in rows}
    before = {_natural(o): o for o in stored}
    others = [o for o in stored if _natural(o) not in written]
    documents: list[dict[str, Any]] = []
    links: dict[tuple[Any, ...], str] = {}
    for group in _groups([*rows, *others], codes):
        document = merged(group)
        documents.append(document)
        links.update((_natural(o), document["doc_key"]) for o in group)
    observed = [{**o, "document_key": links[key]} for key, o in written.items()]
    upsert(connection, DOCUMENT_SOURCE, observed, OBSERVATION_KEY)
    moved = [
        {"row_id": o["id"], "key": links[_natural(o)]}
        for o in others
        if o["document_key"] != links[_natural(o)]
    ]
    if moved:
        connection.execute(
            update(DOCUMENT_SOURCE)
            .where(DOCUMENT_SOURCE.c.id == bindparam("row_id"))
            .values(document_key=bindparam("key")),
            moved,
        )
    new = {tuple(d[k] for k in DOCUMENT_KEY) for d in documents}
    old = {(o["document_key"], o["direction"], o["organ_id"]) for o in before.values()}
    gone = [key for key in old - new if key[0] is not None]
    upsert(connection, DOCUMENT, documents, DOCUMENT_KEY)
    for doc_key, direction, organ_id in gone:
        connection.execute(
            delete(DOCUMENT).where(
                DOCUMENT.c.doc_key == doc_key,
                DOCUMENT.c.direction == direction,
                DOCUMENT.c.organ_id == organ_id,
            )
        )
    mark_stale(connection, [key[0] for key in (*new, *gone)])


def registered_codes(connection: Connection) -> dict[str, str]:
    """The registry stored (``agency_code``) as ``checker.store.identity`` reads codes."""
    return registered(connection.execute(select(AGENCY_CODE.c.code, AGENCY_CODE.c.agency_code)))


def rekey(connection: Connection, before: Registered) -> int:
    """Work out again, with the registry now stored, the observations whose sender or
    organisation the registry in force ``before`` read otherwise, with every observation of
    the documents they were part of; returns how many were written. The codes the
    observations carry are read once (distinct, in SQL); only the observations carrying a
    code read otherwise are then read and written."""
    codes = registered_codes(connection)
    c = DOCUMENT_SOURCE.c
    carried = set(connection.scalars(select(c.sender_id).distinct()))
    carried |= set(connection.scalars(select(c.organ_id).distinct()))
    moved = {
        code for code in carried if code and organisation(code, before) != organisation(code, codes)
    }
    touched: set[int] = set()
    documents: set[str] = set()
    ordered = sorted(moved)
    for start in range(0, len(ordered), _CHUNK):
        part = ordered[start : start + _CHUNK]
        carrying = or_(c.sender_id.in_(part), c.organ_id.in_(part))
        for row_id, document_key in connection.execute(
            select(c.id, c.document_key).where(carrying)
        ):
            touched.add(row_id)
            if document_key is not None:
                documents.add(document_key)
    for condition in _chunks(c.document_key, documents):
        touched.update(connection.execute(select(c.id).where(condition)).scalars())
    for condition in _chunks(c.id, touched):
        rows = connection.execute(select(DOCUMENT_SOURCE).where(condition)).mappings()
        write_observations(connection, [_as_written(dict(row)) for row in rows], again=True)
    return len(touched)


_WRITTEN = (*VALUE_COLUMNS, "doc_date", "kind", "source_key", "id_key", "code_key")


def _as_written(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored observation as :func:`observation` gives it."""
    return {name: stored[name] for name in _WRITTEN}


def _keyed(o: dict[str, Any], codes: Registered) -> dict[str, Any]:
    """The observation ``o`` with its code key read through the registry's ``codes``."""
    return {**o, "code_key": code_key(o["sender_id"], o["code"], o["promulgation_date"], codes)}


def _part(o: Any, codes: Registered) -> tuple[str, str]:
    """The direction and agency an observation belongs to: one document is never
    two agencies' nor both directions', and an agency is one whichever code it was seen by."""
    return o["direction"], organisation(o["organ_id"], codes)


_natural = itemgetter(*OBSERVATION_KEY)
"""An observation's natural key."""

_COMPARED = (*(n for n in VALUE_COLUMNS if n != "fetched_at"), "doc_date", "id_key", "code_key")
"""What makes an observation read again different from the stored one (not when)."""


def _changed(connection: Connection, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The observations of ``rows`` not stored yet, or stored with other values: a source
    read again (a sync's lookback window) rewrites nothing it already said."""
    c = DOCUMENT_SOURCE.c
    columns = [c[name] for name in (*OBSERVATION_KEY, *_COMPARED)]
    stored: dict[tuple[Any, ...], Any] = {}
    for condition in _chunks(c.source_key, {o["source_key"] for o in rows}):
        for row in connection.execute(select(*columns).where(condition)).mappings():
            stored[_natural(row)] = row
    return [o for o in rows if not _same(o, stored.get(_natural(o)))]


def _same(row: dict[str, Any], stored: Any) -> bool:
    return stored is not None and all(row[name] == stored[name] for name in _COMPARED)


_NARROW = (*OBSERVATION_KEY, "id", "id_key", "code_key", "document_key")


def _related(
    connection: Connection, written: Sequence[dict[str, Any]], registry: Registered
) -> list[dict[str, Any]]:
    """The stored observations sharing a key with ``written`` (their own stored versions
    among them), and those sharing a key with them, until nothing new is found (one round in
    practice). Read narrow first (keys and links); whole only for the observations not being
    written, whose values the documents need."""
    c = DOCUMENT_SOURCE.c
    narrow = [c[name] for name in _NARROW]
    found: dict[int, dict[str, Any]] = {}
    conditions = list(_chunks(c.source_key, {o["source_key"] for o in written}))
    ids = {o["id_key"] for o in written} - {None}
    codes = {o["code_key"] for o in written} - {None}
    conditions += _either(ids, codes)
    # observations of other organisations or the other direction are never one document
    # with these: their rows are left alone
    parts = {_part(o, registry) for o in written}
    while conditions:
        for condition in conditions:
            for row in connection.execute(select(*narrow).where(condition)).mappings():
                if _part(row, registry) in parts:
                    found.setdefault(row["id"], dict(row))
        new_ids = {o["id_key"] for o in found.values()} - ids - {None}
        new_codes = {o["code_key"] for o in found.values()} - codes - {None}
        ids |= new_ids
        codes |= new_codes
        conditions = _either(new_ids, new_codes)
    natural = {_natural(o) for o in written}
    whole = sorted(i for i, o in found.items() if _natural(o) not in natural)
    for condition in _chunks(c.id, whole):
        for row in connection.execute(select(DOCUMENT_SOURCE).where(condition)).mappings():
            found[row["id"]] = dict(row)
    return list(found.values())


def _either(ids: set[str], codes: set[str]) -> list[Any]:
    """Conditions finding the observations with one of ``ids`` or of ``codes``, a chunk of
    each per statement."""
    c = DOCUMENT_SOURCE.c
    id_chunks, code_chunks = list(_chunks(c.id_key, ids)), list(_chunks(c.code_key, codes))
    pairs = zip_longest(id_chunks, code_chunks)
    return [or_(*(cond for cond in pair if cond is not None)) for pair in pairs]


def _chunks(column: Any, values: Iterable[Any]) -> Iterator[Any]:
    ordered = sorted(values)
    for start in range(0, len(ordered), _CHUNK):
        yield column.in_(ordered[start : start + _CHUNK])


def _groups(
    observations: list[dict[str, Any]], codes: Registered
) -> Iterator[list[dict[str, Any]]]:
    """The observations of each document, per agency (``codes``) and direction."""
    parts: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for o in observations:
        parts[_part(o, codes)].append(o)
    for part in parts.values():
        by_id: dict[str, list[dict[str, Any]]] = defaultdict(list)
        loose: list[dict[str, Any]] = []
        for o in part:
            (by_id[o["id_key"]] if o["id_key"] else loose).append(o)
        ids_of_code: dict[str, set[str]] = defaultdict(set)
        for key, members in by_id.items():
            for member in members:
                if member["code_key"]:
                    ids_of_code[member["code_key"]].add(key)
        by_code: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for o in loose:
            behind = ids_of_code.get(o["code_key"], set()) if o["code_key"] else set()
            if len(behind) == 1:
                by_id[next(iter(behind))].append(o)
            elif o["code_key"] and not behind:
                by_code[o["code_key"]].append(o)
            else:  # no key, or a code two DocumentIds carry: a document of its own
                yield [o]
        yield from by_id.values()
        yield from by_code.values()


def _ranked(group: list[dict[str, Any]], order: tuple[str, ...]) -> list[dict[str, Any]]:
    """``group`` in the order of its systems (then its sources, keys and organisation codes:
    one message to two codes of an agency is two observations of one document)."""
    return sorted(
        group,
        key=lambda o: (order.index(o["kind"]), o["source"], o["source_key"], o["organ_id"]),
    )


def merged(group: list[dict[str, Any]]) -> dict[str, Any]:
    """The document row of one document's observations."""
    if len(group) == 1:
        return _alone(group[0])
    axis_first, software_first = _ranked(group, AXIS_FIRST), _ranked(group, SOFTWARE_FIRST)
    main = axis_first[0]
    row: dict[str, Any] = {}
    for name in VALUE_COLUMNS:
        ranked = software_first if name in _SOFTWARE_FIELDS else axis_first
        row[name] = next((o[name] for o in ranked if o[name] not in (None, "")), main[name])
    for name in ("source", "locator", "fetched_at", "channel"):
        row[name] = main[name]
    with_id = [o for o in axis_first if o["id_key"]]
    row["doc_key"] = (with_id or axis_first)[0]["doc_key"]
    row["recipients"] = ";".join(
        dict.fromkeys(r for o in axis_first for r in o["recipients"].split(";") if r)
    )
    row["flags"] = "; ".join(dict.fromkeys(f for o in axis_first for f in _flags(o)))
    row["priority"] = main["priority"]
    row["business_type"] = main["business_type"]
    row["recall_sent"] = any(o["recall_sent"] for o in group)
    row["recalled"] = any(o["recalled"] for o in group)
    day = next(
        (row[n] for n in ("arrived_at", "issued_at", "signed_at", "sent_at") if row[n]), None
    )
    row["doc_date"] = day.date() if day else row["promulgation_date"]
    row["sources"] = ";".join(k for k in KINDS if any(o["kind"] == k for o in group))
    row["field_sources"], row["disagreements"] = _provenance(axis_first, software_first)
    return row


def _alone(o: dict[str, Any]) -> dict[str, Any]:
    """The document row of a document one system saw: its observation as it is."""
    row = {name: o[name] for name in VALUE_COLUMNS}
    days = ("arrived_at", "issued_at", "signed_at", "sent_at")
    day = next((row[name] for name in days if row[name]), None)
    row["doc_date"] = day.date() if day else row["promulgation_date"]
    row["sources"] = o["kind"]
    sources = {name: o["kind"] for name in LIFECYCLE if o[name] is not None}
    row["field_sources"] = json.dumps(sources) if sources else None
    row["disagreements"] = None
    return row


def _flags(o: dict[str, Any]) -> list[str]:
    return [f for f in o["flags"].split("; ") if f]


def _provenance(
    axis_first: list[dict[str, Any]], software_first: list[dict[str, Any]]
) -> tuple[str | None, str | None]:
    """Which system each lifecycle time came from, and the times systems disagree on."""
    sources: dict[str, str] = {}
    disagreements = []
    for name in LIFECYCLE:
        ranked = software_first if name in _SOFTWARE_FIELDS else axis_first
        values: dict[str, datetime] = {}
        for o in ranked:
            if o[name] is not None:
                values.setdefault(o["kind"], o[name])
        if not values:
            continue
        sources[name] = next(iter(values))
        if len({value.date() for value in values.values()}) > 1:
            shown = [[kind, value.isoformat(" ", "minutes")] for kind, value in values.items()]
            disagreements.append({"field": name, "values": shown})
    return (
        json.dumps(sources) if sources else None,
        json.dumps(disagreements, ensure_ascii=False) if disagreements else None,
    )


def disagreements_of(text: str | None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The disagreements of a document row: (lifecycle time, [(kind, time), ...])."""
    if not text:
        return []
    return [
        (item["field"], [(kind, value) for kind, value in item["values"]])
        for item in json.loads(text)
    ]
