"""Pydantic's validation errors in our words (checker/validation.py): each error type of a
deployment file told in Vietnamese by default and in English on request, with the file, the
line and the key path."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from pydantic import BaseModel, Field, ValidationError

from checker.config import load_deployment
from checker.errors import ConfigError
from checker.i18n import Language, speaking
from checker.scoring.criteria import load_criteria
from checker.validation import choices, describe, first_error, line_of

HTTP = '[[sources]]\nname = "q"\nkind = "http"\nsystem = "documents"\nbase_url = "http://x"\n'

CASES = [
    (
        '[[groups]]\nid = "so"\nname = "Sở"\n',
        "dòng 1: groups[0].criteria: bắt buộc nhưng còn thiếu",
        "line 1: groups[0].criteria: required, but missing",
    ),
    ("year = 1\n", "dòng 1: khóa lạ 'year'", "line 1: unknown key 'year'"),
    (
        HTTP + "max_in_flight = 0\n",
        "dòng 6: sources[0].http.max_in_flight: 0 nhỏ hơn mức tối thiểu 1",
        "line 6: sources[0].http.max_in_flight: 0 is below the minimum 1",
    ),
    (
        HTTP + "max_in_flight = 65\n",
        "dòng 6: sources[0].http.max_in_flight: 65 lớn hơn mức tối đa 64",
        "line 6: sources[0].http.max_in_flight: 65 is above the maximum 64",
    ),
    (
        HTTP + 'max_in_flight = "tám"\n',
        "dòng 6: sources[0].http.max_in_flight: 'tám' không phải là số nguyên",
        "line 6: sources[0].http.max_in_flight: 'tám' is not a whole number",
    ),
    (
        "[runs]\nkeep_daily_days = 1.5\n",
        "dòng 2: runs.keep_daily_days: 1.5 không phải là số nguyên",
        "line 2: runs.keep_daily_days: 1.5 is not a whole number",
    ),
    (
        '[calendar]\nlenient_day_off = "có"\n',
        "dòng 2: calendar.lenient_day_off: 'có' không phải là true hoặc false",
        "line 2: calendar.lenient_day_off: 'có' is not true or false",
    ),
    (
        '[[groups]]\nid = 1\nname = "Sở"\ncriteria = "x"\n',
        "dòng 2: groups[0].id: 1 không phải là chuỗi ký tự",
        "line 2: groups[0].id: 1 is not text",
    ),
    (
        '[[groups]]\nid = ""\nname = "Sở"\ncriteria = "x"\n',
        "dòng 2: groups[0].id: không được để trống",
        "line 2: groups[0].id: must not be empty",
    ),
    (
        '[[sources]]\nname = "a"\nkind = "edxml"\npaths = []\n',
        "dòng 4: sources[0].edxml.paths: cần ít nhất 1 phần tử, hiện có 0",
        "line 4: sources[0].edxml.paths: needs at least 1 item, has 0",
    ),
    (
        '[calendar]\nextra_days_off = ["mồng hai"]\n',
        "dòng 2: calendar.extra_days_off[0]: 'mồng hai' không phải là ngày (YYYY-MM-DD)",
        "line 2: calendar.extra_days_off[0]: 'mồng hai' is not a date (YYYY-MM-DD)",
    ),
    (
        HTTP.replace('"documents"', '"docs"'),
        "dòng 4: sources[0].http.system: 'docs' không phải là một trong "
        "'documents', 'archive', 'onestop'",
        "line 4: sources[0].http.system: 'docs' is not one of 'documents', 'archive', 'onestop'",
    ),
    (
        HTTP.replace('"http"', '"ftp"'),
        "dòng 3: sources[0]: kind = 'ftp' không phải là một trong 'edxml', 'http'",
        "line 3: sources[0]: kind = 'ftp' is not one of 'edxml', 'http'",
    ),
    (
        HTTP.replace('kind = "http"\n', ""),
        "dòng 1: sources[0]: thiếu khóa kind: khóa này cho biết bảng thuộc loại nào",
        "line 1: sources[0]: the key kind is missing: it says which kind of table this is",
    ),
    (
        HTTP + "agencies = 5\n",
        "dòng 6: sources[0].http.agencies: 5 không phải là danh sách hoặc 'registry'",
        "line 6: sources[0].http.agencies: 5 is not a list or 'registry'",
    ),
    (
        HTTP + "agencies = [1]\n",
        "dòng 6: sources[0].http.agencies[0]: 1 không phải là chuỗi ký tự",
        "line 6: sources[0].http.agencies[0]: 1 is not text",
    ),
    (
        '[files]\nlist_due = "1-31"\n',
        r"dòng 2: files.list_due: '1-31' không đúng dạng cần có (^\d{2}-\d{2}$)",
        r"line 2: files.list_due: '1-31' does not have the expected form (^\d{2}-\d{2}$)",
    ),
    (
        "database = 5\n",
        "dòng 1: database: 5 không phải là bảng",
        "line 1: database: 5 is not a table",
    ),
    (
        "groups = 5\n",
        "dòng 1: groups: 5 không phải là danh sách",
        "line 1: groups: 5 is not a list",
    ),
    (
        HTTP.replace("http://x", "ftp://x"),
        "dòng 5: sources[0].http.base_url: base_url phải là địa chỉ URL http:// hoặc https://",
        "line 5: sources[0].http.base_url: base_url must be an http:// or https:// URL",
    ),
]


def _said(tmp_path: Path, text: str, language: Language) -> str:
    path = tmp_path / "checker.toml"
    path.write_text(text, encoding="utf-8")
    with speaking(language), pytest.raises(ConfigError) as info:
        load_deployment(path)
    message = str(info.value)
    assert message.startswith(f"{path}, ")
    return message.removeprefix(f"{path}, ")


@pytest.mark.parametrize(("text", "vietnamese", "english"), CASES)
def test_each_kind_of_error_is_told_in_vietnamese_and_in_english(
    tmp_path, text, vietnamese, english
):
    assert _said(tmp_path, text, Language.vi) == vietnamese
    assert _said(tmp_path, text, Language.en) == english


def test_a_check_across_the_file_says_its_own_words_without_a_key(tmp_path):
    path = tmp_path / "checker.toml"
    path.write_text('[[agencies]]\ncode = "a"\nname = "A"\ngroup = "xa"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_deployment(path)
    assert str(info.value) == f"{path}: cơ quan a ghi nhóm 'xa', không có trong các nhóm []"


class _Odd(BaseModel):
    tag: uuid.UUID
    size: int = Field(default=0, gt=0, multiple_of=2)


def _error_of(**values: object) -> str:
    with pytest.raises(ValidationError) as info:
        _Odd.model_validate(values)
    loc, error = first_error(info.value)
    return describe(".".join(map(str, loc)), error)


def test_an_error_type_not_known_here_keeps_pydantics_own_text():
    said = _error_of(tag="x")
    assert said.startswith("tag: Input should be a valid UUID")


def test_bounds_name_the_value_and_the_limit(english):
    tag = str(uuid.uuid4())
    assert _error_of(tag=tag, size=0) == "size: 0 should be greater than 0"
    assert _error_of(tag=tag, size=3) == "size: 3 is not a multiple of 2"


def test_pydantics_list_of_expected_values_is_read_back_value_by_value():
    assert choices("'a', 'b, c' or 'd'") == ["'a'", "'b, c'", "'d'"]
    assert choices("'registry'") == ["'registry'"]
    assert choices("1, 2 or 3") == ["1", "2", "3"]


def test_the_line_of_a_key_is_looked_for_inside_its_table():
    text = '[[sources]]\nname = "a"\n[[sources]]\nname = "b"\nmax = 1\n[files]\nx = 1\n'
    assert line_of(text, ("sources", 1, "max")) == 5
    assert line_of(text, ("sources", 0, "nowhere")) == 1  # the table, when the key is not there
    assert line_of(text, ("files",)) == 6
    assert line_of(text, ()) is None


def test_a_criteria_condition_of_no_known_kind_is_told_in_vietnamese(tmp_path):
    path = tmp_path / "small.toml"
    text = (Path("config/criteria/hanoi-2017.toml")).read_text(encoding="utf-8")
    text = text.replace('{ total = "at_least"', '{ totl = "at_least"', 1)
    assert "totl" in text
    path.write_text(text.replace('id = "hanoi-2017"', 'id = "small"', 1), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_criteria(str(path), tmp_path)
    assert str(info.value).endswith(
        "một điều kiện cần một trong các khóa total, implemented, share"
    ), str(info.value)


def test_a_value_fitting_no_member_of_a_union_names_every_form_under_its_own_key(tmp_path, english):
    endpoint = '[[sources.endpoints]]\nname = "e"\nrecord = "incoming"\npath = "x"\n'
    text = HTTP + endpoint + 'fields = { id = "id" }\nvalue_maps = { id = { "a-b" = [1] } }\n'
    assert _said(tmp_path, text, Language.en) == (
        "line 11: sources[0].http.endpoints[0].value_maps.id.a-b: "
        "[1] is not text or a whole number or a number or true or false"
    )
