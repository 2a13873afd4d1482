"""Periods a metric is measured over: a calendar year, or a year to date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from checker.errors import ConfigError
from checker.i18n import _


@dataclass(frozen=True)
class Period:
    """Days from ``start`` to ``end``, both included. ``later_steps``: the documents' steps
    done after ``end`` count too, as they do for a whole calendar year (:attr:`steps_until`)."""

    start: date
    end: date
    later_steps: bool = False

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def year_to_date(cls, as_of: date) -> Period:
        return cls(date(as_of.year, 1, 1), as_of)

    @classmethod
    def of(cls, year: int | None, as_of: date | None) -> Period:
        """``--as-of`` gives the year to that date; otherwise the whole ``year``."""
        if as_of is not None:
            return cls.year_to_date(as_of)
        if year is None:
            raise ValueError("a period needs a year or an as-of date")
        return cls.year(year)

    @property
    def steps_until(self) -> date | None:
        """The last day a document's own later steps (registration, assignment,
        acknowledgements, submission, refusal, recall) count on: the period's end when it is
        an as-of day, before the year's last; None for a whole calendar year, whose documents'
        steps count whenever they come (a document that arrived on 31 December and was
        registered on 2 January was registered, in the year it arrived), or when
        ``later_steps`` says so."""
        if self.later_steps:
            return None
        if self.start == date(self.start.year, 1, 1) and self.end == date(self.start.year, 12, 31):
            return None
        return self.end

    def label(self) -> str:
        if (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31):
            return str(self.start.year)
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


EARLIEST_YEAR = 2000
"""No period starts before this year: electronic records work, and its logs, came later."""


def measurable_period(year: int | None, as_of: date | None, today: date) -> Period:
    """The period of a whole ``year``, or of the year to ``as_of`` (to ``today`` when neither
    is given), if it can be measured on ``today``: from ``EARLIEST_YEAR`` on, and over by
    today (the current year is measured to date)."""
    if year is not None and as_of is not None:
        raise ConfigError(_("give either a year or an as-of date, not both"))
    if year is None:
        return Period.year_to_date(measurable_day(today if as_of is None else as_of, today))
    _check_year(year)
    if year > today.year:
        message = _("the year {year} has not begun yet (today is {today})")
        raise ConfigError(message.format(year=year, today=today.isoformat()))
    if year == today.year:
        message = _(
            "the year {year} is not over yet: measure it to date "
            "(--as-of {today}, or neither --year nor --as-of)"
        )
        raise ConfigError(message.format(year=year, today=today.isoformat()))
    return Period.year(year)


def measurable_day(day: date, today: date) -> date:
    """``day`` if checker can judge on it on ``today``: from ``EARLIEST_YEAR`` on, not after
    today (an as-of date, the day deadlines are judged on)."""
    _check_year(day.year)
    if day > today:
        message = _("the as-of date {day} is after today ({today})")
        raise ConfigError(message.format(day=day.isoformat(), today=today.isoformat()))
    return day


def assessable_year(year: int, today: date) -> int:
    """``year`` if a scorecard can be kept for it on ``today``: from ``EARLIEST_YEAR`` to the
    current year (whose scorecards are pre-filled from a year-to-date run)."""
    _check_year(year)
    if year > today.year:
        message = _("the year {year} has not begun yet (today is {today})")
        raise ConfigError(message.format(year=year, today=today.isoformat()))
    return year


def _check_year(year: int) -> None:
    if year < EARLIEST_YEAR:
        message = _("the year {year} is before {earliest}, the earliest year checker measures")
        raise ConfigError(message.format(year=year, earliest=EARLIEST_YEAR))
