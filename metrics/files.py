"""E-file metrics (Decree 30/2020/NĐ-CP Art. 28-29): the annual file list (Danh mục hồ sơ)
issued at the start of the year, listed files opened as electronic files, documents filed
into files, and electronic files with their required metadata complete.

The year measured is the year of the period's end (a calendar year, or a year to date).
A file belongs to the year in its ``year`` field, the year it was opened under that year's
list, even when its work runs into later years: a file opened in 2024 and still open in 2025
is measured with 2024's files, not again with 2025's.

Every metric is an SQL aggregate over all agencies at once, grouped by agency through
``agency_code``; evidence lists the rows of one agency with the same conditions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Row,
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    union,
)

from checker.i18n import _, ngettext
from checker.store.models import AGENCY_CODE, DOCUMENT, FILE_LIST, RECORD_FILE
from metrics.catalogue import not_of_family
from metrics.period import Period
from metrics.scope import DocumentMetric, count_where
from metrics.values import EvidenceLine, MetricValue, counted_first_by_agency

DEFAULT_RETENTION_YEARS = {"02": 70, "03": 50, "04": 30, "05": 20, "06": 10}
"""Retention codes of the archive software and their years, as most deployments use them
(code 01: permanent); a deployment sets its own in ``[files]`` (DOMAIN.md: [config])."""


class FilesConfig(BaseModel):
    """The deployment's settings for the file metrics."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    list_due: str = Field(
        default="01-31",
        pattern=r"^\d{2}-\d{2}$",
        description="month-day by which the year's file list must be issued",
    )
    retention_permanent: tuple[str, ...] = Field(
        default=("01",), description="retention codes of the archive software meaning permanent"
    )
    retention_years: dict[str, int] = Field(
        default_factory=lambda: dict(DEFAULT_RETENTION_YEARS),
        description="retention codes of the archive software and their years",
    )

    @field_validator("list_due")
    @classmethod
    def _is_a_day_of_every_year(cls, value: str) -> str:
        month, day = (int(part) for part in value.split("-"))
        try:
            date(2001, month, day)  # not a leap year: 02-29 is refused
        except ValueError:
            message = _("list_due {value} is not a day of every year; write MM-DD, e.g. 01-31")
            raise ValueError(message.format(value=repr(value))) from None
        return value

    @model_validator(mode="after")
    def _each_code_means_one_thing(self) -> FilesConfig:
        both = sorted(set(self.retention_permanent) & set(self.retention_years))
        if both:
            message = _(
                "retention code {code} is in both retention_permanent and "
                "retention_years; keep each code in one"
            )
            raise ValueError(message.format(code=repr(both[0])))
        short = sorted(code for code, years in self.retention_years.items() if years < 1)
        if short:
            message = _("retention code {code}: a retention is 1 year or more")
            raise ValueError(message.format(code=repr(short[0])))
        return self

    def cutoff(self, year: int) -> date:
        month, day = (int(part) for part in self.list_due.split("-"))
        return date(year, month, day)


DEFAULT_FILES_CONFIG = FilesConfig()

_AGENCY = AGENCY_CODE.c.agency_code
_FILES = RECORD_FILE.join(AGENCY_CODE, AGENCY_CODE.c.code == RECORD_FILE.c.organ_id)
_DOCUMENTS = DOCUMENT.join(AGENCY_CODE, AGENCY_CODE.c.code == DOCUMENT.c.organ_id)
_LISTS = FILE_LIST.join(AGENCY_CODE, AGENCY_CODE.c.code == FILE_LIST.c.organ_id)


@dataclass(frozen=True)
class _Rate:
    """A metric counted over rows of one table: the rows it is measured over, those that
    count, and why a row counts or not, in plain words."""

    id: str
    population: ColumnElement[bool]
    counted: ColumnElement[bool]
    reason: Callable[[Row[Any]], str]


def _metadata_reason(row: Row[Any]) -> str:
    if row.metadata_complete is None:
        return _("metadata completeness not reported, counted as incomplete")
    if row.metadata_complete:
        return _("required metadata complete")
    return _("required metadata incomplete")


_FILE_RATES = (
    _Rate(
        "files.opened_electronic",
        RECORD_FILE.c.listed.is_(true()),
        RECORD_FILE.c.electronic.is_(true()),
        lambda row: (
            _("opened as an electronic file")
            if row.counted
            else _("listed but not opened as an electronic file")
        ),
    ),
    _Rate(
        "files.metadata_complete",
        RECORD_FILE.c.electronic.is_(true()),
        RECORD_FILE.c.metadata_complete.is_(true()),
        _metadata_reason,
    ),
)


