"""The date parsers every connector shares (connectors/dates.py), and what each connector does
with a date that cannot be: flag it or quarantine the record, never crash."""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.clock import VIETNAM
from checker.errors import RecordError
from checker.store.records import DocumentRecord, Quarantined
from connectors.compiler import map_record
from connectors.dates import (
    ImpossibleDate,
    parse_cell,
    parse_cell_time,
    parse_iso,
    parse_iso_date,
    parse_layouts,
    parse_text,
)
from connectors.edxml import read_message
from connectors.mapping import Endpoint
from connectors.register import read_register
from tests.connectors.test_edxml import EDOC

pytestmark = pytest.mark.usefixtures("english")  # the messages these tests spell out

AGENCY = "000.00.01.H99"
moments = st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31)).map(
    lambda moment: moment.replace(microsecond=0)
)
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


@st.composite
def impossible_days(draw: st.DrawFn) -> tuple[int, int, int]:
    """A year, a month and a day past the month's end (30 February, 31 April, 0 March...)."""
    year = draw(st.integers(min_value=1000, max_value=9999))
    month = draw(st.integers(min_value=0, max_value=99))
    if 1 <= month <= 12:
        last = calendar.monthrange(year, month)[1]
        day = draw(st.integers(min_value=last + 1, max_value=99) | st.just(0))
    else:
        day = draw(st.integers(min_value=1, max_value=28))
    return year, month, day


def written(year: int, month: int, day: int, *, day_first: bool, separator: str) -> str:
    parts = (
        (f"{day:02d}", f"{month:02d}", f"{year}")
        if day_first
        else (f"{year}", f"{month:02d}", f"{day:02d}")
    )
    return separator.join(parts)


# --- text ------------------------------------------------------------------------------------

TEXT_LAYOUTS = [
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M:%S",
    "%d/%m/%Y",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d.%m.%Y",
    "%Y.%m.%d %H:%M",
    "%H:%M %d/%m/%Y",
    "%Hh%M %d/%m/%Y",
    "%d/%m/%Y, %Hg%M",
]


@given(moment=moments, layout=st.sampled_from(TEXT_LAYOUTS))
def test_text_in_every_layout_reads_back_to_the_moment_written(moment, layout):
    parsed = parse_text(moment.strftime(layout))
    precision = "%S" if "%S" in layout else "%M" if "%M" in layout else None
    expected = moment.replace(
        hour=moment.hour if precision else 0,
        minute=moment.minute if precision else 0,
        second=moment.second if precision == "%S" else 0,
    )
    assert parsed == expected


@given(moment=moments, zone=offsets)
def test_text_with_an_offset_is_read_as_vietnam_time(moment, zone):
    aware = moment.replace(year=max(moment.year, 1001), tzinfo=zone)
    expected = aware.astimezone(VIETNAM).replace(tzinfo=None)
    assert parse_text(aware.isoformat(" ")) == expected
    assert parse_iso(aware.isoformat()) == expected


@given(
    day=impossible_days(),
    day_first=st.booleans(),
    separator=st.sampled_from(["/", "-", "."]),
    clock=st.sampled_from(["", " 08:30", " 08:30:15", "T23:59:59"]),
)
def test_impossible_dates_are_told_apart_from_unreadable_text(day, day_first, separator, clock):
    text = written(*day, day_first=day_first, separator=separator) + clock
    with pytest.raises(ImpossibleDate, match=re.escape(repr(text))):
        parse_text(text)


@given(hour=st.integers(min_value=24, max_value=99), minute=st.integers(min_value=0, max_value=99))
def test_impossible_times_are_impossible_dates(hour, minute):
    with pytest.raises(ImpossibleDate):
        parse_text(f"2014/02/28 {hour:02d}:{minute:02d}")
    with pytest.raises(ImpossibleDate):
        parse_cell_time(f"{hour}:{minute:02d}")


@given(text=st.text(max_size=40) | st.text(alphabet="0123456789/-.:hgT ,+Z", max_size=30))
def test_any_text_is_a_moment_or_a_value_error_never_a_crash(text):
    try:
        parsed = parse_text(text)
    except ValueError:
        return
    assert isinstance(parsed, datetime)
    assert parsed.tzinfo is None


@pytest.mark.parametrize("text", ["yesterday", "2014/02", "12", "2014/02/28 8", "30/02/25"])
def test_text_that_is_no_date_is_unreadable_not_impossible(text):
    with pytest.raises(ValueError, match="unreadable") as caught:
        parse_text(text)
    assert not isinstance(caught.value, ImpossibleDate)


# --- spreadsheet cells -----------------------------------------------------------------------

CELL_LAYOUTS = [
    "%d/%m/%Y",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%H:%M %d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%Y-%m-%dT%H:%M",
]


