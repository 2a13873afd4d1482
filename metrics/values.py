"""The value of a metric for one agency, as passed from metrics to scoring."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class MetricValue:
    agency_code: str
    metric_id: str
    numerator: int
    denominator: int

    @property
    def measured(self) -> bool:
        """A metric with nothing to count is *not measured*: never zero, never full marks."""
        return self.denominator > 0

    @property
    def ratio(self) -> Fraction | None:
        return Fraction(self.numerator, self.denominator) if self.denominator else None

    def percent_text(self) -> str:
        if not self.denominator:
            return "not measured"
        return (
            f"{self.numerator}/{self.denominator} ({100 * self.numerator / self.denominator:.1f}%)"
        )
