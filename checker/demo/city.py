"""A deterministic fictional city, *Thành phố Hải Đăng*, to try the checker on.

``build_demo_workspace`` writes a deployment file, a year of edXML traffic between the city's
agencies (with statuses sent back according to each agency's diligence), a few malformed
files that must be quarantined, one duplicate message, the axis's messages of a few
documents the simulated software of Sở Tài chính reports as well (one document, two
systems: ``SHARED``), and the inspectors' manual points.
Everything comes from ``random.Random(seed)`` and the calendar of ``year``: the same
arguments give byte-identical files.
"""

from __future__ import annotations

import json
import math
import random
import shutil
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import holidays
from lxml import etree

from checker.demo.edxml_writer import DateStyle, render_document, render_status
from checker.errors import OutputError
from checker.i18n import _
from checker.oserrors import os_reason
from checker.scoring.criteria import bundled_criteria_dir, load_criteria
from checker.store.records import DocumentRecord, StatusRecord
from connectors.edxml import NS

CRITERIA = "danang-electronic-example"
OWNED = ("checker.toml", "edxml", "manual-points.toml", "checker.db", "scorecards")

GROUPS = (
    ("so-nganh", "Sở, ban, ngành"),
    ("quan-huyen", "UBND quận, huyện"),
    ("phuong-xa", "UBND phường, xã"),
)


@dataclass(frozen=True)
class DemoWorkspace:
    folder: Path
    config_path: Path
    edxml_dir: Path
    manual_points_path: Path
    messages_written: int
    malformed_written: int


@dataclass(frozen=True)
class Org:
    """An organisation of the demo; ``group`` is None for those outside the registry."""

    code: str
    name: str
    group: str | None
    notation: str
    alt_code: str | None = None
    parent: str | None = None


@dataclass(frozen=True)
class Diligence:
    """How an agency handles what it receives: probabilities per recipient and document."""

    tier: str
    ack_same_day: float
    ack_late: float
    register_same_day: float
    register_late: float
    assign: float
    handle: float
    refuse: float


_TIERS = {  # the Diligence fields after the tier, in order
    "excellent": (0.96, 0.03, 0.93, 0.05, 0.95, 0.7, 0.02),
    "medium": (0.72, 0.18, 0.55, 0.3, 0.75, 0.45, 0.03),
    "poor": (0.35, 0.3, 0.25, 0.3, 0.35, 0.2, 0.05),
}
_SPREAD = {"excellent": 0.03, "medium": 0.12, "poor": 0.08}

# --- registry --------------------------------------------------------------------------------

_DEPARTMENTS = (
    ("Văn phòng UBND thành phố", "VP", None),
    ("Sở Nội vụ", "SNV", None),
    ("Sở Tài chính", "STC", "H99.01.03"),
    ("Sở Xây dựng", "SXD", None),
    ("Sở Y tế", "SYT", "H99.01.05"),
    ("Sở Giáo dục và Đào tạo", "SGDĐT", None),
    ("Sở Tư pháp", "STP", None),
    ("Sở Công Thương", "SCT", None),
    ("Sở Nông nghiệp và Môi trường", "SNNMT", None),
    ("Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL", None),
    ("Ban Quản lý các khu công nghiệp", "BQLKCN", None),
)
_DISTRICTS = (
    ("Quận Bến Cảng", ("Phường Bãi Cát", "Phường Sóng Xanh")),
    ("Quận Mũi Đá", ("Phường Hòn Ngọc", "Phường Gành Đỏ")),
    ("Quận Đồi Thông", ("Phường Rạng Đông",)),
    ("Quận Cửa Biển", ("Phường Hải Yến",)),
    ("Huyện Đảo Yến", ("Xã Cát Vàng",)),
    ("Huyện Ngàn Thông", ("Xã Tùng Lâm", "Xã Bến Đò")),
    ("Huyện Suối Bạc", ()),
)
_DISTRICT_ALT = {2: "H99.32"}
_WARD_ALT = {(2, 2): "H99.32.02"}
OUTSIDERS = (
    Org("000.00.00.H99", "UBND thành phố Hải Đăng", None, "UBND"),
    Org("000.00.00.G10", "Bộ Nội vụ", None, "BNV"),
)


