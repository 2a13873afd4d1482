"""Deterministic data for the simulated document-management and archive software.

``generate_dataset`` gives, for each agency, a year of incoming and outgoing documents, work
files, the annual file list, the transfers to the archives, the dossiers of its one-stop shop
and the digitisation register of its agency archive, as dicts in exactly the item
shapes of the reference log API (docs/openapi.yaml). Each agency has a diligence tier, and the
gaps the metrics look for follow from it: documents registered or submitted days late or
never assigned, issued days after signing, without digital signature or on paper; files kept
on paper or with incomplete metadata; a file list issued in February or March, left
unissued or missing; transfers late, pending or missing; dossiers returned after the appointed
day or not kept as electronic files; archive files left undigitised.

Everything comes from ``random.Random`` seeded with ``seed`` (and, for each agency's records,
its code) and from the calendar of ``year``: the same arguments give equal data. Times are
Vietnam local time with offset, dates ``YYYY-MM-DD``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from checker.clock import VIETNAM
from checker.demo.city import OUTSIDERS, registry, working_days
from checker.store.records import DocumentRecord

JsonValue = str | int | bool | None | list[str]
Item = dict[str, JsonValue]
"""One item of the reference API, as its JSON object."""

ENDPOINTS = (
    "incoming-documents",
    "outgoing-documents",
    "files",
    "file-lists",
    "transfers",
    "dossiers",
    "digitised-files",
)


@dataclass(frozen=True)
class SimulatedData:
    """Items per endpoint and agency, each tuple ordered by (``updated_at``, ``id``)."""

    year: int
    agencies: tuple[str, ...]
    items: Mapping[str, Mapping[str, tuple[Item, ...]]]

    def of(self, endpoint: str, agency: str) -> tuple[Item, ...]:
        return self.items[endpoint].get(agency, ())

    def counts(self) -> dict[str, int]:
        """Number of items per endpoint, over all agencies."""
        return {e: sum(len(v) for v in self.items[e].values()) for e in ENDPOINTS}


def demo_agency_codes() -> tuple[str, ...]:
    """The organisation codes of the demo city's agencies, in registry order."""
    return tuple(org.code for org in registry())


def province_agency_codes(count: int) -> tuple[str, ...]:
    """``count`` made-up organisation codes (``000.01.01.H98`` on), for a province-sized
    simulation: about 2,000 agencies where the demo city has a dozen."""
    return tuple(f"000.{n // 100 + 1:02d}.{n % 100 + 1:02d}.H98" for n in range(count))


def generate_dataset(
    *, agencies: Sequence[str], year: int = 2025, size: int = 1, seed: int = 20251
) -> SimulatedData:
    """A year of data for ``agencies``. ``size`` multiplies the number of documents and files
    of each agency (size 1: 60-150 incoming, 30-80 outgoing, 20-40 files); each agency keeps
    one file list, and transfers follow from its older files."""
    if size < 1:
        raise ValueError(f"size must be at least 1, got {size}")
    if len(set(agencies)) != len(agencies):
        raise ValueError("agencies must not repeat")
    calendar = _Calendar(year)
    roles = _roles(random.Random(f"{seed}:{year}"), agencies)
    items: dict[str, dict[str, tuple[Item, ...]]] = {e: {} for e in ENDPOINTS}
    for code in agencies:
        rng = random.Random(f"{seed}:{year}:{code}")
        generated = _Agency(code, calendar, size, rng, *roles[code]).build()
        # the one-stop shop and digitisation draw from a generator of their own, so adding
        # them left every other record as it was
        own = random.Random(f"{seed}:{year}:{code}:one-stop")
        services = _Services(code, calendar, size, own, roles[code][0])
        generated += (services.dossiers(), services.digitised(generated[4]))
        for endpoint, rows in zip(ENDPOINTS, generated, strict=True):
            items[endpoint][code] = tuple(sorted(rows, key=_order))
    return SimulatedData(year, tuple(agencies), items)


def incoming_of(
    agency: str, *, agencies: Sequence[str], year: int = 2025, seed: int = 20251
) -> tuple[Item, ...]:
    """The incoming documents :func:`generate_dataset` gives ``agency`` (one of
    ``agencies``), without generating the rest."""
    roles = _roles(random.Random(f"{seed}:{year}"), agencies)
    rng = random.Random(f"{seed}:{year}:{agency}")
    incoming = _Agency(agency, _Calendar(year), 1, rng, *roles[agency]).build()[0]
    return tuple(sorted(incoming, key=_order))


