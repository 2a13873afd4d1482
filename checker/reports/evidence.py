"""The evidence of one metric for one agency, as people and programs read it: a table, a CSV
that Excel opens (UTF-8 with a BOM, headers and yes/no in the reader's language, agency names
beside codes), or a JSON object with the metric, the agency, the period, the counts and the
documents (the shape is documented in the README).

The lines come from ``metrics.evidence``; their reasons are already in the reader's language.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass

from checker.i18n import _, yes_no
from checker.reports.cells import escape_controls, neutralise
from checker.reports.report import metric_name
from metrics.evidence import EvidenceList
from metrics.period import Period
from metrics.values import EvidenceLine

BOM = "\ufeff"
"""Excel reads a CSV as UTF-8 only when it starts with this mark."""


@dataclass(frozen=True)
class EvidenceSubject:
    """Whose evidence, of what, when: the agency with its name, and every organisation code
    the deployment names (an agency's main and alternative codes) with its agency's name."""

    agency_code: str
    agency_name: str
    metric_id: str
    period: Period
    names: Mapping[str, str]

    def organ_name(self, code: str) -> str:
        return self.names.get(code, "")


def render_evidence(found: EvidenceList, subject: EvidenceSubject, output_format: str) -> str:
    """The evidence as a ``table``, ``csv`` or ``json``."""
    if output_format == "json":
        return json.dumps(evidence_json(found, subject), ensure_ascii=False, indent=2) + "\n"
    if output_format == "csv":
        return evidence_csv(found, subject)
    return evidence_table(found, subject)


def evidence_json(found: EvidenceList, subject: EvidenceSubject) -> dict[str, object]:
    return {
        "metric": {"id": subject.metric_id, "name": metric_name(subject.metric_id)},
        "agency": {"code": subject.agency_code, "name": subject.agency_name},
        "period": {
            "start": subject.period.start.isoformat(),
            "end": subject.period.end.isoformat(),
        },
        "counts": {"numerator": found.numerator, "denominator": found.denominator},
        "documents": [_document(line, subject) for line in found.lines],
    }


def _document(line: EvidenceLine, subject: EvidenceSubject) -> dict[str, object]:
    return {
        "counted": line.counted,
        "reason": line.reason,
        "item": line.item,
        "code": line.code,
        "date": line.day.isoformat() if line.day else None,
        "organ_id": line.organ_id,
        "organ_name": subject.organ_name(line.organ_id) or None,
        "title": line.title,
        "locator": line.locator,
        "sources_disagree": line.disagreement,
    }


def evidence_headers() -> list[str]:
    """The CSV's column headers in the reader's language, in the columns' order."""
    return [
        _("Counted"),
        _("Reason"),
        _("Item"),
        _("Number and notation"),
        _("Date"),
        _("Agency code"),
        _("Agency name"),
        _("Subject or title"),
        _("Source"),
        _("Sources disagree"),
    ]


def evidence_csv(found: EvidenceList, subject: EvidenceSubject) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(evidence_headers())
    for line in found.lines:
        writer.writerow(
            neutralise(cell)
            for cell in [
                yes_no(line.counted),
                line.reason,
                line.item,
                line.code or "",
                line.day.isoformat() if line.day else "",
                line.organ_id,
                subject.organ_name(line.organ_id),
                line.title or "",
                line.locator,
                line.disagreement or "",
            ]
        )
    return BOM + buffer.getvalue()


def evidence_table(found: EvidenceList, subject: EvidenceSubject) -> str:
    head = _table_head(found).format(
        metric=metric_name(subject.metric_id),
        agency=subject.agency_name,
        code=subject.agency_code,
        period=subject.period.label(),
        counted=found.numerator,
        total=found.denominator,
        held=found.held,
    )
    body = [
        f"  {'✓' if line.counted else '✗'} {line.day.isoformat() if line.day else '':<10} "
        f"{line.code or '':<22} {line.reason}  [{line.item}]"
        + (f" ({line.disagreement})" if line.disagreement else "")
        for line in found.lines
    ]
    return escape_controls("\n".join([head, *body]) + "\n")


def _table_head(found: EvidenceList) -> str:
    """The first line: the counts, or why there are none (never a "0 of 0" that reads as
    a measurement)."""
    if found.held is not None:
        return _(
            "{metric} — {agency} [{code}], {period}: nothing measured: the store holds no "
            "documents or files of this agency in that period ({held})"
        )
    if found.empty:
        return _(
            "{metric} — {agency} [{code}], {period}: nothing to count: none of the agency's "
            "documents or files in that period comes under this metric"
        )
    return _("{metric} — {agency} [{code}], {period}: {counted} of {total} counted")