def registry() -> tuple[Org, ...]:
    """The city's agencies: departments, districts and their wards, in registry order."""
    orgs = [
        Org(f"000.00.{n:02d}.H99", name, "so-nganh", notation, alt)
        for n, (name, notation, alt) in enumerate(_DEPARTMENTS, start=1)
    ]
    wards: list[Org] = []
    for d, (district, ward_names) in enumerate(_DISTRICTS, start=1):
        code = f"000.00.{30 + d:02d}.H99"
        orgs.append(Org(code, f"UBND {district}", "quan-huyen", "UBND", _DISTRICT_ALT.get(d)))
        for w, ward in enumerate(ward_names, start=1):
            alt = _WARD_ALT.get((d, w))
            wards.append(
                Org(f"000.{w:02d}.{30 + d:02d}.H99", f"UBND {ward}", "phuong-xa", "UBND", alt, code)
            )
    return (*orgs, *wards)


def deployment_toml(orgs: tuple[Org, ...]) -> str:
    lines = ['city = "Thành phố Hải Đăng"', "", "[database]", 'url = "sqlite:///checker.db"']
    for group_id, name in GROUPS:
        lines += ["", "[[groups]]", f"id = {_q(group_id)}", f"name = {_q(name)}"]
        lines.append(f"criteria = {_q(CRITERIA)}")
    for org in orgs:
        lines += ["", "[[agencies]]", f"code = {_q(org.code)}"]
        if org.alt_code:
            lines.append(f"codes = [{_q(org.alt_code)}]")
        lines += [f"name = {_q(org.name)}", f"group = {_q(org.group or '')}"]
    lines += _clusters_toml([o for o in orgs if o.group == "phuong-xa"])
    lines += ["", "[[sources]]", 'name = "truc-lien-thong"', 'kind = "edxml"', 'paths = ["edxml"]']
    lines += _http_source("qlvb", "documents", "api/v1")
    lines += _http_source("luu-tru", "archive", "archive/v1")
    lines += _http_source("mot-cua", "onestop", "onestop/v1")
    lines += ["", "[scoring]", 'manual_points = "manual-points.toml"']
    return "\n".join(lines) + "\n"


def _clusters_toml(wards: list[Org]) -> list[str]:
    """The wards in competition clusters (*cụm thi đua*) of 4, then the rest; the first of
    each is its leader."""
    lines: list[str] = []
    for number, start in enumerate(range(0, len(wards), 4), start=1):
        members = wards[start : start + 4]
        lines += ["", "[[clusters]]", f'id = "cum-{number}"', f'name = "Cụm thi đua số {number}"']
        lines.append(f"members = [{', '.join(_q(m.code) for m in members)}]")
        lines.append(f"leader = {_q(members[0].code)}")
    return lines


def _q(text: str) -> str:
    """A TOML basic string (JSON string escapes are valid TOML)."""
    return json.dumps(text, ensure_ascii=False)


def diligence(rng: random.Random, orgs: tuple[Org, ...]) -> dict[str, Diligence]:
    """Per group: one or two excellent agencies, one poor, the rest medium; jittered."""
    tiers: dict[str, str] = {o.code: "excellent" for o in OUTSIDERS}
    for group_id, _name in GROUPS:
        members = [o.code for o in orgs if o.group == group_id]
        rng.shuffle(members)
        excellent = 2 if len(members) > 8 else 1
        for i, code in enumerate(members):
            poor = i >= len(members) - (2 if group_id == "phuong-xa" else 1)
            tiers[code] = "excellent" if i < excellent else "poor" if poor else "medium"
    profiles = {}
    for code, tier in tiers.items():
        spread = _SPREAD[tier]
        jitter = [min(1.0, max(0.0, p + rng.uniform(-spread, spread))) for p in _TIERS[tier]]
        profiles[code] = Diligence(tier, *jitter)
    return profiles


