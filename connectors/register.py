"""Incoming and outgoing registers (sổ đăng ký văn bản đến / đi) exported as spreadsheets.

Every document-management system exports its registers in the layout of Decree 30/2020,
Appendix IV, give or take: title rows above the header, merged cells, columns in any order,
extra columns, header names in any case, with or without diacritics, broken over lines, and a
row numbering the columns (1, 2, 3, ...) under the header. The header is the row among the
first 30 that names the most known columns (with the row below or above it when the header
spans two rows); each row after it is one document.

Choices a reader of the stored data should know:

- ``external_id`` is the register's own key, so that importing an updated export again
  updates the same documents: ``in:{year}:{arrival number}`` (arrival numbers restart each
  year), ``out:{year}:{number/notation}`` (Decree 30 art. 15), else ``{file name}#row{n}``.
  A second row with the same key in one file is quarantined.
- ``registered_at`` of an incoming document is its arrival time: a row in the register *is*
  the registration. A date without a time is midnight; a separate "Giờ đến" column adds it.
- "Ngày chuyển" is ``assigned_at`` of an incoming document, ``issued_at`` of an outgoing one.
- Organisation codes found in "Nơi nhận" are ``recipient_ids``; recipient names are dropped.
- The channel column (Hình thức, Phương thức nhận) maps to axis, email or paper; without one,
  every row has the ``default_channel``. An unknown channel or priority quarantines the row.

Rows are read one at a time (only the first 30 are held, to find the header), within
``RegisterLimits`` (the deployment file's ``[registers]`` section): a workbook whose parts
unpack to more than ``max_unpacked_bytes`` is refused before it is opened (a small file can
unpack to gigabytes); a file with more than ``max_rows`` rows stops there with an error; a row
with a cell longer than ``max_cell_chars`` (Excel's own limit by default), or a CSV field too
long for the CSV reader, is set aside and the rows after it are read.
"""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import chain, islice
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from checker.errors import RecordError, SourceError
from checker.i18n import _
from checker.oserrors import os_reason
from checker.store.records import (
    AgencyDocumentRecord,
    Channel,
    Direction,
    ImplausibleTime,
    Quarantined,
    Read,
)
from checker.validation import describe, first_error, problem
from connectors.dates import cell_text as _text
from connectors.dates import parse_cell, parse_cell_time

Row = tuple[object, ...]

HEADER_SCAN_ROWS = 30

# fmt: off
# Header names, normalised (see `normalise`), "|"-separated. A one-word name must be the whole
# cell; a longer one may also start it ("ngay thang" names "Ngày tháng văn bản"). The longest
# matching name wins, so "Tên loại và trích yếu" is the subject, not the type.
FIELDS = {
    "arrived": "ngay den|ngay nhan|ngay gio den|ngay thang den|ngay thang nhan|thoi gian den"
               "|thoi gian nhan",
    "arrival_time": "gio den|gio nhan",
    "arrival_number": "so den|so vb den|so van ban den",
    "sender": "tac gia|noi gui|co quan ban hanh|co quan gui|don vi gui|don vi ban hanh"
              "|noi ban hanh|co quan to chuc ban hanh",
    "code": "so ky hieu|so va ky hieu|so hieu|so ky hieu van ban|so hieu van ban",
    "number": "so|so van ban|so vb",
    "notation": "ky hieu|ky hieu van ban",
    "doc_date": "ngay thang|ngay van ban|ngay ban hanh|ngay ky|ngay vb",
    "type": "loai van ban|ten loai|the loai|loai",
    "subject": "ten loai va trich yeu|trich yeu|noi dung",
    "signer": "nguoi ky",
    "recipients": "noi nhan",
    "channel": "hinh thuc|phuong thuc|kenh",
    "priority": "do khan|muc do khan",
    "due": "han giai quyet|thoi han giai quyet|han xu ly|thoi han xu ly",
    "file_code": "ma ho so|ho so",
    "transfer": "ngay chuyen|ngay chuyen giao|ngay phat hanh",
}
REQUIRED: dict[Direction, dict[str, set[str]]] = {
    "in": {"Ngày đến": {"arrived"}, "Số, ký hiệu": {"code", "number", "notation"},
           "Tên loại và trích yếu": {"subject"}},
    "out": {"Số, ký hiệu": {"code", "number", "notation"}, "Ngày tháng văn bản": {"doc_date"},
            "Tên loại và trích yếu": {"subject"}},
}
# The record's fields the register's columns fill, for a reason naming the column: a value the
# record refuses (a date before 1990) is told with the heading the file gives that column
COLUMN_OF = {"promulgation_date": "doc_date", "arrived_at": "arrived", "registered_at": "arrived",
             "assigned_at": "transfer", "issued_at": "transfer", "due_date": "due",
             "arrival_number": "arrival_number", "sender_name": "sender", "subject": "subject",
             "type_name": "type", "file_code": "file_code", "code_number": "code",
             "code_notation": "code"}
