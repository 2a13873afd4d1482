"""Scorecard workbooks (XLSX), both ways, laid out as the scoring annexes are.

``export_workbook`` writes one workbook (one agency, or a group or cluster with a sheet per
agency) in write-only mode, so memory stays bounded however long the evidence sheets are:
STT, criterion id, content and criterion, max points, measured, self, inspection team,
agreed, notes and the points that count. Cells people must not change are locked; the cells
they fill carry data validation (a number from 0 to the max); section totals, the total and
the points that count are formulas, so a spreadsheet program shows them live. A hidden sheet
names, for each scoring sheet, the agency, the year and the criteria set with its hash.

``read_workbook`` reads a filled workbook back: rows are found by their criterion id (moved,
inserted or deleted rows do not matter), columns by their header; an empty cell is "not
entered"; "7,5" typed as text is 7.5; every problem names the file, sheet and cell.

What people read (sheet names, headers, lines, the validation's message) is written in the
language of the command, through the catalogues; the reader finds the scoring sheets through
the hidden sheet and the columns by their header in any language the catalogues hold, so a
workbook exported in English is imported by a Vietnamese command and the other way round.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from checker.errors import OutputError, WorkbookError
from checker.i18n import N_, Language, _, current_language, translations
from checker.oserrors import os_reason
from checker.reports.cells import FORMULA_START, neutralise_cell
from checker.reports.xlsx import XlsxBook, open_xlsx
from checker.scoring.assessment import AGREED, INSPECTION, MEASURED, SELF, NewEntry, Scorecard
from checker.scoring.criteria import CriteriaSet
from checker.scoring.points import points_text
from checker.scoring.standing import Standing, standing
from metrics.catalogue import METRICS
from metrics.values import EvidenceLine

# Every text people read is written in the language of the command; the reader takes a
# workbook written in any language the catalogues hold (``_headers``).
SCORING_SHEET = N_("Scoring")
SUMMARY_SHEET = N_("Summary")
META_SHEET = "checker"
META_HEADERS = ("sheet", "agency", "year", "criteria", "criteria_hash")
ID_HEADER = N_("Criterion id")
NOTE_HEADER = N_("Note")
ROLE_HEADERS = {
    MEASURED: N_("Measured points"),
    SELF: N_("Self-assessed points"),
    INSPECTION: N_("Inspection team's points"),
    AGREED: N_("Agreed points"),
}
HEADERS = (
    N_("No."),
    ID_HEADER,
    N_("Content, criterion"),
    N_("Max points"),
    *ROLE_HEADERS.values(),
    NOTE_HEADER,
    N_("Points that count"),
)
SUMMARY_HEADERS = (
    N_("No."),
    N_("Agency code"),
    N_("Agency"),
    N_("Total points"),
    N_("Grade"),
    N_("Rank"),
    N_("Cluster"),
)
HEADER_ROW = 5
FIRST_ROW = HEADER_ROW + 1
BOLD = Font(bold=True)
OPEN = Protection(locked=False)
EVIDENCE_HEADERS = (
    N_("Counts"),
    N_("Reason not counted"),
    N_("Number and notation"),
    N_("Date"),
    N_("Summary / title"),
    N_("Code"),
)

Evidence = Callable[[str, str], Iterable[EvidenceLine]]
# A write-only worksheet: its stubs lack protection, column widths and data validations.
Sheet = Any


@dataclass(frozen=True)
class AgencyCard:
    """A scorecard with what the sheets show around it."""

    card: Scorecard
    name: str
    rank: int | None = None
    cluster: str = ""
    standing: Standing | None = None  # worked out already (ranking); else when written
    grade: str | None = None  # the grade in words (``grade_text``), when worked out already


# --- export ---------------------------------------------------------------------------------


def export_workbook(
    path: Path,
    cards: Sequence[AgencyCard],
    title: str,
    evidence: Evidence | None = None,
    footer: Sequence[str] = (),
) -> Path:
    """Write one workbook: a summary sheet, a scoring sheet per agency, and for a single
    agency a sheet per measured criterion listing the documents and files not counted, with
    the reason, when ``evidence`` is given."""
    book = openpyxl.Workbook(write_only=True)
    single = len(cards) == 1
    names = [_(SCORING_SHEET) if single else _sheet_name(c.card.agency_code) for c in cards]
    grades = [c.grade or grade_text(c.standing or standing(c.card)) for c in cards]
    _summary_sheet(book.create_sheet(_(SUMMARY_SHEET)), cards, names, grades, title, footer)
    for card, name, grade in zip(cards, names, grades, strict=True):
        _scoring_sheet(book.create_sheet(name), card, grade, title)
    if single and evidence is not None:
        _evidence_sheets(book, cards[0], evidence)
    meta = book.create_sheet(META_SHEET)
    _declare_size(meta, len(META_HEADERS), len(cards) + 1)
    meta.sheet_state = "hidden"
    meta.append(META_HEADERS)
    for card, name in zip(cards, names, strict=True):
        c = card.card
        meta.append((name, c.agency_code, c.year, c.criteria.id, c.criteria_hash))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        book.save(path)
    except OSError as exc:
        message = _("workbook {path} cannot be written: {reason}")
        raise OutputError(message.format(path=path, reason=os_reason(exc))) from exc
    return path


def _declare_size(sheet: Sheet, columns: int, rows: int) -> None:
    """Write the sheet's size (``<dimension>``) at its top, as openpyxl's writer does when a
    sheet can say it: a reader in read-only mode otherwise parses a whole sheet just to size
    it, and importing a workbook with long evidence sheets took 20 times longer."""
    ref = f"A1:{get_column_letter(columns)}{max(rows, 1)}"
    sheet.calculate_dimension = lambda: ref


def _sheet_name(text: str) -> str:
    return re.sub(r"[\[\]:*?/\\']", "_", text)[:31]


def _cell(sheet: Sheet, value: Any, bold: bool = False, open_: bool = False) -> Any:
    cell: Any = WriteOnlyCell(sheet, value=value)
    if bold or open_:
        # the style is made once per workbook and its ids shared (openpyxl hashes a font or
        # a protection each time one is set: a third of a scoring sheet's time)
        styles = _STYLES.setdefault(sheet.parent, {})
        style = styles.get((bold, open_))
        if style is None:
            if bold:
                cell.font = BOLD
            if open_:
                cell.protection = OPEN
            styles[(bold, open_)] = copy(cell._style)
        else:
            cell._style = copy(style)
    return cell


_STYLES: WeakKeyDictionary[Any, dict[tuple[bool, bool], Any]] = WeakKeyDictionary()


def _layout(criteria: CriteriaSet) -> tuple[dict[str, int], dict[str, int], int]:
    """Row of each section, of each criterion, and of the total."""
    sections: dict[str, int] = {}
    rows: dict[str, int] = {}
    row = FIRST_ROW
    for section in criteria.sections:
        sections[section.id] = row
        row += 1
        for criterion in section.criteria:
            rows[criterion.id] = row
            row += 1
    return sections, rows, row


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _scoring_sheet(sheet: Sheet, agency: AgencyCard, grade: str, title: str) -> None:
    card = agency.card
    _declare_size(sheet, len(HEADERS), _layout(card.criteria)[2] + 3)
    sheet.protection.sheet = True
    sheet.freeze_panes = f"A{FIRST_ROW}"
    for letter, width in zip("ABCDEFGHIJ", (6, 10, 60, 9, 11, 11, 12, 12, 40, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.append([_cell(sheet, _("SCORECARD — {title}").format(title=title), bold=True)])
    line = _("Agency: {name} ({code})").format(name=agency.name, code=card.agency_code)
    sheet.append([line])
    line = _("Year: {year} — {criteria}").format(year=card.year, criteria=card.criteria.title)
    sheet.append([line])
    sheet.append([])
    sheet.append([_cell(sheet, _(h), bold=True) for h in HEADERS])
    section_rows, criterion_rows, total_row = _layout(card.criteria)
    validations: dict[Decimal, DataValidation] = {}
    number = 0
    for section in card.criteria.sections:
        first, last = (
            criterion_rows[section.criteria[0].id],
            criterion_rows[section.criteria[-1].id],
        )
        sums = [_cell(sheet, f"=SUM({c}{first}:{c}{last})", bold=True) for c in "EFGHJ"]
        sheet.append(
            [
                _cell(sheet, section.id, bold=True),
                None,
                _cell(sheet, section.title, bold=True),
                _cell(sheet, _number(section.max), bold=True),
                *sums[:4],
                None,
                sums[4],
            ]
        )
        for criterion in section.criteria:
            number += 1
            row = criterion_rows[criterion.id]
            cell = card.cell(criterion.id)
            dv = validations.get(criterion.max)
            if dv is None:
                dv = _validation(criterion.max)
                validations[criterion.max] = dv
                sheet.data_validations.append(dv)
            dv.add(f"F{row}:H{row}")
            sheet.append(
                [
                    number,
                    criterion.id,
                    criterion.title,
                    _number(criterion.max),
                    _measured(criterion.metric, cell.points_of(MEASURED)),
                    *(_cell(sheet, _number(cell.points_of(r)), open_=True) for r in _PEOPLE),
                    _cell(sheet, neutralise_cell(cell.note) or None, open_=True),
                    f'=IF(H{row}<>"",H{row},IF(G{row}<>"",G{row},IF(F{row}<>"",F{row},E{row})))',
                ]
            )
    totals = [
        _cell(sheet, "=" + "+".join(f"{c}{r}" for r in section_rows.values()), bold=True)
        for c in "EFGHJ"
    ]
    sheet.append(
        [
            None,
            None,
            _cell(sheet, _("Grand total"), bold=True),
            _cell(sheet, _number(card.criteria.total_max), bold=True),
            *totals[:4],
            None,
            totals[4],
        ]
    )
    assert total_row == _layout(card.criteria)[2]
    sheet.append([])
    sheet.append([None, None, _cell(sheet, grade, bold=True)])
    if agency.rank is not None:
        sheet.append([None, None, _("Rank in the group: {rank}").format(rank=agency.rank)])


_PEOPLE = (SELF, INSPECTION, AGREED)
NOT_MEASURED = N_("not measured")


def _measured(metric_id: str | None, points: Decimal | None) -> float | int | str | None:
    """A measured criterion with nothing to measure says so, in its column and (through the
    formula) in the points that count: the sums pass over text, so it is not a 0."""
    if metric_id is not None and points is None:
        return _(NOT_MEASURED)
    return _number(points)


def _validation(max_points: Decimal) -> DataValidation:
    top = points_text(max_points)
    return DataValidation(
        type="decimal",
        operator="between",
        formula1="0",
        formula2=top,
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Invalid points"),
        error=_("Enter a number from 0 to {top}.").format(top=top),
    )


def grade_text(where: Standing) -> str:
    """The grade in words: final, or the range still possible and what decides it."""
    low, high = points_text(where.low.total), points_text(where.high.total)
    if where.final:
        return _("Grade: {grade} ({points} points)").format(grade=where.low.grade_name, points=low)
    if where.settled:
        line = _("Grade (provisional): {grade} ({points} points)")
        return line.format(grade=where.low.grade_name, points=low)
    line = _(
        "Grade (provisional): from {lowest} to {highest} ({low} to {high} points); "
        "still missing: {deciding}"
    )
    return line.format(
        lowest=where.possible[0].name,
        highest=where.possible[-1].name,
        low=low,
        high=high,
        deciding=", ".join(where.deciding),
    )


def _summary_sheet(
    sheet: Sheet,
    cards: Sequence[AgencyCard],
    names: Sequence[str],
    grades: Sequence[str],
    title: str,
    footer: Sequence[str],
) -> None:
    _declare_size(sheet, 7, len(cards) + 4 + len(footer))
    sheet.protection.sheet = True
    for letter, width in zip("ABCDEFG", (6, 18, 40, 12, 60, 8, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    heading = _("SUMMARY OF THE SCORES — {title}").format(title=title)
    sheet.append([_cell(sheet, heading, bold=True)])
    sheet.append([])
    sheet.append([_cell(sheet, _(h), bold=True) for h in SUMMARY_HEADERS])
    rows = zip(cards, names, grades, strict=True)
    for number, (agency, name, grade) in enumerate(rows, start=1):
        total_row = _layout(agency.card.criteria)[2]
        sheet.append(
            [
                number,
                agency.card.agency_code,
                agency.name,
                f"='{name}'!J{total_row}",
                grade,
                agency.rank,
                agency.cluster or None,
            ]
        )
    if footer:
        sheet.append([])
    for line in footer:
        sheet.append([None, None, _cell(sheet, neutralise_cell(line), bold=True)])


def _evidence_sheets(book: openpyxl.Workbook, agency: AgencyCard, evidence: Evidence) -> None:
    card = agency.card
    day_style: int | None = None
    for cell in card.cells:
        metric_id = cell.criterion.metric
        if metric_id is None:
            continue
        lines = [line for line in evidence(card.agency_code, metric_id) if not line.counted]
        name = _("Evidence {criterion}").format(criterion=cell.criterion.id)
        sheet = book.create_sheet(_sheet_name(name))
        _declare_size(sheet, len(EVIDENCE_HEADERS), len(lines) + 4)
        sheet.protection.sheet = True
        sheet.column_dimensions["E"].width = 60
        sheet.append([_cell(sheet, f"{cell.criterion.id} {cell.criterion.title}", bold=True)])
        measured = cell.latest.get(MEASURED)
        sheet.append([f"{_metric_name(metric_id)} — {_ratio(measured)}"])
        sheet.append([measured.evidence if measured and measured.evidence else ""])
        sheet.append([_cell(sheet, _(h), bold=True) for h in EVIDENCE_HEADERS])
        if day_style is None:
            probe = WriteOnlyCell(sheet)
            probe.number_format = "yyyy-mm-dd"  # what openpyxl gives a date
            day_style = probe.style_id
        _write_lines(sheet, lines, 5, day_style)


def _write_lines(sheet: Sheet, lines: Sequence[EvidenceLine], first: int, day_style: int) -> None:
    """The evidence lines of a sheet as the sheet's XML, written straight into the file the
    write-only sheet streams to: through openpyxl's cell objects, the rows of 2,000 agencies'
    evidence sheets took over an hour; as text, a few seconds. What is written is what
    openpyxl writes for the same values (text inline, days as serial numbers in openpyxl's
    date style); the sheet's top (size, columns) and tail (protection) stay openpyxl's."""
    sheet.close()
    out = Path(sheet._writer.out)  # the temporary file openpyxl zips when saving
    xml = out.read_text(encoding="utf-8")
    head, tail = xml.split("</sheetData>", 1)
    no = _escape(_("no"))  # not counted: every line listed
    rows = "".join(
        _row_xml(number, line, day_style, no) for number, line in enumerate(lines, first)
    )
    with out.open("w", encoding="utf-8") as stream:
        stream.write(head)
        stream.write(_ILLEGAL_XML.sub("", rows))  # the markup has none: only the texts can
        stream.write("</sheetData>")
        stream.write(tail)


def _row_xml(number: int, line: EvidenceLine, day_style: int, no: str) -> str:
    day = line.day
    return "".join(
        (
            f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>{no}</t></is></c>',
            _text_xml("B", number, line.reason),
            _text_xml("C", number, line.code),
            "" if day is None else f'<c r="D{number}" s="{day_style}"><v>{_serial(day)}</v></c>',
            _text_xml("E", number, line.title),
            _text_xml("F", number, line.item),
            "</row>",
        )
    )


_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_EPOCH = date(1899, 12, 30)


def _text_xml(column: str, number: int, text: str | None) -> str:
    """A text cell, neutralised (no formula) and escaped; nothing for no text."""
    if not text:
        return ""
    if text.startswith(FORMULA_START):
        text = "'" + text  # as neutralise_cell
    text = _escape(text)
    return f'<c r="{column}{number}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _escape(text: str) -> str:
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def _serial(day: date) -> int:
    """A day as a spreadsheet's serial number (1900 date system), as openpyxl writes it."""
    return (day - _EPOCH).days


