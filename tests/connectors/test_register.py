from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from checker.errors import SourceError
from checker.store.records import AgencyDocumentRecord, Quarantined, Read
from connectors.register import RegisterLimits, read_register, split_code, split_type

pytestmark = pytest.mark.usefixtures("english")  # the messages these tests spell out

AGENCY = "000.00.00.H01"
INCOMING_HEADER = [
    "Ngày\nđến",
    "Số\nđến",
    "Tác giả",
    "Số, ký hiệu",
    "Ngày tháng",
    "Tên loại và trích yếu nội dung",
    "Đơn vị hoặc\nngười nhận",
    "Ký nhận",
    "Ghi chú",
    "Hình thức nhận",
]
OUTGOING_HEADER = [
    "Số, ký hiệu văn bản",
    "Ngày tháng văn bản",
    "Tên loại và trích yếu nội dung văn bản",
    "Người ký",
    "Nơi nhận văn bản",
    "Đơn vị, người nhận bản lưu",
    "Số lượng bản",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
    "Độ khẩn",
]


def write_xlsx(
    path: Path, rows: Sequence[Sequence[object]], merges: Sequence[str] = (), title: str = "Sổ"
) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for cells in merges:
        sheet.merge_cells(cells)
    book.save(path)
    return path


def write_csv(path: Path, lines: Sequence[str], encoding: str = "utf-8-sig") -> Path:
    path.write_bytes("\r\n".join(lines).encode(encoding))
    return path


def read_all(path: Path, **options: object) -> tuple[list[Read], list[Quarantined]]:
    items = list(read_register(path, organ_id=AGENCY, **options))  # type: ignore[arg-type]
    reads = [item for item in items if isinstance(item, Read)]
    return reads, [item for item in items if isinstance(item, Quarantined)]


def documents(reads: list[Read]) -> list[AgencyDocumentRecord]:
    found = [read.record for read in reads]
    assert all(isinstance(record, AgencyDocumentRecord) for record in found)
    return found  # type: ignore[return-value]


def records(path: Path, **options: object) -> list[AgencyDocumentRecord]:
    return documents(read_all(path, **options)[0])


def source_error(path: Path, **options: object) -> str:
    with pytest.raises(SourceError) as caught:
        read_register(path, organ_id=AGENCY, **options)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "\n" not in message
    return message


def incoming_register(tmp_path: Path) -> Path:
    """An export as agencies have them: titles, merged cells, a numbering row, a bad row."""
    rows: list[list[object]] = [
        ["UBND QUẬN HẢI CHÂU"],
        ["SỔ ĐĂNG KÝ VĂN BẢN ĐẾN"],
        ["Năm 2025"],
        [],
        list(INCOMING_HEADER),
        list(range(1, 11)),
        [
            datetime(2025, 1, 6, 8, 30),
            1,
            "Văn phòng Chính phủ (000.00.00.G22)",
            "7816/VPCP-TTĐT",
            date(2024, 12, 30),
            "Công văn V/v triển khai Nghị định 30",
            "Phòng Nội vụ",
            None,
            None,
            "Trục liên thông",
        ],
        [
            "07/01/2025 14:05",
            2,
            "Sở Nội vụ",
            "12/SNV-VTLT",
            "06/01/2025",
            "Kế hoạch kiểm tra công tác văn thư, lưu trữ",
            "Văn phòng",
            None,
            None,
            "Giấy",
        ],
        ["30/02/2025", 3, "Sở Tài chính", "5/STC-NS", "27/02/2025", "Công văn về dự toán"],
        [],
        [
            45665,
            4,
            "Công an thành phố",
            "88/CATP",
            None,
            "Thông báo lịch trực",
            None,
            None,
            None,
            "Thư điện tử",
        ],
        [date(2025, 1, 9), 5],
    ]
    return write_xlsx(tmp_path / "so-den.xlsx", rows, merges=["A1:D1", "A2:J2", "A3:J3"])


# --- incoming registers ----------------------------------------------------------------------