TYPE_NAMES = ("Công văn", "Quyết định", "Kế hoạch", "Báo cáo", "Thông báo", "Tờ trình", "Giấy mời",
              "Chỉ thị", "Nghị quyết", "Hướng dẫn", "Công điện", "Thông tư", "Nghị định",
              "Biên bản", "Chương trình", "Quy chế", "Quy định")
CHANNELS: dict[Channel, str] = {  # tried in this order: "thư điện tử" is email, "trực tiếp" paper
    "email": "email|e mail|mail|thu dien tu",
    "paper": "giay|ban giay|buu dien|buu chinh|truc tiep|fax",
    "axis": "truc|lien thong|dien tu|vdxp|lgsp",
}
PRIORITIES = {"": 0, "thuong": 0, "binh thuong": 0, "khan": 1, "thuong khan": 2, "hoa toc": 3,
              "hoa toc hen gio": 4, "0": 0, "1": 1, "2": 2, "3": 3, "4": 4}
XLSX_ERRORS = (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError,
               TypeError, SyntaxError)  # SyntaxError: xml ParseError of a damaged part
# fmt: on
_NAMES = sorted(
    ((name, field) for field, names in FIELDS.items() for name in names.split("|")),
    key=lambda pair: -len(pair[0]),
)
ORGAN_CODE = re.compile(r"\b(?:\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}|[A-Z]\d{2}(?:\.\d{2,3}){1,3})\b")
NUMBERING = re.compile(r"[(\[]?(\d{1,2})[)\]]?")


