"""The command that writes the report site of a stored run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from checker.cli.app import ConfigOption, DbOption, app, use_settings, user_errors
from checker.i18n import N_, _


@app.command(
    "site",
    help=N_(
        "Write the report site of a stored run: rankings, a page per agency, the documents "
        "and files not counted with why. Static, works offline, in the language of --lang "
        "(Vietnamese by default; --lang en writes it in English); files in the folder that "
        "checker did not write are left alone."
    ),
)
@user_errors
def site_command(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", help=N_("Folder of the site (created)."))],
    run: Annotated[int | None, typer.Option(help=N_("Run id (default: the latest)."))] = None,
    evidence: Annotated[
        bool, typer.Option(help=N_("Write the pages of documents and files not counted."))
    ] = True,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    from checker.cli.progress import step_bar
    from checker.jobs.site import SiteOptions, publish_site

    settings = use_settings(ctx, config, db)
    deployment = settings.required_deployment()
    with (
        settings.store(deployment, create=False) as engine,
        step_bar(True, _("Report site: agencies")) as bar,
    ):
        summary = publish_site(engine, deployment, SiteOptions(output, run, evidence), bar)
    line = _(
        "Site of run {run} written to {folder}: {pages} pages ({agencies} agencies, "
        "{evidence_pages} evidence pages with {evidence_rows} rows), {removed} old pages "
        "removed. Open {index}"
    )
    typer.echo(
        line.format(
            run=summary.run,
            folder=summary.folder,
            pages=summary.pages,
            agencies=summary.agencies,
            evidence_pages=summary.evidence_pages,
            evidence_rows=summary.evidence_rows,
            removed=summary.removed,
            index=summary.folder / "index.html",
        )
    )
