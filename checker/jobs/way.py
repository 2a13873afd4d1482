"""``checker way``: an agency's way to the next grade, mid-year.

The points come from a stored run (``--run``), or are measured afresh for the year to a day
(today by default) without storing a run. Then, for each measured criterion, the year-end
figures at the current rate (``checker.scoring.projection``) and the documents or files that
work can still count (``metrics.evidence``: the items not counted, and for transfers the
files due by 31 December whose deadline has not passed); then the search for the smallest
set of criteria that reaches the next grade (``checker.scoring.next_grade``). The words and
shapes people read are ``checker.reports.way``'s.

Everything is as the agency stood on the period's last day, with the cut ``score --as-of``
uses (``metrics``): documents arriving or issued after it are not counted, and a transfer
dated after it had not happened, so its file is still to transfer (even the files due by 31
December are judged on that day, as ``overdue --as-of`` judges them). A way as of a past
day is the one a store holding only what was there by that day gives.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, Engine, select

from checker.config import Agency, Deployment
from checker.errors import StorageError
from checker.i18n import _
from checker.jobs.score import criteria_by_group, criteria_sets, manual_points, prepare_measuring
from checker.reports.report import latest_run_id
from checker.reports.way import WayReport, build_way
from checker.scoring.coverage import check_measured
from checker.scoring.criteria import CriteriaSet
from checker.scoring.next_grade import Outlook, levers_of, outlook, plan_next_grade
from checker.scoring.projection import FIXABLE, MOTION, Pace, achieved, year_end
from checker.scoring.runs import score_agencies
from checker.scoring.snapshot import run_criteria
from checker.store.models import AGENCY_RESULT, METRIC_VALUE, RUN, SCORE
from metrics.calendar import WorkingCalendar
from metrics.evidence import evidence
from metrics.measure import measure_all
from metrics.period import Period, measurable_period
from metrics.transfers import transfers_evidence_by_agency
from metrics.values import EvidenceLine


@dataclass(frozen=True)
class Standing:
    """Where an agency stands in a period: its criteria set, criterion points (None: not
    measured or not entered) and metric counts as measured (numerator, denominator)."""

    criteria: CriteriaSet
    period: Period
    run_id: int | None
    points: Mapping[str, Decimal | None]
    values: Mapping[str, tuple[int, int]]


def way_to_next_grade(
    engine: Engine,
    deployment: Deployment,
    agency_code: str,
    *,
    run_id: int | None = None,
    as_of: date | None = None,
    today: date,
) -> WayReport:
    """The way to the next grade of the agency carrying ``agency_code``: from the stored run
    ``run_id``, or measured for the year to ``as_of`` (``today`` when not given)."""
    agency = deployment.agency(agency_code)
    with engine.begin() as connection:
        if run_id is not None:
            standing = stored_standing(connection, deployment, agency, run_id)
            calendar = prepare_measuring(connection, deployment, standing.period)
        else:
            period = measurable_period(None, as_of, today)
            calendar = prepare_measuring(connection, deployment, period)
            standing = measured_standing(connection, deployment, agency, period, calendar)
        return agency_way(connection, deployment, agency, standing, calendar)


def latest_run(engine: Engine) -> int:
    with engine.connect() as connection:
        return latest_run_id(connection)


def stored_standing(
    connection: Connection, deployment: Deployment, agency: Agency, run_id: int
) -> Standing:
    """The agency's standing as the run ``run_id`` stored it."""
    run = connection.execute(select(RUN).where(RUN.c.id == run_id)).mappings().one_or_none()
    if run is None:
        raise StorageError(_("there is no scoring run {run} in the store").format(run=run_id))
    result = connection.execute(
        select(AGENCY_RESULT.c.criteria).where(
            AGENCY_RESULT.c.run_id == run_id, AGENCY_RESULT.c.agency_code == agency.code
        )
    ).scalar_one_or_none()
    if result is None:
        message = _("agency {agency} is not in scoring run {run}")
        raise StorageError(message.format(agency=agency.code, run=run_id))
    sets = run_criteria(connection, run_id) or criteria_sets(deployment)
    scores = connection.execute(
        select(SCORE.c.criterion_id, SCORE.c.points).where(
            SCORE.c.run_id == run_id, SCORE.c.agency_code == agency.code
        )
    )
    values = connection.execute(
        select(
            METRIC_VALUE.c.metric_id, METRIC_VALUE.c.numerator, METRIC_VALUE.c.denominator
        ).where(METRIC_VALUE.c.run_id == run_id, METRIC_VALUE.c.agency_code == agency.code)
    )
    return Standing(
        criteria=sets[result],
        period=Period(run["period_start"], run["period_end"]),
        run_id=run_id,
        points={r.criterion_id: None if r.points is None else Decimal(r.points) for r in scores},
        values={r.metric_id: (r.numerator, r.denominator) for r in values},
    )