_DOCUMENTS_FILED = _Rate(
    "files.documents_filed",
    # documents the software reported, not recalled on it; filed into a file with a code
    # (the row's fact_filed, worked out by metrics.facts)
    DOCUMENT.c.fact_filed.is_not(None),
    DOCUMENT.c.fact_filed == 1,
    lambda row: (
        _("filed into {file}").format(file=row.file_code)
        if row.counted
        else _("not filed into any file")
    ),
)


FILED = tuple(
    DocumentMetric(
        _DOCUMENTS_FILED.id,
        direction,
        lambda f: f["filed"].is_not(None),
        lambda f: f["filed"] == 1,
        "documents reported by the software, not recalled on it",
        lambda _row, _calendar: _("not filed into any file"),
    )
    for direction in ("in", "out")
)
"""Documents filed, counted by each direction's aggregate (``metrics.measure``) from the
row's ``fact_filed``, and summed: the documents of an agency are its incoming and its
outgoing ones. Evidence lists both directions at once (:func:`files_evidence`)."""


def measure_files(
    connection: Connection, period: Period, config: FilesConfig = DEFAULT_FILES_CONFIG
) -> list[MetricValue]:
    """The file list and file metrics for every agency with something to count (documents
    filed are counted with the other document metrics: :data:`FILED`)."""
    year = period.end.year
    return [
        *_list_values(connection, period, config),
        *_rate_values(connection, _FILES, RECORD_FILE.c.year == year, _FILE_RATES),
    ]


def files_evidence(
    connection: Connection,
    agency_code: str,
    metric_id: str,
    period: Period,
    config: FilesConfig = DEFAULT_FILES_CONFIG,
) -> list[EvidenceLine]:
    """The list, files or documents behind the agency's number, counted ones first."""
    found = files_evidence_by_agency(connection, [agency_code], metric_id, period, config)
    return found.get(agency_code, [])


def files_evidence_by_agency(
    connection: Connection,
    agency_codes: Sequence[str],
    metric_id: str,
    period: Period,
    config: FilesConfig = DEFAULT_FILES_CONFIG,
) -> dict[str, list[EvidenceLine]]:
    """:func:`files_evidence` of each agency (one with nothing to list is left out): one query
    for the files and documents of all of them."""
    if metric_id == "files.list_issued_on_time":
        return _list_evidence(connection, agency_codes, period, config)
    if metric_id == _DOCUMENTS_FILED.id:
        return _document_evidence(connection, agency_codes, period)
    rate = next((r for r in _FILE_RATES if r.id == metric_id), None)
    if rate is None:
        raise not_of_family(metric_id, "files")
    return _file_evidence(connection, agency_codes, rate, period.end.year)


def _documents_in(period: Period) -> ColumnElement[bool]:
    return and_(DOCUMENT.c.doc_date >= period.start, DOCUMENT.c.doc_date <= period.end)


def _rate_values(
    connection: Connection, source: FromClause, scope: ColumnElement[bool], rates: tuple[_Rate, ...]
) -> list[MetricValue]:
    """Numerator and denominator of each rate, for every agency, in one GROUP BY."""
    columns = []
    for rate in rates:
        columns += [count_where(and_(rate.population, rate.counted)), count_where(rate.population)]
    query = select(_AGENCY, *columns).select_from(source).where(scope).group_by(_AGENCY)
    values: list[MetricValue] = []
    for code, *counts in connection.execute(query):
        for index, rate in enumerate(rates):
            values.append(MetricValue(code, rate.id, counts[2 * index], counts[2 * index + 1]))
    return values


def _file_evidence(
    connection: Connection, agency_codes: Sequence[str], rate: _Rate, year: int
) -> dict[str, list[EvidenceLine]]:
    query = (
        select(_AGENCY.label("agency"), RECORD_FILE, rate.counted.label("counted"))
        .select_from(_FILES)
        .where(_AGENCY.in_(agency_codes), RECORD_FILE.c.year == year, rate.population)
        .order_by(RECORD_FILE.c.file_code)
    )
    return counted_first_by_agency(
        (
            row.agency,
            EvidenceLine(
                item=row.file_code,
                code=row.file_code,
                title=row.title,
                organ_id=row.organ_id,
                day=row.opened_at.date() if row.opened_at else None,
                counted=bool(row.counted),
                reason=rate.reason(row),
                locator=row.locator,
            ),
        )
        for row in connection.execute(query)
    )


def _document_evidence(
    connection: Connection, agency_codes: Sequence[str], period: Period
) -> dict[str, list[EvidenceLine]]:
    rate = _DOCUMENTS_FILED
    query = (
        select(_AGENCY.label("agency"), DOCUMENT, rate.counted.label("counted"))
        .select_from(_DOCUMENTS)
        .where(_AGENCY.in_(agency_codes), _documents_in(period), rate.population)
        .order_by(DOCUMENT.c.doc_date, DOCUMENT.c.doc_key, DOCUMENT.c.direction)
    )
    return counted_first_by_agency(
        (
            row.agency,
            EvidenceLine(
                item=row.doc_key,
                code=row.code,
                title=row.subject,
                organ_id=row.organ_id,
                day=row.doc_date,
                counted=bool(row.counted),
                reason=rate.reason(row),
                locator=row.locator,
            ),
        )
        for row in connection.execute(query)
    )