# --- traffic plan ----------------------------------------------------------------------------

_TYPES = (  # type name, notation prefix (none: sender-unit), weight
    ("Công văn", "", 60),
    ("Báo cáo", "BC", 12),
    ("Kế hoạch", "KH", 8),
    ("Thông báo", "TB", 8),
    ("Quyết định", "QĐ", 7),
    ("Tờ trình", "TTr", 5),
)
_SUBJECTS = """
Công văn|V/v triển khai kế hoạch cải cách hành chính năm {y}
Công văn|V/v tăng cường công tác văn thư, lưu trữ trên môi trường điện tử
Công văn|V/v chuẩn bị nội dung họp giao ban tháng {m}
Công văn|V/v rà soát thủ tục hành chính thuộc thẩm quyền giải quyết
Công văn|V/v đăng ký nhu cầu đào tạo, bồi dưỡng cán bộ, công chức năm {y}
Công văn|V/v phòng, chống thiên tai mùa mưa bão năm {y}
Công văn|V/v đôn đốc giải ngân vốn đầu tư công năm {y}
Công văn|V/v góp ý dự thảo Quy chế quản lý văn bản điện tử
Công văn|V/v cung cấp số liệu phục vụ báo cáo quý {q}/{y}
Công văn|V/v cử cán bộ tham dự tập huấn chữ ký số
Báo cáo|Kết quả thực hiện nhiệm vụ tháng {m}/{y}
Báo cáo|Tình hình công tác văn thư, lưu trữ quý {q}/{y}
Báo cáo|Kết quả chuyển đổi số quý {q} năm {y}
Kế hoạch|Kiểm tra công tác văn thư, lưu trữ năm {y}
Kế hoạch|Số hóa tài liệu lưu trữ năm {y}
Kế hoạch|Tuyên truyền phổ biến pháp luật năm {y}
Thông báo|Kết luận tại cuộc họp giao ban tháng {m}/{y}
Thông báo|Lịch tiếp công dân tháng {m}/{y}
Quyết định|Về việc ban hành Danh mục hồ sơ năm {y}
Quyết định|Về việc thành lập Tổ công tác chuyển đổi số
Quyết định|Về việc phê duyệt kế hoạch lựa chọn nhà thầu
Tờ trình|Đề nghị phê duyệt dự toán kinh phí số hóa tài liệu
Tờ trình|Đề nghị bổ sung biên chế năm {y}
"""
_UNITS = ("VP", "TCCB", "KHTC", "QLCL", "TTr")


def _subjects() -> list[tuple[str, str]]:
    """(type name, subject template) pairs, in order."""
    return [
        (t, s) for t, _bar, s in (line.partition("|") for line in _SUBJECTS.strip().splitlines())
    ]


def working_days(year: int) -> list[date]:
    """Working days of ``year`` and of January after it (for late statuses)."""
    days_off = holidays.country_holidays("VN", years=[year, year + 1])
    day, end = date(year, 1, 1), date(year + 1, 2, 1)
    days = []
    while day < end:
        if day.weekday() < 5 and day not in days_off:
            days.append(day)
        day += timedelta(days=1)
    return days


def _sender_weight(org: Org) -> float:
    if org.group is None:
        return 1.5
    return 6.0 if org.notation == "VP" else {"so-nganh": 3.0, "quan-huyen": 2.0}.get(org.group, 1.0)


def _recipient_weight(sender: Org, other: Org) -> float:
    if other.code == sender.code:
        return 0.0
    if other.group is None:
        return 0.3 if sender.group in ("so-nganh", "quan-huyen") else 0.0
    if sender.group == "phuong-xa":
        return 6.0 if other.code == sender.parent else 0.4 if other.group == "phuong-xa" else 1.0
    if sender.group == "quan-huyen" and other.parent == sender.code:
        return 4.0
    return 0.7 if other.group == "phuong-xa" else 2.0


