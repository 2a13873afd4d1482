from __future__ import annotations

import re
import tomllib
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from checker.config import load_deployment
from checker.errors import ConfigError, RecordError
from checker.i18n import Language, speaking
from checker.store.records import AgencyDocumentRecord, FileRecord, TransferRecord
from connectors.compiler import _iso_date, _iso_datetime, _when, map_record
from connectors.mapping import Endpoint, HttpSource, reference_endpoints

pytestmark = pytest.mark.usefixtures("english")  # the messages these tests spell out

REPO = Path(__file__).resolve().parents[2]
AGENCY = "000.00.01.H99"


def reference(name):
    system = "archive" if name.startswith("transfers") else "documents"
    return next(e for e in reference_endpoints(system) if e.name == name)


INCOMING = {
    "id": "in-1",
    "document_id": "000.00.00.H41,2025/03/01,45/UBND-VP",
    "number": "45",
    "notation": "UBND-VP",
    "type_name": "Công văn",
    "subject": "V/v kiểm tra công tác văn thư",
    "sender_code": "000.00.00.H41",
    "sender_name": "UBND tỉnh",
    "issued_date": "2025-03-01",
    "arrival_number": "102",
    "arrived_at": "2025-03-03T09:15:00+07:00",
    "registered_at": "2025-03-03T02:30:00Z",
    "submitted_at": None,
    "assigned_at": None,
    "channel": "axis",
    "urgency": 1,
    "due_date": None,
    "file_code": None,
    "digitally_signed": True,
    "recalled": False,
    "updated_at": "2025-03-03T10:00:00+07:00",
}


def test_a_reference_incoming_document_maps_to_naive_vietnam_times():
    record = map_record(reference("incoming-documents"), INCOMING, AGENCY)
    assert isinstance(record, AgencyDocumentRecord)
    assert (record.organ_id, record.direction, record.external_id) == (AGENCY, "in", "in-1")
    assert record.code == "45/UBND-VP"
    assert record.promulgation_date == date(2025, 3, 1)
    assert record.arrived_at == datetime(2025, 3, 3, 9, 15)
    assert record.registered_at == datetime(2025, 3, 3, 9, 30)  # 02:30 UTC
    assert (record.priority, record.channel, record.sender_id) == (1, "axis", "000.00.00.H41")


def test_a_reference_outgoing_document_keeps_its_recipients():
    raw = {
        "id": "out-1",
        "document_id": None,
        "number": 7,
        "notation": "SNV-VP",
        "recipients": ["000.00.02.H99", "000.00.03.H99"],
        "issued_date": "2025-03-04",
        "signed_at": "2025-03-04T16:00:00+07:00",
        "issued_at": "2025-03-05T08:00:00+07:00",
        "channel": "axis",
        "urgency": 0,
        "digitally_signed": True,
        "recalled": False,
        "updated_at": "2025-03-05T08:00:00+07:00",
    }
    record = map_record(reference("outgoing-documents"), raw, AGENCY)
    assert isinstance(record, AgencyDocumentRecord)
    assert record.direction == "out"
    assert record.code_number == "7"  # a number given as a JSON number
    assert record.recipient_ids == ("000.00.02.H99", "000.00.03.H99")


@pytest.mark.parametrize(("code", "years"), [("01", None), ("02", 70), ("04", 30), ("06", 10)])
def test_a_files_retention_code_gives_its_years(code, years):
    raw = {"id": "f", "file_code": f"{AGENCY}.2025.01", "year": 2025, "retention": code}
    record = map_record(reference("files"), raw, AGENCY)
    assert isinstance(record, FileRecord)
    assert (record.retention_code, record.retention_years) == (code, years)


