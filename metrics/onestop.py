"""One-stop-shop metrics: the dossiers of administrative procedures (hồ sơ thủ tục hành chính)
on the one-stop-shop software (Phần mềm Một cửa), kept as electronic files of the agency that
handles them (Decree 61/2018/NĐ-CP as amended by Decree 107/2021/NĐ-CP; Decree 45/2020/NĐ-CP
on administrative procedures by electronic means), and returned by the appointed day.

A dossier belongs to the agency handling it (``dossier.organ_id``, the software's own agency
code when it states one), through ``agency_code``. Refused and withdrawn dossiers have no
result and are measured by neither metric.

- ``onestop.kept_electronic``: dossiers whose result was returned in the period; counted when
  the software reports them kept as an electronic file (not reported: not counted).
- ``onestop.returned_on_time``: dossiers whose appointed day falls in the period; counted when
  the result was returned by the appointed time. A dossier still being handled, or returned
  after the period, missed a day that has passed: it counts late in the period of its
  appointed day, so a past period measures the same whenever it is run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, and_, select, true

from checker.i18n import _, ngettext
from checker.store.models import AGENCY_CODE, DOSSIER
from metrics.catalogue import not_of_family
from metrics.period import Period
from metrics.scope import count_where
from metrics.values import EvidenceLine, MetricValue, counted_first_by_agency

_AGENCY = AGENCY_CODE.c.agency_code
_DOSSIERS = DOSSIER.join(AGENCY_CODE, AGENCY_CODE.c.code == DOSSIER.c.organ_id)
_HAS_RESULT = DOSSIER.c.status.not_in(("refused", "withdrawn"))


def _between(column: ColumnElement[datetime], period: Period) -> ColumnElement[bool]:
    """A time on a day of the period (times are stored as naive Vietnam time)."""
    start = datetime.combine(period.start, time.min)
    after = datetime.combine(period.end + timedelta(days=1), time.min)
    return and_(column >= start, column < after)


@dataclass(frozen=True)
class _DossierMetric:
    id: str
    population: Callable[[Period], ColumnElement[bool]]
    counted: ColumnElement[bool]
    day: str  # the column whose day puts the dossier in the period
    reason: Callable[[Row[Any]], str]


def _electronic_reason(row: Row[Any]) -> str:
    if row.electronic_file is None:
        return _("not reported as kept as an electronic file, counted as not kept")
    if row.electronic_file:
        return _("kept as an electronic file of the agency")
    return _("not kept as an electronic file")


def _on_time_reason(row: Row[Any]) -> str:
    if row.returned_at is None:
        return _("not returned by the appointed time {due}").format(due=row.due_at)
    if row.returned_at <= row.due_at:
        return _("returned {when}, by the appointed time {due}").format(
            when=row.returned_at, due=row.due_at
        )
    days = (row.returned_at.date() - row.due_at.date()).days
    late = ngettext(
        "returned {when}, {n} day after the appointed day {due}",
        "returned {when}, {n} days after the appointed day {due}",
        days,
    )
    return late.format(when=row.returned_at, n=days, due=row.due_at.date())


_METRICS = (
    _DossierMetric(
        "onestop.kept_electronic",
        lambda period: and_(
            DOSSIER.c.status == "returned", _between(DOSSIER.c.returned_at, period)
        ),
        DOSSIER.c.electronic_file.is_(true()),
        "returned_at",
        _electronic_reason,
    ),
    _DossierMetric(
        "onestop.returned_on_time",
        lambda period: and_(_HAS_RESULT, _between(DOSSIER.c.due_at, period)),
        and_(DOSSIER.c.returned_at.is_not(None), DOSSIER.c.returned_at <= DOSSIER.c.due_at),
        "due_at",
        _on_time_reason,
    ),
)


def measure_onestop(connection: Connection, period: Period) -> list[MetricValue]:
    """Both one-stop-shop metrics for every agency with dossiers to count, one GROUP BY."""
    columns = []
    for metric in _METRICS:
        population = metric.population(period)
        columns += [count_where(and_(population, metric.counted)), count_where(population)]
    query = select(_AGENCY, *columns).select_from(_DOSSIERS).group_by(_AGENCY)
    values = []
    for code, *counts in connection.execute(query):
        for index, metric in enumerate(_METRICS):
            numerator, denominator = counts[2 * index], counts[2 * index + 1]
            if denominator:
                values.append(MetricValue(code, metric.id, numerator, denominator))
    return values


def onestop_evidence(
    connection: Connection, agency_code: str, metric_id: str, period: Period
) -> list[EvidenceLine]:
    """The agency's dossiers in the metric's denominator, counted ones first."""
    found = onestop_evidence_by_agency(connection, [agency_code], metric_id, period)
    return found.get(agency_code, [])


def onestop_evidence_by_agency(
    connection: Connection, agency_codes: Sequence[str], metric_id: str, period: Period
) -> dict[str, list[EvidenceLine]]:
    """:func:`onestop_evidence` of each agency (one with no dossier to list is left out), in
    one query for all of them."""
    metric = next((m for m in _METRICS if m.id == metric_id), None)
    if metric is None:
        raise not_of_family(metric_id, "onestop")
    query = (
        select(_AGENCY.label("agency"), DOSSIER, metric.counted.label("counted"))
        .select_from(_DOSSIERS)
        .where(_AGENCY.in_(agency_codes), metric.population(period))
        .order_by(_AGENCY, DOSSIER.c[metric.day], DOSSIER.c.dossier_code)
    )
    return counted_first_by_agency(
        (
            row.agency,
            EvidenceLine(
                item=row.dossier_code,
                code=row.dossier_code,
                title=row.procedure_name,
                organ_id=row.organ_id,
                day=getattr(row, metric.day).date(),
                counted=bool(row.counted),
                reason=metric.reason(row),
                locator=row.locator,
            ),
        )
        for row in connection.execute(query)
    )
