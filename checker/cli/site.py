"""The command that writes the report site of a stored run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from checker.cli.app import ConfigOption, DbOption, app, use_settings, user_errors
from checker.i18n import _


@app.command("site")
@user_errors
def site_command(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", help="Folder of the site (created).")],
    run: Annotated[int | None, typer.Option(help="Run id (default: the latest).")] = None,
    evidence: Annotated[
        bool, typer.Option(help="Write the pages of documents and files not counted.")
    ] = True,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Write the report site of a stored run: rankings, a page per agency, the documents and
    files not counted with why. Static, Vietnamese, works offline; files in the folder that
    checker did not write are left alone."""
    from checker.cli.progress import progress_bars
    from checker.jobs.site import SiteOptions, publish_site

    settings = use_settings(ctx, config, db)
    deployment = settings.required_deployment()
    with settings.store(deployment) as engine, progress_bars(True) as bars:
        task = bars.add_task(_("Report site: agencies"), total=None)

        def progress(done: int, total: int) -> None:
            bars.update(task, completed=done, total=total)

        summary = publish_site(engine, deployment, SiteOptions(output, run, evidence), progress)
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
