"""E-transfer metrics: files handed to the agency archive, and from there to the historical
archive, by their deadlines (Decree 30/2020/NĐ-CP Art. 30-31; Law on Archives 33/2024/QH15,
in force 1 July 2025), and the list of overdue files for reports.

Everything is judged **as of** a day D, the period's end. A file is *due* when its deadline
is on or before D; every file due by D is measured, whatever the year of its deadline, so a
backlog stays visible until it is cleared. A transfer dated after D had not happened on D
and is left out, so a past period measures the same whenever it is run.

Retention comes from the file's retention code, read with the deployment's codes
(``[files] retention_permanent`` and ``retention_years``; defaults 01 permanent, 02 70
years ... 06 10 years), else from the years the software reported. A file whose retention
is not reported (no code, no years, or a code the deployment does not know) is *unknown*:
listed in the evidence, and counted neither as due nor as not due.

Deadline to the agency archive, for files kept 5 years or more (permanent files and those
kept 5 years or more):

- construction files: 3 months after final settlement (``final_settlement_on``); none while
  no settlement date is recorded, since the period runs from the settlement;
- work ended on or after 1 July 2025 (Law 2024, "within 1 year from the year the work
  ended"): 31 December of the year after the year it ended;
- work ended before 1 July 2025 (Decree 30, "within 1 year from the end of the work"): one
  year after it ended;
- no ``work_ended_on``: no deadline; the file is not due.

Deadline to the historical archive, for permanent files: 31 December of the 5th year after
the year the agency archive received them (Law on Archives 2024, "5 years from the year of
entry": entered 10 August 2025, due 31 December 2030). Months and years end as the Civil
Code ends them (see ``metrics.sqldates``); a deadline falling on a weekend or holiday is not
moved to the next working day.

A transfer is on time when it was received (status ``received``) on or before the deadline.
A unit may keep a file up to 2 years past due with written approval; there are no approval
data, so such a file is counted late.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Label,
    Row,
    Select,
    Subquery,
    and_,
    case,
    func,
    literal,
    not_,
    or_,
    select,
    true,
    union_all,
)

from checker.i18n import N_, _, ngettext
from checker.store.models import AGENCY_CODE, RECORD_FILE, TRANSFER
from metrics.catalogue import not_of_family
from metrics.files import DEFAULT_FILES_CONFIG, FilesConfig
from metrics.period import Period
from metrics.scope import count_where
from metrics.sqldates import add_months, days_between, end_of_next_year
from metrics.values import EvidenceLine, MetricValue

AGENCY_ARCHIVE = "agency_archive"
HISTORICAL_ARCHIVE = "historical_archive"
LAW_2024_IN_FORCE = date(2025, 7, 1)
MIN_RETENTION_YEARS = 5
CONSTRUCTION_MONTHS = 3
HISTORICAL_YEARS = 5
UNKNOWN_RETENTION = N_("retention not reported: unknown, counted neither as due nor as not due")


@dataclass(frozen=True)
class OverdueFile:
    """A file past its deadline and not received by the archive it is due to."""

    archive: str  # agency_archive or historical_archive
    agency_code: str
    organ_id: str
    file_code: str
    title: str | None
    deadline: date
    days_overdue: int
    status: str | None  # pending, returned, received_undated; None: nothing sent


def agency_archive_deadline() -> ColumnElement[date]:
    """The day by which a file must be in the agency archive (NULL: not due)."""
    file = RECORD_FILE.c
    return case(
        (file.construction.is_(true()), add_months(file.final_settlement_on, CONSTRUCTION_MONTHS)),
        (file.work_ended_on >= LAW_2024_IN_FORCE, end_of_next_year(file.work_ended_on)),
        else_=add_months(file.work_ended_on, 12),
    )


def measure_transfers(
    connection: Connection, period: Period, config: FilesConfig = DEFAULT_FILES_CONFIG
) -> list[MetricValue]:
    """Both transfer metrics for every agency with files due by the period's end."""
    values: list[MetricValue] = []
    for metric_id, due_files in _DUE_FILES.items():
        files = due_files(period.end, config, None, None).subquery()
        counts = (files.c.agency_code, count_where(_on_time(files)), func.count())
        query = select(*counts).where(files.c.measured == 1).group_by(files.c.agency_code)
        values += [MetricValue(code, metric_id, n, d) for code, n, d in connection.execute(query)]
    return values


def transfers_evidence(
    connection: Connection,
    agency_code: str,
    metric_id: str,
    period: Period,
    config: FilesConfig = DEFAULT_FILES_CONFIG,
) -> list[EvidenceLine]:
    """The agency's files due by the period's end, those received on time first, those of
    unknown retention last."""
    found = transfers_evidence_by_agency(connection, [agency_code], metric_id, period, config)
    return found.get(agency_code, [])


