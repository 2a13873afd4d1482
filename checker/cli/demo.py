"""The demo command: a fictional city end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import httpx
import typer
from sqlalchemy import Engine

from checker.cli.app import (
    DEMO_TOKEN,
    DEMO_YEAR,
    Settings,
    _settings,
    app,
    user_errors,
)
from checker.cli.ingest import _print_load
from checker.cli.scoring import _criteria_by_id, _print_score, run_scoring
from checker.cli.sync import _print_sync, run_sync
from checker.config import Deployment, EdxmlSource
from checker.demo.city import DEMO_TOKEN_ENV, SIMULATOR_URL, build_demo_workspace
from checker.demo.simulated_data import demo_agency_codes, generate_dataset
from checker.demo.simulator import Simulator
from checker.reports.report import build_report, render_table
from checker.store.loader import load
from connectors.edxml_source import read_edxml
from connectors.http import build_client
from connectors.mapping import HttpSource
from metrics.period import Period


@app.command("demo")
@user_errors
def demo_command(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Option(help="Workspace to (re)build.")] = Path("checker-demo"),
) -> None:
    """Build a fictional city's workspace, ingest a year of its traffic, score and report."""
    workspace = build_demo_workspace(folder, year=DEMO_YEAR)
    typer.echo(
        f"Demo workspace {workspace.folder}: {workspace.messages_written} edXML messages "
        f"({workspace.malformed_written} of them malformed, on purpose)."
    )
    settings = Settings(workspace.config_path, _settings(ctx).db_url)
    deployment = settings.required_deployment()
    with settings.store(deployment) as engine:
        for source in deployment.sources:
            if not isinstance(source, EdxmlSource):
                continue
            typer.echo(f"Ingesting source {source.name} …")
            summary = load(
                engine, read_edxml(source.paths, source.name, source.patterns), source=source.name
            )
            _print_load(summary, False)
        _demo_sync(engine, deployment)
        period = Period.year(DEMO_YEAR)
        outcome = run_scoring(engine, deployment, period, None, None)
        _print_score(outcome, period, False)
        criteria_sets = _criteria_by_id(deployment)
        order = [g.id for g in deployment.groups]
        with engine.connect() as connection:
            report = build_report(connection, criteria_sets, outcome.run_id, None, order)
            shown = report.groups[0].ranking[-1].code
            detail = build_report(connection, criteria_sets, outcome.run_id, shown, order)
    typer.echo("")
    typer.echo(render_table(report.model_copy(update={"agencies": []})), nl=False)
    typer.echo("")
    typer.echo(render_table(detail.model_copy(update={"groups": []})).split("\n", 2)[2], nl=False)
    prefix = f"uv run --project {_project_hint()} checker"
    typer.echo(
        f"\nGo on in the workspace: cd {workspace.folder}, then\n"
        f"  {prefix} report --agency {shown}\n"
        f"  {prefix} evidence --agency {shown} --metric inbound.acknowledged_same_day "
        f"--year {DEMO_YEAR}"
    )


def _demo_sync(engine: Engine, deployment: Deployment) -> None:
    """Pull the demo city's software logs over real HTTP from a simulator of its own."""
    data = generate_dataset(agencies=demo_agency_codes(), year=DEMO_YEAR)
    with Simulator(data, token=DEMO_TOKEN, port=0) as simulator:
        sources = [
            s.model_copy(update={"base_url": s.base_url.replace(SIMULATOR_URL, simulator.base_url)})
            for s in deployment.sources
            if isinstance(s, HttpSource)
        ]
        demo = deployment.model_copy(update={"sources": tuple(sources)})
        typer.echo(f"Syncing {len(sources)} HTTP sources from a simulator on loopback …")

        def client(source: HttpSource) -> httpx.Client:
            return build_client(
                source.name, source.auth, source.timeouts, environ={DEMO_TOKEN_ENV: DEMO_TOKEN}
            )

        report = run_sync(
            engine, demo, sources, full=False, show_progress=True, client_factory=client
        )
    _print_sync(report, False)


def _project_hint() -> str:
    return str(Path(__file__).resolve().parents[2])
