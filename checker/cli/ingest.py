"""Commands that read logs into the store: ingest edxml, ingest register, quarantine list."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from checker.cli.app import (
    ConfigOption,
    DbOption,
    FormatOption,
    OutputFormat,
    ingest_app,
    quarantine_app,
    use_settings,
    user_errors,
)
from checker.errors import ConfigError
from checker.i18n import N_, _


@ingest_app.command(
    "edxml", help=N_("Read edXML messages (documents and statuses) from the interconnection axis.")
)
@user_errors
def ingest_edxml(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help=N_("edXML files or folders (recursive)."))],
    source: Annotated[str, typer.Option(help=N_("Name recorded as the source."))] = "edxml",
    pattern: Annotated[
        list[str] | None,
        typer.Option(
            help=N_(
                "Names read in a folder (repeatable; default *.edxml and *.xml). "
                "A file named on the command line is always read."
            )
        ),
    ] = None,
    output: FormatOption = OutputFormat.table,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from checker.cli.output import print_load
    from checker.store.loader import load
    from connectors.edxml import DEFAULT_PATTERNS
    from connectors.edxml_source import read_edxml

    settings = use_settings(ctx, config, db)
    patterns = tuple(pattern) if pattern else DEFAULT_PATTERNS
    messages = read_edxml(paths, source, patterns)  # checks every path before the store opens
    with settings.store(settings.deployment(required=False)) as engine:
        summary = load(engine, messages, source=source)
    print_load(summary, output)


@ingest_app.command(
    "register",
    help=N_(
        "Read incoming or outgoing registers exported as spreadsheets (Decree 30 layout). "
        "Every file is checked before any is stored: one unreadable file stores nothing."
    ),
)
@user_errors
def ingest_register(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help=N_("Register exports (.xlsx or .csv)."))],
    agency: Annotated[str, typer.Option(help=N_("Code of the agency whose register it is."))],
    direction: Annotated[
        str | None, typer.Option(help=N_("in or out (default: told from the headers)."))
    ] = None,
    channel: Annotated[
        str, typer.Option(help=N_("Channel of rows without one: paper, email or axis."))
    ] = "paper",
    source: Annotated[str, typer.Option(help=N_("Name recorded as the source."))] = "register",
    output: FormatOption = OutputFormat.table,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from checker.cli.output import print_register
    from checker.store.upsert import store_in_batches
    from connectors.register import read_registers

    if direction not in (None, "in", "out"):
        raise ConfigError(_("--direction {value}: use in or out").format(value=repr(direction)))
    if channel not in ("paper", "email", "axis"):
        message = _("--channel {value}: use paper, email or axis")
        raise ConfigError(message.format(value=repr(channel)))
    settings = use_settings(ctx, config, db)
    deployment = settings.deployment(required=False)
    if deployment is not None and deployment.agencies:
        agency = deployment.agency(agency).code
    files_read = read_registers(
        files,
        organ_id=agency,
        direction=direction,  # type: ignore[arg-type]
        source=source,
        default_channel=channel,  # type: ignore[arg-type]
        limits=deployment.registers if deployment is not None else None,
    )
    totals = {"files": 0, "rows": 0, "stored": 0, "quarantined": 0}
    reasons: list[str] = []
    with settings.store(deployment) as engine:
        for rows in files_read:
            counts = store_in_batches(engine, rows, source, kind="register")
            totals["files"] += 1
            totals["stored"] += counts.records
            totals["quarantined"] += counts.quarantined
            reasons += counts.reasons
    totals["rows"] = totals["stored"] + totals["quarantined"]
    print_register(totals, reasons, output)


@quarantine_app.command("list", help=N_("Show every input set aside, where it was and why."))
@user_errors
def quarantine_list(
    ctx: typer.Context,
    output: FormatOption = OutputFormat.table,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from sqlalchemy import select

    from checker.cli.output import print_quarantine
    from checker.store.models import QUARANTINE

    settings = use_settings(ctx, config, db)
    with (
        settings.store(settings.deployment(required=False), create=False) as engine,
        engine.connect() as connection,
    ):
        rows = connection.execute(select(QUARANTINE).order_by(QUARANTINE.c.id)).mappings().all()
    print_quarantine(rows, output)
