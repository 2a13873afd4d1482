"""Measuring as of a day describes the agencies as they stood on that day: a document's own
steps done later (registered, assigned, acknowledged, submitted, refused, recalled,
acknowledged by every recipient) had not been done. A store holding what came later,
measured as of the day, gives the values and the evidence a store holding only what was
there by that day gives; a whole year counts every step, whenever it came."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from checker.store.registry import write_registry
from metrics.evidence import evidence
from metrics.inbound import INBOUND
from metrics.measure import DOCUMENT_METRICS, measure_all
from metrics.outbound import OUTBOUND
from metrics.period import Period
from metrics.values import EvidenceLine
from metrics.workdays import write_period_calendar
from tests.metrics.test_measure import (
    CALENDAR,
    DEPLOYMENT,
    SNV,
    STC,
    SXD,
    edoc,
    incoming,
    sent,
    store,
)

AS_OF = date(2025, 6, 30)  # a Monday
YEAR = Period.year(2025)


def _at(month: int, day: int) -> datetime:
    return datetime(2025, month, day, 9, 0)


ACKED, REFUSED, LAST_DAY, RECALLED, TO_TWO = (
    edoc(1, sent_at=_at(6, 20)),
    edoc(2, sent_at=_at(6, 23)),
    edoc(3, sent_at=_at(6, 30)),
    edoc(4, sent_at=_at(6, 25), recipients=(STC, SXD)),
    edoc(5, sent_at=_at(6, 20), recipients=(STC, SXD)),
)
DOCUMENTS = [ACKED, REFUSED, LAST_DAY, RECALLED, TO_TWO]

BY_THE_DAY = [
    *DOCUMENTS,
    sent(ACKED, STC, "01", _at(6, 20)),
    sent(ACKED, STC, "03", _at(6, 23)),
    sent(RECALLED, SNV, "13", _at(6, 26)),  # its sender recalls it; not answered yet
    sent(TO_TWO, STC, "01", _at(6, 20)),  # one recipient of two acknowledged it
    # the software's records as they stood: nothing done yet
    incoming(11, arrived=_at(6, 24), submitted_at=_at(6, 25), updated_at=_at(6, 25)),
    incoming(12, arrived=_at(6, 26)),
]
"""What the store held on 30 June."""

LATER = [
    sent(ACKED, STC, "04", _at(7, 1)),
    sent(ACKED, STC, "05", _at(7, 2)),
    sent(REFUSED, STC, "02", _at(7, 1)),
    sent(LAST_DAY, STC, "01", _at(7, 1)),
    sent(LAST_DAY, STC, "04", _at(7, 1)),  # the next working day: in time
    sent(RECALLED, STC, "15", _at(7, 2)),
    sent(RECALLED, SXD, "15", _at(7, 3)),
    sent(TO_TWO, SXD, "03", _at(7, 2)),
    # the same records, as the software reports them in July
    incoming(
        11,
        arrived=_at(6, 24),
        registered_at=_at(7, 2),
        assigned_at=_at(7, 3),
        submitted_at=_at(6, 25),
        updated_at=_at(7, 3),
    ),
    incoming(12, arrived=_at(6, 26), recalled=True, updated_at=_at(7, 4)),
]
"""What came after, about the same documents."""

METRICS = [m.id for m in (*INBOUND, *OUTBOUND)]


def _measured(engine, period: Period) -> dict[tuple[str, str], tuple[int, int]]:
    with engine.begin() as connection:
        write_registry(connection, DEPLOYMENT)
        write_period_calendar(connection, CALENDAR, period)
        values = measure_all(connection, period, CALENDAR)
    return {
        (v.agency_code, v.metric_id): (v.numerator, v.denominator)
        for v in values
        if v.metric_id in DOCUMENT_METRICS
    }


def _evidence(engine, period: Period) -> dict[tuple[str, str], list[EvidenceLine]]:
    with engine.begin() as connection:
        return {
            (agency, metric): evidence(connection, agency, metric, period, CALENDAR)
            for agency in (SNV, STC, SXD)
            for metric in METRICS
        }


@pytest.mark.usefixtures("english")
def test_steps_done_after_the_day_do_not_count_as_of_the_day(engine):
    period = Period.year_to_date(AS_OF)
    store(engine, BY_THE_DAY)
    on_the_day = _measured(engine, period), _evidence(engine, period)

    store(engine, LATER)
    as_of_the_day = _measured(engine, period), _evidence(engine, period)
    whole_year = _measured(engine, YEAR)

    assert as_of_the_day == on_the_day
    values, lines = as_of_the_day
    # as of 30 June: seven incoming documents of STC, none refused or recalled yet; one
    # registered (status 03 on 23 June), none assigned, one submitted (11, on the software)
    assert values[STC, "inbound.received_axis"] == (7, 7)
    assert values[STC, "inbound.registered"] == (1, 7)
    assert values[STC, "inbound.assigned"] == (0, 7)
    assert values[STC, "inbound.submitted_in_time"] == (1, 7)
    assert values[STC, "inbound.acknowledged_same_day"] == (2, 7)
    assert values[STC, "inbound.refused"] == (0, 7)
    assert values[SNV, "outbound.acknowledged_all"] == (1, 5)
    (registered,) = [line.item for line in lines[STC, "inbound.registered"] if line.counted]
    assert registered == ACKED.record.doc_key  # type: ignore[union-attr]

    # the whole year counts every step the store knows: refused, recalled, registered...
    assert whole_year[STC, "inbound.received_axis"] == (5, 5)  # RECALLED and 12 recalled
    assert whole_year[STC, "inbound.refused"] == (1, 5)
    assert whole_year[STC, "inbound.registered"] == (2, 4)
    assert whole_year[STC, "inbound.assigned"] == (3, 4)  # LAST_DAY: status 04
    assert whole_year[STC, "inbound.submitted_in_time"] == (2, 4)
    assert whole_year[STC, "inbound.acknowledged_same_day"] == (2, 5)
    assert whole_year[SNV, "outbound.acknowledged_all"] == (3, 4)


def test_as_of_the_last_day_of_the_year_every_step_counts():
    assert Period.year_to_date(date(2025, 12, 31)).steps_until is None
    assert YEAR.steps_until is None
    assert Period.year_to_date(AS_OF).steps_until == AS_OF
    assert Period(date(2025, 1, 1), AS_OF, later_steps=True).steps_until is None
