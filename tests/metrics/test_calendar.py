from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from checker.clock import local_date
from checker.errors import ConfigError
from metrics.calendar import CalendarOverrides, WorkingCalendar

CALENDAR = WorkingCalendar()
PUBLIC = holidays.country_holidays("VN", years=range(2000, 2041))

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
few = settings(max_examples=60, deadline=None)


def d(text: str) -> date:
    return date.fromisoformat(text)


def local(text: str) -> datetime:
    """A naive timestamp, as the store keeps them: Vietnam local time."""
    return datetime.fromisoformat(text)


# Known dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [
        "2026-01-01",  # New Year's Day
        "2026-02-16",  # Tết: eve, first to fourth day (Mon-Fri)
        "2026-02-17",
        "2026-02-18",
        "2026-02-19",
        "2026-02-20",
        "2026-04-27",  # Hung Kings day falls on Sunday 26 Apr, observed on Monday
        "2026-04-30",
        "2026-05-01",
        "2025-09-01",  # the day adjacent to National Day
        "2025-09-02",  # National Day
        "2025-05-02",  # official swap known to the package, worked on Saturday 26 Apr
        "2026-03-07",  # an ordinary Saturday
        "2026-03-08",  # an ordinary Sunday
    ],
)
def test_known_day_off_is_not_a_working_day(day: str) -> None:
    assert not CALENDAR.is_working_day(d(day))


@pytest.mark.parametrize(
    "day",
    [
        "2026-02-13",  # the Friday before Tết 2026
        "2026-02-23",  # the Monday after
        "2026-04-28",
        "2025-09-03",
        "2025-04-26",  # make-up Saturday of the 2025 swap, known to the package
        "2026-03-06",
    ],
)
def test_known_working_day_is_a_working_day(day: str) -> None:
    assert CALENDAR.is_working_day(d(day))


def test_make_up_saturday_override_is_a_working_day() -> None:
    calendar = WorkingCalendar(extra_days_off=[d("2026-01-02")], working_days=[d("2026-01-10")])

    assert calendar.is_working_day(d("2026-01-10"))
    assert not calendar.is_working_day(d("2026-01-02"))
    assert calendar.next_working_day(d("2026-01-01")) == d("2026-01-05")
    assert calendar.next_working_day(d("2026-01-09")) == d("2026-01-10")


def test_extra_day_off_override_is_not_a_working_day() -> None:
    calendar = WorkingCalendar(extra_days_off=[d("2026-02-23")])

    assert not calendar.is_working_day(d("2026-02-23"))
    assert calendar.next_working_day(d("2026-02-13")) == d("2026-02-24")


def test_working_day_override_beats_a_public_holiday() -> None:
    calendar = WorkingCalendar(working_days=[d("2026-11-24")])

    assert calendar.is_working_day(d("2026-11-24"))
    assert d("2026-11-24") not in calendar.days_off(2026)


def test_days_off_holds_weekday_holidays_and_extra_days_off_only() -> None:
    calendar = WorkingCalendar(extra_days_off=[d("2026-02-23"), d("2026-02-21")])
    off = calendar.days_off(2026)

    assert {d("2026-01-01"), d("2026-02-16"), d("2026-02-23"), d("2026-04-27")} <= off
    assert d("2026-04-26") not in off  # Hung Kings day itself is a Sunday
    assert d("2026-02-21") not in off  # a Saturday is off anyway
    assert all(day.weekday() < 5 and day.year == 2026 for day in off)
    assert CALENDAR.weekend_working_days(2025) == {d("2025-04-26")}


def test_working_days_between_counts_after_start_up_to_end() -> None:
    assert CALENDAR.working_days_between(d("2026-03-02"), d("2026-03-05")) == 3
    assert CALENDAR.working_days_between(d("2026-03-05"), d("2026-03-05")) == 0
    assert CALENDAR.working_days_between(d("2026-03-05"), d("2026-03-02")) == 0
    assert CALENDAR.working_days_between(d("2026-02-13"), d("2026-02-23")) == 1
    assert CALENDAR.working_days_between(d("2024-12-31"), d("2025-12-31")) == 250


