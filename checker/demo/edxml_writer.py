"""Writing records as edXML messages, shaped like the real samples in ``shared/samples/edxml``.

Used to generate demo data, benchmark input and test files. ``prefixed=True`` writes the
envelope's elements with the ``edXML:`` prefix as the Government Office software does;
``prefixed=False`` writes them prefix-less in the default namespace, as other producers do. Lines
end with CRLF. Text is escaped here; a character XML 1.0 cannot carry raises ``ValueError``.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Literal, Union

from checker.store.records import DocumentRecord, StatusRecord
from connectors.edxml import NS

DateStyle = Literal["ymd", "dmy"]

_Node = tuple[str, Union[str, "list[_Node]", None]]
"""An element: name (with attributes, if any) and text, children or None to leave it out."""

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NEWLINE = "\r\n"
_INDENT = "  "
_ATTACHMENT_ID = "cid:1"
_ATTACHMENT_NAME = "attachment.bin"


def render_document(
    doc: DocumentRecord,
    *,
    attachment: bytes | None = None,
    date_style: DateStyle = "ymd",
    prefixed: bool = True,
) -> bytes:
    """A complete edoc message for ``doc``, with ``attachment`` base64-encoded if given."""
    header: list[_Node] = [
        ("MessageHeader", _message_header(doc, date_style)),
        ("TraceHeaderList", _trace_header_list(doc, date_style)),
    ]
    body: list[_Node] = [('edXMLManifest version="1.0"', _manifest(attachment))]
    return _message(header, body, attachment, prefixed, signed=True)


def render_status(
    status: StatusRecord, *, date_style: DateStyle = "ymd", prefixed: bool = True
) -> bytes:
    """A complete status message for ``status``."""
    message: list[_Node] = [
        ("From", [("OrganId", status.actor_id)]),
        (
            "ResponseFor",
            [
                ("OrganId", status.ref_sender_id),
                ("Code", status.ref_code),
                ("DocumentId", status.doc_key),
            ],
        ),
        ("StatusCode", status.status_code),
        ("Description", status.description),
        ("Timestamp", _timestamp(status.occurred_at, date_style)),
    ]
    return _message([("MessageHeader", message)], None, None, prefixed, signed=False)


def _message_header(doc: DocumentRecord, style: DateStyle) -> list[_Node]:
    recipients: list[_Node] = [("To", [("OrganId", organ)]) for organ in doc.recipient_ids]
    return [
        ("From", [("OrganId", doc.sender_id), ("OrganName", doc.sender_name)]),
        *recipients,
        ("DocumentId", doc.doc_key),
        ("Code", [("CodeNumber", doc.code_number), ("CodeNotation", doc.code_notation)]),
        ("PromulgationInfo", [("PromulgationDate", _date(doc.promulgation_date, style))]),
        ("DocumentType", [("Type", doc.doc_type), ("TypeName", doc.type_name)]),
        ("Subject", doc.subject),
        ("DueDate", _date(doc.due_date, style)),
        ("OtherInfo", [("Priority", str(doc.priority))]),
    ]


def _trace_header_list(doc: DocumentRecord, style: DateStyle) -> list[_Node]:
    business: list[_Node] = [
        ("DocumentId", doc.doc_key),
        ("BussinessDocType", str(doc.business_type)),
    ]
    trace: list[_Node] = [
        ("OrganId", doc.sender_id),
        ("Timestamp", _timestamp(doc.sent_at, style)),
    ]
    return [("Bussiness", business), ("TraceHeader", trace)]


def _manifest(attachment: bytes | None) -> list[_Node]:
    if attachment is None:
        return []
    reference: list[_Node] = [
        ("ContentId", _ATTACHMENT_ID),
        ("ContentType", "application/octet-stream"),
        ("Description", _ATTACHMENT_NAME),
        ("AttachmentName", _ATTACHMENT_NAME),
    ]
    return [("Reference", reference)]


def _message(
    header: list[_Node],
    body: list[_Node] | None,
    attachment: bytes | None,
    prefixed: bool,
    *,
    signed: bool,
) -> bytes:
    prefix = "edXML:" if prefixed else ""
    declare = f' xmlns:edXML="{NS}"' if prefixed else ""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<edXML xmlns="{NS}">']
    lines.append(f"{_INDENT}<{prefix}edXMLEnvelope{declare}>")
    lines.append(f"{_INDENT * 2}<{prefix}edXMLHeader>")
    for node in header:
        lines += _lines(node, 3, prefix)
    if signed:
        lines += _signature(3)
    lines.append(f"{_INDENT * 2}</{prefix}edXMLHeader>")
    if body is not None:
        lines += _lines(("edXMLBody", body), 2, prefix)
    lines.append(f"{_INDENT}</{prefix}edXMLEnvelope>")
    if attachment is not None:
        lines += _attachment(attachment, prefixed)
    lines.append("</edXML>")
    return (_NEWLINE.join(lines) + _NEWLINE).encode("utf-8")


def _lines(node: _Node, depth: int, prefix: str) -> Iterator[str]:
    name, value = node
    indent, tag, end = _INDENT * depth, prefix + name, prefix + name.partition(" ")[0]
    if value is None:
        return
    if isinstance(value, str):
        yield f"{indent}<{tag}>{_escape(value)}</{end}>"
    elif not value:
        yield f"{indent}<{tag} />"
    else:
        yield f"{indent}<{tag}>"
        for child in value:
            yield from _lines(child, depth + 1, prefix)
        yield f"{indent}</{end}>"


def _signature(depth: int) -> list[str]:
    """An XML-DSig element without a namespace of its own, as the sample carries: a placeholder,
    since nothing here verifies signatures."""
    node: _Node = (
        "Signature",
        [("SignedInfo", [("DigestValue", "")]), ("SignatureValue", ""), ("KeyInfo", [])],
    )
    return list(_lines(node, depth, ""))


def _attachment(content: bytes, prefixed: bool) -> list[str]:
    encoded = base64.b64encode(content).decode("ascii")
    if prefixed:
        transfer = f'<edXML:ContentTransferEncoded xmlns:edXML="{NS}">{encoded}'
        transfer += "</edXML:ContentTransferEncoded>"
    else:
        transfer = f"<ContentTransferEncoded>{encoded}</ContentTransferEncoded>"
    fields: list[_Node] = [
        ("ContentId", _ATTACHMENT_ID),
        ("AttachmentName", _ATTACHMENT_NAME),
        ("ContentType", "application/octet-stream"),
    ]
    lines = [f"{_INDENT}<AttachmentEncoded>", f"{_INDENT * 2}<Attachment>"]
    for node in fields:
        lines += _lines(node, 3, "")
    lines.append(_INDENT * 3 + transfer)
    return [*lines, f"{_INDENT * 2}</Attachment>", f"{_INDENT}</AttachmentEncoded>"]


def _escape(text: str) -> str:
    bad = _NOT_XML.search(text)
    if bad:
        raise ValueError(f"character {bad.group()!r} cannot be written in XML: {text[:60]!r}")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;")


def _date(day: date | None, style: DateStyle) -> str | None:
    if day is None:
        return None
    if style == "dmy":
        return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}"


def _timestamp(moment: datetime | None, style: DateStyle) -> str | None:
    if moment is None:
        return None
    return f"{_date(moment.date(), style)} {moment:%H:%M:%S}"