def test_incoming_register_rows_become_incoming_documents(tmp_path):
    first, second, third = records(incoming_register(tmp_path))
    assert first == AgencyDocumentRecord(
        organ_id=AGENCY,
        direction="in",
        external_id="in:2025:1",
        code_number="7816",
        code_notation="VPCP-TTĐT",
        type_name="Công văn",
        subject="V/v triển khai Nghị định 30",
        sender_id="000.00.00.G22",
        sender_name="Văn phòng Chính phủ (000.00.00.G22)",
        promulgation_date=date(2024, 12, 30),
        channel="axis",
        arrival_number="1",
        arrived_at=datetime(2025, 1, 6, 8, 30),
        registered_at=datetime(2025, 1, 6, 8, 30),
    )
    assert (second.arrived_at, second.promulgation_date) == (
        datetime(2025, 1, 7, 14, 5),
        date(2025, 1, 6),
    )
    assert (second.type_name, second.subject) == ("Kế hoạch", "kiểm tra công tác văn thư, lưu trữ")
    assert (second.channel, second.sender_id, second.sender_name) == ("paper", None, "Sở Nội vụ")
    assert (third.arrived_at, third.channel, third.external_id) == (
        datetime(2025, 1, 8),
        "email",
        "in:2025:4",
    )


def test_unusable_rows_are_quarantined_with_their_spreadsheet_row(tmp_path):
    path = incoming_register(tmp_path)
    reads, quarantined = read_all(path, source="register-hc")
    locator = str(path.absolute())
    assert [r.locator for r in reads] == [f"{locator}#row{n}" for n in (7, 8, 11)]
    assert [(q.source, q.locator, q.reason) for q in quarantined] == [
        ("register-hc", f"{locator}#row9", "row 9: column 'Ngày đến': '30/02/2025' is not a date"),
        ("register-hc", f"{locator}#row12", "row 12: no number and no subject"),
    ]
    assert quarantined[0].excerpt == (
        "30/02/2025 | 3 | Sở Tài chính | 5/STC-NS | 27/02/2025 | Công văn về dự toán"
    )
    assert quarantined[0].content_hash


def test_a_value_the_record_refuses_names_the_column_as_the_file_heads_it(tmp_path):
    lines = [
        "Ngày đến;Số đến;Tác giả;Số, ký hiệu;Ngày tháng văn bản;Trích yếu",
        "03/03/2025;1;UBND;12/UBND-VP;01/03/1850;Công văn năm 1850",
        "1850-03-03;2;UBND;13/UBND-VP;01/03/2025;Công văn đến năm 1850",
    ]
    _reads, quarantined = read_all(write_csv(tmp_path / "so-den.csv", lines))
    assert [q.reason for q in quarantined] == [
        "row 2: column 'Ngày tháng văn bản': 1850-03-01 is before 1990: not a logged time",
        "row 3: column 'Ngày đến': 1850-03-03 00:00:00 is before 1990: not a logged time",
    ]


def test_register_errors_are_raised_before_any_row_is_read(tmp_path):
    path = write_xlsx(tmp_path / "empty.xlsx", [["Sổ đăng ký"], ["Năm 2025"]])
    assert "no header row in the first 30 rows" in source_error(path)


def test_reimporting_an_updated_export_keeps_the_external_ids(tmp_path):
    row = [date(2025, 2, 3), 17, "Sở Y tế", "40/SYT", "01/02/2025", "Báo cáo tháng 1"]
    before = write_xlsx(tmp_path / "before.xlsx", [INCOMING_HEADER[:6], row])
    after = write_xlsx(
        tmp_path / "after.xlsx",
        [["Sổ đăng ký văn bản đến"], INCOMING_HEADER[:6], [*row[:5], "Báo cáo tháng 1/2025"]],
    )
    assert [r.external_id for r in records(before)] == ["in:2025:17"]
    assert [r.external_id for r in records(after)] == ["in:2025:17"]


def test_a_second_row_with_the_same_arrival_number_is_quarantined(tmp_path):
    row = [date(2025, 2, 3), 17, "Sở Y tế", "40/SYT", "01/02/2025", "Báo cáo tháng 1"]
    path = write_xlsx(tmp_path / "dup.xlsx", [INCOMING_HEADER[:6], row, row])
    reads, quarantined = read_all(path)
    assert len(reads) == 1
    assert quarantined[0].reason == "row 3: the same document as row 2 (in:2025:17)"