def transfers_evidence_by_agency(
    connection: Connection,
    agency_codes: Sequence[str],
    metric_id: str,
    period: Period,
    config: FilesConfig = DEFAULT_FILES_CONFIG,
    due_by: date | None = None,
) -> dict[str, list[EvidenceLine]]:
    """:func:`transfers_evidence` of each agency (one with no file due is left out), in one
    query. ``due_by`` (a day after the period's end, as 31 December for the way to the next
    grade) lists the files due by then instead, judged as things stood at the period's end:
    a transfer dated after it had not happened yet."""
    due_files = _DUE_FILES.get(metric_id)
    if due_files is None:
        raise not_of_family(metric_id, "transfers")
    files = due_files(period.end, config, agency_codes, due_by).subquery()
    counted = and_(files.c.measured == 1, _on_time(files))
    query = (
        select(files, counted.label("counted"))
        .where(files.c.agency_code.in_(agency_codes))
        .order_by(files.c.deadline, files.c.file_code)
    )
    found: dict[str, list[EvidenceLine]] = {}
    for row in connection.execute(query):
        found.setdefault(row.agency_code, []).append(_evidence_line(row))
    return {code: sorted(lines, key=_shown_first) for code, lines in found.items()}


def _shown_first(line: EvidenceLine) -> tuple[bool, bool]:
    """Received on time first, unknown retention last."""
    return (not line.counted, not line.measured)


def overdue_files(
    connection: Connection,
    as_of: date,
    agency_code: str | None = None,
    config: FilesConfig = DEFAULT_FILES_CONFIG,
) -> list[OverdueFile]:
    """Files past their deadline on ``as_of`` and not received, by agency, oldest first
    (files of unknown retention are not overdue)."""
    rows = connection.execute(_overdue_query(as_of, agency_code, config))
    return [
        OverdueFile(
            archive=row.archive,
            agency_code=row.agency_code,
            organ_id=row.organ_id,
            file_code=row.file_code,
            title=row.title,
            deadline=row.deadline,
            days_overdue=row.days_overdue,
            status=_status(row),
        )
        for row in rows
    ]


def _overdue_query(as_of: date, agency_code: str | None, config: FilesConfig) -> Select[Any]:
    selects = []
    for archive, due_files in _DUE_BY_ARCHIVE.items():
        files = due_files(as_of, config, None, None).subquery()
        query = select(literal(archive).label("archive"), files).where(
            files.c.measured == 1, files.c.received_on.is_(None), files.c.deadline < as_of
        )
        if agency_code is not None:
            query = query.where(files.c.agency_code == agency_code)
        selects.append(query)
    both = union_all(*selects).subquery()
    order = (both.c.agency_code, both.c.archive, both.c.deadline, both.c.file_code)
    return select(both).order_by(*order)


# --- Files due, with what the archives received ---------------------------------------------

_FILES = RECORD_FILE.join(AGENCY_CODE, AGENCY_CODE.c.code == RECORD_FILE.c.organ_id)


def _transfers(kind: str, as_of: date, agencies: Sequence[str] | None = None) -> Subquery:
    """Per agency (of ``agencies``, all when None) and file code: the first day an archive
    of ``kind`` received it by ``as_of``, and whether a transfer was returned, is pending,
    or was received undated."""
    transfer = TRANSFER.c
    received = transfer.status == "received"
    query = (
        select(
            AGENCY_CODE.c.agency_code,
            transfer.file_code,
            func.min(
                case((and_(received, transfer.transferred_on <= as_of), transfer.transferred_on))
            ).label("received_on"),
            _flag(transfer.status == "returned", "returned"),
            _flag(transfer.status == "pending", "pending"),
            _flag(and_(received, transfer.transferred_on.is_(None)), "undated"),
        )
        .select_from(TRANSFER.join(AGENCY_CODE, AGENCY_CODE.c.code == transfer.organ_id))
        .where(transfer.kind == kind)
        .group_by(AGENCY_CODE.c.agency_code, transfer.file_code)
    )
    if agencies is not None:
        query = query.where(AGENCY_CODE.c.agency_code.in_(agencies))
    return query.subquery(kind)


def _flag(condition: ColumnElement[bool], name: str) -> Label[int]:
    """1 when any transfer of the group meets ``condition``, else 0."""
    return func.max(case((condition, 1), else_=0)).label(name)


def _same_file(transfers: Subquery) -> ColumnElement[bool]:
    return and_(
        transfers.c.agency_code == AGENCY_CODE.c.agency_code,
        transfers.c.file_code == RECORD_FILE.c.file_code,
    )


def _columns(
    deadline: ColumnElement[date], moved: Subquery, as_of: date, measured: ColumnElement[bool]
) -> tuple[Any, ...]:
    file = RECORD_FILE.c
    return (
        case((measured, 1), else_=0).label("measured"),
        AGENCY_CODE.c.agency_code,
        file.organ_id,
        file.file_code,
        file.title,
        file.locator,
        deadline.label("deadline"),
        moved.c.received_on,
        moved.c.returned,
        moved.c.pending,
        moved.c.undated,
        days_between(deadline, moved.c.received_on).label("days_late"),
        days_between(deadline, literal(as_of)).label("days_overdue"),
    )


