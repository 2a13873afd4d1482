"""Self-scores checked against the logs: where an agency's own score on a measured criterion
is above what its logs support (beyond the tolerance its criteria set declares), the
inspectors get the claim with the evidence, per group, the largest gap first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from checker.config import Agency
from checker.i18n import Language, _, current_language
from checker.scoring.assessment import MEASURED, SELF, Scorecard
from checker.scoring.points import points_text
from metrics.catalogue import METRICS


@dataclass(frozen=True)
class Claim:
    agency_code: str
    agency_name: str
    group: str
    criterion_id: str
    claimed: Decimal
    measured: Decimal
    max: Decimal
    metric_id: str
    numerator: int
    denominator: int
    evidence: str

    @property
    def gap(self) -> Decimal:
        return self.claimed - self.measured

    def text(self) -> str:
        """``… tự chấm 10/10 ở tiêu chí 1.3, nhật ký cho thấy 60% … (6/10), tương ứng …``"""
        percent = round(100 * self.numerator / self.denominator) if self.denominator else 0
        metric = METRICS[self.metric_id]
        line = _(
            "{agency} scored itself {claimed}/{max} on criterion {criterion}, the logs show "
            "{percent}% {metric} ({numerator}/{denominator}), worth {measured} points — "
            "{evidence}"
        )
        return line.format(
            agency=self.agency_name,
            claimed=points_text(self.claimed),
            max=points_text(self.max),
            criterion=self.criterion_id,
            percent=percent,
            metric=metric.name_en if current_language() is Language.en else metric.name_vi,
            numerator=self.numerator,
            denominator=self.denominator,
            measured=points_text(self.measured),
            evidence=self.evidence,
        )


def overclaims(cards: Sequence[tuple[Agency, Scorecard]]) -> dict[str, list[Claim]]:
    """Self-scores above the measured points plus the set's tolerance, per group, sorted by
    the gap (largest first), then agency and criterion."""
    by_group: dict[str, list[Claim]] = {}
    for agency, card in cards:
        tolerance = card.criteria.self_score_tolerance
        for cell in card.cells:
            claimed, measured = cell.points_of(SELF), cell.latest.get(MEASURED)
            if claimed is None or measured is None or measured.points is None:
                continue
            if claimed <= measured.points + tolerance:
                continue
            by_group.setdefault(agency.group, []).append(
                Claim(
                    agency.code,
                    agency.name,
                    agency.group,
                    cell.criterion.id,
                    claimed,
                    measured.points,
                    cell.criterion.max,
                    cell.criterion.metric or "",
                    measured.numerator or 0,
                    measured.denominator or 0,
                    measured.evidence or "",
                )
            )
    for claims in by_group.values():
        claims.sort(key=lambda c: (-c.gap, c.agency_code, c.criterion_id))
    return by_group