class RegisterLimits(BaseModel):
    """What one register file may cost; raise a limit in the deployment file's
    ``[registers]`` section when a genuine register exceeds it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_unpacked_bytes: int = Field(default=256 * 1024 * 1024, ge=1)
    max_rows: int = Field(default=500_000, ge=1)
    max_cell_chars: int = Field(default=32_767, ge=1)


class RowAside(tuple[object, ...]):
    """A row that could not be read (an over-long cell): no cells, and the reason."""

    reason: str

    def __new__(cls, reason: str) -> RowAside:
        row = super().__new__(cls, ())
        row.reason = reason
        return row


@dataclass(frozen=True)
class Header:
    """The header: its 1-based rows (two when merged cells split it) and the columns found."""

    row: int
    last_row: int
    columns: dict[str, int]
    texts: tuple[tuple[str, ...], ...]

    def heading(self, field: str) -> str:
        """The column's heading as the file writes it, quoted: the header cell naming the
        field (of a two-row header, the row that names it), else any text above the column."""
        index = self.columns[field]
        cells = [row[index] for row in self.texts if index < len(row) and row[index]]
        named = [cell for cell in cells if header_field(cell) == field]
        return repr(" ".join((named or cells or [field])[0].split()))  # one line


def read_register(
    path: Path,
    *,
    organ_id: str,
    direction: Direction | None = None,
    source: str = "register",
    default_channel: Channel = "paper",
    limits: RegisterLimits | None = None,
) -> Iterator[Read | Quarantined]:
    """The documents of one register file of agency ``organ_id``; unusable rows come as
    ``Quarantined``. Raises ``SourceError`` at once when the file cannot be read as a register
    (and, as it reaches it, when it has more rows than ``limits.max_rows``)."""
    rows = load_rows(path, limits or RegisterLimits())
    head = list(islice(rows, HEADER_SCAN_ROWS))
    header = find_header(head, path)
    told = _direction_of(header)
    if direction and told and told != direction:
        if told == "in":
            message = _(
                "register {path}: the header on row {row} is that of an incoming register, "
                "not an outgoing one"
            )
        else:
            message = _(
                "register {path}: the header on row {row} is that of an outgoing register, "
                "not an incoming one"
            )
        raise SourceError(message.format(path=path, row=header.row))
    direction = direction or told or _direction_from_title(header, head, path)
    missing = [
        name for name, fields in REQUIRED[direction].items() if not fields & header.columns.keys()
    ]
    if missing:
        raise SourceError(_missing_message(path, header, direction, missing))
    context = _Context(path, organ_id, direction, source, default_channel, header)
    return _closing(_read_rows(chain(head, rows), context), rows)


def _closing(
    items: Iterator[Read | Quarantined], rows: Iterator[Row]
) -> Iterator[Read | Quarantined]:
    """``items``, closing the file under ``rows`` when they end, fail or are dropped."""
    try:
        yield from items
    finally:
        rows.close()  # type: ignore[attr-defined]


# --- files to rows ---------------------------------------------------------------------------


def load_rows(path: Path, limits: RegisterLimits | None = None) -> Iterator[Row]:
    """The rows of a CSV file, or of the sheet of a workbook that looks most like a register,
    one at a time; an unreadable row comes as a ``RowAside``."""
    limits = limits or RegisterLimits()
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path, limits)
    elif suffix == ".csv":
        rows = _csv_rows(path)
    else:
        if suffix:
            message = _(
                "register {path}: {suffix} is not read; export the register as .xlsx or .csv"
            )
        else:
            message = _(
                "register {path}: a file without extension is not read; export the register "
                "as .xlsx or .csv"
            )
        raise SourceError(message.format(path=path, suffix=suffix))
    return _within(path, rows, limits)


def _within(path: Path, rows: Iterator[Row], limits: RegisterLimits) -> Iterator[Row]:
    """``rows`` up to ``max_rows``, with a row holding an over-long cell set aside."""
    with closing(rows):  # type: ignore[type-var]
        yield from _counted(path, rows, limits)


def _counted(path: Path, rows: Iterator[Row], limits: RegisterLimits) -> Iterator[Row]:
    for number, row in enumerate(rows, start=1):
        if number > limits.max_rows:
            message = _(
                "register {path}: more than {limit} rows; the rows after that were not read "
                "(raise max_rows in the deployment file's [registers] section)"
            )
            raise SourceError(message.format(path=path, limit=limits.max_rows))
        long = next((i for i, c in enumerate(row) if _too_long(c, limits.max_cell_chars)), None)
        if long is not None:
            size = len(str(row[long]))
            message = _(
                "cell {cell} holds {size} characters, more than {limit} "
                "(max_cell_chars in the deployment file's [registers] section)"
            )
            yield RowAside(message.format(cell=long + 1, size=size, limit=limits.max_cell_chars))
        else:
            yield row


def _too_long(cell: object, limit: int) -> bool:
    return isinstance(cell, str) and len(cell) > limit


def _xlsx_rows(path: Path, limits: RegisterLimits) -> Iterator[Row]:
    _check_unpacked_size(path, limits)
    try:
        with warnings.catch_warnings():
            # Styles and extensions openpyxl cannot read do not matter for the values.
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except XLSX_ERRORS as exc:
        raise SourceError(_not_xlsx(path, exc)) from exc
    return _sheet_rows(path, book)


def _sheet_rows(path: Path, book: Any) -> Iterator[Row]:
    try:
        sheets = [s for s in book.worksheets if isinstance(s, ReadOnlyWorksheet)]
        if sheets:
            yield from _best_sheet(sheets).values
    except XLSX_ERRORS as exc:
        raise SourceError(_not_xlsx(path, exc)) from exc
    finally:
        book.close()


def _not_xlsx(path: Path, exc: BaseException) -> str:
    message = _("register {path} is not a readable XLSX workbook: {error}")
    return message.format(path=path, error=_one_line(exc))


def _check_unpacked_size(path: Path, limits: RegisterLimits) -> None:
    """Refuse a workbook whose parts unpack to more than the limit, before reading any."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (OSError, zipfile.BadZipFile) as exc:
        raise SourceError(_not_xlsx(path, exc)) from exc
    if unpacked > limits.max_unpacked_bytes:
        message = _(
            "register {path}: the workbook unpacks to {size} MiB, more than {limit} MiB "
            "(raise max_unpacked_bytes in the deployment file's [registers] section if it is "
            "a genuine register)"
        )
        raise SourceError(
            message.format(
                path=path, size=unpacked // 2**20, limit=limits.max_unpacked_bytes // 2**20
            )
        )


