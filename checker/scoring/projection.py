"""Where the year is heading: a measured criterion's value at the end of the year if the agency
keeps its current rate, and the work that can still raise it this year.

How each metric moves between the period's last day and 31 December depends on what it
counts (:data:`MOTION`):

- ``pace``: documents that keep arriving or leaving (inbound, outbound, numbering, documents
  filed). At the current rate the year-end numerator and denominator are today's, scaled by
  the days of the year over the days gone (``n × 365 / days gone``, rounded half up). A ratio
  is then the same as today's; a count rule (documents issued through the axis) grows.
- ``state``: the year's file list and its files (list issued, files opened, metadata): what
  is measured now is what the year closes with unless someone does the work.
- ``deadlines``: transfers to the archives. The files whose deadline falls by 31 December are
  known today (their deadlines follow from the store); the year-end denominator is all of
  them, and at the current rate the same share of the newly due ones arrives on time. What
  was transferred is judged on the period's last day: a transfer dated after it had not
  happened yet.

Whether work today can still count an item already in the denominator (:data:`FIXABLE`): a
document not registered can still be registered; one not acknowledged on the day of arrival
can never be, so for those metrics the work is on the documents still to come this year. A
transfer is on time while its deadline has not passed.

Everything here is pure: counts in, counts out.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Literal

from metrics.catalogue import METRICS

Motion = Literal["pace", "state", "deadlines"]

MOTION: dict[str, Motion] = {
    "inbound.received_axis": "pace",
    "inbound.acknowledged_same_day": "pace",
    "inbound.registered": "pace",
    "inbound.submitted_in_time": "pace",
    "inbound.assigned": "pace",
    "inbound.refused": "pace",
    "outbound.electronic_signed": "pace",
    "outbound.issued_axis": "pace",
    "outbound.issued_in_time": "pace",
    "outbound.acknowledged_all": "pace",
    "outbound.numbering_anomalies": "pace",
    "files.list_issued_on_time": "state",
    "files.opened_electronic": "state",
    "files.documents_filed": "pace",
    "files.metadata_complete": "state",
    "transfers.agency_archive_on_time": "deadlines",
    "transfers.historical_archive_on_time": "deadlines",
    # dossiers keep being returned through the year, on time or not, kept or not
    "onestop.kept_electronic": "pace",
    "onestop.returned_on_time": "pace",
    # the archive held stays; digitising is project work, not a rate to scale
    "digitisation.archive_digitised": "state",
    "digitisation.digitised_in_period": "state",
}
"""How each metric of the catalogue moves to the year's end (a test checks every metric is
here)."""

FIXABLE: frozenset[str] = frozenset(
    {
        "inbound.registered",  # registered late is still registered
        "inbound.assigned",  # assigned late is still assigned
        "outbound.acknowledged_all",  # a recipient may still acknowledge
        "files.opened_electronic",
        "files.documents_filed",
        "files.metadata_complete",
    }
)
"""Metrics whose uncounted items can still be counted by doing the work now. The others are
judged by a moment that has passed (the day of arrival, the day of signing, the channel a
document went by, the cut-off for the file list), so only items still to come can count;
transfers are judged per file by its deadline (see ``deadlines``)."""


@dataclass(frozen=True)
class Pace:
    """How much of the year the period covers: days gone (1 January to its last day) of the
    days of the year."""

    days_gone: int
    days_in_year: int

    @classmethod
    def of(cls, end: date) -> Pace:
        days = 366 if calendar.isleap(end.year) else 365
        return cls((end - date(end.year, 1, 1)).days + 1, days)

    @property
    def over(self) -> bool:
        return self.days_gone >= self.days_in_year

    def year_end(self, count: int) -> int:
        """A count that grows at the same pace to the year's end, rounded half up."""
        if self.over:
            return count
        return math.floor(Fraction(count * self.days_in_year, self.days_gone) + Fraction(1, 2))


@dataclass(frozen=True)
class YearEnd:
    """A metric's numerator and denominator now and at year end at the current rate, in
    "more is better" terms (a count of faults is turned into what was free of them)."""

    motion: Motion
    numerator: int
    denominator: int
    numerator_end: int
    denominator_end: int
    due_counted: int = 0  # deadlines: files due by 31 December counted on time as things stand
    due: int = 0  # deadlines: files due by 31 December


def achieved(metric_id: str, numerator: int, denominator: int) -> tuple[int, int]:
    """Numerator and denominator with "more is better" (as scoring reads them)."""
    if METRICS[metric_id].lower_is_better:
        return max(denominator - numerator, 0), denominator
    return numerator, denominator


def year_end(
    metric_id: str,
    numerator: int,
    denominator: int,
    pace: Pace,
    due_by_year_end: tuple[int, int] | None = None,
) -> YearEnd:
    """The metric at year end if the agency keeps its rate. ``numerator``/``denominator``
    are "more is better" (:func:`achieved`); ``due_by_year_end`` is, for a ``deadlines``
    metric, (counted, due) over the files due by 31 December as the store stands."""
    motion = MOTION[metric_id]
    if motion == "pace":
        end_num, end_den = pace.year_end(numerator), pace.year_end(denominator)
    elif motion == "deadlines" and due_by_year_end is not None:
        counted, due = due_by_year_end
        coming = max(due - denominator, 0)
        kept = _share_of(coming, numerator, denominator)
        end_num, end_den = min(numerator + kept, due), max(due, denominator)
        end_num = max(end_num, counted)
    else:
        end_num, end_den = numerator, denominator
    counted, due = due_by_year_end or (numerator, denominator)
    return YearEnd(motion, numerator, denominator, end_num, end_den, counted, due)


def _share_of(count: int, numerator: int, denominator: int) -> int:
    """``count`` items at the rate ``numerator/denominator``, rounded half up (all of them
    when nothing was due yet: no rate to go by, the best case is shown)."""
    if denominator == 0:
        return count
    return math.floor(Fraction(count * numerator, denominator) + Fraction(1, 2))
