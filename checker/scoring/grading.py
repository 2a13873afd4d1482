"""Grading: section points against a criteria set's grades, with the reasons each higher grade
was missed.

Grades are checked from the first down; the first whose conditions all hold is the grade (the
last has none, so one always does). A section is *implemented* when its points are above 0.
"above" is strict (>), "at least" is not (>=); shares are compared as exact fractions, so
10.5 of 15 is exactly 70% and is not above 70%.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from checker.errors import CriteriaError
from checker.scoring.criteria import (
    Comparison,
    Condition,
    CriteriaSet,
    ImplementedCondition,
    ShareCondition,
    TotalCondition,
)
from checker.scoring.points import points_text, round_half_up


@dataclass(frozen=True)
class SectionScore:
    id: str
    title: str
    points: Decimal
    max: Decimal
    share: Fraction  # points / max, exact

    @property
    def implemented(self) -> bool:
        return self.points > 0

    def percent_text(self) -> str:
        """The share as people read it: ``66.67%``, ``70%``."""
        return f"{points_text(round_half_up(self.share * 100))}%"


@dataclass(frozen=True)
class GradeResult:
    grade_id: str
    grade_name: str
    total: Decimal
    reasons: tuple[str, ...]  # for each higher grade missed: "not Loại A: total 80 is below 85"
    sections: tuple[SectionScore, ...]


def grade(criteria: CriteriaSet, section_points: Sequence[Decimal]) -> GradeResult:
    """The grade that section points (in the set's section order) earn, and why not higher."""
    sections = section_scores(criteria, section_points)
    total = sum((s.points for s in sections), Decimal(0))
    reasons: list[str] = []
    for candidate in criteria.grades:
        failed = [r for c in candidate.conditions for r in _failures(c, sections, total)]
        if not failed:
            return GradeResult(candidate.id, candidate.name, total, tuple(reasons), sections)
        reasons += [f"not {candidate.name}: {reason}" for reason in failed]
    raise CriteriaError(f"{criteria.id}: no grade fits; its last grade must have no conditions")


def section_scores(
    criteria: CriteriaSet, section_points: Sequence[Decimal]
) -> tuple[SectionScore, ...]:
    """Section points checked against the set: one per section, from 0 up to its max."""
    if len(section_points) != len(criteria.sections):
        raise CriteriaError(
            f"{criteria.id} has {len(criteria.sections)} sections, got {len(section_points)} points"
        )
    scores = []
    for section, points in zip(criteria.sections, section_points, strict=True):
        where = f"section {section.id}: {points_text(points)} points"
        if points < 0:
            raise CriteriaError(f"{where} is negative; points start at 0")
        if points > section.max:
            raise CriteriaError(f"{where} is above its max of {points_text(section.max)}")
        share = Fraction(points) / Fraction(section.max)
        scores.append(SectionScore(section.id, section.title, points, section.max, share))
    return tuple(scores)


# --- conditions -----------------------------------------------------------------------------


def _holds(value: Fraction, comparison: Comparison, bound: Fraction) -> bool:
    return value > bound if comparison == "above" else value >= bound


def _needs(comparison: Comparison) -> str:
    return "above" if comparison == "above" else "at least"


def _failures(
    condition: Condition, sections: Sequence[SectionScore], total: Decimal
) -> Iterable[str]:
    """The condition's failures in plain words; nothing when it holds."""
    if isinstance(condition, TotalCondition):
        yield from _total_failures(condition, total)
    elif isinstance(condition, ImplementedCondition):
        yield from _implemented_failures(condition, sections)
    else:
        yield from _share_failures(condition, sections)


def _total_failures(condition: TotalCondition, total: Decimal) -> Iterable[str]:
    if _holds(Fraction(total), condition.total, Fraction(condition.points)):
        return
    verb = "is not above" if condition.total == "above" else "is below"
    yield f"total {points_text(total)} {verb} {points_text(condition.points)}"


def _implemented_failures(
    condition: ImplementedCondition, sections: Sequence[SectionScore]
) -> Iterable[str]:
    done = sum(1 for s in sections if s.implemented)
    if _holds(Fraction(done), condition.implemented, Fraction(condition.sections)):
        return
    missing = [s.id for s in sections if not s.implemented]
    where = f"section {missing[0]}" if len(missing) == 1 else f"sections {', '.join(missing)}"
    yield (
        f"{done}/{len(sections)} sections implemented (above 0 points), needs "
        f"{_needs(condition.implemented)} {condition.sections}"
        + (f"; 0 points in {where}" if missing else "")
    )


def _share_failures(condition: ShareCondition, sections: Sequence[SectionScore]) -> Iterable[str]:
    named = condition.sections
    bound = Fraction(condition.percent) / 100
    for section in sections:
        if named is not None and section.id not in named:
            continue
        if not _holds(section.share, condition.share, bound):
            yield (
                f"section {section.id} has {points_text(section.points)}/"
                f"{points_text(section.max)} ({section.percent_text()}), needs "
                f"{_needs(condition.share)} {points_text(condition.percent)}%"
            )


# --- inputs ---------------------------------------------------------------------------------


def parse_points(text: str) -> list[Decimal]:
    """Section points written as ``5,15,25,30,10,10,5`` (decimals with a point: ``10.5``)."""
    return [_parse_one(item.strip()) for item in text.split(",")]


def _parse_one(item: str) -> Decimal:
    try:
        value = Decimal(item)
    except InvalidOperation as exc:
        raise CriteriaError(
            f"points {item!r} is not a number; give section points as 5,15,25,... "
            "with a point for decimals (10.5)"
        ) from exc
    if not value.is_finite():
        raise CriteriaError(f"points {item!r} is not a number")
    return value


def section_points_from_criteria(
    criteria: CriteriaSet, criterion_points: Mapping[str, Decimal]
) -> list[Decimal]:
    """Criterion points (by criterion id) summed per section; a missing criterion counts 0."""
    known = {c.id for c in criteria.criteria}
    unknown = sorted(set(criterion_points) - known)
    if unknown:
        raise CriteriaError(f"{criteria.id} has no criterion {', '.join(unknown)}")
    return [
        sum((criterion_points.get(c.id, Decimal(0)) for c in section.criteria), Decimal(0))
        for section in criteria.sections
    ]
