"""Reading edXML messages (QCVN 102:2016/BTTTT) into records.

One file holds one message: an outgoing document (edoc) or a status message answering one.
Only the header is used. A file above 64 KB is fed to a pull parser in chunks, parsing stops as
soon as ``edXMLHeader`` is complete, and attachment content met before that (some producers put
it first) is cleared as it ends, so base64 attachments after the header are never read. A
smaller file is parsed whole: its few KB of attachment cost less than reporting parse events.
Elements are matched by local name inside the edXML namespace, never by prefix or position.

The verdict depends on the header alone, whatever the size: a message whose ``edXMLHeader``
is complete and usable is read, and a defect after it (an undeclared namespace prefix, a body
cut short) is kept as a warning among the record's flags, with the parser's message. A small
file's body is parsed and its defect reported; a large file's body is not read at all.

The input is untrusted: a DOCTYPE is refused outright (edXML never has one), entities are not
expanded, nothing is fetched from the network and files above ``max_bytes`` are not parsed.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from lxml import etree
from pydantic import ValidationError

from checker.errors import RecordError, SourceError
from checker.i18n import N_, _
from checker.oserrors import os_reason
from checker.store.records import DocumentRecord, StatusRecord
from checker.validation import describe, first_error
from connectors.dates import ImpossibleDate, parse_text

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
_Q = "{" + NS + "}"
_ROOT, _HEADER, _MESSAGE, _TRACE = (
    _Q + name for name in ("edXML", "edXMLHeader", "MessageHeader", "TraceHeaderList")
)
_ATTACHMENT_PARTS = ("{*}ContentTransferEncoded", "{*}Attachment")
_WHOLE = 64 * 1024  # files up to this size are parsed whole
_CHUNK = 16 * 1024  # larger ones are streamed in chunks of this size
_EXCERPT = 200
_ERR_DOCUMENT_EMPTY = 4  # libxml2: no element at all

_DOCTYPE = b"<!DOCTYPE"
_PROLOG_ITEM = re.compile(rb"\xef\xbb\xbf|\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
_INTEGER = re.compile(r"[+-]?[0-9]+")
_STATUS_CODE = re.compile(r"[0-9]{1,2}")

_Parts = tuple[etree._Element, etree._Element | None]
"""MessageHeader and TraceHeaderList of a message."""


DEFAULT_PATTERNS = ("*.edxml", "*.xml")
"""The names a folder scan reads as edXML messages (case does not matter)."""


def find_files(
    paths: Sequence[Path], patterns: Sequence[str] = DEFAULT_PATTERNS
) -> list[tuple[Path, bool]]:
    """Each given file, then every file under each given folder (hidden ones skipped),
    sorted, with whether it is to be read: a file named in ``paths`` always is, a file found
    in a folder when its name matches one of ``patterns``. Every path is checked at once: a
    path that does not exist, or a folder with no file in it (an archive share that is not
    mounted), is a ``SourceError``, so a nightly run never passes on having read nothing."""
    if any(not pattern.strip() for pattern in patterns):
        raise SourceError(_("an empty file name pattern matches no file: give one like *.edxml"))
    found: dict[Path, bool] = {}
    for path in paths:
        for file in _listing(path):
            found.setdefault(file, file == path or matches(file, patterns))
    return list(found.items())


def _listing(path: Path) -> list[Path]:
    if not path.exists():
        raise SourceError(_("edXML path {path} does not exist").format(path=path))
    if not path.is_dir():
        return [path]
    files = _walk(path)
    if not files:
        raise SourceError(
            _("edXML folder {path} holds no files (is it mounted?)").format(path=path)
        )
    return files


def matches(path: Path, patterns: Sequence[str]) -> bool:
    """Whether the file's name matches one of ``patterns`` (shell style, any case)."""
    name = path.name.lower()
    return any(fnmatch.fnmatchcase(name, pattern.lower()) for pattern in patterns)


def _walk(folder: Path) -> list[Path]:
    files: list[str] = []
    for top, dirs, names in os.walk(folder):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        files += (os.path.join(top, name) for name in names if not name.startswith("."))
    return [Path(name) for name in sorted(files, key=lambda name: name.split(os.sep))]


