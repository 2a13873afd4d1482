"""Pre-filling scorecards from a stored scoring run: the measured criteria's points, frozen
with the run they came from, the numerator and denominator behind them and the command that
lists the documents. The inspection team then completes the rest."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Connection, select

from checker.errors import StorageError
from checker.i18n import _
from checker.scoring.assessment import (
    MEASURED,
    Entry,
    load_scorecard,
    open_assessment,
    record_measured,
)
from checker.scoring.criteria import CriteriaSet
from checker.store.models import AGENCY_RESULT, METRIC_VALUE, RUN, SCORE


@dataclass(frozen=True)
class Prefilled:
    run_id: int
    year: int
    assessments: dict[str, int]  # agency code → assessment id
    entries: int


def evidence_command(agency: str, metric_id: str, start: date, as_of: date | None) -> str:
    """The command that lists the documents behind a metric for a run's period."""
    period = f"--as-of {as_of.isoformat()}" if as_of else f"--year {start.year}"
    return f"checker evidence --agency {agency} --metric {metric_id} {period}"


def prefill(
    connection: Connection,
    criteria_sets: Mapping[str, CriteriaSet],
    run_id: int,
    now: datetime,
    agencies: set[str] | None = None,
) -> Prefilled:
    """Open (or find) the scorecard of every agency in the run for the run's year and freeze
    its measured points from the run; a scorecard already pre-filled from this run is kept."""
    run = connection.execute(select(RUN).where(RUN.c.id == run_id)).mappings().first()
    if run is None:
        message = _("there is no scoring run {run} in the store: see `checker runs list`")
        raise StorageError(message.format(run=run_id))
    year = int(run["period_start"].year)
    values = {
        (r.agency_code, r.metric_id): (r.numerator, r.denominator)
        for r in connection.execute(select(METRIC_VALUE).where(METRIC_VALUE.c.run_id == run_id))
    }
    measured: dict[str, dict[str, tuple[str | None, str]]] = {}
    query = select(SCORE).where(SCORE.c.run_id == run_id, SCORE.c.origin == MEASURED)
    for r in connection.execute(query):
        measured.setdefault(r.agency_code, {})[r.criterion_id] = (r.points, r.metric_id or "")
    opened: dict[str, int] = {}
    written = 0
    results = connection.execute(select(AGENCY_RESULT).where(AGENCY_RESULT.c.run_id == run_id))
    for result in results.mappings():
        code = result["agency_code"]
        if agencies is not None and code not in agencies:
            continue
        criteria = criteria_sets[result["criteria"]]
        assessment_id = open_assessment(connection, code, year, criteria, now)
        opened[code] = assessment_id
        card = load_scorecard(connection, assessment_id, criteria)
        if card.closed_at is not None:
            continue  # a closed assessment keeps the measured points it was closed with
        entries = []
        for criterion_id, (points, metric_id) in measured.get(code, {}).items():
            if card.cell(criterion_id).latest.get(MEASURED, _NONE).run_id == run_id:
                continue
            numerator, denominator = values.get((code, metric_id), (0, 0))
            entries.append(
                Entry(
                    criterion_id,
                    MEASURED,
                    None if points is None else Decimal(points),
                    "",
                    "checker",
                    now,
                    f"run {run_id}",
                    run_id,
                    numerator,
                    denominator,
                    evidence_command(code, metric_id, run["period_start"], run["as_of"]),
                )
            )
        record_measured(connection, assessment_id, entries)
        written += len(entries)
    return Prefilled(run_id, year, opened, written)


_NONE = Entry("", MEASURED, None, "", "", datetime.min)
