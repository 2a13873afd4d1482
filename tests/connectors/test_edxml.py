from __future__ import annotations

import tracemalloc
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree

from checker.demo.edxml_writer import render_document, render_status
from checker.errors import RecordError, SourceError
from checker.store.records import DocumentRecord, StatusRecord
from connectors.edxml import NS, find_files, read_message

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples" / "edxml"
EDOC = (SAMPLES / "edoc-vpcp-7816.edxml").read_bytes()
STATUS = (SAMPLES / "status-05-nghean.edxml").read_bytes()
MB = 1024 * 1024

pytestmark = pytest.mark.usefixtures("english")  # the reasons these tests spell out


def read(tmp_path: Path, data: bytes) -> DocumentRecord | StatusRecord:
    path = tmp_path / "message.edxml"
    path.write_bytes(data)
    return read_message(path)


def read_error(tmp_path: Path, data: bytes, **options: int) -> RecordError:
    path = tmp_path / "bad.edxml"
    path.write_bytes(data)
    with pytest.raises(RecordError) as caught:
        read_message(path, **options)
    return caught.value


def padded(data: bytes) -> bytes:
    """The same message with a 100 KB comment first, so that it is streamed, not read whole."""
    comment = b"<!--" + b" padding " * 11_000 + b"-->\r\n"
    if data.startswith(b"<?xml"):
        declaration, _, rest = data.partition(b"\n")
        return declaration + b"\n" + comment + rest
    return comment + data


def sample_document() -> DocumentRecord:
    record = read_message(SAMPLES / "edoc-vpcp-7816.edxml")
    assert isinstance(record, DocumentRecord)
    return record


# --- the real samples -------------------------------------------------------------------------


def test_real_edoc_sample_reads_as_a_document():
    doc = read_message(SAMPLES / "edoc-vpcp-7816.edxml")
    assert doc == DocumentRecord(
        doc_key="000.00.00.G22,2015/09/30,7816/VPCP-TTĐT",
        sender_id="000.00.00.G22",
        sender_name="Văn phòng Chính phủ",
        recipient_ids=("000.00.00.H41", "000.00.00.H14", "000.00.00.G17"),
        code_number="7816",
        code_notation="VPCP-TTĐT",
        doc_type="1",
        type_name="Công văn",
        subject="V/v kết nối, liên thông phần mềm quản lý văn bản",
        promulgation_date=date(2019, 4, 11),
        due_date=date(2019, 4, 11),
        sent_at=datetime(2019, 4, 11, 0, 0),
        priority=0,
        business_type=0,
    )
    assert doc.code == "7816/VPCP-TTĐT"


def test_real_status_sample_reads_as_a_status():
    status = read_message(SAMPLES / "status-05-nghean.edxml")
    assert status == StatusRecord(
        actor_id="000.00.00.H41",
        doc_key="000.00.00.G22,2015/09/30,7816/VPCP-TTĐT",
        ref_sender_id="000.00.00.G22",
        ref_code="7816/VPCP-TTĐT",
        status_code="05",
        description="Đang xử lý văn bản đến",
        occurred_at=datetime(2015, 9, 20, 11, 8, 36),
    )


def test_streamed_message_reads_like_the_same_message_read_whole(tmp_path):
    assert read(tmp_path, padded(EDOC)) == sample_document()


# --- variants seen in other producers ----------------------------------------------------------


def test_prefixless_children_in_the_default_namespace_are_read(tmp_path):
    data = render_document(sample_document(), prefixed=False)
    assert b"<MessageHeader>" in data
    assert read(tmp_path, data) == sample_document()


def test_elements_are_matched_by_name_whatever_their_order(tmp_path):
    root = etree.fromstring(EDOC)
    for element in list(root.iter()):
        element[:] = list(reversed(element))
    header = root.find(f"{{{NS}}}edXMLEnvelope/{{{NS}}}edXMLHeader")
    assert header is not None
    assert etree.QName(header[0]).localname == "Signature"
    reordered = read(tmp_path, etree.tostring(root))
    assert isinstance(reordered, DocumentRecord)
    assert reordered.recipient_ids == ("000.00.00.G17", "000.00.00.H14", "000.00.00.H41")
    expected = sample_document().model_copy(update={"recipient_ids": reordered.recipient_ids})
    assert reordered == expected


