"""Commands for the software's HTTP logs: sync, and the simulator of them."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer
from rich.progress import TaskID
from sqlalchemy import Engine

from checker.cli.app import (
    DEMO_TOKEN,
    DEMO_YEAR,
    _settings,
    app,
    progress_bars,
    user_errors,
)
from checker.config import Deployment
from checker.demo.simulated_data import demo_agency_codes, generate_dataset
from checker.demo.simulator import FaultPlan, Simulator, check_free, serve
from checker.errors import ConfigError
from checker.jobs.sync import ClientFactory, PageProgress, SyncReport, default_client, sync
from connectors.mapping import HttpSource


@app.command("sync")
@user_errors
def sync_command(
    ctx: typer.Context,
    source: Annotated[
        str | None, typer.Option(help="Only this source (default: every http source).")
    ] = None,
    full: Annotated[bool, typer.Option(help="Forget the cursors and read everything.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Pull the document-management and archive software's logs over HTTP, incrementally.
    Exits with status 1 when any source failed."""
    settings = _settings(ctx)
    deployment = settings.required_deployment()
    sources = _http_sources(deployment, source)
    with settings.store(deployment) as engine:
        report = run_sync(engine, deployment, sources, full=full, show_progress=not as_json)
    _print_sync(report, as_json)
    if not report.ok:
        raise typer.Exit(1)


def _http_sources(deployment: Deployment, name: str | None) -> list[HttpSource]:
    sources = [s for s in deployment.sources if isinstance(s, HttpSource)]
    if name is not None:
        sources = [s for s in sources if s.name == name]
        if not sources:
            known = ", ".join(s.name for s in deployment.sources if isinstance(s, HttpSource))
            raise ConfigError(f"no http source named {name!r} (http sources: {known or 'none'})")
    return sources


def run_sync(
    engine: Engine,
    deployment: Deployment,
    sources: list[HttpSource],
    *,
    full: bool,
    show_progress: bool,
    client_factory: ClientFactory = default_client,
) -> SyncReport:
    """Sync with a progress bar per source on the terminal (none when not a terminal)."""
    with progress_bars(show_progress) as bars:
        tasks: dict[tuple[str, str, str], TaskID] = {}

        def progress(page: PageProgress) -> None:
            key = (page.source, page.endpoint, page.agency)
            if key not in tasks:
                label = f"{page.source} {page.endpoint} {page.agency}"
                tasks[key] = bars.add_task(label, total=page.total)
            bars.update(tasks[key], advance=page.records + page.quarantined, total=page.total)

        return sync(
            engine,
            deployment,
            sources,
            registry_codes=[a.code for a in deployment.agencies],
            full=full,
            client_factory=client_factory,
            progress=progress,
        )


def _print_sync(report: SyncReport, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"ok": report.ok, "sources": [asdict(r) for r in report.sources]}))
        return
    for r in report.sources:
        typer.echo(
            f"{r.source}: {r.status} — {r.pages} pages, {r.records} records stored, "
            f"{r.quarantined} set aside, {r.retries} retries"
        )


@app.command("simulate")
@user_errors
def simulate_command(
    size: Annotated[int, typer.Option(min=1, help="Volume: 1 is a year of a small city.")] = 1,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: any free port).")] = 8765,
    token: Annotated[str, typer.Option(help="Bearer token clients must send.")] = DEMO_TOKEN,
    faults: Annotated[
        str,
        typer.Option(
            help="Injected faults, e.g. rate_limit_every=5,error_every=7,retry_after=1 "
            "(also slow_every, slow_seconds, truncate_every, invalid_record_every)."
        ),
    ] = "",
    year: Annotated[int, typer.Option(help="Year of the generated logs.")] = DEMO_YEAR,
) -> None:
    """Serve the reference log API of the demo city's document-management and archive
    software on loopback, until Ctrl-C."""
    check_free(port)
    plan = FaultPlan.parse(faults) if faults else FaultPlan()
    data = generate_dataset(agencies=demo_agency_codes(), year=year, size=size)

    def ready(simulator: Simulator) -> None:
        typer.echo(f"Serving {sum(data.counts().values())} records at {simulator.base_url}")
        typer.echo(f"  document-management API: {simulator.base_url}/api/v1")
        typer.echo(f"  archive API:             {simulator.base_url}/archive/v1")
        typer.echo("Press Ctrl-C to stop.")

    serve(data, port=port, token=token, faults=plan, on_ready=ready)