def permanent(config: FilesConfig) -> ColumnElement[bool]:
    """The file is kept permanently: its retention code says so (false, not NULL, when it
    has no code)."""
    code = RECORD_FILE.c.retention_code
    return and_(code.is_not(None), code.in_(config.retention_permanent))


def kept_years(config: FilesConfig) -> ColumnElement[Any]:
    """The years the file is kept: its code's years in the deployment, else the years the
    software reported; NULL for a permanent file and for one whose retention is unknown."""
    code, reported = RECORD_FILE.c.retention_code, RECORD_FILE.c.retention_years
    known = [(code == c, literal(years)) for c, years in sorted(config.retention_years.items())]
    return case(*known, (permanent(config), None), else_=reported)


def _agency_archive_due(
    as_of: date,
    config: FilesConfig,
    agencies: Sequence[str] | None = None,
    due_by: date | None = None,
) -> Select[Any]:
    deadline = agency_archive_deadline()
    moved = _transfers(AGENCY_ARCHIVE, as_of, agencies)
    kept, forever = kept_years(config), permanent(config)
    unknown = and_(kept.is_(None), not_(forever))
    query = (
        select(*_columns(deadline, moved, as_of, not_(unknown)))
        .select_from(_FILES.outerjoin(moved, _same_file(moved)))
        .where(or_(forever, unknown, kept >= MIN_RETENTION_YEARS), deadline <= (due_by or as_of))
    )
    return query if agencies is None else query.where(AGENCY_CODE.c.agency_code.in_(agencies))


def _historical_archive_due(
    as_of: date,
    config: FilesConfig,
    agencies: Sequence[str] | None = None,
    due_by: date | None = None,
) -> Select[Any]:
    entered = _transfers(AGENCY_ARCHIVE, as_of, agencies)
    deadline = end_of_next_year(entered.c.received_on, HISTORICAL_YEARS)
    moved = _transfers(HISTORICAL_ARCHIVE, as_of, agencies)
    forever = permanent(config)
    unknown = and_(kept_years(config).is_(None), not_(forever))
    query = (
        select(*_columns(deadline, moved, as_of, forever))
        .select_from(_FILES.join(entered, _same_file(entered)).outerjoin(moved, _same_file(moved)))
        .where(or_(forever, unknown), deadline <= (due_by or as_of))
    )
    return query if agencies is None else query.where(AGENCY_CODE.c.agency_code.in_(agencies))


_Due = Callable[[date, FilesConfig, Sequence[str] | None, date | None], Select[Any]]
"""The files due by a day (with the deployment's retention), of some agencies or all, with
what the archives had received by ``as_of``; due by ``due_by`` when given (a day after
``as_of``: files coming due whose transfer had not happened on ``as_of``), else by ``as_of``."""

_DUE_BY_ARCHIVE: dict[str, _Due] = {
    AGENCY_ARCHIVE: _agency_archive_due,
    HISTORICAL_ARCHIVE: _historical_archive_due,
}
_DUE_FILES: dict[str, _Due] = {
    "transfers.agency_archive_on_time": _agency_archive_due,
    "transfers.historical_archive_on_time": _historical_archive_due,
}


def _on_time(files: Subquery) -> ColumnElement[bool]:
    return files.c.received_on <= files.c.deadline


# --- Evidence in plain words ---------------------------------------------------------------


def _evidence_line(row: Row[Any]) -> EvidenceLine:
    return EvidenceLine(
        item=row.file_code,
        code=row.file_code,
        title=row.title,
        organ_id=row.organ_id,
        day=row.deadline,
        counted=bool(row.counted),
        reason=_reason(row) if row.measured else _(UNKNOWN_RETENTION),
        locator=row.locator,
        measured=bool(row.measured),
    )


def _reason(row: Row[Any]) -> str:
    if row.received_on is not None:
        if row.days_late <= 0:
            return _("transferred {day}, on time").format(day=row.received_on)
        late = ngettext(
            "transferred {day}, {n} day late", "transferred {day}, {n} days late", row.days_late
        )
        return late.format(day=row.received_on, n=row.days_late)
    if row.returned:
        return _("returned by the archive")
    if row.undated:
        return _("received without a transfer date, so not shown to be on time")
    if row.days_overdue > 0:
        text = ngettext("overdue by {n} day", "overdue by {n} days", row.days_overdue)
        text = text.format(n=row.days_overdue)
    else:
        text = _("not transferred by the deadline {day}").format(day=row.deadline)
    return _("pending at the archive, {reason}").format(reason=text) if row.pending else text


def _status(row: Row[Any]) -> str | None:
    """A file's state at the archive, as an id: the reader's words are ``status_words``."""
    if row.returned:
        return "returned"
    if row.undated:
        return "received_undated"
    return "pending" if row.pending else None


def status_words(status: str) -> str:
    """An overdue file's state at the archive, in the reader's language."""
    return {
        "returned": _("returned"),
        "received_undated": _("received without a date"),
        "pending": _("pending"),
    }.get(status, status)