@settings(deadline=None, max_examples=60)
@given(
    moment=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 12, 31)),
    form=st.sampled_from([*CELL_LAYOUTS, "datetime", "date", "serial"]),
)
def test_cells_in_any_supported_form_read_back_to_the_same_date(moment, form):
    moment = moment.replace(second=0, microsecond=0)
    day_one = datetime(1899, 12, 30)
    cell: object = {
        "datetime": moment,
        "date": moment.date(),
        "serial": (moment - day_one).total_seconds() / 86400,
    }.get(form) or moment.strftime(form)
    parsed = parse_cell(cell)
    assert parsed is not None
    assert parsed.date() == moment.date()
    if form in ("datetime", "serial") or "%H" in form:
        assert parsed.time() == moment.time()


@pytest.mark.parametrize("cell", ["30/02/2025", "2025-13-01", "31/04/2025", "hôm qua", "12", 1905])
def test_cells_that_name_no_day_are_not_dates(cell):
    with pytest.raises(ValueError):
        parse_cell(cell)


def test_time_of_day_in_a_date_cell_is_kept():
    assert parse_cell(" 07/01/2025  14:05 ") == datetime(2025, 1, 7, 14, 5)
    assert parse_cell("") is None
    assert parse_cell(None) is None


# --- vendor APIs -----------------------------------------------------------------------------


@given(
    when=st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
    zone=st.sampled_from(["+07:00", "Z", "+00:00", "-05:30", "+14:00", ""]),
    separator=st.sampled_from(["T", " "]),
)
def test_iso_times_read_by_the_fast_path_equal_the_general_reading(when, zone, separator):
    text = when.replace(microsecond=0).isoformat(separator) + zone
    moment = datetime.fromisoformat(text)
    expected = moment.astimezone(VIETNAM).replace(tzinfo=None) if moment.tzinfo else moment
    assert parse_iso(text) == expected
    assert parse_iso_date(text) == expected.date()


@given(day=st.dates())
def test_iso_days_read_back(day):
    assert parse_iso_date(day.isoformat()) == day


@given(moment=moments, layout=st.sampled_from(["%d/%m/%Y %H:%M", "%Y%m%d%H%M%S", "%d-%m-%Y"]))
def test_strptime_layouts_read_back_and_the_first_that_fits_wins(moment, layout):
    parsed = parse_layouts(moment.strftime(layout), ("%Y", layout))
    assert parsed is not None
    assert parsed.date() == moment.date()


@given(day=impossible_days())
def test_an_impossible_date_fits_no_layout(day):
    text = written(*day, day_first=True, separator="/")
    assert parse_layouts(text, ("%d/%m/%Y",)) is None


# --- what each connector does with an impossible date -----------------------------------------


@settings(deadline=None, max_examples=25)
@given(day=impossible_days(), day_first=st.booleans())
def test_edxml_flags_an_impossible_date_and_reads_the_rest(tmp_path_factory, day, day_first):
    text = written(*day, day_first=day_first, separator="/")
    path = tmp_path_factory.mktemp("edxml") / "message.edxml"
    path.write_bytes(
        EDOC.replace(
            b">2019/04/11</edXML:PromulgationDate>", f">{text}</edXML:PromulgationDate>".encode()
        )
    )
    doc = read_message(path)
    assert isinstance(doc, DocumentRecord)
    assert doc.promulgation_date is None
    assert doc.flags == (f"impossible PromulgationDate '{text}'",)


@settings(deadline=None, max_examples=25)
@given(day=impossible_days())
def test_a_register_row_with_an_impossible_date_is_quarantined(tmp_path_factory, day):
    text = written(*day, day_first=True, separator="/")
    path = tmp_path_factory.mktemp("register") / "so-den.csv"
    lines = ["Ngày đến,Số đến,Số ký hiệu,Trích yếu", f"{text},1,1/UBND,Công văn"]
    path.write_bytes("\r\n".join(lines).encode("utf-8-sig"))
    (item,) = read_register(path, organ_id=AGENCY)
    assert isinstance(item, Quarantined)
    assert item.reason == f"row 2: column 'Ngày đến': '{text}' is not a date"


@given(day=impossible_days())
def test_a_vendor_record_with_an_impossible_date_is_a_record_error(day):
    text = written(*day, day_first=False, separator="-")
    endpoint = Endpoint(
        name="file-lists",
        record="file_list",
        path="file-lists",
        fields={"external_id": "id", "year": "year", "issued_on": "issued_on"},
    )
    with pytest.raises(
        RecordError, match=re.escape(f"issued_on: '{text}' does not match ISO 8601")
    ):
        map_record(endpoint, {"id": "1", "year": 2025, "issued_on": text}, AGENCY)
    assert map_record(endpoint, {"id": "1", "year": 2025, "issued_on": "2025-01-06"}, AGENCY)
