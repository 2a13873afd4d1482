"""Which stored runs are kept: the deployment's rule (``[runs]`` in the deployment file,
``checker.config.RunsConfig``), applied by ``checker run`` after a run it stored and by
``checker runs prune``.

The rule, for each kind of run (``checker.scoring.runs.RUN_KINDS``) on its own:

- every run that started in the last ``keep_daily_days`` days is kept;
- before that, the last run of each calendar month is kept, for ``keep_monthly_months``
  months (unset: for ever); older ones are pruned;
- whatever the rule says, the newest run of each kind and every run a scorecard refers to (an
  entry pre-filled from it, ``assessment_entry.run_id``) are kept.

Without ``keep_daily_days`` nothing is pruned. A pruned run goes with everything stored
under it (metric values, scores, results, its snapshot), in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, delete, select

from checker.config import RunsConfig
from checker.store.models import (
    AGENCY_RESULT,
    ASSESSMENT_ENTRY,
    METRIC_VALUE,
    RUN,
    RUN_SNAPSHOT,
    SCORE,
)


@dataclass(frozen=True)
class KeptRun:
    id: int
    kind: str
    started_at: datetime


@dataclass(frozen=True)
class PruneResult:
    """What a prune removed (or would remove, on a dry run) and what it kept despite the rule."""

    pruned: tuple[KeptRun, ...]
    kept: int
    held_by_scorecards: tuple[int, ...]  # runs the rule would prune, kept for a scorecard
    dry_run: bool
    rule: RunsConfig


def prune_runs(
    connection: Connection, rule: RunsConfig, today: date, *, dry_run: bool = False
) -> PruneResult:
    """Delete the runs ``rule`` no longer keeps (none when ``dry_run``); say which."""
    runs = [
        KeptRun(r.id, r.kind, r.started_at)
        for r in connection.execute(select(RUN.c.id, RUN.c.kind, RUN.c.started_at))
    ]
    referenced = {
        int(r[0])
        for r in connection.execute(
            select(ASSESSMENT_ENTRY.c.run_id).where(ASSESSMENT_ENTRY.c.run_id.is_not(None))
        )
    }
    expired = runs_past_the_rule(runs, rule, today)
    pruned = tuple(r for r in expired if r.id not in referenced)
    if pruned and not dry_run:
        _delete(connection, [r.id for r in pruned])
    return PruneResult(
        pruned=pruned,
        kept=len(runs) - len(pruned),
        held_by_scorecards=tuple(sorted(r.id for r in expired if r.id in referenced)),
        dry_run=dry_run,
        rule=rule,
    )


def runs_past_the_rule(runs: Sequence[KeptRun], rule: RunsConfig, today: date) -> list[KeptRun]:
    """The runs ``rule`` does not keep (scorecards aside), oldest first."""
    if rule.keep_daily_days is None:
        return []
    daily_from = today - timedelta(days=rule.keep_daily_days - 1)
    monthly_from = (
        None
        if rule.keep_monthly_months is None
        else _months_before(daily_from, rule.keep_monthly_months)
    )
    newest: dict[str, int] = {}
    last_of_month: dict[tuple[str, int, int], int] = {}
    for run in sorted(runs, key=lambda r: (r.started_at, r.id)):
        newest[run.kind] = run.id
        last_of_month[(run.kind, run.started_at.year, run.started_at.month)] = run.id
    keep_monthly = set(last_of_month.values())
    past = []
    for run in sorted(runs, key=lambda r: (r.started_at, r.id)):
        day = run.started_at.date()
        if day >= daily_from or run.id == newest[run.kind]:
            continue
        in_monthly_window = monthly_from is None or day >= monthly_from
        if run.id in keep_monthly and in_monthly_window:
            continue
        past.append(run)
    return past


def _months_before(day: date, months: int) -> date:
    """The first day of the month ``months`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _delete(connection: Connection, run_ids: list[int]) -> None:
    for table in (METRIC_VALUE, SCORE, AGENCY_RESULT):
        connection.execute(delete(table).where(table.c.run_id.in_(run_ids)))
    connection.execute(delete(RUN_SNAPSHOT).where(RUN_SNAPSHOT.c.run_id.in_(run_ids)))
    connection.execute(delete(RUN).where(RUN.c.id.in_(run_ids)))