def _best_sheet(sheets: list[ReadOnlyWorksheet]) -> ReadOnlyWorksheet:
    scores = []
    for sheet in sheets:
        sheet.reset_dimensions()  # exports often state wrong dimensions, which would cut rows
        values = sheet.values
        scores.append(_rows_score(list(islice(values, HEADER_SCAN_ROWS))))
        values.close()
    return sheets[scores.index(max(scores))]


def _csv_rows(path: Path) -> Iterator[Row]:
    try:
        with path.open("rb") as handle:
            lines = _utf8_lines(path, handle)
            head = list(islice(lines, HEADER_SCAN_ROWS))
            delimiter = max(",;\t", key=lambda d: _rows_score(_csv_head(head, d)))
            yield from _csv_records(csv.reader(chain(head, lines), delimiter=delimiter))
    except OSError as exc:
        message = _("register {path} cannot be read: {error}")
        raise SourceError(message.format(path=path, error=_one_line(exc))) from exc


def _utf8_lines(path: Path, handle: Iterable[bytes]) -> Iterator[str]:
    """The lines of a UTF-8 file (a byte order mark dropped), one at a time."""
    offset = 0
    for raw in handle:
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            message = _("register {path} is not UTF-8 text (byte {byte}); save it as 'CSV UTF-8'")
            raise SourceError(message.format(path=path, byte=offset + exc.start)) from exc
        yield line.removeprefix("\ufeff") if offset == 0 else line
        offset += len(raw)


def _csv_head(lines: list[str], delimiter: str) -> list[Row]:
    """The first rows as ``delimiter`` would cut them (for choosing the delimiter)."""
    rows: list[Row] = []
    reader = csv.reader(lines, delimiter=delimiter)
    while True:
        try:
            rows.append(tuple(next(reader)))
        except StopIteration:
            return rows
        except csv.Error:
            rows.append(())


def _csv_records(reader: Iterator[list[str]]) -> Iterator[Row]:
    """Each record; one the CSV reader cannot take (a field over its limit, 128 KiB) is set
    aside and the reader goes on with the next line."""
    while True:
        try:
            yield tuple(next(reader))
        except StopIteration:
            return
        except csv.Error as exc:
            yield RowAside(_("not a readable CSV row ({error})").format(error=exc))


def _one_line(exc: BaseException) -> str:
    """Why a register cannot be read, in the reader's language (zipfile's and openpyxl's
    messages are English; their exception's name says which part failed)."""
    if isinstance(exc, OSError):
        return os_reason(exc)
    if isinstance(exc, zipfile.BadZipFile):
        return _("it is not a ZIP archive, as every XLSX file is")
    return _("a part of the workbook is damaged ({kind})").format(kind=type(exc).__name__)


# --- the header ------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Lower case, no diacritics, no column numbers like "(1)", words separated by one space."""
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[(\[]\d+[)\]]", " ", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def header_field(cell: object) -> str | None:
    """The field a header cell names, if any."""
    text = normalise(_text(cell))
    for name, field in _NAMES:
        if text == name or (" " in name and text.startswith(name + " ")):
            return field
    return None


