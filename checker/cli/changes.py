"""What changed between stored runs, an agency's trend across them, and pruning them by the
deployment's retention rule: ``checker runs diff``, ``runs trend``, ``runs prune``."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from checker.cli.app import (
    ConfigOption,
    DbOption,
    FormatOption,
    OutputFormat,
    use_settings,
    user_errors,
)
from checker.cli.scorecards import runs_app
from checker.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from checker.reports.changes import AgencyChange, RunChanges
    from checker.reports.trend import Trend
    from checker.scoring.retention import PruneResult


class RunKind(StrEnum):
    """The kinds of run (``checker.scoring.runs.RUN_KINDS``), as an option takes them."""

    score = "score"
    nightly = "nightly"
    demo = "demo"


KindOption = Annotated[
    RunKind | None,
    typer.Option(help=N_("Kind of run: score, nightly or demo (default: the latest run's).")),
]


@runs_app.command(
    "diff",
    help=N_(
        "What changed between two runs (default: the last two of the same kind): criteria "
        "that started or stopped losing points, grades, ranks, metric values, newly "
        "quarantined inputs. With one run: that run against the one of its kind before it."
    ),
)
@user_errors
def runs_diff_command(
    ctx: typer.Context,
    before: Annotated[
        int | None, typer.Argument(help=N_("The earlier run (default: the last but one)."))
    ] = None,
    after: Annotated[
        int | None, typer.Argument(help=N_("The later run (default: the last)."))
    ] = None,
    agency: Annotated[str | None, typer.Option(help=N_("One agency (default: the city)."))] = None,
    kind: KindOption = None,
    output_format: FormatOption = OutputFormat.table,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from checker.reports.changes import compare_runs, pick_runs

    settings = use_settings(ctx, config, db)
    deployment = settings.deployment(required=False)
    if agency is not None and deployment is not None:
        agency = deployment.agency(agency).code
    with settings.store(deployment, create=False) as engine, engine.connect() as connection:
        older, newer = pick_runs(connection, before, after, kind and kind.value)
        changes = compare_runs(connection, older, newer, agency)
    if output_format is OutputFormat.json:
        typer.echo(json.dumps(changes.as_json(), ensure_ascii=False))
        return
    _print_changes(changes)


def _n(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


def _change_words(change: str) -> str:
    return {
        "started_losing": _("started losing points"),
        "stopped_losing": _("stopped losing points"),
        "gained": _("gained points"),
        "lost": _("lost points"),
        "now_scored": _("scored now"),
        "no_longer_scored": _("no longer scored"),
    }[change]


def _print_changes(changes: RunChanges) -> None:
    compared = ngettext(
        "{n} agency compared", "{n} agencies compared", changes.agencies_compared
    ).format(n=changes.agencies_compared)
    typer.echo(
        _("Run {before} → run {after} ({kind}): {compared}").format(
            before=changes.before.id,
            after=changes.after.id,
            kind=changes.after.kind,
            compared=compared,
        )
    )
    for note in changes.notes:
        typer.echo(f"  ! {note}")
    if not changes.agencies:
        typer.echo(_("No agency's points, grade or rank changed."))
    for agency in changes.agencies:
        _print_agency(agency)
    if changes.quarantined_total:
        typer.echo(_("Newly quarantined inputs: {n}").format(n=changes.quarantined_total))
        for line in changes.quarantined:
            typer.echo(f"  {line.source} {line.locator}: {line.reason}")


def _print_agency(agency: AgencyChange) -> None:
    parts = [
        _("total {before} → {after}").format(
            before=_n(agency.total_before), after=_n(agency.total_after)
        )
    ]
    if agency.grade_changed:
        parts.append(
            _("grade {before} → {after}").format(
                before=agency.grade_name_before, after=agency.grade_name_after
            )
        )
    if agency.rank_moved:
        parts.append(
            _("rank {before} → {after}").format(before=agency.rank_before, after=agency.rank_after)
        )
    typer.echo(f"{agency.name} ({agency.code}): " + "; ".join(parts))
    for c in agency.criteria:
        typer.echo(
            _("  {criterion} {title}: {change}, {before} → {after} (max {max})").format(
                criterion=c.criterion,
                title=c.title,
                change=_change_words(c.change),
                before=_n(c.before),
                after=_n(c.after),
                max=_n(c.max),
            )
        )
    counted = sum(not m.value_moved for m in agency.metrics)
    for m in (m for m in agency.metrics if m.value_moved):
        typer.echo(
            f"  {m.metric} {m.name}: {m.numerator_before}/{m.denominator_before} "
            f"({_pct(m.value_before)}) → {m.numerator_after}/{m.denominator_after} "
            f"({_pct(m.value_after)})"
        )
    if counted:
        typer.echo(
            ngettext(
                "  {n} more metric counted more or fewer, at the same share",
                "  {n} more metrics counted more or fewer, at the same share",
                counted,
            ).format(n=counted)
        )


@runs_app.command(
    "trend",
    help=N_("An agency's total (and one criterion's points) across the kept runs, as a line."),
)
@user_errors
def runs_trend_command(
    ctx: typer.Context,
    agency: Annotated[str, typer.Option(help=N_("The agency."))],
    criterion: Annotated[
        str | None, typer.Option(help=N_("A criterion id (e.g. 1.3): its points as well."))
    ] = None,
    kind: KindOption = None,
    output_format: FormatOption = OutputFormat.table,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from checker.reports.trend import agency_trend

    settings = use_settings(ctx, config, db)
    deployment = settings.deployment(required=False)
    if deployment is not None:
        agency = deployment.agency(agency).code
    with settings.store(deployment, create=False) as engine, engine.connect() as connection:
        trend = agency_trend(connection, agency, criterion=criterion, kind=kind and kind.value)
    if output_format is OutputFormat.json:
        typer.echo(json.dumps(trend.as_json(), ensure_ascii=False))
        return
    _print_trend(trend)


def _print_trend(trend: Trend) -> None:
    from checker.reports.trend import sparkline

    points = trend.points
    runs = ngettext("{n} run", "{n} runs", len(points)).format(n=len(points))
    span = f"{points[0].day} → {points[-1].day}"
    totals = sparkline([p.total for p in points], points[-1].max_total)
    typer.echo(
        _("{agency} ({kind}, {runs}, {span})").format(
            agency=trend.agency, kind=trend.kind, runs=runs, span=span
        )
    )
    typer.echo(
        _("  total  {line}  {first} → {last} / {max}, {grade}").format(
            line=totals,
            first=_n(points[0].total),
            last=_n(points[-1].total),
            max=_n(points[-1].max_total),
            grade=points[-1].grade_name,
        )
    )
    if trend.criterion is not None:
        top = max((p.max_points or 0.0 for p in points), default=0.0)
        line = sparkline([p.points for p in points], top)
        typer.echo(
            f"  {trend.criterion:<5}  {line}  {_n(points[0].points)} → "
            f"{_n(points[-1].points)} / {_n(top)}"
        )


@runs_app.command(
    "prune",
    help=N_(
        "Delete the runs the deployment's [runs] rule no longer keeps (keep_daily_days, "
        "then the last run of each month); never the newest of a kind nor one a scorecard "
        "refers to."
    ),
)
@user_errors
def runs_prune_command(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=N_("Say what would be pruned; prune nothing."))
    ] = False,
    output_format: FormatOption = OutputFormat.table,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from checker.clock import today
    from checker.scoring.retention import prune_runs

    settings = use_settings(ctx, config, db)
    deployment = settings.required_deployment()
    with settings.store(deployment, create=False) as engine, engine.begin() as connection:
        result = prune_runs(connection, deployment.runs, today(), dry_run=dry_run)
    if output_format is OutputFormat.json:
        typer.echo(json.dumps(_prune_payload(result), ensure_ascii=False))
        return
    _print_prune(result)


def _prune_payload(result: PruneResult) -> dict[str, object]:
    return {
        "dry_run": result.dry_run,
        "rule": result.rule.model_dump(),
        "pruned": [
            {"id": r.id, "kind": r.kind, "started_at": r.started_at.isoformat()}
            for r in result.pruned
        ],
        "kept": result.kept,
        "held_by_scorecards": list(result.held_by_scorecards),
    }


def _print_prune(result: PruneResult) -> None:
    if result.rule.keep_daily_days is None:
        typer.echo(_("The deployment keeps every run ([runs] keep_daily_days is not set)."))
        return
    n = len(result.pruned)
    if result.dry_run:
        line = ngettext(
            "Would prune {n} run, keep {kept}.", "Would prune {n} runs, keep {kept}.", n
        )
    else:
        line = ngettext("Pruned {n} run, kept {kept}.", "Pruned {n} runs, kept {kept}.", n)
    typer.echo(line.format(n=n, kept=result.kept))
    for run in result.pruned:
        typer.echo(f"  {run.id:>4}  {run.kind}  {run.started_at:%Y-%m-%d %H:%M}")
    if result.held_by_scorecards:
        typer.echo(
            _("Kept for the scorecards that refer to them: runs {runs}").format(
                runs=", ".join(map(str, result.held_by_scorecards))
            )
        )
