"""The catalogue of metrics: what each one measures, in Vietnamese and English, and on what
legal basis. The SQL that measures them lives in the module of their family
(``metrics.inbound``, ``metrics.outbound``); this module is the one place that names them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MetricDefinition:
    id: str
    name_vi: str
    name_en: str
    definition: str
    basis: str


METRICS: dict[str, MetricDefinition] = {
    m.id: m
    for m in (
        MetricDefinition(
            "inbound.received_axis",
            "Văn bản đến nhận qua trục liên thông",
            "Incoming documents received through the axis",
            "Incoming documents received as edXML through the interconnection axis, "
            "out of all incoming documents of the agency in the period.",
            "Decree 30/2020/NĐ-CP Art. 21; Decision 28/2018/QĐ-TTg",
        ),
        MetricDefinition(
            "inbound.acknowledged_same_day",
            "Văn bản đến được báo nhận trong ngày",
            "Incoming documents acknowledged to the sender the same day",
            "Incoming axis documents for which the agency sent status 01 or 03 back on "
            "the day the document arrived, out of incoming axis documents.",
            "Decree 30/2020/NĐ-CP Art. 21(2)",
        ),
        MetricDefinition(
            "inbound.registered",
            "Văn bản đến được đăng ký trên phần mềm",
            "Incoming documents registered",
            "Incoming axis documents with status 03 (received and registered), out of "
            "incoming axis documents.",
            "Decree 30/2020/NĐ-CP Art. 22",
        ),
        MetricDefinition(
            "inbound.assigned",
            "Văn bản đến được chuyển giao xử lý trên phần mềm",
            "Incoming documents assigned for handling",
            "Incoming axis documents with status 04 or a later handling status (05, 06), "
            "out of incoming axis documents.",
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
            "outbound.issued_axis",
            "Văn bản đi phát hành qua trục liên thông",
            "Outgoing documents issued through the axis",
            "Outgoing documents sent as edXML through the interconnection axis, out of all "
            "outgoing documents of the agency in the period.",
            "Decree 30/2020/NĐ-CP Art. 16-18; Decision 28/2018/QĐ-TTg",
        ),
        MetricDefinition(
            "outbound.acknowledged_all",
            "Văn bản đi được mọi nơi nhận báo nhận",
            "Outgoing documents acknowledged by every recipient",
            "Outgoing axis documents for which every recipient sent status 01 or 03 back, "
            "out of outgoing axis documents.",
            "Decree 30/2020/NĐ-CP Art. 21(2), seen from the sender",
        ),
    )
}
