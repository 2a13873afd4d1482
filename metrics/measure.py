"""Measuring the catalogue for every registered agency at once, one aggregate query per
direction and one for the numbering, and reporting the organisation codes the registry
does not know."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, and_, func, select, union_all

from checker.store.models import AGENCY_CODE, DOCUMENT
from metrics.calendar import WorkingCalendar
from metrics.digitisation import measure_digitisation
from metrics.facts import FactsProgress, refresh_facts
from metrics.files import DEFAULT_FILES_CONFIG, FILED, FilesConfig, measure_files
from metrics.inbound import INBOUND, inbound_facts
from metrics.onestop import measure_onestop
from metrics.outbound import OUTBOUND, measure_numbering, outbound_facts
from metrics.period import Period
from metrics.scope import Condition, DocumentMetric, Facts, count_where, in_period
from metrics.transfers import measure_transfers
from metrics.values import MetricValue
from metrics.workdays import calendar_range, check_calendar_days

DOCUMENT_METRICS: dict[str, DocumentMetric] = {m.id: m for m in (*INBOUND, *OUTBOUND)}

FactsOf = Callable[[Period, str | None, bool], Facts]
FACTS: dict[str, FactsOf] = {"in": inbound_facts, "out": outbound_facts}
"""The facts rows each direction's metrics read."""


@dataclass(frozen=True)
class UnknownCode:
    """An organisation code found in the period's documents that no agency carries."""

    code: str
    documents: int


def measure_all(
    connection: Connection,
    period: Period,
    calendar: WorkingCalendar,
    files: FilesConfig = DEFAULT_FILES_CONFIG,
    progress: FactsProgress | None = None,
) -> list[MetricValue]:
    """Every metric of the catalogue for every agency with something to count in
    ``period`` (files and transfers: due as of its last day). The working-day calendar must
    be stored for the period (``metrics.workdays``); the facts of the documents written
    since the last measuring run are worked out first (``metrics.facts``), told to
    ``progress``."""
    check_calendar_days(connection, calendar, *calendar_range(period))
    refresh_facts(connection, progress=progress)
    return [
        *_summed(
            [
                *measure_documents(connection, period, "in", (*INBOUND, FILED[0])),
                *measure_documents(connection, period, "out", (*OUTBOUND, FILED[1])),
            ]
        ),
        *measure_numbering(connection, period),
        *measure_files(connection, period, files),
        *measure_transfers(connection, period, files),
        *measure_onestop(connection, period),
        *measure_digitisation(connection, period),
    ]


def measure_documents(
    connection: Connection, period: Period, direction: str, metrics: Sequence[DocumentMetric]
) -> list[MetricValue]:
    """Numerator and denominator of each metric, for every agency, in one GROUP BY (a
    denominator shared by several metrics is counted once)."""
    facts = FACTS[direction](period, None, False)
    columns: list[ColumnElement[int]] = []
    populations: dict[Condition, int] = {}
    positions = []
    for metric in metrics:
        population = metric.population(facts)
        if metric.population not in populations:
            populations[metric.population] = len(columns)
            columns.append(count_where(population))
        positions.append((len(columns), populations[metric.population]))
        columns.append(count_where(and_(population, metric.counted(facts))))
    agency = facts["agency"]
    query = select(agency, *columns).select_from(facts.source).group_by(agency)
    values: list[MetricValue] = []
    for code, *counts in connection.execute(query):
        for metric, (numerator, denominator) in zip(metrics, positions, strict=True):
            values.append(MetricValue(code, metric.id, counts[numerator], counts[denominator]))
    return values


def _summed(values: list[MetricValue]) -> list[MetricValue]:
    """One value per agency and metric: a metric counted in both directions is the sum of
    its two counts."""
    summed: dict[tuple[str, str], MetricValue] = {}
    for value in values:
        key = (value.agency_code, value.metric_id)
        if (first := summed.get(key)) is not None:
            value = MetricValue(
                value.agency_code,
                value.metric_id,
                first.numerator + value.numerator,
                first.denominator + value.denominator,
            )
        summed[key] = value
    return list(summed.values())


def unknown_codes(connection: Connection, period: Period) -> list[UnknownCode]:
    known = select(AGENCY_CODE.c.code)
    codes = union_all(
        *(
            select(DOCUMENT.c.organ_id).where(
                in_period(direction, period), DOCUMENT.c.organ_id.not_in(known)
            )
            for direction in ("in", "out")
        )
    ).subquery("codes")
    query = (
        select(codes.c.organ_id, func.count()).group_by(codes.c.organ_id).order_by(codes.c.organ_id)
    )
    return [UnknownCode(code, count) for code, count in connection.execute(query)]
