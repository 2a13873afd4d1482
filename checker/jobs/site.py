"""Publishing the report site of a stored run: the report JSON's models, the documents and
files each metric did not count, each agency's way to the next grade, written as static
pages (``checker.reports.site``)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from sqlalchemy import Connection, Engine

from checker.clock import vietnam_now
from checker.config import Deployment
from checker.jobs.score import criteria_sets, prepare_measuring
from checker.jobs.way import Standing, agency_way, stored_standings, year_end_of
from checker.reports.changes import compare_runs, previous_run, run_ref
from checker.reports.report import build_report, latest_run_id
from checker.reports.site.build import SiteProgress, SiteSummary, write_site
from checker.reports.trend import criterion_trends, trends
from checker.reports.way import WayReport
from checker.scoring.projection import MOTION
from checker.scoring.snapshot import run_criteria
from checker.store.models import RUN
from metrics.calendar import WorkingCalendar
from metrics.evidence_batches import EvidenceBatches, stored_lines
from metrics.period import Period


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
        codes = [agency.code for agency in report.agencies]
        metrics = {c.metric for s in sets.values() for c in s.criteria if c.metric}
        read = _evidence(connection, deployment, run_id, codes, metrics)
        lookup = read.missed if options.with_evidence else None
        ways = _Ways(
            connection,
            deployment,
            read.calendar,
            read,
            stored_standings(connection, deployment, run_id),
        )
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


@dataclass(frozen=True)
class _Ways:
    """Each agency's way to the next grade from the run's points, worked out when its page
    is written (after its evidence pages, whose batch of lists it reuses)."""

    connection: Connection
    deployment: Deployment
    calendar: WorkingCalendar
    read: EvidenceBatches
    standings: Mapping[str, Standing]

    def __call__(self, code: str) -> WayReport:
        agency = self.deployment.agency(code)
        return agency_way(
            self.connection,
            self.deployment,
            agency,
            self.standings[code],
            self.calendar,
            self.read.missed,
            partial(self.read.due_by, day=year_end_of(self.standings[code].period)),
        )


def _evidence(
    connection: Connection,
    deployment: Deployment,
    run_id: int,
    codes: Sequence[str],
    metrics: Collection[str],
) -> EvidenceBatches:
    """The run's evidence of ``metrics`` (its criteria's), read for a batch of agencies at a
    time in the order the site asks (``codes``): the lines not counted over the run's
    period, and the way's whole lines of the deadlines metrics to 31 December."""
    run = connection.execute(RUN.select().where(RUN.c.id == run_id)).mappings().one()
    period = Period(run["period_start"], run["period_end"])
    calendar = prepare_measuring(connection, deployment, period)
    deadlines = {metric for metric, motion in MOTION.items() if motion == "deadlines"}
    return EvidenceBatches(
        connect=lambda: nullcontext(connection),
        calendar=calendar,
        codes=codes,
        period_of=dict.fromkeys(codes, period),
        lines=stored_lines(connection, dict.fromkeys(codes, run_id), metrics, deadlines),
        files=deployment.files,
    )
