"""Per-document facts kept in the rows (``metrics.facts``): every write that can change a
fact marks the rows stale, and measuring works out exactly those again, so a measurement
after any sequence of writes equals one over a store whose facts are all worked out anew.
On both databases."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from checker.config import Agency, Deployment, Group
from checker.store.derived import mark_all_stale, mark_stale
from checker.store.loader import load
from checker.store.models import DOCUMENT
from checker.store.records import AgencyDocumentRecord, Read
from checker.store.registry import write_registry
from checker.store.upsert import store_records
from metrics.calendar import WorkingCalendar
from metrics.facts import refresh_facts
from metrics.measure import measure_all
from metrics.period import Period
from metrics.workdays import write_period_calendar
from tests.factories import doc, status

SNV, STC, SXD = "000.00.01.H99", "000.00.02.H99", "000.00.03.H99"
GROUP = Group(id="g", name="Sở", criteria="danang-electronic-example")
AGENCIES = (
    Agency(code=SNV, name="Sở Nội vụ", group="g"),
    Agency(code=STC, name="Sở Tài chính", group="g"),
    Agency(code=SXD, name="Sở Xây dựng", group="g"),
)
DEPLOYMENT = Deployment(groups=(GROUP,), agencies=AGENCIES)
DAY = datetime(2025, 3, 3, 9, 0)  # a Monday
YEAR = Period.year(2025)
CALENDAR = WorkingCalendar()


def _measure(engine, deployment=DEPLOYMENT, calendar=CALENDAR):
    with engine.begin() as connection:
        write_registry(connection, deployment)
        write_period_calendar(connection, calendar, YEAR)
        values = measure_all(connection, YEAR, calendar)
    return {(v.agency_code, v.metric_id): (v.numerator, v.denominator) for v in values}


def _measured_anew(engine, deployment=DEPLOYMENT, calendar=CALENDAR):
    """The values once every row's facts are worked out again from scratch."""
    with engine.begin() as connection:
        mark_all_stale(connection)
    return _measure(engine, deployment, calendar)


def _stale_rows(engine) -> int:
    with engine.connect() as connection:
        query = select(DOCUMENT.c.id).where(DOCUMENT.c.fact_recalled.is_(None))
        return len(connection.execute(query).all())


def test_a_status_loaded_after_measuring_changes_the_facts_of_both_sides(engine):
    d = doc(1, SNV, (STC, SXD))
    load(engine, [d, status(d, STC, "01", DAY)], source="test")
    before = _measure(engine)
    assert before[(SXD, "inbound.acknowledged_same_day")] == (0, 1)
    assert before[(SNV, "outbound.acknowledged_all")] == (0, 1)
    load(engine, [status(d, SXD, "03", DAY.replace(hour=16))], source="test")
    assert _stale_rows(engine) == 3  # the sender's row and both incoming copies
    after = _measure(engine)
    assert after[(SXD, "inbound.acknowledged_same_day")] == (1, 1)
    assert after[(SXD, "inbound.registered")] == (1, 1)
    assert after[(SNV, "outbound.acknowledged_all")] == (1, 1)
    assert _stale_rows(engine) == 0
    assert after == _measured_anew(engine)


def test_a_status_named_by_code_counts_once_linked_to_its_document(engine):
    d = doc(1, SNV, (STC,))
    load(engine, [d], source="test")
    assert _measure(engine)[(STC, "inbound.registered")] == (0, 1)
    load(engine, [status(d, STC, "03", DAY, by_code_only=True)], source="test")
    values = _measure(engine)
    assert values[(STC, "inbound.registered")] == (1, 1)
    assert values == _measured_anew(engine)


def test_a_recall_accepted_later_takes_the_document_out_of_every_denominator(engine):
    d, kept = doc(1, SNV, (STC,)), doc(2, SNV, (STC,))
    load(engine, [d, kept], source="test")
    assert _measure(engine)[(STC, "inbound.received_axis")] == (2, 2)
    load(engine, [status(d, SNV, "13", DAY.replace(hour=11))], source="test")
    assert _measure(engine)[(STC, "inbound.received_axis")] == (2, 2)  # not yet accepted
    load(engine, [status(d, STC, "15", DAY.replace(hour=14))], source="test")
    after = _measure(engine)
    assert after[(STC, "inbound.received_axis")] == (1, 1)
    assert after[(SNV, "outbound.issued_axis")] == (1, 1)
    assert after == _measured_anew(engine)