def _match_row(row: Row) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(row):
        field = header_field(cell)
        if field and field not in columns:
            columns[field] = index
    return columns


def _rows_score(rows: Sequence[Row]) -> tuple[int, int]:
    return max(((len(_match_row(r)), len(r)) for r in rows), default=(0, 0))


def find_header(rows: Sequence[Row], path: Path) -> Header:
    """The row among the first 30 naming the most fields, with the row above or below it when
    that one names more fields in other columns (a header of two rows)."""
    matches = [_match_row(row) for row in rows[:HEADER_SCAN_ROWS]]
    best = max(range(len(matches)), key=lambda i: len(matches[i]), default=0)
    if not matches or len(matches[best]) < 2:
        message = _(
            "register {path}: no header row in the first {rows} rows "
            "(looked for columns such as 'Ngày đến', 'Số, ký hiệu', 'Trích yếu')"
        )
        raise SourceError(message.format(path=path, rows=HEADER_SCAN_ROWS))
    columns, used = dict(matches[best]), [best]
    for other in (best - 1, best + 1):
        extra = matches[other] if 0 <= other < len(matches) else {}
        for field, index in extra.items():
            if field not in columns and index not in columns.values():
                columns[field] = index
                used.append(other)
    texts = tuple(tuple(_text(c) for c in rows[i]) for i in sorted(set(used)))
    return Header(row=best + 1, last_row=max(used) + 1, columns=columns, texts=texts)


def _direction_of(header: Header) -> Direction | None:
    """Incoming registers have "Ngày đến"/"Số đến", outgoing ones "Người ký"/"Nơi nhận"."""
    incoming = bool({"arrived", "arrival_number"} & header.columns.keys())
    outgoing = bool({"signer", "recipients"} & header.columns.keys())
    return None if incoming == outgoing else "in" if incoming else "out"


def _direction_from_title(header: Header, rows: Sequence[Row], path: Path) -> Direction:
    """When the columns do not tell, the title above them ("Sổ đăng ký văn bản đến") may."""
    title = " ".join(normalise(_text(c)) for row in rows[: header.row - 1] for c in row)
    said = {word for word in ("den", "di") if re.search(rf"\b(?:van ban|vb) {word}\b", title)}
    if len(said) == 1:
        return "in" if said == {"den"} else "out"
    message = _(
        "register {path}: the header on row {row} does not tell an incoming from an outgoing "
        "register; give the direction (in or out)"
    )
    raise SourceError(message.format(path=path, row=header.row))


def _missing_message(path: Path, header: Header, direction: Direction, missing: list[str]) -> str:
    found = " | ".join(text for text in header.texts[0] if text)
    names = ", ".join(repr(name) for name in missing)
    if direction == "in":
        message = _(
            "register {path}: the header on row {row} ({found}) has no column for {names}, "
            "needed in an incoming register"
        )
    else:
        message = _(
            "register {path}: the header on row {row} ({found}) has no column for {names}, "
            "needed in an outgoing register"
        )
    return message.format(path=path, row=header.row, found=found, names=names)


# --- rows to records -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    path: Path
    organ_id: str
    direction: Direction
    source: str
    default_channel: Channel
    header: Header


@dataclass(frozen=True)
class _Cells:
    """One row's cells, by field."""

    number: int
    values: Row
    header: Header

    def get(self, field: str) -> object:
        index = self.header.columns.get(field)
        return self.values[index] if index is not None and index < len(self.values) else None

    def text(self, field: str) -> str | None:
        return _text(self.get(field)) or None

    def moment(self, field: str) -> datetime | None:
        try:
            return parse_cell(self.get(field))
        except ValueError:
            message = _("column {column}: {text} is not a date")
            column, text = self.header.heading(field), repr(_text(self.get(field)))
            raise RecordError(message.format(column=column, text=text)) from None

    def day(self, field: str) -> date | None:
        moment = self.moment(field)
        return moment.date() if moment else None

    def clock(self, field: str) -> time | None:
        try:
            return parse_cell_time(self.get(field))
        except ValueError:
            message = _("column {column}: {text} is not a time")
            column, text = self.header.heading(field), repr(_text(self.get(field)))
            raise RecordError(message.format(column=column, text=text)) from None


