"""Evidence batches: agencies cut into batches by their evidence lines, in order, a huge one
alone; each batch's evidence read once a metric and forgotten at the next; the lines an
agency has counted from the values its run stored (on both databases)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine

from checker.scoring.runs import store_run
from checker.store.registry import write_registry
from metrics import evidence_batches
from metrics.evidence import evidence, missed_by_agency
from metrics.evidence_batches import EvidenceBatches, cut_batches, stored_lines
from metrics.measure import measure_all
from metrics.period import Period
from metrics.transfers import transfers_evidence_by_agency
from metrics.workdays import write_period_calendar
from tests.metrics.test_measure import (
    CALENDAR,
    DAY,
    DEPLOYMENT,
    SNV,
    STC,
    SXD,
    edoc,
    incoming,
    outgoing,
    sent,
    store,
)

YEAR = Period.year(2025)
FIRST_HALF = Period(YEAR.start, YEAR.start.replace(month=6, day=30))
DEADLINES = ("transfers.agency_archive_on_time", "transfers.historical_archive_on_time")


def test_a_batch_grows_agency_by_agency_until_the_next_would_pass_the_lines():
    lines = {"a": 60, "b": 50, "c": 40, "d": 10, "e": 1}
    assert cut_batches(list(lines), lines, 100, 1000) == [["a"], ["b", "c", "d"], ["e"]]
    assert cut_batches(list(lines), lines, 110, 1000) == [["a", "b"], ["c", "d", "e"]]


def test_an_agency_bigger_than_a_batch_is_a_batch_of_its_own():
    lines = {"small": 3, "huge": 5_000, "after": 2, "last": 1}
    assert cut_batches(list(lines), lines, 100, 1000) == [["small"], ["huge"], ["after", "last"]]


def test_agencies_without_lines_are_read_many_at_a_time_up_to_the_most_agencies():
    codes = [f"A{n}" for n in range(7)]
    assert cut_batches(codes, {}, 100, 3) == [codes[0:3], codes[3:6], codes[6:]]
    assert cut_batches([], {}, 100, 3) == []


@given(
    st.lists(st.integers(min_value=0, max_value=500), max_size=40),
    st.integers(min_value=1, max_value=600),
    st.integers(min_value=1, max_value=8),
)
def test_batches_keep_the_order_and_stay_within_the_lines_unless_alone(
    weights, most_lines, most_agencies
):
    codes = [f"A{n}" for n in range(len(weights))]
    lines = dict(zip(codes, weights, strict=True))
    batches = cut_batches(codes, lines, most_lines, most_agencies)
    assert [code for batch in batches for code in batch] == codes
    for n, batch in enumerate(batches):
        held = sum(lines[code] for code in batch)
        assert len(batch) == 1 or held <= most_lines
        assert len(batch) <= most_agencies
        if n + 1 < len(batches):  # cut only where the next agency would not fit
            following = batches[n + 1][0]
            assert held + lines[following] > most_lines or len(batch) == most_agencies


ITEMS = [
    a := edoc(1, recipients=(STC, SXD)),
    b := edoc(2, sender=STC, recipients=(SNV,)),
    edoc(3),
    sent(a, STC, "01", DAY),
    sent(b, SNV, "03", DAY.replace(day=4)),
    incoming(5, registered_at=DAY, submitted_at=DAY.replace(day=5), channel="paper"),
    incoming(6, organ=SXD, priority=1, submitted_at=DAY, assigned_at=DAY),
    outgoing(7, signed_at=DAY, issued_at=DAY.replace(day=6), digitally_signed=True),
    outgoing(9, organ=STC, channel="paper", signed_at=DAY, issued_at=DAY),
]
METRICS = ("inbound.registered", "inbound.received_axis", "outbound.electronic_signed")


def _scored(engine: Engine) -> int:
    """The documents stored and measured over the year, as a run; its id."""
    store(engine, ITEMS)
    with engine.begin() as connection:
        write_registry(connection, DEPLOYMENT)
        for period in (YEAR, FIRST_HALF):
            write_period_calendar(connection, CALENDAR, period)
        values = measure_all(connection, YEAR, CALENDAR)
        return store_run(connection, YEAR, None, DAY, DAY, values, [])


def _missed(connection: Connection, code: str, metric_id: str, period: Period) -> list:
    lines = evidence(connection, code, metric_id, period, CALENDAR)
    return [line for line in lines if not line.counted]


def test_the_lines_of_each_agency_are_counted_from_its_run_s_values(engine):
    run_id = _scored(engine)
    with engine.connect() as connection:
        missed = stored_lines(connection, {SNV: run_id, STC: run_id, SXD: None}, METRICS)
        whole = stored_lines(connection, {SNV: run_id, STC: run_id}, METRICS, {METRICS[0]})
        for code in (SNV, STC):
            assert missed[code] == sum(len(_missed(connection, code, m, YEAR)) for m in METRICS)
            assert whole[code] == missed[code] + sum(
                line.counted for line in evidence(connection, code, METRICS[0], YEAR, CALENDAR)
            )
    assert SXD not in missed and sum(missed.values()) > 0


class _Opened:
    """Connections opened on the engine, counted: one a batch and a metric read."""

    def __init__(self, engine: Engine) -> None:
        self.engine, self.times = engine, 0

    @contextmanager
    def __call__(self) -> Iterator[Connection]:
        self.times += 1
        with self.engine.begin() as connection:
            yield connection


def test_each_batch_is_read_once_a_metric_and_forgotten_at_the_next(engine, monkeypatch):
    run_id = _scored(engine)
    codes = [SNV, STC, SXD]
    with engine.connect() as connection:
        lines = stored_lines(connection, dict.fromkeys(codes, run_id), METRICS)
        expected = {m: missed_by_agency(connection, codes, m, YEAR, CALENDAR) for m in METRICS}
    assert all(lines[code] > 0 for code in codes)
    monkeypatch.setattr(evidence_batches, "BATCH_LINES", lines[SNV] + lines[STC])
    opened = _Opened(engine)
    batches = EvidenceBatches(opened, CALENDAR, codes, dict.fromkeys(codes, YEAR), lines)
    assert batches.batches == [[SNV, STC], [SXD]]
    for code in codes:
        for metric_id in METRICS:
            assert list(batches.missed(code, metric_id)) == expected[metric_id].get(code, [])
    assert opened.times == 2 * len(METRICS)  # a batch and a metric at a time
    assert list(batches.missed(SXD, METRICS[0])) == expected[METRICS[0]].get(SXD, [])
    assert opened.times == 2 * len(METRICS)  # still held
    batches.missed(SNV, METRICS[0])
    batches.missed(STC, METRICS[0])
    assert opened.times == 2 * len(METRICS) + 1  # forgotten, read again for both


def test_each_agency_s_lines_are_over_its_own_period(engine):
    _scored(engine)
    codes = [SNV, STC, SXD]
    periods = {SNV: YEAR, STC: FIRST_HALF, SXD: YEAR}
    batches = EvidenceBatches(engine.begin, CALENDAR, codes, periods, {})
    assert batches.batches == [codes]
    listed = 0
    with engine.connect() as connection:
        for code in codes:
            for metric_id in METRICS:
                missed = _missed(connection, code, metric_id, periods[code])
                assert list(batches.missed(code, metric_id)) == missed
                listed += len(missed)
            for metric_id in DEADLINES:  # the way's: due by 31 December, as of the period's end
                due = transfers_evidence_by_agency(
                    connection, [code], metric_id, periods[code], due_by=YEAR.end
                ).get(code, [])
                assert list(batches.due_by(code, metric_id, YEAR.end)) == due
                listed += len(due)
    assert listed > 0


@pytest.mark.parametrize("most", [0, 1])
def test_a_line_limit_below_any_agency_reads_each_agency_alone(engine, monkeypatch, most):
    run_id = _scored(engine)
    codes = [SNV, STC]
    with engine.connect() as connection:
        lines = stored_lines(connection, dict.fromkeys(codes, run_id), METRICS)
    monkeypatch.setattr(evidence_batches, "BATCH_LINES", most)
    batches = EvidenceBatches(engine.begin, CALENDAR, codes, dict.fromkeys(codes, YEAR), lines)
    assert batches.batches == [[SNV], [STC]]
