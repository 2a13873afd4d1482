"""Measuring the document metrics for every agency at once, on both databases: each
metric's edge cases (holidays, urgent documents, refused, recalled, several recipients,
numbering gaps and duplicates), and a property: a year is the sum of its parts."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.config import Agency, Deployment, Group
from checker.store.engine import open_store
from checker.store.loader import load
from checker.store.models import DOCUMENT, DOCUMENT_SOURCE, EVENT, MESSAGE
from checker.store.records import AgencyDocumentRecord, DocumentRecord, Read, StatusRecord
from checker.store.registry import write_registry
from checker.store.upsert import store_records
from metrics.calendar import WorkingCalendar
from metrics.catalogue import METRICS
from metrics.evidence import evidence
from metrics.measure import DOCUMENT_METRICS, measure_all, unknown_codes
from metrics.outbound import NUMBERING_ANOMALIES
from metrics.period import Period
from metrics.workdays import write_period_calendar
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
DAY = datetime(2025, 3, 3, 9, 0)  # a Monday
CALENDAR = WorkingCalendar()
DOCS = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"


# --- builders: edXML messages and records of the agencies' software ------------------------


def edoc(
    number: int,
    sender: str = SNV,
    recipients: tuple[str, ...] = (STC,),
    sent_at: datetime = DAY,
    priority: int = 0,
    business_type: int = 0,
    code_number: str | None = None,
    notation: str = "SNV-VP",
    message_at: datetime | None = None,
    subject: str | None = None,
) -> Read:
    """An edXML message about the document sent at ``sent_at``: the document itself, or a
    recall (``business_type`` 1), an update (2) or a replacement (3) of it, sent at
    ``message_at``, with the same DocumentId. ``code_number`` defaults to ``number``."""
    record = DocumentRecord(
        doc_key=f"{sender},{sent_at:%Y/%m/%d},{number}/{notation}",
        sender_id=sender,
        recipient_ids=recipients,
        code_number=str(number) if code_number is None else code_number,
        code_notation=notation,
        subject=subject or f"V/v thử nghiệm {number}",
        promulgation_date=sent_at.date(),
        sent_at=message_at or sent_at,
        priority=priority,
        business_type=business_type,
    )
    return Read(f"/edxml/edoc-{number}-{business_type}.edxml", record)


def sent(document: Read, actor: str, code: str, at: datetime) -> Read:
    """A status ``actor`` sent on ``document`` (an edXML document or a software record)."""
    record = document.record
    key = record.doc_key if isinstance(record, DocumentRecord) else f"qlvb:{record.external_id}"
    assert key is not None
    return Read(
        f"/edxml/status-{key}-{actor}-{code}.edxml",
        StatusRecord(actor_id=actor, doc_key=key, status_code=code, occurred_at=at),
    )


def incoming(number: int, organ: str = STC, arrived: datetime = DAY, **fields) -> Read:
    """An incoming document as the agency's software reports it."""
    fields.setdefault("channel", "axis")
    record = AgencyDocumentRecord(
        organ_id=organ,
        direction="in",
        external_id=f"in-{organ}-{number}",
        sender_id=SNV,
        code_number=str(number),
        code_notation="X",
        subject=f"Văn bản đến {number}",
        arrived_at=arrived,
        **fields,
    )
    return Read(f"https://qlvb.example/in/{number}", record)


def outgoing(number: int, organ: str = SNV, **fields) -> Read:
    """An outgoing document as the agency's software reports it (issued on ``DAY`` unless
    ``issued_at`` says otherwise)."""
    fields.setdefault("channel", "axis")
    fields.setdefault("issued_at", DAY)
    fields.setdefault("code_notation", "SNV-VP")
    record = AgencyDocumentRecord(
        organ_id=organ,
        direction="out",
        external_id=f"out-{organ}-{number}",
        code_number=fields.pop("code_number", str(number)),
        subject=f"Văn bản đi {number}",
        **fields,
    )
    return Read(f"https://qlvb.example/out/{number}", record)


