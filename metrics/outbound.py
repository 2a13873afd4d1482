"""Outbound metrics: outgoing documents issued through the axis, and acknowledged by every
recipient. One aggregate query for every agency at once."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Connection, and_, exists, func, not_, select

from checker.models import AGENCY_CODE, DOCUMENT, EVENT
from metrics.period import Period
from metrics.scope import ACKNOWLEDGED, count_where, in_period, through_axis
from metrics.values import MetricValue


def _every_recipient_acknowledged() -> ColumnElement[bool]:
    """No incoming copy of the current outgoing document lacks an acknowledgement from
    its recipient (matched through the registry, or by the exact code if unregistered)."""
    copy = DOCUMENT.alias("copy")
    copy_agency = AGENCY_CODE.alias("copy_agency")
    actor = AGENCY_CODE.alias("ack_actor")
    recipient = func.coalesce(copy_agency.c.agency_code, copy.c.organ_id)
    acknowledged = exists(
        select(1)
        .select_from(EVENT.outerjoin(actor, actor.c.code == EVENT.c.actor_id))
        .where(
            EVENT.c.doc_key == copy.c.doc_key,
            EVENT.c.status_code.in_(ACKNOWLEDGED),
            func.coalesce(actor.c.agency_code, EVENT.c.actor_id) == recipient,
        )
    )
    unacknowledged_copy = exists(
        select(1)
        .select_from(copy.outerjoin(copy_agency, copy_agency.c.code == copy.c.organ_id))
        .where(copy.c.direction == "in", copy.c.doc_key == DOCUMENT.c.doc_key, not_(acknowledged))
    )
    return not_(unacknowledged_copy)


def measure_outbound(connection: Connection, period: Period) -> list[MetricValue]:
    agency = AGENCY_CODE.c.agency_code
    axis = through_axis()
    query = (
        select(
            agency,
            func.count(),
            count_where(axis),
            count_where(and_(axis, _every_recipient_acknowledged())),
        )
        .select_from(DOCUMENT.join(AGENCY_CODE, AGENCY_CODE.c.code == DOCUMENT.c.organ_id))
        .where(in_period("out", period))
        .group_by(agency)
    )
    values: list[MetricValue] = []
    for code, total, axis_count, acknowledged in connection.execute(query):
        values += [
            MetricValue(code, "outbound.issued_axis", axis_count, total),
            MetricValue(code, "outbound.acknowledged_all", acknowledged, axis_count),
        ]
    return values