def test_day_first_dates_are_read(tmp_path):
    data = render_document(sample_document(), date_style="dmy")
    assert b"<edXML:PromulgationDate>11/04/2019<" in data
    assert b"<edXML:Timestamp>11/04/2019 00:00:00<" in data
    assert read(tmp_path, data) == sample_document()


@pytest.mark.parametrize(
    "written",
    [
        "2015/09/20 11:08:36",
        "20/09/2015 11:08:36",
        "2015-09-20 11:08:36",
        "20-09-2015 11:08:36",
        "2015-09-20T11:08:36",
        "2015-09-20T04:08:36Z",
        "2015-09-20T11:08:36+07:00",
    ],
)
def test_timestamp_forms_give_vietnam_local_time(tmp_path, written):
    data = STATUS.replace(b"2015/09/20 11:08:36", written.encode())
    status = read(tmp_path, data)
    assert status.occurred_at == datetime(2015, 9, 20, 11, 8, 36)
    assert status.flags == ()


def test_impossible_date_is_flagged_and_left_empty(tmp_path):
    data = EDOC.replace(
        b">2019/04/11</edXML:PromulgationDate>", b">2014/02/30</edXML:PromulgationDate>"
    )
    doc = read(tmp_path, data)
    assert isinstance(doc, DocumentRecord)
    assert doc.promulgation_date is None
    assert doc.flags == ("impossible PromulgationDate '2014/02/30'",)
    assert doc.doc_key == sample_document().doc_key


def test_unreadable_timestamp_and_priority_are_flagged(tmp_path):
    data = EDOC.replace(b">2019/04/11 00:00:00<", b">yesterday<").replace(
        b"<edXML:Priority>0<", b"<edXML:Priority>urgent<"
    )
    doc = read(tmp_path, data)
    assert isinstance(doc, DocumentRecord)
    assert (doc.sent_at, doc.priority) == (None, 0)
    assert doc.flags == (
        "unreadable Timestamp 'yesterday'",
        "unreadable Priority 'urgent', taken as 0",
    )


def test_document_without_document_id_gets_a_key_from_sender_date_and_code(tmp_path):
    start, end = EDOC.index(b"<edXML:DocumentId>"), EDOC.index(b"</edXML:DocumentId>")
    data = EDOC[:start] + EDOC[end + len(b"</edXML:DocumentId>") :]
    assert read(tmp_path, data).doc_key == "000.00.00.G22,2019/04/11,7816/VPCP-TTĐT"


def test_sent_at_is_the_senders_trace_header_else_the_first(tmp_path):
    other = (
        b"<edXML:TraceHeader><edXML:OrganId>000.00.00.H41</edXML:OrganId>"
        b"<edXML:Timestamp>2019/04/12 08:00:00</edXML:Timestamp></edXML:TraceHeader>"
    )
    before_sender = EDOC.replace(b"<edXML:TraceHeader>", other + b"<edXML:TraceHeader>", 1)
    assert read(tmp_path, before_sender).sent_at == datetime(2019, 4, 11)
    no_sender = before_sender.replace(
        b"000.00.00.G22</edXML:OrganId>\r\n          <edXML:Timestamp>",
        b"000.00.00.G99</edXML:OrganId><edXML:Timestamp>",
    )
    assert no_sender != before_sender
    assert read(tmp_path, no_sender).sent_at == datetime(2019, 4, 12, 8)


def test_one_digit_status_code_is_padded(tmp_path):
    data = STATUS.replace(b">05</edXML:StatusCode>", b">5</edXML:StatusCode>")
    assert read(tmp_path, data).status_code == "05"


def test_signature_in_the_xml_dsig_namespace_is_ignored(tmp_path):
    data = EDOC.replace(b"<Signature>", b'<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">')
    assert read(tmp_path, data) == sample_document()