def test_a_transfer_maps_with_its_kind():
    raw = {
        "id": "t",
        "file_code": "X.2020.01",
        "kind": "agency_archive",
        "transferred_on": "2021-05-02",
        "status": "received",
        "retention": "03",
        "updated_at": "2021-05-02T08:00:00+07:00",
    }
    record = map_record(reference("transfers-agency-archive"), raw, AGENCY)
    assert isinstance(record, TransferRecord)
    assert (record.kind, record.transferred_on) == ("agency_archive", date(2021, 5, 2))
    assert reference("transfers-agency-archive").extra_params == {"kind": "agency_archive"}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"id": None}, "id: None is not text"),
        ({"arrived_at": "not a date"}, "arrived_at: 'not a date' does not match ISO 8601"),
        ({"urgency": 7}, "urgency: 7 is above the maximum 4"),
        ({"channel": "fax"}, "channel: 'fax' is not one of 'axis', 'email', 'paper'"),
    ],
)
def test_an_unusable_record_says_which_of_their_fields_is_wrong(change, reason):
    with pytest.raises(RecordError) as info:
        map_record(reference("incoming-documents"), {**INCOMING, **change}, AGENCY)
    assert info.value.reason == reason
    assert info.value.excerpt.startswith('{"id": ')


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"id": None}, "id: None không phải là chuỗi ký tự"),
        ({"urgency": 7}, "urgency: 7 lớn hơn mức tối đa 4"),
        ({"channel": "fax"}, "channel: 'fax' không phải là một trong 'axis', 'email', 'paper'"),
    ],
)
def test_an_unusable_record_is_told_in_vietnamese_by_default(change, reason):
    with speaking(Language.vi), pytest.raises(RecordError) as info:
        map_record(reference("incoming-documents"), {**INCOMING, **change}, AGENCY)
    assert info.value.reason == reason


def test_a_missing_id_is_named():
    raw = {k: v for k, v in INCOMING.items() if k != "id"}
    with pytest.raises(RecordError, match=r"^id: missing$"):
        map_record(reference("incoming-documents"), raw, AGENCY)


def test_a_retention_code_outside_the_defaults_is_kept_for_the_deployment_to_read():
    raw = {"id": "f", "file_code": "X.2025.01", "year": 2025, "retention": "09"}
    record = map_record(reference("files"), raw, AGENCY)
    assert isinstance(record, FileRecord)
    assert (record.retention_code, record.retention_years) == ("09", None)


def test_something_other_than_an_object_is_an_unusable_record():
    with pytest.raises(RecordError, match=r"^not a JSON object but list$"):
        map_record(reference("files"), [1], AGENCY)


def test_dates_follow_the_configured_formats():
    endpoint = Endpoint(
        name="files",
        record="file_list",
        path="danh-muc",
        fields={"external_id": "ma", "year": "nam", "issued_on": "ngay_ban_hanh"},
        date_formats=("%d/%m/%Y",),
    )
    record = map_record(endpoint, {"ma": 1, "nam": 2025, "ngay_ban_hanh": "06/01/2025"}, AGENCY)
    assert record.issued_on == date(2025, 1, 6)  # type: ignore[union-attr]
    with pytest.raises(RecordError, match=r"^ngay_ban_hanh: '30/02/2025' does not match %d/%m/%Y$"):
        map_record(endpoint, {"ma": 1, "nam": 2025, "ngay_ban_hanh": "30/02/2025"}, AGENCY)


# --- The example vendor mapping --------------------------------------------------------------

VENDOR_INCOMING = {
    "ma": 1201,
    "ma_van_ban_lien_thong": None,
    "thong_tin": {
        "so": 45,
        "ky_hieu": "UBND-VP",
        "loai_van_ban": "Công văn",
        "trich_yeu": "V/v nộp lưu hồ sơ",
        "ngay_ban_hanh": "01/03/2025",
    },
    "noi_gui": {"ma_dinh_danh": "000.00.00.H41", "ten": "UBND tỉnh"},
    "so_den": "102",
    "ngay_den": "03/03/2025 08:15:00",
    "xu_ly": {"ngay_vao_so": "03/03/2025 08:40", "ngay_trinh": None, "ngay_chuyen_xu_ly": ""},
    "han_xu_ly": "10/03/2025",
    "hinh_thuc_nhan": "Trục LGSP",
    "do_khan": "Thượng khẩn",
    "co_chu_ky_so": True,
    "ma_ho_so": None,
    "da_thu_hoi": False,
    "ngay_cap_nhat": "03/03/2025 09:00:00",
}


@pytest.fixture(scope="module")
def vendor():
    raw = tomllib.loads((REPO / "config/vendors/example-vendor.toml").read_text("utf-8"))
    source = HttpSource.model_validate(raw["sources"][0])
    return {e.name: e for e in source.all_endpoints()}


def test_the_example_vendor_maps_nested_vietnamese_fields_and_dd_mm_yyyy_dates(vendor):
    record = map_record(vendor["van-ban-den"], VENDOR_INCOMING, AGENCY)
    assert isinstance(record, AgencyDocumentRecord)
    assert record.external_id == "1201"
    assert record.code == "45/UBND-VP"
    assert record.promulgation_date == date(2025, 3, 1)
    assert record.arrived_at == datetime(2025, 3, 3, 8, 15)
    assert record.registered_at == datetime(2025, 3, 3, 8, 40)
    assert (record.submitted_at, record.assigned_at) == (None, None)
    assert (record.channel, record.priority) == ("axis", 2)
    assert record.due_date == date(2025, 3, 10)
    assert record.updated_at == datetime(2025, 3, 3, 9)


