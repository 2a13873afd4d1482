"""The demo's scorecard cycle: pre-fill the city's scorecards from its run, export the first
cluster's workbook, have a (simulated) inspection team fill it in through the same file
format (its own scores, the cluster's agreed scores, one override of a measured criterion
with its note, one criterion left blank), import it, and sum up the cluster."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from sqlalchemy import Engine

from checker.config import Deployment
from checker.errors import WorkbookError
from checker.i18n import _
from checker.jobs.scorecards import (
    Split,
    WorkbookOutcome,
    YearSummary,
    export_scorecards,
    import_workbooks,
    year_summary,
)
from checker.reports.workbook import ID_HEADER, NOTE_HEADER, ROLE_HEADERS, header_columns
from checker.scoring.assessment import AGREED, INSPECTION, MEASURED
from checker.scoring.criteria import CriteriaSet
from checker.scoring.prefill import Prefilled, prefill

INSPECTION_TEAM = "Đoàn kiểm tra của thành phố (demo)"
OVERRIDE_NOTE = "Sổ đăng ký văn bản đến bằng giấy được đoàn kiểm tra xem trực tiếp (demo)"


@dataclass(frozen=True)
class DemoCycle:
    prefilled: Prefilled
    exported: Path
    filled: Path
    imported: WorkbookOutcome
    summary: YearSummary
    cluster: str


def scorecard_cycle(
    engine: Engine,
    deployment: Deployment,
    criteria_by_group: Mapping[str, CriteriaSet],
    run_id: int,
    folder: Path,
    now: datetime,
    seed: int = 2017,
) -> DemoCycle:
    criteria_sets = {c.id: c for c in criteria_by_group.values()}
    with engine.begin() as connection:
        done = prefill(connection, criteria_sets, run_id, now)
    year = done.year
    cluster = deployment.clusters[0]
    exported = export_scorecards(
        engine, deployment, criteria_by_group, year, folder, Split.cluster, now
    ).files[0]
    filled = exported.with_name(f"{exported.stem} - đoàn kiểm tra.xlsx")
    members = {a.code: a.group for a in deployment.agencies}
    criteria = criteria_by_group[members[cluster.members[0]]]
    fill_as_inspection_team(exported, filled, criteria, random.Random(seed))
    outcome = import_workbooks(
        engine, deployment, criteria_by_group, [filled], year, INSPECTION_TEAM, now
    ).outcomes[0]
    summary = year_summary(engine, deployment, criteria_by_group, year, now)
    return DemoCycle(done, exported, filled, outcome, summary, cluster.id)


def fill_as_inspection_team(
    source: Path, target: Path, criteria: CriteriaSet, rng: random.Random
) -> None:
    """What an inspection team does with the cluster's workbook: score every criterion the
    logs do not measure (60-100% of its max, in half points) and agree the same scores; give
    the first measured criterion below its max full marks, with a note; leave the last
    criterion of the last agency blank. Columns are found by their headers, in whatever
    language the workbook was exported."""
    book = openpyxl.load_workbook(source)
    sheets = [s for s in book.worksheets if s.sheet_state == "visible"][1:]
    manual = {c.id: c.max for c in criteria.criteria if c.kind == "manual"}
    overridden = False
    for sheet in sheets:
        column = _columns(source, sheet)
        rows = {
            str(r[column[ID_HEADER] - 1].value): int(r[0].row or 0)
            for r in sheet.iter_rows(min_row=1)
            if r[column[ID_HEADER] - 1].value in {c.id for c in criteria.criteria}
        }
        for criterion in criteria.criteria:
            row = rows[criterion.id]
            if sheet is sheets[-1] and criterion is criteria.criteria[-1]:
                continue  # not entered yet: the grade stays provisional
            if criterion.id in manual:
                points = (
                    Decimal(rng.randint(int(criterion.max * 6 / 5), int(criterion.max * 2))) / 2
                )
            else:
                measured = sheet.cell(row, column[ROLE_HEADERS[MEASURED]]).value
                if overridden or measured is None or Decimal(str(measured)) >= criterion.max:
                    continue
                points, overridden = criterion.max, True
                sheet.cell(row, column[NOTE_HEADER], OVERRIDE_NOTE)
            sheet.cell(row, column[ROLE_HEADERS[INSPECTION]], float(points))
            sheet.cell(row, column[ROLE_HEADERS[AGREED]], float(points))
    book.save(target)


def _columns(source: Path, sheet: Any) -> dict[str, int]:
    """The column (from 1) of each header of a scoring sheet, by its message id."""
    for row in sheet.iter_rows(max_row=50, values_only=True):
        found = header_columns(row)
        if found is not None:
            return {header: index + 1 for header, index in found.items()}
    place = _("{file}, sheet {sheet}").format(file=source.name, sheet=repr(sheet.title))
    message = _("{place}: changed beyond recognition (no header row with {header})")
    raise WorkbookError(message.format(place=place, header=repr(_(ID_HEADER))))
