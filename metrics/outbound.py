"""Outbound metrics (Decree 30/2020/NĐ-CP Art. 15-18): outgoing documents created and
issued electronically with a digital signature, issued through the axis, issued in time
after signing, acknowledged by every recipient; and the anomalies of the year's numbering.

An outgoing document's day is its issue (``doc_date``): the day it was sent through the
axis, or the issue time the agency's software reports. Recalled documents are left out of
every denominator, but not out of the numbering: a recalled document used its number.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    RowMapping,
    Select,
    and_,
    distinct,
    func,
    select,
    true,
)

from checker.i18n import _
from checker.store.models import AGENCY_CODE, DOCUMENT
from checker.store.records import AXIS
from metrics.calendar import WorkingCalendar
from metrics.facts import numbered
from metrics.period import Period
from metrics.scope import (
    AGENCY,
    EVIDENCE_DETAILS,
    DocumentMetric,
    Facts,
    count_where,
    direction_is,
    done_by,
    facts_query,
    lateness,
    not_recalled,
    not_through_axis,
    urgent,
)
from metrics.values import EvidenceLine, MetricValue
from metrics.workdays import local_day

NUMBERING_ANOMALIES = "outbound.numbering_anomalies"


def outbound_facts(period: Period, agency_code: str | None = None, details: bool = False) -> Facts:
    """One row per outgoing document and sending agency; deadlines count from signing."""
    signed_at, issued_at = DOCUMENT.c.signed_at, DOCUMENT.c.issued_at
    columns: list[ColumnElement[Any]] = [
        local_day(signed_at).label("start_day"),
        local_day(issued_at).label("issued_on"),
        done_by(DOCUMENT.c.fact_acknowledged_all_on, period).label("acknowledged_all_on"),
        signed_at,
        issued_at,
        DOCUMENT.c.digitally_signed,
    ]
    shown = EVIDENCE_DETAILS if details else ()
    query = facts_query("out", period, agency_code, columns, shown)
    return Facts(query.subquery("facts"))


def through_axis(facts: Facts) -> ColumnElement[bool]:
    return and_(not_recalled(facts), facts["channel"] == AXIS)


def signed_and_issued(facts: Facts) -> ColumnElement[bool]:
    return and_(
        not_recalled(facts), facts["signed_at"].is_not(None), facts["issued_at"].is_not(None)
    )


def _not_signed_electronically(row: RowMapping, _calendar: WorkingCalendar) -> str:
    if row["channel"] == "paper":
        return _("issued on paper")
    if row["digitally_signed"] is None:
        return _("no digital signature reported by the software")
    return _("no digital signature")


def _not_through_axis(row: RowMapping, _calendar: WorkingCalendar) -> str:
    return not_through_axis("out", row["channel"])


def _issued_late(row: RowMapping, calendar: WorkingCalendar) -> str:
    is_urgent = row["priority"] >= 1
    text = lateness("issued", row["start_day"], row["issued_on"], is_urgent, calendar)
    return urgent(text) if is_urgent else text


OUTBOUND = (
    DocumentMetric(
        "outbound.electronic_signed",
        "out",
        not_recalled,
        lambda f: and_(f["digitally_signed"] == true(), f["channel"] != "paper"),
        "outgoing documents",
        _not_signed_electronically,
    ),
    DocumentMetric(
        "outbound.issued_axis",
        "out",
        not_recalled,
        lambda f: f["channel"] == AXIS,
        "outgoing documents",
        _not_through_axis,
    ),
    DocumentMetric(
        "outbound.issued_in_time",
        "out",
        signed_and_issued,
        lambda f: f["issued_on"] <= f.due(),
        "outgoing documents with signing and issue times",
        _issued_late,
    ),
    DocumentMetric(
        "outbound.acknowledged_all",
        "out",
        through_axis,
        lambda f: f["acknowledged_all_on"].is_not(None),
        "outgoing documents issued through the axis",
        lambda _row, _calendar: _("at least one recipient sent no status 01 or 03 back"),
    ),
)


# --- numbering: numbers run 01..n per calendar year, unique with the notation -------------

_PLAIN_NUMBER = re.compile(r"[0-9]{1,9}")


def measure_numbering(connection: Connection, period: Period) -> list[MetricValue]:
    """Anomalies of every agency's numbering: the numbers missing from 1 to the highest
    issued, plus the number/notation pairs issued more than once, out of the highest number
    (summed over the years of the period). Lower is better.

    One query per year the period touches, over the year's sequence as it stands at the end
    of the period (from 1 January): the numbers are the rows' ``fact_number``
    (``metrics.facts``), read from the outgoing index."""
    found: dict[str, list[int]] = {}
    for year in range(period.start.year, period.end.year + 1):
        last = min(period.end, date(year, 12, 31))
        for agency, anomalies, top in connection.execute(_year_query(date(year, 1, 1), last)):
            counts = found.setdefault(agency, [0, 0])
            counts[0] += int(anomalies)
            counts[1] += int(top)
    return [
        MetricValue(agency, NUMBERING_ANOMALIES, anomalies, top)
        for agency, (anomalies, top) in found.items()
    ]


def _year_query(first: date, last: date) -> Select[Any]:
    """Per agency: the numbers missing from 1 to the highest plus the pairs used twice or
    more, and the highest number, of the documents numbered from ``first`` to ``last``."""
    number = DOCUMENT.c.fact_number
    sequence = (
        select(AGENCY.label("agency"), number.label("number"), DOCUMENT.c.code_notation)
        .select_from(DOCUMENT.join(AGENCY_CODE, AGENCY_CODE.c.code == DOCUMENT.c.organ_id))
        .where(
            direction_is("out"),
            DOCUMENT.c.doc_date >= first,
            DOCUMENT.c.doc_date <= last,
            number.is_not(None),
        )
        .cte("sequence")
    )
    pairs = (
        select(sequence.c.agency, func.count().label("uses"))
        .group_by(sequence.c.agency, sequence.c.number, sequence.c.code_notation)
        .subquery("pairs")
    )
    duplicates = (
        select(pairs.c.agency, count_where(pairs.c.uses > 1).label("pairs"))
        .group_by(pairs.c.agency)
        .subquery("duplicates")
    )
    numbers = (
        select(
            sequence.c.agency,
            func.max(sequence.c.number).label("top"),
            func.count(distinct(sequence.c.number)).label("numbers"),
        )
        .group_by(sequence.c.agency)
        .subquery("numbers")
    )
    return select(
        numbers.c.agency, numbers.c.top - numbers.c.numbers + duplicates.c.pairs, numbers.c.top
    ).select_from(numbers.join(duplicates, duplicates.c.agency == numbers.c.agency))


@dataclass(frozen=True)
class _Numbered:
    line: EvidenceLine
    year: int
    number: int | None
    notation: str | None


def numbering_evidence(
    connection: Connection, agency_code: str, period: Period
) -> list[EvidenceLine]:
    """Each anomaly of the agency's numbering (counted), then every outgoing document of
    the sequence with its number (not counted)."""
    return numbering_evidence_by_agency(connection, [agency_code], period).get(agency_code, [])


def numbering_evidence_by_agency(
    connection: Connection, agency_codes: Sequence[str], period: Period
) -> dict[str, list[EvidenceLine]]:
    """:func:`numbering_evidence` of each agency (one with no outgoing document numbered is
    left out), the sequences of all of them in one query."""
    return {
        code: [*_anomalies(code, documents), *(d.line for d in documents)]
        for code, documents in _sequences(connection, agency_codes, period).items()
    }


def numbering_top(connection: Connection, agency_code: str, period: Period) -> int:
    """The highest number of each year's sequence, summed over the years of the period: the
    metric's denominator, as :func:`measure_numbering` gives it."""
    tops: dict[int, int] = {}
    for d in _sequences(connection, [agency_code], period).get(agency_code, []):
        if d.number is not None:
            tops[d.year] = max(tops.get(d.year, 0), d.number)
    return sum(tops.values())


