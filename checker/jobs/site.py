"""Publishing the report site of a stored run: the report JSON's models, the documents and
files each metric did not count, each agency's way to the next grade, written as static
pages (``checker.reports.site``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
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
from checker.scoring.snapshot import run_criteria
from checker.store.models import RUN
from metrics.calendar import WorkingCalendar
from metrics.evidence import missed_by_agency
from metrics.period import Period
from metrics.transfers import transfers_evidence_by_agency
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
        codes = [agency.code for agency in report.agencies]
        read = _evidence(connection, deployment, run_id, codes)
        lookup = read if options.with_evidence else None
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
    read: _Lookup
    standings: Mapping[str, Standing]

    def __call__(self, code: str) -> WayReport:
        agency = self.deployment.agency(code)
        return agency_way(
            self.connection,
            self.deployment,
            agency,
            self.standings[code],
            self.calendar,
            self.read,
            self.read.all_lines,
        )


def _evidence(
    connection: Connection, deployment: Deployment, run_id: int, codes: Sequence[str]
) -> _Lookup:
    run = connection.execute(RUN.select().where(RUN.c.id == run_id)).mappings().one()
    period = Period(run["period_start"], run["period_end"])
    calendar = prepare_measuring(connection, deployment, period)
    return _Lookup(connection, period, calendar, deployment, codes)


BATCH = 100
"""Agencies whose evidence one query reads (for each metric): the site asks for the
agencies in order, so a batch's lines are read together and forgotten at the next batch."""


@dataclass
class _Lookup:
    """The lines a metric did not count for an agency over the run's period (called), and
    the files of a deadlines metric due by 31 December as they stood at the run's end
    (``all_lines``, the way's deadlines): read for ``BATCH`` agencies at once, the first
    time one of them is asked for."""

    connection: Connection
    period: Period
    calendar: WorkingCalendar
    deployment: Deployment
    codes: Sequence[str]
    _read: dict[tuple[int, str, date | None], dict[str, list[EvidenceLine]]] = field(
        default_factory=dict
    )
    _batch_of: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._batch_of = {code: n // BATCH for n, code in enumerate(self.codes)}

    def __call__(self, agency: str, metric_id: str) -> Sequence[EvidenceLine]:
        return self._lines(agency, metric_id, None)

    def all_lines(self, agency: str, metric_id: str) -> Sequence[EvidenceLine]:
        return self._lines(agency, metric_id, year_end_of(self.period))

    def _lines(self, agency: str, metric_id: str, due_by: date | None) -> list[EvidenceLine]:
        batch = self._batch_of[agency]
        key = (batch, metric_id, due_by)
        if key not in self._read:
            self._read = {k: lines for k, lines in self._read.items() if k[0] == batch}
            codes = self.codes[batch * BATCH : (batch + 1) * BATCH]
            files = self.deployment.files
            self._read[key] = (
                missed_by_agency(
                    self.connection, codes, metric_id, self.period, self.calendar, files
                )
                if due_by is None
                else transfers_evidence_by_agency(
                    self.connection, codes, metric_id, self.period, files, due_by=due_by
                )
            )
        return self._read[key].get(agency, [])