def read_message(
    path: Path, *, max_bytes: int = 200 * 1024 * 1024
) -> DocumentRecord | StatusRecord:
    """The record held by one edXML file; ``RecordError`` if it is not a usable message."""
    try:
        with path.open("rb", buffering=0) as handle:
            size = os.fstat(handle.fileno()).st_size
            head = handle.readall() if size <= _WHOLE else handle.read(_CHUNK)
            excerpt = head[:_EXCERPT].decode("utf-8", errors="replace")
            _check_start(head, size, max_bytes, excerpt)
            warnings: list[str] = []
            if len(head) == size:
                message, trace = _parse_whole(head, excerpt, warnings)
            else:
                message, trace = _parse_header(_chunks(handle, head, max_bytes, excerpt), excerpt)
    except OSError as exc:
        raise RecordError(
            _("cannot read {path}: {reason}").format(path=path, reason=os_reason(exc))
        ) from exc
    try:
        return _record(message, trace, tuple(warnings))
    except RecordError as exc:
        exc.excerpt = excerpt
        raise
    except ValidationError as exc:
        reason = _("unusable field values: {error}").format(error=_first_error(exc))
        raise RecordError(reason, excerpt) from exc


def _check_start(head: bytes, size: int, max_bytes: int, excerpt: str) -> None:
    if size > max_bytes:
        reason = _("file is larger than {max} bytes ({size} bytes)").format(
            max=max_bytes, size=size
        )
        raise RecordError(reason, excerpt)
    if not head:
        raise RecordError(_("empty file"), excerpt)


def _chunks(handle: BinaryIO, head: bytes, max_bytes: int, excerpt: str) -> Iterator[bytes]:
    total, chunk = 0, head
    while chunk:
        total += len(chunk)
        if total > max_bytes:
            raise RecordError(_("file is larger than {max} bytes").format(max=max_bytes), excerpt)
        yield chunk
        chunk = handle.read(_CHUNK)


