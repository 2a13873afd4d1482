"""SQL building blocks shared by the document metrics.

A document metric is a pair of conditions on a document seen from one agency: which
documents it is measured over (the denominator) and which of those count (the numerator).
The same conditions drive the aggregate (``metrics.measure``) and the list of documents
behind a number (``metrics.evidence``), so the two can never disagree.

The conditions read a *facts* row (:class:`Facts`), built by each family
(``metrics.inbound``, ``metrics.outbound``): one row per document and agency, with the
document's own columns, what its statuses say (the ``fact_*`` columns worked out by
``metrics.facts``: the day of each step, left out when it came after the period's
as-of day, :func:`done_by`), and its deadlines from the working-day calendar (``metrics.workdays``).
Measuring reads every one of these from the direction's index, never from the table.

The agency registry is applied here, through ``agency_code``: a document belongs to the
agency one of whose codes (main or alternative) it carries. A document sent to several
agencies is one incoming document of each, and one outgoing document of its sender.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    RowMapping,
    Select,
    and_,
    case,
    func,
    literal_column,
    select,
)
from sqlalchemy.sql.selectable import FromClause, Subquery

from checker.i18n import N_, _, ngettext
from checker.store.models import AGENCY_CODE, DOCUMENT
from metrics.calendar import WorkingCalendar
from metrics.period import Period

AGENCY = AGENCY_CODE.c.agency_code
"""The agency a document belongs to, through the code it carries."""


@dataclass(frozen=True)
class Facts:
    """The facts rows of one direction and period."""

    row: Subquery

    def __getitem__(self, name: str) -> ColumnElement[Any]:
        column: ColumnElement[Any] = self.row.c[name]
        return column

    @property
    def source(self) -> FromClause:
        return self.row

    @property
    def same_day(self) -> ColumnElement[date]:
        """The first working day on or after the start day (``metrics.facts``)."""
        return self["same_day"]

    @property
    def next_day(self) -> ColumnElement[date]:
        """The working day after ``same_day``; ``same_day`` itself for a start on a day off."""
        return self["next_day"]

    def due(self) -> ColumnElement[date]:
        """The last day in time: the same working day for urgent documents, else the next."""
        return case((self["priority"] >= 1, self.same_day), else_=self.next_day)


Condition = Callable[[Facts], ColumnElement[bool]]
Reason = Callable[[RowMapping, WorkingCalendar], str]
"""Why a document in the denominator was not counted, from its facts row (with its
``same_day`` and ``next_day``), in plain words."""


@dataclass(frozen=True)
class DocumentMetric:
    """A metric counted over documents of one direction ("in" or "out")."""

    id: str
    direction: str
    population: Condition
    counted: Condition
    population_label: str
    reason: Reason


def direction_is(direction: str) -> ColumnElement[bool]:
    """``document.direction = 'in'``, with the value written into the SQL so the planner
    can choose the direction's partial index (``checker.store.models``)."""
    if direction not in ("in", "out"):
        raise ValueError(f"a direction is 'in' or 'out', not {direction!r}")
    return DOCUMENT.c.direction == literal_column(f"'{direction}'")


def in_period(direction: str, period: Period) -> ColumnElement[bool]:
    """Documents of ``direction`` whose day (arrival or issue) is in ``period``."""
    return and_(
        direction_is(direction),
        DOCUMENT.c.doc_date >= period.start,
        DOCUMENT.c.doc_date <= period.end,
    )


def facts_query(
    direction: str,
    period: Period,
    agency_code: str | None,
    columns: Sequence[ColumnElement[Any]],
    details: Sequence[ColumnElement[Any]] = (),
) -> Select[Any]:
    """The documents of ``direction`` in ``period`` with their agency (only
    ``agency_code``'s when given), one row per document: its channel, priority and
    ``columns`` (the facts its metrics read), all in the direction's index
    (``checker.store.models``). ``details`` adds what evidence shows (code, subject, locator...),
    which the index does not hold."""
    conditions = [in_period(direction, period)]
    if agency_code is not None:
        conditions.append(AGENCY_CODE.c.agency_code == agency_code)
    return (
        select(
            AGENCY.label("agency"),
            DOCUMENT.c.organ_id,
            DOCUMENT.c.doc_date,
            DOCUMENT.c.channel,
            DOCUMENT.c.priority,
            done_by(DOCUMENT.c.fact_recalled_on, period).label("recalled_on"),
            DOCUMENT.c.fact_filed.label("filed"),
            DOCUMENT.c.fact_same_day.label("same_day"),
            DOCUMENT.c.fact_next_day.label("next_day"),
            *columns,
            *details,
        )
        .select_from(DOCUMENT.join(AGENCY_CODE, AGENCY_CODE.c.code == DOCUMENT.c.organ_id))
        .where(*conditions)
    )


