"""Evidence: the documents behind a metric's number for one agency, those counted and those
in the denominator that were not, each with the reason in plain words.

Whether a document counts comes from the same SQL conditions as the aggregate; the reason
for one not counted is worked out here from its facts row (``metrics.scope``), in Python,
over one agency's documents. :func:`evidence_by_agency` and :func:`missed_by_agency` list
many agencies' at once (one query per metric), for ``metrics.evidence_batches``.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import Connection, case, select

from checker.errors import ConfigError
from checker.i18n import N_, _
from checker.store.reconcile import disagreements_of
from metrics.calendar import WorkingCalendar
from metrics.catalogue import METRICS
from metrics.definition import MetricDefinition
from metrics.digitisation import digitisation_evidence, digitisation_evidence_by_agency
from metrics.facts import refresh_facts
from metrics.files import (
    DEFAULT_FILES_CONFIG,
    FilesConfig,
    files_evidence,
    files_evidence_by_agency,
)
from metrics.holdings import agency_holds_any, what_the_store_holds
from metrics.measure import DOCUMENT_METRICS, FACTS
from metrics.onestop import onestop_evidence, onestop_evidence_by_agency
from metrics.outbound import (
    NUMBERING_ANOMALIES,
    numbering_evidence,
    numbering_evidence_by_agency,
    numbering_top,
)
from metrics.period import Period
from metrics.transfers import transfers_evidence, transfers_evidence_by_agency
from metrics.values import EvidenceLine
from metrics.workdays import calendar_range, check_calendar_days


@dataclass(frozen=True)
class EvidenceList:
    """The items behind a metric's number for one agency, with that number: the numerator
    and denominator measuring gives."""

    lines: list[EvidenceLine]
    numerator: int
    denominator: int
    held: str | None = None
    """When the agency has no document or file in the period at all: what the store holds
    (in the reader's language), for a reader who would otherwise see "0 of 0"."""

    @property
    def empty(self) -> bool:
        """Nothing to count: no item listed and no denominator."""
        return not self.lines and self.denominator == 0


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
        found = EvidenceList(lines, counted, numbering_top(connection, agency_code, period))
    else:
        found = EvidenceList(lines, counted, len(lines))
    if found.empty and not agency_holds_any(connection, agency_code, period):
        return replace(found, held=what_the_store_holds(connection))
    return found


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
    definition = _definition(metric_id)
    refresh_facts(connection)
    if definition.family == "numbering":
        return numbering_evidence(connection, agency_code, period)
    if definition.family == "files":
        return files_evidence(connection, agency_code, metric_id, period, files)
    if definition.family == "transfers":
        return transfers_evidence(connection, agency_code, metric_id, period, files)
    if definition.family == "onestop":
        return onestop_evidence(connection, agency_code, metric_id, period)
    if definition.family == "digitisation":
        return digitisation_evidence(connection, agency_code, metric_id, period)
    lines = _document_lines(connection, metric_id, period, calendar, [agency_code])
    return sorted(lines.get(agency_code, []), key=lambda line: not line.counted)


def missed_by_agency(
    connection: Connection,
    agency_codes: Sequence[str],
    metric_id: str,
    period: Period,
    calendar: WorkingCalendar,
    files: FilesConfig = DEFAULT_FILES_CONFIG,
) -> dict[str, list[EvidenceLine]]:
    """The lines of :func:`evidence` not counted, for each of ``agency_codes`` (an agency
    with none is left out): for a documents' metric one query for those lines alone, for the
    other families :func:`evidence_by_agency`'s lines less those counted."""
    definition = _definition(metric_id)
    if definition.family in _READ_WHOLE:
        found = evidence_by_agency(connection, agency_codes, metric_id, period, calendar, files)
        return _missed(found)
    refresh_facts(connection)
    return _document_lines(connection, metric_id, period, calendar, agency_codes, missed_only=True)


_READ_WHOLE = frozenset({"files", "transfers", "numbering", "onestop", "digitisation"})
"""Families whose lines not counted are picked from all their lines; a documents' metric
asks SQL for those alone."""


def evidence_by_agency(
    connection: Connection,
    agency_codes: Sequence[str],
    metric_id: str,
    period: Period,
    calendar: WorkingCalendar,
    files: FilesConfig = DEFAULT_FILES_CONFIG,
) -> dict[str, list[EvidenceLine]]:
    """:func:`evidence` of each of ``agency_codes`` (an agency with nothing to list is left
    out): one query for a metric of any family, whatever the number of agencies; the facts
    are worked out and the calendar checked once."""
    definition = _definition(metric_id)
    refresh_facts(connection)
    if definition.family == "numbering":
        found = numbering_evidence_by_agency(connection, agency_codes, period)
        return {code: lines for code, lines in found.items() if lines}
    if definition.family == "files":
        return files_evidence_by_agency(connection, agency_codes, metric_id, period, files)
    if definition.family == "transfers":
        return transfers_evidence_by_agency(connection, agency_codes, metric_id, period, files)
    if definition.family == "onestop":
        return onestop_evidence_by_agency(connection, agency_codes, metric_id, period)
    if definition.family == "digitisation":
        return digitisation_evidence_by_agency(connection, agency_codes, metric_id, period)
    found = _document_lines(connection, metric_id, period, calendar, agency_codes)
    return {
        code: sorted(lines, key=lambda line: not line.counted)
        for code, lines in found.items()
        if lines
    }


def _missed(found: dict[str, list[EvidenceLine]]) -> dict[str, list[EvidenceLine]]:
    missed = {code: [line for line in lines if not line.counted] for code, lines in found.items()}
    return {code: lines for code, lines in missed.items() if lines}


def _definition(metric_id: str) -> MetricDefinition:
    definition = METRICS.get(metric_id)
    if definition is None:
        near = difflib.get_close_matches(metric_id, list(METRICS), n=3, cutoff=0.6)
        if near:
            hint = _("did you mean {ids}?").format(ids=_(" or ").join(near))
        else:
            hint = _("{n} metrics are known; their ids are in docs/metrics.md").format(
                n=len(METRICS)
            )
        message = _("there is no metric {metric}: {hint}")
        raise ConfigError(message.format(metric=repr(metric_id), hint=hint))
    return definition


def _document_lines(
    connection: Connection,
    metric_id: str,
    period: Period,
    calendar: WorkingCalendar,
    agency_codes: Sequence[str],
    *,
    missed_only: bool = False,
) -> dict[str, list[EvidenceLine]]:
    """The documents in the metric's denominator for each agency, in date order."""
    metric = DOCUMENT_METRICS[metric_id]
    check_calendar_days(connection, calendar, *calendar_range(period))
    one = agency_codes[0] if len(agency_codes) == 1 else None
    facts = FACTS[metric.direction](period, one, True)
    counted = case((metric.counted(facts), True), else_=False)  # NULL is not counted
    query = (
        select(facts.row, counted.label("counted"))
        .select_from(facts.source)
        .where(metric.population(facts), facts["agency"].in_(agency_codes))
        .order_by(facts["agency"], facts["doc_date"], facts["doc_key"])
    )
    if missed_only:
        query = query.where(counted == False)  # noqa: E712 (SQL, not Python)
    lines: dict[str, list[EvidenceLine]] = {}
    for row in connection.execute(query).mappings():
        lines.setdefault(row["agency"], []).append(
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
        )
    return lines


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
