"""Digitisation metrics: the files the agency archive holds, digitised (số hóa) on the shared
archive software (Law on Archives 33/2024/QH15 on digitising archival records, in force 1 July
2025).

Everything is judged **as of** the period's end D. The agency archive holds a file on D when
the archive software's digitisation register lists it (the register is of the archive's
files), or when the archive received it by D (a ``received`` transfer to the agency archive
dated on or before D), and the historical archive had not received it by D. A file
digitised after D was not digitised on D, so a past period measures the same whenever it is
run. A file belongs to the agency of its organisation code, through ``agency_code``.

- ``digitisation.archive_digitised``: of the files held on D, those digitised by D.
- ``digitisation.digitised_in_period``: of the files held on D, those digitised in the
  period: the year's progress, the files digitised per agency and year.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Subquery,
    and_,
    func,
    select,
    union,
)

from checker.i18n import _
from checker.store.models import AGENCY_CODE, DIGITISED_FILE, TRANSFER
from metrics.catalogue import not_of_family
from metrics.period import Period
from metrics.scope import count_where
from metrics.values import EvidenceLine, MetricValue, counted_first_by_agency

ARCHIVE_DIGITISED = "digitisation.archive_digitised"
DIGITISED_IN_PERIOD = "digitisation.digitised_in_period"


def _received(kind: str, as_of: date) -> Any:
    """(agency, file code) of the files an archive of ``kind`` received by ``as_of``."""
    transfer = TRANSFER.c
    return (
        select(AGENCY_CODE.c.agency_code, transfer.file_code)
        .select_from(TRANSFER.join(AGENCY_CODE, AGENCY_CODE.c.code == transfer.organ_id))
        .where(
            transfer.kind == kind,
            transfer.status == "received",
            transfer.transferred_on <= as_of,
        )
    )


def _held(as_of: date) -> Subquery:
    """One row per file the agency archive holds on ``as_of``, with its register entry (NULL
    columns when the register does not list it)."""
    register = DIGITISED_FILE.c
    listed = select(AGENCY_CODE.c.agency_code, register.file_code).select_from(
        DIGITISED_FILE.join(AGENCY_CODE, AGENCY_CODE.c.code == register.organ_id)
    )
    files = union(listed, _received("agency_archive", as_of)).subquery("held")
    moved = _received("historical_archive", as_of).subquery("moved")
    entries = (
        select(
            AGENCY_CODE.c.agency_code,
            register.file_code,
            func.min(register.digitised_on).label("digitised_on"),
            func.max(register.pages).label("pages"),
            func.max(register.title).label("title"),
            func.max(register.organ_id).label("organ_id"),
            func.max(register.locator).label("locator"),
        )
        .select_from(DIGITISED_FILE.join(AGENCY_CODE, AGENCY_CODE.c.code == register.organ_id))
        .group_by(AGENCY_CODE.c.agency_code, register.file_code)
        .subquery("entries")
    )
    same = and_(
        entries.c.agency_code == files.c.agency_code, entries.c.file_code == files.c.file_code
    )
    gone = and_(moved.c.agency_code == files.c.agency_code, moved.c.file_code == files.c.file_code)
    return (
        select(
            files.c.agency_code,
            files.c.file_code,
            entries.c.digitised_on,
            entries.c.pages,
            entries.c.title,
            entries.c.organ_id,
            entries.c.locator,
        )
        .select_from(files.outerjoin(entries, same).outerjoin(moved, gone))
        .where(moved.c.file_code.is_(None))
        .subquery("held_files")
    )


def _counted(metric_id: str, held: Subquery, period: Period) -> ColumnElement[bool]:
    day = held.c.digitised_on
    if metric_id == ARCHIVE_DIGITISED:
        return day <= period.end
    return and_(day >= period.start, day <= period.end)


def measure_digitisation(connection: Connection, period: Period) -> list[MetricValue]:
    """Both digitisation metrics for every agency whose archive holds files on the period's
    end, in one GROUP BY."""
    held = _held(period.end)
    ids = (ARCHIVE_DIGITISED, DIGITISED_IN_PERIOD)
    columns = [count_where(_counted(metric_id, held, period)) for metric_id in ids]
    query = select(held.c.agency_code, func.count(), *columns).group_by(held.c.agency_code)
    values = []
    for code, total, *counts in connection.execute(query):
        values += [MetricValue(code, m, n, total) for m, n in zip(ids, counts, strict=True)]
    return values


def digitisation_evidence(
    connection: Connection, agency_code: str, metric_id: str, period: Period
) -> list[EvidenceLine]:
    """The files the agency archive holds on the period's end, digitised ones first."""
    found = digitisation_evidence_by_agency(connection, [agency_code], metric_id, period)
    return found.get(agency_code, [])


def digitisation_evidence_by_agency(
    connection: Connection, agency_codes: Sequence[str], metric_id: str, period: Period
) -> dict[str, list[EvidenceLine]]:
    """:func:`digitisation_evidence` of each agency (one whose archive holds no file is
    left out), in one query for all of them."""
    if metric_id not in (ARCHIVE_DIGITISED, DIGITISED_IN_PERIOD):
        raise not_of_family(metric_id, "digitisation")
    held = _held(period.end)
    counted = _counted(metric_id, held, period)
    query = (
        select(held, counted.label("counted"))
        .where(held.c.agency_code.in_(agency_codes))
        .order_by(held.c.agency_code, held.c.file_code)
    )
    return counted_first_by_agency(
        (
            row.agency_code,
            EvidenceLine(
                item=row.file_code,
                code=row.file_code,
                title=row.title,
                organ_id=row.organ_id or row.agency_code,
                day=row.digitised_on,
                counted=bool(row.counted),
                reason=_reason(row, period),
                locator=row.locator or "",
            ),
        )
        for row in connection.execute(query)
    )


def _reason(row: Row[Any], period: Period) -> str:
    if row.locator is None:
        return _("in the agency archive, not on the digitisation register")
    if row.digitised_on is None:
        return _("on the digitisation register, not digitised")
    if row.digitised_on > period.end:
        return _("digitised on {day}, after the period").format(day=row.digitised_on)
    if row.digitised_on < period.start:
        return _("digitised on {day} ({pages} pages), before the period").format(
            day=row.digitised_on, pages=row.pages
        )
    return _("digitised on {day} ({pages} pages)").format(day=row.digitised_on, pages=row.pages)
