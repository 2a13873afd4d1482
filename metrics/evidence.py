"""Evidence: the documents behind a metric's number for one agency, those counted and those
in the denominator that were not, each with the reason in plain words."""

from __future__ import annotations

from sqlalchemy import Connection, and_, select

from checker.errors import ConfigError
from checker.models import AGENCY_CODE, DOCUMENT
from metrics.measure import DOCUMENT_METRICS
from metrics.period import Period
from metrics.values import EvidenceLine


def evidence(
    connection: Connection, agency_code: str, metric_id: str, period: Period
) -> list[EvidenceLine]:
    """Every document in the metric's denominator for the agency, counted ones first."""
    metric = DOCUMENT_METRICS.get(metric_id)
    if metric is None:
        known = ", ".join(sorted(DOCUMENT_METRICS))
        raise ConfigError(f"unknown metric {metric_id!r}; known metrics: {known}")
    agency = AGENCY_CODE.c.agency_code
    query = (
        select(
            DOCUMENT.c.doc_key,
            DOCUMENT.c.code,
            DOCUMENT.c.subject,
            DOCUMENT.c.organ_id,
            DOCUMENT.c.doc_date,
            DOCUMENT.c.sent_at,
            metric.counted(agency).label("counted"),
            DOCUMENT.c.locator,
        )
        .select_from(DOCUMENT.join(AGENCY_CODE, AGENCY_CODE.c.code == DOCUMENT.c.organ_id))
        .where(
            and_(
                DOCUMENT.c.direction == metric.direction,
                DOCUMENT.c.doc_date >= period.start,
                DOCUMENT.c.doc_date <= period.end,
                agency == agency_code,
                metric.population(agency),
            )
        )
        .order_by(DOCUMENT.c.doc_date, DOCUMENT.c.doc_key)
    )
    lines = [
        EvidenceLine(
            item=row.doc_key,
            code=row.code,
            title=row.subject,
            organ_id=row.organ_id,
            day=row.doc_date,
            counted=bool(row.counted),
            reason="counted" if row.counted else metric.not_counted_reason,
            locator=row.locator,
        )
        for row in connection.execute(query)
    ]
    return sorted(lines, key=lambda line: not line.counted)
