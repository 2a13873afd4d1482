"""Scorecards: pre-fill them from a run, enter scores, show where one stands, close it,
export and import the workbooks."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
from checker.cli.localized import CheckerTyper
from checker.errors import ConfigError
from checker.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from checker.config import Deployment
    from checker.scoring.assessment import Scorecard
    from checker.scoring.snapshot import RunSummary

scorecards_app = CheckerTyper(
    help=N_("Scorecards: self, inspection team and agreed scores."),
    no_args_is_help=True,
)
app.add_typer(scorecards_app, name="scorecards")


class SplitBy(StrEnum):
    """How the exported workbooks are cut (``checker.jobs.scorecards.Split``)."""

    agency = "agency"
    group = "group"
    cluster = "cluster"


YearArg = Annotated[int, typer.Option("--year", help=N_("The year assessed."))]
ByOption = Annotated[str, typer.Option("--by", help=N_("Who enters this (name, unit)."))]


@scorecards_app.command(
    "prefill",
    help=N_("Open every agency's scorecard for the run's year and freeze its measured points."),
)
@user_errors
def prefill_command(
    ctx: typer.Context,
    run: Annotated[int | None, typer.Option(help=N_("Run id (default: the latest)."))] = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from checker.clock import vietnam_now
    from checker.jobs.score import criteria_sets
    from checker.reports.report import latest_run_id
    from checker.scoring.prefill import prefill

    settings = use_settings(ctx, config, db)
    deployment = settings.required_deployment()
    sets = criteria_sets(deployment)
    with settings.store(deployment, create=False) as engine, engine.begin() as connection:
        run_id = latest_run_id(connection) if run is None else run
        done = prefill(connection, sets, run_id, vietnam_now())
    prefilled = ngettext(
        "Pre-filled {n} scorecard for {year} from run {run}: {entries} measured entries frozen.",
        "Pre-filled {n} scorecards for {year} from run {run}: {entries} measured entries frozen.",
        len(done.assessments),
    )
    typer.echo(
        prefilled.format(
            n=len(done.assessments), year=done.year, run=done.run_id, entries=done.entries
        )
    )


@scorecards_app.command(
    "enter",
    help=N_(
        "Enter the scores of a manual points file as one role, for one year (whole or nothing)."
    ),
)
@user_errors
def enter_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Option(help=N_("Manual points TOML file."))],
    year: YearArg,
    role: Annotated[str, typer.Option(help=N_("self, inspection or agreed."))],
    by: ByOption,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from checker.clock import vietnam_now
    from checker.jobs.score import criteria_by_group
    from checker.scoring.assessment import PEOPLE
    from checker.scoring.entering import enter_manual_file

    if role not in PEOPLE:
        message = _("--role {value}: use one of {roles}")
        raise ConfigError(message.format(value=repr(role), roles=", ".join(PEOPLE)))
    settings = use_settings(ctx, config, db)
    deployment = settings.required_deployment()
    by_group = criteria_by_group(deployment)
    with settings.store(deployment) as engine, engine.begin() as connection:
        done = enter_manual_file(
            connection, deployment, by_group, file, year, role, by, vietnam_now()
        )
    recorded = ngettext(
        "{n} entry recorded for {agencies} agencies ({role}, {year}).",
        "{n} entries recorded for {agencies} agencies ({role}, {year}).",
        done.entries,
    )
    typer.echo(recorded.format(n=done.entries, agencies=done.agencies, role=role, year=year))


@scorecards_app.command(
    "show",
    help=N_(
        "A scorecard: each criterion with its entries and the points that count, and the "
        "grade (a range while entries are missing)."
    ),
)
@user_errors
def show_command(
    ctx: typer.Context,
    agency: Annotated[str, typer.Option(help=N_("Agency code."))],
    year: YearArg,
    criterion: Annotated[
        str | None, typer.Option(help=N_("Show the history of this criterion's entries."))
    ] = None,
    output_format: FormatOption = OutputFormat.table,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from checker.scoring.assessment import ROLE_NAMES, cell_history
    from checker.scoring.points import points_text

    settings = use_settings(ctx, config, db)
    deployment = settings.required_deployment()
    with settings.store(deployment, create=False) as engine, engine.connect() as connection:
        card = _stored_scorecard(connection, deployment, agency, year)
        history = None if criterion is None else cell_history(connection, card, criterion)
    if history is not None:
        rows = [
            {
                "role": e.role,
                "points": None if e.points is None else points_text(e.points),
                "note": e.note,
                "by": e.entered_by,
                "at": e.entered_at.isoformat(),
                "source": e.source,
            }
            for e in history
        ]
        if output_format is OutputFormat.json:
            typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for r in rows:
            typer.echo(
                f"{r['at']}  {_(ROLE_NAMES[str(r['role'])]):<14} {r['points'] or '—':>6}  "
                f"{r['by']} ({r['source']}) {r['note']}".rstrip()
            )
        return
    _print_card(card, deployment.agency(card.agency_code).name, output_format)


def _print_card(card: Scorecard, name: str, output_format: OutputFormat) -> None:
    from checker.scoring.assessment import PEOPLE, ROLE_NAMES
    from checker.scoring.points import points_text
    from checker.scoring.standing import standing

    where = standing(card)
    cells = []
    for cell in card.cells:
        role, points = cell.counting
        cells.append(
            {
                "criterion": cell.criterion.id,
                "max": points_text(cell.criterion.max),
                **{
                    r: None if (p := cell.points_of(r)) is None else points_text(p)
                    for r in ("measured", *PEOPLE)
                },
                "counts": None if points is None else points_text(points),
                "counts_from": role,
                "note": cell.note,
            }
        )
    payload = {
        "agency": card.agency_code,
        "year": card.year,
        "criteria": card.criteria.id,
        "final": where.final,
        "grades_possible": [g.id for g in where.possible],
        "total_low": points_text(where.low.total),
        "total_high": points_text(where.high.total),
        "deciding": list(where.deciding),
        "counted_as_zero": list(card.counted_as_zero),
        "criteria_lines": cells,
    }
    if output_format is OutputFormat.json:
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    typer.echo(f"{name} [{card.agency_code}] — {card.year}, {card.criteria.title}")
    for c in cells:
        source = _(ROLE_NAMES[str(c["counts_from"])]) if c["counts_from"] else _("none yet")
        entries = _(
            "measured {measured} · self-assessed {self} · inspection {inspection} · agreed {agreed}"
        ).format(**{role: c[role] or "—" for role in ("measured", *PEOPLE)})
        typer.echo(
            f"  {c['criterion']:<6} {c['counts'] or '—':>6}/{c['max']:<4} ({source})"
            f"  {entries}" + (f"  — {c['note']}" if c["note"] else "")
        )
    typer.echo(_grade_line(card))


def _grade_line(card: Scorecard) -> str:
    from checker.scoring.points import points_text
    from checker.scoring.standing import standing

    where = standing(card)
    if where.final:
        zero = ", ".join(card.counted_as_zero) or _("none")
        return _("Grade (final): {grade}, {total} points; counted as 0 on closing: {zero}").format(
            grade=where.low.grade_name, total=points_text(where.low.total), zero=zero
        )
    names = " … ".join(dict.fromkeys(g.name for g in where.possible))
    deciding = ", ".join(where.deciding) or _("none")
    return _(
        "Grade (provisional): {grades}, {low} to {high} points; decided by: {deciding}"
    ).format(
        grades=names,
        low=points_text(where.low.total),
        high=points_text(where.high.total),
        deciding=deciding,
    )


@scorecards_app.command(
    "close",
    help=N_("Close a scorecard: the grade becomes final, missing entries count 0 (and are named)."),
)
@user_errors
def close_command(
    ctx: typer.Context,
    agency: Annotated[str, typer.Option(help=N_("Agency code."))],
    year: YearArg,
    by: ByOption,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from checker.clock import vietnam_now
    from checker.scoring.assessment import close_assessment

    settings = use_settings(ctx, config, db)
    deployment = settings.required_deployment()
    with settings.store(deployment, create=False) as engine, engine.begin() as connection:
        card = _stored_scorecard(connection, deployment, agency, year)
        card = close_assessment(connection, card, by, vietnam_now())
    typer.echo(_grade_line(card))


@scorecards_app.command(
    "export",
    help=N_(
        "Write the year's scorecards as XLSX workbooks to fill in (locked layout, validated "
        "cells, live totals)."
    ),
)
@user_errors
def export_command(
    ctx: typer.Context,
    year: YearArg,
    folder: Annotated[Path, typer.Option(help=N_("Folder for the workbooks."))] = Path(
        "scorecards"
    ),
    split: Annotated[
        SplitBy, typer.Option(help=N_("One workbook per agency, group or cluster."))
    ] = SplitBy.agency,
    evidence: Annotated[
        bool, typer.Option(help=N_("Evidence sheets (one-agency workbooks): the documents behind."))
    ] = False,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from checker.clock import vietnam_now
    from checker.jobs.score import criteria_by_group
    from checker.jobs.scorecards import Split, export_scorecards

    settings = use_settings(ctx, config, db)
    deployment = settings.required_deployment()
    by_group = criteria_by_group(deployment)
    with settings.store(deployment) as engine:
        done = export_scorecards(
            engine, deployment, by_group, year, folder, Split(split.value), vietnam_now(), evidence
        )
    written = ngettext(
        "{n} workbook for {agencies} agencies in {folder}.",
        "{n} workbooks for {agencies} agencies in {folder}.",
        len(done.files),
    )
    typer.echo(written.format(n=len(done.files), agencies=done.agencies, folder=folder))


@scorecards_app.command(
    "import",
    help=N_(
        "Read filled workbooks back: each is taken whole or not at all; refused ones are "
        "named with the file, sheet and cell. Exits 1 when any was refused."
    ),
)
@user_errors
def import_command(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help=N_("Filled workbooks (.xlsx)."))],
    year: YearArg,
    by: ByOption,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from checker.clock import vietnam_now
    from checker.jobs.score import criteria_by_group
    from checker.jobs.scorecards import import_workbooks

    settings = use_settings(ctx, config, db)
    deployment = settings.required_deployment()
    by_group = criteria_by_group(deployment)
    with settings.store(deployment) as engine:
        done = import_workbooks(engine, deployment, by_group, files, year, by, vietnam_now())
    for outcome in done.outcomes:
        if outcome.error is None:
            recorded = ngettext(
                "{file}: {n} entry recorded", "{file}: {n} entries recorded", outcome.entries
            )
            typer.echo(recorded.format(file=outcome.file.name, n=outcome.entries))
        else:
            typer.echo(_("Refused: {error}").format(error=outcome.error), err=True)
    accepted = len(done.outcomes) - len(done.refused)
    taken = ngettext(
        "{n} workbook taken, {refused} refused.",
        "{n} workbooks taken, {refused} refused.",
        accepted,
    )
    typer.echo(taken.format(n=accepted, refused=len(done.refused)))
    if done.refused:
        raise typer.Exit(1)


@scorecards_app.command(
    "summary",
    help=N_(
        "Ranks in each group and cluster (equal totals share a rank), grades (a range while "
        "entries are missing), each cluster's nominee and each district's pick."
    ),
)
@user_errors
def summary_command(
    ctx: typer.Context,
    year: YearArg,
    output_format: FormatOption = OutputFormat.table,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from checker.clock import vietnam_now
    from checker.jobs.score import criteria_by_group
    from checker.jobs.scorecards import nomination_text, year_summary
    from checker.reports.workbook import grade_text
    from checker.scoring.points import points_text

    settings = use_settings(ctx, config, db)
    deployment = settings.required_deployment()
    by_group = criteria_by_group(deployment)
    with settings.store(deployment, create=False) as engine:
        summary = year_summary(engine, deployment, by_group, year, vietnam_now())
    lines: list[dict[str, object]] = [
        {
            "agency": r.card.agency_code,
            "name": summary.names[r.card.agency_code],
            "group": r.group,
            "group_rank": r.group_rank,
            "cluster": r.cluster or None,
            "cluster_rank": r.cluster_rank,
            "total": points_text(r.total),
            "grades_possible": [g.id for g in r.standing.possible],
            "final": r.standing.final,
            "grade": grade_text(r.standing),
        }
        for r in sorted(summary.ranked, key=lambda r: (r.group, r.group_rank, r.card.agency_code))
    ]
    picks = [
        {"among": n.among, "nominee": n.nominee, "tied": list(n.tied), "text": nomination_text(n)}
        for n in (*summary.clusters, *summary.districts)
    ]
    if output_format is OutputFormat.json:
        typer.echo(json.dumps({"agencies": lines, "nominations": picks}, ensure_ascii=False))
        return
    for group in deployment.groups:
        typer.echo(_("Ranking — {group}, {year}").format(group=group.name, year=year))
        for line in (x for x in lines if x["group"] == group.id):
            typer.echo(f"  {line['group_rank']:>3}. {line['name']:<36} {line['grade']}")
    for cluster in deployment.clusters:
        heading = _("{cluster} (cluster leader {leader})")
        typer.echo(heading.format(cluster=cluster.name, leader=cluster.leader))
        members = sorted(
            (x for x in lines if x["cluster"] == cluster.id),
            key=lambda x: int(str(x["cluster_rank"])),
        )
        for line in members:
            points = _("{points} points").format(points=line["total"])
            typer.echo(f"  {line['cluster_rank']:>3}. {line['name']:<36} {points}")
    for pick in picks:
        typer.echo(_("Proposed — {nomination}").format(nomination=pick["text"]))


@scorecards_app.command(
    "claims",
    help=N_(
        "Self-scores above what the logs support (beyond the set's tolerance), per group, "
        "the largest gap first, with the evidence command."
    ),
)
@user_errors
def claims_command(
    ctx: typer.Context,
    year: YearArg,
    output_format: FormatOption = OutputFormat.table,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from checker.clock import vietnam_now
    from checker.jobs.score import criteria_by_group
    from checker.jobs.scorecards import year_summary
    from checker.scoring.points import points_text

    settings = use_settings(ctx, config, db)
    deployment = settings.required_deployment()
    by_group = criteria_by_group(deployment)
    with settings.store(deployment, create=False) as engine:
        summary = year_summary(engine, deployment, by_group, year, vietnam_now())
    if output_format is OutputFormat.json:
        payload = {
            group: [
                {
                    "agency": c.agency_code,
                    "criterion": c.criterion_id,
                    "claimed": points_text(c.claimed),
                    "measured": points_text(c.measured),
                    "gap": points_text(c.gap),
                    "numerator": c.numerator,
                    "denominator": c.denominator,
                    "evidence": c.evidence,
                }
                for c in claims
            ]
            for group, claims in summary.claims.items()
        }
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    if not summary.claims:
        typer.echo(_("No self-score above what the logs show ({year}).").format(year=year))
    for group in deployment.groups:
        claims = summary.claims.get(group.id, [])
        if claims:
            heading = ngettext(
                "{group}: {n} self-score above what the logs show",
                "{group}: {n} self-scores above what the logs show",
                len(claims),
            )
            typer.echo(heading.format(group=group.name, n=len(claims)))
            for claim in claims:
                typer.echo(f"  +{points_text(claim.gap)}: {claim.text()}")


runs_app = CheckerTyper(help=N_("Scoring runs and what they scored with."), no_args_is_help=True)
app.add_typer(runs_app, name="runs")


def _run_payload(run: RunSummary) -> dict[str, object]:
    return {
        "id": run.id,
        "kind": run.kind,
        "period_start": run.period_start.isoformat(),
        "period_end": run.period_end.isoformat(),
        "as_of": run.as_of.isoformat() if run.as_of else None,
        "started_at": run.started_at.isoformat(),
        "agencies": run.agencies,
        "criteria": run.criteria,
        "groups": run.groups,
        "store_change": run.store_change,
    }


def _run_line(run: RunSummary) -> str:
    sets = ", ".join(f"{k} ({v})" for k, v in run.criteria.items()) or _("criteria not kept")
    agencies = ngettext("{n} agency", "{n} agencies", run.agencies).format(n=run.agencies)
    line = f"{run.id:>4}  {run.kind:<7}  {run.period_start} → {run.period_end}  {agencies}  {sets}"
    if run.store_change:
        return _("{line}; store changed since").format(line=line)
    return line


@runs_app.command(
    "list", help=N_("Every scoring run, newest first, with the criteria sets it kept.")
)
@user_errors
def runs_list_command(
    ctx: typer.Context,
    output_format: FormatOption = OutputFormat.table,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from checker.scoring.snapshot import list_runs

    settings = use_settings(ctx, config, db)
    deployment = settings.deployment(required=False)
    with settings.store(deployment, create=False) as engine, engine.connect() as connection:
        runs = list_runs(connection)
    if output_format is OutputFormat.json:
        typer.echo(json.dumps([_run_payload(r) for r in runs], ensure_ascii=False))
        return
    if not runs:
        typer.echo(_("No scoring run in the store yet: `checker score` makes one."))
    for run in runs:
        typer.echo(_run_line(run))


@runs_app.command(
    "show",
    help=N_(
        "One run: its period, the criteria sets and groups it scored with, and whether the "
        "store has changed since."
    ),
)
@user_errors
def runs_show_command(
    ctx: typer.Context,
    run: Annotated[int, typer.Argument(help=N_("Run id."))],
    output_format: FormatOption = OutputFormat.table,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from checker.scoring.snapshot import show_run

    settings = use_settings(ctx, config, db)
    deployment = settings.deployment(required=False)
    with settings.store(deployment, create=False) as engine, engine.connect() as connection:
        found = show_run(connection, run)
    if output_format is OutputFormat.json:
        typer.echo(json.dumps(_run_payload(found), ensure_ascii=False))
        return
    typer.echo(_run_line(found))
    groups = ", ".join(found.groups) or _("not kept")
    typer.echo(_("  groups: {groups}").format(groups=groups))
    if found.store_change:
        typer.echo(f"  {found.store_change}")


def _stored_scorecard(
    connection: Connection, deployment: Deployment, agency: str, year: int
) -> Scorecard:
    """The stored scorecard of the agency (any of its codes) for ``year``, under its group's
    criteria set; a ``ConfigError`` when there is none."""
    from checker.clock import today
    from checker.jobs.score import criteria_by_group
    from checker.scoring.assessment import find_assessment, load_scorecard
    from metrics.period import assessable_year

    assessable_year(year, today())
    match = deployment.agency(agency)  # nearest codes suggested; alternative codes accepted
    criteria = criteria_by_group(deployment)[match.group]
    row = find_assessment(connection, match.code, year, criteria.id)
    if row is None:
        message = _("no {year} scorecard for {agency}: run `checker scorecards prefill`")
        raise ConfigError(message.format(year=year, agency=match.code))
    return load_scorecard(connection, row["id"], criteria)
