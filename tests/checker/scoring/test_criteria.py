from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from checker.errors import ConfigError
from checker.scoring.criteria import CriteriaSet, known_criteria, load_criteria
from checker.scoring.points import BandsRule, CountRule, LinearRule

pytestmark = pytest.mark.usefixtures("english")  # the messages these tests spell out

CRITERIA_DIR = Path(__file__).resolve().parents[3] / "config" / "criteria"

SMALL = """\
id = "small"
title = "Bộ tiêu chí thử"
total_max = 30

[[sections]]
id = "1"
title = "Văn bản đến điện tử"
max = 20

  [[sections.criteria]]
  id = "1.1"
  title = "Đăng ký văn bản đến"
  max = 12
  kind = "measured"
  metric = "inbound.registered"
  rule = { kind = "bands", bands = [
    { at_least = 0.9, points = 12 },
    { at_least = 0.7, points = 6 },
  ] }

  [[sections.criteria]]
  id = "1.2"
  title = "Chuyển giao văn bản đến"
  max = 8
  kind = "measured"
  metric = "inbound.assigned"
  rule = { kind = "linear", from = 0.5, to = 1.0 }

[[sections]]
id = "2"
title = "Lập hồ sơ điện tử"
max = 10

  [[sections.criteria]]
  id = "2.1"
  title = "Lập hồ sơ điện tử"
  max = 10
  kind = "manual"

[[grades]]
id = "A"
name = "Loại A"
conditions = [
  { total = "at_least", points = 25 },
  { share = "above", percent = 70, sections = ["1"] },
]

[[grades]]
id = "B"
name = "Loại B"
"""


def _load(tmp_path: Path, text: str, known_metrics=None) -> CriteriaSet:
    path = tmp_path / "small.toml"
    path.write_text(text, encoding="utf-8")
    if known_metrics is None:
        return load_criteria(str(path), tmp_path)
    return load_criteria(str(path), tmp_path, known_metrics)


def _error(tmp_path: Path, text: str, **kwargs) -> str:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text, **kwargs)
    message = str(caught.value)
    assert "\n" not in message
    return message


def _line_number(text: str, fragment: str, nth: int = 1) -> int:
    numbers = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return numbers[nth - 1]


# --- the bundled sets -----------------------------------------------------------------------


def test_hanoi_2017_loads_with_its_seven_contents_and_four_grades():
    hanoi = load_criteria("hanoi-2017", CRITERIA_DIR)
    assert hanoi.id == "hanoi-2017"
    assert hanoi.total_max == 100
    assert [s.max for s in hanoi.sections] == [5, 15, 25, 30, 10, 10, 5]
    assert [s.id for s in hanoi.sections] == ["1", "2", "3", "4", "5", "6", "7"]
    assert [g.id for g in hanoi.grades] == ["A", "B", "C", "D"]
    assert hanoi.grades[-1].conditions == ()
    assert all(c.kind == "manual" and c.metric is None for c in hanoi.criteria)
    assert hanoi.sections[2].title == "Công tác văn thư"


def test_danang_example_loads_and_says_it_is_an_example():
    danang = load_criteria("danang-electronic-example", CRITERIA_DIR)
    assert danang.total_max == sum(s.max for s in danang.sections) == 100
    assert "VÍ DỤ" in danang.title
    assert [g.name for g in danang.grades] == [
        "Xuất sắc",
        "Tốt",
        "Khá",
        "Trung bình khá",
        "Trung bình",
    ]
    rules = {type(c.rule) for c in danang.criteria if c.kind == "measured"}
    assert rules == {BandsRule, LinearRule, CountRule}


def test_known_criteria_lists_the_bundled_sets():
    assert {"hanoi-2017", "danang-electronic-example"} <= set(known_criteria(CRITERIA_DIR))


def test_unknown_criteria_set_lists_the_known_ones():
    with pytest.raises(ConfigError) as caught:
        load_criteria("hanoi-2099", CRITERIA_DIR)
    message = str(caught.value)
    assert message.startswith("unknown criteria set 'hanoi-2099'")
    assert "hanoi-2017" in message
    assert "danang-electronic-example" in message


