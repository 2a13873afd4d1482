"""Evidence: every document in a metric's denominator, counted ones first, each other one
with the reason in plain words worked out from its data; on both databases."""

from __future__ import annotations

from datetime import datetime

import pytest

from checker.errors import ConfigError
from checker.store.registry import write_registry
from metrics.catalogue import METRICS
from metrics.evidence import evidence, evidence_by_agency, evidence_list, missed_by_agency
from metrics.measure import DOCUMENT_METRICS, measure_all
from metrics.outbound import NUMBERING_ANOMALIES
from metrics.period import Period
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

pytestmark = pytest.mark.usefixtures("english")

YEAR = Period.year(2025)
TUESDAY, WEDNESDAY, THURSDAY = (DAY.replace(day=d) for d in (4, 5, 6))


def _lines(engine, items, agency, metric_id, period=YEAR):
    store(engine, items)
    with engine.begin() as connection:
        write_registry(connection, DEPLOYMENT)
        write_period_calendar(connection, CALENDAR, period)
        lines = evidence(connection, agency, metric_id, period, CALENDAR)
    return [(line.code, line.counted, line.reason) for line in lines]


def test_not_received_through_the_axis_names_the_channel(engine):
    items = [incoming(1), incoming(2, channel="paper"), incoming(3, channel="email")]
    assert _lines(engine, items, STC, "inbound.received_axis") == [
        ("1/X", True, "counted"),
        ("2/X", False, "received on paper, not through the interconnection axis"),
        ("3/X", False, "received by email, not through the interconnection axis"),
    ]


def test_acknowledgements_not_on_the_arrival_s_working_day(engine):
    same_day, two_days, next_day, no_ack = edoc(1), edoc(2), edoc(3), edoc(6)
    tet = edoc(4, sent_at=datetime(2025, 1, 29, 10))
    friday = edoc(5, sent_at=datetime(2025, 3, 7, 16))
    items = [
        same_day,
        two_days,
        next_day,
        no_ack,
        tet,
        friday,
        sent(same_day, STC, "01", DAY.replace(hour=17)),
        sent(two_days, STC, "03", WEDNESDAY),
        sent(next_day, STC, "01", TUESDAY),
        sent(tet, STC, "01", datetime(2025, 2, 4, 8)),
        sent(friday, STC, "01", datetime(2025, 3, 8, 8)),
    ]
    assert _lines(engine, items, STC, "inbound.acknowledged_same_day") == [
        ("1/SNV-VP", True, "counted"),
        (
            "4/SNV-VP",
            False,
            "acknowledged the next working day, not the same day "
            "(counted from 2025-02-03, the first working day on or after it)",
        ),
        ("2/SNV-VP", False, "acknowledged 2 working days after arrival"),
        ("3/SNV-VP", False, "acknowledged the next working day, not the same day"),
        ("6/SNV-VP", False, "no status 01 or 03 sent back"),
        ("5/SNV-VP", False, "acknowledged on 2025-03-08, a day off after the deadline 2025-03-07"),
    ]


def test_submissions_late_missing_urgent_or_by_status(engine):
    by_status, refused = edoc(5), edoc(7)
    items = [
        incoming(1, submitted_at=THURSDAY),
        incoming(2),
        incoming(3, priority=1, submitted_at=TUESDAY),
        incoming(4, submitted_at=DAY.replace(hour=15)),
        incoming(6, arrived=datetime(2025, 3, 8, 10), submitted_at=datetime(2025, 3, 12, 9)),
        by_status,
        refused,
        sent(by_status, STC, "04", WEDNESDAY),
        sent(refused, STC, "02", DAY),
    ]
    assert _lines(engine, items, STC, "inbound.submitted_in_time") == [
        ("4/X", True, "counted"),
        (
            "5/SNV-VP",
            False,
            "submitted 2 working days after arrival "
            "(status 04 sent back; no submission time on the software)",
        ),
        ("1/X", False, "submitted 3 working days after arrival"),
        ("2/X", False, "not submitted on the software"),
        ("3/X", False, "urgent: submitted the next working day, not the same day"),
        (
            "6/X",
            False,
            "submitted 2 working days after arrival "
            "(counted from 2025-03-10, the first working day on or after it)",
        ),
    ]


def test_registration_assignment_and_refusal_reasons(engine):
    registered, refused = edoc(1), edoc(2)
    items = [
        registered,
        refused,
        incoming(3),
        sent(registered, STC, "03", DAY),
        sent(refused, STC, "02", DAY),
    ]
    assert _lines(engine, items, STC, "inbound.registered") == [
        ("1/SNV-VP", True, "counted"),
        ("3/X", False, "never registered (no status 03 sent back)"),
    ]
    assert _lines(engine, [], STC, "inbound.assigned") == [
        ("1/SNV-VP", False, "never assigned for handling (no status 04, 05 or 06 sent back)"),
        ("3/X", False, "never assigned for handling (no status 04, 05 or 06 sent back)"),
    ]
    assert _lines(engine, [], STC, "inbound.refused") == [
        ("2/SNV-VP", True, "counted"),
        ("1/SNV-VP", False, "not refused"),
        ("3/X", False, "not refused"),
    ]


