"""The value of a metric for one agency, as passed from metrics to scoring."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
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


@dataclass(frozen=True)
class EvidenceLine:
    """One item (a document or a file) behind a metric's number, counted or not, and why."""

    item: str  # doc_key of a document, file code of a file
    code: str | None  # number/notation of a document, file code of a file
    title: str | None  # subject of a document, title of a file
    organ_id: str
    day: date | None  # the day that put it in the period (arrival, issue, deadline)
    counted: bool
    reason: str
    locator: str
    measured: bool = True  # False: listed for information, outside the denominator
    disagreement: str | None = None  # lifecycle times the systems that saw it disagree on


def counted_first_by_agency(
    lines: Iterable[tuple[str, EvidenceLine]],
) -> dict[str, list[EvidenceLine]]:
    """Lines grouped by agency, in the order given, counted ones first."""
    found: dict[str, list[EvidenceLine]] = {}
    for code, line in lines:
        found.setdefault(code, []).append(line)
    return {code: sorted(each, key=lambda line: not line.counted) for code, each in found.items()}