def axis_copies(
    agency: str,
    addressed_as: str,
    *,
    agencies: Sequence[str],
    year: int = 2025,
    seed: int = 20251,
    count: int = 3,
) -> list[DocumentRecord]:
    """The axis's edXML messages of ``count`` documents the simulated software of ``agency``
    reports received through the axis from an organisation outside the city's registry
    (so no agency's own numbering moves), addressed to the agency as ``addressed_as`` (one
    of its alternative codes: the software knows it by its main code). Both systems see
    these documents, and reconciling them leaves one document each (``checker.store.
    reconcile``). The last one crossed the axis at 17:40 the working day before the
    software says it arrived, so the two systems disagree on its arrival."""
    calendar = _Calendar(year)
    outside = {o.code for o in OUTSIDERS}
    chosen = [
        item
        for item in incoming_of(agency, agencies=agencies, year=year, seed=seed)
        if item["channel"] == "axis"
        and item["sender_code"] in outside
        and not item["recalled"]
        and str(item["issued_date"]) < str(item["arrived_at"])[:10]
    ][:count]
    copies = []
    for n, item in enumerate(chosen, start=1):
        sent = datetime.fromisoformat(str(item["arrived_at"])).replace(tzinfo=None)
        if n == len(chosen):
            sent = datetime.combine(calendar.shift(sent.date(), -1), time(17, 40))
        copies.append(
            DocumentRecord(
                doc_key=str(item["document_id"]),
                sender_id=str(item["sender_code"]),
                sender_name=str(item["sender_name"]),
                recipient_ids=(addressed_as,),
                code_number=str(item["number"]),
                code_notation=str(item["notation"]),
                doc_type="1",
                type_name=str(item["type_name"]),
                subject=str(item["subject"]),
                promulgation_date=date.fromisoformat(str(item["issued_date"])),
                sent_at=sent,
                priority=int(str(item["urgency"])),
            )
        )
    return copies


def _order(item: Item) -> tuple[str, str]:
    return str(item["updated_at"]), str(item["id"])