def test_header_of_two_rows_with_merged_cells(tmp_path):
    rows: list[list[object]] = [
        ["Ngày, tháng đến", "Số đến", "Tác giả", "Văn bản", None, "Trích yếu", "Giờ đến"],
        [None, None, None, "Số, ký hiệu", "Ngày tháng", None, None],
        ["1", "2", "3", "4", "5", "6", "7"],
        [
            "04/03/2025",
            "21",
            "UBND phường Hòa Cường",
            "9/UBND",
            "03/03/2025",
            "Tờ trình: xin ý kiến",
            "15h20",
        ],
    ]
    merges = ["A1:A2", "B1:B2", "C1:C2", "D1:E1", "F1:F2", "G1:G2"]
    (record,) = records(write_xlsx(tmp_path / "two-rows.xlsx", rows, merges))
    assert (record.code, record.promulgation_date) == ("9/UBND", date(2025, 3, 3))
    assert (record.type_name, record.subject) == ("Tờ trình", "xin ý kiến")
    assert record.arrived_at == datetime(2025, 3, 4, 15, 20)


def test_extra_columns_in_any_order_fill_the_lifecycle(tmp_path):
    header = ["Mã hồ sơ", "Trích yếu", "Hạn giải quyết", "Ngày chuyển giao", "Độ khẩn",
              "Số ký hiệu", "Số đến", "NGÀY ĐẾN"]  # fmt: skip
    row = ["H01.2025.05", "Đề nghị cung cấp số liệu", "14/03/2025", "11/03/2025 09:15",
           "Thượng khẩn", "30/SKHĐT-TH", "105", "10/03/2025 16:40"]  # fmt: skip
    (record,) = records(write_xlsx(tmp_path / "extra.xlsx", [header, row]))
    assert (record.file_code, record.due_date, record.priority) == (
        "H01.2025.05",
        date(2025, 3, 14),
        2,
    )
    assert (record.arrived_at, record.assigned_at, record.arrival_number) == (
        datetime(2025, 3, 10, 16, 40),
        datetime(2025, 3, 11, 9, 15),
        "105",
    )


def test_headers_repeated_on_each_printed_page_are_skipped(tmp_path):
    row = [date(2025, 2, 3), 17, "Sở Y tế", "40/SYT", "01/02/2025", "Báo cáo tháng 1"]
    later = [date(2025, 2, 4), 18, "Sở Y tế", "41/SYT", "02/02/2025", "Báo cáo quý"]
    header = INCOMING_HEADER[:6]
    path = write_xlsx(tmp_path / "pages.xlsx", [header, row, header, list(range(1, 7)), later])
    reads, quarantined = read_all(path)
    assert [r.locator.rsplit("#", 1)[1] for r in reads] == ["row2", "row5"]
    assert quarantined == []


def test_workbook_stating_wrong_dimensions_and_no_styles_is_read_whole(tmp_path):
    """Some exporters write <dimension ref="A1"/> and no styles part: dates come as serials."""
    rows: list[list[object]] = [list(INCOMING_HEADER[:6])]
    rows += [[date(2025, 1, n), n, "Sở Y tế", f"{n}/SYT", None, "Báo cáo"] for n in (1, 2, 3)]
    written = write_xlsx(tmp_path / "written.xlsx", rows)
    path = tmp_path / "exported.xlsx"
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', data)
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = re.sub(rb'<Relationship [^>]*styles.xml"/>', b"", data)
            if item.filename != "xl/styles.xml":
                target.writestr(item, data)
    arrivals = [r.arrived_at for r in records(path)]
    assert arrivals == [datetime(2025, 1, n) for n in (1, 2, 3)]


def test_the_sheet_that_looks_like_a_register_is_read(tmp_path):
    book = openpyxl.Workbook()
    notes = book.active
    assert notes is not None
    notes.append(["Hướng dẫn: sổ đăng ký ở trang sau"])
    register = book.create_sheet("Sổ đến")
    register.append(INCOMING_HEADER[:6])
    register.append([date(2025, 2, 3), 17, "Sở Y tế", "40/SYT", "01/02/2025", "Báo cáo"])
    book.save(tmp_path / "two-sheets.xlsx")
    assert [r.arrival_number for r in records(tmp_path / "two-sheets.xlsx")] == ["17"]