def _read_rows(rows: Iterable[Row], context: _Context) -> Iterator[Read | Quarantined]:
    seen: dict[str, int] = {}
    locator = str(context.path.absolute())
    for number, values in enumerate(rows, start=1):
        if isinstance(values, RowAside):
            yield _aside(context, locator, number, values.reason, "")
            continue
        if number <= context.header.last_row or _skipped(values, context.header):
            continue
        try:
            record = _record(_Cells(number, values, context.header), context)
            if record.external_id in seen:
                first = seen[record.external_id]
                message = _("the same document as row {row} ({id})")
                raise RecordError(message.format(row=first, id=record.external_id))
        except (RecordError, ValidationError) as exc:
            excerpt = " | ".join(_text(v) for v in values).rstrip(" |")
            yield _aside(context, locator, number, _why_aside(exc, context.header), excerpt)
            continue
        seen[record.external_id] = number
        yield Read(f"{locator}#row{number}", record)


def _why_aside(exc: RecordError | ValidationError, header: Header) -> str:
    """A row's reason: the connector's, or what the record refused (a date before 1990 or
    in the future) with the heading of the column it came from, in the reader's language."""
    if isinstance(exc, RecordError):
        return exc.reason
    loc, error = first_error(exc)
    said = error.get("ctx", {}).get("error")
    name, text = (said.field, said.problem) if isinstance(said, ImplausibleTime) else (None, "")
    if loc and not name:
        name, text = str(loc[0]), problem(error)
    field = COLUMN_OF.get(name or "")
    if field is None or field not in header.columns:
        return describe(".".join(str(part) for part in loc), error)
    message = _("column {column}: {problem}")
    return message.format(column=header.heading(field), problem=text)


def _aside(context: _Context, locator: str, number: int, reason: str, excerpt: str) -> Quarantined:
    return Quarantined(
        source=context.source,
        locator=f"{locator}#row{number}",
        reason=_("row {number}: {reason}").format(number=number, reason=reason),
        excerpt=excerpt,
        content_hash=hashlib.sha256((excerpt or f"{locator}#row{number}").encode()).hexdigest(),
    )


def _skipped(values: Row, header: Header) -> bool:
    """Empty rows, the header repeated (on each printed page) and the row numbering columns."""
    texts = [_text(v) for v in values]
    filled = [t for t in texts if t]
    if not filled or any(_repeats(texts, header_texts) for header_texts in header.texts):
        return True
    numbers = [NUMBERING.fullmatch(t) for t in filled]
    if len(filled) < 3 or not all(numbers):
        return False
    ints = [int(m[1]) for m in numbers if m]
    return ints == list(range(ints[0], ints[0] + len(ints)))


def _repeats(texts: list[str], header_texts: tuple[str, ...]) -> bool:
    return sum(1 for a, b in zip(texts, header_texts, strict=False) if a and a == b) >= 2


def _record(cells: _Cells, context: _Context) -> AgencyDocumentRecord:
    number, notation = split_code(cells.text("code"))
    number, notation = number or cells.text("number"), notation or cells.text("notation")
    type_name, subject = split_type(cells.text("subject"), cells.text("type"))
    if not (number or notation or subject):
        raise RecordError(_("no number and no subject"))
    fields = _incoming(cells) if context.direction == "in" else _outgoing(cells)
    key = _key(context.direction, number and notation and f"{number}/{notation}", fields)
    sender = cells.text("sender")
    sender_ids = ORGAN_CODE.findall(sender or "")
    return AgencyDocumentRecord(
        organ_id=context.organ_id,
        direction=context.direction,
        external_id=key or f"{context.path.name}#row{cells.number}",
        code_number=number,
        code_notation=notation,
        type_name=type_name,
        subject=subject,
        sender_id=sender_ids[0] if sender_ids else None,
        sender_name=sender,
        recipient_ids=tuple(ORGAN_CODE.findall(cells.text("recipients") or "")),
        due_date=cells.day("due"),
        priority=_priority(cells),
        channel=_channel(cells, context.default_channel),
        file_code=cells.text("file_code"),
        **fields,
    )


