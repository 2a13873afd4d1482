"""Exports for spreadsheets: the report of a run and the overdue list, as CSV (UTF-8 with a
byte-order mark, so Excel reads the Vietnamese) or XLSX, with agency names beside codes.

Every text cell goes through ``neutralise``: text from the logs never runs as a formula.
Files are written to a temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import csv
import enum
import io
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from checker.errors import OutputError
from checker.i18n import N_, _
from checker.oserrors import os_reason
from checker.reports.cells import neutralise
from checker.reports.report import Report
from checker.reports.way import WayReport, outlook_rows, way_rows
from metrics.transfers import OverdueFile, status_words

Cell = str | int | float | None


class ExportFormat(enum.StrEnum):
    csv = "csv"
    xlsx = "xlsx"


@dataclass(frozen=True)
class Sheet:
    title: str
    header: tuple[str, ...]
    rows: Sequence[tuple[Cell, ...]]


# Headers and fixed words, marked here and put into the reader's language when a sheet is made.
RANKING_HEADER = (
    N_("Group"),
    N_("Rank"),
    N_("Agency code"),
    N_("Agency name"),
    N_("Total points"),
    N_("Max"),
    N_("Grade"),
)
CRITERIA_HEADER = (
    N_("Group"),
    N_("Agency code"),
    N_("Agency name"),
    N_("Rank"),
    N_("Total points"),
    N_("Grade"),
    N_("Section"),
    N_("Criterion"),
    N_("Content"),
    N_("Points"),
    N_("Max"),
    N_("Points from"),
    N_("Metric"),
    N_("Numerator"),
    N_("Denominator"),
    N_("Rate (%)"),
)
OVERDUE_HEADER = (
    N_("Agency code"),
    N_("Agency name"),
    N_("File code"),
    N_("File title"),
    N_("Due at"),
    N_("Deadline"),
    N_("Days overdue"),
    N_("State"),
    N_("Unit code in the log"),
)
ARCHIVES = {"agency_archive": N_("agency archive"), "historical_archive": N_("historical archive")}


def _words(header: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_(title) for title in header)


def report_sheets(report: Report) -> list[Sheet]:
    """The rankings, then one row per agency and criterion with the metric behind it."""
    ranking: list[tuple[Cell, ...]] = [
        (group.name, r.rank, r.code, r.name, r.total, r.max, _grade(r.grade_name, r.provisional))
        for group in report.groups
        for r in group.ranking
    ]
    group_names = {group.id: group.name for group in report.groups}
    criteria: list[tuple[Cell, ...]] = []
    for agency in report.agencies:
        head: tuple[Cell, ...] = (
            group_names.get(agency.group, agency.group),
            agency.code,
            agency.name,
            agency.rank,
            agency.total,
            _grade(agency.grade_name, agency.provisional),
        )
        for section in agency.sections:
            for c in section.criteria:
                m = c.metric
                metric: tuple[Cell, ...] = (
                    (m.name, m.numerator, m.denominator, m.percent) if m else (None,) * 4
                )
                origin = _("measured") if c.origin == "measured" else _("entered by hand")
                line = (section.id, c.id, c.title, c.points, c.max, origin)
                criteria.append((*head, *line, *metric))
    return [
        Sheet(_("Ranks"), _words(RANKING_HEADER), ranking),
        Sheet(_("Points by criterion"), _words(CRITERIA_HEADER), criteria),
    ]


def _grade(name: str, provisional: bool) -> str:
    """A grade, marked while a measured criterion had nothing to measure (not counted as 0:
    the report gives the grades still possible)."""
    return _("{grade} (provisional)").format(grade=name) if provisional else name


def overdue_sheet(files: Sequence[OverdueFile], names: Mapping[str, str]) -> Sheet:
    rows: list[tuple[Cell, ...]] = [
        (
            f.agency_code,
            names.get(f.agency_code, f.agency_code),
            f.file_code,
            f.title,
            _(ARCHIVES[f.archive]).capitalize() if f.archive in ARCHIVES else f.archive,
            f.deadline.isoformat(),
            f.days_overdue,
            status_words(f.status) if f.status else _("not transferred"),
            f.organ_id,
        )
        for f in files
    ]
    return Sheet(_("Files overdue for the archives"), _words(OVERDUE_HEADER), rows)


def way_sheets(way: WayReport) -> list[Sheet]:
    """The way to the next grade (one row per step and document or file), then the year
    end at the current rate; the CSV holds the first."""
    way_header, way_rows_ = way_rows(way)
    outlook_header, outlook_rows_ = outlook_rows(way)
    return [
        Sheet(_("Way to the next grade"), way_header, way_rows_),
        Sheet(_("Year end at the current rate"), outlook_header, outlook_rows_),
    ]


def write_export(
    sheets: Sequence[Sheet], output: Path, export_format: ExportFormat, csv_sheet: int = -1
) -> None:
    """Write ``sheets`` to ``output``: every sheet in one XLSX workbook, or, as CSV, the
    sheet ``csv_sheet`` (by default the last, the detailed one) alone."""
    suffix = f".{export_format.value}"
    if output.suffix and output.suffix.lower() != suffix:
        message = _(
            "export file {output}: a {format} export is named *{suffix}; "
            "name it {name} or give the --format its name says"
        )
        raise OutputError(
            message.format(
                output=output,
                format=export_format.value.upper(),
                suffix=suffix,
                name=output.with_suffix(suffix).name,
            )
        )
    content = _xlsx(sheets) if export_format is ExportFormat.xlsx else _csv(sheets[csv_sheet])
    temporary = output.with_name(f".{output.name}.tmp")
    try:
        temporary.write_bytes(content)
        os.replace(temporary, output)
    except OSError as exc:
        message = _("export file {output} cannot be written: {reason}")
        reason = os_reason(exc)
        raise OutputError(message.format(output=output, reason=reason)) from exc


def _csv(sheet: Sheet) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(sheet.header)
    writer.writerows([neutralise(v) for v in row] for row in sheet.rows)
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx(sheets: Sequence[Sheet]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet.title[:31])
        worksheet.append(list(sheet.header))
        for row in sheet.rows:
            worksheet.append([neutralise(v) for v in row])
        worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