def stored_standings(
    connection: Connection, deployment: Deployment, run_id: int
) -> dict[str, Standing]:
    """:func:`stored_standing` of every agency of the run ``run_id``, by code: three queries
    whatever the number of agencies."""
    run = connection.execute(select(RUN).where(RUN.c.id == run_id)).mappings().one_or_none()
    if run is None:
        raise StorageError(_("there is no scoring run {run} in the store").format(run=run_id))
    sets = run_criteria(connection, run_id) or criteria_sets(deployment)
    period = Period(run["period_start"], run["period_end"])
    points: dict[str, dict[str, Decimal | None]] = {}
    scores = select(SCORE.c.agency_code, SCORE.c.criterion_id, SCORE.c.points)
    for row in connection.execute(scores.where(SCORE.c.run_id == run_id)):
        value = None if row.points is None else Decimal(row.points)
        points.setdefault(row.agency_code, {})[row.criterion_id] = value
    values: dict[str, dict[str, tuple[int, int]]] = {}
    metric = METRIC_VALUE.c
    counts = select(metric.agency_code, metric.metric_id, metric.numerator, metric.denominator)
    for code, metric_id, numerator, denominator in connection.execute(
        counts.where(metric.run_id == run_id)
    ):
        values.setdefault(code, {})[metric_id] = (numerator, denominator)
    results = select(AGENCY_RESULT.c.agency_code, AGENCY_RESULT.c.criteria)
    return {
        code: Standing(
            criteria=sets[criteria],
            period=period,
            run_id=run_id,
            points=points.get(code, {}),
            values=values.get(code, {}),
        )
        for code, criteria in connection.execute(results.where(AGENCY_RESULT.c.run_id == run_id))
    }


def measured_standing(
    connection: Connection,
    deployment: Deployment,
    agency: Agency,
    period: Period,
    calendar: WorkingCalendar,
) -> Standing:
    """The agency's standing measured now over ``period``, with the deployment's manual
    points; nothing is stored. A ``NoDataError``, as ``score`` gives, when no metric of any
    agency had anything to count."""
    values = measure_all(connection, period, calendar, deployment.files)
    sets = criteria_by_group(deployment)
    if any(c.kind == "measured" for c in sets[agency.group].criteria):
        check_measured(connection, period, values, [s.name for s in deployment.sources])
    entered, source = manual_points(deployment)
    scores = score_agencies(deployment, sets, values, entered, source)
    mine = next(s for s in scores if s.agency.code == agency.code)
    return Standing(
        criteria=sets[agency.group],
        period=period,
        run_id=None,
        points={c.criterion_id: c.points for c in mine.criteria},
        values={
            v.metric_id: (v.numerator, v.denominator)
            for v in values
            if v.agency_code == agency.code
        },
    )