@pytest.mark.parametrize(
    ("cell", "channel"),
    [
        ("Trục liên thông", "axis"),
        ("Điện tử", "axis"),
        ("LGSP", "axis"),
        ("Email", "email"),
        ("Thư điện tử", "email"),
        ("Giấy", "paper"),
        ("Trực tiếp", "paper"),
        ("Bưu điện", "paper"),
        (None, "email"),
    ],
)
def test_channel_column_overrides_the_default_channel(tmp_path, cell, channel):
    header = [*INCOMING_HEADER[:6], "Phương thức nhận"]
    row = [date(2025, 2, 3), 17, "Sở Y tế", "40/SYT", "01/02/2025", "Báo cáo", cell]
    path = write_xlsx(tmp_path / "channel.xlsx", [header, row])
    assert [r.channel for r in records(path, default_channel="email")] == [channel]


def test_unknown_channel_is_quarantined(tmp_path):
    header = [*INCOMING_HEADER[:6], "Hình thức"]
    row = [date(2025, 2, 3), 17, "Sở Y tế", "40/SYT", "01/02/2025", "Báo cáo", "Bồ câu"]
    _, (bad,) = read_all(write_xlsx(tmp_path / "channel.xlsx", [header, row]))
    assert bad.reason == "row 2: channel 'Bồ câu' is not known (axis, email or paper)"


# --- outgoing registers ----------------------------------------------------------------------


def test_outgoing_register_rows_become_outgoing_documents(tmp_path):
    rows: list[list[object]] = [
        ["SỔ ĐĂNG KÝ VĂN BẢN ĐI"],
        list(OUTGOING_HEADER),
        [
            "15/QĐ-UBND",
            date(2025, 3, 3),
            "Quyết định ban hành Danh mục hồ sơ năm 2025",
            "Nguyễn Văn A",
            "Các phòng; 000.00.00.H41; H01.151.01",
            "Văn thư",
            5,
            datetime(2025, 3, 4, 9, 0),
            None,
            None,
            "Khẩn",
        ],
        ["16/UBND-VP", "2025-03-05", "Giấy mời họp giao ban", "Trần B", "Các phường"],
        ["15/QĐ-UBND", "03/03/2025", "Quyết định (bản sửa)", "Nguyễn Văn A", "Các phòng"],
        ["17/UBND-VP", None, "Công văn gửi Sở", "Trần B", "Sở Nội vụ"],
    ]
    path = write_xlsx(tmp_path / "so-di.xlsx", rows, merges=["A1:K1"])
    reads, quarantined = read_all(path)
    first, second = documents(reads)
    assert first == AgencyDocumentRecord(
        organ_id=AGENCY,
        direction="out",
        external_id="out:2025:15/QĐ-UBND",
        code_number="15",
        code_notation="QĐ-UBND",
        type_name="Quyết định",
        subject="ban hành Danh mục hồ sơ năm 2025",
        recipient_ids=("000.00.00.H41", "H01.151.01"),
        promulgation_date=date(2025, 3, 3),
        priority=1,
        channel="paper",
        issued_at=datetime(2025, 3, 4, 9, 0),
    )
    assert (second.type_name, second.subject, second.recipient_ids) == (
        "Giấy mời",
        "họp giao ban",
        (),
    )
    assert [q.reason for q in quarantined] == [
        "row 5: the same document as row 3 (out:2025:15/QĐ-UBND)",
        "row 6: no document date",
    ]


def test_separate_number_and_notation_columns(tmp_path):
    header = ["Số", "Ký hiệu", "Ngày ban hành", "Trích yếu", "Loại văn bản", "Người ký"]
    row = [7, "TB-UBND", "10.01.2025", "Lịch tiếp công dân", "Thông báo", "Lê C"]
    (record,) = records(write_xlsx(tmp_path / "cols.xlsx", [header, row]))
    assert (record.code, record.type_name, record.subject) == (
        "7/TB-UBND",
        "Thông báo",
        "Lịch tiếp công dân",
    )