def test_a_path_to_a_toml_file_is_used_as_is(tmp_path):
    criteria = _load(tmp_path, SMALL)
    assert criteria.id == "small"
    assert [c.id for c in criteria.criteria] == ["1.1", "1.2", "2.1"]


# --- exact numbers --------------------------------------------------------------------------


def test_thresholds_and_points_are_exact_decimals(tmp_path):
    criteria = _load(tmp_path, SMALL)
    bands = criteria.sections[0].criteria[0].rule
    assert isinstance(bands, BandsRule)
    assert bands.bands[1].at_least == Decimal("0.7")
    linear = criteria.sections[0].criteria[1].rule
    assert isinstance(linear, LinearRule)
    assert (linear.from_, linear.to) == (Decimal("0.5"), Decimal("1.0"))


# --- validation errors ----------------------------------------------------------------------


def test_section_maxima_that_do_not_add_up_to_the_total_are_an_error(tmp_path):
    text = SMALL.replace("total_max = 30", "total_max = 31")
    assert _error(tmp_path, text) == (
        f"criteria file {tmp_path / 'small.toml'}, line 3: "
        "the sections' max points 20 + 10 make 30, expected 31"
    )


def test_criteria_maxima_that_do_not_add_up_to_their_section_max_are_an_error(tmp_path):
    text = SMALL.replace("max = 8\n", "max = 9\n")
    assert _error(tmp_path, text) == (
        f"criteria file {tmp_path / 'small.toml'}, line 8, section 1: "
        "the criteria's max points 12 + 9 make 21, expected the section max 20"
    )


def test_duplicate_section_ids_are_an_error(tmp_path):
    text = SMALL.replace('id = "2"\n', 'id = "1"\n')
    line = _line_number(text, 'id = "1"', nth=2)
    assert _error(tmp_path, text) == (
        f"criteria file {tmp_path / 'small.toml'}, line {line}: section id '1' appears twice"
    )


def test_duplicate_criterion_ids_are_an_error_even_across_sections(tmp_path):
    text = SMALL.replace('id = "2.1"', 'id = "1.1"')
    message = _error(tmp_path, text)
    assert message.endswith(": criterion id '1.1' appears twice")


def test_duplicate_grade_ids_are_an_error(tmp_path):
    text = SMALL.replace('id = "B"', 'id = "A"')
    assert _error(tmp_path, text).endswith(": grade id 'A' appears twice")


def test_unknown_metric_is_an_error_naming_the_known_ones(tmp_path):
    text = SMALL.replace('"inbound.assigned"', '"inbound.teleported"')
    message = _error(tmp_path, text, known_metrics={"inbound.registered", "inbound.assigned"})
    line = _line_number(text, "inbound.teleported")
    assert message == (
        f"criteria file {tmp_path / 'small.toml'}, line {line}, section 1, criterion 1.2: "
        "unknown metric 'inbound.teleported' (known: inbound.assigned, inbound.registered)"
    )


def test_known_metrics_default_to_the_catalogue(tmp_path):
    text = SMALL.replace('"inbound.assigned"', '"outbound.acknowledged_all"')
    assert _load(tmp_path, text).sections[0].criteria[1].metric == "outbound.acknowledged_all"


def test_unknown_key_names_the_key_and_its_line(tmp_path):
    text = SMALL.replace('  kind = "manual"', '  kind = "manual"\n  maxx = 3')
    line = _line_number(text, "maxx")
    assert _error(tmp_path, text) == (
        f"criteria file {tmp_path / 'small.toml'}, line {line}, section 2, criterion 2.1: "
        "unknown key 'maxx'"
    )


def test_unknown_key_inside_a_rule_names_the_key_and_its_line(tmp_path):
    text = SMALL.replace("from = 0.5, to = 1.0", "from = 0.5, to = 1.0, step = 0.1")
    line = _line_number(text, "step = 0.1")
    assert _error(tmp_path, text) == (
        f"criteria file {tmp_path / 'small.toml'}, line {line}, section 1, criterion 1.2: "
        "unknown key 'step'"
    )


def test_unknown_top_level_key_names_its_line(tmp_path):
    text = SMALL.replace("total_max = 30", "total_max = 30\nyear = 2017")
    assert _error(tmp_path, text) == (
        f"criteria file {tmp_path / 'small.toml'}, line 4: unknown key 'year'"
    )


