"""Commands that grade, score and report: grade, score, report, overdue, evidence."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import TaskID
from sqlalchemy import Connection, Engine

from checker.cli.app import (
    AsOfOption,
    YearOption,
    _criteria_dir,
    _parse_date,
    _period,
    _settings,
    app,
    progress_bars,
    user_errors,
)
from checker.config import Deployment
from checker.errors import ConfigError
from checker.reports.report import build_report, latest_run_id, render_evidence, render_table
from checker.scoring.criteria import CriteriaSet, load_criteria
from checker.scoring.grading import grade, parse_points
from checker.scoring.manual import ManualPoints, load_manual_points
from checker.scoring.runs import score_agencies, store_run
from checker.store.loader import vietnam_now
from checker.store.registry import write_registry
from metrics.calendar import WorkingCalendar
from metrics.evidence import evidence
from metrics.facts import FactsProgress
from metrics.measure import measure_all, unknown_codes
from metrics.period import Period
from metrics.transfers import overdue_files
from metrics.workdays import write_period_calendar


def prepare_measuring(
    connection: Connection, deployment: Deployment, period: Period
) -> WorkingCalendar:
    """Write what measuring reads besides the logs: the deployment's agency registry and its
    working-day calendar for the period. Returns the calendar."""
    write_registry(connection, deployment)
    calendar = WorkingCalendar.from_overrides(deployment.calendar)
    write_period_calendar(connection, calendar, period)
    return calendar


@app.command("grade")
@user_errors
def grade_command(
    ctx: typer.Context,
    criteria: Annotated[str, typer.Option(help="Criteria set name (e.g. hanoi-2017) or file.")],
    points: Annotated[str, typer.Option(help="Section points in section order: 5,15,25,...")],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Grade a set of section points and say why: which condition each higher grade missed."""
    criteria_set = load_criteria(criteria, _criteria_dir(_settings(ctx).deployment(False)))
    result = grade(criteria_set, parse_points(points))
    if as_json:
        payload = {
            "criteria": criteria_set.id,
            "grade": result.grade_id,
            "grade_name": result.grade_name,
            "total": float(result.total),
            "reasons": list(result.reasons),
        }
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    typer.echo(f"{criteria_set.title}")
    typer.echo(f"Total {result.total}: grade {result.grade_id} ({result.grade_name})")
    for reason in result.reasons:
        typer.echo(f"  {reason}")


def _criteria_by_group(deployment: Deployment) -> dict[str, CriteriaSet]:
    directory = _criteria_dir(deployment)
    return {g.id: load_criteria(g.criteria, directory) for g in deployment.groups}


def _criteria_by_id(deployment: Deployment) -> dict[str, CriteriaSet]:
    return {c.id: c for c in _criteria_by_group(deployment).values()}


def _manual_points(deployment: Deployment, manual: Path | None) -> tuple[ManualPoints, Path | None]:
    path = manual or deployment.scoring.manual_points
    if path is None:
        return {}, None
    return load_manual_points(path), path


@dataclass(frozen=True)
class ScoreOutcome:
    run_id: int
    agencies: int
    unknown: list[tuple[str, int]]


def run_scoring(
    engine: Engine,
    deployment: Deployment,
    period: Period,
    as_of: date | None,
    manual: Path | None,
    show_progress: bool = False,
) -> ScoreOutcome:
    criteria_sets = _criteria_by_group(deployment)
    manual_points, manual_path = _manual_points(deployment, manual)
    started = vietnam_now()
    with engine.begin() as connection, _facts_bar(show_progress) as progress:
        calendar = prepare_measuring(connection, deployment, period)
        values = measure_all(connection, period, calendar, deployment.files, progress)
        unknown = unknown_codes(connection, period)
        scores = score_agencies(
            deployment, criteria_sets, values, manual_points, manual_path or "manual points"
        )
        run_id = store_run(connection, period, as_of, started, vietnam_now(), values, scores)
    return ScoreOutcome(run_id, len(scores), [(u.code, u.documents) for u in unknown])


@contextmanager
def _facts_bar(show: bool) -> Iterator[FactsProgress]:
    """A progress bar on the terminal (none otherwise) for working out the facts of the
    documents written since the last run: a nightly run's are done at once, a whole store's
    (after an upgrade) take minutes."""
    with progress_bars(show) as bar:
        task: list[TaskID] = []

        def progress(done: int, stale: int) -> None:
            if not task:
                task.append(bar.add_task("Working out the facts of documents", total=stale))
            bar.update(task[0], completed=done, total=stale)

        yield progress


