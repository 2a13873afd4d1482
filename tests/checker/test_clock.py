from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from checker.clock import VIETNAM, as_aware, to_vietnam, today, vietnam_now

REPO = Path(__file__).resolve().parents[2]
ZONE_DEFINITION = re.compile(r"timezone\(\s*timedelta\(\s*hours\s*=\s*7|ZoneInfo\(")


def test_now_is_naive_vietnam_time_to_the_second():
    before = datetime.now(UTC)
    now = vietnam_now()
    after = datetime.now(UTC)
    assert now.tzinfo is None
    assert now.microsecond == 0
    assert before.replace(microsecond=0) <= now.replace(tzinfo=VIETNAM) <= after
    assert today() in {(before + timedelta(hours=7)).date(), (after + timedelta(hours=7)).date()}


@given(
    naive=st.datetimes(min_value=datetime(1976, 1, 1), max_value=datetime(2100, 1, 1)),
    minutes=st.integers(min_value=-14 * 60, max_value=14 * 60),
)
def test_an_aware_time_becomes_the_same_instant_in_vietnam(naive, minutes):
    aware = naive.replace(tzinfo=timezone(timedelta(minutes=minutes)))
    local = to_vietnam(aware)
    assert local.tzinfo is None
    assert local.replace(tzinfo=VIETNAM) == aware
    assert to_vietnam(naive) == naive
    assert to_vietnam(as_aware(naive)) == naive
    assert as_aware(naive).isoformat().endswith("+07:00")


def test_the_vietnam_time_zone_is_defined_only_in_the_clock():
    sources = [
        path
        for package in ("checker", "connectors", "metrics", "benchmarks")
        for path in (REPO / package).rglob("*.py")
        if path != REPO / "checker" / "clock.py"
    ]
    assert sources
    again = [
        str(p.relative_to(REPO)) for p in sources if ZONE_DEFINITION.search(p.read_text("utf-8"))
    ]
    assert again == []
