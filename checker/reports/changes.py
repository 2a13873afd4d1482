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
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, RowMapping, and_, exists, func, or_, select

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
        older, newer = run_ref(connection, before), run_ref(connection, after)
        if older.id == newer.id:
            message = _(
                "run {run} cannot be compared with itself: name two different runs, or only "
                "run {run} to compare it with the run of its kind before it"
            )
            raise StorageError(message.format(run=older.id))
        return older, newer
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
    pairs = _pairs(connection, before.id, after.id, agency)
    notes += _agency_notes(old, new)
    notes += _criteria_notes(old, new, common, pairs)
    changes = [_agency_change(old, new, code, pairs) for code in common]
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
    query = select(AGENCY_RESULT).where(AGENCY_RESULT.c.run_id == ref.id)
    if agency is not None:
        query = query.where(AGENCY_RESULT.c.agency_code == agency)
    names, hashes = _snapshot(connection, ref.id)
    sets = run_criteria(connection, ref.id) or {}
    titles = {c.id: c.title for s in sets.values() for sec in s.sections for c in sec.criteria}
    return _Run(
        ref=ref,
        results={r["agency_code"]: r for r in connection.execute(query).mappings()},
        names=names,
        hashes=hashes,
        titles=titles,
    )


@dataclass(frozen=True)
class _Pairs:
    """What moved between the runs, found in SQL: only the rows that differ are read."""

    criteria: dict[str, list[RowMapping]]  # agency → criteria whose points or max differ
    metrics: dict[str, list[RowMapping]]  # agency → metrics whose counts differ
    one_run_only: set[str]  # criteria an agency of both runs was scored on in one only


def _pairs(connection: Connection, before: int, after: int, agency: str | None) -> _Pairs:
    b, a = SCORE.alias("b"), SCORE.alias("a")
    criteria = (
        select(
            b.c.agency_code,
            b.c.criterion_id,
            b.c.points.label("before"),
            a.c.points.label("after"),
            b.c.max_points.label("max_before"),
            a.c.max_points.label("max_after"),
        )
        .join(a, and_(a.c.agency_code == b.c.agency_code, a.c.criterion_id == b.c.criterion_id))
        .where(b.c.run_id == before, a.c.run_id == after)
        .where(or_(b.c.points.is_distinct_from(a.c.points), b.c.max_points != a.c.max_points))
    )
    mb, ma = METRIC_VALUE.alias("mb"), METRIC_VALUE.alias("ma")
    metrics = (
        select(
            mb.c.agency_code,
            mb.c.metric_id,
            mb.c.numerator.label("numerator_before"),
            mb.c.denominator.label("denominator_before"),
            ma.c.numerator.label("numerator_after"),
            ma.c.denominator.label("denominator_after"),
        )
        .join(ma, and_(ma.c.agency_code == mb.c.agency_code, ma.c.metric_id == mb.c.metric_id))
        .where(mb.c.run_id == before, ma.c.run_id == after)
        .where(or_(mb.c.numerator != ma.c.numerator, mb.c.denominator != ma.c.denominator))
        .order_by(mb.c.agency_code, mb.c.metric_id)
    )
    if agency is not None:
        criteria = criteria.where(b.c.agency_code == agency)
        metrics = metrics.where(mb.c.agency_code == agency)
    one_only = _one_run_only(connection, before, after, agency) | _one_run_only(
        connection, after, before, agency
    )
    return _Pairs(
        _by_agency(connection.execute(criteria).mappings()),
        _by_agency(connection.execute(metrics).mappings()),
        one_only,
    )


def _one_run_only(connection: Connection, run: int, other: int, agency: str | None) -> set[str]:
    """Criteria scored in ``run`` for an agency also scored in ``other``, but not there."""
    there, scored = SCORE.alias("there"), AGENCY_RESULT.alias("scored")
    query = (
        select(SCORE.c.criterion_id)
        .distinct()
        .where(SCORE.c.run_id == run)
        .where(
            exists().where(scored.c.run_id == other, scored.c.agency_code == SCORE.c.agency_code)
        )
        .where(
            ~exists().where(
                there.c.run_id == other,
                there.c.agency_code == SCORE.c.agency_code,
                there.c.criterion_id == SCORE.c.criterion_id,
            )
        )
    )
    if agency is not None:
        query = query.where(SCORE.c.agency_code == agency)
    return set(connection.scalars(query))


def _by_agency(rows: Iterable[RowMapping]) -> dict[str, list[RowMapping]]:
    grouped: dict[str, list[RowMapping]] = {}
    for row in rows:
        grouped.setdefault(row["agency_code"], []).append(row)
    return grouped


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
    notes = []
    if before.kind != after.kind:
        notes.append(
            _(
                "runs of different kinds: {before_kind} (run {before}) and {after_kind} "
                "(run {after})"
            ).format(
                before_kind=before.kind, before=before.id, after_kind=after.kind, after=after.id
            )
        )
    return notes + _period_note(before, after)


def _period_note(before: RunRef, after: RunRef) -> list[str]:
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


def _criteria_notes(old: _Run, new: _Run, common: list[str], pairs: _Pairs) -> list[str]:
    notes = []
    sets = sorted({(old.results[c]["criteria"], new.results[c]["criteria"]) for c in common})
    for before_set, after_set in sets:
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
    skipped = _incomparable_criteria(pairs)
    if skipped:
        notes.append(
            _("criteria not compared (in one run only, or another max): {criteria}").format(
                criteria=", ".join(skipped)
            )
        )
    return notes


def _incomparable_criteria(pairs: _Pairs) -> list[str]:
    skipped = set(pairs.one_run_only)
    for rows in pairs.criteria.values():
        skipped.update(r["criterion_id"] for r in rows if not _same_max(r))
    return sorted(skipped, key=_criterion_order)


def _same_max(row: RowMapping) -> bool:
    return Decimal(row["max_before"]) == Decimal(row["max_after"])


def _criterion_order(criterion: str) -> tuple[int | str, ...]:
    return tuple(int(p) if p.isdigit() else p for p in criterion.split("."))


def _agency_change(old: _Run, new: _Run, code: str, pairs: _Pairs) -> AgencyChange | None:
    before, after = old.results[code], new.results[code]
    criteria = _criterion_changes(old, new, pairs.criteria.get(code, []))
    metrics = tuple(_metric_change(row) for row in pairs.metrics.get(code, []))
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


def _criterion_changes(old: _Run, new: _Run, rows: list[RowMapping]) -> tuple[CriterionChange, ...]:
    found = []
    for row in sorted(rows, key=lambda r: _criterion_order(r["criterion_id"])):
        if not _same_max(row):
            continue
        top = Decimal(row["max_after"])
        change = criterion_change(_decimal(row["before"]), _decimal(row["after"]), top)
        if change is None:
            continue
        criterion = row["criterion_id"]
        found.append(
            CriterionChange(
                criterion=criterion,
                title=new.titles.get(criterion) or old.titles.get(criterion, ""),
                change=change,
                before=_float(row["before"]),
                after=_float(row["after"]),
                max=float(top),
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


def _metric_change(row: RowMapping) -> MetricChange:
    return MetricChange(
        metric=row["metric_id"],
        name=_metric_name(row["metric_id"]),
        numerator_before=row["numerator_before"],
        denominator_before=row["denominator_before"],
        value_before=share(row["numerator_before"], row["denominator_before"]),
        numerator_after=row["numerator_after"],
        denominator_after=row["denominator_after"],
        value_after=share(row["numerator_after"], row["denominator_after"]),
    )


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
