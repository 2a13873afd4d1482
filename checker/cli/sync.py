"""Commands for the software's HTTP logs: sync, and the simulator of them."""

from __future__ import annotations

from typing import Annotated

import typer

from checker.cli.app import (
    ConfigOption,
    DbOption,
    FormatOption,
    OutputFormat,
    app,
    use_settings,
    user_errors,
)
from checker.demo import DEMO_TOKEN, DEMO_YEAR
from checker.i18n import N_, _


@app.command(
    "sync",
    help=N_(
        "Pull the document-management and archive software's logs over HTTP, incrementally. "
        "Exits with status 1 when any source failed."
    ),
)
@user_errors
def sync_command(
    ctx: typer.Context,
    source: Annotated[
        str | None, typer.Option(help=N_("Only this source (default: every http source)."))
    ] = None,
    full: Annotated[bool, typer.Option(help=N_("Forget the cursors and read everything."))] = False,
    output: FormatOption = OutputFormat.table,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from checker.cli.output import print_sync
    from checker.cli.progress import sync_bars
    from checker.jobs.sync import http_sources, sync

    settings = use_settings(ctx, config, db)
    deployment = settings.required_deployment(agencies=False)
    sources = http_sources(deployment, source)
    show = output is OutputFormat.table
    with settings.store(deployment) as engine, sync_bars(show) as progress:
        codes = [a.code for a in deployment.agencies]
        report = sync(
            engine, deployment, sources, registry_codes=codes, full=full, progress=progress
        )
    print_sync(report, output)
    if not report.ok:
        raise typer.Exit(1)


@app.command(
    "simulate",
    help=N_(
        "Serve the reference log API of the demo city's document-management, archive and "
        "one-stop-shop software on loopback, until Ctrl-C."
    ),
)
@user_errors
def simulate_command(
    size: Annotated[int, typer.Option(min=1, help=N_("Volume: 1 is a year of a small city."))] = 1,
    port: Annotated[int, typer.Option(help=N_("Port on 127.0.0.1 (0: any free port)."))] = 8765,
    token: Annotated[str, typer.Option(help=N_("Bearer token clients must send."))] = DEMO_TOKEN,
    faults: Annotated[
        str,
        typer.Option(
            help=N_(
                "Injected faults, e.g. rate_limit_every=5,error_every=7,retry_after=1 "
                "(also slow_every, slow_seconds, truncate_every, invalid_record_every)."
            )
        ),
    ] = "",
    year: Annotated[int, typer.Option(help=N_("Year of the generated logs."))] = DEMO_YEAR,
    latency: Annotated[
        float,
        typer.Option(
            min=0, max=60_000, help=N_("Milliseconds each answer waits, as across a network (0).")
        ),
    ] = 0.0,
    agencies: Annotated[
        int | None,
        typer.Option(
            min=1, help=N_("Serve this many generated agencies instead of the demo city's.")
        ),
    ] = None,
) -> None:
    from checker.demo.simulated_data import (
        demo_agency_codes,
        generate_dataset,
        province_agency_codes,
    )
    from checker.demo.simulator import FaultPlan, Simulator, check_free, serve

    plan = FaultPlan.parse(faults) if faults else FaultPlan()  # what was typed, first
    check_free(port)
    codes = province_agency_codes(agencies) if agencies else demo_agency_codes()
    data = generate_dataset(agencies=codes, year=year, size=size)

    def ready(simulator: Simulator) -> None:
        records, url = sum(data.counts().values()), simulator.base_url
        typer.echo(_("Serving {records} records at {url}").format(records=records, url=url))
        typer.echo("  " + _("document-management API: {url}").format(url=f"{url}/api/v1"))
        typer.echo("  " + _("archive API: {url}").format(url=f"{url}/archive/v1"))
        typer.echo("  " + _("one-stop-shop API: {url}").format(url=f"{url}/onestop/v1"))
        typer.echo(_("Press Ctrl-C to stop."))

    serve(data, port=port, token=token, faults=plan, latency=latency / 1000, on_ready=ready)