def test_a_value_of_the_wrong_type_names_the_key_and_its_line(tmp_path):
    text = SMALL.replace("max = 10\n  kind", 'max = "ten"\n  kind')
    line = _line_number(text, '"ten"')
    assert _error(tmp_path, text) == (
        f"criteria file {tmp_path / 'small.toml'}, line {line}, section 2, criterion 2.1: "
        "max: 'ten' is not a number"
    )


def test_a_missing_key_points_at_its_table(tmp_path):
    text = SMALL.replace('  title = "Lập hồ sơ điện tử"\n', "")
    line = _line_number(text, "[[sections.criteria]]", nth=3)
    assert _error(tmp_path, text) == (
        f"criteria file {tmp_path / 'small.toml'}, line {line}, section 2, criterion 2.1: "
        "title: required, but missing"
    )


def test_last_grade_with_conditions_is_an_error(tmp_path):
    text = SMALL + 'conditions = [ { total = "at_least", points = 10 } ]\n'
    assert _error(tmp_path, text).endswith(
        ", grade B: the last grade must have no conditions: it takes the rest"
    )


def test_a_grade_without_conditions_before_the_last_is_an_error(tmp_path):
    text = SMALL + '\n[[grades]]\nid = "C"\nname = "Loại C"\n'
    assert _error(tmp_path, text).endswith(
        ", grade B: no conditions, so the grades after it are never reached"
    )


def test_a_grade_condition_naming_an_unknown_section_is_an_error(tmp_path):
    text = SMALL.replace('sections = ["1"]', 'sections = ["9"]')
    assert _error(tmp_path, text).endswith(", grade A: unknown section '9' (sections: 1, 2)")


def test_a_condition_without_a_known_kind_is_an_error(tmp_path):
    text = SMALL.replace('{ total = "at_least", points = 25 }', "{ points = 25 }")
    assert _error(tmp_path, text).endswith(
        "grade A: conditions[1]: a condition needs one of the keys total, implemented, share"
    )


def test_bands_not_sorted_from_the_highest_threshold_are_an_error(tmp_path):
    text = SMALL.replace("at_least = 0.9, points = 12", "at_least = 0.6, points = 12")
    assert _error(tmp_path, text).endswith(
        ", section 1, criterion 1.1: "
        "bands must be sorted by at_least, highest first, without repeats (got 0.6, 0.7)"
    )


def test_band_points_above_the_criterion_max_are_an_error(tmp_path):
    text = SMALL.replace("points = 12 }", "points = 13 }")
    assert _error(tmp_path, text).endswith(
        ", criterion 1.1: band points 13 are not between 0 and the max 12"
    )


def test_a_band_threshold_outside_0_and_1_is_an_error(tmp_path):
    text = SMALL.replace("at_least = 0.9", "at_least = 90")
    assert _error(tmp_path, text).endswith(
        ", criterion 1.1: band threshold 90 is not a ratio between 0 and 1"
    )


def test_a_linear_rule_going_down_is_an_error(tmp_path):
    text = SMALL.replace("from = 0.5, to = 1.0", "from = 0.9, to = 0.5")
    assert _error(tmp_path, text).endswith(
        ", criterion 1.2: linear rule from = 0.9 must be below to = 0.5"
    )


def test_a_measured_criterion_without_a_rule_is_an_error(tmp_path):
    text = SMALL.replace('  rule = { kind = "linear", from = 0.5, to = 1.0 }\n', "")
    assert _error(tmp_path, text).endswith(
        ", criterion 1.2: a measured criterion needs a metric and a rule"
    )


def test_an_id_that_differs_from_the_file_name_is_an_error(tmp_path):
    text = SMALL.replace('id = "small"', 'id = "big"')
    assert _error(tmp_path, text) == (
        f"criteria file {tmp_path / 'small.toml'}: id 'big' differs from the file name; "
        "set id = 'small' or rename the file big.toml"
    )


def test_invalid_toml_is_a_config_error(tmp_path, english):
    assert "not valid TOML" in _error(tmp_path, SMALL + "\n[[grades]\n")
