"""Publishing the report site of a stored run: the report JSON's models, the documents and
files each metric did not count, written as static pages (``checker.reports.site``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine

from checker.config import Deployment
from checker.reports.report import build_report, latest_run_id
from checker.reports.site.build import SiteProgress, SiteSummary, write_site
from checker.scoring.criteria import CriteriaSet, bundled_criteria_dir, load_criteria
from checker.store.loader import vietnam_now
from checker.store.models import RUN
from checker.store.registry import write_registry
from metrics.calendar import WorkingCalendar
from metrics.evidence import evidence
from metrics.period import Period
from metrics.values import EvidenceLine
from metrics.workdays import write_period_calendar


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
    criteria_sets = criteria_by_id(deployment)
    with engine.begin() as connection:
        run_id = options.run_id or latest_run_id(connection)
        report = build_report(
            connection, criteria_sets, run_id, None, [g.id for g in deployment.groups]
        )
        lookup = _evidence(connection, deployment, run_id) if options.with_evidence else None
        return write_site(
            report,
            options.output,
            city=deployment.city,
            generated_at=vietnam_now(),
            evidence=lookup,
            progress=progress,
        )


def criteria_by_id(deployment: Deployment) -> dict[str, CriteriaSet]:
    """The criteria set of every group of the deployment, by criteria-set id."""
    directory = deployment.scoring.criteria_dir or bundled_criteria_dir()
    sets = (load_criteria(group.criteria, directory) for group in deployment.groups)
    return {criteria.id: criteria for criteria in sets}


def _evidence(connection: Connection, deployment: Deployment, run_id: int) -> _Lookup:
    run = connection.execute(RUN.select().where(RUN.c.id == run_id)).mappings().one()
    period = Period(run["period_start"], run["period_end"])
    write_registry(connection, deployment)
    calendar = WorkingCalendar.from_overrides(deployment.calendar)
    write_period_calendar(connection, calendar, period)
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