def _parse_whole(data: bytes, excerpt: str, warnings: list[str]) -> _Parts:
    """Parse a small file whole; if it is not well-formed, read its header as a large file's
    is read, and keep the defect as a warning when the header is complete."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True
    )
    if data.startswith(_DOCTYPE, _prolog_end(data)):
        raise _doctype_error(excerpt)
    try:
        parser.feed(data)
        root = parser.close()
    except etree.XMLSyntaxError as exc:
        parts = _parse_header(iter((data,)), excerpt)
        warning = _("body not well-formed after a complete header: {error}")
        warnings.append(warning.format(error=_describe(exc)))
        return parts
    _check_document(root.getroottree(), excerpt)
    message = next(root.iter(_MESSAGE), None)
    if message is None:
        raise _no_message_header(excerpt)
    return message, next(root.iter(_TRACE), None)


def _parse_header(chunks: Iterator[bytes], excerpt: str) -> _Parts:
    """Stream the file up to the end of edXMLHeader, clearing attachment content."""
    parts: dict[str, etree._Element] = {}
    for element in _events(chunks, excerpt):
        if element.tag == _HEADER:
            _check_prefixes(element, excerpt)
            break
        if element.tag in (_MESSAGE, _TRACE):
            parts.setdefault(element.tag, element)
        else:
            element.clear()
    if _MESSAGE not in parts:
        raise _no_message_header(excerpt)
    return parts[_MESSAGE], parts.get(_TRACE)


def _check_prefixes(header: etree._Element, excerpt: str) -> None:
    """Refuse a header holding an element whose prefix is not declared: libxml2 reports it
    only when the document ends, which a streamed parse never reaches."""
    for element in header.iter():
        tag = element.tag
        if isinstance(tag, str) and ":" in tag and not tag.startswith("{"):
            line = element.sourceline
            reason = _("not XML: namespace prefix of {tag} is not declared (line {line})")
            raise RecordError(reason.format(tag=tag, line=line), excerpt)


def _events(chunks: Iterator[bytes], excerpt: str) -> Iterator[etree._Element]:
    """Header parts and attachment content as they end; the document is checked at the first."""
    parser = etree.XMLPullParser(
        events=("end",),
        tag=(_HEADER, _MESSAGE, _TRACE, *_ATTACHMENT_PARTS),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        remove_blank_text=True,
        huge_tree=True,  # base64 text nodes above 10 MB; safe since a DOCTYPE is refused
    )
    checked, tail = False, b""
    for chunk in chunks:
        if not checked:
            _refuse_doctype(chunk, tail, excerpt)
            tail = chunk[-len(_DOCTYPE) :]
        try:
            parser.feed(chunk)
        except etree.XMLSyntaxError as exc:
            error: etree.XMLSyntaxError | None = exc
        else:
            error = None
        # the elements that ended before a defect come first: a complete header is read
        for _event, element in parser.read_events():
            assert isinstance(element, etree._Element)  # only "end" events are asked for
            if not checked:
                _check_document(element.getroottree(), excerpt)
                checked = True
            yield element
        if error is not None:
            raise RecordError(
                _("not XML: {error}").format(error=_describe(error)), excerpt
            ) from error
    _check_document(_close(parser, excerpt).getroottree(), excerpt)


def _close(parser: etree._FeedParser, excerpt: str) -> etree._Element:
    try:
        return parser.close()
    except etree.XMLSyntaxError as exc:
        no_element = getattr(exc, "code", None) == _ERR_DOCUMENT_EMPTY
        reason = _("not XML: {error}") if no_element else _("truncated XML: {error}")
        raise RecordError(reason.format(error=_describe(exc)), excerpt) from exc


def _describe(exc: etree.XMLSyntaxError) -> str:
    """What libxml2 found wrong and where, in the reader's language (its own messages are
    English): a defect without words of ours is named by libxml2's error number."""
    words = _XML_DEFECTS.get(getattr(exc, "code", None) or 0)
    if prefix := _UNDECLARED_PREFIX.match(exc.msg):
        what = _("the namespace prefix {prefix} of {tag} is not declared").format(
            prefix=prefix["prefix"], tag=prefix["tag"]
        )
    elif tag := _UNCLOSED_TAG.match(exc.msg):
        what = _("the document ends before {tag} is closed").format(tag=tag["tag"])
    elif words is None:
        what = _("libxml2 error {code}").format(code=getattr(exc, "code", "?"))
    else:
        what = _(words)
    return _("{what} (line {line})").format(what=what, line=exc.lineno)


_UNDECLARED_PREFIX = re.compile(r"Namespace prefix (?P<prefix>\S+) on (?P<tag>\S+) is not defined")
_UNCLOSED_TAG = re.compile(r"Premature end of data in tag (?P<tag>\S+)")
# libxml2's error numbers (lxml.etree.ErrorTypes) a log file is likely to show
_XML_DEFECTS = {
    3: N_("the document does not start like XML"),
    4: N_("no XML element at all (the file does not start with '<')"),
    5: N_("content after the end of the document"),
    7: N_("a character reference that is not a number"),
    8: N_("a character reference that is not a number"),
    9: N_("a character XML does not allow"),
    23: N_("an entity reference without its ';'"),
    26: N_("an entity that is not declared"),
    32: N_("an encoding libxml2 does not know"),
    34: N_("a text in quotes that is not closed"),
    38: N_("a '<' inside an attribute value"),
    39: N_("an attribute value without quotes"),
    40: N_("an attribute that is not finished"),
    41: N_("an attribute without a value"),
    42: N_("the same attribute twice in one element"),
    44: N_("a quoted value that is not finished"),
    45: N_("a comment that is not finished"),
    64: N_("a name reserved by XML"),
    65: N_("a space is missing"),
    68: N_("a name is missing where one is expected"),
    73: N_("a '>' is missing"),
    74: N_("a closing tag '</' is missing"),
    76: N_("a closing tag that does not match its opening tag"),
    77: N_("the document ends before its elements are closed"),
    81: N_("bytes that are not in the document's encoding"),
    201: N_("a namespace prefix that is not declared"),
}


