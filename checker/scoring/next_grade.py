"""The way to the next grade: which conditions of the grade just above fail, and the smallest
set of criteria whose work would meet them, with how much work each needs.

Each criterion that can still gain points is a :class:`Lever`: its points now, the most
units of work it can take this year, and its points after a number of units. A unit is an
item (a document or a file) counted that was not, for a measured criterion; a hundredth of a
point, for a criterion people score (``manual``); one step to full marks for a measured
criterion with no data yet (``no_data``: the logs must report it first).

How much a measured criterion can still take (:func:`measured_lever`, see
``checker.scoring.projection`` for the year-end figures):

- ``fix``: the items in the denominator not counted, which work today can still count
  (register these documents); judged on today's counts.
- ``ahead``: items judged by a moment already past (the day of arrival) cannot be fixed;
  the work is on the items still to come this year: at the current rate the year ends at
  ``numerator_end/denominator_end``, and each unit is one more of the coming items done right.
- ``deadlines``: files due by 31 December whose deadline has not passed yet, transferred in
  time; judged on the files due by the year's end.

The search (:func:`plan_next_grade`):

1. Sizes first: try every set of 1 lever, then of 2, ... (``itertools.combinations``); a set
   is *enough* when, with each of its levers at the most it can take and every other
   criterion where it is, the grade reached is the target or better. The first size with an
   enough set is the smallest; since every grade condition is a lower bound, raising points
   never lowers a grade, so "enough at the most" is the exact test. A set whose best gains
   cannot cover the missing total is skipped without grading it.
2. For each enough set of that size, the least work: its levers are lowered one at a time,
   to the fewest units that keep the target (a binary search, as points grow with work), the
   levers with no count of items (manual, no data) first and then the costliest per point,
   so that the work kept is the cheapest. The lowering is greedy: one pass, not every mix.
3. Of those sets, the one with the fewest levers without a count of items (work the logs
   can show beats points people must give), then the fewest items, then criterion order.

Criteria with no data yet (``no_data``) are searched only when no set without them reaches
the grade: their points hang on the logs reporting the work at all, and then at full marks,
which is a guess, not a plan.

Criteria sets hold a dozen or two criteria and the sets needed are small, so the search
stops after a few hundred gradings; the worst case (every criterion needed) is 2^n.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cache
from itertools import combinations
from typing import Literal

from checker.scoring.criteria import CriteriaSet, Criterion, TotalCondition
from checker.scoring.grading import (
    GradeMiss,
    GradeResult,
    grade,
    reaches,
    section_points_from_criteria,
)
from checker.scoring.points import rule_points
from checker.scoring.projection import FIXABLE, YearEnd
from metrics.values import EvidenceLine

WorkKind = Literal["fix", "ahead", "deadlines", "manual", "no_data"]
COUNTED: frozenset[WorkKind] = frozenset({"fix", "ahead", "deadlines"})
"""Kinds whose units are items (documents or files) in the logs."""
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Lever:
    """A criterion that can still gain points, and how its points grow with work."""

    criterion_id: str
    section_id: str
    kind: WorkKind
    current: Decimal  # points counted now (0 when none)
    most: int  # the most units of work it can take this year
    points_at: Callable[[int], Decimal]  # points after ``units`` of work, never falling

    @property
    def best(self) -> Decimal:
        return self.points_at(self.most)

    @property
    def counted(self) -> bool:
        return self.kind in COUNTED


@dataclass(frozen=True)
class Step:
    """One criterion of the way: from its points now to the points its work brings."""

    lever: Lever
    units: int  # items for a measured criterion, hundredths of a point for a manual one
    points: Decimal

    @property
    def gain(self) -> Decimal:
        return self.points - self.lever.current


@dataclass(frozen=True)
class Plan:
    """The grade now, the next one up and why it is missed, the smallest set of steps that
    reaches it (empty when at the top, or when not even every lever reaches it), and the
    grade after those steps."""

    now: GradeResult
    target: GradeMiss | None  # None: already at the top grade
    steps: tuple[Step, ...]
    reachable: bool
    after: GradeResult | None


# --- levers ---------------------------------------------------------------------------------


def measured_lever(
    section_id: str,
    criterion: Criterion,
    end: YearEnd,
    open_items: int,
    current: Decimal | None,
) -> Lever | None:
    """The lever of a measured criterion, or None when no work can raise it this year.
    ``open_items``: the uncounted items that work can still count (``fix``: those not
    counted; ``deadlines``: those whose deadline has not passed)."""
    assert criterion.rule is not None and criterion.metric is not None
    rule, top = criterion.rule, criterion.max
    now = current if current is not None else Decimal(0)
    kind: WorkKind
    if criterion.metric in FIXABLE:
        kind, base, most = "fix", (end.numerator, end.denominator), open_items
    elif end.motion == "deadlines":
        kind, base, most = "deadlines", (end.due_counted, end.due), open_items
    elif end.motion == "pace":
        coming = end.denominator_end - end.denominator
        at_rate = end.numerator_end - end.numerator
        kind, base, most = "ahead", (end.numerator_end, end.denominator_end), coming - at_rate
    else:
        return None
    if base[1] == 0:
        if end.denominator_end or current is not None:
            return None
        return Lever(criterion.id, section_id, "no_data", now, 1, lambda _units: top)

    @cache  # the search asks for the same units again and again
    def points_at(units: int) -> Decimal:
        return rule_points(rule, top, base[0] + units, base[1]) or Decimal(0)

    lever = Lever(criterion.id, section_id, kind, now, max(most, 0), points_at)
    return lever if lever.best > now else None


def manual_lever(section_id: str, criterion: Criterion, current: Decimal | None) -> Lever | None:
    """A criterion people score: any points up to its max, in hundredths."""
    now = current if current is not None else Decimal(0)
    most = int((criterion.max - now) / CENT)
    if most <= 0:
        return None
    return Lever(criterion.id, section_id, "manual", now, most, lambda cents: now + cents * CENT)


# --- the search -----------------------------------------------------------------------------


def plan_next_grade(
    criteria: CriteriaSet, points: Mapping[str, Decimal | None], levers: Sequence[Lever]
) -> Plan:
    """The smallest set of levers that reaches the grade just above the one ``points``
    earn (criterion points by id; None counts 0), each lowered to the least work."""
    counted = {c: p for c, p in points.items() if p is not None}
    now = _grade(criteria, counted)
    if not now.missed:
        return Plan(now, None, (), True, None)
    target = now.missed[-1]
    section_of = {c.id: i for i, s in enumerate(criteria.sections) for c in s.criteria}
    sums = section_points_from_criteria(criteria, counted)

    def enough(raised: Mapping[str, Decimal]) -> bool:
        moved = list(sums)
        for criterion_id, new in raised.items():
            moved[section_of[criterion_id]] += new - counted.get(criterion_id, Decimal(0))
        return reaches(criteria, target.grade_id, moved)

    shortfall = _total_shortfall(criteria, target.grade_id, now.total)
    useful = [lever for lever in levers if lever.best > lever.current]
    with_data = [lever for lever in useful if lever.kind != "no_data"]
    for pool in (with_data, useful) if len(with_data) < len(useful) else (useful,):
        steps = _smallest(pool, shortfall, enough)
        if steps is not None:
            after = _grade(criteria, counted | {s.lever.criterion_id: s.points for s in steps})
            return Plan(now, target, steps, True, after)
    return Plan(now, target, (), False, None)


def _smallest(
    pool: Sequence[Lever], shortfall: Decimal, enough: Callable[[Mapping[str, Decimal]], bool]
) -> tuple[Step, ...] | None:
    """The cheapest of the smallest sets of ``pool`` that are enough, each at least work."""
    for size in range(1, len(pool) + 1):
        found = [
            _least_work(chosen, enough)
            for chosen in combinations(pool, size)
            if sum((lv.best - lv.current for lv in chosen), Decimal(0)) >= shortfall
            and enough({lv.criterion_id: lv.best for lv in chosen})
        ]
        if found:
            return min(found, key=_cost)
    return None


def _least_work(
    chosen: Sequence[Lever], enough: Callable[[Mapping[str, Decimal]], bool]
) -> tuple[Step, ...]:
    units = {lv.criterion_id: lv.most for lv in chosen}
    for lever in sorted(chosen, key=_lowered_first):

        def holds(n: int, lever: Lever = lever) -> bool:
            raised = {lv.criterion_id: lv.points_at(units[lv.criterion_id]) for lv in chosen}
            return enough(raised | {lever.criterion_id: lever.points_at(n)})

        units[lever.criterion_id] = _fewest(holds, lever.most)
    return tuple(
        Step(lv, units[lv.criterion_id], lv.points_at(units[lv.criterion_id])) for lv in chosen
    )


def _fewest(holds: Callable[[int], bool], most: int) -> int:
    """The fewest units in 0..most for which ``holds`` (true at ``most``, never false again
    once true). 0 units is a lever whose year end at the current rate is enough by itself
    (documents issued at the same pace reach a count target)."""
    low, high = 0, most
    while low < high:
        middle = (low + high) // 2
        if holds(middle):
            high = middle
        else:
            low = middle + 1
    return high


def _lowered_first(lever: Lever) -> tuple[bool, Fraction, str]:
    """Levers without a count of items first, then the most items per point."""
    gain = lever.best - lever.current
    per_point = Fraction(lever.most) / Fraction(gain) if gain > 0 else Fraction(0)
    return lever.counted, -per_point, lever.criterion_id


def _cost(steps: Sequence[Step]) -> tuple[int, int, list[str]]:
    uncounted = sum(1 for s in steps if not s.lever.counted)
    items = sum(s.units for s in steps if s.lever.counted)
    return uncounted, items, [s.lever.criterion_id for s in steps]


def _total_shortfall(criteria: CriteriaSet, grade_id: str, total: Decimal) -> Decimal:
    """The points the grade's total conditions need beyond ``total`` (0 if none)."""
    grade_ = next(g for g in criteria.grades if g.id == grade_id)
    bounds = [c.points for c in grade_.conditions if isinstance(c, TotalCondition)]
    return max([b - total for b in bounds] + [Decimal(0)])