def _incoming(cells: _Cells) -> dict[str, Any]:
    arrived = cells.moment("arrived")
    if arrived is None:
        raise RecordError(_("no arrival date"))
    hour = cells.clock("arrival_time")
    if hour is not None and arrived.time() == time():
        arrived = datetime.combine(arrived.date(), hour)
    return {
        "arrived_at": arrived,
        "registered_at": arrived,
        "promulgation_date": cells.day("doc_date"),
        "arrival_number": cells.text("arrival_number"),
        "assigned_at": cells.moment("transfer"),
    }


def _outgoing(cells: _Cells) -> dict[str, Any]:
    promulgated = cells.day("doc_date")
    if promulgated is None:
        raise RecordError(_("no document date"))
    return {"promulgation_date": promulgated, "issued_at": cells.moment("transfer")}


def _key(direction: Direction, code: str | None, fields: dict[str, Any]) -> str | None:
    """The register's own key of a document (see the module docstring), when the row has it."""
    arrived, arrival = fields.get("arrived_at"), fields.get("arrival_number")
    if direction == "in" and arrived and arrival:
        return f"in:{arrived.year}:{arrival}"
    promulgated = fields.get("promulgation_date")
    if direction == "out" and promulgated and code:
        return f"out:{promulgated.year}:{code}"
    return None


def split_code(text: str | None) -> tuple[str | None, str | None]:
    """Number and notation of "123/UBND-VP"; "01/2025/TT-BTC" is 01 and 2025/TT-BTC."""
    if not text:
        return None, None
    match = re.fullmatch(r"(?:s[ốo]\s*:?\s*)?(\d+[a-zA-Z]?)\s*(?:/\s*(.*))?", text, re.IGNORECASE)
    if not match:
        return None, text
    return match[1], (match[2] or "").strip() or None


def split_type(subject: str | None, type_cell: str | None) -> tuple[str | None, str | None]:
    """Type name and subject of "Công văn V/v ...", unless a type column gives the type."""
    if type_cell or not subject:
        return type_cell, subject
    words = subject.split()
    for name in TYPE_NAMES:
        size = len(name.split())
        if normalise(" ".join(words[:size])) == normalise(name):
            return name, " ".join(words[size:]).lstrip(" :-–,") or None
    return None, subject


def _channel(cells: _Cells, default: Channel) -> Channel:
    text = normalise(cells.text("channel") or "")
    if not text:
        return default
    for channel, names in CHANNELS.items():
        if re.search(rf"\b(?:{names})\b", text):
            return channel
    message = _("channel '{text}' is not known (axis, email or paper)")
    raise RecordError(message.format(text=cells.text("channel")))


def _priority(cells: _Cells) -> int:
    text = normalise(cells.text("priority") or "")
    if text not in PRIORITIES:
        message = _("priority '{text}' is not known")
        raise RecordError(message.format(text=cells.text("priority")))
    return PRIORITIES[text]


def read_registers(
    paths: Sequence[Path],
    *,
    organ_id: str,
    direction: Direction | None = None,
    source: str = "register",
    default_channel: Channel = "paper",
    limits: RegisterLimits | None = None,
) -> list[Iterator[Read | Quarantined]]:
    """A reader for each file, every file opened and its header found before the caller
    stores any row: one file that cannot be read as a register (``SourceError``) means
    nothing is stored. The rows themselves still stream, file by file."""
    readers: list[Iterator[Read | Quarantined]] = []
    for path in paths:
        reader = read_register(
            path,
            organ_id=organ_id,
            direction=direction,
            source=source,
            default_channel=default_channel,
            limits=limits,
        )
        first = next(reader, None)  # opens the file and finds its header, or raises
        readers.append(chain([first] if first is not None else [], reader))
    return readers
