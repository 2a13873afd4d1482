"""``checker score``: measure every agency of a deployment over a period, score and grade it,
rank it in its group, and store the run.

One transaction: the deployment's registry and working-day calendar are written, the stale
per-document facts worked out (told to ``progress``, a callback the caller passes, as
``checker.jobs.sync`` does), every metric measured, manual points merged, and the run stored.
A failure leaves the store as it was. ``criteria_sets`` and ``prepare_measuring`` are the
pieces ``report`` and ``evidence`` share with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Connection, Engine

from checker.clock import vietnam_now
from checker.config import Deployment
from checker.scoring.coverage import check_measured, unmeasured_families
from checker.scoring.criteria import CriteriaSet, criteria_dir, load_criteria
from checker.scoring.manual import ManualPoints, load_manual_points
from checker.scoring.runs import AgencyScore, score_agencies, store_run
from checker.scoring.snapshot import store_snapshot
from checker.store.engine import hold_writes_lock
from checker.store.registry import write_registry
from metrics.calendar import WorkingCalendar
from metrics.facts import FactsProgress
from metrics.measure import UnknownCode, measure_all, unknown_codes
from metrics.period import Period
from metrics.workdays import write_period_calendar


@dataclass(frozen=True)
class ScoreOutcome:
    """What a scoring run stored: its id, its period and how many agencies it scored."""

    run_id: int
    period: Period
    agencies: int
    unknown: tuple[UnknownCode, ...]
    unmeasured: tuple[str, ...] = ()
    """The families of metrics that had nothing to count in the period, by name."""
    scores: tuple[AgencyScore, ...] = ()
    """Every agency's points, total and grade, as stored."""
    """The families of metrics that had nothing to count in the period, by name."""


def criteria_by_group(deployment: Deployment) -> dict[str, CriteriaSet]:
    """The criteria set of each group of the deployment, by group id."""
    directory = criteria_dir(deployment)
    return {g.id: load_criteria(g.criteria, directory) for g in deployment.groups}


def criteria_sets(deployment: Deployment) -> dict[str, CriteriaSet]:
    """The deployment's criteria sets by their own id, as stored runs name them."""
    return {c.id: c for c in criteria_by_group(deployment).values()}


def prepare_measuring(
    connection: Connection, deployment: Deployment, period: Period
) -> WorkingCalendar:
    """Write what measuring reads besides the logs: the deployment's agency registry and its
    working-day calendar for the period. Returns the calendar. Another process measuring the
    same store waits until this transaction ends."""
    hold_writes_lock(connection)
    write_registry(connection, deployment)
    calendar = WorkingCalendar.from_overrides(deployment.calendar)
    write_period_calendar(connection, calendar, period)
    return calendar


def manual_points(deployment: Deployment, path: Path | None = None) -> tuple[ManualPoints, str]:
    """The manual points of ``path``, or of the deployment's file; with the name to quote."""
    path = path or deployment.scoring.manual_points
    if path is None:
        return {}, "manual points"
    return load_manual_points(path), str(path)


def _reads_the_logs(sets: Iterable[CriteriaSet]) -> bool:
    """Whether any criterion of ``sets`` is measured from the logs: a set scored by hand
    alone (the Hanoi commune plan) is graded on its entries, logs or none."""
    return any(c.kind == "measured" for s in sets for c in s.criteria)


def score(
    engine: Engine,
    deployment: Deployment,
    period: Period,
    *,
    as_of: date | None = None,
    manual: Path | None = None,
    progress: FactsProgress | None = None,
    kind: str = "score",
) -> ScoreOutcome:
    """Measure, score, grade and rank every agency of ``deployment`` over ``period`` and store
    the run; a ``NoDataError`` (and no run stored) when the criteria read the logs and nothing
    at all was measured.
    ``as_of`` is recorded with the run (a year-to-date period); ``manual`` replaces the
    deployment's manual points file; ``progress`` hears about the facts worked out; ``kind``
    says what started the run (``checker.scoring.runs.RUN_KINDS``)."""
    sets = criteria_by_group(deployment)
    points, points_source = manual_points(deployment, manual)
    started = vietnam_now()
    with engine.begin() as connection:
        calendar = prepare_measuring(connection, deployment, period)
        values = measure_all(connection, period, calendar, deployment.files, progress)
        if _reads_the_logs(sets.values()):
            check_measured(connection, period, values, [s.name for s in deployment.sources])
        unknown = unknown_codes(connection, period)
        scores = score_agencies(deployment, sets, values, points, points_source)
        run_id = store_run(connection, period, as_of, started, vietnam_now(), values, scores, kind)
        store_snapshot(connection, run_id, deployment, sets)
    return ScoreOutcome(
        run_id=run_id,
        period=period,
        agencies=len(scores),
        unknown=tuple(unknown),
        unmeasured=tuple(unmeasured_families(values)),
        scores=tuple(scores),
    )
