"""``checker demo``: the fictional city end to end, as one library call.

The workspace is (re)built, its edXML sources ingested, the software's logs pulled over real
HTTP from a simulator of its own on a free loopback port, a year scored and read back as a
report, and its scorecards pre-filled, one cluster's workbook filled by an inspection team
and imported back. Each step is told to ``on_step`` as it starts or ends (for a running commentary),
sync pages to ``on_page`` and the facts worked out to ``on_facts``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
from sqlalchemy import Engine

from checker.config import Deployment, EdxmlSource, database_url, load_deployment
from checker.demo import DEMO_TOKEN, DEMO_YEAR
from checker.demo.city import (
    DEMO_TOKEN_ENV,
    SHARED,
    SIMULATOR_URL,
    DemoWorkspace,
    build_demo_workspace,
)
from checker.demo.scorecards import DemoCycle, scorecard_cycle
from checker.demo.simulated_data import demo_agency_codes, generate_dataset
from checker.demo.simulator import Simulator
from checker.jobs.score import ScoreOutcome, criteria_by_group, criteria_sets, score
from checker.jobs.sync import PageProgress, SyncReport, sync
from checker.reports.report import Report, build_report
from checker.store.engine import open_store
from checker.store.loader import LoadSummary, load
from connectors.edxml_source import read_edxml
from connectors.http import build_client
from connectors.mapping import HttpSource
from metrics.facts import FactsProgress
from metrics.period import Period


@dataclass(frozen=True)
class Ingesting:
    """An edXML source is about to be read."""

    source: str


@dataclass(frozen=True)
class Ingested:
    source: str
    summary: LoadSummary


@dataclass(frozen=True)
class Syncing:
    """The HTTP sources are about to be pulled from the simulator."""

    sources: int


DemoStep = DemoWorkspace | Ingesting | Ingested | Syncing | SyncReport | ScoreOutcome


@dataclass(frozen=True)
class DemoResult:
    """The demo's run: the rankings of every group, and the scorecard of one agency (the
    last in the first group's ranking, the one with most to fix)."""

    workspace: DemoWorkspace
    rankings: Report
    scorecard: Report
    cycle: DemoCycle
    """The scorecard cycle that followed the run: pre-fill, a cluster's workbook out to an
    inspection team and back, the cluster's result."""

    @property
    def shown_agency(self) -> str:
        return self.scorecard.agencies[0].code

    @property
    def shared_agency(self) -> str:
        """The agency some of whose documents the axis and its software both report."""
        return SHARED[0]


def run_demo(
    folder: Path,
    db_url: str | None = None,
    *,
    on_step: Callable[[DemoStep], None] | None = None,
    on_page: Callable[[PageProgress], None] | None = None,
    on_facts: FactsProgress | None = None,
) -> DemoResult:
    """Build the demo workspace in ``folder`` and run the city's year through the pipeline,
    into ``db_url`` (default: the workspace's SQLite file)."""
    step = on_step or (lambda _: None)
    workspace = build_demo_workspace(folder, year=DEMO_YEAR)
    step(workspace)
    deployment = load_deployment(workspace.config_path)
    engine = open_store(database_url(db_url, deployment))
    try:
        for source in deployment.sources:
            if isinstance(source, EdxmlSource):
                step(Ingesting(source.name))
                messages = read_edxml(source.paths, source.name, source.patterns)
                summary = load(engine, messages, source=source.name)
                step(Ingested(source.name, summary))
        step(sync_from_simulator(engine, deployment, step, on_page))
        outcome = score(engine, deployment, Period.year(DEMO_YEAR), progress=on_facts, kind="demo")
        step(outcome)
        rankings, scorecard = _reports(engine, deployment, outcome.run_id)
        cycle = scorecard_cycle(
            engine,
            deployment,
            criteria_by_group(deployment),
            outcome.run_id,
            workspace.folder / "scorecards",
            datetime(DEMO_YEAR + 1, 3, 2, 8, 0),
        )
        return DemoResult(workspace, rankings, scorecard, cycle)
    finally:
        engine.dispose()


def sync_from_simulator(
    engine: Engine,
    deployment: Deployment,
    on_step: Callable[[DemoStep], None],
    on_page: Callable[[PageProgress], None] | None,
) -> SyncReport:
    """Pull the demo city's software logs over real HTTP from a simulator of its own."""
    data = generate_dataset(agencies=demo_agency_codes(), year=DEMO_YEAR)
    with Simulator(data, token=DEMO_TOKEN, port=0) as simulator:
        sources = [
            s.model_copy(update={"base_url": s.base_url.replace(SIMULATOR_URL, simulator.base_url)})
            for s in deployment.sources
            if isinstance(s, HttpSource)
        ]
        demo = deployment.model_copy(update={"sources": tuple(sources)})
        on_step(Syncing(len(sources)))

        def client(source: HttpSource) -> httpx.Client:
            return build_client(
                source.name, source.auth, source.timeouts, environ={DEMO_TOKEN_ENV: DEMO_TOKEN}
            )

        return sync(
            engine,
            demo,
            sources,
            registry_codes=[a.code for a in deployment.agencies],
            client_factory=client,
            progress=on_page,
        )


def _reports(engine: Engine, deployment: Deployment, run_id: int) -> tuple[Report, Report]:
    """The rankings of every group, and the scorecard of the last agency of the first."""
    sets = criteria_sets(deployment)
    order = [g.id for g in deployment.groups]
    with engine.connect() as connection:
        rankings = build_report(connection, sets, run_id, None, order)
        shown = rankings.groups[0].ranking[-1].code
        scorecard = build_report(connection, sets, run_id, shown, order)
    return rankings.model_copy(update={"agencies": []}), scorecard
