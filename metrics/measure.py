"""Measuring the whole catalogue for every registered agency, and reporting the
organisation codes the registry does not know."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from checker.models import AGENCY_CODE, DOCUMENT
from metrics.inbound import measure_inbound
from metrics.outbound import measure_outbound
from metrics.period import Period
from metrics.values import MetricValue


@dataclass(frozen=True)
class UnknownCode:
    """An organisation code found in the period's documents that no agency carries."""

    code: str
    documents: int


def measure_all(connection: Connection, period: Period) -> list[MetricValue]:
    return [*measure_inbound(connection, period), *measure_outbound(connection, period)]


def unknown_codes(connection: Connection, period: Period) -> list[UnknownCode]:
    known = select(AGENCY_CODE.c.code)
    query = (
        select(DOCUMENT.c.organ_id, func.count())
        .where(
            DOCUMENT.c.doc_date >= period.start,
            DOCUMENT.c.doc_date <= period.end,
            DOCUMENT.c.organ_id.not_in(known),
        )
        .group_by(DOCUMENT.c.organ_id)
        .order_by(DOCUMENT.c.organ_id)
    )
    return [UnknownCode(code, count) for code, count in connection.execute(query)]
