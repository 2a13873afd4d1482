"""The demo command: a fictional city end to end (``checker.demo.run``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from checker.cli.app import DbOption, OutputFormat, app, use_settings, user_errors
from checker.demo import DEMO_YEAR
from checker.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from checker.demo.run import DemoResult, DemoStep


@app.command(
    "demo",
    help=N_("Build a fictional city's workspace, ingest a year of its traffic, score and report."),
)
@user_errors
def demo_command(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Option(help=N_("Workspace to (re)build."))] = Path(
        "checker-demo"
    ),
    db: DbOption = None,
) -> None:
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
            line = _(
                "Demo workspace {folder}: {messages} edXML messages "
                "({malformed} of them malformed, on purpose)."
            )
            typer.echo(
                line.format(
                    folder=step.folder,
                    messages=step.messages_written,
                    malformed=step.malformed_written,
                )
            )
        case Ingesting():
            typer.echo(_("Ingesting source {source} …").format(source=step.source))
        case Ingested():
            print_load(step.summary, table)
        case Syncing():
            syncing = ngettext(
                "Syncing {n} HTTP source from a simulator on loopback …",
                "Syncing {n} HTTP sources from a simulator on loopback …",
                step.sources,
            )
            typer.echo(syncing.format(n=step.sources))
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
    shown, run = result.shown_agency, result.rankings.run.id
    typer.echo("")
    typer.echo(
        _("Go on in the workspace: {command}, then").format(command=f"cd {result.workspace.folder}")
    )
    typer.echo(
        f"  {prefix} report --agency {shown}\n"
        f"  {prefix} evidence --agency {shown} --metric inbound.acknowledged_same_day "
        f"--year {DEMO_YEAR}\n"
        f"  {prefix} way --agency {shown} --run {run}\n"
        f"  {prefix} scorecards summary --year {DEMO_YEAR}\n"
        f"  {prefix} scorecards claims --year {DEMO_YEAR}\n"
        f"  {prefix} score --year {DEMO_YEAR}\n"
        f"  {prefix} runs diff {run} {run + 1}\n"
        f"  {prefix} site --output site\n"
        f"  {prefix} --lang en site --output site-en"
    )
    shared = (
        f"{prefix} evidence --agency {result.shared_agency} --metric inbound.received_axis "
        f"--year {DEMO_YEAR}"
    )
    typer.echo(
        _(
            "Documents that reached the store through two systems (the axis and the software), "
            "one document each, and where the systems disagree: {command}"
        ).format(command=shared)
    )


def _print_cycle(result: DemoResult) -> None:
    """The scorecard cycle: pre-fill, the inspection team's workbook, the cluster's result."""
    from checker.config import load_deployment
    from checker.jobs.scorecards import nomination_text
    from checker.reports.workbook import grade_text

    cycle, done = result.cycle, result.cycle.prefilled
    deployment = load_deployment(result.workspace.config_path)
    typer.echo("")
    prefilled = _(
        "Scorecards {year}: {n} pre-filled from run {run} ({entries} measured entries frozen)."
    )
    typer.echo(
        prefilled.format(
            year=done.year, n=len(done.assessments), run=done.run_id, entries=done.entries
        )
    )
    typer.echo(
        _("Exported the cluster's workbook: {file}").format(
            file=f"scorecards/{cycle.exported.name}"
        )
    )
    imported = cycle.imported
    if imported.error is not None:
        typer.echo(_("Refused: {error}").format(error=imported.error))
    else:
        done_import = ngettext(
            "Imported the inspection team's workbook {file}: {n} entry recorded",
            "Imported the inspection team's workbook {file}: {n} entries recorded",
            imported.entries,
        )
        typer.echo(done_import.format(file=f"scorecards/{cycle.filled.name}", n=imported.entries))
    cluster = next(c for c in deployment.clusters if c.id == cycle.cluster)
    typer.echo("")
    typer.echo(
        _("{cluster} — cluster leader {leader}").format(
            cluster=cluster.name, leader=cycle.summary.names[cluster.leader]
        )
    )
    members = sorted(
        (r for r in cycle.summary.ranked if r.cluster == cluster.id),
        key=lambda r: (r.cluster_rank or 0, r.card.agency_code),
    )
    for ranked in members:
        name = cycle.summary.names[ranked.card.agency_code]
        typer.echo(f"  {ranked.cluster_rank}. {name:<28} {grade_text(ranked.standing)}")
    nomination = next(n for n in cycle.summary.clusters if n.among == cluster.id)
    typer.echo(_("  Proposed — {nomination}").format(nomination=nomination_text(nomination)))


def _project_hint() -> str:
    return str(Path(__file__).resolve().parents[2])
