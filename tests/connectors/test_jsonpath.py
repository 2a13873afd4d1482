from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.jsonpath import MISSING, check_path, lookup, split_head

METADATA = {
    "id": 1,
    "metadata": [
        {"metadata_type": {"name": "ngay_den"}, "value": "2025-03-03 08:15"},
        {"metadata_type": {"name": "so_ky_hieu"}, "value": "45/UBND-VP"},
        {"metadata_type": {"name": "so_ky_hieu"}, "value": "second, not taken"},
        {"metadata_type": {"id": 7, "name": None}, "value": "x"},
        {"flag": True, "value": "yes"},
    ],
}


def test_a_list_item_is_picked_by_a_key_inside_it():
    assert lookup(METADATA, "metadata[metadata_type.name=so_ky_hieu].value") == "45/UBND-VP"


def test_the_key_is_compared_as_text():
    assert lookup(METADATA, "metadata[metadata_type.id=7].value") == "x"
    assert lookup(METADATA, "metadata[flag=true].value") == "yes"


def test_no_item_with_that_key_is_missing_not_null():
    assert lookup(METADATA, "metadata[metadata_type.name=do_khan].value") is MISSING
    assert lookup({"metadata": None}, "metadata[metadata_type.name=x].value") is None
    assert lookup({"metadata": "text"}, "metadata[a=b]") is MISSING


def test_a_picked_item_is_returned_whole_at_the_end_of_a_path():
    assert lookup(METADATA, "metadata[metadata_type.name=ngay_den]") == METADATA["metadata"][0]


def test_a_dot_inside_brackets_does_not_split_the_path():
    assert split_head("metadata[metadata_type.name=a.b].value") == (
        "metadata[metadata_type.name=a.b]",
        "value",
    )
    assert lookup({"m": [{"k": "a.b", "v": 1}]}, "m[k=a.b].v") == 1


def test_the_paths_that_worked_before_still_do():
    body = {"data": {"rows": [{"code": "A"}, {"code": "B"}]}}
    assert lookup(body, "data.rows.1.code") == "B"
    assert lookup(body, "data.rows[].code") == ["A", "B"]
    assert lookup(body, "") is body


@pytest.mark.parametrize("path", ["a[b", "a[=x].v", "a[b=c]d.e", "a[b=c][d=e]", "a]"])
def test_a_malformed_selector_is_refused(path):
    with pytest.raises(ValueError, match="neither name\\[\\] nor name\\[key=value\\]"):
        check_path(path)


@pytest.mark.parametrize("path", ["a.b", "a[]", "a[].b", "a[k.x=v].value", "[k=v].x"])
def test_well_formed_paths_pass_the_check(path):
    check_path(path)


@given(
    st.lists(
        st.fixed_dictionaries(
            {"k": st.sampled_from(["a", "b", "c", 1, True, None]), "v": st.integers()}
        ),
        max_size=8,
    ),
    st.sampled_from(["a", "b", "1", "true"]),
)
def test_a_selector_gives_the_value_of_the_first_item_whose_key_is_the_text(items, wanted):
    def text(key):
        return "true" if key is True else str(key)

    expected = next(
        (item["v"] for item in items if item["k"] is not None and text(item["k"]) == wanted),
        MISSING,
    )
    assert lookup({"rows": items}, f"rows[k={wanted}].v") == expected
