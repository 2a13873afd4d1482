"""Multi-row inserts and upserts, straight through the database driver.

SQLAlchemy's per-row parameter processing costs more than the database's own work on
ingest-sized batches (measured: 0.35 s of 0.57 s for 35,000 rows on SQLite). Here values
are put in the driver's form once (SQLite keeps times as the ISO text that SQLAlchemy's
``DateTime`` reads back) and the driver's ``executemany`` does the rest. The statements,
``INSERT … ON CONFLICT DO NOTHING`` and ``… ON CONFLICT (key) DO UPDATE SET … = excluded.…``,
read the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Date, DateTime, Table


def insert_new(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys), skipping those whose unique key exists.
    Columns left out take their database default."""
    _execute(connection, table, rows, "ON CONFLICT DO NOTHING")


def upsert(
    connection: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    natural_key: Sequence[str],
    unless_set: str | None = None,
) -> None:
    """Insert ``rows``, or update every other given column of the row with the same natural
    key (only when its column ``unless_set`` is NULL, if given). No two rows may share a
    natural key."""
    if not rows:
        return
    quote = connection.dialect.identifier_preparer.quote
    target = ", ".join(quote(k) for k in natural_key)
    updates = ", ".join(
        f"{quote(k)} = excluded.{quote(k)}" for k in rows[0] if k not in natural_key
    )
    conflict = f"ON CONFLICT ({target}) DO UPDATE SET {updates}"
    if unless_set is not None:
        conflict += f" WHERE {quote(table.name)}.{quote(unless_set)} IS NULL"
    _execute(connection, table, rows, conflict)


def _execute(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]], conflict: str
) -> None:
    if not rows:
        return
    keys = list(rows[0])
    quote = connection.dialect.identifier_preparer.quote
    columns = ", ".join(quote(k) for k in keys)
    if connection.dialect.name == "sqlite":
        marks = ", ".join("?" for _ in keys)
        params: Any = _sqlite_rows(table, keys, rows)
    else:
        marks = ", ".join(f"%({k})s" for k in keys)
        params = list(rows)
    sql = f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks}) {conflict}"
    connection.exec_driver_sql(sql, params)


def _sqlite_rows(table: Table, keys: list[str], rows: Sequence[dict[str, Any]]) -> list[Any]:
    """Rows as tuples in ``keys`` order, with dates and times as the ISO text SQLAlchemy's
    SQLite types write and read. Converted column by column: a value shared by consecutive
    rows (the rows of one document, the fetch time of a batch) is converted once."""
    if not rows:
        return []
    pick = itemgetter(*keys)
    temporal = [i for i, k in enumerate(keys) if isinstance(table.c[k].type, Date | DateTime)]
    if len(keys) == 1:
        return [(_iso(row[keys[0]]),) if temporal else (row[keys[0]],) for row in rows]
    if not temporal:
        return [pick(row) for row in rows]
    columns: list[Any] = list(zip(*map(pick, rows), strict=True))
    for i in temporal:
        columns[i] = _iso_column(columns[i])
    return list(zip(*columns, strict=True))


def _iso_column(values: Sequence[Any]) -> list[Any]:
    texts: list[Any] = []
    append = texts.append
    last: Any = None
    text: Any = None
    for value in values:
        if value is not last:
            last = value
            if value.__class__ is datetime:  # the common case, without a call
                text = value.isoformat(" ", "microseconds")
            else:
                text = _iso(value)
        append(text)
    return texts


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(" ", "microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value