def _roles(rng: random.Random, agencies: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Each agency's tier and when its file list was issued: about 30% excellent; 20% poor
    (at least one among three or more), who issue it in March, never, or leave it unissued;
    the rest medium, one in six of whom issue it in February."""
    order = list(agencies)
    rng.shuffle(order)
    excellent = round(len(order) * 0.3)
    poor = max(1, round(len(order) * 0.2)) if len(order) >= 3 else 0
    roles = {code: ("excellent", "january") for code in order[:excellent]}
    for i, code in enumerate(order[excellent : len(order) - poor]):
        roles[code] = ("medium", "february" if i % 6 == 5 else "january")
    for i, code in enumerate(order[len(order) - poor :]):
        roles[code] = ("poor", ("march", "missing", "unissued")[i % 3])
    return roles


# --- tables ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Profile:
    """Shares of records with each gap, for one diligence tier."""

    late: float
    never_registered: float
    unassigned: float
    off_axis: float
    unsigned: float
    issued_late: float
    paper_files: float
    incomplete: float
    unlisted: float
    transfer_missing: float
    transfer_late: float


_PROFILES = {
    "excellent": _Profile(0.03, 0.005, 0.02, 0.05, 0.01, 0.02, 0.03, 0.04, 0.03, 0.05, 0.1),
    "medium": _Profile(0.12, 0.02, 0.08, 0.15, 0.06, 0.1, 0.2, 0.15, 0.1, 0.2, 0.3),
    "poor": _Profile(0.3, 0.06, 0.25, 0.35, 0.2, 0.25, 0.5, 0.35, 0.25, 0.45, 0.4),
}
_TYPES = (  # type name, notation prefix (empty: a letter, notation of the drafting unit), weight
    ("Công văn", "", 55),
    ("Báo cáo", "BC", 12),
    ("Kế hoạch", "KH", 9),
    ("Thông báo", "TB", 9),
    ("Quyết định", "QĐ", 8),
    ("Tờ trình", "TTr", 5),
    ("Giấy mời", "GM", 2),
)
_SUBJECTS = {
    "Công văn": (
        "V/v triển khai kế hoạch cải cách hành chính năm {y}",
        "V/v tăng cường công tác văn thư, lưu trữ trên môi trường điện tử",
        "V/v rà soát thủ tục hành chính thuộc thẩm quyền giải quyết",
        "V/v đôn đốc giải ngân vốn đầu tư công năm {y}",
        "V/v cung cấp số liệu phục vụ báo cáo quý {q}/{y}",
        "V/v cử cán bộ tham dự tập huấn sử dụng chữ ký số",
        "V/v góp ý dự thảo Quy chế công tác văn thư, lưu trữ",
        "V/v phòng, chống thiên tai mùa mưa bão năm {y}",
    ),
    "Báo cáo": (
        "Kết quả thực hiện nhiệm vụ tháng {m}/{y}",
        "Tình hình công tác văn thư, lưu trữ quý {q}/{y}",
        "Kết quả chuyển đổi số quý {q} năm {y}",
    ),
    "Kế hoạch": (
        "Kiểm tra công tác văn thư, lưu trữ năm {y}",
        "Số hóa tài liệu lưu trữ năm {y}",
        "Chỉnh lý tài liệu tồn đọng năm {y}",
    ),
    "Thông báo": (
        "Kết luận tại cuộc họp giao ban tháng {m}/{y}",
        "Lịch tiếp công dân tháng {m}/{y}",
    ),
    "Quyết định": (
        "Về việc ban hành Danh mục hồ sơ năm {y}",
        "Về việc thành lập Tổ công tác chuyển đổi số",
        "Về việc phê duyệt kế hoạch lựa chọn nhà thầu",
    ),
    "Tờ trình": ("Đề nghị phê duyệt dự toán kinh phí số hóa tài liệu", "Đề nghị bổ sung biên chế"),
    "Giấy mời": ("Dự hội nghị sơ kết công tác tháng {m}/{y}",),
}
_FILE_TITLES = (
    "Hồ sơ xây dựng và thực hiện kế hoạch công tác năm {y}",
    "Hồ sơ hội nghị tổng kết công tác năm {y}",
    "Hồ sơ thực hiện cải cách hành chính năm {y}",
    "Hồ sơ kiểm tra công tác văn thư, lưu trữ năm {y}",
    "Hồ sơ tuyển dụng công chức năm {y}",
    "Hồ sơ giải quyết đơn thư khiếu nại, tố cáo năm {y}",
    "Hồ sơ lập dự toán ngân sách năm {y}",
    "Tập báo cáo định kỳ gửi cấp trên năm {y}",
    "Hồ sơ chuyển đổi số và ứng dụng công nghệ thông tin năm {y}",
    "Hồ sơ thi đua, khen thưởng năm {y}",
)
_CONSTRUCTION_TITLES = (
    "Hồ sơ công trình cải tạo, sửa chữa trụ sở làm việc",
    "Hồ sơ công trình xây dựng kho lưu trữ chuyên dụng",
    "Hồ sơ dự án nâng cấp đường giao thông nội bộ",
)
_RETENTION = ("01", "02", "03", "04", "05", "06")
_UNITS = ("VP", "TCCB", "KHTC", "QLCL", "TTr")
_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi")
_MIDDLE = ("Văn", "Thị", "Minh", "Quốc", "Thanh", "Hữu", "Ngọc", "Đức")
_GIVEN = ("An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hùng", "Lan", "Long", "Mai", "Nam")
_UNCODED = (  # senders without an organisation code, writing on paper or by email
    "Công ty TNHH Xây dựng Hải Phát",
    "Công ty Cổ phần Cảng Hải Đăng",
    "Hợp tác xã Nông nghiệp Tùng Lâm",
    "Ông Nguyễn Văn Bảy (công dân)",
)


@dataclass(frozen=True)
class _Party:
    code: str | None
    name: str
    notation: str


class _Calendar:
    """Working days of the year (and the January after it), office times, correspondents."""

    def __init__(self, year: int) -> None:
        self.year = year
        self.days = working_days(year)
        self.in_year = [d for d in self.days if d.year == year]
        self.index = {d: i for i, d in enumerate(self.days)}
        known = (*registry(), *OUTSIDERS)
        self.parties = {o.code: _Party(o.code, o.name, o.notation) for o in known}
        self.parties["000.00.00.G22"] = _Party("000.00.00.G22", "Văn phòng Chính phủ", "VPCP")

    def first_working_day(self, month: int) -> date:
        return next(d for d in self.in_year if d.month == month)

    def shift(self, day: date, working_days: int) -> date:
        """The working day ``working_days`` after ``day`` (before it when negative)."""
        position = self.index[day] + working_days
        return self.days[min(max(position, 0), len(self.days) - 1)]

    def at(self, rng: random.Random, day: date, first: int = 450, last: int = 1005) -> datetime:
        """A time on ``day`` between minutes ``first`` and ``last`` after midnight."""
        minute = rng.randint(first, last)
        return datetime.combine(day, time(minute // 60, minute % 60, rng.randint(0, 59)), VIETNAM)


def _ts(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat(timespec="seconds")


def _day(when: date | None) -> str | None:
    return None if when is None else when.isoformat()


def _weekday(day: date) -> date:
    """``day``, or the Monday after it when it falls on a weekend."""
    return day + timedelta(days=7 - day.weekday()) if day.weekday() >= 5 else day


def _anniversary(day: date, years: int = 1) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --- one agency ------------------------------------------------------------------------------


class _Agency:
    """The generated records of one agency: documents, files, file list, transfers."""

    def __init__(
        self, code: str, cal: _Calendar, size: int, rng: random.Random, tier: str, listed: str
    ) -> None:
        self.code, self.cal, self.rng, self.list_issued = code, cal, rng, listed
        self.p = _PROFILES[tier]
        self.counts = [rng.randint(lo, hi) * size for lo, hi in ((60, 150), (30, 80), (20, 40))]
        self.me = cal.parties.get(code) or _Party(code, f"Cơ quan {code}", "CQ")
        self.others = [p for c, p in cal.parties.items() if c != code]
        self.signers = [self._person() for _ in range(rng.randint(2, 3))]
        self.open_files: list[tuple[datetime, str]] = []  # this year's files, for documents

    def build(self) -> tuple[list[Item], ...]:
        n_in, n_out, n_files = self.counts
        file_list = self._file_list()
        files = [self._file(n, listed=bool(file_list)) for n in range(1, n_files + 1)]
        self.open_files.sort()
        incoming, outgoing = self._incoming(n_in), self._outgoing(n_out)
        self._attach(files, incoming + outgoing)
        return incoming, outgoing, files, file_list, self._transfers(files)

    def _person(self) -> str:
        rng = self.rng
        return f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"

    def _kind(self, day: date) -> tuple[str, str, str]:
        """Type name, notation prefix and subject of a document written on ``day``."""
        type_name, prefix, _ = self.rng.choices(_TYPES, weights=[t[2] for t in _TYPES])[0]
        subject = self.rng.choice(_SUBJECTS[type_name])
        return type_name, prefix, subject.format(y=day.year, m=day.month, q=(day.month + 2) // 3)

    def _notation(self, prefix: str, party: _Party) -> str:
        unit = self.rng.choice(_UNITS)
        return f"{prefix}-{party.notation}" if prefix else f"{party.notation}-{unit}"

    def _later(self, start: datetime, working_days: int) -> datetime:
        """An office time ``working_days`` after ``start``; 0: minutes later the same day."""
        rng = self.rng
        if working_days == 0:
            return start + timedelta(minutes=rng.randint(3, 90), seconds=rng.randint(0, 59))
        day = self.cal.shift(start.date(), working_days)
        return max(self.cal.at(rng, day), start + timedelta(minutes=1))

    def _delay(self, late_share: float, late: tuple[int, int]) -> int:
        """Working days until the next step: usually 0 or 1, ``late`` days for a share."""
        if self.rng.random() < late_share:
            return self.rng.randint(*late)
        return self.rng.choice((0, 0, 0, 1))

    def _touched(self, last: datetime) -> datetime:
        """When a record was last changed: soon after its last event, now and then later."""
        rng = self.rng
        days = rng.randint(1, 30) if rng.random() < 0.1 else 0
        return last + timedelta(days=days, minutes=rng.randint(1, 240))

    def _filed(self, when: datetime) -> str | None:
        """The code of a file opened before ``when`` that a document goes into, or None."""
        opened = [code for at, code in self.open_files if at <= when]
        return self.rng.choice(opened) if opened and self.rng.random() < 0.6 else None

    # documents --------------------------------------------------------------------------

    def _incoming(self, count: int) -> list[Item]:
        arrivals = sorted(self._arrival(day) for day in self.rng.choices(self.cal.in_year, k=count))
        items = [self._incoming_one(n, at) for n, at in enumerate(arrivals, start=1)]
        registered = [i for i in items if i["registered_at"] is not None]
        for number, item in enumerate(registered, start=1):
            item["arrival_number"] = str(number)
        return items

    def _arrival(self, day: date) -> datetime:
        if self.rng.random() < 0.06:  # carried by the axis after office hours
            return self.cal.at(self.rng, day, 1080, 1380)
        return self.cal.at(self.rng, day)

    def _incoming_one(self, n: int, arrived: datetime) -> Item:
        rng, p = self.rng, self.p
        uncoded = rng.random() < 0.05
        sender = _Party(None, rng.choice(_UNCODED), "CV") if uncoded else rng.choice(self.others)
        off_axis = uncoded or rng.random() < p.off_axis
        channel = rng.choice(("email", "paper")) if off_axis else "axis"
        issued = self.cal.shift(arrived.date(), -rng.choice((0, 0, 1, 1, 2, 3)))
        type_name, prefix, subject = self._kind(issued)
        number = str(issued.timetuple().tm_yday * rng.randint(2, 9) + rng.randint(0, 9))
        notation = self._notation(prefix, sender)
        registered = submitted = assigned = None
        if rng.random() >= p.never_registered:
            start = arrived
            if arrived.hour >= 17:  # handled from the next working day
                start = self.cal.at(rng, self.cal.shift(arrived.date(), 1))
            registered = self._later(start, rng.randint(2, 6) if rng.random() < p.late else 0)
            submitted = self._later(registered, self._delay(p.late / 2, (2, 5)))
            if rng.random() >= p.unassigned:
                assigned = self._later(submitted, rng.choice((0, 0, 1, 2)))
        last = assigned or submitted or registered or arrived
        due = self.cal.shift(issued, rng.randint(10, 20)) if rng.random() < 0.2 else None
        signed = {"axis": rng.random() >= 0.02, "email": rng.random() < 0.5, "paper": None}
        axis_id = f"{sender.code},{issued:%Y/%m/%d},{number}/{notation}"
        return {
            "id": f"den-{self.code}-{n:06d}",
            "document_id": axis_id if channel == "axis" else None,
            "number": number,
            "notation": notation,
            "type_name": type_name,
            "subject": subject,
            "sender_code": sender.code,
            "sender_name": sender.name,
            "issued_date": _day(issued),
            "arrival_number": None,  # numbered in arrival order once all are drawn
            "arrived_at": _ts(arrived),
            "registered_at": _ts(registered),
            "submitted_at": _ts(submitted),
            "assigned_at": _ts(assigned),
            "channel": channel,
            "urgency": rng.choices((0, 1, 2, 3, 4), weights=(85, 9, 4, 1, 1))[0],
            "due_date": _day(due),
            "file_code": self._filed(last) if assigned else None,
            "digitally_signed": signed[channel],
            "recalled": rng.random() < 0.01,
            "updated_at": _ts(self._touched(last)),
        }

    def _outgoing(self, count: int) -> list[Item]:
        signed = sorted(
            self.cal.at(self.rng, d) for d in self.rng.choices(self.cal.in_year, k=count)
        )
        return [self._outgoing_one(n, at) for n, at in enumerate(signed, start=1)]

    def _outgoing_one(self, number: int, signed: datetime) -> Item:
        rng, p = self.rng, self.p
        channel = rng.choice(("email", "paper")) if rng.random() < p.off_axis else "axis"
        type_name, prefix, subject = self._kind(signed.date())
        notation = self._notation(prefix, self.me)
        registered = self._later(signed, 0)
        issued = None
        if rng.random() >= 0.01:  # a few signed and not issued yet
            issued = self._later(registered, self._delay(p.issued_late, (2, 5)))
        recipients = rng.sample([o.code for o in self.others if o.code], rng.randint(1, 4))
        unsigned = {"axis": p.unsigned / 3, "email": p.unsigned * 2, "paper": 1.0}[channel]
        return {
            "id": f"di-{self.code}-{number:06d}",
            "document_id": f"{self.code},{signed:%Y/%m/%d},{number}/{notation}"
            if channel == "axis"
            else None,
            "number": str(number),
            "notation": notation,
            "type_name": type_name,
            "subject": subject,
            "recipients": recipients,
            "signer_name": rng.choice(self.signers),
            "issued_date": _day(signed.date()),
            "registered_at": _ts(registered),
            "signed_at": _ts(signed),
            "issued_at": _ts(issued),
            "channel": channel,
            "urgency": rng.choices((0, 1, 2, 3, 4), weights=(88, 7, 3, 1, 1))[0],
            "digitally_signed": rng.random() >= unsigned,
            "file_code": self._filed(signed),
            "recalled": rng.random() < 0.005,
            "updated_at": _ts(self._touched(issued or registered)),
        }

    # files and the file list ------------------------------------------------------------

    def _file_list(self) -> list[Item]:
        rng, cal, when = self.rng, self.cal, self.list_issued
        if when == "missing":
            return []
        january = cal.in_year[: cal.in_year.index(cal.first_working_day(2))]
        issued: date | None = None
        if when == "january":
            issued = rng.choice(january[2:15])
        elif when in ("february", "march"):
            issued = cal.shift(
                cal.first_working_day(2 if when == "february" else 3), rng.randint(0, 12)
            )
        stamp = cal.at(rng, issued or rng.choice(january))
        return [
            {
                "id": f"dm-{self.code}-{cal.year}",
                "year": cal.year,
                "issued_on": _day(issued),
                "updated_at": _ts(stamp + timedelta(minutes=rng.randint(5, 120))),
            }
        ]

    def _file(self, n: int, *, listed: bool) -> Item:
        """A file of this year or, for about 40%, of one, two or six years before."""
        rng, p = self.rng, self.p
        age = rng.choices((0, 1, 2, 6), weights=(60, 22, 10, 8))[0]
        year = self.cal.year - age
        construction = age in (1, 2) and rng.random() < 0.12
        title = rng.choice(_CONSTRUCTION_TITLES if construction else _FILE_TITLES)
        retention = "01" if age == 6 else rng.choices(_RETENTION, (15, 5, 10, 15, 25, 30))[0]
        opened, closed = self._file_times(year)
        electronic = rng.random() >= (p.paper_files if age < 6 else 0.9)
        code = f"{self.code}.{year}.{rng.randint(1, 6):02d}.{n:02d}"
        if age == 0:
            self.open_files.append((opened, code))
        settled = None
        if construction and closed:
            settled = closed.date() + timedelta(days=rng.randint(30, 200))
        return {
            "id": f"hs-{self.code}-{n:05d}",
            "file_code": code,
            "title": title.format(y=year),
            "year": year,
            "retention": retention,
            "listed": (listed or age > 0) and rng.random() >= p.unlisted,
            "electronic": electronic,
            "opened_at": _ts(opened),
            "closed_at": _ts(closed),
            "work_ended_on": _day(closed.date() if closed else None),
            "construction": construction,
            "final_settlement_on": _day(settled),
            "metadata_complete": rng.random() >= p.incomplete * (1 if electronic else 2),
            "document_count": rng.randint(3, 40) if age else 0,  # this year's: see _attach
            "updated_at": _ts(self._file_touched(opened, closed)),
        }

    def _file_times(self, year: int) -> tuple[datetime, datetime | None]:
        """When a file of ``year`` was opened and, if its work ended, closed."""
        rng, current = self.rng, year == self.cal.year
        opened = date(year, 1, 2) + timedelta(days=rng.randint(0, 300 if current else 200))
        opened_at = datetime.combine(_weekday(opened), time(8, rng.randint(0, 59)), VIETNAM)
        if current and rng.random() >= 0.35:
            return opened_at, None
        room = (date(year, 12, 20) - opened).days
        closed = _weekday(opened + timedelta(days=rng.randint(20, max(21, room))))
        return opened_at, datetime.combine(closed, time(16, rng.randint(0, 59)), VIETNAM)

    def _file_touched(self, opened: datetime, closed: datetime | None) -> datetime:
        stamp = max(opened, closed) if closed else opened
        if stamp.year < self.cal.year:  # an older file, last touched some time this year
            stamp = self.cal.at(self.rng, self.rng.choice(self.cal.in_year))
        return stamp + timedelta(days=self.rng.randint(0, 40), minutes=self.rng.randint(1, 300))

    def _attach(self, files: list[Item], documents: list[Item]) -> None:
        """Count the documents put in this year's files; a file changes when one is put in."""
        by_code = {item["file_code"]: item for item in files}
        for doc in documents:
            item = by_code.get(doc["file_code"])
            if item is not None:
                item["document_count"] = int(str(item["document_count"])) + 1
                item["updated_at"] = max(str(item["updated_at"]), str(doc["updated_at"]))

    # transfers --------------------------------------------------------------------------

    def _transfers(self, files: list[Item]) -> list[Item]:
        """Files of one and two years before go to the agency archive this year; permanent
        files that entered it five years ago go on to the historical archive."""
        transfers: list[Item] = []
        for item in files:
            age = self.cal.year - int(str(item["year"]))
            if age in (1, 2):
                ended = date.fromisoformat(str(item["work_ended_on"]))
                settled = item["final_settlement_on"]
                due = _anniversary(ended)
                if isinstance(settled, str):  # construction: 3 months after final settlement
                    due = date.fromisoformat(settled) + timedelta(days=90)
                transfers += self._transfer(item, "agency_archive", due, late=age == 2)
            elif age == 6:
                entered = _weekday(date(self.cal.year - 5, self.rng.randint(3, 11), 10))
                transfers.append(self._item(item, "agency_archive", entered))
                transfers += self._transfer(item, "historical_archive", _anniversary(entered, 5))
        for n, transfer in enumerate(transfers, start=1):
            transfer["id"] = f"gn-{self.code}-{n:05d}"
        return transfers

    def _transfer(self, file: Item, kind: str, due: date, *, late: bool = False) -> list[Item]:
        """The transfer of ``file`` due on ``due``: on time, late, pending or missing."""
        rng, p, year = self.rng, self.p, self.cal.year
        r = rng.random()
        if r < p.transfer_missing:
            return [self._item(file, kind, None)] if r < p.transfer_missing / 3 else []
        first, last = date(year, 1, 5), date(year, 12, 28)
        due = min(max(due, first + timedelta(days=15)), last - timedelta(days=8))
        if late or rng.random() < p.transfer_late:
            on = due + timedelta(days=rng.randint(8, (last - due).days))
        else:
            on = due - timedelta(days=rng.randint(0, (due - first).days))
        return [self._item(file, kind, on)]

    def _item(self, file: Item, kind: str, on: date | None) -> Item:
        rng, year = self.rng, self.cal.year
        status = "received"
        if on is None:
            status = "pending"
        elif on.year == year and rng.random() < 0.08:  # sent back to be completed
            status = "returned"
        day = on if on is not None and on.year == year else rng.choice(self.cal.in_year)
        return {
            "id": "",  # numbered once all are drawn
            "file_code": file["file_code"],
            "kind": kind,
            "transferred_on": _day(on),
            "status": status,
            "retention": file["retention"],
            "updated_at": _ts(self.cal.at(rng, _weekday(day))),
        }


# --- the one-stop shop and the digitisation register -------------------------------------------

_PROCEDURES = (  # code, name, working days to settle
    ("1.001612", "Cấp giấy chứng nhận đăng ký hộ kinh doanh", 3),
    ("1.004227", "Đăng ký khai sinh", 1),
    ("1.000656", "Chứng thực bản sao từ bản chính", 1),
    ("1.009994", "Cấp giấy phép xây dựng nhà ở riêng lẻ", 15),
    ("2.000908", "Đăng ký kết hôn", 3),
    ("1.010728", "Cấp phiếu lý lịch tư pháp", 10),
    ("1.003005", "Xác nhận tình trạng hôn nhân", 3),
)
_SERVICE_TIERS = {  # share returned late, share not kept electronically, share digitised
    "excellent": (0.03, 0.05, 0.85),
    "medium": (0.12, 0.25, 0.55),
    "poor": (0.3, 0.55, 0.2),
}
_HOLDINGS_TITLES = (
    "Hồ sơ tổ chức bộ máy năm {y}",
    "Hồ sơ quy hoạch, kế hoạch phát triển năm {y}",
    "Tập quyết định của cơ quan năm {y}",
    "Hồ sơ kiểm tra, thanh tra năm {y}",
)


class _Services:
    """One agency's dossiers on the one-stop-shop software and its agency archive's files on
    the digitisation register."""

    def __init__(self, code: str, cal: _Calendar, size: int, rng: random.Random, tier: str):
        self.code, self.cal, self.size, self.rng = code, cal, size, rng
        self.late, self.paper, self.digitised_share = _SERVICE_TIERS[tier]

    def dossiers(self) -> list[Item]:
        """40-120 dossiers (times ``size``) received over the year, most returned by the
        appointed day, some late, some still being handled at the year's end."""
        rng, cal = self.rng, self.cal
        days = sorted(rng.choices(cal.in_year, k=rng.randint(40, 120) * self.size))
        return [self._dossier(n, day) for n, day in enumerate(days, start=1)]

    def _dossier(self, n: int, day: date) -> Item:
        rng, cal = self.rng, self.cal
        code, name, limit = rng.choice(_PROCEDURES)
        received = cal.at(rng, day)
        due = cal.at(rng, cal.shift(day, limit), 960, 1020)
        status, returned = "returned", None
        r = rng.random()
        if r < 0.03:
            status = rng.choice(("refused", "withdrawn"))
        elif rng.random() < self.late:
            returned = cal.at(rng, cal.shift(due.date(), rng.randint(1, 8)))
        else:
            returned = cal.at(rng, cal.shift(day, rng.randint(0, limit)))
            returned = min(max(returned, received + timedelta(minutes=30)), due)
        if returned is not None and returned.year > cal.year:  # still being handled
            status, returned = "processing", None
        last = returned or received
        return {
            "id": f"mc-{self.code}-{n:06d}",
            "dossier_code": f"{self.code}-{day:%y%m%d}-{n:04d}",
            "agency_code": self.code,
            "procedure_code": code,
            "procedure_name": name,
            "received_at": _ts(received),
            "due_at": _ts(due),
            "returned_at": _ts(returned),
            "status": status,
            "electronic_file": rng.random() >= self.paper,
            "online": rng.random() < 0.4,
            "updated_at": _ts(last + timedelta(minutes=rng.randint(1, 240))),
        }

    def digitised(self, transfers: list[Item]) -> list[Item]:
        """The files the agency archive received (and still holds), and 10-30 files it held
        before any software, each digitised this year (with its pages) or not yet."""
        rng, year = self.rng, self.cal.year
        received = [t for t in transfers if t["status"] == "received"]
        moved_on = {t["file_code"] for t in received if t["kind"] == "historical_archive"}
        files: list[tuple[str, str | None, date]] = [
            (str(t["file_code"]), None, date.fromisoformat(str(t["transferred_on"])))
            for t in received
            if t["kind"] == "agency_archive" and t["file_code"] not in moved_on
        ]
        for n in range(1, rng.randint(10, 30) + 1):
            old = year - rng.randint(3, 15)
            title = rng.choice(_HOLDINGS_TITLES).format(y=old)
            files.append((f"{self.code}.{old}.LT.{n:03d}", title, date(old + 1, 6, 1)))
        return [self._register_entry(n, *file) for n, file in enumerate(files, start=1)]

    def _register_entry(self, n: int, file_code: str, title: str | None, entered: date) -> Item:
        rng, cal = self.rng, self.cal
        digitised = None
        if rng.random() < self.digitised_share:
            earliest = max(entered, date(cal.year, 1, 2))
            digitised = rng.choice([d for d in cal.in_year if d >= earliest] or cal.in_year[-1:])
        stamp = cal.at(rng, digitised or rng.choice(cal.in_year))
        return {
            "id": f"sh-{self.code}-{n:05d}",
            "file_code": file_code,
            "title": title,
            "digitised_on": _day(digitised),
            "pages": rng.randint(8, 400) if digitised else 0,
            "updated_at": _ts(stamp + timedelta(minutes=rng.randint(1, 120))),
        }
