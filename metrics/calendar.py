"""Working days in Vietnam: which dates count when a rule says "the same day, at the latest
the next working day".

A working day is Monday to Friday, minus public holidays, adjusted by the deployment's
per-year overrides. Public holidays come from the ``holidays`` package's Vietnam calendar
(Labour Code 2019 Art. 112), which already gives:

- 1 Jan; five days of lunar New Year (eve to the 4th day; when some fall on a weekend, the
  package adds substitute days next to the block: Saturday to the previous workday, Sunday
  to the next); Hung Kings day (10/3 lunar); 30 Apr; 1 May; 2 Sep and its adjacent day
  (since 2021); 24 Nov, Vietnam Cultural Day (since 2026);
- a holiday that falls on Saturday or Sunday moves to the next workday ("observed" days);
- some official day swaps: the weekday given off (e.g. 2 May 2025) and the Saturday worked in
  exchange (26 Apr 2025). Both halves are honoured here.

The deployment adds what the package does not know, in its ``[calendar]`` table
(:class:`CalendarOverrides`): ``extra_days_off`` (day swaps, extra Tết days) and
``working_days`` (make-up working Saturdays). The overrides win over the package.

A document arriving (or signed) on a day off is due at the latest on the next working day
after that day (Decree 30/2020/NĐ-CP Art. 22: a Saturday arrival is due on Monday). A city
may read it more leniently, ``lenient_day_off = true``: the document counts as arriving on
the next working day, and is due the working day after (Tuesday). That is a departure from
the text, chosen by the deployment.

The package knows the years 1901-2100; outside them only weekends and overrides count.

Timestamps are compared by their date in Vietnam (:func:`local_date`): an aware datetime is
converted, a naive one is taken as Vietnam local time already, as the store keeps them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import holidays
from pydantic import BaseModel, ConfigDict, model_validator

from checker.clock import local_date
from checker.errors import ConfigError
from checker.i18n import _

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


class CalendarOverrides(BaseModel):
    """The deployment's ``[calendar]`` table: the year's official changes to working days."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    extra_days_off: list[date] = []
    working_days: list[date] = []
    lenient_day_off: bool = False
    """A document arriving on a day off may be handled up to the working day after the next
    working day (Saturday → Tuesday): a departure from Decree 30 Art. 22, off by default."""

    @model_validator(mode="after")
    def _no_date_in_both(self) -> CalendarOverrides:
        _check_disjoint(self.extra_days_off, self.working_days)
        return self


def _check_disjoint(days_off: Iterable[date], working: Iterable[date]) -> None:
    both = sorted(set(days_off) & set(working))
    if both:
        listed = ", ".join(d.isoformat() for d in both)
        message = _(
            "[calendar]: {dates} is in both extra_days_off and working_days; "
            "keep each date in one list"
        )
        raise ConfigError(message.format(dates=listed))


@dataclass(frozen=True)
class _Year:
    """One year's exceptions to "Monday to Friday": weekdays off, weekend days worked."""

    weekdays_off: frozenset[date]
    weekends_worked: frozenset[date]


@dataclass(frozen=True, init=False)
class WorkingCalendar:
    """Vietnam's working days with the deployment's overrides; cheap to query per row."""

    extra_days_off: frozenset[date] = frozenset()
    working_days: frozenset[date] = frozenset()
    lenient_day_off: bool = False
    _years: dict[int, _Year] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __init__(
        self,
        extra_days_off: Iterable[date] = (),
        working_days: Iterable[date] = (),
        lenient_day_off: bool = False,
    ) -> None:
        off, worked = frozenset(extra_days_off), frozenset(working_days)
        _check_disjoint(off, worked)
        object.__setattr__(self, "extra_days_off", off)
        object.__setattr__(self, "working_days", worked)
        object.__setattr__(self, "lenient_day_off", lenient_day_off)
        object.__setattr__(self, "_years", {})

    @classmethod
    def from_overrides(cls, overrides: CalendarOverrides) -> WorkingCalendar:
        return cls(overrides.extra_days_off, overrides.working_days, overrides.lenient_day_off)

    def days_off(self, year: int) -> frozenset[date]:
        """Monday-to-Friday dates of ``year`` that are not working days (weekends left out)."""
        return self._year(year).weekdays_off

    def weekend_working_days(self, year: int) -> frozenset[date]:
        """Saturdays and Sundays of ``year`` that are working days (make-up days)."""
        return self._year(year).weekends_worked

    def is_working_day(self, d: date) -> bool:
        year = self._year(d.year)
        if d.weekday() >= _SATURDAY:
            return d in year.weekends_worked
        return d not in year.weekdays_off

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        d += _ONE_DAY
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``; 0 when ``end <= start``.

        ``working_days_between(arrival, submitted) == 3`` reads "submitted 3 working days
        after arrival".
        """
        if end <= start:
            return 0
        count = _weekdays_up_to(end) - _weekdays_up_to(start)
        for year in range(start.year, end.year + 1):
            exceptions = self._year(year)
            count -= sum(1 for d in exceptions.weekdays_off if start < d <= end)
            count += sum(1 for d in exceptions.weekends_worked if start < d <= end)
        return count

    def same_day(self, a: datetime, b: datetime) -> bool:
        """Whether ``a`` and ``b`` fall on the same date in Vietnam."""
        return local_date(a) == local_date(b)

    def deadlines(self, start: date) -> tuple[date, date]:
        """The deadlines counted from ``start`` (an arrival, a signing): "the same day" and
        "at the latest the next working day".

        On a working day: that day and the working day after it. On a day off: the next
        working day for both (Decree 30 Art. 22: a Saturday arrival is due on Monday); with
        ``lenient_day_off``, that day and the working day after it (Monday and Tuesday).
        """
        if self.is_working_day(start):
            return start, self.next_working_day(start)
        first = self.next_working_day(start)
        return first, self.next_working_day(first) if self.lenient_day_off else first

    def deadline(self, arrival: date) -> date:
        """The last day that is still "the same day, at the latest the next working day"."""
        return self.deadlines(arrival)[1]

    def within_next_working_day(self, arrival: datetime, done: datetime) -> bool:
        """Whether ``done`` keeps "the same day, at the latest the next working day".

        Dates are Vietnam dates (:func:`local_date`). A document that arrives on a weekend or
        a holiday is due on the first working day after it (:meth:`deadlines`): a document
        arriving on a Saturday may be handled up to the Monday of an ordinary week (Tuesday
        with ``lenient_day_off``). ``done`` earlier than
        ``arrival`` counts as in time; flagging such records is the caller's business.
        """
        return local_date(done) <= self.deadline(local_date(arrival))

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is None:
            cached = self._years[year] = self._build_year(year)
        return cached

    def _build_year(self, year: int) -> _Year:
        public = holidays.country_holidays("VN", years=year)
        off = {d for d in public if d.year == year}
        off |= {d for d in self.extra_days_off if d.year == year}
        worked = {d for d in public.weekend_workdays if d.year == year} - off
        worked |= {d for d in self.working_days if d.year == year}
        off -= self.working_days
        return _Year(
            weekdays_off=frozenset(d for d in off if d.weekday() < _SATURDAY),
            weekends_worked=frozenset(d for d in worked if d.weekday() >= _SATURDAY),
        )


def _weekdays_up_to(d: date) -> int:
    """Mondays to Fridays from an arbitrary fixed Monday up to ``d``, a running count."""
    weeks, weekday = divmod(d.toordinal() - 1, 7)  # ordinal 1 (0001-01-01) is a Monday
    return weeks * 5 + min(weekday + 1, 5)
