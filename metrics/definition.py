"""What a metric is, as the catalogue names it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MetricDefinition:
    id: str
    name_vi: str
    name_en: str
    definition: str
    basis: str
    lower_is_better: bool = False
    """A count of faults (``outbound.numbering_anomalies``): 0 is best. A points rule that
    reads it must give the most points to the lowest value."""
