"""Outbound metrics: outgoing documents issued through the axis, and acknowledged by every
recipient."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, func, not_, select

from checker.models import AGENCY_CODE, DOCUMENT, EVENT
from metrics.scope import (
    ACKNOWLEDGED,
    AgencyColumn,
    DocumentMetric,
    every_document,
    through_axis,
)


def every_recipient_acknowledged(_agency: AgencyColumn) -> ColumnElement[bool]:
    """No incoming copy of the current outgoing document lacks an acknowledgement from its
    recipient (matched through the registry, or by the exact code if unregistered)."""
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


OUTBOUND = (
    DocumentMetric(
        "outbound.issued_axis",
        "out",
        every_document,
        through_axis,
        "outgoing documents",
        "not issued through the interconnection axis",
    ),
    DocumentMetric(
        "outbound.acknowledged_all",
        "out",
        through_axis,
        every_recipient_acknowledged,
        "outgoing documents issued through the axis",
        "at least one recipient sent no status 01 or 03 back",
    ),
)