# Same day, at the latest the next working day ----------------------------------------------


@pytest.mark.parametrize(
    ("arrival", "done", "in_time"),
    [
        ("2026-03-02 09:00", "2026-03-02 23:59", True),  # Monday, same day
        ("2026-03-02 09:00", "2026-03-03 16:00", True),  # next working day
        ("2026-03-02 09:00", "2026-03-04 08:00", False),
        ("2026-03-06 17:00", "2026-03-09 08:00", True),  # Friday, done Monday
        ("2026-03-06 17:00", "2026-03-10 08:00", False),
        ("2026-04-24 10:00", "2026-04-28 10:00", True),  # Friday, Monday is a holiday
        ("2026-04-24 10:00", "2026-04-29 10:00", False),
        ("2026-03-07 10:00", "2026-03-08 10:00", True),  # Saturday arrival, done Sunday
        ("2026-03-07 10:00", "2026-03-09 10:00", True),  # Saturday arrival: due Monday
        ("2026-03-07 10:00", "2026-03-10 10:00", False),  # Tuesday is late (Art. 22)
        ("2026-02-14 10:00", "2026-02-23 10:00", True),  # arrives in the Tết break
        ("2026-02-14 10:00", "2026-02-24 10:00", False),
        ("2026-03-02 09:00", "2026-03-01 09:00", True),  # done before arrival: not late
    ],
)
def test_within_next_working_day(arrival: str, done: str, in_time: bool) -> None:
    assert CALENDAR.within_next_working_day(local(arrival), local(done)) is in_time


@pytest.mark.parametrize(
    ("arrival", "done", "in_time"),
    [
        ("2026-03-07 10:00", "2026-03-10 10:00", True),  # Saturday arrival: Tuesday too
        ("2026-03-07 10:00", "2026-03-11 10:00", False),
        ("2026-03-06 17:00", "2026-03-09 08:00", True),  # a working day: as the text says
        ("2026-03-06 17:00", "2026-03-10 08:00", False),
    ],
)
def test_a_lenient_deployment_gives_a_day_off_arrival_one_working_day_more(
    arrival: str, done: str, in_time: bool
) -> None:
    lenient = WorkingCalendar.from_overrides(CalendarOverrides(lenient_day_off=True))
    assert lenient.within_next_working_day(local(arrival), local(done)) is in_time


def test_the_deadlines_of_a_day_off_are_both_the_next_working_day() -> None:
    saturday, monday, tuesday = d("2026-03-07"), d("2026-03-09"), d("2026-03-10")
    assert CALENDAR.deadlines(saturday) == (monday, monday)
    assert CALENDAR.deadlines(monday) == (monday, tuesday)


def test_within_next_working_day_uses_the_vietnam_date_of_aware_times() -> None:
    friday_evening_utc = datetime(2026, 3, 6, 18, 0, tzinfo=UTC)  # Saturday 01:00 in Vietnam

    assert CALENDAR.within_next_working_day(friday_evening_utc, local("2026-03-09 10:00"))
    assert not CALENDAR.within_next_working_day(friday_evening_utc, local("2026-03-10 10:00"))
    assert not CALENDAR.within_next_working_day(
        datetime(2026, 3, 6, 9, 0, tzinfo=UTC), local("2026-03-10 10:00")
    )


def test_same_day_compares_vietnam_dates() -> None:
    assert CALENDAR.same_day(datetime(2026, 3, 2, 18, 30, tzinfo=UTC), local("2026-03-03 08:00"))
    assert not CALENDAR.same_day(local("2026-03-02 23:59"), local("2026-03-03 00:00"))


# Config ------------------------------------------------------------------------------------


def test_overrides_read_from_toml_dates() -> None:
    raw = tomllib.loads("extra_days_off = [2026-01-02]\nworking_days = ['2026-01-10']\n")
    calendar = WorkingCalendar.from_overrides(CalendarOverrides.model_validate(raw))

    assert calendar.extra_days_off == {d("2026-01-02")}
    assert calendar.working_days == {d("2026-01-10")}


