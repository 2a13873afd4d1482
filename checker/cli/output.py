"""What the commands print: each library result as a table for people or as JSON for
programs (``--format``). The JSON shapes are the ones the README documents."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import date
from typing import TYPE_CHECKING, Any

import typer

from checker.cli.app import OutputFormat
from checker.i18n import _, ngettext
from checker.reports.cells import escape_controls

if TYPE_CHECKING:
    from sqlalchemy import RowMapping

    from checker.jobs.score import ScoreOutcome
    from checker.jobs.sync import SyncReport
    from checker.scoring.criteria import CriteriaSet
    from checker.scoring.grading import GradeResult
    from checker.store.loader import LoadSummary
    from metrics.transfers import OverdueFile


def _json(payload: Any) -> None:
    typer.echo(json.dumps(payload, ensure_ascii=False, default=str))


def print_load(summary: LoadSummary, fmt: OutputFormat) -> None:
    if fmt is OutputFormat.json:
        _json(summary.as_dict())
        return
    read = ngettext(
        "Read {files} file: {documents} documents and {statuses} statuses stored, "
        "{duplicates} duplicates skipped, {quarantined} set aside.",
        "Read {files} files: {documents} documents and {statuses} statuses stored, "
        "{duplicates} duplicates skipped, {quarantined} set aside.",
        summary.files,
    )
    typer.echo(
        read.format(
            files=summary.files,
            documents=summary.documents,
            statuses=summary.statuses,
            duplicates=summary.duplicates,
            quarantined=summary.quarantined,
        )
    )
    for reason, count in sorted(summary.quarantine_reasons.items()):
        line = _("  set aside ×{count}: {reason}").format(count=count, reason=reason)
        typer.echo(escape_controls(line))
    if summary.skipped:
        skipped = ngettext(
            "{n} other file in the folders, not read:",
            "{n} other files in the folders, not read:",
            len(summary.skipped),
        )
        typer.echo(skipped.format(n=len(summary.skipped)))
        for locator in summary.skipped:
            typer.echo(escape_controls(f"  {locator}"))
    if summary.quarantined:
        typer.echo(_("See `{command}` for the files.").format(command="checker quarantine list"))


def print_register(totals: Mapping[str, int], reasons: Sequence[str], fmt: OutputFormat) -> None:
    if fmt is OutputFormat.json:
        _json(dict(totals))
        return
    read = ngettext(
        "Read {files} register file: {stored} rows stored, {quarantined} set aside.",
        "Read {files} register files: {stored} rows stored, {quarantined} set aside.",
        totals["files"],
    )
    typer.echo(
        read.format(
            files=totals["files"], stored=totals["stored"], quarantined=totals["quarantined"]
        )
    )
    for reason in reasons:
        typer.echo(escape_controls(_("  set aside: {reason}").format(reason=reason)))


def print_quarantine(rows: Sequence[RowMapping], fmt: OutputFormat) -> None:
    if fmt is OutputFormat.json:
        keys = ("source", "locator", "reason", "excerpt", "created_at")
        _json([{k: str(r[k]) for k in keys} for r in rows])
        return
    if not rows:
        typer.echo(_("Nothing set aside."))
    for r in rows:
        typer.echo(escape_controls(f"{r['source']}  {r['locator']}\n    {r['reason']}"))


def print_sync(report: SyncReport, fmt: OutputFormat) -> None:
    if fmt is OutputFormat.json:
        warnings = sum(len(r.warnings) for r in report.sources)
        sources = [asdict(r) for r in report.sources]
        _json({"ok": report.ok, "warnings": warnings, "sources": sources})
        return
    for r in report.sources:
        line = _(
            "{source}: {status} — {pages} pages, {records} records stored, "
            "{quarantined} set aside, {retries} retries"
        )
        reread = r.records - r.newer
        if reread > 0:
            line = _(
                "{source}: {status} — {pages} pages, {records} records stored ({reread} of them "
                "no newer than the last sync: read again), {quarantined} set aside, "
                "{retries} retries"
            )
        status = _status_text(r.status)
        if r.ok and r.warnings:
            status = ngettext(
                "ok, with {n} warning", "ok, with {n} warnings", len(r.warnings)
            ).format(n=len(r.warnings))
        typer.echo(
            line.format(
                source=r.source,
                status=status,
                pages=r.pages,
                records=r.records,
                reread=reread,
                quarantined=r.quarantined,
                retries=r.retries,
            )
        )
        for warning in r.warnings:
            typer.echo("  " + _("warning: {warning}").format(warning=escape_controls(warning)))


def _status_text(status: str) -> str:
    """A source's status in the reader's language: ``ok``, ``misconfigured: …``,
    ``failed: …`` (the reasons after the colon are error messages, which stay as written)."""
    if status == "ok":
        return _("ok")
    word, colon, reason = status.partition(": ")
    if colon and word == "misconfigured":
        return _("misconfigured: {reason}").format(reason=reason)
    if colon and word == "failed":
        return _("failed: {reason}").format(reason=reason)
    return status


def print_score(outcome: ScoreOutcome, fmt: OutputFormat) -> None:
    period = outcome.period
    if fmt is OutputFormat.json:
        _json(
            {
                "run": outcome.run_id,
                "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
                "agencies": outcome.agencies,
                "unknown_codes": [
                    {"code": u.code, "documents": u.documents} for u in outcome.unknown
                ],
                "not_measured": list(outcome.unmeasured),
            }
        )
        return
    scored = ngettext(
        "Scored {n} agency for {period} as run {run}.",
        "Scored {n} agencies for {period} as run {run}.",
        outcome.agencies,
    )
    typer.echo(scored.format(n=outcome.agencies, period=period.label(), run=outcome.run_id))
    if outcome.unmeasured:
        typer.echo(
            _("Nothing measured in {period} for: {families}.").format(
                period=period.label(), families=", ".join(outcome.unmeasured)
            )
        )
    if outcome.unknown:
        listed = ", ".join(
            ngettext("{code} ({n} document)", "{code} ({n} documents)", u.documents).format(
                code=u.code, n=u.documents
            )
            for u in outcome.unknown
        )
        typer.echo(_("Organisation codes the registry does not know: {codes}").format(codes=listed))


def print_grade(criteria: CriteriaSet, result: GradeResult, fmt: OutputFormat) -> None:
    if fmt is OutputFormat.json:
        _json(
            {
                "criteria": criteria.id,
                "grade": result.grade_id,
                "grade_name": result.grade_name,
                "total": float(result.total),
                "reasons": list(result.reasons),
            }
        )
        return
    typer.echo(f"{criteria.title}")
    typer.echo(
        _("Total {total}: grade {grade}").format(total=result.total, grade=result.grade_name)
    )
    for reason in result.reasons:
        typer.echo(f"  {reason}")


def print_overdue(
    files: Sequence[OverdueFile], day: date, names: Mapping[str, str], fmt: OutputFormat
) -> None:
    from metrics.transfers import status_words

    if fmt is OutputFormat.json:
        _json([asdict(f) for f in files])
        return
    head = ngettext(
        "{n} file overdue as of {day}", "{n} files overdue as of {day}", len(files)
    ).format(n=len(files), day=day.isoformat())
    typer.echo(head)
    for f in files:
        archive = _("agency archive") if f.archive == "agency_archive" else _("historical archive")
        late = ngettext(
            "{archive}: due {day}, overdue by {n} day",
            "{archive}: due {day}, overdue by {n} days",
            f.days_overdue,
        ).format(archive=archive, day=f.deadline.isoformat(), n=f.days_overdue)
        state = f", {status_words(f.status)}" if f.status else ""
        name = names.get(f.agency_code, "")
        typer.echo(
            f"  {f.agency_code} {name}  {f.file_code}  {late}{state}  {f.title or ''}".rstrip()
        )
