"""Measuring the catalogue for every registered agency at once, one aggregate query per
direction, and reporting the organisation codes the registry does not know."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, and_, func, select

from checker.models import AGENCY_CODE, DOCUMENT
from metrics.inbound import INBOUND
from metrics.outbound import OUTBOUND
from metrics.period import Period
from metrics.scope import DocumentMetric, count_where, in_period
from metrics.values import MetricValue

DOCUMENT_METRICS: dict[str, DocumentMetric] = {m.id: m for m in (*INBOUND, *OUTBOUND)}


@dataclass(frozen=True)
class UnknownCode:
    """An organisation code found in the period's documents that no agency carries."""

    code: str
    documents: int


def measure_all(connection: Connection, period: Period) -> list[MetricValue]:
    return [
        *measure_documents(connection, period, "in", INBOUND),
        *measure_documents(connection, period, "out", OUTBOUND),
    ]


def measure_documents(
    connection: Connection, period: Period, direction: str, metrics: Sequence[DocumentMetric]
) -> list[MetricValue]:
    """Numerator and denominator of each metric, for every agency, in one GROUP BY."""
    agency = AGENCY_CODE.c.agency_code
    columns = []
    for metric in metrics:
        population = metric.population(agency)
        columns += [count_where(and_(population, metric.counted(agency))), count_where(population)]
    query = (
        select(agency, *columns)
        .select_from(DOCUMENT.join(AGENCY_CODE, AGENCY_CODE.c.code == DOCUMENT.c.organ_id))
        .where(in_period(direction, period))
        .group_by(agency)
    )
    values: list[MetricValue] = []
    for row in connection.execute(query):
        code, counts = row[0], row[1:]
        for index, metric in enumerate(metrics):
            values.append(MetricValue(code, metric.id, counts[2 * index], counts[2 * index + 1]))
    return values


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
