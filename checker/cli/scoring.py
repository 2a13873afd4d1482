"""Commands that grade, score and report: grade, score, report, overdue, evidence, way."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from checker.cli.app import (
    AsOfOption,
    ConfigOption,
    DbOption,
    FormatOption,
    JudgedDayOption,
    OutputFormat,
    RowsFormat,
    RowsFormatOption,
    YearOption,
    app,
    judged_day,
    parse_day,
    period_of,
    use_settings,
    user_errors,
)
from checker.i18n import N_, _


@app.command(
    "grade",
    help=N_("Grade a set of section points and say why: which condition each higher grade missed."),
)
@user_errors
def grade_command(
    ctx: typer.Context,
    criteria: Annotated[str, typer.Option(help=N_("Criteria set name (e.g. hanoi-2017) or file."))],
    points: Annotated[str, typer.Option(help=N_("Section points in section order: 5,15,25,..."))],
    output: FormatOption = OutputFormat.table,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from checker.cli.output import print_grade
    from checker.scoring.criteria import criteria_dir, load_criteria
    from checker.scoring.grading import grade, parse_points

    deployment = use_settings(ctx, config, db).deployment(required=False)
    criteria_set = load_criteria(criteria, criteria_dir(deployment))
    print_grade(criteria_set, grade(criteria_set, parse_points(points)), output)


@app.command(
    "score",
    help=N_("Measure every agency, score and grade it, rank it in its group, and store the run."),
)
@user_errors
def score_command(
    ctx: typer.Context,
    year: YearOption = None,
    as_of: AsOfOption = None,
    manual: Annotated[
        Path | None, typer.Option(help=N_("Manual points file (default: the deployment's)."))
    ] = None,
    output: FormatOption = OutputFormat.table,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from checker.cli.output import print_score
    from checker.cli.progress import facts_bar
    from checker.jobs.score import score

    settings = use_settings(ctx, config, db)
    deployment = settings.required_deployment()
    day = parse_day(as_of)
    period = period_of(year, day)
    show = output is OutputFormat.table
    with settings.store(deployment) as engine, facts_bar(show) as progress:
        outcome = score(engine, deployment, period, as_of=day, manual=manual, progress=progress)
    print_score(outcome, output)


@app.command(
    "report",
    help=N_(
        "The rankings of each group; an agency's scorecard (its criteria, points, what to "
        "fix and the metrics behind them) with --agency, every scorecard with --all."
    ),
)
@user_errors
def report_command(
    ctx: typer.Context,
    agency: Annotated[
        str | None,
        typer.Option(
            metavar="CODE",
            help=N_("The scorecard of this agency (code), after its group's ranking."),
        ),
    ] = None,
    every: Annotated[
        bool, typer.Option("--all", help=N_("The rankings, then every agency's scorecard."))
    ] = False,
    run: Annotated[
        int | None, typer.Option(metavar="ID", help=N_("Run id (default: the latest)."))
    ] = None,
    output: FormatOption = OutputFormat.table,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from checker.i18n import _
    from checker.jobs.score import criteria_sets
    from checker.reports.report import build_report, latest_run_id, render_table
    from checker.scoring.snapshot import run_criteria, store_change

    if agency is not None and every:
        raise typer.BadParameter(_("give --agency CODE or --all, not both"), param_hint="--all")
    settings = use_settings(ctx, config, db)
    deployment = settings.required_deployment()
    order = [g.id for g in deployment.groups]
    code = None if agency is None else deployment.agency(agency).code
    with settings.store(deployment, create=False) as engine, engine.connect() as connection:
        run_id = latest_run_id(connection) if run is None else run
        sets = run_criteria(connection, run_id) or criteria_sets(deployment)
        changed = store_change(connection, run_id)
        report = build_report(
            connection, sets, run_id, code, order, scorecards=every or agency is not None
        )
    if changed:
        typer.echo(_("Note: {change}").format(change=changed), err=True)
    if output is OutputFormat.json:
        typer.echo(report.model_dump_json(indent=2))
        return
    typer.echo(render_table(report), nl=False)
    if code is not None:
        typer.echo(
            "\n"
            + _(
                "The way to the next grade (the work, the documents and files, the year end): "
                "checker way --agency {code} --run {run}"
            ).format(code=code, run=run_id)
        )
    if not report.agencies:
        typer.echo(
            "\n"
            + _(
                "The scorecard of one agency: checker report --agency CODE; "
                "of every agency: checker report --all"
            )
        )


@app.command(
    "overdue",
    help=N_("Files past their deadline for the agency archive or the historical archive."),
)
@user_errors
def overdue_command(
    ctx: typer.Context,
    agency: Annotated[
        str | None, typer.Option(metavar="CODE", help=N_("Only this agency (code)."))
    ] = None,
    as_of: JudgedDayOption = None,
    output: FormatOption = OutputFormat.table,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from checker.cli.output import print_overdue
    from checker.jobs.exports import overdue

    settings = use_settings(ctx, config, db)
    deployment = settings.required_deployment()
    code = None if agency is None else deployment.agency(agency).code
    day = judged_day(as_of)
    with settings.store(deployment, create=False) as engine:
        files = overdue(engine, deployment, day, code)
    names = {a.code: a.name for a in deployment.agencies}
    print_overdue(files, day, names, output)


@app.command(
    "evidence",
    help=N_("The documents behind a metric for one agency: counted, and not counted with why."),
)
@user_errors
def evidence_command(
    ctx: typer.Context,
    agency: Annotated[str, typer.Option(metavar="CODE", help=N_("Agency code."))],
    metric: Annotated[str, typer.Option(help=N_("Metric id, e.g. inbound.registered."))],
    year: YearOption = None,
    as_of: AsOfOption = None,
    output: RowsFormatOption = RowsFormat.table,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from checker.jobs.score import prepare_measuring
    from checker.reports.evidence import EvidenceSubject, render_evidence
    from metrics.evidence import evidence_list

    settings = use_settings(ctx, config, db)
    deployment = settings.required_deployment()
    code = deployment.agency(agency).code
    period = period_of(year, parse_day(as_of))
    with settings.store(deployment, create=False) as engine, engine.begin() as connection:
        calendar = prepare_measuring(connection, deployment, period)
        found = evidence_list(connection, code, metric, period, calendar, deployment.files)
    names = {c: a.name for a in deployment.agencies for c in a.all_codes}
    subject = EvidenceSubject(code, names[code], metric, period, names)
    typer.echo(render_evidence(found, subject, output.value), nl=False)


@app.command(
    "way",
    help=N_(
        "The way to the next grade: the conditions it misses, the smallest set of criteria "
        "that meets them with the work in the logs' terms (documents and files listed), the "
        "year end at the current rate, and the points the manual criteria can still bring. "
        "The points are measured for the year to --as-of (today by default) or read from a "
        "stored --run."
    ),
)
@user_errors
def way_command(
    ctx: typer.Context,
    agency: Annotated[str, typer.Option(metavar="CODE", help=N_("Agency code."))],
    run: Annotated[
        int | None,
        typer.Option(
            metavar="ID", help=N_("The points of this stored run (default: measured now).")
        ),
    ] = None,
    as_of: AsOfOption = None,
    output: RowsFormatOption = RowsFormat.table,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from checker.clock import today
    from checker.jobs.way import way_to_next_grade
    from checker.reports.way import render_way_table, way_csv

    if run is not None and as_of is not None:
        raise typer.BadParameter(_("give --run ID or --as-of DATE, not both"), param_hint="--run")
    settings = use_settings(ctx, config, db)
    deployment = settings.required_deployment()
    with settings.store(deployment, create=False) as engine:
        way = way_to_next_grade(
            engine, deployment, agency, run_id=run, as_of=parse_day(as_of), today=today()
        )
    if output is RowsFormat.json:
        typer.echo(way.model_dump_json(indent=2))
    elif output is RowsFormat.csv:
        typer.echo(way_csv(way), nl=False)
    else:
        typer.echo(render_way_table(way), nl=False)
