"""Inbound metrics: incoming documents received through the axis and handled on the
software (acknowledged, registered, assigned, refused). One aggregate query measures them
all, for every agency at once."""

from __future__ import annotations

from sqlalchemy import Connection, and_, func, select

from checker.models import AGENCY_CODE, DOCUMENT
from metrics.period import Period
from metrics.scope import (
    ACKNOWLEDGED,
    ASSIGNED,
    REFUSED,
    REGISTERED,
    count_where,
    in_period,
    reported_by_agency,
    through_axis,
)
from metrics.values import MetricValue


def measure_inbound(connection: Connection, period: Period) -> list[MetricValue]:
    agency = AGENCY_CODE.c.agency_code
    axis = through_axis()
    query = (
        select(
            agency,
            func.count().label("all"),
            count_where(axis).label("axis"),
            count_where(and_(axis, reported_by_agency(ACKNOWLEDGED, agency, same_day=True))),
            count_where(and_(axis, reported_by_agency(REGISTERED, agency))),
            count_where(and_(axis, reported_by_agency(ASSIGNED, agency))),
            count_where(and_(axis, reported_by_agency(REFUSED, agency))),
        )
        .select_from(DOCUMENT.join(AGENCY_CODE, AGENCY_CODE.c.code == DOCUMENT.c.organ_id))
        .where(in_period("in", period))
        .group_by(agency)
    )
    values: list[MetricValue] = []
    for code, total, axis_count, acked, registered, assigned, refused in connection.execute(query):
        values += [
            MetricValue(code, "inbound.received_axis", axis_count, total),
            MetricValue(code, "inbound.acknowledged_same_day", acked, axis_count),
            MetricValue(code, "inbound.registered", registered, axis_count),
            MetricValue(code, "inbound.assigned", assigned, axis_count),
            MetricValue(code, "inbound.refused", refused, axis_count),
        ]
    return values