# --- direction and header problems -----------------------------------------------------------


def test_direction_is_told_by_the_title_when_the_columns_do_not_tell(tmp_path):
    rows = [
        ["SỔ ĐĂNG KÝ VĂN BẢN ĐI"],
        ["Số, ký hiệu", "Ngày tháng", "Trích yếu"],
        ["3/UBND", "03/01/2025", "Công văn"],
    ]
    (record,) = records(write_xlsx(tmp_path / "di.xlsx", rows))
    assert (record.direction, record.type_name, record.subject) == ("out", "Công văn", None)


def test_register_whose_direction_cannot_be_told_is_refused(tmp_path):
    path = write_xlsx(tmp_path / "so.xlsx", [["Số, ký hiệu", "Ngày tháng", "Trích yếu"]])
    assert source_error(path) == (
        f"register {path}: the header on row 1 does not tell an incoming from an outgoing "
        "register; give the direction (in or out)"
    )
    assert records(path, direction="out") == []


def test_direction_given_against_the_header_is_refused(tmp_path):
    path = write_xlsx(tmp_path / "den.xlsx", [INCOMING_HEADER])
    message = source_error(path, direction="out")
    assert message == (
        f"register {path}: the header on row 1 is that of an incoming register, not an outgoing one"
    )


def test_missing_columns_are_named_with_the_header_row(tmp_path):
    rows = [["Sổ đăng ký văn bản đến"], ["Ngày đến", "Số đến", "Tác giả", "Ghi chú"]]
    path = write_xlsx(tmp_path / "den.xlsx", rows)
    assert source_error(path) == (
        f"register {path}: the header on row 2 (Ngày đến | Số đến | Tác giả | Ghi chú) has no "
        "column for 'Số, ký hiệu', 'Tên loại và trích yếu', needed in an incoming register"
    )


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("broken.xlsx", b"PK\x03\x04 not really a zip", "is not a readable XLSX workbook"),
        ("text.xlsx", b"Ngay den;So den\r\n", "is not a readable XLSX workbook"),
        ("old.xls", b"\xd0\xcf\x11\xe0", ".xls is not read; export the register as .xlsx or .csv"),
        ("cp1258.csv", b"Ng\xe0y \xf0\xea\xecn;S\xf4\xec \xf0\xea\xecn", "not UTF-8 text (byte 2)"),
    ],
)
def test_unreadable_files_are_refused_in_one_line(tmp_path, name, data, expected):
    path = tmp_path / name
    path.write_bytes(data)
    message = source_error(path)
    assert message.startswith(f"register {path}")
    assert expected in message


def test_missing_file_is_refused(tmp_path):
    assert "there is no such file or folder" in source_error(tmp_path / "absent.xlsx")


# --- CSV -------------------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_csv_with_bom_and_any_delimiter_and_headers_without_diacritics(tmp_path, delimiter):
    cells = [
        ["SO DANG KY VAN BAN DEN"],
        ["NGAY DEN", "So den", "Tac gia", "So, ky hieu", "Ngay thang", "Trich yeu", "Do khan"],
        [
            "2025-01-06 08:30",
            "1",
            "Bộ Nội vụ",
            "120/BNV-VP",
            "2025-01-03",
            "Công văn hướng dẫn",
            "Hỏa tốc",
        ],
        ["06/01/2025", "2", "Sở Xây dựng", "", "", "", ""],
    ]
    lines = [delimiter.join(f'"{c}"' if delimiter in c else c for c in row) for row in cells]
    reads, quarantined = read_all(write_csv(tmp_path / "so-den.csv", lines))
    (record,) = documents(reads)
    assert (record.arrived_at, record.code, record.priority) == (
        datetime(2025, 1, 6, 8, 30),
        "120/BNV-VP",
        3,
    )
    assert [q.reason for q in quarantined] == ["row 4: no number and no subject"]