@app.command("score")
@user_errors
def score_command(
    ctx: typer.Context,
    year: YearOption = None,
    as_of: AsOfOption = None,
    manual: Annotated[
        Path | None, typer.Option(help="Manual points file (default: the deployment's).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Measure every agency, score and grade it, rank it in its group, and store the run."""
    settings = _settings(ctx)
    deployment = settings.required_deployment()
    as_of_date = _parse_date(as_of)
    period = _period(year, as_of_date)
    with settings.store(deployment) as engine:
        outcome = run_scoring(engine, deployment, period, as_of_date, manual, not as_json)
    _print_score(outcome, period, as_json)


def _print_score(outcome: ScoreOutcome, period: Period, as_json: bool) -> None:
    if as_json:
        payload = {
            "run": outcome.run_id,
            "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
            "agencies": outcome.agencies,
            "unknown_codes": [{"code": c, "documents": n} for c, n in outcome.unknown],
        }
        typer.echo(json.dumps(payload))
        return
    typer.echo(f"Scored {outcome.agencies} agencies for {period.label()} as run {outcome.run_id}.")
    if outcome.unknown:
        listed = ", ".join(f"{c} ({n} documents)" for c, n in outcome.unknown)
        typer.echo(f"Organisation codes the registry does not know: {listed}")


@app.command("report")
@user_errors
def report_command(
    ctx: typer.Context,
    agency: Annotated[str | None, typer.Option(help="Only this agency (code).")] = None,
    run: Annotated[int | None, typer.Option(help="Run id (default: the latest).")] = None,
    output_format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """Rankings per group and each agency's criteria, points and the metrics behind them."""
    if output_format not in ("table", "json"):
        raise ConfigError(f"--format {output_format!r}: use table or json")
    settings = _settings(ctx)
    deployment = settings.required_deployment()
    criteria_sets = _criteria_by_id(deployment)
    with settings.store(deployment) as engine, engine.connect() as connection:
        run_id = run or latest_run_id(connection)
        report = build_report(
            connection, criteria_sets, run_id, agency, [g.id for g in deployment.groups]
        )
    if output_format == "json":
        typer.echo(report.model_dump_json(indent=2))
    else:
        typer.echo(render_table(report), nl=False)


@app.command("overdue")
@user_errors
def overdue_command(
    ctx: typer.Context,
    agency: Annotated[str | None, typer.Option(help="Only this agency (code).")] = None,
    as_of: AsOfOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Files past their deadline for the agency archive or the historical archive."""
    settings = _settings(ctx)
    deployment = settings.required_deployment()
    day = _parse_date(as_of) or vietnam_now().date()
    with settings.store(deployment) as engine, engine.begin() as connection:
        write_registry(connection, deployment)
        files = overdue_files(connection, day, agency, deployment.files)
    if as_json:
        typer.echo(json.dumps([asdict(f) for f in files], default=str, ensure_ascii=False))
        return
    typer.echo(f"{len(files)} files overdue as of {day.isoformat()}")
    for f in files:
        archive = "Lưu trữ cơ quan" if f.archive == "agency_archive" else "Lưu trữ lịch sử"
        state = f", {f.status}" if f.status else ""
        typer.echo(
            f"  {f.agency_code}  {f.file_code}  {archive}: due {f.deadline.isoformat()}, "
            f"overdue by {f.days_overdue} days{state}  {f.title or ''}".rstrip()
        )


@app.command("evidence")
@user_errors
def evidence_command(
    ctx: typer.Context,
    agency: Annotated[str, typer.Option(help="Agency code.")],
    metric: Annotated[str, typer.Option(help="Metric id, e.g. inbound.registered.")],
    year: YearOption = None,
    as_of: AsOfOption = None,
    output_format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """The documents behind a metric for one agency: counted, and not counted with why."""
    if output_format not in ("table", "csv", "json"):
        raise ConfigError(f"--format {output_format!r}: use table, csv or json")
    settings = _settings(ctx)
    deployment = settings.required_deployment()
    if agency not in {a.code for a in deployment.agencies}:
        raise ConfigError(f"agency {agency} is not in the deployment's registry")
    period = _period(year, _parse_date(as_of))
    with settings.store(deployment) as engine, engine.begin() as connection:
        calendar = prepare_measuring(connection, deployment, period)
        lines = evidence(connection, agency, metric, period, calendar, deployment.files)
    typer.echo(render_evidence(lines, output_format, agency, metric, period), nl=False)