def _pick_recipients(rng: random.Random, sender: Org, everyone: tuple[Org, ...]) -> list[Org]:
    count = rng.choices((1, 2, 3, 4), weights=(50, 25, 15, 10))[0]
    pool = [(o, _recipient_weight(sender, o)) for o in everyone]
    pool = [(o, w) for o, w in pool if w > 0]
    chosen: list[Org] = []
    while pool and len(chosen) < count:
        index = rng.choices(range(len(pool)), weights=[w for _, w in pool])[0]
        chosen.append(pool.pop(index)[0])
    return chosen


def _code_used(rng: random.Random, org: Org) -> str:
    """Agencies with a hierarchical code use it in about a third of their traffic."""
    return org.alt_code if org.alt_code and rng.random() < 0.35 else org.code


def plan_documents(
    rng: random.Random, orgs: tuple[Org, ...], days: list[date], year: int
) -> list[DocumentRecord]:
    """About eight documents a working day of ``year``, numbered 1..n per sender."""
    everyone = (*orgs, *OUTSIDERS)
    weights = [_sender_weight(o) for o in everyone]
    numbers: dict[str, int] = {}
    documents = []
    in_year = [d for d in days if d.year == year]
    for index, day in enumerate(in_year):
        drafts = []
        for _step in range(rng.randint(4, 12)):
            sender = rng.choices(everyone, weights=weights)[0]
            minute = rng.randint(450, 1005)
            sent_at = datetime.combine(day, time(minute // 60, minute % 60, rng.randint(0, 59)))
            drafts.append((sent_at, sender, _pick_recipients(rng, sender, everyone)))
        for sent_at, sender, recipients in sorted(drafts, key=lambda d: (d[0], d[1].code)):
            numbers[sender.code] = numbers.get(sender.code, 0) + 1
            late = rng.random() >= 0.85  # signed a working day or more before sending
            signed = in_year[max(0, index - rng.choice((1, 1, 1, 2, 4)))] if late else day
            documents.append(
                _document(rng, sender, recipients, sent_at, signed, numbers[sender.code], days)
            )
    return documents


def _document(
    rng: random.Random,
    sender: Org,
    recipients: list[Org],
    sent_at: datetime,
    signed: date,
    number: int,
    days: list[date],
) -> DocumentRecord:
    type_name, prefix, _weight = rng.choices(_TYPES, weights=[t[2] for t in _TYPES])[0]
    notation = (
        f"{prefix}-{sender.notation}" if prefix else f"{sender.notation}-{rng.choice(_UNITS)}"
    )
    when = sent_at.date()
    template = rng.choice([s for t, s in _subjects() if t == type_name])
    subject = template.format(y=when.year, m=when.month, q=(when.month + 2) // 3)
    sender_id = _code_used(rng, sender)
    due = None
    if rng.random() < 0.2:
        due = days[min(len(days) - 1, days.index(when) + rng.randint(5, 15))]
    return DocumentRecord(
        doc_key=f"{sender_id},{signed:%Y/%m/%d},{number}/{notation}",
        sender_id=sender_id,
        sender_name=sender.name,
        recipient_ids=tuple(_code_used(rng, r) for r in recipients),
        code_number=str(number),
        code_notation=notation,
        doc_type="1",
        type_name=type_name,
        subject=subject,
        promulgation_date=signed,
        due_date=due,
        sent_at=sent_at,
        priority=rng.choices((0, 1, 2), weights=(88, 9, 3))[0],
    )


# --- statuses --------------------------------------------------------------------------------

_DESCRIPTIONS = {
    "01": "Đã đến",
    "03": "Đã tiếp nhận, vào sổ văn bản đến",
    "04": "Đã phân công xử lý",
    "05": "Đang xử lý",
    "06": "Đã hoàn thành xử lý",
}
_REFUSALS = (
    "Văn bản gửi nhầm đơn vị, không thuộc thẩm quyền giải quyết",
    "Văn bản thiếu chữ ký số của cơ quan ban hành",
    "Tệp đính kèm bị lỗi, không mở được, đề nghị gửi lại",
    "Trùng với văn bản đã nhận trước đó",
)


class _Clock:
    """Times of a recipient's successive events, in office hours, never going back."""

    def __init__(self, rng: random.Random, days: list[date], start: datetime) -> None:
        self.rng, self.days, self.now = rng, days, start
        self.today = days.index(start.date())

    def later(self, working_days: int) -> datetime:
        """An event ``working_days`` after the last one (0: later the same day if there is
        office time left, else the next working day)."""
        closing = datetime.combine(self.now.date(), time(17, 45))
        left = int((closing - self.now).total_seconds() // 60)
        if working_days == 0 and left >= 3:
            minutes = self.rng.randint(3, min(150, left))
            self.now += timedelta(minutes=minutes, seconds=self.rng.randint(0, 59))
            return self.now
        self.today = min(len(self.days) - 1, self.today + max(1, working_days))
        minute = self.rng.randint(450, 1005)
        at = datetime.combine(self.days[self.today], time(minute // 60, minute % 60))
        self.now = max(self.now + timedelta(minutes=1), at)
        return self.now


def statuses_for(
    rng: random.Random, doc: DocumentRecord, actor: Org, profile: Diligence, clock: _Clock
) -> list[StatusRecord]:
    """The statuses ``actor`` sends back for ``doc``: 01, 03, 04, 05, 06 or a refusal."""
    events: list[tuple[str, datetime, str]] = []

    def emit(code: str, when: datetime, text: str | None = None) -> None:
        events.append((code, when, text or _DESCRIPTIONS[code]))

    r = rng.random()
    if r < profile.ack_same_day:
        emit("01", clock.later(0))
    elif r < profile.ack_same_day + profile.ack_late:
        emit("01", clock.later(rng.randint(1, 5)))
    if rng.random() < profile.refuse:
        emit("02", clock.later(rng.choice((0, 0, 1))), rng.choice(_REFUSALS))
    else:
        r = rng.random()
        registered = r < profile.register_same_day + profile.register_late
        if registered:
            emit("03", clock.later(0 if r < profile.register_same_day else rng.randint(1, 5)))
        if registered and rng.random() < profile.assign:
            emit("04", clock.later(rng.choice((0, 0, 1, 2, 3))))
            if rng.random() < profile.handle:
                emit("05", clock.later(rng.randint(0, 5)))
                if rng.random() < 0.7:
                    emit("06", clock.later(rng.randint(1, 15)))
    return [
        StatusRecord(
            actor_id=_code_used(rng, actor),
            doc_key=doc.doc_key,
            ref_sender_id=doc.sender_id,
            ref_code=doc.code,
            status_code=code,
            description=text,
            occurred_at=when,
        )
        for code, when, text in events
    ]


# --- writing ---------------------------------------------------------------------------------


class _Writer:
    """Writes messages into month folders, with a mix of prefixes and date styles."""

    def __init__(self, rng: random.Random, edxml_dir: Path) -> None:
        self.rng, self.edxml_dir, self.counts = rng, edxml_dir, {"edoc": 0, "status": 0}
        self.first: dict[str, Path] = {}

    def write(self, record: DocumentRecord | StatusRecord, when: datetime) -> Path:
        kind = "edoc" if isinstance(record, DocumentRecord) else "status"
        self.counts[kind] += 1
        date_style: DateStyle = "dmy" if self.rng.random() < 0.1 else "ymd"
        prefixed = self.rng.random() >= 0.1
        folder = self.edxml_dir / f"{when:%Y-%m}"
        if self.rng.random() < 0.05:
            folder = self.edxml_dir  # a few dropped straight into the folder, by hand
        elif kind == "status":
            folder = folder / "trang-thai"
        if isinstance(record, DocumentRecord):
            attachment = self._attachment(record) if self.rng.random() < 0.6 else None
            data = render_document(
                record, attachment=attachment, date_style=date_style, prefixed=prefixed
            )
        else:
            data = render_status(record, date_style=date_style, prefixed=prefixed)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{kind}-{self.counts[kind]}.edxml"
        path.write_bytes(data)
        self.first.setdefault(kind, path)
        return path

    def _attachment(self, doc: DocumentRecord) -> bytes:
        body = f"%PDF-1.4\n% {doc.code}: {doc.subject}\n".encode()
        return body + b"0" * self.rng.randint(100, 400) + b"\n%%EOF\n"


def write_shared(edxml_dir: Path, agencies: list[str], year: int) -> int:
    """Write the axis's messages of documents the simulated software of the ``SHARED``
    agency reports too (``checker.demo.simulated_data.axis_copies``, of the data the demo's
    simulator serves); returns how many."""
    # the simulated software's data is built from this module's registry and calendar
    from checker.demo.simulated_data import axis_copies

    agency, addressed_as = SHARED
    copies = axis_copies(agency, addressed_as, agencies=agencies, year=year)
    for n, record in enumerate(copies, start=1):
        assert record.sent_at is not None
        folder = edxml_dir / f"{record.sent_at:%Y-%m}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"edoc-truc-{n}.edxml").write_bytes(render_document(record))
    return len(copies)


def _entity_bomb() -> bytes:
    """A billion-laughs document: ten levels of entities, each ten of the one below."""
    entities = ['  <!ENTITY lol0 "lol">']
    for level in range(1, 10):
        entities.append(f'  <!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">')
    header = "<MessageHeader><From><OrganId>&lol9;</OrganId></From><DocumentId>&lol9;</DocumentId>"
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE edXML [\n' + "\n".join(entities) + "\n]>\n"
        f'<edXML xmlns="{NS}"><edXMLEnvelope><edXMLHeader>{header}'
        "<To><OrganId>000.00.01.H99</OrganId></To></MessageHeader></edXMLHeader>"
        "</edXMLEnvelope></edXML>\n"
    ).encode()


def write_malformed(edxml_dir: Path, document: Path, status: Path) -> int:
    """Files the connector must quarantine; returns how many were written."""
    doc_bytes = document.read_bytes()
    folder = edxml_dir / "nhan-loi"
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "truncated": doc_bytes[: doc_bytes.index(b"Subject>") + 20],  # in the header
        "not-xml": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        "plain-text": "Kính gửi: Văn phòng UBND thành phố\nĐề nghị xem tệp đính kèm.\n".encode(),
        "wrong-namespace": doc_bytes.replace(NS.encode(), b"urn:example:not-edxml"),
        "status-without-code": _without(status.read_bytes(), "StatusCode"),
        "document-without-sender": _without(doc_bytes, "OrganId", inside="From"),
        "entity-bomb": _entity_bomb(),
    }
    for name, data in files.items():
        (folder / f"broken-{name}.edxml").write_bytes(data)
    return len(files)


def _without(data: bytes, local_name: str, inside: str | None = None) -> bytes:
    """The message with every element ``local_name`` (within ``inside``) removed."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    for element in list(root.iter(f"{{{NS}}}{local_name}")):
        parent = element.getparent()
        if parent is not None and (inside is None or etree.QName(parent).localname == inside):
            parent.remove(element)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


# --- manual points ---------------------------------------------------------------------------


SHARED = ("000.00.03.H99", "H99.01.03")
"""The agency some documents reach through two systems (Sở Tài chính: the simulated software
reports them, the axis carries them to its alternative code), and that code."""

SIMULATOR_URL = "http://127.0.0.1:8765"
DEMO_TOKEN_ENV = "CHECKER_DEMO_TOKEN"


def _http_source(name: str, system: str, path: str) -> list[str]:
    """A source on the simulator (`checker simulate`, port 8765; the demo command points it
    at a simulator of its own)."""
    return [
        "",
        "[[sources]]",
        f'name = "{name}"',
        'kind = "http"',
        f'system = "{system}"',
        f'base_url = "{SIMULATOR_URL}/{path}"',
        f'auth = {{ type = "bearer", token_env = "{DEMO_TOKEN_ENV}" }}',
    ]


def manual_points_toml(
    rng: random.Random, orgs: tuple[Org, ...], profiles: dict[str, Diligence]
) -> str:
    """Points for each manual criterion, 50-100% of its max in steps of 0.5, better for
    diligent agencies; two agencies still miss one criterion."""
    manual = [
        c for c in load_criteria(CRITERIA, bundled_criteria_dir()).criteria if c.kind == "manual"
    ]
    missing = {o.code: rng.choice(manual).id for o in rng.sample(list(orgs), 2)} if manual else {}
    share = {"excellent": (0.8, 1.0), "medium": (0.6, 0.95), "poor": (0.5, 0.8)}
    lines = ["# Points the inspection team entered for the criteria that need human judgement."]
    for org in orgs:
        low, high = share[profiles[org.code].tier]
        lines += ["", f"[{_q(org.code)}]  # {org.name}"]
        for criterion in manual:
            if missing.get(org.code) == criterion.id:
                lines.append(f"# {_q(criterion.id)}: not entered yet")
                continue
            steps = int(criterion.max * 2)
            half_steps = rng.randint(math.ceil(steps * low), math.floor(steps * high))
            lines.append(f"{_q(criterion.id)} = {_num(Decimal(half_steps) / 2)}")
    return "\n".join(lines) + "\n"


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f")


# --- the workspace ---------------------------------------------------------------------------


def build_demo_workspace(folder: Path, *, year: int = 2025, seed: int = 20251) -> DemoWorkspace:
    """Write (or rewrite) the demo workspace in ``folder`` and say what it holds; an
    ``OutputError`` when the folder cannot be made or written."""
    try:
        return _build_workspace(folder, year, seed)
    except OSError as exc:
        message = _("the demo workspace {folder} cannot be written: {reason}")
        raise OutputError(message.format(folder=folder, reason=os_reason(exc))) from exc


def _build_workspace(folder: Path, year: int, seed: int) -> DemoWorkspace:
    _clear(folder)
    rng = random.Random(seed)
    orgs = registry()
    by_code = {c: o for o in (*orgs, *OUTSIDERS) for c in (o.code, o.alt_code) if c}
    profiles = diligence(rng, orgs)
    days = working_days(year)
    config_path = folder / "checker.toml"
    config_path.write_text(deployment_toml(orgs), encoding="utf-8")
    edxml_dir = folder / "edxml"
    writer = _Writer(rng, edxml_dir)
    for doc in plan_documents(rng, orgs, days, year):
        assert doc.sent_at is not None
        writer.write(doc, doc.sent_at)
        for recipient_id in doc.recipient_ids:
            actor = by_code[recipient_id]
            clock = _Clock(rng, days, doc.sent_at)
            for status in statuses_for(rng, doc, actor, profiles[actor.code], clock):
                assert status.occurred_at is not None
                writer.write(status, status.occurred_at)
    first_doc = writer.first["edoc"]
    shutil.copyfile(first_doc, first_doc.with_name(f"{first_doc.stem} (1).edxml"))
    shared = write_shared(edxml_dir, [o.code for o in orgs], year)
    malformed = write_malformed(edxml_dir, first_doc, writer.first["status"])
    manual_path = folder / "manual-points.toml"
    manual_path.write_text(manual_points_toml(rng, orgs, profiles), encoding="utf-8")
    return DemoWorkspace(
        folder=folder,
        config_path=config_path,
        edxml_dir=edxml_dir,
        manual_points_path=manual_path,
        messages_written=sum(writer.counts.values()) + 1 + shared + malformed,
        malformed_written=malformed,
    )


def _clear(folder: Path) -> None:
    """Create ``folder``, removing only the paths a previous build wrote there."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in OWNED:
        path = folder / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