def test_date_in_both_override_lists_is_a_config_error(english: None) -> None:
    raw = {"extra_days_off": ["2026-01-10"], "working_days": ["2026-01-10"]}
    message = (
        r"^\[calendar\]: 2026-01-10 is in both extra_days_off and working_days; "
        r"keep each date in one list$"
    )
    with pytest.raises(ConfigError, match=message):
        CalendarOverrides.model_validate(raw)
    with pytest.raises(ConfigError, match=message):
        WorkingCalendar(extra_days_off=[d("2026-01-10")], working_days=[d("2026-01-10")])


def test_unknown_override_key_is_rejected() -> None:
    with pytest.raises(ValidationError, match="extra_forbidden"):
        CalendarOverrides.model_validate({"holidays": ["2026-01-10"]})


# Properties --------------------------------------------------------------------------------


@st.composite
def overrides(draw: st.DrawFn) -> tuple[frozenset[date], frozenset[date]]:
    days = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31))
    off = draw(st.frozensets(days, max_size=8))
    worked = draw(st.frozensets(days, max_size=8)) - off
    return off, worked


@few
@given(dates)
def test_a_working_day_is_never_a_holiday_or_weekend_unless_the_package_swaps_it(
    day: date,
) -> None:
    if CALENDAR.is_working_day(day):
        assert day not in PUBLIC
        assert day.weekday() < 5 or day in PUBLIC.weekend_workdays
    else:
        assert day in PUBLIC or day.weekday() >= 5


@few
@given(overrides(), st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31)))
def test_overrides_decide_before_holidays_and_weekends(
    given_overrides: tuple[frozenset[date], frozenset[date]], day: date
) -> None:
    off, worked = given_overrides
    calendar = WorkingCalendar(extra_days_off=off, working_days=worked)

    if day in worked:
        assert calendar.is_working_day(day)
    elif day in off:
        assert not calendar.is_working_day(day)
    else:
        assert calendar.is_working_day(day) == CALENDAR.is_working_day(day)


@few
@given(dates)
def test_next_working_day_is_the_first_working_day_after(day: date) -> None:
    following = CALENDAR.next_working_day(day)

    assert following > day
    assert CALENDAR.is_working_day(following)
    between = (day + timedelta(days=n) for n in range(1, (following - day).days))
    assert not any(CALENDAR.is_working_day(x) for x in between)


@few
@given(dates, dates, dates)
def test_working_days_between_is_additive(x: date, y: date, z: date) -> None:
    a, b, c = sorted((x, y, z))
    between = CALENDAR.working_days_between

    assert between(a, b) + between(b, c) == between(a, c)


@few
@given(overrides(), st.dates(min_value=date(2024, 12, 1), max_value=date(2027, 1, 31)))
def test_working_days_between_counts_working_days_one_by_one(
    given_overrides: tuple[frozenset[date], frozenset[date]], start: date
) -> None:
    off, worked = given_overrides
    calendar = WorkingCalendar(extra_days_off=off, working_days=worked)
    end = start + timedelta(days=70)
    one_by_one = sum(calendar.is_working_day(start + timedelta(days=n)) for n in range(1, 71))

    assert calendar.working_days_between(start, end) == one_by_one


@few
@given(dates, st.times(min_value=time(17, 0)))
def test_evening_utc_is_the_next_day_in_vietnam(day: date, at: time) -> None:
    ts = datetime.combine(day, at, tzinfo=UTC)

    assert local_date(ts) == day + timedelta(days=1)
    assert local_date(datetime.combine(day, time(18, 30), tzinfo=UTC)) == day + timedelta(days=1)


@few
@given(st.datetimes(min_value=datetime(1976, 1, 1), max_value=datetime(2099, 12, 31)))
def test_local_date_agrees_with_the_time_zone_database(naive: datetime) -> None:
    ts = naive.replace(tzinfo=timezone(timedelta(hours=-3)))

    assert local_date(ts) == ts.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    assert local_date(naive) == naive.date()
