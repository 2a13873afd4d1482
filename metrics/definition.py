"""What a metric is, as the catalogue names it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Family = Literal[
    "inbound", "outbound", "numbering", "files", "transfers", "onestop", "digitisation"
]
"""Which module measures a metric and lists its evidence: ``metrics.inbound`` and
``metrics.outbound`` (document metrics, one aggregate per direction), the numbering of
outgoing documents (``metrics.outbound``), ``metrics.files``, ``metrics.transfers``,
``metrics.onestop`` (the one-stop-shop software's dossiers) and ``metrics.digitisation`` (the
archive software's digitisation register)."""


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
    family: Family = field(kw_only=True)