# --- attachments --------------------------------------------------------------------------------


def test_attachment_before_the_envelope_with_a_text_node_over_10_mb_is_read(tmp_path):
    attachment = b"<AttachmentEncoded><Attachment><ContentTransferEncoded>"
    attachment += b"QUJD" * (3 * MB) + b"</ContentTransferEncoded></Attachment></AttachmentEncoded>"
    root_start = EDOC.index(b"<edXML:edXMLEnvelope")
    data = EDOC[:root_start] + attachment + EDOC[root_start:]
    assert len(data) > 12 * MB
    assert read(tmp_path, data) == sample_document()


def test_a_40_mb_attachment_is_not_loaded(tmp_path):
    path = tmp_path / "large.edxml"
    path.write_bytes(render_document(sample_document(), attachment=bytes(30 * MB)))
    assert path.stat().st_size > 40 * MB
    tracemalloc.start()
    try:
        doc = read_message(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert doc == sample_document()
    assert peak < 2 * MB


# --- the same verdict whatever the size ---------------------------------------------------------

BODY_DEFECTS = {
    "undeclared prefix": EDOC.replace(
        b"<edXML:edXMLManifest", b"<ns9:Note>x</ns9:Note><edXML:edXMLManifest", 1
    ),
    "body cut short": EDOC[: EDOC.index(b"</edXML:edXMLManifest>")],
    "mismatched tag in the body": EDOC.replace(b"</edXML:edXMLManifest>", b"</edXML:Manifest>", 1),
}


@pytest.mark.parametrize("streamed", [False, True], ids=["small", "large"])
@pytest.mark.parametrize("data", BODY_DEFECTS.values(), ids=BODY_DEFECTS.keys())
def test_a_complete_header_is_read_whatever_the_size_of_a_file_whose_body_is_broken(
    tmp_path, data, streamed
):
    doc = read(tmp_path, padded(data) if streamed else data)
    assert doc.model_copy(update={"flags": ()}) == sample_document()
    if not streamed:  # a large file's body is never read
        assert len(doc.flags) == 1
        assert doc.flags[0].startswith("body not well-formed after a complete header: ")


def test_the_body_defect_is_named_in_the_warning(tmp_path):
    doc = read(tmp_path, BODY_DEFECTS["undeclared prefix"])
    assert "the namespace prefix ns9 of Note is not declared" in doc.flags[0]


def test_a_defect_in_the_header_is_refused_whatever_the_size(tmp_path):
    data = EDOC.replace(b"<edXML:Subject>", b"<ns9:Subject>", 1).replace(
        b"</edXML:Subject>", b"</ns9:Subject>", 1
    )
    small, large = read_error(tmp_path, data), read_error(tmp_path, padded(data))
    assert small.reason.startswith("not XML: namespace prefix of ns9:Subject is not declared")
    assert large.reason.startswith("not XML: namespace prefix of ns9:Subject is not declared")


# --- unsafe input -------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope><edXMLHeader>
<MessageHeader><From><OrganId>&lol9;</OrganId></From><To><OrganId>x</OrganId></To>
<DocumentId a="&lol9;">&lol9;</DocumentId></MessageHeader></edXMLHeader></edXMLEnvelope></edXML>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope><edXMLHeader>
<MessageHeader><From><OrganId>&secret;</OrganId></From><To><OrganId>x</OrganId></To>
<DocumentId>k</DocumentId></MessageHeader></edXMLHeader></edXMLEnvelope></edXML>
"""


def after_a_comment(data: bytes) -> bytes:
    """The DOCTYPE behind a comment that looks like an element."""
    return data.replace(b"<!DOCTYPE", b"<!-- <x> -->\n<!DOCTYPE", 1)


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "external"])
@pytest.mark.parametrize(
    "disguise", [lambda d: d, after_a_comment, padded], ids=["plain", "after-comment", "streamed"]
)
def test_dtd_and_entity_declarations_are_refused(tmp_path, data, disguise):
    error = read_error(tmp_path, disguise(data))
    assert error.reason == "DTD or entity declarations are not allowed in edXML"
    assert "root:" not in error.excerpt


# --- unusable messages --------------------------------------------------------------------------


def without(data: bytes, start: bytes, end: bytes) -> bytes:
    """``data`` without the first element that starts with ``start`` and ends with ``end``."""
    first = data.index(start)
    return data[:first] + data[data.index(end, first) + len(end) :]


UNUSABLE = {
    "not XML": (
        b"this is not XML at all",
        "not XML: no XML element at all (the file does not start with '<') (line ",
    ),
    "garbage bytes": (b"\x89PNG\r\n\x1a\n\x00\x00", "not XML: "),
    "truncated": (EDOC[:3000], "truncated XML: "),
    "wrong namespace": (
        STATUS.replace(NS.encode(), b"urn:other"),
        f"root element is {{urn:other}}edXML, expected edXML in namespace {NS}",
    ),
    "status without code": (
        without(STATUS, b"<edXML:StatusCode>", b"</edXML:StatusCode>"),
        "status message without StatusCode",
    ),
    "status code not a number": (
        STATUS.replace(b">05<", b">ok<"),
        "status message with StatusCode 'ok', expected two digits",
    ),
    "status without sender": (
        without(STATUS, b"<edXML:From>", b"</edXML:From>"),
        "status message without From/OrganId",
    ),
    "status without document": (
        without(
            without(STATUS, b"<edXML:DocumentId>", b"</edXML:DocumentId>"),
            b"<edXML:Code>",
            b"</edXML:Code>",
        ),
        "status message does not say which document it answers",
    ),
    "document without sender": (
        without(EDOC, b"<edXML:From>", b"</edXML:From>"),
        "document without From/OrganId",
    ),
    "document without key": (
        without(
            without(EDOC, b"<edXML:DocumentId>000", b"</edXML:DocumentId>"),
            b"<edXML:Code>",
            b"</edXML:Code>",
        ),
        "document without DocumentId or Code",
    ),
    "document without recipient": (
        EDOC.replace(b"<edXML:To>", b"<edXML:Cc>").replace(b"</edXML:To>", b"</edXML:Cc>"),
        "document without any To/OrganId",
    ),
    "no message header": (
        b'<edXML xmlns="' + NS.encode() + b'"><edXMLEnvelope/></edXML>',
        "edXML message without MessageHeader",
    ),
}


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "streamed"])
@pytest.mark.parametrize(("data", "reason"), UNUSABLE.values(), ids=UNUSABLE.keys())
def test_unusable_message_is_refused_with_the_reason(tmp_path, data, reason, streamed):
    content = padded(data) if streamed else data
    error = read_error(tmp_path, content)
    assert error.reason.startswith(reason)
    assert error.excerpt == content[:200].decode("utf-8", errors="replace")


def test_empty_file_is_refused(tmp_path):
    assert read_error(tmp_path, b"").reason == "empty file"


def test_file_over_the_size_limit_is_refused_without_parsing(tmp_path):
    error = read_error(tmp_path, EDOC, max_bytes=1000)
    assert error.reason == f"file is larger than 1000 bytes ({len(EDOC)} bytes)"
    assert error.excerpt.startswith('<?xml version="1.0"')


def test_unreadable_path_is_a_record_error(tmp_path):
    with pytest.raises(RecordError, match=r"^cannot read "):
        read_message(tmp_path)


# --- finding files ------------------------------------------------------------------------------


def test_files_are_found_recursively_in_sorted_order_without_hidden_ones(tmp_path):
    for name in ["b/2.xml", "b/1.edxml", "a.txt", "c/d/e", ".hidden/x.edxml", "b/.swap"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    single = tmp_path / "c" / "d" / "e"
    found = list(find_files([single, tmp_path]))
    relative = [(path.relative_to(tmp_path).as_posix(), read) for path, read in found]
    assert relative == [("c/d/e", True), ("a.txt", False), ("b/1.edxml", True), ("b/2.xml", True)]


def test_a_folder_is_scanned_for_the_patterns_given_in_any_case(tmp_path):
    for name in ["A.EDXML", "b.Xml", "c.msg", "SOURCES.md"]:
        (tmp_path / name).write_bytes(b"")
    found = {path.name: read for path, read in find_files([tmp_path], ["*.msg", "*.edxml"])}
    assert found == {"A.EDXML": True, "b.Xml": False, "c.msg": True, "SOURCES.md": False}


def test_missing_path_is_a_source_error(tmp_path):
    with pytest.raises(SourceError, match=r"^edXML path .*nowhere does not exist$"):
        list(find_files([tmp_path / "nowhere"]))


# --- writer and reader agree --------------------------------------------------------------------

organ_ids = st.from_regex(r"[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}", fullmatch=True)
texts = (
    st.text(
        st.characters(exclude_categories=("Cs", "Cc", "Cn")) | st.sampled_from("&<>'\"\r\n\t"),
        min_size=1,
        max_size=20,
    )
    .map(str.strip)
    .filter(bool)
)
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))  # a deadline
past_days = st.dates(min_value=date(1990, 1, 1), max_value=date(2025, 12, 31))  # happened
moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2025, 12, 31)).map(
    lambda moment: moment.replace(microsecond=0)
)
documents = st.builds(
    DocumentRecord,
    doc_key=texts,
    sender_id=organ_ids,
    sender_name=st.none() | texts,
    recipient_ids=st.lists(organ_ids, min_size=1, max_size=4, unique=True).map(tuple),
    code_number=st.none() | st.from_regex(r"[0-9]{1,5}", fullmatch=True),
    code_notation=st.none() | texts,
    doc_type=st.none() | st.sampled_from(["1", "2", "13"]),
    type_name=st.none() | texts,
    subject=st.none() | texts,
    promulgation_date=st.none() | past_days,
    due_date=st.none() | days,
    sent_at=st.none() | moments,
    priority=st.integers(0, 4),
    business_type=st.integers(0, 3),
)
statuses = st.builds(
    StatusRecord,
    actor_id=organ_ids,
    doc_key=st.none() | texts,
    ref_sender_id=st.none() | organ_ids,
    ref_code=st.none() | texts,
    status_code=st.sampled_from(["01", "02", "03", "04", "05", "06", "13", "15", "16"]),
    description=st.none() | texts,
    occurred_at=st.none() | moments,
)
styles = st.sampled_from(["ymd", "dmy"])
ROUND_TRIP = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@ROUND_TRIP
@given(doc=documents, style=styles, prefixed=st.booleans())
def test_written_document_reads_back_the_same(tmp_path, doc, style, prefixed):
    assert read(tmp_path, render_document(doc, date_style=style, prefixed=prefixed)) == doc


@ROUND_TRIP
@given(status=statuses, style=styles, prefixed=st.booleans())
def test_written_status_reads_back_the_same(tmp_path, status, style, prefixed):
    assume(status.doc_key or (status.ref_sender_id and status.ref_code))
    assert read(tmp_path, render_status(status, date_style=style, prefixed=prefixed)) == status


def test_written_document_is_shaped_like_the_sample():
    data = render_document(sample_document(), attachment=b"\x00zip")
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\r\n<edXML xmlns=')
    root = etree.fromstring(data)
    header = root.find(f"{{{NS}}}edXMLEnvelope/{{{NS}}}edXMLHeader")
    assert header is not None
    assert [(child.prefix, etree.QName(child).localname) for child in header] == [
        ("edXML", "MessageHeader"),
        ("edXML", "TraceHeaderList"),
        (None, "Signature"),
    ]
    encoded = root.findtext(
        f"{{{NS}}}AttachmentEncoded/{{{NS}}}Attachment/{{*}}ContentTransferEncoded"
    )
    assert encoded == "AHppcA=="


def test_writer_refuses_text_that_xml_cannot_carry():
    with pytest.raises(ValueError, match="cannot be written in XML"):
        render_document(sample_document().model_copy(update={"subject": "bell \x07"}))