def test_outgoing_without_signature_or_on_paper(engine):
    items = [
        outgoing(1, digitally_signed=True),
        outgoing(2, channel="paper", digitally_signed=True),
        outgoing(3, digitally_signed=False),
        outgoing(4),
    ]
    assert _lines(engine, items, SNV, "outbound.electronic_signed") == [
        ("1/SNV-VP", True, "counted"),
        ("2/SNV-VP", False, "issued on paper"),
        ("3/SNV-VP", False, "no digital signature"),
        ("4/SNV-VP", False, "no digital signature reported by the software"),
    ]
    assert [line for line in _lines(engine, [], SNV, "outbound.issued_axis") if not line[1]] == [
        ("2/SNV-VP", False, "issued on paper, not through the interconnection axis")
    ]


def test_issued_late_after_signing(engine):
    items = [
        outgoing(1, signed_at=DAY, issued_at=WEDNESDAY),
        outgoing(2, priority=1, signed_at=DAY, issued_at=TUESDAY),
        outgoing(3, signed_at=DAY, issued_at=TUESDAY),
        outgoing(4),  # no signing time: not in the denominator
    ]
    assert _lines(engine, items, SNV, "outbound.issued_in_time") == [
        ("3/SNV-VP", True, "counted"),
        ("2/SNV-VP", False, "urgent: issued the next working day, not the same day"),
        ("1/SNV-VP", False, "issued 2 working days after signing"),
    ]


def test_outgoing_not_acknowledged_by_every_recipient(engine):
    document = edoc(1, recipients=(STC, SXD))
    items = [document, sent(document, STC, "01", DAY)]
    assert _lines(engine, items, SNV, "outbound.acknowledged_all") == [
        ("1/SNV-VP", False, "at least one recipient sent no status 01 or 03 back"),
    ]


def test_each_gap_in_the_numbering_is_a_line(engine):
    items = [outgoing(n) for n in range(1, 59) if n != 57]
    lines = _lines(engine, items, SNV, NUMBERING_ANOMALIES)
    assert lines[0] == (None, True, "number 57 is missing from the 2025 sequence")
    assert [line for line in lines if line[1]] == [lines[0]]
    assert lines[1:3] == [
        ("1/SNV-VP", False, "number 1 of the 2025 sequence"),
        ("10/SNV-VP", False, "number 10 of the 2025 sequence"),
    ]


def test_each_duplicate_in_the_numbering_is_a_line(engine):
    items = [
        outgoing(1),
        outgoing(2),
        outgoing(4),
        outgoing(40, code_number="4"),
        outgoing(60, code_number="12a"),
    ]
    store(engine, items)
    with engine.begin() as connection:
        write_registry(connection, DEPLOYMENT)
        write_period_calendar(connection, CALENDAR, YEAR)
        lines = evidence(connection, SNV, NUMBERING_ANOMALIES, YEAR, CALENDAR)
    assert [(line.item, line.counted, line.reason) for line in lines] == [
        ("2025 sequence, number 3", True, "number 3 is missing from the 2025 sequence"),
        (
            "qlvb:out-000.00.01.H99-40",
            True,
            "number 4/SNV-VP is used by 2 documents in the 2025 sequence "
            "(first: qlvb:out-000.00.01.H99-4)",
        ),
        ("qlvb:out-000.00.01.H99-1", False, "number 1 of the 2025 sequence"),
        ("qlvb:out-000.00.01.H99-2", False, "number 2 of the 2025 sequence"),
        ("qlvb:out-000.00.01.H99-4", False, "number 4 of the 2025 sequence"),
        ("qlvb:out-000.00.01.H99-40", False, "number 4 of the 2025 sequence"),
        (
            "qlvb:out-000.00.01.H99-60",
            False,
            "number '12a' is not a plain number from 1: left out of the sequence",
        ),
    ]


def test_evidence_lists_exactly_the_documents_behind_every_number(engine):
    """For every metric and agency, the counted lines are the numerator and the lines the
    denominator (the numbering lists its documents too: its counted lines are enough); the
    evidence's counts are the measured numerator and denominator, the numbering's too."""
    a, b, c = edoc(1, recipients=(STC, SXD)), edoc(2, sender=STC, recipients=(SNV,)), edoc(3)
    items = [
        a,
        b,
        c,
        edoc(4, sent_at=datetime(2025, 1, 29, 10), priority=1),
        sent(a, STC, "01", DAY),
        sent(a, SXD, "02", DAY),
        sent(b, SNV, "03", TUESDAY),
        sent(b, SNV, "04", THURSDAY),
        sent(c, STC, "13", DAY),
        incoming(5, registered_at=DAY, submitted_at=WEDNESDAY, channel="paper"),
        incoming(6, organ=SXD, priority=1, submitted_at=DAY, assigned_at=DAY),
        outgoing(7, signed_at=DAY, issued_at=THURSDAY, digitally_signed=True),
        outgoing(9, organ=STC, channel="paper", signed_at=DAY, issued_at=DAY),
    ]
    store(engine, items)
    with engine.begin() as connection:
        write_registry(connection, DEPLOYMENT)
        write_period_calendar(connection, CALENDAR, YEAR)
        values = measure_all(connection, YEAR, CALENDAR)
        for value in values:
            lines = evidence(connection, value.agency_code, value.metric_id, YEAR, CALENDAR)
            counted = sum(line.counted for line in lines)
            assert counted == value.numerator, value
            if value.metric_id in DOCUMENT_METRICS:
                assert len(lines) == value.denominator, value
            found = evidence_list(connection, value.agency_code, value.metric_id, YEAR, CALENDAR)
            assert (found.numerator, found.denominator) == (value.numerator, value.denominator)
            assert found.lines == lines
    assert {*DOCUMENT_METRICS, NUMBERING_ANOMALIES} <= {v.metric_id for v in values}


