"""Points rules: how a measured metric becomes a criterion's points.

Three rules, written in the criteria files:

- ``bands``: the points of the first band whose ratio threshold the metric reaches (bands
  sorted from the highest threshold down); 0 below them all.
- ``linear``: 0 points at or below ``from``, full marks at or above ``to``, linear between,
  rounded to 2 decimals (half up).
- ``count``: like bands, on the metric's numerator (a count of documents) instead of a ratio.

A ratio rule on a metric with nothing to count (denominator 0) gives ``None``: *not
measured*, shown as such, never as zero or full marks. Points never go below 0 nor above the
criterion's max. Ratios are compared as exact fractions, so 7/10 reaches a 0.7 threshold.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import pairwise
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from checker.i18n import _

if TYPE_CHECKING:
    from checker.scoring.criteria import Criterion

CENT = Decimal("0.01")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Band(_Strict):
    at_least: Decimal = Field(description="ratio threshold, 0..1")
    points: Decimal


class BandsRule(_Strict):
    kind: Literal["bands"]
    bands: tuple[Band, ...] = Field(min_length=1)


class LinearRule(_Strict):
    kind: Literal["linear"]
    from_: Decimal = Field(alias="from", description="ratio at or below which points are 0")
    to: Decimal = Field(description="ratio at or above which points are the max")


class Target(_Strict):
    at_least: int = Field(ge=0, description="count of the metric's numerator")
    points: Decimal


class CountRule(_Strict):
    kind: Literal["count"]
    targets: tuple[Target, ...] = Field(min_length=1)


Rule = Annotated[BandsRule | LinearRule | CountRule, Field(discriminator="kind")]


def points_text(value: Decimal) -> str:
    """Points as people write them: 10.5, 100, never 1E+2 or 10.50."""
    return format(value.normalize(), "f")


# --- applying a rule ------------------------------------------------------------------------


def measured_points(criterion: Criterion, numerator: int, denominator: int) -> Decimal | None:
    """The points a measured criterion earns, or None when its metric was not measured."""
    if criterion.rule is None:
        message = _("criterion {criterion} is manual: it has no points rule")
        raise ValueError(message.format(criterion=criterion.id))
    return rule_points(criterion.rule, criterion.max, numerator, denominator)


def rule_points(
    rule: BandsRule | LinearRule | CountRule, max_points: Decimal, numerator: int, denominator: int
) -> Decimal | None:
    if numerator < 0 or denominator < 0:
        message = _("a metric counts documents: got {numerator}/{denominator}")
        raise ValueError(message.format(numerator=numerator, denominator=denominator))
    if denominator == 0:
        return None  # nothing to count: not measured, never zero and never full marks
    if isinstance(rule, CountRule):
        return _within(_first_reached(rule.targets, Fraction(numerator)), max_points)
    ratio = Fraction(numerator, denominator)
    if isinstance(rule, BandsRule):
        return _within(_first_reached(rule.bands, ratio), max_points)
    return _within(_linear(rule, max_points, ratio), max_points)


def _first_reached(steps: Sequence[Band | Target], value: Fraction) -> Decimal:
    return next((s.points for s in steps if value >= Fraction(s.at_least)), Decimal(0))


def _linear(rule: LinearRule, max_points: Decimal, ratio: Fraction) -> Decimal:
    low, high = Fraction(rule.from_), Fraction(rule.to)
    if ratio <= low:
        return Decimal(0)
    if ratio >= high:
        return max_points
    return round_half_up(Fraction(max_points) * (ratio - low) / (high - low))


def round_half_up(value: Fraction) -> Decimal:
    """A non-negative fraction rounded exactly to 2 decimals, half up: 2/3 → 0.67."""
    hundredths = math.floor(value * 100 + Fraction(1, 2))
    return (Decimal(hundredths) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def _within(points: Decimal, max_points: Decimal) -> Decimal:
    return min(max(points, Decimal(0)), max_points)


# --- checking a rule ------------------------------------------------------------------------


def rule_problems(rule: BandsRule | LinearRule | CountRule, max_points: Decimal) -> Iterable[str]:
    """What is wrong with a rule for a criterion of ``max_points``, one line each."""
    if isinstance(rule, BandsRule):
        thresholds = [b.at_least for b in rule.bands]
        ratio = _("band threshold {value} is not a ratio between 0 and 1")
        yield from _ratio_problems(ratio, thresholds)
        order = _("bands must be sorted by at_least, highest first, without repeats (got {shown})")
        yield from _descending_problems(order, thresholds)
        within = _("band points {value} are not between 0 and the max {top}")
        yield from _points_problems(within, [b.points for b in rule.bands], max_points)
    elif isinstance(rule, LinearRule):
        ratio = _("linear rule bound {value} is not a ratio between 0 and 1")
        yield from _ratio_problems(ratio, [rule.from_, rule.to])
        if rule.from_ >= rule.to:
            below = _("linear rule from = {low} must be below to = {high}")
            yield below.format(low=points_text(rule.from_), high=points_text(rule.to))
    else:
        targets = [Decimal(t.at_least) for t in rule.targets]
        order = _(
            "targets must be sorted by at_least, highest first, without repeats (got {shown})"
        )
        yield from _descending_problems(order, targets)
        within = _("target points {value} are not between 0 and the max {top}")
        yield from _points_problems(within, [t.points for t in rule.targets], max_points)


def _ratio_problems(message: str, values: Sequence[Decimal]) -> Iterable[str]:
    for value in values:
        if not 0 <= value <= 1:
            yield message.format(value=points_text(value))


def _descending_problems(message: str, thresholds: Sequence[Decimal]) -> Iterable[str]:
    if any(a <= b for a, b in pairwise(thresholds)):
        yield message.format(shown=", ".join(map(points_text, thresholds)))


def _points_problems(message: str, points: Sequence[Decimal], max_points: Decimal) -> Iterable[str]:
    for value in points:
        if not 0 <= value <= max_points:
            yield message.format(value=points_text(value), top=points_text(max_points))