def _sequences(
    connection: Connection, agency_codes: Sequence[str], period: Period
) -> dict[str, list[_Numbered]]:
    """Each agency's outgoing documents of the period's years to its end, in date order."""
    agency = AGENCY_CODE.c.agency_code
    query = (
        select(
            agency.label("agency"),
            DOCUMENT.c.doc_key,
            DOCUMENT.c.code,
            DOCUMENT.c.subject,
            DOCUMENT.c.organ_id,
            DOCUMENT.c.doc_date,
            DOCUMENT.c.locator,
            DOCUMENT.c.code_number,
            DOCUMENT.c.code_notation,
        )
        .select_from(DOCUMENT.join(AGENCY_CODE, AGENCY_CODE.c.code == DOCUMENT.c.organ_id))
        .where(
            direction_is("out"),
            agency.in_(agency_codes),
            DOCUMENT.c.doc_date >= date(period.start.year, 1, 1),
            DOCUMENT.c.doc_date <= period.end,
            numbered(),
        )
        .order_by(agency, DOCUMENT.c.doc_date, DOCUMENT.c.doc_key)
    )
    found: dict[str, list[_Numbered]] = {}
    for row in connection.execute(query).mappings():
        found.setdefault(row["agency"], []).append(_numbered(row))
    return found


