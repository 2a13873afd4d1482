"""SQL building blocks shared by the metric families.

A document metric is a pair of conditions on a row of ``document`` seen from one agency:
which documents it is measured over (the denominator) and which of those count (the
numerator). The same conditions drive the aggregate (``metrics.measure``) and the list of
documents behind a number (``metrics.evidence``), so the two can never disagree.

The agency registry is applied here, through ``agency_code``: a document belongs to the
agency one of whose codes (main or alternative) it carries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Integer, and_, case, exists, func, select, true
from sqlalchemy.sql.elements import KeyedColumnElement

from checker.models import AGENCY_CODE, DOCUMENT, EVENT
from checker.records import AXIS
from metrics.period import Period

ACKNOWLEDGED = ("01", "03")
REGISTERED = ("03",)
ASSIGNED = ("04", "05", "06")
REFUSED = ("02",)

AgencyColumn = KeyedColumnElement[str]
Condition = Callable[[AgencyColumn], ColumnElement[bool]]


@dataclass(frozen=True)
class DocumentMetric:
    """A metric counted over documents of one direction ("in" or "out")."""

    id: str
    direction: str
    population: Condition
    counted: Condition
    population_label: str
    not_counted_reason: str


def in_period(direction: str, period: Period) -> ColumnElement[bool]:
    return and_(
        DOCUMENT.c.direction == direction,
        DOCUMENT.c.doc_date >= period.start,
        DOCUMENT.c.doc_date <= period.end,
    )


def every_document(_agency: AgencyColumn) -> ColumnElement[bool]:
    return true()


def through_axis(_agency: AgencyColumn | None = None) -> ColumnElement[bool]:
    return DOCUMENT.c.channel == AXIS


def reported_by_agency(
    codes: Sequence[str], agency: AgencyColumn, same_day: bool = False
) -> ColumnElement[bool]:
    """The agency (any of its codes) sent one of ``codes`` back on the current document."""
    actor = AGENCY_CODE.alias("actor")
    conditions = [
        EVENT.c.doc_key == DOCUMENT.c.doc_key,
        EVENT.c.status_code.in_(codes),
        actor.c.agency_code == agency,
    ]
    if same_day:
        conditions.append(EVENT.c.occurred_on == DOCUMENT.c.doc_date)
    return exists(
        select(1)
        .select_from(EVENT.join(actor, actor.c.code == EVENT.c.actor_id))
        .where(*conditions)
    )


def reported(codes: Sequence[str], same_day: bool = False) -> Condition:
    def condition(agency: AgencyColumn) -> ColumnElement[bool]:
        return reported_by_agency(codes, agency, same_day)

    return condition


def count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0), type_=Integer)
