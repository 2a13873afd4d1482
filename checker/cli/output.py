"""What the commands print: each library result as a table for people or as JSON for
programs (``--format``). The JSON shapes are the ones the README documents."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import typer

from checker.cli.app import OutputFormat

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
    typer.echo(
        f"Read {summary.files} files: {summary.documents} documents and {summary.statuses} "
        f"statuses stored, {summary.duplicates} duplicates skipped, "
        f"{summary.quarantined} set aside."
    )
    for reason, count in sorted(summary.quarantine_reasons.items()):
        typer.echo(f"  set aside ×{count}: {reason}")
    if summary.quarantined:
        typer.echo("See `checker quarantine list` for the files.")


def print_register(totals: Mapping[str, int], reasons: Sequence[str], fmt: OutputFormat) -> None:
    if fmt is OutputFormat.json:
        _json(dict(totals))
        return
    typer.echo(
        f"Read {totals['files']} register file(s): {totals['stored']} rows stored, "
        f"{totals['quarantined']} set aside."
    )
    for reason in reasons:
        typer.echo(f"  set aside: {reason}")


def print_quarantine(rows: Sequence[RowMapping], fmt: OutputFormat) -> None:
    if fmt is OutputFormat.json:
        keys = ("source", "locator", "reason", "excerpt", "created_at")
        _json([{k: str(r[k]) for k in keys} for r in rows])
        return
    if not rows:
        typer.echo("Nothing set aside.")
    for r in rows:
        typer.echo(f"{r['source']}  {r['locator']}\n    {r['reason']}")


def print_sync(report: SyncReport, fmt: OutputFormat) -> None:
    if fmt is OutputFormat.json:
        _json({"ok": report.ok, "sources": [asdict(r) for r in report.sources]})
        return
    for r in report.sources:
        typer.echo(
            f"{r.source}: {r.status} — {r.pages} pages, {r.records} records stored, "
            f"{r.quarantined} set aside, {r.retries} retries"
        )


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
            }
        )
        return
    typer.echo(f"Scored {outcome.agencies} agencies for {period.label()} as run {outcome.run_id}.")
    if outcome.unknown:
        listed = ", ".join(f"{u.code} ({u.documents} documents)" for u in outcome.unknown)
        typer.echo(f"Organisation codes the registry does not know: {listed}")


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
    typer.echo(f"Total {result.total}: grade {result.grade_id} ({result.grade_name})")
    for reason in result.reasons:
        typer.echo(f"  {reason}")


def print_overdue(files: Sequence[OverdueFile], day: str, fmt: OutputFormat) -> None:
    if fmt is OutputFormat.json:
        _json([asdict(f) for f in files])
        return
    typer.echo(f"{len(files)} files overdue as of {day}")
    for f in files:
        archive = "Lưu trữ cơ quan" if f.archive == "agency_archive" else "Lưu trữ lịch sử"
        state = f", {f.status}" if f.status else ""
        typer.echo(
            f"  {f.agency_code}  {f.file_code}  {archive}: due {f.deadline.isoformat()}, "
            f"overdue by {f.days_overdue} days{state}  {f.title or ''}".rstrip()
        )
