"""What changed between two stored runs: criteria that started or stopped losing points (and
points that moved otherwise), grade changes, rank moves, metric values that moved (numerator,
denominator, share), and the inputs set aside in quarantine between the two; for the whole
city or one agency.

Runs need not be alike. What is compared is what both hold: agencies scored in both,
criteria with the same id and max in both; anything else is said in ``notes`` (periods,
criteria sets that differ or changed, agencies in one run only), never refused. By default
``pick_runs`` compares the last two runs of one kind (``checker.scoring.runs.RUN_KINDS``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, RowMapping, and_, func, select

from checker.errors import StorageError
from checker.i18n import Language, _, current_language
from checker.scoring.snapshot import run_criteria
from checker.store.models import (
    AGENCY_RESULT,
    METRIC_VALUE,
    QUARANTINE,
    RUN,
    RUN_SNAPSHOT,
    SCORE,
)
from metrics.catalogue import METRICS

QUARANTINE_LISTED = 200  # lines listed; the count says how many there were


@dataclass(frozen=True)
class RunRef:
    id: int
    kind: str
    period_start: date
    period_end: date
    as_of: date | None
    started_at: datetime


@dataclass(frozen=True)
class CriterionChange:
    """``change``: started_losing, stopped_losing, gained, lost, now_scored, no_longer_scored."""

    criterion: str
    title: str
    change: str
    before: float | None
    after: float | None
    max: float


@dataclass(frozen=True)
class MetricChange:
    metric: str
    name: str
    numerator_before: int
    denominator_before: int
    value_before: float | None  # the share counted, percent
    numerator_after: int
    denominator_after: int
    value_after: float | None

    @property
    def value_moved(self) -> bool:
        """The share moved, not only the counts (a year to date counts more every night)."""
        return self.value_before != self.value_after


@dataclass(frozen=True)
class AgencyChange:
    code: str
    name: str
    group: str
    total_before: float
    total_after: float
    max_total: float
    grade_before: str
    grade_name_before: str
    grade_after: str
    grade_name_after: str
    rank_before: int
    rank_after: int
    criteria: tuple[CriterionChange, ...]
    metrics: tuple[MetricChange, ...]

    @property
    def grade_changed(self) -> bool:
        return self.grade_before != self.grade_after

    @property
    def rank_moved(self) -> bool:
        return self.rank_before != self.rank_after


@dataclass(frozen=True)
class QuarantinedInput:
    source: str
    locator: str
    reason: str
    created_at: datetime


@dataclass(frozen=True)
class RunChanges:
    before: RunRef
    after: RunRef
    agency: str | None  # None: the whole city
    notes: tuple[str, ...]  # what could not be compared like for like, and how it was
    agencies_compared: int
    agencies: tuple[AgencyChange, ...]  # those with anything changed
    quarantined: tuple[QuarantinedInput, ...] = ()
    quarantined_total: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        payload = asdict(self)
        for agency, change in zip(payload["agencies"], self.agencies, strict=True):
            agency["grade_changed"] = change.grade_changed
            agency["rank_moved"] = change.rank_moved
            for metric, moved in zip(agency["metrics"], change.metrics, strict=True):
                metric["value_moved"] = moved.value_moved
        decoded: dict[str, Any] = json.loads(json.dumps(payload, default=_json_default))
        return decoded


def _json_default(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


# --- choosing the runs --------------------------------------------------------------------


def pick_runs(
    connection: Connection,
    before: int | None = None,
    after: int | None = None,
    kind: str | None = None,
) -> tuple[RunRef, RunRef]:
    """The two runs to compare: both given; one given (it and the run of its kind before
    it); none (the last two runs of ``kind``, or of the latest run's kind)."""
    if before is not None and after is not None:
        return run_ref(connection, before), run_ref(connection, after)
    if before is not None or after is not None:
        newer = run_ref(connection, before if before is not None else after)  # type: ignore[arg-type]
        return _previous(connection, newer), newer
    if kind is None:
        kind = connection.scalar(select(RUN.c.kind).order_by(RUN.c.id.desc()).limit(1))
        if kind is None:
            raise StorageError(_("no scoring run in the store yet: run `checker score` first"))
    query = select(RUN.c.id).where(RUN.c.kind == kind).order_by(RUN.c.id.desc()).limit(2)
    ids = list(connection.scalars(query))
    if len(ids) < 2:
        raise StorageError(
            _("fewer than two runs of kind {kind} in the store: nothing to compare").format(
                kind=kind
            )
        )
    return run_ref(connection, ids[1]), run_ref(connection, ids[0])


def previous_run(connection: Connection, run_id: int) -> RunRef | None:
    """The run of the same kind before ``run_id``, or None."""
    try:
        return _previous(connection, run_ref(connection, run_id))
    except StorageError:
        return None


def _previous(connection: Connection, newer: RunRef) -> RunRef:
    query = select(func.max(RUN.c.id)).where(RUN.c.kind == newer.kind, RUN.c.id < newer.id)
    found = connection.scalar(query)
    if found is None:
        raise StorageError(
            _("run {run} is the first run of kind {kind}: nothing before it to compare").format(
                run=newer.id, kind=newer.kind
            )
        )
    return run_ref(connection, int(found))


def run_ref(connection: Connection, run_id: int) -> RunRef:
    row = connection.execute(select(RUN).where(RUN.c.id == run_id)).mappings().one_or_none()
    if row is None:
        raise StorageError(
            _("there is no scoring run {run} in the store: see `checker runs list`").format(
                run=run_id
            )
        )
    return RunRef(
        row["id"],
        row["kind"],
        row["period_start"],
        row["period_end"],
        row["as_of"],
        row["started_at"],
    )


# --- comparing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Run:
    ref: RunRef
    results: dict[str, RowMapping]
    scores: dict[tuple[str, str], RowMapping]
    values: dict[tuple[str, str], RowMapping]
    names: dict[str, str]
    hashes: dict[str, str]
    titles: dict[str, str]


def compare_runs(
    connection: Connection, before: RunRef, after: RunRef, agency: str | None = None
) -> RunChanges:
    """What changed from ``before`` to ``after`` (for ``agency`` only, when given)."""
    old, new = _read(connection, before, agency), _read(connection, after, agency)
    if agency is not None and agency not in old.results and agency not in new.results:
        raise StorageError(
            _("agency {agency} was scored in neither run {before} nor run {after}").format(
                agency=agency, before=before.id, after=after.id
            )
        )
    notes = _period_notes(before, after)
    common = sorted(set(old.results) & set(new.results))
    notes += _agency_notes(old, new)
    notes += _criteria_notes(old, new, common)
    changes = [_agency_change(old, new, code) for code in common]
    changed = tuple(c for c in changes if c is not None)
    quarantined, total = ((), 0) if agency else _quarantined(connection, before, after)
    return RunChanges(
        before=before,
        after=after,
        agency=agency,
        notes=tuple(notes),
        agencies_compared=len(common),
        agencies=changed,
        quarantined=quarantined,
        quarantined_total=total,
        counts=_counts(changed, total),
    )


def _counts(changed: tuple[AgencyChange, ...], quarantined: int) -> dict[str, int]:
    criteria = [c.change for a in changed for c in a.criteria]
    return {
        "started_losing": criteria.count("started_losing"),
        "stopped_losing": criteria.count("stopped_losing"),
        "criteria_moved": len(criteria),
        "grade_changes": sum(a.grade_changed for a in changed),
        "rank_moves": sum(a.rank_moved for a in changed),
        "metrics_moved": sum(m.value_moved for a in changed for m in a.metrics),
        "metrics_counted": sum(len(a.metrics) for a in changed),
        "quarantined": quarantined,
    }


def _read(connection: Connection, ref: RunRef, agency: str | None) -> _Run:
    def rows(table: Any) -> list[RowMapping]:
        query = select(table).where(table.c.run_id == ref.id)
        if agency is not None:
            query = query.where(table.c.agency_code == agency)
        return list(connection.execute(query).mappings())

    names, hashes = _snapshot(connection, ref.id)
    sets = run_criteria(connection, ref.id) or {}
    titles = {c.id: c.title for s in sets.values() for sec in s.sections for c in sec.criteria}
    return _Run(
        ref=ref,
        results={r["agency_code"]: r for r in rows(AGENCY_RESULT)},
        scores={(r["agency_code"], r["criterion_id"]): r for r in rows(SCORE)},
        values={(r["agency_code"], r["metric_id"]): r for r in rows(METRIC_VALUE)},
        names=names,
        hashes=hashes,
        titles=titles,
    )


def _snapshot(connection: Connection, run_id: int) -> tuple[dict[str, str], dict[str, str]]:
    query = select(RUN_SNAPSHOT.c.criteria, RUN_SNAPSHOT.c.registry_json)
    kept = connection.execute(query.where(RUN_SNAPSHOT.c.run_id == run_id)).first()
    if kept is None:
        return {}, {}
    registry = json.loads(kept.registry_json)
    names = {a["code"]: a["name"] for a in registry.get("agencies", [])}
    hashes = {k: v["hash"] for k, v in json.loads(kept.criteria).items()}
    return names, hashes


def _period_notes(before: RunRef, after: RunRef) -> list[str]:
    if (before.period_start, before.period_end) == (after.period_start, after.period_end):
        return []
    if before.period_start == after.period_start:
        return [
            _(
                "periods: from {start} up to {before_end} (run {before}) and up to {after_end} "
                "(run {after}): each run's figures are its own period's"
            ).format(
                start=before.period_start,
                before_end=before.period_end,
                after_end=after.period_end,
                before=before.id,
                after=after.id,
            )
        ]
    return [
        _(
            "different periods: {before_start} to {before_end} (run {before}) and "
            "{after_start} to {after_end} (run {after}): compared as each run stood"
        ).format(
            before_start=before.period_start,
            before_end=before.period_end,
            after_start=after.period_start,
            after_end=after.period_end,
            before=before.id,
            after=after.id,
        )
    ]


def _agency_notes(old: _Run, new: _Run) -> list[str]:
    notes = []
    for run, other in ((old, new), (new, old)):
        alone = sorted(set(run.results) - set(other.results))
        if alone:
            notes.append(
                _("scored in run {run} only, not compared: {agencies}").format(
                    run=run.ref.id, agencies=", ".join(alone)
                )
            )
    return notes


def _criteria_notes(old: _Run, new: _Run, common: list[str]) -> list[str]:
    notes = []
    pairs = sorted({(old.results[c]["criteria"], new.results[c]["criteria"]) for c in common})
    for before_set, after_set in pairs:
        if before_set != after_set:
            notes.append(
                _(
                    "criteria sets differ: {before_set} (run {before}) and {after_set} "
                    "(run {after}): criteria with the same id and max compared"
                ).format(
                    before_set=before_set,
                    after_set=after_set,
                    before=old.ref.id,
                    after=new.ref.id,
                )
            )
        elif old.hashes.get(before_set) != new.hashes.get(after_set):
            notes.append(
                _(
                    "criteria set {criteria} changed between the runs (or was not kept with "
                    "one): criteria with the same id and max compared"
                ).format(criteria=after_set)
            )
    skipped = _incomparable_criteria(old, new, common)
    if skipped:
        notes.append(
            _("criteria not compared (in one run only, or another max): {criteria}").format(
                criteria=", ".join(skipped)
            )
        )
    return notes


def _incomparable_criteria(old: _Run, new: _Run, common: list[str]) -> list[str]:
    codes = set(common)
    before = {(a, c): r["max_points"] for (a, c), r in old.scores.items() if a in codes}
    after = {(a, c): r["max_points"] for (a, c), r in new.scores.items() if a in codes}
    skipped = {
        criterion
        for key in set(before) | set(after)
        if before.get(key) is None
        or after.get(key) is None
        or Decimal(before[key]) != Decimal(after[key])
        for criterion in (key[1],)
    }
    return sorted(skipped, key=_criterion_order)


def _criterion_order(criterion: str) -> tuple[int | str, ...]:
    return tuple(int(p) if p.isdigit() else p for p in criterion.split("."))


def _agency_change(old: _Run, new: _Run, code: str) -> AgencyChange | None:
    before, after = old.results[code], new.results[code]
    criteria = _criterion_changes(old, new, code)
    metrics = _metric_changes(old, new, code)
    same = (
        before["grade_id"] == after["grade_id"]
        and before["rank"] == after["rank"]
        and Decimal(before["total"]) == Decimal(after["total"])
    )
    if same and not criteria and not metrics:
        return None
    return AgencyChange(
        code=code,
        name=new.names.get(code) or old.names.get(code) or code,
        group=after["group_id"],
        total_before=float(before["total"]),
        total_after=float(after["total"]),
        max_total=float(after["max_total"]),
        grade_before=before["grade_id"],
        grade_name_before=before["grade_name"],
        grade_after=after["grade_id"],
        grade_name_after=after["grade_name"],
        rank_before=int(before["rank"]),
        rank_after=int(after["rank"]),
        criteria=criteria,
        metrics=metrics,
    )


def _criterion_changes(old: _Run, new: _Run, code: str) -> tuple[CriterionChange, ...]:
    found = []
    criteria = [c for (a, c) in new.scores if a == code and (a, c) in old.scores]
    for criterion in sorted(criteria, key=_criterion_order):
        before, after = old.scores[(code, criterion)], new.scores[(code, criterion)]
        if Decimal(before["max_points"]) != Decimal(after["max_points"]):
            continue
        change = criterion_change(
            _decimal(before["points"]), _decimal(after["points"]), Decimal(after["max_points"])
        )
        if change is None:
            continue
        found.append(
            CriterionChange(
                criterion=criterion,
                title=new.titles.get(criterion) or old.titles.get(criterion, ""),
                change=change,
                before=_float(before["points"]),
                after=_float(after["points"]),
                max=float(after["max_points"]),
            )
        )
    return tuple(found)


def criterion_change(before: Decimal | None, after: Decimal | None, top: Decimal) -> str | None:
    """How a criterion's points moved, in one word; None when they did not."""
    if before == after:
        return None
    if before is None:
        return "now_scored"
    if after is None:
        return "no_longer_scored"
    if before >= top > after:
        return "started_losing"
    if after >= top > before:
        return "stopped_losing"
    return "gained" if after > before else "lost"


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _float(text: str | None) -> float | None:
    return None if text is None else float(text)


def _metric_changes(old: _Run, new: _Run, code: str) -> tuple[MetricChange, ...]:
    found = []
    metrics = sorted(m for (a, m) in new.values if a == code and (a, m) in old.values)
    for metric in metrics:
        before, after = old.values[(code, metric)], new.values[(code, metric)]
        moved = (before["numerator"], before["denominator"]) != (
            after["numerator"],
            after["denominator"],
        )
        if moved:
            found.append(
                MetricChange(
                    metric=metric,
                    name=_metric_name(metric),
                    numerator_before=before["numerator"],
                    denominator_before=before["denominator"],
                    value_before=share(before["numerator"], before["denominator"]),
                    numerator_after=after["numerator"],
                    denominator_after=after["denominator"],
                    value_after=share(after["numerator"], after["denominator"]),
                )
            )
    return tuple(found)


def share(numerator: int, denominator: int) -> float | None:
    """The share counted, in percent to two places; None for nothing to count."""
    return None if denominator == 0 else round(100 * numerator / denominator, 2)


def _metric_name(metric_id: str) -> str:
    metric = METRICS.get(metric_id)
    if metric is None:
        return metric_id
    return metric.name_en if current_language() == Language.en else metric.name_vi


def _quarantined(
    connection: Connection, before: RunRef, after: RunRef
) -> tuple[tuple[QuarantinedInput, ...], int]:
    """Inputs set aside after the earlier run started and before the later one did."""
    start, end = sorted((before.started_at, after.started_at))
    window = and_(QUARANTINE.c.created_at >= start, QUARANTINE.c.created_at < end)
    total = int(connection.scalar(select(func.count()).where(window)) or 0)
    query = (
        select(
            QUARANTINE.c.source, QUARANTINE.c.locator, QUARANTINE.c.reason, QUARANTINE.c.created_at
        )
        .where(window)
        .order_by(QUARANTINE.c.created_at, QUARANTINE.c.id)
        .limit(QUARANTINE_LISTED)
    )
    lines = tuple(QuarantinedInput(*row) for row in connection.execute(query))
    return lines, total


def changes_of(changes: RunChanges, code: str) -> AgencyChange | None:
    """One agency's changes in a city-wide comparison, or None when nothing changed."""
    return next((a for a in changes.agencies if a.code == code), None)