def _check_document(tree: etree._ElementTree, excerpt: str) -> None:
    info = tree.docinfo
    if info.internalDTD is not None or info.externalDTD is not None:
        raise _doctype_error(excerpt)
    tag = tree.getroot().tag
    if tag != _ROOT:
        reason = _("root element is {tag}, expected edXML in namespace {ns}")
        raise RecordError(reason.format(tag=tag, ns=NS), excerpt)


def _prolog_end(data: bytes) -> int:
    """Where the XML declaration, comments and processing instructions at the start end."""
    position = 0
    while item := _PROLOG_ITEM.match(data, position):
        position = item.end()
    return position


def _refuse_doctype(chunk: bytes, before: bytes, excerpt: str) -> None:
    """Refuse a DOCTYPE before libxml2 reads it, in a chunk streamed before the first element
    of interest ended (``before``: the end of the previous chunk). Once parsed, the tree's DTD
    is checked too."""
    if _DOCTYPE in chunk or _DOCTYPE in before + chunk[: len(_DOCTYPE)]:
        raise _doctype_error(excerpt)


def _doctype_error(excerpt: str) -> RecordError:
    return RecordError(_("DTD or entity declarations are not allowed in edXML"), excerpt)


def _no_message_header(excerpt: str) -> RecordError:
    return RecordError(_("edXML message without MessageHeader"), excerpt)


def _first_error(exc: ValidationError) -> str:
    loc, error = first_error(exc)
    return describe(".".join(str(part) for part in loc), error)


class _Children:
    """The children of one element, looked up by local name inside the edXML namespace."""

    def __init__(self, element: etree._Element) -> None:
        self.by_tag: dict[str, list[etree._Element]] = {}
        for child in element:
            self.by_tag.setdefault(child.tag, []).append(child)

    def first(self, name: str) -> etree._Element | None:
        found = self.by_tag.get(_Q + name)
        return found[0] if found else None

    def all(self, name: str) -> list[etree._Element]:
        return self.by_tag.get(_Q + name, [])

    def text(self, name: str) -> str | None:
        found = self.by_tag.get(_Q + name)
        return _text(found[0]) if found else None


def _child(element: etree._Element | None, name: str) -> etree._Element | None:
    """The first child called ``name``: a plain loop, as the wanted child usually comes first."""
    if element is not None:
        tag = _Q + name
        for child in element:
            if child.tag == tag:
                return child
    return None


def _child_text(element: etree._Element | None, name: str) -> str | None:
    child = _child(element, name)
    return None if child is None else _text(child)


def _text(element: etree._Element) -> str | None:
    return (element.text or "").strip() or None


def _record(
    message: etree._Element, trace: etree._Element | None, warnings: tuple[str, ...] = ()
) -> DocumentRecord | StatusRecord:
    header = _Children(message)
    if header.text("StatusCode") is not None:
        return _status(header, warnings)
    if header.first("ResponseFor") is not None and header.first("To") is None:
        raise RecordError(_("status message without StatusCode"))
    return _document(header, trace, warnings)


def _document(
    header: _Children, trace: etree._Element | None, warnings: tuple[str, ...]
) -> DocumentRecord:
    flags: list[str] = list(warnings)
    sender = header.first("From")
    sender_id = _child_text(sender, "OrganId")
    if sender_id is None:
        raise RecordError(_("document without From/OrganId"))
    recipients = (_child_text(to, "OrganId") for to in header.all("To"))
    recipient_ids = tuple(dict.fromkeys(r for r in recipients if r is not None))
    if not recipient_ids:
        raise RecordError(_("document without any To/OrganId"))
    code, kind = header.first("Code"), header.first("DocumentType")
    promulgated = _date(_child(header.first("PromulgationInfo"), "PromulgationDate"), flags)
    return DocumentRecord(
        doc_key=_doc_key(header, sender_id, promulgated),
        sender_id=sender_id,
        sender_name=_child_text(sender, "OrganName"),
        recipient_ids=recipient_ids,
        code_number=_child_text(code, "CodeNumber"),
        code_notation=_child_text(code, "CodeNotation"),
        doc_type=_child_text(kind, "Type"),
        type_name=_child_text(kind, "TypeName"),
        subject=header.text("Subject"),
        promulgation_date=promulgated,
        due_date=_date(header.first("DueDate"), flags),
        sent_at=_sent_at(trace, sender_id, flags),
        priority=_integer(_child(header.first("OtherInfo"), "Priority"), flags),
        business_type=_integer(_child(_child(trace, "Bussiness"), "BussinessDocType"), flags),
        flags=tuple(flags),
    )