def _grade(criteria: CriteriaSet, points: Mapping[str, Decimal]) -> GradeResult:
    return grade(criteria, section_points_from_criteria(criteria, points))


# --- an agency's criteria as levers -----------------------------------------------------------


@dataclass(frozen=True)
class Outlook:
    """A measured criterion now and at year end at the current rate, with the items that
    work can still count (documents or files from the evidence)."""

    criterion: Criterion
    section_id: str
    end: YearEnd
    points: Decimal | None
    points_end: Decimal | None
    open_items: tuple[EvidenceLine, ...]


def outlook(
    section_id: str,
    criterion: Criterion,
    end: YearEnd,
    points: Decimal | None,
    open_items: Sequence[EvidenceLine] = (),
) -> Outlook:
    assert criterion.rule is not None
    points_end = rule_points(criterion.rule, criterion.max, end.numerator_end, end.denominator_end)
    return Outlook(criterion, section_id, end, points, points_end, tuple(open_items))


def levers_of(
    criteria: CriteriaSet, points: Mapping[str, Decimal | None], outlooks: Sequence[Outlook]
) -> list[Lever]:
    """Every criterion of the set that work can still raise this year, in criteria order."""
    by_id = {o.criterion.id: o for o in outlooks}
    levers: list[Lever | None] = []
    for section in criteria.sections:
        for criterion in section.criteria:
            current = points.get(criterion.id)
            if criterion.kind == "manual":
                levers.append(manual_lever(section.id, criterion, current))
            elif criterion.id in by_id:
                o = by_id[criterion.id]
                levers.append(
                    measured_lever(section.id, criterion, o.end, len(o.open_items), current)
                )
    return [lever for lever in levers if lever is not None]