def test_csv_without_bom_is_read(tmp_path):
    lines = ["Ngày đến,Số đến,Số ký hiệu,Trích yếu", "06/01/2025,1,1/UBND,Công văn"]
    (record,) = records(write_csv(tmp_path / "plain.csv", lines, encoding="utf-8"))
    assert record.code == "1/UBND"


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("123/UBND-VP", ("123", "UBND-VP")),
        ("01/2025/TT-BTC", ("01", "2025/TT-BTC")),
        ("Số 45 / SNV-VP", ("45", "SNV-VP")),
        ("12a/QĐ-UBND", ("12a", "QĐ-UBND")),
        ("88", ("88", None)),
        ("KH-UBND", (None, "KH-UBND")),
        (None, (None, None)),
    ],
)
def test_number_and_notation_are_split(text, parts):
    assert split_code(text) == parts


@pytest.mark.parametrize(
    ("subject", "parts"),
    [
        ("Công văn V/v cử cán bộ", ("Công văn", "V/v cử cán bộ")),
        ("QUYẾT ĐỊNH về việc thành lập", ("Quyết định", "về việc thành lập")),
        ("Cong van ve viec", ("Công văn", "ve viec")),
        ("Báo cáo: kết quả", ("Báo cáo", "kết quả")),
        ("Về việc cử cán bộ", (None, "Về việc cử cán bộ")),
        ("Công vụ năm 2025", (None, "Công vụ năm 2025")),
    ],
)
def test_type_name_is_split_from_the_subject(subject, parts):
    assert split_type(subject, None) == parts


# --- Limits: bounded memory, one bad row set aside --------------------------------------------


def _outgoing_rows(count: int) -> list[list[object]]:
    return [
        [f"{n}/UBND-VP", f"0{1 + n % 9}/03/2025", f"Công văn số {n}", "Nguyễn Văn A", "Sở Nội vụ"]
        for n in range(1, count + 1)
    ]


def test_a_workbook_unpacking_past_the_limit_is_refused_before_it_is_read(tmp_path):
    path = write_xlsx(tmp_path / "big.xlsx", [OUTGOING_HEADER[:5], *_outgoing_rows(200)])
    message = source_error(path, limits=RegisterLimits(max_unpacked_bytes=20_000))
    assert message.startswith(f"register {path}: the workbook unpacks to 0 MiB, more than 0 MiB")
    assert "raise max_unpacked_bytes in the deployment file's [registers] section" in message


def test_a_register_past_the_row_limit_stops_with_an_error_naming_it(tmp_path):
    path = write_xlsx(tmp_path / "long.xlsx", [OUTGOING_HEADER[:5], *_outgoing_rows(50)])
    with pytest.raises(SourceError) as caught:
        list(read_register(path, organ_id=AGENCY, limits=RegisterLimits(max_rows=20)))
    assert str(caught.value) == (
        f"register {path}: more than 20 rows; the rows after that were not read "
        "(raise max_rows in the deployment file's [registers] section)"
    )


def test_a_row_with_an_over_long_cell_is_set_aside_and_the_rest_read(tmp_path):
    rows = [OUTGOING_HEADER[:5], *_outgoing_rows(5)]
    rows[3][2] = "x" * 20_000  # openpyxl writes at most Excel's 32767
    path = write_xlsx(tmp_path / "cell.xlsx", rows)
    reads, aside = read_all(path, limits=RegisterLimits(max_cell_chars=10_000))
    assert len(reads) == 4
    assert [q.reason for q in aside] == [
        "row 4: cell 3 holds 20000 characters, more than 10000 "
        "(max_cell_chars in the deployment file's [registers] section)"
    ]


def test_a_csv_with_one_huge_field_sets_that_row_aside_and_keeps_the_rest(tmp_path):
    lines = [";".join(OUTGOING_HEADER[:5])]
    lines += [";".join(map(str, row)) for row in _outgoing_rows(6)]
    lines[3] = lines[3].replace("Công văn số 3", "Công văn " + "y" * 2_000_000)
    reads, aside = read_all(write_csv(tmp_path / "field.csv", lines))
    assert len(reads) == 5
    assert len(aside) == 1 and aside[0].reason.startswith("row 4: not a readable CSV row (field")