def _doc_key(header: _Children, sender_id: str, promulgated: date | None) -> str:
    document_id = header.text("DocumentId")
    if document_id is not None:
        return document_id
    code = header.first("Code")
    number, notation = _child_text(code, "CodeNumber"), _child_text(code, "CodeNotation")
    if number is None and notation is None:
        raise RecordError(_("document without DocumentId or Code"))
    day = promulgated.isoformat().replace("-", "/") if promulgated else ""
    return f"{sender_id},{day},{number or ''}/{notation or ''}"


def _sent_at(trace: etree._Element | None, sender_id: str, flags: list[str]) -> datetime | None:
    """Timestamp of the sender's TraceHeader, else of the first one."""
    headers = [] if trace is None else list(trace.iterchildren(_Q + "TraceHeader"))
    own = [header for header in headers if _child_text(header, "OrganId") == sender_id]
    chosen = own or headers
    return _moment(_child(chosen[0], "Timestamp"), flags) if chosen else None


def _status(header: _Children, warnings: tuple[str, ...]) -> StatusRecord:
    flags: list[str] = list(warnings)
    actor_id = _child_text(header.first("From"), "OrganId")
    if actor_id is None:
        raise RecordError(_("status message without From/OrganId"))
    answered = header.first("ResponseFor")
    doc_key, ref_sender_id = _child_text(answered, "DocumentId"), _child_text(answered, "OrganId")
    ref_code = _ref_code(_child(answered, "Code"))
    if doc_key is None and (ref_sender_id is None or ref_code is None):
        raise RecordError(_("status message does not say which document it answers"))
    return StatusRecord(
        actor_id=actor_id,
        doc_key=doc_key,
        ref_sender_id=ref_sender_id,
        ref_code=ref_code,
        status_code=_status_code(header.text("StatusCode") or ""),
        description=header.text("Description"),
        occurred_at=_moment(header.first("Timestamp"), flags),
        flags=tuple(flags),
    )


def _ref_code(code: etree._Element | None) -> str | None:
    """``number/notation``: the Code text, or its CodeNumber and CodeNotation children."""
    if code is None:
        return None
    number, notation = _child_text(code, "CodeNumber"), _child_text(code, "CodeNotation")
    if number and notation:
        return f"{number}/{notation}"
    return number or notation or _text(code)


def _status_code(text: str) -> str:
    if not _STATUS_CODE.fullmatch(text):
        reason = _("status message with StatusCode '{code}', expected two digits")
        raise RecordError(reason.format(code=text[:40]))
    return text.zfill(2)


def _integer(element: etree._Element | None, flags: list[str]) -> int:
    if element is None or (text := _text(element)) is None:
        return 0
    if _INTEGER.fullmatch(text):
        return int(text)
    flags.append(f"unreadable {_local_name(element)} '{text[:40]}', taken as 0")
    return 0


def _date(element: etree._Element | None, flags: list[str]) -> date | None:
    moment = _moment(element, flags)
    return None if moment is None else moment.date()


def _moment(element: etree._Element | None, flags: list[str]) -> datetime | None:
    """A date or timestamp as naive Vietnam time; flagged and None if it cannot be read."""
    if element is None or (text := _text(element)) is None:
        return None
    try:
        return parse_text(text)
    except ValueError as exc:
        problem = "impossible" if isinstance(exc, ImpossibleDate) else "unreadable"
        flags.append(f"{problem} {_local_name(element)} '{text[:40]}'")
        return None


def _local_name(element: etree._Element) -> str:
    return etree.QName(element).localname
