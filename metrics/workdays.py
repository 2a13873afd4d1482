"""Working days in SQL: the ``calendar_day`` table, and the deadlines read from it.

The rule "the same day, at the latest the next working day" (``metrics.calendar``) is
applied in the database so that one aggregate measures every agency. The deployment's
:class:`~metrics.calendar.WorkingCalendar` is written as one row per day, before measuring,
for the period's years and the year after (:func:`write_period_calendar`):

- ``working``: whether the day is a working day;
- ``working_index``: the working days from :data:`ORIGIN` up to and including the day
  (negative before it). The working days after ``a`` up to ``b`` are
  ``index(b) - index(a)``; a day off carries the index of the working day before it.
- ``same_day``: the first working day on or after the day, and ``next_day``: the working
  day after it, or for a day off the first working day after it as well (a Saturday
  arrival is due on Monday; ``WorkingCalendar.deadlines``). These are the deadlines counted
  from the day (:class:`Deadlines`), kept among each document's facts.

Measuring checks first that the stored rows are the calendar it was given
(:func:`check_calendar_days`), so the SQL and the reasons computed in Python always use the
same days.

Timestamps are compared by their Vietnam date (:class:`local_day`): the store keeps naive
Vietnam local times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Connection, Date, delete, insert, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import FromClause

from checker.errors import StorageError
from checker.store.derived import mark_days_stale
from checker.store.models import CALENDAR_DAY
from metrics.calendar import WorkingCalendar
from metrics.period import Period

ORIGIN = date(2000, 1, 1)
"""Day 0 of ``working_index``; any fixed day would do, this one keeps the numbers small."""

_ONE_DAY = timedelta(days=1)


def calendar_range(period: Period) -> tuple[date, date]:
    """The days measuring ``period`` needs: its years and the year after (deadlines of the
    last days of a year fall in the next one)."""
    return date(period.start.year, 1, 1), date(period.end.year + 1, 12, 31)


def calendar_days(calendar: WorkingCalendar, first: date, last: date) -> list[dict[str, Any]]:
    """The rows of ``calendar_day`` from ``first`` to ``last``, both included."""
    index = _working_index(calendar, first - _ONE_DAY)
    rows = []
    day = first
    while day <= last:
        working = calendar.is_working_day(day)
        index += working
        same_day, next_day = calendar.deadlines(day)
        rows.append(
            {
                "day": day,
                "working": working,
                "working_index": index,
                "same_day": same_day,
                "next_day": next_day,
            }
        )
        day += _ONE_DAY
    return rows


def _working_index(calendar: WorkingCalendar, day: date) -> int:
    if day >= ORIGIN:
        return calendar.working_days_between(ORIGIN, day)
    return -calendar.working_days_between(day, ORIGIN)


def write_calendar_days(
    connection: Connection, calendar: WorkingCalendar, first: date, last: date
) -> None:
    """Replace the rows of ``calendar_day`` from ``first`` to ``last`` with ``calendar``'s.
    The documents whose deadlines start from a day whose deadlines changed (or were not
    stored) are marked stale (``checker.store.derived``)."""
    days = calendar_days(calendar, first, last)
    stored = dict(_stored_deadlines(connection, first, last))
    changed = [d["day"] for d in days if stored.get(d["day"]) != (d["same_day"], d["next_day"])]
    connection.execute(
        delete(CALENDAR_DAY).where(CALENDAR_DAY.c.day >= first, CALENDAR_DAY.c.day <= last)
    )
    connection.execute(insert(CALENDAR_DAY), days)
    if changed:
        mark_days_stale(connection, min(changed), max(changed))


def _stored_deadlines(
    connection: Connection, first: date, last: date
) -> list[tuple[date, tuple[date, date]]]:
    day = CALENDAR_DAY.c
    query = select(day.day, day.same_day, day.next_day).where(day.day >= first, day.day <= last)
    return [(row.day, (row.same_day, row.next_day)) for row in connection.execute(query)]


def write_period_calendar(
    connection: Connection, calendar: WorkingCalendar, period: Period
) -> None:
    """Write the days measuring ``period`` needs (:func:`calendar_range`)."""
    write_calendar_days(connection, calendar, *calendar_range(period))


def check_calendar_days(
    connection: Connection, calendar: WorkingCalendar, first: date, last: date
) -> None:
    """Raise unless ``calendar_day`` holds exactly ``calendar``'s days from ``first`` to
    ``last``: measuring on missing or stale days would give wrong deadlines silently."""
    query = (
        select(CALENDAR_DAY)
        .where(CALENDAR_DAY.c.day >= first, CALENDAR_DAY.c.day <= last)
        .order_by(CALENDAR_DAY.c.day)
    )
    stored = [dict(row) for row in connection.execute(query).mappings()]
    if stored != list(_expected_days(calendar, first, last)):
        raise StorageError(
            f"the working-day calendar stored for {first.isoformat()}..{last.isoformat()} "
            "is missing or is not the deployment's: write it with "
            "metrics.workdays.write_period_calendar before measuring"
        )


@lru_cache(maxsize=8)
def _expected_days(
    calendar: WorkingCalendar, first: date, last: date
) -> tuple[dict[str, Any], ...]:
    """:func:`calendar_days`, worked out once for a calendar and range however many times
    the store is checked against them (the site checks it for every batch of evidence); the
    rows are only compared, never changed."""
    return tuple(calendar_days(calendar, first, last))


class _LocalDay(FunctionElement[date]):
    type = Date()
    name = "local_day"
    inherit_cache = True


def local_day(timestamp: ColumnElement[Any]) -> ColumnElement[date]:
    """The date of a timestamp column (naive Vietnam local time), on every database."""
    return _LocalDay(timestamp)


@compiles(_LocalDay, "sqlite")
def _local_day_sqlite(element: _LocalDay, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(_LocalDay)
def _local_day_default(element: _LocalDay, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS DATE)"


@dataclass(frozen=True)
class Deadlines:
    """The deadlines counted from a start day (arrival, signing): its calendar row.

    ``same_day`` is the first working day on or after the start day: a document arriving on a
    day off counts as arriving then. ``next_day`` is the working day after it. Both are NULL
    when the start day is NULL or outside the stored calendar.
    """

    start: FromClause

    @classmethod
    def alias(cls) -> Deadlines:
        return cls(CALENDAR_DAY.alias("start_day"))

    def join(self, source: FromClause, start_day: ColumnElement[date]) -> FromClause:
        """``source`` left-joined to the calendar row of its ``start_day``."""
        return source.outerjoin(self.start, self.start.c.day == start_day)

    @property
    def same_day(self) -> ColumnElement[date]:
        day: ColumnElement[date] = self.start.c.same_day
        return day

    @property
    def next_day(self) -> ColumnElement[date]:
        day: ColumnElement[date] = self.start.c.next_day
        return day
