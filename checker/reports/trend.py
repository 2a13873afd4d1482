"""An agency's trend across the stored runs of one kind: its total, grade and rank in each,
and one criterion's points when asked; ``sparkline`` draws a series as one line of text for
the terminal (the site draws it as a chart, ``checker.reports.site.charts.trend_chart``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from checker.errors import StorageError
from checker.i18n import _
from checker.store.models import AGENCY_RESULT, RUN, SCORE

BLOCKS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class TrendPoint:
    run: int
    day: date  # the day the run scored up to (its as-of day, else its period's end)
    total: float
    max_total: float
    grade: str
    grade_name: str
    rank: int
    points: float | None = None  # the criterion's, when one was asked for
    max_points: float | None = None


@dataclass(frozen=True)
class Trend:
    agency: str
    kind: str
    criterion: str | None
    points: tuple[TrendPoint, ...]

    def as_json(self) -> dict[str, Any]:
        payload = asdict(self)
        for point in payload["points"]:
            point["day"] = point["day"].isoformat()
        return payload


def agency_trend(
    connection: Connection,
    agency: str,
    *,
    criterion: str | None = None,
    kind: str | None = None,
    up_to: int | None = None,
) -> Trend:
    """``agency`` in every kept run of ``kind`` (default: the latest run's kind), oldest
    first, up to run ``up_to`` (default: all)."""
    kind = kind or _latest_kind(connection, up_to)
    found = trends(connection, kind, up_to=up_to, agency=agency).get(agency)
    if found is None:
        raise StorageError(
            _("agency {agency} is in no run of kind {kind}: see `checker runs list`").format(
                agency=agency, kind=kind
            )
        )
    if criterion is None:
        return found
    criterion_points = _criterion_points(connection, agency, criterion, kind)
    if not criterion_points:
        raise StorageError(
            _("criterion {criterion} was not scored for {agency} in any run").format(
                criterion=criterion, agency=agency
            )
        )
    points = tuple(_with_criterion(p, criterion_points.get(p.run)) for p in found.points)
    return Trend(agency, kind, criterion, points)


def trends(
    connection: Connection, kind: str, *, up_to: int | None = None, agency: str | None = None
) -> dict[str, Trend]:
    """Every agency's totals in the kept runs of ``kind`` (up to run ``up_to``), in one
    query, by agency code."""
    query = (
        select(RUN.c.id, RUN.c.as_of, RUN.c.period_end, AGENCY_RESULT)
        .join(AGENCY_RESULT, AGENCY_RESULT.c.run_id == RUN.c.id)
        .where(RUN.c.kind == kind)
        .order_by(AGENCY_RESULT.c.agency_code, RUN.c.id)
    )
    if up_to is not None:
        query = query.where(RUN.c.id <= up_to)
    if agency is not None:
        query = query.where(AGENCY_RESULT.c.agency_code == agency)
    points: dict[str, list[TrendPoint]] = {}
    for row in connection.execute(query).mappings():
        points.setdefault(row["agency_code"], []).append(_point(row))
    return {code: Trend(code, kind, None, tuple(line)) for code, line in points.items()}


def _latest_kind(connection: Connection, up_to: int | None) -> str:
    latest = select(RUN.c.kind).order_by(RUN.c.id.desc()).limit(1)
    if up_to is not None:
        latest = latest.where(RUN.c.id <= up_to)
    kind = connection.scalar(latest)
    if kind is None:
        raise StorageError(_("no scoring run in the store yet: run `checker score` first"))
    return str(kind)


def _criterion_points(
    connection: Connection, agency: str, criterion: str, kind: str
) -> dict[int, tuple[str | None, str]]:
    query = (
        select(SCORE.c.run_id, SCORE.c.points, SCORE.c.max_points)
        .join(RUN, RUN.c.id == SCORE.c.run_id)
        .where(RUN.c.kind == kind, SCORE.c.agency_code == agency, SCORE.c.criterion_id == criterion)
    )
    return {int(r.run_id): (r.points, r.max_points) for r in connection.execute(query)}


def _point(row: Any) -> TrendPoint:
    return TrendPoint(
        run=int(row["id"]),
        day=row["as_of"] or row["period_end"],
        total=float(row["total"]),
        max_total=float(row["max_total"]),
        grade=row["grade_id"],
        grade_name=row["grade_name"],
        rank=int(row["rank"]),
    )


def _with_criterion(point: TrendPoint, scored: tuple[str | None, str] | None) -> TrendPoint:
    if scored is None:
        return point
    points = None if scored[0] is None else float(scored[0])
    return replace(point, points=points, max_points=float(scored[1]))


def sparkline(values: Sequence[float | None], top: float | None = None) -> str:
    """One block character per value, scaled from 0 to ``top`` (default: the largest);
    a value that is missing is a space."""
    known = [v for v in values if v is not None]
    ceiling = top if top is not None else max(known, default=0.0)
    if ceiling <= 0:
        return "".join(" " if v is None else BLOCKS[0] for v in values)
    return "".join(
        " "
        if v is None
        else BLOCKS[min(len(BLOCKS) - 1, max(0, round(v / ceiling * (len(BLOCKS) - 1))))]
        for v in values
    )


CRITERION_RUNS = 12  # the site charts a criterion's points over this many runs at most


@dataclass(frozen=True)
class CriterionTrend:
    criterion: str
    runs: tuple[int, ...]
    points: tuple[float | None, ...]  # one per run, None where not scored
    max_points: float


def criterion_trends(
    connection: Connection, kind: str, *, up_to: int, runs: int = CRITERION_RUNS
) -> dict[str, list[CriterionTrend]]:
    """For each agency, the criteria whose points moved over the last ``runs`` runs of
    ``kind`` up to run ``up_to``, with their points in each: the moved ones are found in SQL,
    so a quiet night reads little."""
    recent = select(RUN.c.id).where(RUN.c.kind == kind, RUN.c.id <= up_to)
    ids = sorted(connection.scalars(recent.order_by(RUN.c.id.desc()).limit(runs)))
    if len(ids) < 2:
        return {}
    window = SCORE.c.run_id.in_(ids)
    moved = (
        select(SCORE.c.agency_code, SCORE.c.criterion_id)
        .where(window)
        .group_by(SCORE.c.agency_code, SCORE.c.criterion_id)
        .having(
            or_(
                func.min(SCORE.c.points) != func.max(SCORE.c.points),
                and_(func.count(SCORE.c.points) > 0, func.count(SCORE.c.points) != func.count()),
            )
        )
        .subquery()
    )
    query = (
        select(SCORE.c.agency_code, SCORE.c.criterion_id, SCORE.c.run_id, SCORE.c.points)
        .add_columns(SCORE.c.max_points)
        .join(
            moved,
            and_(
                moved.c.agency_code == SCORE.c.agency_code,
                moved.c.criterion_id == SCORE.c.criterion_id,
            ),
        )
        .where(window)
    )
    found: dict[tuple[str, str], dict[int, str | None]] = {}
    tops: dict[tuple[str, str], str] = {}
    for row in connection.execute(query):
        found.setdefault((row.agency_code, row.criterion_id), {})[row.run_id] = row.points
        tops[(row.agency_code, row.criterion_id)] = row.max_points
    lines: dict[str, list[CriterionTrend]] = {}
    for (code, criterion), by_run in sorted(found.items()):
        points = tuple(None if by_run.get(i) is None else float(by_run[i] or 0) for i in ids)
        top = float(tops[(code, criterion)])
        lines.setdefault(code, []).append(CriterionTrend(criterion, tuple(ids), points, top))
    return lines
