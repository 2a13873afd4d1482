"""Evidence batches: the evidence of many agencies read a batch of agencies at a time, one
query per metric, and forgotten at the next batch, for those that ask for every agency's
evidence in turn (the report site, the scorecard workbooks' evidence sheets).

A batch is bounded by evidence lines, not by a count of agencies: it grows agency by agency,
in the order the agencies are asked for, until it holds about ``BATCH_LINES`` lines, so a few
agencies with huge registers are read a few at a time and hundreds of small ones at once. An
agency bigger than that is a batch of its own. The lines an agency has are counted from the
values its run stored (``metric_value``: one GROUP BY, nothing measured again); one whose run
is no longer stored weighs nothing, and a batch holds at most ``BATCH_AGENCIES`` agencies.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, case, func, select

from checker.store.models import METRIC_VALUE
from metrics.calendar import WorkingCalendar
from metrics.evidence import missed_by_agency
from metrics.files import DEFAULT_FILES_CONFIG, FilesConfig
from metrics.period import Period
from metrics.transfers import transfers_evidence_by_agency
from metrics.values import EvidenceLine

BATCH_LINES = 50_000
"""About the most evidence lines a batch holds (every metric's, once all are asked for): a
line held takes ~0.8 KB of Python heap, so some 40 MiB; a province's 2,000 agencies of a few
hundred lines each are read in a handful of batches."""

BATCH_AGENCIES = 1_000
"""The most agencies a batch holds whatever their lines: the length of its queries' lists."""


def cut_batches(
    codes: Sequence[str],
    lines: Mapping[str, int],
    most_lines: int = BATCH_LINES,
    most_agencies: int = BATCH_AGENCIES,
) -> list[list[str]]:
    """``codes`` in their order, cut where a batch would go past ``most_lines`` lines (an
    agency's from ``lines``, 0 when not there) or ``most_agencies`` agencies; an agency
    with more lines than that is a batch of its own."""
    batches: list[list[str]] = []
    batch: list[str] = []
    held = 0
    for code in codes:
        weight = lines.get(code, 0)
        if batch and (held + weight > most_lines or len(batch) >= most_agencies):
            batches.append(batch)
            batch, held = [], 0
        batch.append(code)
        held += weight
    if batch:
        batches.append(batch)
    return batches


def stored_lines(
    connection: Connection,
    run_of: Mapping[str, int | None],
    metrics: Collection[str],
    whole: Collection[str] = frozenset(),
) -> dict[str, int]:
    """Each agency's evidence lines of ``metrics`` as the run it was measured by (``run_of``)
    stored them, summed: the items a metric did not count, or every item of its denominator
    for the metrics of ``whole`` (those read with the lines counted). One GROUP BY over the
    runs' values; an agency with no run is left out."""
    runs = {run_id for run_id in run_of.values() if run_id is not None}
    value = METRIC_VALUE.c
    missed = value.denominator - value.numerator
    items = case((value.metric_id.in_(whole), value.denominator), else_=missed) if whole else missed
    query = (
        select(value.run_id, value.agency_code, func.sum(items))
        .where(value.run_id.in_(runs), value.metric_id.in_(metrics))
        .group_by(value.run_id, value.agency_code)
    )
    by_run = {(run_id, code): int(total or 0) for run_id, code, total in connection.execute(query)}
    return {
        code: by_run.get((run_id, code), 0) for code, run_id in run_of.items() if run_id is not None
    }


Lines = dict[str, list[EvidenceLine]]
Connect = Callable[[], AbstractContextManager[Connection]]
"""Opens the connection a batch is read on (facts stale in the store are worked out first)."""


@dataclass
class EvidenceBatches:
    """The evidence of the agencies ``codes``, each over its period (``period_of``), read a
    batch (``cut_batches`` by ``lines``) and a metric at a time, the first time one of the
    batch is asked for, and kept until an agency of another batch is asked for.

    ``missed(agency, metric)`` gives the lines the metric did not count over the agency's
    period, ``due_by(agency, metric, day)`` the files of a deadlines metric due by ``day``
    (a day after the period's end, as 31 December for the way to the next grade) as they
    stood at the period's end; each read for the batch's agencies of that period."""

    connect: Connect
    calendar: WorkingCalendar
    codes: Sequence[str]
    period_of: Mapping[str, Period]
    lines: Mapping[str, int]
    files: FilesConfig = DEFAULT_FILES_CONFIG
    _batches: list[list[str]] = field(default_factory=list, init=False)
    _batch_of: dict[str, int] = field(default_factory=dict, init=False)
    _current: int = field(default=-1, init=False)
    _read: dict[tuple[str, date | None, Period], Lines] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self._batches = cut_batches(self.codes, self.lines, BATCH_LINES, BATCH_AGENCIES)
        self._batch_of = {code: n for n, batch in enumerate(self._batches) for code in batch}

    @property
    def batches(self) -> list[list[str]]:
        return self._batches

    def missed(self, agency: str, metric_id: str) -> Sequence[EvidenceLine]:
        def read(connection: Connection, members: list[str], period: Period) -> Lines:
            return missed_by_agency(
                connection, members, metric_id, period, self.calendar, self.files
            )

        return self._lines(agency, (metric_id, None), read)

    def due_by(self, agency: str, metric_id: str, day: date) -> Sequence[EvidenceLine]:
        def read(connection: Connection, members: list[str], period: Period) -> Lines:
            return transfers_evidence_by_agency(
                connection, members, metric_id, period, self.files, due_by=day
            )

        return self._lines(agency, (metric_id, day), read)

    def _batch(self, agency: str) -> list[str]:
        batch = self._batch_of[agency]
        if batch != self._current:
            self._read, self._current = {}, batch
        return self._batches[batch]

    def _lines(
        self,
        agency: str,
        what: tuple[str, date | None],
        read: Callable[[Connection, list[str], Period], Lines],
    ) -> Sequence[EvidenceLine]:
        period = self.period_of[agency]
        key = (*what, period)
        batch = self._batch(agency)
        if key not in self._read:
            members = [code for code in batch if self.period_of[code] == period]
            with self.connect() as connection:
                self._read[key] = read(connection, members, period)
        return self._read[key].get(agency, [])
