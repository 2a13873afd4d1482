"""The demo command: a fictional city end to end (``checker.demo.run``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from checker.cli.app import DbOption, OutputFormat, app, use_settings, user_errors
from checker.demo import DEMO_YEAR

if TYPE_CHECKING:
    from checker.demo.run import DemoResult, DemoStep


@app.command("demo")
@user_errors
def demo_command(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Option(help="Workspace to (re)build.")] = Path("checker-demo"),
    db: DbOption = None,
) -> None:
    """Build a fictional city's workspace, ingest a year of its traffic, score and report."""
    from checker.cli.progress import sync_bars
    from checker.demo.run import run_demo

    db_url = use_settings(ctx, None, db).db_url
    with sync_bars(True) as on_page:
        result = run_demo(folder, db_url, on_step=_print_step, on_page=on_page)
    _print_result(result)


def _print_step(step: DemoStep) -> None:
    from checker.cli.output import print_load, print_score, print_sync
    from checker.demo.city import DemoWorkspace
    from checker.demo.run import Ingested, Ingesting, Syncing
    from checker.jobs.score import ScoreOutcome
    from checker.jobs.sync import SyncReport

    table = OutputFormat.table
    match step:
        case DemoWorkspace():
            typer.echo(
                f"Demo workspace {step.folder}: {step.messages_written} edXML messages "
                f"({step.malformed_written} of them malformed, on purpose)."
            )
        case Ingesting():
            typer.echo(f"Ingesting source {step.source} …")
        case Ingested():
            print_load(step.summary, table)
        case Syncing():
            typer.echo(f"Syncing {step.sources} HTTP sources from a simulator on loopback …")
        case SyncReport():
            print_sync(step, table)
        case ScoreOutcome():
            print_score(step, table)


def _print_result(result: DemoResult) -> None:
    from checker.reports.report import render_table

    typer.echo("")
    typer.echo(render_table(result.rankings), nl=False)
    typer.echo("")
    typer.echo(
        render_table(result.scorecard.model_copy(update={"groups": []})).split("\n", 2)[2], nl=False
    )
    _print_cycle(result)
    prefix = f"uv run --project {_project_hint()} checker"
    shown = result.shown_agency
    typer.echo(
        f"\nGo on in the workspace: cd {result.workspace.folder}, then\n"
        f"  {prefix} report --agency {shown}\n"
        f"  {prefix} evidence --agency {shown} --metric inbound.acknowledged_same_day "
        f"--year {DEMO_YEAR}"
    )


def _print_cycle(result: DemoResult) -> None:
    """The scorecard cycle: pre-fill, the inspection team's workbook, the cluster's result."""
    from checker.config import load_deployment
    from checker.jobs.scorecards import nomination_text
    from checker.reports.workbook import grade_text

    cycle, done = result.cycle, result.cycle.prefilled
    deployment = load_deployment(result.workspace.config_path)
    typer.echo(
        f"\nScorecards {done.year}: {len(done.assessments)} pre-filled from run {done.run_id} "
        f"({done.entries} measured entries frozen)."
    )
    typer.echo(f"Exported the cluster's workbook: scorecards/{cycle.exported.name}")
    imported = cycle.imported
    if imported.error is not None:
        typer.echo(f"Refused: {imported.error}")
    else:
        typer.echo(
            f"Imported the inspection team's workbook scorecards/{cycle.filled.name}: "
            f"{imported.entries} entries recorded"
        )
    cluster = next(c for c in deployment.clusters if c.id == cycle.cluster)
    typer.echo(f"\n{cluster.name} — cụm trưởng {cycle.summary.names[cluster.leader]}")
    members = sorted(
        (r for r in cycle.summary.ranked if r.cluster == cluster.id),
        key=lambda r: (r.cluster_rank or 0, r.card.agency_code),
    )
    for ranked in members:
        name = cycle.summary.names[ranked.card.agency_code]
        typer.echo(f"  {ranked.cluster_rank}. {name:<28} {grade_text(ranked.standing)}")
    nomination = next(n for n in cycle.summary.clusters if n.among == cluster.id)
    typer.echo(f"  Đề nghị — {nomination_text(nomination)}")


def _project_hint() -> str:
    return str(Path(__file__).resolve().parents[2])