EVIDENCE_DETAILS = (
    DOCUMENT.c.doc_key,
    DOCUMENT.c.code,
    DOCUMENT.c.subject,
    DOCUMENT.c.locator,
    DOCUMENT.c.disagreements,
)
"""What evidence shows of every document (with the times its systems disagree on,
``checker.store.reconcile``)."""


def done_by(day: ColumnElement[Any], period: Period) -> ColumnElement[Any]:
    """The day a document's step was done (a ``fact_*`` day, ``metrics.facts``) if it was by
    the period's :attr:`~metrics.period.Period.steps_until`, else NULL: as of an as-of day, a
    step done later had not been done."""
    until = period.steps_until
    return day if until is None else case((day <= until, day))


def not_recalled(facts: Facts) -> ColumnElement[bool]:
    return facts["recalled_on"].is_(None)


def count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0), type_=Integer)


# --- reasons, in plain words --------------------------------------------------------------
# Whole sentences, one per action and case, so a translator sees each as it is read
# (``checker.i18n``); they are put into the reader's language when evidence is listed.

_LATE_ON_DAY_OFF = {
    "acknowledged": N_("acknowledged on {day}, a day off after the deadline {deadline}"),
    "submitted": N_("submitted on {day}, a day off after the deadline {deadline}"),
    "issued": N_("issued on {day}, a day off after the deadline {deadline}"),
}
_NEXT_DAY = {
    "acknowledged": N_("acknowledged the next working day, not the same day"),
    "submitted": N_("submitted the next working day, not the same day"),
    "issued": N_("issued the next working day, not the same day"),
}


def _days_late(action: str, late: int) -> str:
    if action == "acknowledged":
        text = ngettext(
            "acknowledged {n} working day after arrival",
            "acknowledged {n} working days after arrival",
            late,
        )
    elif action == "submitted":
        text = ngettext(
            "submitted {n} working day after arrival",
            "submitted {n} working days after arrival",
            late,
        )
    else:
        text = ngettext(
            "issued {n} working day after signing", "issued {n} working days after signing", late
        )
    return text.format(n=late)


def not_through_axis(direction: str, channel: str) -> str:
    """Why a document did not go through the axis: ``received on paper, not through ...``."""
    if direction == "in":
        text = {
            "paper": _("received on paper, not through the interconnection axis"),
            "email": _("received by email, not through the interconnection axis"),
        }.get(channel, _("received through {channel}, not through the interconnection axis"))
    else:
        text = {
            "paper": _("issued on paper, not through the interconnection axis"),
            "email": _("issued by email, not through the interconnection axis"),
        }.get(channel, _("issued through {channel}, not through the interconnection axis"))
    return text.format(channel=channel)


def lateness(
    action: str,
    start: date,
    done: date,
    same_day_only: bool,
    calendar: WorkingCalendar,
) -> str:
    """Why ``done`` missed the deadline counted from ``start``, e.g. "submitted 3 working
    days after arrival"; ``action`` is ``acknowledged``, ``submitted`` (both from arrival) or
    ``issued`` (from signing). Days are counted from the first working day on or after
    ``start`` (a document arriving on a day off is due then, ``WorkingCalendar.deadlines``)."""
    first, next_day = calendar.deadlines(start)
    deadline = first if same_day_only else next_day
    late = calendar.working_days_between(first, done)
    if calendar.working_days_between(deadline, done) == 0:
        text = _(_LATE_ON_DAY_OFF[action]).format(
            day=done.isoformat(), deadline=deadline.isoformat()
        )
    elif same_day_only and late == 1:
        text = _(_NEXT_DAY[action])
    else:
        text = _days_late(action, late)
    if first != start:
        counted_from = _("(counted from {day}, the first working day on or after it)")
        text += " " + counted_from.format(day=first.isoformat())
    return text


def urgent(text: str) -> str:
    """A reason about an urgent document: ``urgent: submitted the next working day, ...``."""
    return _("urgent: {reason}").format(reason=text)