def _metric_name(metric_id: str) -> str:
    metric = METRICS[metric_id]
    return metric.name_en if current_language() is Language.en else metric.name_vi


def _ratio(entry: Any) -> str:
    if entry is None or entry.denominator is None:
        return _("no measurement yet")
    return f"{entry.numerator}/{entry.denominator}"


# --- import ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetEntries:
    """What one scoring sheet of a workbook says about one agency's scorecard."""

    sheet: str
    agency_code: str
    year: int
    criteria_id: str
    criteria_hash: str
    entries: tuple[NewEntry, ...]


def read_workbook(path: Path, criteria_of: Callable[[str], CriteriaSet]) -> list[SheetEntries]:
    """Every scoring sheet of a workbook, read back; ``criteria_of`` gives the criteria set of
    an agency (raising ``WorkbookError`` for one that is not registered)."""
    book = open_xlsx(path)
    try:
        if META_SHEET not in book.sheetnames:
            message = _("{file}: not a checker scorecard workbook (no sheet {sheet})")
            raise WorkbookError(message.format(file=path.name, sheet=repr(META_SHEET)))
        return [
            _read_sheet(path, book, meta, criteria_of(meta["agency"]))
            for meta in _meta_rows(path, book)
        ]
    finally:
        book.close()


def _meta_rows(path: Path, book: XlsxBook) -> Iterator[dict[str, Any]]:
    rows = book.rows(META_SHEET)
    header = next(rows, ())
    if tuple(header[: len(META_HEADERS)]) != META_HEADERS:
        message = _("{file}, sheet {sheet}: changed beyond recognition")
        raise WorkbookError(message.format(file=path.name, sheet=repr(META_SHEET)))
    for number, row in enumerate(rows, start=2):
        if not any(row):
            continue
        meta: dict[str, Any] = dict(zip(META_HEADERS, row, strict=False))
        if meta["sheet"] not in book.sheetnames:
            message = _("{file}: sheet {sheet} is missing")
            raise WorkbookError(message.format(file=path.name, sheet=repr(meta["sheet"])))
        try:
            meta["year"] = int(meta["year"])
        except (TypeError, ValueError) as exc:
            message = _("{file}, sheet {sheet}, row {row}: bad year")
            raise WorkbookError(
                message.format(file=path.name, sheet=repr(META_SHEET), row=number)
            ) from exc
        yield meta


