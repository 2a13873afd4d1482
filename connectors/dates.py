"""Dates and times as our sources write them: one parser per input format family.

- **Text** written by Vietnamese software and people (edXML headers, register cells):
  :func:`parse_text` reads ``yyyy/MM/dd`` or ``dd/MM/yyyy`` (``/``, ``-`` or ``.`` between the
  parts) with an optional time ``HH:mm[:ss]`` (``:``, ``h`` or ``g`` between hours and
  minutes) after the date or before it; an ISO 8601 time with an offset is converted.
- **Spreadsheet cells** (register exports): :func:`parse_cell` and :func:`parse_cell_time` add
  what a spreadsheet holds besides text: datetimes, dates, times and Excel serial numbers.
- **Vendor APIs**: :func:`parse_iso` and :func:`parse_iso_date` for ISO 8601, and
  :func:`parse_layouts` for the strptime layouts a deployment file names.

Every parser returns naive Vietnam local time (:mod:`checker.clock`). Text shaped like a date
that names no day (``2014/02/30``) raises :class:`ImpossibleDate`; text that is no date at all
raises ``ValueError`` (``ImpossibleDate`` is one). Nothing else is raised: a caller flags or
quarantines the record and the run goes on.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, time, timedelta

from openpyxl.utils.datetime import from_excel

from checker.clock import to_vietnam

_DATE = (
    r"(?:(?P<d>[0-9]{1,2})[/.-](?P<m>[0-9]{1,2})[/.-](?P<y>[0-9]{4})"
    r"|(?P<Y>[0-9]{4})[/.-](?P<M>[0-9]{1,2})[/.-](?P<D>[0-9]{1,2}))"
)
_TIME = r"(?P<H>[0-9]{1,2})[:hg](?P<N>[0-9]{2})(?::(?P<S>[0-9]{2})(?:[.,][0-9]+)?)?"
_DATE_TIME = re.compile(rf"{_DATE}(?:[ T,]+{_TIME})?")
_TIME_DATE = re.compile(rf"{_TIME}[ ,]+{_DATE}")
_TIME_ONLY = re.compile(_TIME)
_SERIAL = re.compile(r"[0-9]{5}(?:\.[0-9]+)?")
_FIRST_SERIAL, _END_SERIAL = 18264, 73051  # 1950-01-01 and 2100-01-01 as Excel serials


class ImpossibleDate(ValueError):
    """Text shaped like a date or time that names none (``2014/02/30``, ``25:00``)."""


# --- text -------------------------------------------------------------------------------------


def parse_text(text: str) -> datetime:
    """A date or a date and time written as text (see the module docstring)."""
    if text[4:5] in ("/", "-"):
        try:
            return to_vietnam(datetime.fromisoformat(text.replace("/", "-")))
        except ValueError:
            pass  # not ISO 8601; the patterns below read it or say why not
    match = _DATE_TIME.fullmatch(text) or _TIME_DATE.fullmatch(text)
    if match is None:
        raise ValueError(f"unreadable date {text!r}")
    groups = match.groupdict()
    try:
        day = date(
            int(groups["y"] or groups["Y"]),
            int(groups["m"] or groups["M"]),
            int(groups["d"] or groups["D"]),
        )
        return datetime.combine(day, _time_of(groups))
    except ValueError:
        raise ImpossibleDate(f"impossible date {text!r}") from None


def _time_of(groups: dict[str, str | None]) -> time:
    hour, minute, second = groups["H"], groups["N"], groups["S"]
    return time(int(hour), int(minute or 0), int(second or 0)) if hour else time()


# --- spreadsheet cells ------------------------------------------------------------------------


def parse_cell(value: object) -> datetime | None:
    """A date cell: a datetime or date, an Excel serial number (1950 to 2099), or text
    (:func:`parse_text`). None when empty."""
    if isinstance(value, datetime):
        return _nearest_second(value)  # Excel keeps times as fractions of a day
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(float(value))
    text = cell_text(value)
    if not text:
        return None
    if _SERIAL.fullmatch(text):
        return _serial(float(text))
    return parse_text(text)


def parse_cell_time(value: object) -> time | None:
    """A time cell: a time, a fraction of a day, or text "08:30", "8h30". None when empty."""
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, time):
        return value
    if isinstance(value, timedelta):
        return (datetime.min + value).time()
    if isinstance(value, float) and 0 <= value < 1:
        return _nearest_second(datetime.min + timedelta(days=value)).time()
    text = cell_text(value)
    if not text:
        return None
    match = _TIME_ONLY.fullmatch(text)
    if match is None:
        raise ValueError(f"unreadable time {text!r}")
    try:
        return _time_of(match.groupdict())
    except ValueError:
        raise ImpossibleDate(f"impossible time {text!r}") from None


def cell_text(value: object) -> str:
    """A cell as one line of text: whole numbers without ``.0``, dates day first."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M" if value.time() != time() else "%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return " ".join(str(value).split())


def _serial(number: float) -> datetime:
    if not _FIRST_SERIAL <= number < _END_SERIAL:  # anything else is not a register date
        raise ValueError(f"{number} is not a date serial number of 1950 to 2099")
    moment = from_excel(number)
    assert isinstance(moment, datetime)
    return _nearest_second(moment)


def _nearest_second(moment: datetime) -> datetime:
    return (moment + timedelta(microseconds=500_000)).replace(microsecond=0)


# --- vendor APIs ------------------------------------------------------------------------------


def parse_iso(text: str) -> datetime:
    """An ISO 8601 time; the shape the reference API writes (``2025-03-03T09:15:00+07:00``,
    already Vietnam time) is read without a time-zone conversion."""
    if len(text) == 25 and text.endswith("+07:00"):
        try:
            return datetime.fromisoformat(text[:19])
        except ValueError:
            pass  # the general path below gives the reason
    return to_vietnam(datetime.fromisoformat(text))


def parse_iso_date(text: str) -> date:
    """An ISO 8601 day (``2025-03-01``), or the Vietnam day of an ISO 8601 time."""
    if len(text) == 10:
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    return parse_iso(text).date()


@functools.lru_cache(maxsize=16384)
def parse_layouts(text: str, layouts: tuple[str, ...]) -> datetime | None:
    """``text`` read with the first strptime layout that fits, in Vietnam time, or None.
    Cached: strptime is slow, and days (and often times) repeat across a vendor's records."""
    for layout in layouts:
        try:
            return to_vietnam(datetime.strptime(text, layout))
        except ValueError:
            continue
    return None