def test_the_example_vendor_maps_recipients_constants_and_files(vendor):
    outgoing = {
        "ma": "di-9",
        "thong_tin": {"so": "9", "ky_hieu": "SNV", "ngay_ban_hanh": "04/03/2025"},
        "noi_nhan": [{"ma_dinh_danh": "000.00.02.H99"}, {"ma_dinh_danh": "000.00.03.H99"}],
        "ky_so": {"thoi_diem_ky": "04/03/2025 16:00:00", "da_ky": True},
        "ngay_phat_hanh": "05/03/2025 08:00:00",
        "do_khan": "Thường",
        "ngay_cap_nhat": "05/03/2025 08:00:00",
    }
    record = map_record(vendor["van-ban-di"], outgoing, AGENCY)
    assert isinstance(record, AgencyDocumentRecord)
    assert record.recipient_ids == ("000.00.02.H99", "000.00.03.H99")
    assert (record.channel, record.signed_at) == ("axis", datetime(2025, 3, 4, 16))
    file = {
        "ma": 5,
        "ma_ho_so": f"{AGENCY}.2025.01",
        "nam": 2025,
        "thoi_han_bao_quan": {"ma": 5, "ten": "20 năm"},
        "ho_so_dien_tu": True,
    }
    record = map_record(vendor["ho-so"], file, AGENCY)
    assert isinstance(record, FileRecord)
    assert (record.retention_code, record.retention_years, record.electronic) == ("05", 20, True)


def test_the_example_vendor_sends_page_numbers_and_its_own_date_format(vendor):
    endpoint = vendor["van-ban-den"]
    assert endpoint.pagination.style == "page"
    assert (endpoint.incremental_param, endpoint.incremental_format) == (
        "tu_ngay_cap_nhat",
        "%d/%m/%Y %H:%M:%S",
    )


# --- Configuration ---------------------------------------------------------------------------


def test_a_source_of_the_reference_api_needs_only_url_auth_and_agencies():
    source = HttpSource.model_validate(
        {
            "name": "dms",
            "kind": "http",
            "system": "documents",
            "base_url": "http://h/api/v1/",
            "auth": {"type": "bearer", "token_env": "DMS_TOKEN"},
            "agencies": [AGENCY],
        }
    )
    assert [e.name for e in source.all_endpoints()] == [
        "incoming-documents",
        "outgoing-documents",
        "files",
        "file-lists",
    ]
    assert source.url_of(source.all_endpoints()[0]) == "http://h/api/v1/incoming-documents"
    assert source.agency_codes(["A", "B"]) == (AGENCY,)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"fields": {"external_id": "id", "colour": "c"}}, "fields names ['colour']"),
        (
            {"fields": {"title": "t"}},
            "no field or constant for ['external_id', 'file_code', 'year']",
        ),
        ({"incremental_field": "title"}, "incremental_field 'title' is not a date or time field"),
        ({"constants": {"year": 2025}}, "['year'] in both fields and constants"),
        ({"value_maps": {"listed": {"có": True}}}, "value_maps names ['listed']"),
    ],
)
def test_an_endpoint_that_does_not_fit_its_record_is_refused(change, message):
    good = {
        "name": "files",
        "record": "file",
        "path": "files",
        "fields": {"external_id": "id", "file_code": "code", "year": "year", "title": "t"},
    }
    with pytest.raises(ValidationError, match=re.escape(message)):
        Endpoint.model_validate({**good, **change})


def test_a_password_in_the_base_url_is_refused():
    with pytest.raises(ValidationError, match="must not carry a user or password"):
        HttpSource(name="d", kind="http", system="documents", base_url="https://u:p@h/api")


