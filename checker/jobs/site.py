"""Publishing the report site of a stored run: the report JSON's models, the documents and
files each metric did not count, each agency's way to the next grade, written as static
pages (``checker.reports.site``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine

from checker.clock import vietnam_now
from checker.config import Deployment
from checker.jobs.score import criteria_sets, prepare_measuring
from checker.jobs.way import agency_way, stored_standing
from checker.reports.changes import compare_runs, previous_run, run_ref
from checker.reports.report import build_report, latest_run_id
from checker.reports.site.build import SiteProgress, SiteSummary, write_site
from checker.reports.trend import criterion_trends, trends
from checker.reports.way import WayReport
from checker.scoring.snapshot import run_criteria
from checker.store.models import RUN
from metrics.calendar import WorkingCalendar
from metrics.evidence import evidence
from metrics.period import Period
from metrics.values import EvidenceLine


@dataclass(frozen=True)
class SiteOptions:
    output: Path
    run_id: int | None = None  # None: the latest run
    with_evidence: bool = True


def publish_site(
    engine: Engine,
    deployment: Deployment,
    options: SiteOptions,
    progress: SiteProgress | None = None,
) -> SiteSummary:
    """Write the site of a stored run (the latest by default) into ``options.output``;
    ``progress(agencies_done, agencies)`` follows it."""
    with engine.begin() as connection:
        run_id = latest_run_id(connection) if options.run_id is None else options.run_id
        sets = run_criteria(connection, run_id) or criteria_sets(deployment)
        report = build_report(connection, sets, run_id, None, [g.id for g in deployment.groups])
        read = _evidence(connection, deployment, run_id)
        lookup = _Recent(read) if options.with_evidence else None
        ways = _Ways(connection, deployment, run_id, read.calendar, lookup)
        this, before = run_ref(connection, run_id), previous_run(connection, run_id)
        changes = None if before is None else compare_runs(connection, before, this)
        return write_site(
            report,
            options.output,
            city=deployment.city,
            generated_at=vietnam_now(),
            evidence=lookup,
            progress=progress,
            changes=changes,
            trends=trends(connection, this.kind, up_to=run_id),
            criterion_trends=criterion_trends(connection, this.kind, up_to=run_id),
            ways=ways,
        )


@dataclass
class _Recent:
    """The evidence lookup, keeping the last agency's lists: the site reads them for the
    agency's evidence pages, then its way reads the same lists again (one agency at a time,
    so memory holds one agency's documents, not a province's)."""

    read: Callable[[str, str], Sequence[EvidenceLine]]
    agency: str = ""
    kept: dict[str, Sequence[EvidenceLine]] = field(default_factory=dict)

    def __call__(self, agency: str, metric_id: str) -> Sequence[EvidenceLine]:
        if agency != self.agency:
            self.agency, self.kept = agency, {}
        if metric_id not in self.kept:
            self.kept[metric_id] = self.read(agency, metric_id)
        return self.kept[metric_id]


@dataclass(frozen=True)
class _Ways:
    """Each agency's way to the next grade from the run's points, worked out when its page
    is written (after its evidence pages, whose lists it reuses)."""

    connection: Connection
    deployment: Deployment
    run_id: int
    calendar: WorkingCalendar
    lines: Callable[[str, str], Sequence[EvidenceLine]] | None

    def __call__(self, code: str) -> WayReport:
        agency = self.deployment.agency(code)
        standing = stored_standing(self.connection, self.deployment, agency, self.run_id)
        return agency_way(
            self.connection, self.deployment, agency, standing, self.calendar, self.lines
        )


def _evidence(connection: Connection, deployment: Deployment, run_id: int) -> _Lookup:
    run = connection.execute(RUN.select().where(RUN.c.id == run_id)).mappings().one()
    period = Period(run["period_start"], run["period_end"])
    calendar = prepare_measuring(connection, deployment, period)
    return _Lookup(connection, period, calendar, deployment)


@dataclass(frozen=True)
class _Lookup:
    """The evidence of a metric for an agency over the run's period, read when asked."""

    connection: Connection
    period: Period
    calendar: WorkingCalendar
    deployment: Deployment

    def __call__(self, agency: str, metric_id: str) -> Sequence[EvidenceLine]:
        return evidence(
            self.connection,
            agency,
            metric_id,
            self.period,
            self.calendar,
            self.deployment.files,
        )
