"""Facts derived from stored rows and kept in them, and how writers keep them honest.

A document's facts (``fact_*`` in ``checker.store.models``: recalled, refused, first
acknowledgement, every recipient acknowledged...) depend on the document's rows, on the
statuses sent about it, and on the agency registry. ``metrics.facts`` works them out; here
the writers mark the rows whose facts may have changed as stale (facts NULL), so that the
next measuring run works out those rows again and only those.

Every row sharing a ``doc_key`` is marked together: a status sent by one recipient changes
that recipient's incoming row and the sender's "acknowledged by every recipient", and a new
incoming copy changes the sender's row as well. The deadlines among the facts come from the
stored working-day calendar: days written anew mark the rows starting on them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Connection, and_, or_, update

from checker.store.models import DOCUMENT

_CHUNK = 500  # keys per statement: well under every database's bound-parameter limit


def mark_stale(connection: Connection, doc_keys: Iterable[str | None]) -> None:
    """Mark every row of the documents ``doc_keys`` stale (None keys are ignored)."""
    keys = sorted({key for key in doc_keys if key is not None})
    for start in range(0, len(keys), _CHUNK):
        _mark(connection, DOCUMENT.c.doc_key.in_(keys[start : start + _CHUNK]))


def mark_all_stale(connection: Connection) -> None:
    """Mark every document stale: the registry changed, so whose statuses count did too."""
    _mark(connection)


def mark_days_stale(connection: Connection, first: date, last: date) -> None:
    """Mark the documents whose deadlines start from a day from ``first`` to ``last``:
    incoming ones arriving then, outgoing ones signed then."""
    document = DOCUMENT.c
    signed_from = datetime.combine(first, time())
    signed_before = datetime.combine(last + timedelta(days=1), time())
    starting = or_(
        and_(document.direction == "in", document.doc_date.between(first, last)),
        and_(
            document.direction == "out",
            document.signed_at >= signed_from,
            document.signed_at < signed_before,
        ),
    )
    _mark(connection, starting)


def _mark(connection: Connection, *conditions: ColumnElement[bool]) -> None:
    """Mark the rows meeting ``conditions`` stale (those stale already are left alone)."""
    stale = DOCUMENT.c.fact_recalled
    connection.execute(
        update(DOCUMENT).where(stale.is_not(None), *conditions).values(fact_recalled=None)
    )
