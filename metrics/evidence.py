"""Evidence: the documents behind a metric's number for one agency, those counted and those
in the denominator that were not, each with the reason in plain words.

Whether a document counts comes from the same SQL conditions as the aggregate; the reason
for one not counted is worked out here from its facts row (``metrics.scope``), in Python,
over one agency's documents.
"""

from __future__ import annotations

from sqlalchemy import Connection, case, select

from checker.errors import ConfigError
from metrics.calendar import WorkingCalendar
from metrics.facts import refresh_facts
from metrics.files import DEFAULT_FILES_CONFIG, FILE_METRICS, FilesConfig, files_evidence
from metrics.measure import DOCUMENT_METRICS, FACTS
from metrics.outbound import NUMBERING_ANOMALIES, numbering_evidence
from metrics.period import Period
from metrics.transfers import TRANSFER_METRICS, transfers_evidence
from metrics.values import EvidenceLine
from metrics.workdays import calendar_range, check_calendar_days

FILE_IDS = {m.id for m in FILE_METRICS}
TRANSFER_IDS = {m.id for m in TRANSFER_METRICS}
EVIDENCED = (*DOCUMENT_METRICS, NUMBERING_ANOMALIES, *sorted(FILE_IDS), *sorted(TRANSFER_IDS))


def evidence(
    connection: Connection,
    agency_code: str,
    metric_id: str,
    period: Period,
    calendar: WorkingCalendar,
    files: FilesConfig = DEFAULT_FILES_CONFIG,
) -> list[EvidenceLine]:
    """Every document in the metric's denominator for the agency, counted ones first.
    The working-day calendar must be stored for the period (``metrics.workdays``); stale
    document facts are worked out first (``metrics.facts``)."""
    refresh_facts(connection)
    if metric_id == NUMBERING_ANOMALIES:
        return numbering_evidence(connection, agency_code, period)
    if metric_id in FILE_IDS:
        return files_evidence(connection, agency_code, metric_id, period, files)
    if metric_id in TRANSFER_IDS:
        return transfers_evidence(connection, agency_code, metric_id, period, files)
    metric = DOCUMENT_METRICS.get(metric_id)
    if metric is None:
        known = ", ".join(sorted(EVIDENCED))
        raise ConfigError(f"unknown metric {metric_id!r}; known metrics: {known}")
    check_calendar_days(connection, calendar, *calendar_range(period))
    facts = FACTS[metric.direction](period, agency_code, True)
    query = (
        select(
            facts.row,
            case((metric.counted(facts), True), else_=False).label("counted"),
        )
        .select_from(facts.source)
        .where(metric.population(facts))
        .order_by(facts["doc_date"], facts["doc_key"])
    )
    lines = [
        EvidenceLine(
            item=row["doc_key"],
            code=row["code"],
            title=row["subject"],
            organ_id=row["organ_id"],
            day=row["doc_date"],
            counted=bool(row["counted"]),
            reason="counted" if row["counted"] else metric.reason(row, calendar),
            locator=row["locator"],
        )
        for row in connection.execute(query).mappings()
    ]
    return sorted(lines, key=lambda line: not line.counted)