def store(engine, items) -> None:
    """Store edXML messages through the loader and software records through upserts."""
    software = [i for i in items if isinstance(i.record, AgencyDocumentRecord)]
    load(engine, [i for i in items if i not in software], source="test")
    with engine.begin() as connection:
        store_records(connection, software, source="qlvb", fetched_at=DAY)


def _measure(engine, items, period=Period.year(2025)):
    store(engine, items)
    with engine.begin() as connection:
        write_registry(connection, DEPLOYMENT)
        write_period_calendar(connection, CALENDAR, period)
        values = measure_all(connection, period, CALENDAR)
    return {(v.agency_code, v.metric_id): (v.numerator, v.denominator) for v in values}


# --- the tests the catalogue started with ---------------------------------------------------


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
    # the refused d3 goes back to its sender: it is not in the handling denominators
    assert values[(STC, "inbound.registered")] == (2, 2)
    assert values[(STC, "inbound.assigned")] == (1, 2)
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


@pytest.mark.usefixtures("english")
def test_evidence_lists_counted_documents_first_and_says_why_others_were_not(engine):
    d1, d2 = doc(1, SNV, (STC,)), doc(2, SNV, (STC,))
    _measure(engine, [d1, d2, status(d1, STC, "03", DAY)])
    with engine.connect() as connection:
        lines = evidence(connection, STC, "inbound.registered", Period.year(2025), CALENDAR)
    assert [(line.code, line.counted) for line in lines] == [
        ("1/SNV-VP", True),
        ("2/SNV-VP", False),
    ]
    assert lines[1].reason == "never registered (no status 03 sent back)"


# --- inbound ----------------------------------------------------------------------------------


def test_a_document_arriving_on_a_day_off_is_acknowledged_in_time_on_the_next_working_day(
    engine,
):
    saturday = edoc(1, sent_at=datetime(2025, 3, 8, 10))
    tet = edoc(2, sent_at=datetime(2025, 1, 29, 10))  # lunar New Year holiday
    friday = edoc(3, sent_at=datetime(2025, 3, 7, 16))
    make_up_saturday = edoc(4, sent_at=datetime(2025, 4, 26, 9))  # worked in exchange
    items = [
        saturday,
        tet,
        friday,
        make_up_saturday,
        sent(saturday, STC, "01", datetime(2025, 3, 10, 8)),
        sent(tet, STC, "03", datetime(2025, 2, 3, 15)),
        sent(friday, STC, "01", datetime(2025, 3, 8, 9)),  # Saturday: not the same day
        sent(make_up_saturday, STC, "01", datetime(2025, 4, 28, 8)),
    ]
    assert _measure(engine, items)[(STC, "inbound.acknowledged_same_day")] == (2, 4)


def test_submitted_the_same_or_next_working_day_and_urgent_ones_the_same_day(engine):
    items = [
        incoming(1, arrived=datetime(2025, 3, 7, 9), submitted_at=datetime(2025, 3, 10, 8)),
        incoming(2, arrived=datetime(2025, 3, 6, 9), submitted_at=datetime(2025, 3, 10, 8)),
        incoming(3, arrived=DAY, priority=1, submitted_at=datetime(2025, 3, 4, 8)),
        incoming(4, arrived=DAY, priority=2, submitted_at=DAY.replace(hour=16)),
        # 30 Apr, 1 and 2 May are holidays: 5 May is the next working day after 29 Apr
        incoming(5, arrived=datetime(2025, 4, 29, 9), submitted_at=datetime(2025, 5, 5, 8)),
        incoming(6, arrived=DAY),
    ]
    on_time, late, refused = edoc(11), edoc(12), edoc(13)
    items += [
        on_time,
        late,
        refused,
        sent(on_time, STC, "04", datetime(2025, 3, 4, 9)),  # status 04 stands in
        sent(late, STC, "04", datetime(2025, 3, 5, 9)),
        sent(refused, STC, "02", DAY),
    ]
    assert _measure(engine, items)[(STC, "inbound.submitted_in_time")] == (4, 8)


