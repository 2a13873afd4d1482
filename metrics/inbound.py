"""Inbound metrics (Decree 30/2020/NĐ-CP Art. 21-23): incoming documents received through
the axis, acknowledged to the sender the same working day, registered, submitted in time,
assigned to a handler, refused.

An incoming document's day is its arrival (``doc_date``): the day it was sent through the
axis, or the arrival time the agency's software reports. Recalled documents are left out of
every denominator; refused ones (status 02) out of registration, submission and assignment:
a refused document goes back to its sender, it is not handled.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, RowMapping, and_

from checker.i18n import _
from checker.store.models import DOCUMENT
from checker.store.records import AXIS
from metrics.calendar import WorkingCalendar
from metrics.period import Period
from metrics.scope import (
    EVIDENCE_DETAILS,
    DocumentMetric,
    Facts,
    done_by,
    facts_query,
    lateness,
    not_recalled,
    not_through_axis,
    urgent,
)


def inbound_facts(period: Period, agency_code: str | None = None, details: bool = False) -> Facts:
    """One row per incoming document and recipient agency, with what that agency (under
    any of its codes) sent back on it (``metrics.facts``), as of the period's end when it is
    an as-of day."""
    columns = [
        DOCUMENT.c.doc_date.label("start_day"),
        done_by(DOCUMENT.c.fact_refused_on, period).label("refused_on"),
        done_by(DOCUMENT.c.fact_acknowledged_on, period).label("acknowledged_on"),
        done_by(DOCUMENT.c.fact_registered_on, period).label("registered_on"),
        done_by(DOCUMENT.c.fact_submitted_on, period).label("submitted_on"),
        done_by(DOCUMENT.c.fact_assigned_on, period).label("assigned_on"),
    ]
    shown = [*EVIDENCE_DETAILS, DOCUMENT.c.submitted_at] if details else []
    query = facts_query("in", period, agency_code, columns, shown)
    return Facts(query.subquery("facts"))


def through_axis(facts: Facts) -> ColumnElement[bool]:
    return and_(not_recalled(facts), facts["channel"] == AXIS)


def handled(facts: Facts) -> ColumnElement[bool]:
    """Documents the agency has to handle: neither recalled nor refused."""
    return and_(not_recalled(facts), facts["refused_on"].is_(None))


def _not_through_axis(row: RowMapping, _calendar: WorkingCalendar) -> str:
    return not_through_axis("in", row["channel"])


def _not_acknowledged(row: RowMapping, calendar: WorkingCalendar) -> str:
    day = row["acknowledged_on"]
    if day is None:
        return _("no status 01 or 03 sent back")
    return lateness("acknowledged", row["start_day"], day, True, calendar)


def _not_submitted(row: RowMapping, calendar: WorkingCalendar) -> str:
    day = row["submitted_on"]
    if day is None:
        return _("not submitted on the software")
    is_urgent = row["priority"] >= 1
    text = lateness("submitted", row["start_day"], day, is_urgent, calendar)
    if row["submitted_at"] is None:
        text += " " + _("(status 04 sent back; no submission time on the software)")
    return urgent(text) if is_urgent else text


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
        lambda f: f["registered_on"].is_not(None),
        "incoming documents, not refused",
        lambda _row, _calendar: _("never registered (no status 03 sent back)"),
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
        lambda f: f["assigned_on"].is_not(None),
        "incoming documents, not refused",
        lambda _row, _calendar: _("never assigned for handling (no status 04, 05 or 06 sent back)"),
    ),
    DocumentMetric(
        "inbound.refused",
        "in",
        through_axis,
        lambda f: f["refused_on"].is_not(None),
        "incoming documents received through the axis",
        lambda _row, _calendar: _("not refused"),
    ),
)