def test_a_deployment_file_takes_http_sources_next_to_edxml_ones(tmp_path):
    path = tmp_path / "checker.toml"
    path.write_text(
        '[[sources]]\nname = "axis"\nkind = "edxml"\npaths = ["edxml"]\n'
        '[[sources]]\nname = "dms"\nkind = "http"\nsystem = "documents"\n'
        'base_url = "http://127.0.0.1:8765/api/v1"\nauth = {type = "bearer", token_env = "T"}\n',
        encoding="utf-8",
    )
    deployment = load_deployment(path)
    assert [s.kind for s in deployment.sources] == ["edxml", "http"]
    path.write_text(path.read_text("utf-8") + "colour = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape("unknown key 'sources[1].http.colour'")):
        load_deployment(path)


# --- The compiled mapping --------------------------------------------------------------------


_ZONES = st.sampled_from(["+07:00", "Z", "+00:00", "-05:30", "+14:00", ""])


@given(
    when=st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
    zone=_ZONES,
    separator=st.sampled_from(["T", " "]),
    padding=st.sampled_from(["", " "]),
)
def test_times_read_by_the_fast_path_equal_the_general_iso_reading(when, zone, separator, padding):
    text = padding + when.replace(microsecond=0).isoformat(separator) + zone
    field = "arrived_at"
    assert _iso_datetime(text, field) == _when(text, (), field, as_date=False)


@given(
    text=st.one_of(
        st.dates().map(date.isoformat),
        st.text(alphabet="0123456789-+:TWZ ", min_size=8, max_size=27),
    )
)
def test_dates_and_odd_text_read_by_the_fast_path_equal_the_general_reading(text):
    for fast, as_date in ((_iso_date, True), (_iso_datetime, False)):
        try:
            expected = _when(text, (), "f", as_date=as_date)
        except RecordError as exc:
            with pytest.raises(RecordError, match=re.escape(exc.reason)):
                fast(text, "f")
        else:
            assert fast(text, "f") == expected


def test_an_endpoint_compiles_its_mapping_once():
    endpoint = reference("incoming-documents")
    assert endpoint.mapper is endpoint.mapper
    assert endpoint.mapper(INCOMING, AGENCY) == map_record(endpoint, INCOMING, AGENCY)


def test_a_formatted_date_read_again_is_the_same_and_a_bad_one_still_fails():
    endpoint = Endpoint(
        name="files",
        record="file_list",
        path="danh-muc",
        fields={"external_id": "ma", "year": "nam", "issued_on": "ngay_ban_hanh"},
        date_formats=("%d/%m/%Y %H:%M", "%d/%m/%Y"),
    )
    for _ in range(2):
        record = map_record(endpoint, {"ma": 1, "nam": 2025, "ngay_ban_hanh": "06/01/2025"}, AGENCY)
        assert record.issued_on == date(2025, 1, 6)  # type: ignore[union-attr]
        with pytest.raises(RecordError, match=r"does not match %d/%m/%Y %H:%M or %d/%m/%Y$"):
            map_record(endpoint, {"ma": 1, "nam": 2025, "ngay_ban_hanh": "6/13/2025"}, AGENCY)


# --- Custom fields of a generic DMS: transforms, picked list items, placeholders ------------


def custom(**changes):
    settings = {
        "name": "docs",
        "record": "incoming",
        "path": "document_types/{agency}/documents/",
        "records_path": "results",
        "fields": {
            "external_id": "id",
            "code_number": "metadata[metadata_type.name=so_ky_hieu].value",
            "code_notation": "metadata[metadata_type.name=so_ky_hieu].value",
            "priority": "metadata[metadata_type.name=do_khan].value",
        },
        "transforms": {
            "code_number": {"regex": r"^\s*(\d+)\s*/", "group": 1},
            "code_notation": {"split": "/", "part": 1},
        },
        "value_maps": {"priority": {"Khẩn": 1}},
        "constants": {"channel": "paper"},
        "incremental_field": "arrived_at",
    }
    settings.update(changes)
    return Endpoint.model_validate(settings)


def mayan_record(code, urgency="Khẩn"):
    return {
        "id": 7,
        "metadata": [
            {"metadata_type": {"name": "do_khan"}, "value": urgency},
            {"metadata_type": {"name": "so_ky_hieu"}, "value": code},
        ],
    }


def test_one_number_and_notation_field_gives_both_by_regex_and_split():
    record = map_record(custom(), mayan_record("45/UBND-VP"), AGENCY)
    assert (record.code_number, record.code_notation, record.priority) == ("45", "UBND-VP", 1)
    assert record.external_id == "7"


def test_a_named_regex_group_and_a_part_from_the_end_are_taken():
    transforms = {
        "code_number": {"regex": r"(?P<number>\d+)\s*/", "group": "number"},
        "code_notation": {"split": "/", "part": -1},
    }
    record = map_record(custom(transforms=transforms), mayan_record(" 12 /QĐ/UBND "), AGENCY)
    assert (record.code_number, record.code_notation) == ("12", "UBND")


def test_a_value_without_the_part_asked_is_an_unusable_record_naming_the_field():
    with pytest.raises(RecordError, match=r"has no part 1 by regex") as caught:
        map_record(custom(), mayan_record("UBND-VP"), AGENCY)
    assert caught.value.field == "metadata[metadata_type.name=so_ky_hieu].value"


def test_an_empty_value_stays_empty_through_a_transform():
    record = map_record(custom(), mayan_record(""), AGENCY)
    assert (record.code_number, record.code_notation) == (None, None)


@pytest.mark.parametrize(
    ("transforms", "message"),
    [
        ({"code_number": {"split": "/", "regex": "x"}}, "either split or regex"),
        ({"code_number": {"part": 1}}, "either split or regex"),
        ({"code_number": {"regex": "(unclosed"}}, "regex '\\(unclosed'"),
        ({"code_number": {"regex": r"\d+", "group": 1}}, "has no group 1"),
        ({"code_number": {"regex": r"(\d+)", "group": "n"}}, "has no group 'n'"),
        ({"subject": {"split": "/"}}, "transforms names \\['subject'\\]"),
    ],
)
def test_a_transform_that_cannot_work_is_refused_when_loaded(transforms, message):
    with pytest.raises(ValidationError, match=message):
        custom(transforms=transforms)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"path": "documents/{document_type}/"}, r"placeholder \{document_type\}.*nothing fills"),
        ({"extra_params": {"type": "{kind}"}}, r"placeholder \{kind\}"),
        ({"path": "documents/{agency/"}, "a brace without its pair"),
        (
            {
                "fields": {"external_id": "id", "subject": "m[a=b"},
                "transforms": {},
                "value_maps": {},
            },
            "field subject",
        ),
        (
            {"details": [{"attach_as": "m", "path": "documents/{}/metadata/"}]},
            r"empty placeholder",
        ),
        (
            {"details": [{"attach_as": "m", "path": "d/{id}/"}, {"attach_as": "m", "path": "x"}]},
            r"details attach \['m'\] twice",
        ),
    ],
)
def test_a_placeholder_nothing_fills_is_refused_when_loaded(changes, message):
    with pytest.raises(ValidationError, match=message):
        custom(**changes)


