"""Commands that write spreadsheets: the report of a run, the files overdue for the archives,
an agency's way to the next grade."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from checker.cli.app import (
    ConfigOption,
    DbOption,
    JudgedDayOption,
    app,
    judged_day,
    parse_day,
    use_settings,
    user_errors,
)
from checker.cli.localized import CheckerTyper
from checker.i18n import N_, _, ngettext


class ExportFormat(StrEnum):
    """The kind of spreadsheet file written (``checker.reports.export``)."""

    csv = "csv"
    xlsx = "xlsx"


export_app = CheckerTyper(
    help=N_("Spreadsheets (CSV in UTF-8 with BOM, or XLSX) with agency names beside codes."),
    no_args_is_help=True,
)
app.add_typer(export_app, name="export")

OutputOption = Annotated[Path, typer.Option("--output", help=N_("File to write."))]
FormatOption = Annotated[
    ExportFormat, typer.Option("--format", help=N_("csv (one table) or xlsx (a sheet each)."))
]


@export_app.command(
    "report",
    help=N_(
        "The report of a run: the rankings, and every agency's points per criterion with "
        "the metric behind them (the CSV holds the latter, which carries rank, total and "
        "grade)."
    ),
)
@user_errors
def export_report_command(
    ctx: typer.Context,
    output: OutputOption,
    output_format: FormatOption = ExportFormat.xlsx,
    run: Annotated[int | None, typer.Option(help=N_("Run id (default: the latest)."))] = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from checker.jobs.exports import export_report
    from checker.reports.export import ExportFormat as Written

    settings = use_settings(ctx, config, db)
    deployment = settings.required_deployment()
    with settings.store(deployment, create=False) as engine:
        run_id = export_report(engine, deployment, output, Written(output_format.value), run)
    typer.echo(_("Report of run {run} written to {output}").format(run=run_id, output=output))


@export_app.command(
    "overdue",
    help=N_("The files past their deadline for the agency archive or the historical archive."),
)
@user_errors
def export_overdue_command(
    ctx: typer.Context,
    output: OutputOption,
    output_format: FormatOption = ExportFormat.xlsx,
    agency: Annotated[str | None, typer.Option(help=N_("Only this agency (code)."))] = None,
    as_of: JudgedDayOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from checker.jobs.exports import export_overdue
    from checker.reports.export import ExportFormat as Written

    settings = use_settings(ctx, config, db)
    deployment = settings.required_deployment()
    code = None if agency is None else deployment.agency(agency).code
    day = judged_day(as_of)
    with settings.store(deployment, create=False) as engine:
        count = export_overdue(engine, deployment, output, Written(output_format.value), day, code)
    written = ngettext(
        "{n} overdue file as of {day} written to {output}",
        "{n} overdue files as of {day} written to {output}",
        count,
    )
    typer.echo(written.format(n=count, day=day.isoformat(), output=output))


@export_app.command(
    "way",
    help=N_(
        "An agency's way to the next grade: the work per criterion with the documents and "
        "files listed, and the year end at the current rate (the CSV holds the former)."
    ),
)
@user_errors
def export_way_command(
    ctx: typer.Context,
    output: OutputOption,
    agency: Annotated[str, typer.Option(metavar="CODE", help=N_("Agency code."))],
    output_format: FormatOption = ExportFormat.xlsx,
    run: Annotated[
        int | None, typer.Option(help=N_("The points of this stored run (default: measured now)."))
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help=N_("Year to date up to this day (YYYY-MM-DD)."))
    ] = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from checker.clock import today
    from checker.jobs.exports import export_way
    from checker.reports.export import ExportFormat as Written

    if run is not None and as_of is not None:
        raise typer.BadParameter(_("give --run ID or --as-of DATE, not both"), param_hint="--run")
    settings = use_settings(ctx, config, db)
    deployment = settings.required_deployment()
    day = parse_day(as_of)
    with settings.store(deployment, create=False) as engine:
        way = export_way(
            engine,
            deployment,
            output,
            Written(output_format.value),
            agency,
            run_id=run,
            as_of=day,
            today=today(),
        )
    typer.echo(
        _("Way to the next grade of {agency} written to {output}").format(
            agency=way.code, output=output
        )
    )