def _read_sheet(
    path: Path, book: XlsxBook, meta: dict[str, Any], criteria: CriteriaSet
) -> SheetEntries:
    sheet = meta["sheet"]
    place = _("{file}, sheet {sheet}").format(file=path.name, sheet=repr(sheet))
    if meta["criteria"] != criteria.id:
        message = _("{place}: made for criteria set {made}, the agency is scored on {scored}")
        raise WorkbookError(message.format(place=place, made=meta["criteria"], scored=criteria.id))
    rows = list(book.rows(sheet))
    columns = _columns(place, rows)
    known = {c.id: c for c in criteria.criteria}
    seen: dict[str, str] = {}
    entries: list[NewEntry] = []
    problems: list[str] = []
    for number, row in enumerate(rows, start=1):
        criterion_id = _text(_at(row, columns[ID_HEADER]))
        if criterion_id not in known:
            continue
        where = _("{place}, row {row}").format(place=place, row=number)
        if criterion_id in seen:
            twice = _("{where}: criterion {criterion} appears twice (also {other})")
            problems.append(
                twice.format(where=where, criterion=criterion_id, other=seen[criterion_id])
            )
            continue
        seen[criterion_id] = _("row {row}").format(row=number)
        note = _text(_at(row, columns[NOTE_HEADER])).lstrip("'") if NOTE_HEADER in columns else ""
        for role in _PEOPLE:
            column = columns[ROLE_HEADERS[role]]
            cell = _("{place}, cell {cell}").format(
                place=place, cell=f"{get_column_letter(column + 1)}{number}"
            )
            try:
                points = parse_points(_at(row, column))
            except ValueError as exc:
                problems.append(f"{cell}: {exc}")
                continue
            if points is not None:
                entries.append(NewEntry(criterion_id, role, points, note, cell))
        if note and not any(e.criterion_id == criterion_id for e in entries[-3:]):
            source = f"{where}, {_(NOTE_HEADER)}"
            entries.append(NewEntry(criterion_id, SELF, None, note, source))
    if problems:
        raise WorkbookError("; ".join(problems))
    return SheetEntries(
        sheet,
        str(meta["agency"]),
        meta["year"],
        str(meta["criteria"]),
        str(meta["criteria_hash"]),
        tuple(entries),
    )


