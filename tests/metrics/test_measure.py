from __future__ import annotations

from datetime import datetime

from checker.config import Agency, Deployment, Group
from checker.loader import load
from checker.registry import write_registry
from metrics.evidence import evidence
from metrics.measure import measure_all, unknown_codes
from metrics.period import Period
from tests.factories import doc, status

SNV, STC, SXD = "000.00.01.H99", "000.00.02.H99", "000.00.03.H99"
DEPLOYMENT = Deployment(
    groups=(Group(id="g", name="Sở", criteria="danang-electronic-example"),),
    agencies=(
        Agency(code=SNV, name="Sở Nội vụ", group="g"),
        Agency(code=STC, codes=("H99.02",), name="Sở Tài chính", group="g"),
        Agency(code=SXD, name="Sở Xây dựng", group="g"),
    ),
)
DAY = datetime(2025, 3, 3, 9, 0)


def _measure(engine, items, period=Period.year(2025)):
    load(engine, items, source="test")
    with engine.begin() as connection:
        write_registry(connection, DEPLOYMENT)
        values = measure_all(connection, period)
    return {(v.agency_code, v.metric_id): (v.numerator, v.denominator) for v in values}


def test_inbound_metrics_count_statuses_the_recipient_sent_back(engine):
    d1, d2, d3 = doc(1, SNV, (STC,)), doc(2, SNV, (STC,)), doc(3, SNV, (STC,))
    items = [
        d1,
        d2,
        d3,
        status(d1, STC, "01", DAY.replace(hour=15)),  # same day
        status(d1, STC, "03", DAY.replace(day=4)),
        status(d1, STC, "04", DAY.replace(day=5)),
        status(d2, STC, "03", DAY.replace(day=6)),  # registered late, no same-day ack
        status(d3, STC, "02", DAY.replace(hour=10)),  # refused
    ]
    values = _measure(engine, items)
    assert values[(STC, "inbound.received_axis")] == (3, 3)
    assert values[(STC, "inbound.acknowledged_same_day")] == (1, 3)
    assert values[(STC, "inbound.registered")] == (2, 3)
    assert values[(STC, "inbound.assigned")] == (1, 3)
    assert values[(STC, "inbound.refused")] == (1, 3)


def test_a_status_sent_under_an_alternative_code_counts_for_the_agency(engine):
    d = doc(1, SNV, (STC,))
    values = _measure(engine, [d, status(d, "H99.02", "03", DAY)])
    assert values[(STC, "inbound.registered")] == (1, 1)


def test_outgoing_acknowledged_only_when_every_recipient_acknowledged(engine):
    both = doc(1, SNV, (STC, SXD))
    one = doc(2, SNV, (STC, SXD))
    items = [
        both,
        one,
        status(both, STC, "01", DAY),
        status(both, SXD, "03", DAY),
        status(one, STC, "01", DAY),
        status(one, SXD, "05", DAY),  # handling, but never acknowledged
    ]
    values = _measure(engine, items)
    assert values[(SNV, "outbound.issued_axis")] == (2, 2)
    assert values[(SNV, "outbound.acknowledged_all")] == (1, 2)


def test_documents_outside_the_period_are_not_counted(engine):
    march, december = doc(1, SNV, (STC,)), doc(2, SNV, (STC,), sent_at=datetime(2025, 12, 1, 9))
    values = _measure(engine, [march, december], Period.year_to_date(datetime(2025, 6, 30).date()))
    assert values[(STC, "inbound.received_axis")] == (1, 1)


def test_an_agency_with_no_documents_has_no_value_so_it_is_not_measured(engine):
    values = _measure(engine, [doc(1, SNV, (STC,))])
    assert (SXD, "inbound.registered") not in values


def test_codes_the_registry_does_not_know_are_reported(engine):
    load(engine, [doc(1, "000.00.00.G10", (STC, "000.00.00.G22"))], source="test")
    with engine.begin() as connection:
        write_registry(connection, DEPLOYMENT)
        unknown = unknown_codes(connection, Period.year(2025))
    assert [(u.code, u.documents) for u in unknown] == [("000.00.00.G10", 1), ("000.00.00.G22", 1)]


def test_evidence_lists_counted_documents_first_and_says_why_others_were_not(engine):
    d1, d2 = doc(1, SNV, (STC,)), doc(2, SNV, (STC,))
    _measure(engine, [d1, d2, status(d1, STC, "03", DAY)])
    with engine.connect() as connection:
        lines = evidence(connection, STC, "inbound.registered", Period.year(2025))
    assert [(line.code, line.counted) for line in lines] == [
        ("1/SNV-VP", True),
        ("2/SNV-VP", False),
    ]
    assert lines[1].reason == "never registered (no status 03 sent back)"
