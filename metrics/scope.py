"""SQL building blocks shared by the metric families: which documents of which agency fall
in a period, and whether an agency reported a status on a document.

The agency registry is applied here, through ``agency_code``: a document belongs to the
agency one of whose codes (main or alternative) it carries.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Integer, and_, case, exists, func, select
from sqlalchemy.sql.elements import KeyedColumnElement

from checker.models import AGENCY_CODE, DOCUMENT, EVENT
from checker.records import AXIS
from metrics.period import Period

ACKNOWLEDGED = ("01", "03")
REGISTERED = ("03",)
ASSIGNED = ("04", "05", "06")
REFUSED = ("02",)


def in_period(direction: str, period: Period) -> ColumnElement[bool]:
    return and_(
        DOCUMENT.c.direction == direction,
        DOCUMENT.c.doc_date >= period.start,
        DOCUMENT.c.doc_date <= period.end,
    )


def through_axis() -> ColumnElement[bool]:
    return DOCUMENT.c.channel == AXIS


def reported_by_agency(
    codes: Sequence[str], agency: KeyedColumnElement[str], same_day: bool = False
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


def count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0), type_=Integer)