def test_registered_and_assigned_from_the_software_or_from_statuses(engine):
    axis, refused = edoc(1), edoc(2)
    items = [
        incoming(1, registered_at=DAY, assigned_at=DAY),
        incoming(2),
        incoming(3, channel="paper", registered_at=DAY),
        axis,
        refused,
        sent(axis, STC, "03", DAY),
        sent(axis, STC, "05", DAY),
        sent(refused, STC, "03", DAY),
        sent(refused, STC, "02", DAY),
    ]
    values = _measure(engine, items)
    assert values[(STC, "inbound.received_axis")] == (4, 5)
    assert values[(STC, "inbound.registered")] == (3, 4)
    assert values[(STC, "inbound.assigned")] == (2, 4)
    assert values[(STC, "inbound.refused")] == (1, 4)


def test_a_recall_takes_effect_when_the_recipient_accepts_it_not_when_it_refuses(engine):
    recalled, recall_refused, unanswered = edoc(1), edoc(2), edoc(3)
    later = DAY.replace(hour=11)
    items = [
        incoming(9, recalled=True),
        recalled,
        edoc(1, business_type=1, message_at=later),  # the recall: the same DocumentId
        sent(recalled, STC, "15", DAY.replace(hour=14)),
        recall_refused,
        sent(recall_refused, SNV, "13", later),  # a recall as a status
        sent(recall_refused, STC, "16", DAY.replace(hour=14)),
        unanswered,
        edoc(3, business_type=1, message_at=later),
        edoc(4, business_type=1),  # a recall of a document never read: left out
    ]
    values = _measure(engine, items)
    assert values[(STC, "inbound.received_axis")] == (2, 2)
    assert values[(STC, "inbound.registered")] == (0, 2)
    assert values[(SNV, "outbound.issued_axis")] == (2, 2)


def test_a_refusal_after_an_acceptance_keeps_the_document(engine):
    d = edoc(1, recipients=(STC, SXD))
    items = [
        d,
        edoc(1, recipients=(STC, SXD), business_type=1, message_at=DAY.replace(hour=10)),
        sent(d, STC, "15", DAY.replace(hour=11)),
        sent(d, STC, "16", DAY.replace(hour=12)),  # its last word
        sent(d, SXD, "15", DAY.replace(hour=11)),
    ]
    values = _measure(engine, items)
    assert values[(STC, "inbound.received_axis")] == (1, 1)
    assert (SXD, "inbound.received_axis") not in values or values[
        (SXD, "inbound.received_axis")
    ] == (0, 0)
    # one recipient still holds it: the sender's document is not recalled
    assert values[(SNV, "outbound.issued_axis")] == (1, 1)


def test_an_update_changes_the_document_and_a_replacement_supersedes_it(engine):
    with_update, with_replacement = edoc(1, priority=1), edoc(2, priority=1)
    update = edoc(1, business_type=2, message_at=DAY.replace(day=5), subject="Sửa đổi")
    update = Read(update.locator, update.record.model_copy(update={"priority": 0}))
    replacement = edoc(
        2, business_type=3, message_at=DAY.replace(day=6), subject="Thay thế", code_number="2"
    )
    store(engine, [update, with_update, replacement, with_replacement])
    with engine.connect() as connection:
        rows = (
            connection.execute(
                DOCUMENT.select()
                .where(DOCUMENT.c.direction == "in")
                .order_by(DOCUMENT.c.code_number)
            )
            .mappings()
            .all()
        )
        kept = (
            connection.execute(
                MESSAGE.select().where(MESSAGE.c.kind == "edoc").order_by(MESSAGE.c.message_key)
            )
            .mappings()
            .all()
        )
    assert [(r["subject"], r["business_type"], r["doc_date"]) for r in rows] == [
        ("Sửa đổi", 2, DAY.date()),  # the deadlines still run from the original
        ("Thay thế", 3, DAY.date()),
    ]
    assert [r["locator"] for r in rows] == [with_update.locator, with_replacement.locator]
    assert len(kept) == 4  # the old values are kept with each message
    assert {DocumentRecord.model_validate_json(m["record"]).subject for m in kept} == {
        "V/v thử nghiệm 1",
        "V/v thử nghiệm 2",
        "Sửa đổi",
        "Thay thế",
    }