def _columns(place: str, rows: Sequence[Sequence[Any]]) -> dict[str, int]:
    """The column of each header, from the first row that carries the criterion id header."""
    for row in rows[:50]:
        columns = header_columns(row)
        if columns is not None:
            needed = [ROLE_HEADERS[r] for r in _PEOPLE]
            missing = [_(h) for h in needed if h not in columns]
            if missing:
                message = _("{place}: no column {columns}")
                raise WorkbookError(message.format(place=place, columns=", ".join(missing)))
            return columns
    message = _("{place}: changed beyond recognition (no header row with {header})")
    raise WorkbookError(message.format(place=place, header=repr(_(ID_HEADER))))


def header_columns(row: Sequence[Any]) -> dict[str, int] | None:
    """The column (from 0) of each header of a scoring sheet found in ``row``, by its
    message id (``ID_HEADER``, ``ROLE_HEADERS``, ...), written in any language the
    catalogues hold: a workbook exported in English is read by a Vietnamese command and the
    other way round. None when ``row`` is not the header row (no criterion id header)."""
    header_of = _header_of()
    columns: dict[str, int] = {}
    for index, value in enumerate(row):
        header = header_of.get(_text(value))
        if header is not None:
            columns.setdefault(header, index)
    return columns if ID_HEADER in columns else None


@cache
def _header_of() -> dict[str, str]:
    """Each scoring sheet header, in every language, to its message id."""
    return {
        translations(language).gettext(header): header
        for header in HEADERS
        for language in Language
    }


def _at(row: Sequence[Any], index: int) -> Any:
    return row[index] if index < len(row) else None


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


_NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")


def parse_points(value: Any) -> Decimal | None:
    """A cell's points: None when empty (not entered); a number, or text like ``7,5``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(_("{value} is not a number").format(value=repr(value)))
    if isinstance(value, int | float):
        return Decimal(str(value))
    text = str(value).strip()
    if text.startswith("="):
        message = _("a formula ({text}) where a number belongs; type the points")
        raise ValueError(message.format(text=text))
    if not _NUMBER.match(text):
        raise ValueError(_("{value} is not a number").format(value=repr(text)))
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits numbers only
        raise ValueError(_("{value} is not a number").format(value=repr(text))) from exc
