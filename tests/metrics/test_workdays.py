"""The working-day calendar in SQL: its rows, the deadlines read from them on both
databases, and the checks that keep the stored calendar the deployment's."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import literal, select

from checker.errors import StorageError
from checker.store.models import CALENDAR_DAY
from metrics.calendar import WorkingCalendar
from metrics.measure import measure_all
from metrics.period import Period
from metrics.workdays import (
    ORIGIN,
    Deadlines,
    calendar_days,
    calendar_range,
    check_calendar_days,
    local_day,
    write_calendar_days,
    write_period_calendar,
)

CALENDAR = WorkingCalendar()
FIRST, LAST = date(2025, 1, 1), date(2026, 12, 31)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _stored(connection) -> dict[date, tuple[bool, int]]:
    rows = connection.execute(select(CALENDAR_DAY).order_by(CALENDAR_DAY.c.day))
    return {row.day: (row.working, row.working_index) for row in rows}


def test_index_differences_are_working_days_between(engine):
    with engine.begin() as connection:
        write_calendar_days(connection, CALENDAR, FIRST, LAST)
        stored = _stored(connection)
    days = sorted(stored)
    assert days == _days(FIRST, LAST)
    for a, b in zip(days, days[17:], strict=False):  # every pair 17 days apart
        assert stored[b][1] - stored[a][1] == CALENDAR.working_days_between(a, b)
    assert stored[date(2025, 3, 8)][1] == stored[date(2025, 3, 7)][1]  # a Saturday
    assert stored[date(2025, 4, 26)] == (True, stored[date(2025, 4, 25)][1] + 1)  # make-up


def test_the_index_counts_from_a_fixed_origin_on_both_sides_of_it():
    rows = calendar_days(CALENDAR, date(1999, 12, 20), date(2000, 1, 10))
    index = {row["day"]: row["working_index"] for row in rows}
    assert index[ORIGIN] == 0
    for a, b in zip(index, list(index)[5:], strict=False):
        assert index[b] - index[a] == CALENDAR.working_days_between(a, b)
    # 1 January 2000 was a Saturday: its holiday moved to Monday the 3rd
    assert index[date(2000, 1, 4)] == 1
    assert index[date(1999, 12, 31)] == 0


def test_sql_deadlines_are_the_python_calendar_s_for_every_day(engine):
    """Each day of two years as a start day: the first working day on or after it, and the
    working day after it (for a day off, that first working day again), read from the
    stored rows, against ``WorkingCalendar``."""
    with engine.begin() as connection:
        write_calendar_days(connection, CALENDAR, FIRST, LAST)
        deadlines = Deadlines.alias()
        day = CALENDAR_DAY.alias("each")
        query = select(day.c.day, deadlines.same_day, deadlines.next_day).select_from(
            deadlines.join(day, day.c.day)
        )
        rows = {row[0]: (row[1], row[2]) for row in connection.execute(query)}
    for d in _days(FIRST, date(2026, 12, 20)):
        first = d if CALENDAR.is_working_day(d) else CALENDAR.next_working_day(d)
        assert rows[d] == (first, CALENDAR.deadline(d)), d
    assert rows[date(2025, 1, 29)] == (date(2025, 2, 3), date(2025, 2, 3))  # Tết: Art. 22
    assert rows[date(2025, 12, 31)] == (date(2025, 12, 31), date(2026, 1, 2))


def test_writing_a_range_replaces_that_range_only(engine):
    swapped = WorkingCalendar(extra_days_off=[date(2026, 1, 2)])
    with engine.begin() as connection:
        write_calendar_days(connection, CALENDAR, FIRST, LAST)
        before = _stored(connection)
        write_calendar_days(connection, swapped, date(2026, 1, 1), LAST)
        after = _stored(connection)
    assert {d: v for d, v in after.items() if d.year == 2025} == {
        d: v for d, v in before.items() if d.year == 2025
    }
    assert after[date(2026, 1, 2)] == (False, after[date(2025, 12, 31)][1])
    # the index runs from the same origin, so both writes agree across the boundary
    assert after[date(2026, 1, 5)][1] - after[date(2025, 12, 31)][1] == 1


def test_the_period_needs_its_years_and_the_next_one():
    period = Period.year_to_date(date(2025, 6, 30))
    assert calendar_range(period) == (date(2025, 1, 1), date(2026, 12, 31))


def test_measuring_without_the_calendar_is_refused(engine):
    with engine.begin() as connection, pytest.raises(StorageError) as info:
        measure_all(connection, Period.year(2025), CALENDAR)
    assert str(info.value) == (
        "the working-day calendar stored for 2025-01-01..2026-12-31 is missing or is not "
        "the deployment's: write it with metrics.workdays.write_period_calendar before "
        "measuring"
    )


def test_a_stored_calendar_that_is_not_the_deployment_s_is_refused(engine):
    overridden = WorkingCalendar(extra_days_off=[date(2025, 12, 31)])
    with engine.begin() as connection:
        write_period_calendar(connection, CALENDAR, Period.year(2025))
        check_calendar_days(connection, CALENDAR, FIRST, LAST)
        with pytest.raises(StorageError):
            check_calendar_days(connection, overridden, FIRST, LAST)


def test_local_day_is_the_date_of_a_timestamp_on_every_database(engine):
    with engine.connect() as connection:
        day = connection.scalar(select(local_day(literal(datetime(2025, 3, 3, 23, 59, 59)))))
    assert day == date(2025, 3, 3)