def agency_way(
    connection: Connection,
    deployment: Deployment,
    agency: Agency,
    standing: Standing,
    calendar: WorkingCalendar,
    lines: Callable[[str, str], Sequence[EvidenceLine]] | None = None,
    all_lines: Callable[[str, str], Sequence[EvidenceLine]] | None = None,
) -> WayReport:
    """The way from ``standing``: year-end outlooks, levers, the plan, as a report.
    ``lines(agency, metric)``, when given, is the evidence not counted over the standing's
    period already read (the site's), used instead of reading it again; ``all_lines(agency,
    metric)``, when given, reads the files of a deadlines metric due by 31 December as they
    stood at the period's end (the site reads them for many agencies at once) instead of
    ``metrics.transfers``."""
    finder = _OpenItems(
        connection, deployment, agency.code, standing.period, calendar, lines, all_lines
    )
    pace = Pace.of(standing.period.end)
    outlooks: list[Outlook] = []
    for section in standing.criteria.sections:
        for criterion in section.criteria:
            if criterion.metric is None:
                continue
            raw = standing.values.get(criterion.metric, (0, 0))
            numerator, denominator = achieved(criterion.metric, *raw)
            items, due = finder.open_items(criterion.metric)
            end = year_end(criterion.metric, numerator, denominator, pace, due)
            points = standing.points.get(criterion.id)
            outlooks.append(outlook(section.id, criterion, end, points, items))
    levers = levers_of(standing.criteria, standing.points, outlooks)
    plan = plan_next_grade(standing.criteria, standing.points, levers)
    return build_way(
        agency=agency,
        group_name=next((g.name for g in deployment.groups if g.id == agency.group), agency.group),
        criteria=standing.criteria,
        period=standing.period,
        run_id=standing.run_id,
        points=standing.points,
        outlooks=outlooks,
        plan=plan,
    )


def year_end_of(period: Period) -> date:
    """31 December of the year the period ends in."""
    return date(period.end.year, 12, 31)


@dataclass
class _OpenItems:
    """The items work can still count for a metric, read once per metric."""

    connection: Connection
    deployment: Deployment
    agency_code: str
    period: Period
    calendar: WorkingCalendar
    read: Callable[[str, str], Sequence[EvidenceLine]] | None = None
    read_all: Callable[[str, str], Sequence[EvidenceLine]] | None = None

    def __post_init__(self) -> None:
        self._seen: dict[str, tuple[list[EvidenceLine], tuple[int, int] | None]] = {}

    def open_items(self, metric_id: str) -> tuple[list[EvidenceLine], tuple[int, int] | None]:
        """(the items, and for a deadlines metric (counted, due) by 31 December)."""
        if metric_id not in self._seen:
            self._seen[metric_id] = self._read(metric_id)
        return self._seen[metric_id]

    def _read(self, metric_id: str) -> tuple[list[EvidenceLine], tuple[int, int] | None]:
        if MOTION[metric_id] == "deadlines":
            lines = [line for line in self._due_by_year_end(metric_id) if line.measured]
            due = (sum(1 for line in lines if line.counted), len(lines))
            still = [
                line
                for line in lines
                if not line.counted and line.day is not None and line.day >= self.period.end
            ]
            return still, due
        if metric_id in FIXABLE:
            lines = (
                list(self.read(self.agency_code, metric_id))
                if self.read is not None
                else self._lines(metric_id, self.period)
            )
            return [line for line in lines if line.measured and not line.counted], None
        return [], None

    def _lines(self, metric_id: str, period: Period) -> list[EvidenceLine]:
        return evidence(
            self.connection,
            self.agency_code,
            metric_id,
            period,
            self.calendar,
            self.deployment.files,
        )

    def _due_by_year_end(self, metric_id: str) -> list[EvidenceLine]:
        """The files of a deadlines metric due by 31 December, as they stood at the
        period's end: a transfer dated after it had not happened yet, so its file is
        still to transfer (``metrics.transfers``)."""
        if self.read_all is not None:
            return list(self.read_all(self.agency_code, metric_id))
        found = transfers_evidence_by_agency(
            self.connection,
            [self.agency_code],
            metric_id,
            self.period,
            self.deployment.files,
            due_by=year_end_of(self.period),
        )
        return found.get(self.agency_code, [])
