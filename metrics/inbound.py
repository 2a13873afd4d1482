"""Inbound metrics (Decree 30/2020/NĐ-CP Art. 21-23): incoming documents received through
the axis, acknowledged to the sender the same working day, registered, submitted in time,
assigned to a handler, refused.

An incoming document's day is its arrival (``doc_date``): the day it was sent through the
axis, or the arrival time the agency's software reports. Recalled documents are left out of
every denominator; refused ones (status 02) out of registration, submission and assignment:
a refused document goes back to its sender, it is not handled.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, and_, case, func, not_

from checker.models import AGENCY_CODE, DOCUMENT, EVENT
from checker.records import AXIS
from metrics.calendar import WorkingCalendar
from metrics.period import Period
from metrics.scope import (
    ACKNOWLEDGED,
    AGENCY,
    ASSIGNED,
    RECALL_REFUSED,
    REFUSED,
    REGISTERED,
    SUBMITTED,
    DocumentMetric,
    Facts,
    as_flag,
    channel_words,
    facts_query,
    lateness,
    not_recalled,
    recall_sent,
    recalled,
)
from metrics.workdays import Deadlines, local_day

_ACTOR = AGENCY_CODE.alias("actor")


def _first(codes: Sequence[str]) -> ColumnElement[Any]:
    """The first day the agency sent one of ``codes`` on the document."""
    return func.min(case((EVENT.c.status_code.in_(codes), EVENT.c.occurred_on)))


def _sent(codes: Sequence[str]) -> ColumnElement[bool]:
    """The agency sent one of ``codes`` on the document, on any day."""
    return func.max(case((EVENT.c.status_code.in_(codes), 1), else_=0)) == 1


def inbound_facts(period: Period, agency_code: str | None = None, details: bool = False) -> Facts:
    """One row per incoming document and recipient agency, with the statuses that agency
    (under any of its codes) sent back on it."""
    submitted_at = DOCUMENT.c.submitted_at
    columns = [
        DOCUMENT.c.doc_date.label("start_day"),
        recalled(and_(recall_sent(), not_(_sent(RECALL_REFUSED)))).label("recalled"),
        as_flag(_sent(REFUSED)).label("refused"),
        _first(ACKNOWLEDGED).label("acknowledged_on"),
        as_flag(DOCUMENT.c.registered_at.is_not(None) | _sent(REGISTERED)).label("registered"),
        case((submitted_at.is_not(None), local_day(submitted_at)), else_=_first(SUBMITTED)).label(
            "submitted_on"
        ),
        as_flag(DOCUMENT.c.assigned_at.is_not(None) | _sent(ASSIGNED)).label("assigned"),
    ]
    grouped = [DOCUMENT.c.registered_at, submitted_at, DOCUMENT.c.assigned_at]
    query = facts_query("in", period, agency_code, grouped, columns, details)
    # every code of the document's agency, and what each sent back on the document
    query = query.join(_ACTOR, _ACTOR.c.agency_code == AGENCY).outerjoin(
        EVENT, and_(EVENT.c.doc_key == DOCUMENT.c.doc_key, EVENT.c.actor_id == _ACTOR.c.code)
    )
    return Facts(query.subquery("facts"), Deadlines.aliases())


def through_axis(facts: Facts) -> ColumnElement[bool]:
    return and_(not_recalled(facts), facts["channel"] == AXIS)


def handled(facts: Facts) -> ColumnElement[bool]:
    """Documents the agency has to handle: neither recalled nor refused."""
    return and_(not_recalled(facts), facts["refused"] == 0)


def _not_through_axis(row: RowMapping, _calendar: WorkingCalendar) -> str:
    return f"received {channel_words(row['channel'])}, not through the interconnection axis"


def _not_acknowledged(row: RowMapping, calendar: WorkingCalendar) -> str:
    day = row["acknowledged_on"]
    if day is None:
        return "no status 01 or 03 sent back"
    return lateness("acknowledged", "arrival", row["start_day"], day, True, calendar)


def _not_submitted(row: RowMapping, calendar: WorkingCalendar) -> str:
    day = row["submitted_on"]
    if day is None:
        return "not submitted on the software"
    urgent = row["priority"] >= 1
    text = lateness("submitted", "arrival", row["start_day"], day, urgent, calendar)
    if row["submitted_at"] is None:
        text += " (status 04 sent back; no submission time on the software)"
    return f"urgent: {text}" if urgent else text


INBOUND = (
    DocumentMetric(
        "inbound.received_axis",
        "in",
        not_recalled,
        lambda f: f["channel"] == AXIS,
        "incoming documents",
        _not_through_axis,
    ),
    DocumentMetric(
        "inbound.acknowledged_same_day",
        "in",
        through_axis,
        lambda f: f["acknowledged_on"] <= f.same_day,
        "incoming documents received through the axis",
        _not_acknowledged,
    ),
    DocumentMetric(
        "inbound.registered",
        "in",
        handled,
        lambda f: f["registered"] == 1,
        "incoming documents, not refused",
        lambda _row, _calendar: "never registered (no status 03 sent back)",
    ),
    DocumentMetric(
        "inbound.submitted_in_time",
        "in",
        handled,
        lambda f: f["submitted_on"] <= f.due(),
        "incoming documents, not refused",
        _not_submitted,
    ),
    DocumentMetric(
        "inbound.assigned",
        "in",
        handled,
        lambda f: f["assigned"] == 1,
        "incoming documents, not refused",
        lambda _row, _calendar: "never assigned for handling (no status 04, 05 or 06 sent back)",
    ),
    DocumentMetric(
        "inbound.refused",
        "in",
        through_axis,
        lambda f: f["refused"] == 1,
        "incoming documents received through the axis",
        lambda _row, _calendar: "not refused",
    ),
)