def test_placeholders_in_the_base_url_are_refused():
    with pytest.raises(ValidationError, match="must not carry placeholders"):
        HttpSource(name="s", kind="http", system="documents", base_url="http://h/{agency}")


def test_the_agency_goes_in_the_path_as_the_vendor_names_it_and_not_as_a_parameter():
    source = HttpSource(
        name="s",
        kind="http",
        system="documents",
        base_url="http://h/api/v4",
        agency_ids={AGENCY: "2"},
        endpoints=(custom(),),
    )
    endpoint = source.endpoints[0]
    assert source.url_of(endpoint, AGENCY) == "http://h/api/v4/document_types/2/documents/"
    assert not source.sends_agency_param(endpoint)
    source.check_agencies([AGENCY])
    with pytest.raises(ConfigError, match=r"agency_ids names no vendor id for \['H99.02'\]"):
        source.check_agencies([AGENCY, "H99.02"])


def test_without_agency_ids_the_code_itself_fills_the_path():
    source = HttpSource(
        name="s", kind="http", system="documents", base_url="http://h", endpoints=(custom(),)
    )
    assert source.url_of(source.endpoints[0], "000.00.01.H99") == (
        "http://h/document_types/000.00.01.H99/documents/"
    )


def test_the_mayan_mapping_file_loads():
    deployment = load_deployment(REPO / "config" / "vendors" / "mayan-edms.toml")
    source = deployment.sources[0]
    assert isinstance(source, HttpSource)
    assert source.auth is not None and source.auth.scheme == "Token"  # type: ignore[union-attr]
    assert source.endpoints[0].details[0].path == "documents/{id}/metadata/"


def test_agency_in_a_details_parameter_needs_agency_ids_too():
    endpoint = custom(
        path="documents/",
        details=[
            {"attach_as": "m", "path": "documents/{id}/m/", "extra_params": {"o": "{agency}"}}
        ],
    )
    source = HttpSource(
        name="s",
        kind="http",
        system="documents",
        base_url="http://h",
        agency_ids={AGENCY: "2"},
        endpoints=(endpoint,),
    )
    assert source.sends_agency_param(endpoint)
    with pytest.raises(ConfigError, match=r"parameters of \['docs'\]"):
        source.check_agencies([AGENCY, "H99.02"])