def test_an_update_read_first_leaves_no_gap_in_the_numbering(engine):
    items = [
        edoc(2, business_type=2, message_at=DAY.replace(day=5)),
        edoc(1),
        edoc(2),
        edoc(3),
    ]
    values = _measure(engine, items)
    assert values[(SNV, NUMBERING_ANOMALIES)] == (0, 3)


def test_a_document_to_several_agencies_is_incoming_for_each_and_outgoing_once(engine):
    both = edoc(1, recipients=(STC, SXD))
    by_alternative_code = edoc(2, recipients=(SXD, "H99.02"))
    items = [both, by_alternative_code, sent(both, STC, "01", DAY)]
    values = _measure(engine, items)
    assert values[(STC, "inbound.received_axis")] == (2, 2)
    assert values[(SXD, "inbound.received_axis")] == (2, 2)
    assert values[(STC, "inbound.acknowledged_same_day")] == (1, 2)
    assert values[(SXD, "inbound.acknowledged_same_day")] == (0, 2)
    assert values[(SNV, "outbound.issued_axis")] == (2, 2)
    assert values[(SNV, "outbound.acknowledged_all")] == (0, 2)


def test_a_metric_with_nothing_to_count_is_not_measured(engine):
    store(engine, [incoming(1, organ=SXD, channel="paper")])
    with engine.begin() as connection:
        write_registry(connection, DEPLOYMENT)
        write_period_calendar(connection, CALENDAR, Period.year(2025))
        values = {v.metric_id: v for v in measure_all(connection, Period.year(2025), CALENDAR)}
    assert values["inbound.received_axis"].measured
    assert not values["inbound.acknowledged_same_day"].measured
    assert values["inbound.acknowledged_same_day"].percent_text() == "not measured"


# --- outbound ---------------------------------------------------------------------------------


def test_outgoing_signed_electronically_and_issued_in_time_after_signing(engine):
    items = [
        outgoing(
            1,
            digitally_signed=True,
            signed_at=datetime(2025, 3, 7, 10),
            issued_at=datetime(2025, 3, 10, 9),
        ),
        outgoing(
            2,
            channel="paper",
            digitally_signed=True,
            signed_at=datetime(2025, 3, 6, 10),
            issued_at=datetime(2025, 3, 10, 9),
        ),
        outgoing(
            3,
            channel="email",
            digitally_signed=False,
            priority=1,
            signed_at=DAY,
            issued_at=datetime(2025, 3, 4, 9),
        ),
        outgoing(4, digitally_signed=True, priority=3, signed_at=DAY, issued_at=DAY),
        outgoing(5),  # no signing time, no signature reported
        edoc(6),  # known only from the axis
    ]
    values = _measure(engine, items)
    assert values[(SNV, "outbound.electronic_signed")] == (2, 6)
    assert values[(SNV, "outbound.issued_axis")] == (4, 6)
    assert values[(SNV, "outbound.issued_in_time")] == (2, 4)


def test_issued_in_time_is_not_measured_without_signing_times(engine):
    values = _measure(engine, [edoc(1), edoc(2)])
    assert values[(SNV, "outbound.issued_in_time")] == (0, 0)


