"""Periods a metric is measured over: a calendar year, or a year to date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Period:
    """Days from ``start`` to ``end``, both included."""

    start: date
    end: date

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

    def label(self) -> str:
        if (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31):
            return str(self.start.year)
        return f"{self.start.isoformat()}..{self.end.isoformat()}"
