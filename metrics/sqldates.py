"""Date arithmetic in SQL, giving the same dates on SQLite and PostgreSQL.

Deadlines are computed in the database so that an aggregate over every agency needs no
Python loop. Each construct here compiles to each dialect's own date functions:

- :func:`add_months`: the same day ``n`` months later; when that month has no such day, its
  last day. 31 Jan + 1 month is 28 Feb (29 Feb in a leap year); 29 Feb 2024 + 12 months is
  28 Feb 2025. This is how the Civil Code (91/2015/QH13, Art. 148) ends a period counted in
  months or years.
- :func:`end_of_next_year`: 31 December of the year (or the n-th year) after the day's year.
- :func:`days_between`: whole days from one day to another, negative when the second comes
  first.

What each database does at month ends, and why :func:`add_months` differs between them:

- PostgreSQL clamps: ``DATE '2025-01-31' + INTERVAL '1 month'`` is 2025-02-28 00:00, so
  ``CAST(... AS DATE)`` is the rule above as it stands.
- SQLite overflows: ``date('2025-01-31', '+1 month')`` normalises 2025-02-31 to 2025-03-03.
  (SQLite 3.46 added a ``floor`` modifier for this; older versions, which we still meet, do
  not have it.) So on SQLite we take the earlier of that date and the last day of the target
  month, ``date(x, 'start of month', '+(n+1) months', '-1 day')``: the two agree except when
  the day overflows, and then the last day of the month is the right answer.

Only SQLite and PostgreSQL are supported; other dialects render ``add_months(...)`` and the
like as plain function calls, which their databases will not know. Dates on SQLite are the
ISO text SQLAlchemy stores (``YYYY-MM-DD``), which its date functions read and which compare
correctly as text.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Date, Integer, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class _AddMonths(FunctionElement[date]):
    """``add_months(day, n)``; ``n`` is held as a literal column so that it is part of the
    statement's cache key and can be written into the SQL text."""

    type = Date()
    name = "add_months"
    inherit_cache = True


class _EndOfNextYear(FunctionElement[date]):
    """``end_of_next_year(day, n)``: 31 December of the ``n``-th year after ``day``'s year;
    ``n`` is a literal column, as for :class:`_AddMonths`."""

    type = Date()
    name = "end_of_next_year"
    inherit_cache = True


class _DaysBetween(FunctionElement[int]):
    type = Integer()
    name = "days_between"
    inherit_cache = True


def add_months(day: ColumnElement[date], months: int) -> ColumnElement[date]:
    """The same day ``months`` later, or the last day of that month when it has no such day."""
    return _AddMonths(day, literal_column(str(int(months))))


def end_of_next_year(day: ColumnElement[date], years: int = 1) -> ColumnElement[date]:
    """31 December of the year after ``day``'s year (``years`` after it: "within 5 years
    from the year" of a day in 2025 ends on 31 December 2030)."""
    return _EndOfNextYear(day, literal_column(str(int(years))))


def days_between(start: ColumnElement[date], end: ColumnElement[date]) -> ColumnElement[int]:
    """Whole days from ``start`` to ``end`` (``end - start``)."""
    return _DaysBetween(start, end)


def _argument(element: FunctionElement[Any], index: int, compiler: SQLCompiler, **kw: Any) -> str:
    """The SQL of one argument; called once per use, so bound parameters stay in step."""
    return compiler.process(element.clauses.clauses[index], **kw)


def _months(element: FunctionElement[Any]) -> int:
    return int(element.clauses.clauses[1].name)


@compiles(_AddMonths, "sqlite")
def _add_months_sqlite(element: _AddMonths, compiler: SQLCompiler, **kw: Any) -> str:
    months = _months(element)
    shifted = f"date({_argument(element, 0, compiler, **kw)}, '{months:+d} months')"
    month_end = (
        f"date({_argument(element, 0, compiler, **kw)}, 'start of month', "
        f"'{months + 1:+d} months', '-1 day')"
    )
    return f"min({shifted}, {month_end})"


@compiles(_AddMonths, "postgresql")
def _add_months_postgresql(element: _AddMonths, compiler: SQLCompiler, **kw: Any) -> str:
    day = _argument(element, 0, compiler, **kw)
    return f"CAST({day} + INTERVAL '{_months(element)} months' AS DATE)"


@compiles(_EndOfNextYear, "sqlite")
def _end_of_next_year_sqlite(element: _EndOfNextYear, compiler: SQLCompiler, **kw: Any) -> str:
    day = _argument(element, 0, compiler, **kw)
    return f"date({day}, 'start of year', '+{_months(element) + 1} years', '-1 day')"


@compiles(_EndOfNextYear, "postgresql")
def _end_of_next_year_postgresql(element: _EndOfNextYear, compiler: SQLCompiler, **kw: Any) -> str:
    day = _argument(element, 0, compiler, **kw)
    return f"make_date(CAST(EXTRACT(YEAR FROM {day}) AS INTEGER) + {_months(element)}, 12, 31)"


@compiles(_DaysBetween, "sqlite")
def _days_between_sqlite(element: _DaysBetween, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (_argument(element, i, compiler, **kw) for i in (0, 1))
    return f"CAST(julianday({end}) - julianday({start}) AS INTEGER)"


@compiles(_DaysBetween, "postgresql")
def _days_between_postgresql(element: _DaysBetween, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (_argument(element, i, compiler, **kw) for i in (0, 1))
    return f"(CAST({end} AS DATE) - CAST({start} AS DATE))"
