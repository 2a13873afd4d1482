"""Where a scorecard stands while entries are missing: a criterion not entered yet is not
zero, so the grade is a range (every missing entry at 0, every missing entry at full marks)
until the assessment is closed, with the entries that decide it.

Raising points never lowers a grade (every condition is a lower bound), so the grades still
possible are the ones between the grade with the missing entries at 0 and the grade with them
at full marks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from checker.scoring.assessment import Scorecard
from checker.scoring.criteria import CriteriaSet, Grade
from checker.scoring.grading import GradeResult, grade, section_points_from_criteria


@dataclass(frozen=True)
class Standing:
    low: GradeResult  # every missing entry at 0 (the grade when closed as it is)
    high: GradeResult  # every missing entry at full marks
    possible: tuple[Grade, ...]  # best first
    missing: tuple[str, ...]
    deciding: tuple[str, ...]  # missing entries that alone move the grade up
    final: bool

    @property
    def settled(self) -> bool:
        """One grade is possible whatever the missing entries turn out to be."""
        return len(self.possible) == 1


def counting_points(card: Scorecard) -> dict[str, Decimal]:
    return {c.criterion.id: p for c in card.cells if (p := c.counting[1]) is not None}


def standing(card: Scorecard) -> Standing:
    missing = () if card.closed_at is not None else card.missing
    return standing_of(card.criteria, counting_points(card), missing, card.closed_at is not None)


def standing_of(
    criteria: CriteriaSet,
    counted: Mapping[str, Decimal],
    missing: Sequence[str],
    final: bool = False,
) -> Standing:
    """Where points stand with ``missing`` criteria (not entered, not measured) still open:
    the low grade's reasons never say one of them failed (``grading.grade``)."""
    missing = tuple(missing)
    counted = dict(counted)
    full = {c.id: c.max for c in criteria.criteria if c.id in missing}
    low = _grade(criteria, counted, missing)
    high = _grade(criteria, counted | full)
    ids = [g.id for g in criteria.grades]
    top, bottom = ids.index(high.grade_id), ids.index(low.grade_id)
    deciding = tuple(
        m for m in missing if _grade(criteria, counted | {m: full[m]}).grade_id != low.grade_id
    )
    if not deciding and top != bottom:
        deciding = missing
    return Standing(low, high, criteria.grades[top : bottom + 1], missing, deciding, final)


def _grade(
    criteria: CriteriaSet, points: Mapping[str, Decimal], unknown: Sequence[str] = ()
) -> GradeResult:
    return grade(criteria, section_points_from_criteria(criteria, points), unknown)
