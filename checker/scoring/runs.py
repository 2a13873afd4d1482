"""Scoring: measured values and manual points become criterion points, section points, a
total, a grade with its reasons, and a rank inside the group.

``score_agencies`` is pure (no I/O) so every rule can be tested on its own; ``store_run``
writes its result as one run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import groupby
from pathlib import Path

from sqlalchemy import Connection, insert

from checker.config import Agency, Deployment
from checker.errors import ConfigError
from checker.i18n import _
from checker.scoring.criteria import CriteriaSet, Criterion
from checker.scoring.grading import GradeResult, grade, section_points_from_criteria
from checker.scoring.manual import ManualPoints
from checker.scoring.points import measured_points
from checker.store.models import AGENCY_RESULT, METRIC_VALUE, RUN, SCORE
from metrics.catalogue import METRICS
from metrics.period import Period
from metrics.values import MetricValue

MEASURED = "measured"
MANUAL = "manual"
RUN_KINDS = ("score", "nightly", "demo")
"""What started a run: ``checker score``, ``checker run`` (the nightly job), the demo. A diff
compares runs of one kind by default."""


@dataclass(frozen=True)
class CriterionScore:
    section_id: str
    criterion_id: str
    points: Decimal | None  # None: not measured, or not entered yet
    max_points: Decimal
    origin: str
    metric_id: str | None = None


@dataclass(frozen=True)
class AgencyScore:
    agency: Agency
    criteria_id: str
    max_total: Decimal
    result: GradeResult
    criteria: tuple[CriterionScore, ...]
    rank: int = 0


def score_agencies(
    deployment: Deployment,
    criteria_by_group: Mapping[str, CriteriaSet],
    values: Sequence[MetricValue],
    manual: ManualPoints,
    manual_source: Path | str = "manual points",
) -> list[AgencyScore]:
    """Score every agency of the deployment, ranked inside its group."""
    check_manual_points(deployment, criteria_by_group, manual, manual_source)
    by_key = {(v.agency_code, v.metric_id): v for v in values}
    scores = []
    for agency in deployment.agencies:
        criteria = criteria_by_group[agency.group]
        entered = manual.get(agency.code, {})
        scores.append(_score_agency(agency, criteria, by_key, entered))
    return rank_in_groups(scores)


def _score_agency(
    agency: Agency,
    criteria: CriteriaSet,
    values: Mapping[tuple[str, str], MetricValue],
    entered: Mapping[str, Decimal],
) -> AgencyScore:
    scores = tuple(
        _score_criterion(section.id, criterion, agency.code, values, entered)
        for section in criteria.sections
        for criterion in section.criteria
    )
    points = {s.criterion_id: s.points for s in scores if s.points is not None}
    # a measured criterion with nothing to measure is not zero: the grade is the one it has
    # at 0, its reasons never say it failed, and the grades it alone decides stay possible
    unmeasured = [s.criterion_id for s in scores if s.points is None and s.origin == MEASURED]
    result = grade(criteria, section_points_from_criteria(criteria, points), unmeasured)
    return AgencyScore(agency, criteria.id, criteria.total_max, result, scores)


def _score_criterion(
    section_id: str,
    criterion: Criterion,
    agency_code: str,
    values: Mapping[tuple[str, str], MetricValue],
    entered: Mapping[str, Decimal],
) -> CriterionScore:
    if criterion.metric is None:
        return CriterionScore(
            section_id, criterion.id, entered.get(criterion.id), criterion.max, MANUAL
        )
    value = values.get((agency_code, criterion.metric))
    points = None if value is None else measured_points(criterion, *_as_achieved(value))
    return CriterionScore(
        section_id, criterion.id, points, criterion.max, MEASURED, criterion.metric
    )


def _as_achieved(value: MetricValue) -> tuple[int, int]:
    """Numerator and denominator with "more is better": a count of faults (numbering
    anomalies, where 0 is best) is scored on what was free of them, max(den - num, 0)."""
    if METRICS[value.metric_id].lower_is_better:
        return max(value.denominator - value.numerator, 0), value.denominator
    return value.numerator, value.denominator


def check_manual_points(
    deployment: Deployment,
    criteria_by_group: Mapping[str, CriteriaSet],
    manual: ManualPoints,
    source: Path | str,
) -> None:
    """Every entry names a registered agency and one of its manual criteria, within max."""
    agencies = {a.code: a for a in deployment.agencies}
    for code, entries in manual.items():
        if code not in agencies:
            message = _("{source}: [{code}] is not an agency of the deployment")
            raise ConfigError(message.format(source=source, code=code))
        criteria = criteria_by_group[agencies[code].group]
        manual_criteria = {
            c.id: c for s in criteria.sections for c in s.criteria if c.metric is None
        }
        for criterion_id, points in entries.items():
            criterion = manual_criteria.get(criterion_id)
            if criterion is None:
                message = _(
                    "{source}: [{code}] {criterion} is not a manual criterion of {criteria} "
                    "(manual ones: {manual})"
                )
                raise ConfigError(
                    message.format(
                        source=source,
                        code=code,
                        criterion=criterion_id,
                        criteria=criteria.id,
                        manual=", ".join(manual_criteria),
                    )
                )
            if points > criterion.max:
                message = _("{source}: [{code}] {criterion} = {points} is above its max of {max}")
                raise ConfigError(
                    message.format(
                        source=source,
                        code=code,
                        criterion=criterion_id,
                        points=points,
                        max=criterion.max,
                    )
                )


def rank_in_groups(scores: Sequence[AgencyScore]) -> list[AgencyScore]:
    """Rank by total inside each group; equal totals share a rank (1, 2, 2, 4)."""
    ranked: list[AgencyScore] = []
    ordered = sorted(scores, key=lambda s: (s.agency.group, -s.result.total, s.agency.code))
    for _group, members in groupby(ordered, key=lambda s: s.agency.group):
        previous: Decimal | None = None
        rank = 0
        for position, score in enumerate(members, start=1):
            if score.result.total != previous:
                rank, previous = position, score.result.total
            ranked.append(_with_rank(score, rank))
    return ranked


def _with_rank(score: AgencyScore, rank: int) -> AgencyScore:
    return AgencyScore(
        score.agency, score.criteria_id, score.max_total, score.result, score.criteria, rank
    )


def store_run(
    connection: Connection,
    period: Period,
    as_of: date | None,
    started_at: datetime,
    finished_at: datetime,
    values: Sequence[MetricValue],
    scores: Sequence[AgencyScore],
    kind: str = "score",
) -> int:
    """Write one scoring run of ``kind`` (one of ``RUN_KINDS``); returns its id."""
    inserted = connection.execute(
        insert(RUN).values(
            kind=kind,
            started_at=started_at,
            finished_at=finished_at,
            period_start=period.start,
            period_end=period.end,
            as_of=as_of,
            note="",
        )
    ).inserted_primary_key
    assert inserted is not None
    run_id = int(inserted[0])
    if values:
        connection.execute(insert(METRIC_VALUE), [_value_row(run_id, v) for v in values])
    score_rows = [_score_row(run_id, s, c) for s in scores for c in s.criteria]
    if score_rows:
        connection.execute(insert(SCORE), score_rows)
    if scores:
        connection.execute(insert(AGENCY_RESULT), [_result_row(run_id, s) for s in scores])
    return run_id


def _value_row(run_id: int, value: MetricValue) -> dict[str, object]:
    return {
        "run_id": run_id,
        "agency_code": value.agency_code,
        "metric_id": value.metric_id,
        "numerator": value.numerator,
        "denominator": value.denominator,
    }


def _score_row(run_id: int, score: AgencyScore, criterion: CriterionScore) -> dict[str, object]:
    return {
        "run_id": run_id,
        "agency_code": score.agency.code,
        "section_id": criterion.section_id,
        "criterion_id": criterion.criterion_id,
        "points": None if criterion.points is None else str(criterion.points),
        "max_points": str(criterion.max_points),
        "origin": criterion.origin,
        "metric_id": criterion.metric_id,
    }


def _result_row(run_id: int, score: AgencyScore) -> dict[str, object]:
    return {
        "run_id": run_id,
        "agency_code": score.agency.code,
        "group_id": score.agency.group,
        "criteria": score.criteria_id,
        "total": str(score.result.total),
        "max_total": str(score.max_total),
        "grade_id": score.result.grade_id,
        "grade_name": score.result.grade_name,
        # as data, put into words when shown, in the reader's language (grading.reason_lines)
        "reasons": json.dumps([m.as_json() for m in score.result.missed], ensure_ascii=False),
        "rank": score.rank,
    }
