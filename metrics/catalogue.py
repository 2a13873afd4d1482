"""The metric registry: every metric, what it measures, in Vietnamese and English, on what
legal basis, and its family. This module is the one place that names metrics: measuring
(``metrics.measure``) and evidence (``metrics.evidence``) go by a metric's family to the
module that holds its SQL (``metrics.inbound``, ``metrics.outbound``, ``metrics.files``,
``metrics.transfers``, ``metrics.onestop``, ``metrics.digitisation``), criteria sets may only
name metrics listed here, reports take their
names from here, and the definitions in ``docs/metrics.md`` are rendered from it
(:func:`catalogue_markdown`). ``tests/metrics/test_catalogue.py`` checks that every metric
listed is measured, has evidence and is in the docs, and that nothing else is measured.

A metric with nothing to count for an agency (denominator 0) is *not measured*: never zero
and never full marks.
"""

from __future__ import annotations

from collections.abc import Iterable

from checker.errors import ConfigError
from checker.i18n import N_, _
from metrics.definition import Family, MetricDefinition

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
            family="inbound",
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
            family="inbound",
        ),
        MetricDefinition(
            "inbound.registered",
            "Văn bản đến được đăng ký trên phần mềm",
            "Incoming documents registered",
            "Incoming documents registered on the software (a registration time reported "
            "by the agency's software, or status 03 sent back through the axis), out of "
            "incoming documents not refused.",
            "Decree 30/2020/NĐ-CP Art. 22",
            family="inbound",
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
            family="inbound",
        ),
        MetricDefinition(
            "inbound.assigned",
            "Văn bản đến được chuyển giao xử lý trên phần mềm",
            "Incoming documents assigned for handling",
            "Incoming documents assigned to a handler on the software (an assignment time "
            "reported by the agency's software, or status 04, 05 or 06 sent back), out of "
            "incoming documents not refused.",
            "Decree 30/2020/NĐ-CP Art. 23",
            family="inbound",
        ),
        MetricDefinition(
            "inbound.refused",
            "Văn bản đến bị từ chối",
            "Incoming documents refused",
            "Incoming axis documents the agency refused (status 02), out of incoming axis "
            "documents. A high share points at mis-sent documents, not at good work.",
            "QCVN 102:2016/BTTTT, status codes",
            family="inbound",
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
            family="outbound",
        ),
        MetricDefinition(
            "outbound.issued_axis",
            "Văn bản đi phát hành qua trục liên thông",
            "Outgoing documents issued through the axis",
            "Outgoing documents sent as edXML through the interconnection axis, out of all "
            "outgoing documents of the agency in the period.",
            "Decree 30/2020/NĐ-CP Art. 16-18; Decision 28/2018/QĐ-TTg",
            family="outbound",
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
            family="outbound",
        ),
        MetricDefinition(
            "outbound.acknowledged_all",
            "Văn bản đi được mọi nơi nhận báo nhận",
            "Outgoing documents acknowledged by every recipient",
            "Outgoing axis documents for which every recipient sent status 01 or 03 back, "
            "out of outgoing axis documents.",
            "Decree 30/2020/NĐ-CP Art. 21(2), seen from the sender",
            family="outbound",
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
            family="numbering",
        ),
        MetricDefinition(
            "files.list_issued_on_time",
            "Danh mục hồ sơ được ban hành đúng thời hạn",
            "Annual file list issued on time",
            "1 when the agency's annual file list for the period's year was issued on or before "
            "the cut-off day of that year (deployment setting list_due, default 31 January), else "
            "0. Measured for an agency with a file list, files of the year or documents in the "
            "period reported by its own software or register; an agency known only through the "
            "interconnection axis is not measured. Before the cut-off, only an agency whose list "
            "is already issued.",
            "Decree 30/2020/NĐ-CP Art. 28",
            family="files",
        ),
        MetricDefinition(
            "files.opened_electronic",
            "Hồ sơ trong Danh mục được lập hồ sơ điện tử",
            "Listed files opened as electronic files",
            "Files on the annual file list of the period's year opened as electronic files, out "
            "of the listed files of that year. A file counts in the year it was opened (its "
            "year field), even when its work runs into later years.",
            "Decree 30/2020/NĐ-CP Art. 28-29",
            family="files",
        ),
        MetricDefinition(
            "files.documents_filed",
            "Văn bản được đưa vào hồ sơ",
            "Documents filed into a file",
            "Documents of the agency in the period (incoming and outgoing, recalled ones left "
            "out) that the agency's software or register places in a file, out of those it "
            "reported. Documents known only from the interconnection axis carry no file and are "
            "not measured.",
            "Decree 30/2020/NĐ-CP Art. 29",
            family="files",
        ),
        MetricDefinition(
            "files.metadata_complete",
            "Hồ sơ điện tử có đủ thông tin đầu vào",
            "Electronic files with complete metadata",
            "Electronic files of the period's year whose required metadata is complete, out of "
            "the electronic files of that year. A file whose completeness is not reported counts "
            "as incomplete.",
            "Decree 30/2020/NĐ-CP Art. 29 and Annex VI",
            family="files",
        ),
        MetricDefinition(
            "transfers.agency_archive_on_time",
            "Hồ sơ được giao nộp vào Lưu trữ cơ quan đúng thời hạn",
            "Files transferred to the agency archive on time",
            "Files kept 5 years or more whose deadline for the agency archive has come by the "
            "period's end, and of those, the ones the agency archive received by the deadline. "
            "Deadline: construction files 3 months after final settlement; work ended from 1 July "
            "2025, 31 December of the year after it ended; work ended earlier, one year after it "
            "ended. Files with no end of work (or, for construction, no settlement) recorded are "
            "not due and not measured. Every file due by the period's end counts, whatever the "
            "year of its deadline. Keeping a file up to 2 years past due with written approval is "
            "not modelled (no approval data): such a file counts as late. Retention is read from "
            "the file's retention code with the deployment's codes (default 01 permanent, 02 70 "
            "years, 03 50, 04 30, 05 20, 06 10); a file whose retention is not reported is "
            "unknown: listed in the evidence, not counted.",
            "Decree 30/2020/NĐ-CP Art. 30-31; Law on Archives 33/2024/QH15 (from 1 July 2025)",
            family="transfers",
        ),
        MetricDefinition(
            "transfers.historical_archive_on_time",
            "Hồ sơ được nộp lưu vào Lưu trữ lịch sử đúng thời hạn",
            "Files transferred to the historical archive on time",
            "Permanent files whose deadline for the historical archive has come by the period's "
            "end, and of those, the ones the historical archive received by it. Deadline: 31 "
            "December of the 5th year after the year the file entered the agency archive (entered "
            "10 August 2025, due 31 December 2030). A file whose retention is not reported is "
            "unknown: listed in the evidence, not counted.",
            "Law on Archives 33/2024/QH15 Art. 21 (5 years from the year of entry into the agency "
            "archive)",
            family="transfers",
        ),
        MetricDefinition(
            "onestop.kept_electronic",
            "Hồ sơ thủ tục hành chính được lưu trữ điện tử",
            "One-stop-shop dossiers kept as electronic files",
            "Dossiers of administrative procedures (hồ sơ thủ tục hành chính) whose result the "
            "agency returned in the period through the one-stop-shop software (Phần mềm Một "
            "cửa), and of those, the ones the software reports kept as an electronic file of "
            "the agency that handled them (the dossier and its result digitised and stored on "
            "the system). A dossier belongs to the agency handling it. A dossier whose keeping "
            "is not reported counts as not kept; refused and withdrawn dossiers have no result "
            "and are left out.",
            "Decree 61/2018/NĐ-CP on the one-stop-shop mechanism, as amended by Decree "
            "107/2021/NĐ-CP; Decree 45/2020/NĐ-CP on administrative procedures by electronic "
            "means",
            family="onestop",
        ),
        MetricDefinition(
            "onestop.returned_on_time",
            "Hồ sơ thủ tục hành chính trả kết quả đúng hẹn",
            "One-stop-shop dossiers returned by the appointed time",
            "Dossiers of administrative procedures whose appointed time of return (hẹn trả "
            "kết quả) falls in the period, and of those, the ones whose result was returned by "
            "that time. A dossier still being handled, or returned after the period, missed an "
            "appointed time that has passed and counts late, in the period of its appointed "
            "day; refused and withdrawn dossiers are left out.",
            "Decree 61/2018/NĐ-CP on the one-stop-shop mechanism, as amended by Decree "
            "107/2021/NĐ-CP",
            family="onestop",
        ),
        MetricDefinition(
            "digitisation.archive_digitised",
            "Hồ sơ trong Lưu trữ cơ quan được số hóa",
            "Files of the agency archive digitised",
            "Files the agency archive holds at the period's end (listed on the shared archive "
            "software's digitisation register, or received into the agency archive by then, "
            "and not yet received by the historical archive), and of those, the ones digitised "
            "on or before the period's end. A file digitised later was not digitised then.",
            "Law on Archives 33/2024/QH15 (digitisation of archival records, in force 1 July "
            "2025) and its guidance",
            family="digitisation",
        ),
        MetricDefinition(
            "digitisation.digitised_in_period",
            "Hồ sơ lưu trữ được số hóa trong kỳ",
            "Files of the agency archive digitised in the period",
            "Files the agency archive holds at the period's end (as for "
            "digitisation.archive_digitised), and of those, the ones digitised in the period: "
            "the files digitised per agency and year, against what remains to digitise. Files "
            "digitised before the period are listed, not counted.",
            "Law on Archives 33/2024/QH15 (digitisation of archival records, in force 1 July "
            "2025) and its guidance",
            family="digitisation",
        ),
    )
}


def ids_of(family: Family) -> tuple[str, ...]:
    """The ids of the family's metrics, in catalogue order."""
    return tuple(m.id for m in METRICS.values() if m.family == family)


_NOT_OF_FAMILY = {
    "files": N_("unknown file metric {metric}; known file metrics: {known}"),
    "transfers": N_("unknown transfer metric {metric}; known transfer metrics: {known}"),
    "digitisation": N_("unknown digitisation metric {metric}; known: {known}"),
    "onestop": N_("unknown one-stop-shop metric {metric}; known: {known}"),
}


def not_of_family(metric_id: str, family: Family) -> ConfigError:
    """The error for ``metric_id`` asked of the module measuring ``family``, naming the
    family's metrics."""
    message = _NOT_OF_FAMILY.get(family, N_("unknown metric {metric}; known: {known}"))
    known = ", ".join(ids_of(family))
    return ConfigError(_(message).format(metric=repr(metric_id), known=known))


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