# --- The annual file list -----------------------------------------------------------------


def _list_query(
    period: Period, config: FilesConfig, agency_codes: Sequence[str] | None = None
) -> Select[Any]:
    """One row per agency with a list, files or documents its own software reported in the
    year: the metric's numerator and denominator (an agency known only through the axis
    has no file-list data at all, and is not measured).

    Before the cut-off an agency is measured only once its list is issued (by the period's
    end); from the cut-off on, every such agency is."""
    year = period.end.year
    cutoff, end = literal(config.cutoff(year)), literal(period.end)
    active = union(
        select(_AGENCY).select_from(_LISTS).where(FILE_LIST.c.year == year),
        select(_AGENCY).select_from(_FILES).where(RECORD_FILE.c.year == year),
        select(_AGENCY).where(or_(*(_has_documents(d, period) for d in ("in", "out")))),
    ).subquery()
    lists = (
        select(_AGENCY, func.min(FILE_LIST.c.issued_on).label("issued_on"))
        .select_from(_LISTS)
        .where(FILE_LIST.c.year == year)
        .group_by(_AGENCY)
        .subquery()
    )
    measured = or_(cutoff <= end, lists.c.issued_on <= end)
    query = select(
        active.c.agency_code,
        case((and_(measured, lists.c.issued_on <= cutoff), 1), else_=0).label("numerator"),
        case((measured, 1), else_=0).label("denominator"),
    ).select_from(active.outerjoin(lists, lists.c.agency_code == active.c.agency_code))
    if agency_codes is not None:
        query = query.where(active.c.agency_code.in_(agency_codes))
    return query


def _has_documents(direction: str, period: Period) -> ColumnElement[bool]:
    """The agency code has a document of ``direction`` in the period that its own software
    or register reported (not one known only through the axis): a seek in the direction's
    partial index (the direction is a literal so the planner can use it)."""
    return exists(
        select(1).where(
            DOCUMENT.c.organ_id == AGENCY_CODE.c.code,
            DOCUMENT.c.direction == literal(direction, literal_execute=True),
            _documents_in(period),
            DOCUMENT.c.external_id.is_not(None),
        )
    )


def _list_values(connection: Connection, period: Period, config: FilesConfig) -> list[MetricValue]:
    return [
        MetricValue(row.agency_code, "files.list_issued_on_time", row.numerator, row.denominator)
        for row in connection.execute(_list_query(period, config))
    ]


def _list_evidence(
    connection: Connection, agency_codes: Sequence[str], period: Period, config: FilesConfig
) -> dict[str, list[EvidenceLine]]:
    """The file list's line of each measured agency (its first list of the year, or none):
    two queries for all of ``agency_codes``."""
    values = {
        row.agency_code: row
        for row in connection.execute(_list_query(period, config, agency_codes))
        if row.denominator
    }
    if not values:
        return {}
    year = period.end.year
    first: dict[str, Row[Any]] = {}
    rows = connection.execute(
        select(FILE_LIST, AGENCY_CODE.c.agency_code.label("listed_for"))
        .select_from(_LISTS)
        .where(AGENCY_CODE.c.agency_code.in_(list(values)), FILE_LIST.c.year == year)
        .order_by(AGENCY_CODE.c.agency_code, FILE_LIST.c.issued_on.is_(None), FILE_LIST.c.issued_on)
    )
    for row in rows:
        first.setdefault(row.listed_for, row)
    return {
        code: [
            EvidenceLine(
                item=row.external_id if row else _("file list {year}").format(year=year),
                code=None,
                title=f"Danh mục hồ sơ năm {year}",
                organ_id=row.organ_id if row else code,
                day=row.issued_on if row else None,
                counted=bool(value.numerator),
                reason=_list_reason(year, row, config.cutoff(year)),
                locator=row.locator if row else "",
            )
        ]
        for code, value in values.items()
        for row in [first.get(code)]
    }


def _list_reason(year: int, row: Row[Any] | None, cutoff: date) -> str:
    if row is None:
        return _("no file list for {year}").format(year=year)
    if row.issued_on is None:
        return _("the file list for {year} has no issue date").format(year=year)
    if row.issued_on <= cutoff:
        return _("issued on {day}, by the cut-off {cutoff}").format(
            day=row.issued_on, cutoff=cutoff
        )
    late = (row.issued_on - cutoff).days
    text = ngettext(
        "issued on {day}, {n} day after the cut-off {cutoff}",
        "issued on {day}, {n} days after the cut-off {cutoff}",
        late,
    )
    return text.format(day=row.issued_on, n=late, cutoff=cutoff)
