"""Evidence: the documents behind a metric's number for one agency, those counted and those
in the denominator that were not, each with the reason in plain words.

Whether a document counts comes from the same SQL conditions as the aggregate; the reason
for one not counted is worked out here from its facts row (``metrics.scope``), in Python,
over one agency's documents.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, case, select

from checker.errors import ConfigError
from checker.i18n import N_, _
from checker.store.reconcile import disagreements_of
from metrics.calendar import WorkingCalendar
from metrics.catalogue import METRICS
from metrics.facts import refresh_facts
from metrics.files import DEFAULT_FILES_CONFIG, FilesConfig, files_evidence
from metrics.measure import DOCUMENT_METRICS, FACTS
from metrics.outbound import NUMBERING_ANOMALIES, numbering_evidence, numbering_top
from metrics.period import Period
from metrics.transfers import transfers_evidence
from metrics.values import EvidenceLine
from metrics.workdays import calendar_range, check_calendar_days


@dataclass(frozen=True)
class EvidenceList:
    """The items behind a metric's number for one agency, with that number: the numerator
    and denominator measuring gives."""

    lines: list[EvidenceLine]
    numerator: int
    denominator: int


def evidence_list(
    connection: Connection,
    agency_code: str,
    metric_id: str,
    period: Period,
    calendar: WorkingCalendar,
    files: FilesConfig = DEFAULT_FILES_CONFIG,
) -> EvidenceList:
    """:func:`evidence` with the metric's counts. The numerator counts the items counted;
    the denominator is every item listed, except for the numbering anomalies, whose
    denominator is the highest number of each year's sequence."""
    lines = evidence(connection, agency_code, metric_id, period, calendar, files)
    counted = sum(1 for line in lines if line.counted)
    if metric_id == NUMBERING_ANOMALIES:
        return EvidenceList(lines, counted, numbering_top(connection, agency_code, period))
    return EvidenceList(lines, counted, len(lines))


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
    definition = METRICS.get(metric_id)
    if definition is None:
        known = ", ".join(METRICS)
        raise ConfigError(f"unknown metric {metric_id!r}; known metrics: {known}")
    refresh_facts(connection)
    if definition.family == "numbering":
        return numbering_evidence(connection, agency_code, period)
    if definition.family == "files":
        return files_evidence(connection, agency_code, metric_id, period, files)
    if definition.family == "transfers":
        return transfers_evidence(connection, agency_code, metric_id, period, files)
    metric = DOCUMENT_METRICS[metric_id]
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
            reason=_("counted") if row["counted"] else metric.reason(row, calendar),
            locator=row["locator"],
            disagreement=sources_disagree(row["disagreements"]),
        )
        for row in connection.execute(query).mappings()
    ]
    return sorted(lines, key=lambda line: not line.counted)


_SYSTEMS = {"edxml": N_("edXML"), "dms": N_("DMS"), "register": N_("register")}
_DISAGREE_ON = {
    "arrived_at": N_("sources disagree on arrival: {values}"),
    "registered_at": N_("sources disagree on registration: {values}"),
    "submitted_at": N_("sources disagree on submission: {values}"),
    "assigned_at": N_("sources disagree on assignment: {values}"),
    "signed_at": N_("sources disagree on signing: {values}"),
    "issued_at": N_("sources disagree on issue: {values}"),
}


def sources_disagree(stored: str | None) -> str | None:
    """The lifecycle times the systems that saw a document give on different days, in the
    reader's language: ``sources disagree on arrival: edXML 2026-03-02 08:10, DMS
    2026-03-03 09:00``; None when they agree."""
    texts = []
    for field, values in disagreements_of(stored):
        shown = ", ".join(f"{_(_SYSTEMS[kind])} {value}" for kind, value in values)
        texts.append(_(_DISAGREE_ON[field]).format(values=shown))
    return "; ".join(texts) or None