def test_numbering_counts_missing_numbers_and_duplicated_pairs_of_the_year(engine):
    items = [
        outgoing(1),
        outgoing(2, recalled=True),  # a recalled document keeps its number
        outgoing(40, code_number="4"),
        outgoing(41, code_number="04"),  # 4/SNV-VP again: a duplicate
        outgoing(5),
        outgoing(50, code_number="5", code_notation="QĐ-SNV"),  # another notation
        outgoing(60, code_number="12a"),  # not a plain number: left out
        outgoing(7, issued_at=datetime(2024, 12, 30, 9)),  # last year's sequence
        edoc(1, business_type=1),  # a recall message repeats number 1
    ]
    values = _measure(engine, items)
    assert values[(SNV, NUMBERING_ANOMALIES)] == (2, 5)  # 3 missing, 4/SNV-VP twice
    assert (STC, NUMBERING_ANOMALIES) not in values


def test_numbering_is_the_year_s_sequence_as_it_stands_at_the_end_of_the_period(engine):
    items = [outgoing(1), outgoing(3), outgoing(9, issued_at=datetime(2025, 6, 2, 9))]
    values = _measure(engine, items, Period.year_to_date(date(2025, 3, 31)))
    assert values[(SNV, NUMBERING_ANOMALIES)] == (1, 3)


def test_numbering_is_lower_is_better_in_the_catalogue():
    assert METRICS[NUMBERING_ANOMALIES].lower_is_better
    assert not METRICS["inbound.registered"].lower_is_better


# --- a year is the sum of its parts ----------------------------------------------------------

YEAR = Period.year(2025)
AGENCIES = (SNV, STC, SXD)
STATUSES = ("01", "02", "03", "04", "05", "06", "13", "16")


@pytest.fixture(scope="module")
def sqlite_engine(tmp_path_factory):
    engine = open_store(f"sqlite:///{tmp_path_factory.mktemp('sum') / 'checker.db'}")
    with engine.begin() as connection:
        write_registry(connection, DEPLOYMENT)
        write_period_calendar(connection, CALENDAR, YEAR)
    yield engine
    engine.dispose()


def _when(draw, start: datetime) -> datetime:
    return start + timedelta(hours=draw(st.integers(0, 24 * 6)))


@st.composite
def traffic(draw) -> list[Read]:
    """A few edXML documents with statuses and software records, anywhere in the year."""
    items: list[Read] = []
    for number in range(draw(st.integers(1, 10))):
        day = datetime(2025, 1, 1, 7) + timedelta(
            days=draw(st.integers(0, 364)), hours=draw(st.integers(0, 12))
        )
        kind = draw(st.sampled_from(("edoc", "in", "out")))
        priority = draw(st.sampled_from((0, 0, 1)))
        if kind == "edoc":
            sender = draw(st.sampled_from(AGENCIES))
            recipients = tuple(a for a in AGENCIES if a != sender)[: draw(st.integers(1, 2))]
            document = edoc(number, sender, recipients, day, priority)
            items.append(document)
            for actor in (*recipients, sender):
                for code in draw(st.lists(st.sampled_from(STATUSES), max_size=3)):
                    items.append(sent(document, actor, code, _when(draw, day)))
        elif kind == "in":
            times = {
                name: draw(st.none() | st.just(_when(draw, day)))
                for name in ("registered_at", "submitted_at", "assigned_at")
            }
            channel = draw(st.sampled_from(("axis", "paper")))
            organ = draw(st.sampled_from(AGENCIES))
            items.append(incoming(number, organ, day, channel=channel, priority=priority, **times))
        else:
            signed = draw(st.none() | st.just(day - timedelta(hours=draw(st.integers(0, 80)))))
            items.append(
                outgoing(
                    number,
                    organ=draw(st.sampled_from(AGENCIES)),
                    issued_at=day,
                    signed_at=signed,
                    priority=priority,
                    digitally_signed=draw(st.none() | st.booleans()),
                    recalled=draw(st.booleans()),
                )
            )
    return items


