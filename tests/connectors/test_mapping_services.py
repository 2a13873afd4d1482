"""The reference endpoints and vendor mappings of the one-stop-shop software and of the
archive software's digitisation register (connectors/mapping.py)."""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from pathlib import Path

import pytest

from checker.errors import RecordError
from checker.store.records import DigitisedFileRecord, DossierRecord
from connectors.compiler import map_record
from connectors.mapping import HttpSource, reference_endpoints

pytestmark = pytest.mark.usefixtures("english")  # the messages these tests spell out

REPO = Path(__file__).resolve().parents[2]
AGENCY = "000.00.01.H99"
DOSSIER = {
    "id": "mc-1",
    "dossier_code": f"{AGENCY}-250303-0001",
    "agency_code": AGENCY,
    "procedure_code": "1.004227",
    "procedure_name": "Đăng ký khai sinh",
    "received_at": "2025-03-03T08:15:00+07:00",
    "due_at": "2025-03-04T17:00:00+07:00",
    "returned_at": "2025-03-04T09:30:00+07:00",
    "status": "returned",
    "electronic_file": True,
    "online": False,
    "updated_at": "2025-03-04T09:31:00+07:00",
}


def test_a_onestop_source_of_the_reference_api_reads_its_dossiers():
    source = HttpSource.model_validate(
        {"name": "mc", "kind": "http", "system": "onestop", "base_url": "http://h/onestop/v1"}
    )
    (endpoint,) = source.all_endpoints()
    assert (endpoint.name, endpoint.path, endpoint.record) == ("dossiers", "dossiers", "dossier")
    record = map_record(endpoint, DOSSIER, AGENCY)
    assert isinstance(record, DossierRecord)
    assert (record.handled_by, record.agency) == (AGENCY, AGENCY)
    assert record.received_at == datetime(2025, 3, 3, 8, 15)
    assert record.returned_at == datetime(2025, 3, 4, 9, 30)


def test_the_archive_reference_api_adds_the_digitisation_register_after_the_transfers():
    names = [e.name for e in reference_endpoints("archive")]
    assert names == ["transfers-agency-archive", "transfers-historical-archive", "digitised-files"]
    endpoint = reference_endpoints("archive")[-1]
    raw = {"id": "sh-1", "file_code": "F", "title": None, "digitised_on": "2025-05-12",
           "pages": 120, "updated_at": "2025-05-12T16:00:00+07:00"}  # fmt: skip
    record = map_record(endpoint, raw, AGENCY)
    assert isinstance(record, DigitisedFileRecord)
    assert (record.digitised_on, record.pages) == (date(2025, 5, 12), 120)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"received_at": "2099-01-01T08:00:00+07:00", "due_at": None, "returned_at": None,
          "status": "processing"}, "received_at 2099-01-01 08:00:00 is in the future"),
        ({"received_at": "1850-03-03T08:00:00+07:00"},
         "^received_at 1850-03-03 08:00:00 is before 1990"),
        ({"returned_at": "2025-03-01T08:00:00+07:00"}, "is before received_at"),
        ({"status": "done"}, "status: 'done'"),
        ({"received_at": None}, "received_at: None"),
    ],
)  # fmt: skip
def test_a_nonsense_dossier_is_an_unusable_record_with_the_reason(change, reason):
    (endpoint,) = reference_endpoints("onestop")
    with pytest.raises(RecordError, match=reason.replace("(", r"\(")):
        map_record(endpoint, {**DOSSIER, **change}, AGENCY)


@pytest.fixture(scope="module")
def vendor():
    raw = tomllib.loads((REPO / "config/vendors/example-onestop.toml").read_text("utf-8"))
    sources = [HttpSource.model_validate(s) for s in raw["sources"]]
    return {e.name: e for s in sources for e in s.all_endpoints()}


def test_the_example_onestop_vendor_maps_its_vietnamese_fields_and_value_words(vendor):
    raw = {
        "id": 88,
        "MaHoSo": f"{AGENCY}-250303-0007",
        "MaDonViXuLy": "H99.02",
        "ThuTuc": {"Ma": "1.004227", "Ten": "Đăng ký khai sinh"},
        "NgayTiepNhan": "03/03/2025 08:15:00",
        "NgayHenTra": "04/03/2025 17:00:00",
        "NgayTraKetQua": "04/03/2025 09:30:00",
        "TrangThai": "Đã trả kết quả",
        "LuuTruDienTu": "Có",
        "NopTrucTuyen": True,
        "NgayCapNhat": "04/03/2025 09:31:00",
    }
    record = map_record(vendor["ho-so-tthc"], raw, AGENCY)
    assert isinstance(record, DossierRecord)
    assert (record.external_id, record.status, record.electronic_file) == ("88", "returned", True)
    assert (record.agency, record.procedure_name) == ("H99.02", "Đăng ký khai sinh")
    assert record.due_at == datetime(2025, 3, 4, 17)
    waiting = {**raw, "TrangThai": "Chờ bổ sung", "NgayTraKetQua": None, "LuuTruDienTu": "Không"}
    record = map_record(vendor["ho-so-tthc"], waiting, AGENCY)
    assert isinstance(record, DossierRecord)
    assert (record.status, record.returned_at, record.electronic_file) == (
        "processing",
        None,
        False,
    )


def test_the_example_digitisation_register_maps_days_and_pages(vendor):
    raw = {
        "ma": "sh-1",
        "ma_ho_so": f"{AGENCY}.2019.LT.01",
        "tieu_de": "Hồ sơ",
        "ngay_so_hoa": "12/05/2025",
        "so_trang_so_hoa": 120,
        "cap_nhat": "12/05/2025 16:00:00",
    }
    record = map_record(vendor["so-hoa"], raw, AGENCY)
    assert isinstance(record, DigitisedFileRecord)
    assert (record.digitised_on, record.pages) == (date(2025, 5, 12), 120)
    with pytest.raises(RecordError, match="so_trang_so_hoa: -2"):
        map_record(vendor["so-hoa"], {**raw, "so_trang_so_hoa": -2}, AGENCY)
