"""Commands that read logs into the store: ingest edxml, ingest register, quarantine list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select

from checker.cli.app import (
    _settings,
    ingest_app,
    quarantine_app,
    user_errors,
)
from checker.errors import ConfigError
from checker.store.loader import LoadSummary, load
from checker.store.models import QUARANTINE
from checker.store.upsert import store_in_batches
from connectors.edxml import DEFAULT_PATTERNS
from connectors.edxml_source import read_edxml
from connectors.register import read_register


@ingest_app.command("edxml")
@user_errors
def ingest_edxml(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="edXML files or folders (recursive).")],
    source: Annotated[str, typer.Option(help="Name recorded as the source.")] = "edxml",
    pattern: Annotated[
        list[str] | None,
        typer.Option(
            help="Names read in a folder (repeatable; default *.edxml and *.xml). "
            "A file named on the command line is always read."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Read edXML messages (documents and statuses) from the interconnection axis."""
    settings = _settings(ctx)
    patterns = tuple(pattern) if pattern else DEFAULT_PATTERNS
    with settings.store(settings.deployment(required=False)) as engine:
        summary = load(engine, read_edxml(paths, source, patterns), source=source)
    _print_load(summary, as_json)


@ingest_app.command("register")
@user_errors
def ingest_register(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Register exports (.xlsx or .csv).")],
    agency: Annotated[str, typer.Option(help="Code of the agency whose register it is.")],
    direction: Annotated[
        str | None, typer.Option(help="in or out (default: told from the headers).")
    ] = None,
    channel: Annotated[
        str, typer.Option(help="Channel of rows without one: paper, email or axis.")
    ] = "paper",
    source: Annotated[str, typer.Option(help="Name recorded as the source.")] = "register",
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Read incoming or outgoing registers exported as spreadsheets (Decree 30 layout)."""
    if direction not in (None, "in", "out"):
        raise ConfigError(f"--direction {direction!r}: use in or out")
    if channel not in ("paper", "email", "axis"):
        raise ConfigError(f"--channel {channel!r}: use paper, email or axis")
    settings = _settings(ctx)
    totals = {"files": 0, "rows": 0, "stored": 0, "quarantined": 0}
    reasons: list[str] = []
    with settings.store(settings.deployment(required=False)) as engine:
        for path in files:
            rows = read_register(
                path,
                organ_id=agency,
                direction=direction,  # type: ignore[arg-type]
                source=source,
                default_channel=channel,  # type: ignore[arg-type]
            )
            counts = store_in_batches(engine, rows, source)
            totals["files"] += 1
            totals["stored"] += counts.records
            totals["quarantined"] += counts.quarantined
            reasons += counts.reasons
    totals["rows"] = totals["stored"] + totals["quarantined"]
    if as_json:
        typer.echo(json.dumps(totals))
        return
    typer.echo(
        f"Read {totals['files']} register file(s): {totals['stored']} rows stored, "
        f"{totals['quarantined']} set aside."
    )
    for reason in reasons:
        typer.echo(f"  set aside: {reason}")


def _print_load(summary: LoadSummary, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(summary.as_dict()))
        return
    typer.echo(
        f"Read {summary.files} files: {summary.documents} documents and {summary.statuses} "
        f"statuses stored, {summary.duplicates} duplicates skipped, "
        f"{summary.quarantined} set aside."
    )
    for reason, count in sorted(summary.quarantine_reasons.items()):
        typer.echo(f"  set aside ×{count}: {reason}")
    if summary.skipped:
        typer.echo(f"{len(summary.skipped)} other files in the folders, not read:")
        for locator in summary.skipped:
            typer.echo(f"  {locator}")
    if summary.quarantined:
        typer.echo("See `checker quarantine list` for the files.")


@quarantine_app.command("list")
@user_errors
def quarantine_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Show every input set aside, where it was and why."""
    settings = _settings(ctx)
    with (
        settings.store(settings.deployment(required=False)) as engine,
        engine.connect() as connection,
    ):
        rows = connection.execute(select(QUARANTINE).order_by(QUARANTINE.c.id)).mappings().all()
    if as_json:
        keys = ("source", "locator", "reason", "excerpt", "created_at")
        typer.echo(json.dumps([{k: str(r[k]) for k in keys} for r in rows], ensure_ascii=False))
        return
    if not rows:
        typer.echo("Nothing set aside.")
    for r in rows:
        typer.echo(f"{r['source']}  {r['locator']}\n    {r['reason']}")


# --- grading and scoring ------------------------------------------------------------------
