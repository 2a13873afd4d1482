"""``checker run``: the nightly job, one command for the scheduler."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from checker.cli.app import (
    DEFAULT_CONFIG,
    ConfigOption,
    DbOption,
    FormatOption,
    OutputFormat,
    app,
    as_of_day,
    use_settings,
    user_errors,
)
from checker.errors import ConfigError, RunLockedError
from checker.i18n import N_, _

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from checker.config import Deployment
    from checker.jobs.nightly import NightlyOptions, NightlyResult


@app.command(
    "run",
    help=N_(
        "Ingest new edXML files, sync every HTTP source, score the year to date, write the "
        "report site and keep the run, with a JSON-lines log in STATE_DIR/logs/.\n"
        "\n"
        "Exit status:\n"
        "  0  ok: everything read, scored and published\n"
        "  1  error: nothing scored (configuration, store, unexpected failure); see the message\n"
        "  2  usage: the command line is wrong\n"
        "  3  partial: a source failed (named in the log and the run's note); the rest was scored\n"
        "  4  below: scored, but an agency is below --fail-below\n"
        "  5  locked: another checker run holds the lock on this store; this one did nothing"
    ),
)
@user_errors
def run_command(
    ctx: typer.Context,
    site: Annotated[
        Path | None, typer.Option(help=N_("Folder of the report site (default: STATE_DIR/site)."))
    ] = None,
    no_site: Annotated[bool, typer.Option("--no-site", help=N_("Do not write the site."))] = False,
    state_dir: Annotated[
        Path | None,
        typer.Option(
            help=N_(
                "Folder of the lock, the logs/ and the run state (default: beside the SQLite "
                "file, or beside the deployment file for PostgreSQL)."
            )
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help=N_("Score the year up to this day (default: today).")),
    ] = None,
    fail_below: Annotated[
        str | None,
        typer.Option(help=N_("Exit 4 when an agency is below this grade id (e.g. kha) or points.")),
    ] = None,
    agency: Annotated[
        list[str] | None,
        typer.Option(help=N_("Agency --fail-below judges (repeatable; default all).")),
    ] = None,
    output_format: FormatOption = OutputFormat.table,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from checker.config import database_url
    from checker.jobs.nightly import ExitCode, NightlyOptions, Threshold

    if no_site and site is not None:
        raise ConfigError(_("give either --site or --no-site, not both"))
    settings = use_settings(ctx, config, db)
    deployment = settings.required_deployment()
    folder = state_dir or default_state_dir(
        database_url(settings.db_url, deployment), settings.config_path or DEFAULT_CONFIG
    )
    options = NightlyOptions(
        state_dir=folder,
        site_dir=None if no_site else (site or folder / "site"),
        as_of=as_of_day(as_of),
        fail_below=None if fail_below is None else Threshold.parse(fail_below),
        agencies=tuple(agency or ()),
    )
    try:
        with settings.store(deployment) as engine:
            result = _run_with_progress(engine, deployment, options, output_format)
    except RunLockedError as exc:
        typer.echo(_("Locked: {reason}").format(reason=exc), err=True)
        raise typer.Exit(int(ExitCode.LOCKED)) from None
    _print(result, output_format)
    raise typer.Exit(int(result.exit_code))


def default_state_dir(url: str, config: Path) -> Path:
    """Beside the SQLite file of the store; for a server store, beside the deployment file."""
    if url.startswith("sqlite:///") and ":memory:" not in url:
        return Path(url.removeprefix("sqlite:///")).resolve().parent
    return config.resolve().parent


def _run_with_progress(
    engine: Engine, deployment: Deployment, options: NightlyOptions, output_format: OutputFormat
) -> NightlyResult:
    from checker.cli.progress import step_bars
    from checker.jobs.nightly import nightly

    with step_bars(output_format is OutputFormat.table) as progress:
        return nightly(engine, deployment, options, progress)


def _print(result: NightlyResult, output_format: OutputFormat) -> None:
    from checker.jobs.nightly import ExitCode

    if output_format is OutputFormat.json:
        payload = {
            "exit_code": int(result.exit_code),
            "run": result.run_id,
            "log": str(result.log),
            "failed_sources": result.failed_sources,
            "below": result.below,
            "steps": result.counts,
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, default=str))
        return

    failed, below = ", ".join(result.failed_sources), ", ".join(result.below)
    if result.exit_code is ExitCode.OK:
        line = _("Run {run}: ok. Log: {log}")
    elif result.exit_code is ExitCode.PARTIAL:
        line = _("Run {run}: partial, sources not read: {failed}. Log: {log}")
    elif result.exit_code is ExitCode.BELOW:
        line = _("Run {run}: below {option}: {below}. Log: {log}")
    else:
        line = _("Run {run}: {state}. Log: {log}")
    typer.echo(
        line.format(
            run=result.run_id,
            failed=failed,
            option="--fail-below",
            below=below,
            state=result.exit_code.name.lower(),
            log=result.log,
        )
    )
    pruned = result.counts.get("prune", {}).get("pruned")
    if isinstance(pruned, list) and pruned:
        typer.echo(
            _("Pruned runs the deployment no longer keeps: {runs}").format(
                runs=", ".join(map(str, pruned))
            )
        )
