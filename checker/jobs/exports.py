"""Exporting a stored run's report, the files overdue for the archives, and an agency's way
to the next grade, for spreadsheets (``checker.reports.export``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from checker.config import Deployment
from checker.jobs.score import criteria_sets
from checker.jobs.way import way_to_next_grade
from checker.reports.export import (
    ExportFormat,
    overdue_sheet,
    report_sheets,
    way_sheets,
    write_export,
)
from checker.reports.report import build_report, latest_run_id
from checker.reports.way import WayReport
from checker.store.engine import hold_writes_lock
from checker.store.registry import write_registry
from metrics.transfers import OverdueFile, overdue_files


def export_report(
    engine: Engine,
    deployment: Deployment,
    output: Path,
    export_format: ExportFormat,
    run_id: int | None = None,
) -> int:
    """Write the report of a run (the latest by default); returns its id."""
    with engine.connect() as connection:
        run_id = run_id or latest_run_id(connection)
        groups = [g.id for g in deployment.groups]
        report = build_report(connection, criteria_sets(deployment), run_id, None, groups)
    write_export(report_sheets(report), output, export_format)
    return run_id


def export_overdue(
    engine: Engine,
    deployment: Deployment,
    output: Path,
    export_format: ExportFormat,
    as_of: date,
    agency: str | None = None,
) -> int:
    """Write the files overdue for the archives on ``as_of``; returns how many."""
    files = overdue(engine, deployment, as_of, agency)
    names = {a.code: a.name for a in deployment.agencies}
    write_export([overdue_sheet(files, names)], output, export_format)
    return len(files)


def overdue(
    engine: Engine, deployment: Deployment, as_of: date, agency: str | None = None
) -> list[OverdueFile]:
    """The files past their deadline on ``as_of`` under the deployment's registry and its
    ``[files]`` deadlines (the same for ``checker overdue`` and its export). Writing the
    registry waits for any other process measuring the store, as a scoring run does."""
    with engine.begin() as connection:
        hold_writes_lock(connection)
        write_registry(connection, deployment)
        return overdue_files(connection, as_of, agency, deployment.files)


def export_way(
    engine: Engine,
    deployment: Deployment,
    output: Path,
    export_format: ExportFormat,
    agency: str,
    *,
    run_id: int | None = None,
    as_of: date | None = None,
    today: date,
) -> WayReport:
    """Write an agency's way to the next grade (``checker.jobs.way``); returns it."""
    way = way_to_next_grade(engine, deployment, agency, run_id=run_id, as_of=as_of, today=today)
    write_export(way_sheets(way), output, export_format, csv_sheet=0)
    return way
