"""Sync cursors: how far each source's endpoint has been read for each agency.

A cursor is written on the same connection, in the same transaction, as the records it
covers, so after any interruption the store holds either both or neither.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from checker.store.models import SYNC_CURSOR


def read_cursor(connection: Connection, source: str, endpoint: str, agency: str) -> str | None:
    query = select(SYNC_CURSOR.c.cursor).where(
        SYNC_CURSOR.c.source == source,
        SYNC_CURSOR.c.endpoint == endpoint,
        SYNC_CURSOR.c.agency == agency,
    )
    return connection.scalar(query)


def read_cursors(connection: Connection, source: str) -> dict[tuple[str, str], str | None]:
    """Every cursor of ``source``, by endpoint and agency: one query for a whole sync."""
    query = select(SYNC_CURSOR.c.endpoint, SYNC_CURSOR.c.agency, SYNC_CURSOR.c.cursor).where(
        SYNC_CURSOR.c.source == source
    )
    return {(endpoint, agency): cursor for endpoint, agency, cursor in connection.execute(query)}


def save_cursor(
    connection: Connection,
    source: str,
    endpoint: str,
    agency: str,
    cursor: str | None,
    when: datetime,
) -> None:
    module = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = module.insert(SYNC_CURSOR).values(
        source=source, endpoint=endpoint, agency=agency, cursor=cursor, updated_at=when
    )
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["source", "endpoint", "agency"],
            set_={"cursor": statement.excluded.cursor, "updated_at": statement.excluded.updated_at},
        )
    )


def forget_cursors(connection: Connection, source: str) -> None:
    """Drop a source's cursors, so its next sync reads everything again (``--full``)."""
    connection.execute(delete(SYNC_CURSOR).where(SYNC_CURSOR.c.source == source))


def read_places(connection: Connection, source: str) -> set[tuple[str, str]]:
    """The (endpoint, agency) pairs of ``source`` whose cursor holds a time: read before,
    with records."""
    query = select(SYNC_CURSOR.c.endpoint, SYNC_CURSOR.c.agency).where(
        SYNC_CURSOR.c.source == source, SYNC_CURSOR.c.cursor.is_not(None)
    )
    return {(row.endpoint, row.agency) for row in connection.execute(query)}