def test_a_record_of_the_software_updated_after_measuring_is_worked_out_again(engine):
    def incoming(**times) -> Read:
        record = AgencyDocumentRecord(
            organ_id=STC,
            direction="in",
            external_id="in-1",
            sender_id=SNV,
            channel="axis",
            arrived_at=DAY,
            **times,
        )
        return Read("https://qlvb.example/in/1", record)

    def store(item: Read) -> None:
        with engine.begin() as connection:
            store_records(connection, [item], source="qlvb", fetched_at=DAY)

    store(incoming())
    assert _measure(engine)[(STC, "inbound.registered")] == (0, 1)
    store(incoming(registered_at=DAY, submitted_at=DAY.replace(day=4), file_code="01.2025"))
    after = _measure(engine)
    assert after[(STC, "inbound.registered")] == (1, 1)
    assert after[(STC, "inbound.submitted_in_time")] == (1, 1)
    assert after[(STC, "files.documents_filed")] == (1, 1)
    assert after == _measured_anew(engine)


def test_a_code_added_to_the_registry_makes_its_statuses_count(engine):
    d = doc(1, SNV, (STC,))
    load(engine, [d, status(d, "H99.02", "03", DAY)], source="test")
    assert _measure(engine)[(STC, "inbound.registered")] == (0, 1)
    renamed = Agency(code=STC, codes=("H99.02",), name="Sở Tài chính", group="g")
    deployment = Deployment(groups=(GROUP,), agencies=(AGENCIES[0], renamed, AGENCIES[2]))
    values = _measure(engine, deployment)
    assert values[(STC, "inbound.registered")] == (1, 1)
    assert values == _measured_anew(engine, deployment)


def test_a_day_off_added_to_the_calendar_moves_the_deadlines_counted_from_before_it(engine):
    d, other = doc(1, SNV, (STC,)), doc(2, SNV, (STC,), sent_at=DAY.replace(month=6, day=2))
    wednesday = DAY.replace(day=5)  # arrived Monday 3 March: due Tuesday, submitted Wednesday
    load(engine, [d, other, status(d, STC, "04", wednesday)], source="test")
    assert _measure(engine)[(STC, "inbound.submitted_in_time")] == (0, 2)
    tuesday_off = WorkingCalendar(extra_days_off=[date(2025, 3, 4)])
    with engine.begin() as connection:
        write_period_calendar(connection, tuesday_off, YEAR)
    assert _stale_rows(engine) == 1  # the document arriving on a day whose deadline moved
    values = _measure(engine, calendar=tuesday_off)
    assert values[(STC, "inbound.submitted_in_time")] == (1, 2)
    assert values == _measured_anew(engine, calendar=tuesday_off)


def test_refreshing_tells_its_progress_after_each_range(engine):
    load(engine, [doc(1, SNV, (STC, SXD)), doc(2, SNV, (STC,))], source="test")
    told: list[tuple[int, int]] = []
    with engine.begin() as connection:
        assert refresh_facts(connection, chunk=2, progress=lambda *p: told.append(p)) == 5
        assert refresh_facts(connection, chunk=2, progress=lambda *p: told.append(p)) == 0
    assert told == [(2, 5), (4, 5), (5, 5)]


def test_refreshing_works_out_the_stale_rows_only(engine):
    d = doc(1, SNV, (STC, SXD))
    load(engine, [d], source="test")
    with engine.begin() as connection:
        assert refresh_facts(connection) == 3
        assert refresh_facts(connection) == 0
    load(engine, [doc(2, SNV, (STC,))], source="test")
    with engine.begin() as connection:
        assert refresh_facts(connection) == 2


def _facts(engine) -> list[tuple]:
    columns = [c for c in DOCUMENT.c if c.name.startswith("fact_")]
    with engine.connect() as connection:
        query = select(DOCUMENT.c.id, *columns).order_by(DOCUMENT.c.id)
        return [tuple(row) for row in connection.execute(query)]


def test_stale_rows_worked_out_in_ranges_get_the_facts_of_one_statement(engine):
    senders, recipients = (SNV, STC, SXD), ((STC, SXD), (SXD,), (SNV, STC))
    sent = [doc(n, senders[n % 3], recipients[n % 3]) for n in range(1, 13)]
    acknowledged = [status(d, STC, "01", DAY) for n, d in enumerate(sent, 1) if n % 3 != 1]
    load(engine, [*sent, *acknowledged], source="test")
    with engine.begin() as connection:
        write_registry(connection, DEPLOYMENT)
        write_period_calendar(connection, CALENDAR, YEAR)
        rows = refresh_facts(connection)
    in_one_statement = _facts(engine)
    with engine.begin() as connection:
        mark_all_stale(connection)
        assert refresh_facts(connection, chunk=2) == rows
    assert _facts(engine) == in_one_statement
    # a third of the documents written again: stale rows with fresh ones between them
    with engine.begin() as connection:
        mark_stale(connection, [d.record.doc_key for d in sent[::3]])
    assert 0 < _stale_rows(engine) < rows
    with engine.begin() as connection:
        assert refresh_facts(connection, chunk=1) == 4 * 2  # 4 sent rows, a copy each
        assert refresh_facts(connection, chunk=1) == 0
    assert _facts(engine) == in_one_statement
