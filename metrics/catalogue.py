"""The catalogue of metrics: what each one measures, in Vietnamese and English, and on what
legal basis. The SQL that measures them lives in the module of their family
(``metrics.inbound``, ``metrics.outbound``, ``metrics.files``, ``metrics.transfers``);
this module is the one place that names them,
and the definitions in ``docs/metrics.md`` are rendered from it (:func:`catalogue_markdown`;
a test keeps them equal).

A metric with nothing to count for an agency (denominator 0) is *not measured*: never zero
and never full marks.
"""

from __future__ import annotations

from collections.abc import Iterable

from metrics.definition import MetricDefinition
from metrics.files import FILE_METRICS
from metrics.transfers import TRANSFER_METRICS

METRICS: dict[str, MetricDefinition] = {
    m.id: m
    for m in (
        MetricDefinition(
            "inbound.received_axis",
            "Văn bản đến nhận qua trục liên thông",
            "Incoming documents received through the axis",
            "Incoming documents received as edXML through the interconnection axis, "
            "out of all incoming documents of the agency in the period (any channel the "
            "agency's software or register reports: axis, email, paper).",
            "Decree 30/2020/NĐ-CP Art. 21; Decision 28/2018/QĐ-TTg",
        ),
        MetricDefinition(
            "inbound.acknowledged_same_day",
            "Văn bản đến được báo nhận trong ngày",
            "Incoming documents acknowledged to the sender the same day",
            "Incoming axis documents for which the agency sent status 01 or 03 back on "
            "the working day the document arrived, out of incoming axis documents. A "
            "document arriving on a weekend or a holiday counts as arriving on the first "
            "working day after it.",
            "Decree 30/2020/NĐ-CP Art. 21(2)",
        ),
        MetricDefinition(
            "inbound.registered",
            "Văn bản đến được đăng ký trên phần mềm",
            "Incoming documents registered",
            "Incoming documents registered on the software (a registration time reported "
            "by the agency's software, or status 03 sent back through the axis), out of "
            "incoming documents not refused.",
            "Decree 30/2020/NĐ-CP Art. 22",
        ),
        MetricDefinition(
            "inbound.submitted_in_time",
            "Văn bản đến được trình trong ngày, chậm nhất ngày làm việc tiếp theo",
            "Incoming documents submitted in time",
            "Incoming documents submitted to the person who directs their handling on the "
            "day they arrived or at the latest the next working day (urgent ones, priority "
            "1 or higher, the same working day), out of incoming documents not refused. "
            "The submission time is the one the agency's software reports; for a document "
            "known only from the axis, the first status 04 (assigned for handling) the "
            "agency sent back stands in for it, as the best proxy the axis carries.",
            "Decree 30/2020/NĐ-CP Art. 22-23",
        ),
        MetricDefinition(
            "inbound.assigned",
            "Văn bản đến được chuyển giao xử lý trên phần mềm",
            "Incoming documents assigned for handling",
            "Incoming documents assigned to a handler on the software (an assignment time "
            "reported by the agency's software, or status 04, 05 or 06 sent back), out of "
            "incoming documents not refused.",
            "Decree 30/2020/NĐ-CP Art. 23",
        ),
        MetricDefinition(
            "inbound.refused",
            "Văn bản đến bị từ chối",
            "Incoming documents refused",
            "Incoming axis documents the agency refused (status 02), out of incoming axis "
            "documents. A high share points at mis-sent documents, not at good work.",
            "QCVN 102:2016/BTTTT, status codes",
        ),
        MetricDefinition(
            "outbound.electronic_signed",
            "Văn bản đi điện tử có chữ ký số",
            "Outgoing documents created and issued electronically with a digital signature",
            "Outgoing documents the agency's software reports as digitally signed and "
            "issued electronically (not on paper), out of all outgoing documents. A "
            "document known only from the axis has no signature reported, so it is not "
            "counted.",
            "Decree 30/2020/NĐ-CP Art. 15-18; Decision 28/2018/QĐ-TTg",
        ),
        MetricDefinition(
            "outbound.issued_axis",
            "Văn bản đi phát hành qua trục liên thông",
            "Outgoing documents issued through the axis",
            "Outgoing documents sent as edXML through the interconnection axis, out of all "
            "outgoing documents of the agency in the period.",
            "Decree 30/2020/NĐ-CP Art. 16-18; Decision 28/2018/QĐ-TTg",
        ),
        MetricDefinition(
            "outbound.issued_in_time",
            "Văn bản đi được phát hành trong ngày ký, chậm nhất ngày làm việc tiếp theo",
            "Outgoing documents issued in time after signing",
            "Outgoing documents issued on the day they were signed or at the latest the "
            "next working day (urgent ones, priority 1 or higher, the same working day), "
            "out of outgoing documents whose software reports both the signing and the "
            "issue time; a document without them is not in the denominator.",
            "Decree 30/2020/NĐ-CP Art. 18",
        ),
        MetricDefinition(
            "outbound.acknowledged_all",
            "Văn bản đi được mọi nơi nhận báo nhận",
            "Outgoing documents acknowledged by every recipient",
            "Outgoing axis documents for which every recipient sent status 01 or 03 back, "
            "out of outgoing axis documents.",
            "Decree 30/2020/NĐ-CP Art. 21(2), seen from the sender",
        ),
        MetricDefinition(
            "outbound.numbering_anomalies",
            "Sai sót trong cấp số văn bản đi",
            "Anomalies in the numbering of outgoing documents",
            "Numbers run from 01 each calendar year and are unique with the notation. The "
            "numerator counts the anomalies of each year's sequence up to the end of the "
            "period: every number missing between 1 and the highest number issued, and "
            "every number/notation pair issued more than once; the denominator is the "
            "highest number issued (summed over the years of the period). LOWER IS BETTER: "
            "0 anomalies is a clean register. Recalled documents keep their number; a "
            "recall, an update or a replacement is a message about a document already "
            "counted (the same DocumentId) and adds no number; a document known only from "
            "recall messages is left out; "
            "numbers that are not plain digits are left out of the sequence. Not additive "
            "over periods: a gap is a gap of the whole year.",
            "Decree 30/2020/NĐ-CP Art. 15",
            lower_is_better=True,
        ),
        *FILE_METRICS,
        *TRANSFER_METRICS,
    )
}


def catalogue_markdown(ids: Iterable[str] | None = None) -> str:
    """The definitions as Markdown, one section per metric, in catalogue order."""
    sections = []
    for metric_id in ids if ids is not None else METRICS:
        m = METRICS[metric_id]
        better = " (lower is better)" if m.lower_is_better else ""
        sections.append(
            f"### `{m.id}`\n\n"
            f"**{m.name_en}** — *{m.name_vi}*{better}\n\n"
            f"{m.definition}\n\n"
            f"Legal basis: {m.basis}.\n"
        )
    return "\n".join(sections)