def _parts(cuts: list[int]) -> list[Period]:
    days = [YEAR.start + timedelta(days=c) for c in sorted(set(cuts))]
    starts = [YEAR.start, *days]
    ends = [d - timedelta(days=1) for d in days] + [YEAR.end]
    return [Period(s, e, later_steps=True) for s, e in zip(starts, ends, strict=True)]


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(items=traffic(), cuts=st.lists(st.integers(1, 364), max_size=4))
def test_a_year_measures_as_the_sum_of_its_parts(sqlite_engine, items, cuts):
    """Every document share metric adds up over disjoint periods. The numbering does not,
    and is left out: a number missing in March is a gap of every period that ends later; nor
    do files (counted per year) and transfers (due as of a day, cumulative). Each part counts
    the steps of its documents done after it ends, as the whole year does (a part measured as
    of its end does not: ``test_as_of_a_day_*``)."""
    with sqlite_engine.begin() as connection:
        for table in (EVENT, DOCUMENT, DOCUMENT_SOURCE, MESSAGE):
            connection.execute(table.delete())
    store(sqlite_engine, items)

    def measured(period: Period) -> dict[tuple[str, str], tuple[int, int]]:
        with sqlite_engine.connect() as connection:
            values = measure_all(connection, period, CALENDAR)
        return {
            (v.agency_code, v.metric_id): (v.numerator, v.denominator)
            for v in values
            if v.metric_id in DOCUMENT_METRICS
        }

    total: dict[tuple[str, str], tuple[int, int]] = {}
    for part in _parts(cuts):
        for key, (numerator, denominator) in measured(part).items():
            n, d = total.get(key, (0, 0))
            total[key] = (n + numerator, d + denominator)
    assert total == measured(YEAR)


# --- recalls, updates and replacements: the order files are read in changes nothing ----------

CHANGES = ("13", "15", "16", "01", "03", "04")


@st.composite
def messages_about_documents(draw) -> list[Read]:
    """Originals (or not), recalls, updates and replacements of a few documents, each sent
    at an hour of its own, and the statuses answering them."""
    items: list[Read] = []
    for number in range(1, draw(st.integers(1, 3)) + 1):
        recipients = draw(st.sampled_from(((STC,), (SXD,), (STC, SXD), ("H99.02", SXD))))
        hours = draw(st.lists(st.integers(0, 96), min_size=1, max_size=5, unique=True))
        kinds = [draw(st.sampled_from((0, 1, 2, 3))) for _ in hours]
        for hour, kind in zip(hours, kinds, strict=True):
            at = DAY + timedelta(hours=hour)
            subject = f"{number}: {kind} at {hour}"
            items.append(
                edoc(
                    number,
                    recipients=recipients,
                    business_type=kind,
                    message_at=at,
                    subject=subject,
                    priority=hour % 2,
                )
            )
        for actor in (SNV, *recipients):
            for code in draw(st.lists(st.sampled_from(CHANGES), max_size=3)):
                items.append(
                    sent(
                        edoc(number), actor, code, DAY + timedelta(hours=draw(st.integers(0, 120)))
                    )
                )
    return items


def _stored_and_measured(engine, items, batch_size: int):
    with engine.begin() as connection:
        for table in (EVENT, DOCUMENT, DOCUMENT_SOURCE, MESSAGE):
            connection.execute(table.delete())
    for start in range(0, len(items), batch_size):
        load(engine, items[start : start + batch_size], source="test", fetched_at=DAY)
    values = _measure(engine, [])
    with engine.connect() as connection:
        rows = connection.execute(DOCUMENT.select()).mappings().all()
        messages = connection.execute(MESSAGE.select()).mappings().all()
    documents = sorted(tuple(sorted((k, str(v)) for k, v in r.items() if k != "id")) for r in rows)
    kept = sorted((m["message_key"], m["record"]) for m in messages)
    return documents, kept, values


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), items=messages_about_documents())
def test_the_same_messages_in_any_order_give_the_same_store_and_metrics(engine, data, items):
    shuffled = data.draw(st.permutations(items))
    batch_size = data.draw(st.integers(1, 4))
    assert _stored_and_measured(engine, shuffled, batch_size) == _stored_and_measured(
        engine, items, len(items)
    )