def test_the_lines_missed_by_many_agencies_at_once_are_each_agency_s_own(engine):
    """One query for all agencies lists, for each, exactly the lines its own evidence does not
    count, in the same order (a document without an acknowledgement included: its condition
    is NULL in SQL, not false); an agency with none is left out."""
    a, b = edoc(1, recipients=(STC, SXD)), edoc(2, sender=STC, recipients=(SNV,))
    items = [
        a,
        b,
        edoc(3),
        sent(a, STC, "01", DAY),
        sent(b, SNV, "03", TUESDAY),
        incoming(5, registered_at=DAY, submitted_at=WEDNESDAY, channel="paper"),
        incoming(6, organ=SXD, priority=1, submitted_at=DAY, assigned_at=DAY),
        outgoing(7, signed_at=DAY, issued_at=THURSDAY, digitally_signed=True),
        outgoing(9, organ=STC, channel="paper", signed_at=DAY, issued_at=DAY),
    ]
    store(engine, items)
    agencies = [SNV, STC, SXD]
    with engine.begin() as connection:
        write_registry(connection, DEPLOYMENT)
        write_period_calendar(connection, CALENDAR, YEAR)
        missed_somewhere = 0
        for metric_id in METRICS:
            each = {
                code: [
                    line
                    for line in evidence(connection, code, metric_id, YEAR, CALENDAR)
                    if not line.counted
                ]
                for code in agencies
            }
            expected = {code: lines for code, lines in each.items() if lines}
            assert missed_by_agency(connection, agencies, metric_id, YEAR, CALENDAR) == expected
            assert missed_by_agency(connection, [STC], metric_id, YEAR, CALENDAR) == {
                code: lines for code, lines in expected.items() if code == STC
            }
            missed_somewhere += len(expected) > 1
    assert missed_somewhere >= 5


def test_the_evidence_of_many_agencies_at_once_is_each_agency_s_own(engine):
    """One query for all agencies gives each exactly its own evidence, counted lines too, in
    the same order, over the year and over part of it; an agency with none is left out."""
    a, b = edoc(1, recipients=(STC, SXD)), edoc(2, sender=STC, recipients=(SNV,))
    items = [
        a,
        b,
        edoc(3),
        sent(a, STC, "01", DAY),
        sent(b, SNV, "03", TUESDAY),
        incoming(5, registered_at=DAY, submitted_at=WEDNESDAY, channel="paper"),
        incoming(6, organ=SXD, priority=1, submitted_at=DAY, assigned_at=DAY),
        outgoing(7, signed_at=DAY, issued_at=THURSDAY, digitally_signed=True),
        outgoing(9, organ=STC, channel="paper", signed_at=DAY, issued_at=DAY),
    ]
    store(engine, items)
    agencies = [SNV, STC, SXD]
    first_half = Period(YEAR.start, YEAR.start.replace(month=6, day=30))
    with engine.begin() as connection:
        write_registry(connection, DEPLOYMENT)
        write_period_calendar(connection, CALENDAR, YEAR)
        listed_somewhere = 0
        for period in (YEAR, first_half):
            for metric_id in METRICS:
                each = {
                    code: evidence(connection, code, metric_id, period, CALENDAR)
                    for code in agencies
                }
                expected = {code: lines for code, lines in each.items() if lines}
                found = evidence_by_agency(connection, agencies, metric_id, period, CALENDAR)
                assert found == expected, metric_id
                listed_somewhere += len(expected) > 1
    assert listed_somewhere >= 5


def test_an_unknown_metric_is_a_config_error_naming_the_nearest_ones(engine):
    with engine.begin() as connection, pytest.raises(ConfigError) as info:
        evidence(connection, STC, "inbound.registred", YEAR, CALENDAR)
    assert str(info.value).startswith(
        "there is no metric 'inbound.registred': did you mean inbound.registered"
    )
    with engine.begin() as connection, pytest.raises(ConfigError) as info:
        evidence(connection, STC, "zzz", YEAR, CALENDAR)
    assert str(info.value) == (
        f"there is no metric 'zzz': {len(METRICS)} metrics are known; "
        "their ids are in docs/metrics.md"
    )