def _numbered(row: RowMapping) -> _Numbered:
    text, year = row["code_number"], row["doc_date"].year
    number = int(text) if text and _PLAIN_NUMBER.fullmatch(text) else None
    if number is not None and number >= 1:
        reason = _("number {number} of the {year} sequence").format(number=number, year=year)
    elif text:
        reason = _("number {number} is not a plain number from 1: left out of the sequence")
        reason = reason.format(number=repr(text))
        number = None
    else:
        reason = _("no number: left out of the sequence")
    line = EvidenceLine(
        item=row["doc_key"],
        code=row["code"],
        title=row["subject"],
        organ_id=row["organ_id"],
        day=row["doc_date"],
        counted=False,
        reason=reason,
        locator=row["locator"],
    )
    return _Numbered(line, year, number, row["code_notation"])


def _anomalies(agency_code: str, documents: list[_Numbered]) -> list[EvidenceLine]:
    by_year: dict[int, dict[tuple[int, str | None], list[_Numbered]]] = defaultdict(dict)
    for d in documents:
        if d.number is not None:
            by_year[d.year].setdefault((d.number, d.notation), []).append(d)
    lines = []
    for year, pairs in sorted(by_year.items()):
        numbers = {number for number, _notation in pairs}
        lines += [
            EvidenceLine(
                item=_("{year} sequence, number {number}").format(year=year, number=n),
                code=None,
                title=None,
                organ_id=agency_code,
                day=None,
                counted=True,
                reason=_("number {number} is missing from the {year} sequence").format(
                    number=n, year=year
                ),
                locator="",
            )
            for n in range(1, max(numbers) + 1)
            if n not in numbers
        ]
        for (number, notation), same in sorted(pairs.items(), key=_pair_order):
            if len(same) > 1:
                lines.append(_duplicate(year, number, notation, same))
    return lines


def _pair_order(item: tuple[tuple[int, str | None], list[_Numbered]]) -> tuple[int, str]:
    (number, notation), _same = item
    return number, notation or ""


def _duplicate(year: int, number: int, notation: str | None, same: list[_Numbered]) -> EvidenceLine:
    code = f"{number}/{notation}" if notation else str(number)
    first, second = same[0].line, same[1].line
    return EvidenceLine(
        item=second.item,
        code=second.code,
        title=second.title,
        organ_id=second.organ_id,
        day=second.day,
        counted=True,
        reason=_(
            "number {number} is used by {count} documents in the {year} sequence (first: {first})"
        ).format(number=code, count=len(same), year=year, first=first.item),
        locator=second.locator,
    )
