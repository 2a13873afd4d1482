from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.scoring.criteria import Criterion, load_criteria
from checker.scoring.points import measured_points, round_half_up

CRITERIA_DIR = Path(__file__).resolve().parents[3] / "config" / "criteria"

PROPERTIES = settings(max_examples=100, deadline=None)


def _criterion(rule: dict, max_points: str = "10") -> Criterion:
    return Criterion.model_validate(
        {
            "id": "1.1",
            "title": "Đăng ký văn bản đến",
            "max": max_points,
            "kind": "measured",
            "metric": "inbound.registered",
            "rule": rule,
        }
    )


BANDS = _criterion(
    {"kind": "bands", "bands": [{"at_least": 0.9, "points": 10}, {"at_least": 0.7, "points": 6}]}
)
LINEAR = _criterion({"kind": "linear", "from": 0.5, "to": 1.0})
COUNT = _criterion(
    {"kind": "count", "targets": [{"at_least": 100, "points": 5}, {"at_least": 20, "points": 2}]},
    max_points="5",
)


def test_a_ratio_exactly_at_a_band_threshold_reaches_the_band():
    assert measured_points(BANDS, 7, 10) == 6
    assert measured_points(BANDS, 9, 10) == 10
    assert measured_points(BANDS, 69_999, 100_000) == 0


def test_a_ratio_below_every_band_earns_nothing():
    assert measured_points(BANDS, 1, 10) == 0


def test_a_ratio_rule_with_nothing_to_count_is_not_measured():
    assert measured_points(BANDS, 0, 0) is None
    assert measured_points(LINEAR, 0, 0) is None


def test_a_linear_rule_is_zero_at_from_full_at_to_and_rounded_half_up_between():
    assert measured_points(LINEAR, 1, 2) == 0
    assert measured_points(LINEAR, 1, 1) == 10
    assert measured_points(LINEAR, 3, 4) == 5
    # 2/3 → 10 * (2/3 - 1/2) / (1/2) = 10/3 = 3.333...
    assert measured_points(LINEAR, 2, 3) == Decimal("3.33")
    # 0.50125 → 10 * 0.00125 / 0.5 = 0.025 exactly: half up gives 0.03
    assert measured_points(LINEAR, 50_125, 100_000) == Decimal("0.03")


def test_a_count_rule_works_on_the_numerator():
    assert measured_points(COUNT, 100, 400) == 5
    assert measured_points(COUNT, 99, 99) == 2
    assert measured_points(COUNT, 19, 19) == 0


def test_a_count_rule_with_nothing_to_count_is_not_measured():
    assert measured_points(COUNT, 0, 0) is None


def test_a_manual_criterion_has_no_measured_points(english):
    manual = Criterion(id="2.1", title="Lập hồ sơ", max=Decimal(5), kind="manual")
    with pytest.raises(ValueError, match="manual"):
        measured_points(manual, 1, 1)


def test_negative_counts_are_refused(english):
    with pytest.raises(ValueError, match="counts documents"):
        measured_points(BANDS, -1, 10)


def test_round_half_up_is_exact_on_fractions():
    assert round_half_up(Fraction(1, 200)) == Decimal("0.01")
    assert round_half_up(Fraction(1, 3)) == Decimal("0.33")
    assert round_half_up(Fraction(2, 3)) == Decimal("0.67")


def _measured_criteria() -> list[Criterion]:
    danang = load_criteria("danang-electronic-example", CRITERIA_DIR)
    return [c for c in danang.criteria if c.kind == "measured"] + [BANDS, LINEAR, COUNT]


counts = st.integers(min_value=0, max_value=10_000).flatmap(
    lambda denominator: st.tuples(st.integers(0, denominator * 2 + 5), st.just(denominator))
)


@PROPERTIES
@given(criterion=st.sampled_from(_measured_criteria()), pair=counts)
def test_points_never_exceed_the_max_and_are_never_negative(criterion, pair):
    numerator, denominator = pair
    points = measured_points(criterion, numerator, denominator)
    if points is None:
        assert denominator == 0
    else:
        assert Decimal(0) <= points <= criterion.max


@PROPERTIES
@given(
    criterion=st.sampled_from(_measured_criteria()),
    denominator=st.integers(1, 5_000),
    data=st.data(),
)
def test_more_documents_done_never_lowers_the_points(criterion, denominator, data):
    low = data.draw(st.integers(0, denominator))
    high = data.draw(st.integers(low, denominator))
    assert measured_points(criterion, low, denominator) <= measured_points(
        criterion, high, denominator
    )
