"""The way to the next grade: the smallest set of criteria, the least work in each, and the
year end at the current rate (pure functions)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.scoring.criteria import load_criteria
from checker.scoring.grading import grade, reaches, section_points_from_criteria
from checker.scoring.next_grade import (
    Lever,
    manual_lever,
    measured_lever,
    plan_next_grade,
)
from checker.scoring.projection import MOTION, Pace, YearEnd, year_end
from metrics.catalogue import METRICS

CRITERIA_DIR = Path(__file__).resolve().parents[3] / "config" / "criteria"
HANOI = load_criteria("hanoi-2017", CRITERIA_DIR)
DANANG = load_criteria("danang-electronic-example", CRITERIA_DIR)
SECTION_OF = {c.id: s.id for s in DANANG.sections for c in s.criteria}
CRITERION = {c.id: c for c in DANANG.criteria}


def _hanoi_points(values: list[Decimal]) -> dict[str, Decimal | None]:
    return {c.id: v for c, v in zip(HANOI.criteria, values, strict=True)}


def _manual_levers(points: dict[str, Decimal | None]) -> list[Lever]:
    levers = [manual_lever(s.id, c, points.get(c.id)) for s in HANOI.sections for c in s.criteria]
    return [lv for lv in levers if lv is not None]


def _grade_id(criteria, points) -> str:
    counted = {c: p for c, p in points.items() if p is not None}
    return grade(criteria, section_points_from_criteria(criteria, counted)).grade_id


def test_at_the_top_grade_there_is_no_next_grade():
    points = _hanoi_points([Decimal(v) for v in (5, 15, 25, 30, 10, 10, 5)])
    plan = plan_next_grade(HANOI, points, _manual_levers(points))
    assert plan.target is None and plan.steps == () and plan.reachable


def test_a_section_at_exactly_70_percent_needs_one_hundredth_more_in_that_criterion():
    points = _hanoi_points([Decimal(v) for v in ("5", "10.5", "25", "30", "10", "10", "5")])
    plan = plan_next_grade(HANOI, points, _manual_levers(points))
    assert plan.target is not None and plan.target.grade_id == "A"
    assert [(s.lever.criterion_id, s.points, s.units) for s in plan.steps] == [
        ("2.1", Decimal("10.51"), 1)
    ]
    assert plan.after is not None and plan.after.grade_id == "A"


HANOI_POINTS = st.lists(st.integers(0, 100), min_size=7, max_size=7).map(
    lambda shares: [
        (Decimal(share) * c.max / 100).quantize(Decimal("0.01"))
        for share, c in zip(shares, HANOI.criteria, strict=True)
    ]
)


@settings(max_examples=60, deadline=None)
@given(HANOI_POINTS)
def test_the_plan_reaches_the_next_grade_and_no_smaller_set_would(values):
    points = _hanoi_points(values)
    levers = _manual_levers(points)
    plan = plan_next_grade(HANOI, points, levers)
    if plan.target is None:
        return
    ids = [g.id for g in HANOI.grades]
    goal = ids.index(plan.target.grade_id)
    raised = points | {s.lever.criterion_id: s.points for s in plan.steps}
    assert ids.index(_grade_id(HANOI, raised)) <= goal
    assert all(s.points > s.lever.current for s in plan.steps)
    for size in range(1, len(plan.steps)):
        for chosen in combinations(levers, size):
            best = points | {lv.criterion_id: lv.best for lv in chosen}
            assert ids.index(_grade_id(HANOI, best)) > goal


def _danang(**overrides: str) -> dict[str, Decimal | None]:
    """Points that make 48 of 100 with every section implemented but 3.2 and 4.2."""
    base = {
        "1.1": "5", "1.2": "2", "1.3": "5", "1.4": "3",
        "2.1": "6", "2.2": "1", "2.3": "5",
        "3.1": "5", "3.2": None,
        "4.1": "4", "4.2": None,
        "5.1": "7", "5.2": "5",
    }  # fmt: skip
    base |= overrides
    return {k: None if v is None else Decimal(v) for k, v in base.items()}


def test_registering_the_listed_documents_reaches_the_next_band_with_the_fewest_of_them():
    points = _danang()
    assert sum(p for p in points.values() if p is not None) == 48
    end = YearEnd("pace", 160, 200, 160, 200)  # 80%: 5 points of 7
    lever = measured_lever("1", CRITERION["1.3"], end, 40, points["1.3"])
    assert lever is not None and lever.kind == "fix" and lever.most == 40
    plan = plan_next_grade(DANANG, points, [lever])
    assert plan.target is not None and plan.target.grade_id == "tb-kha"
    [step] = plan.steps
    assert (step.units, step.points, step.gain) == (30, Decimal(7), Decimal(2))  # 190/200 = 95%


def test_a_same_day_metric_is_worked_on_the_documents_still_to_come():
    pace = Pace.of(date(2025, 6, 30))
    assert (pace.days_gone, pace.days_in_year) == (181, 365)
    end = year_end("inbound.acknowledged_same_day", 70, 100, pace)
    assert (end.numerator_end, end.denominator_end) == (141, 202)  # 70·365/181, 100·365/181
    lever = measured_lever("1", CRITERION["1.2"], end, 0, Decimal(2))
    assert lever is not None and lever.kind == "ahead"
    assert lever.most == (202 - 100) - (141 - 70)  # the coming ones not done right at the rate
    assert lever.points_at(0) == 2  # the same share at year end, the same points
    assert lever.points_at(lever.most) == 4  # 172/202 = 85%
    plan = plan_next_grade(DANANG, _danang(**{"1.2": "2"}), [lever])
    [step] = plan.steps
    assert (step.units, step.points) == (21, Decimal(4))  # 162/202 reaches 80%


def test_a_count_rule_grows_at_the_pace_and_may_need_no_more_work():
    end = year_end("outbound.issued_axis", 62, 74, Pace.of(date(2025, 6, 30)))
    assert end.numerator_end == 125  # 62·365/181 = 125.03
    lever = measured_lever("2", CRITERION["2.2"], end, 0, Decimal(1))
    assert lever is not None and lever.points_at(0) == 3  # 125 issued reaches the 100 target
    plan = plan_next_grade(DANANG, _danang(**{"2.2": "1"}), [lever])
    assert [(s.units, s.points) for s in plan.steps] == [(0, Decimal(3))]


def test_transfers_at_year_end_keep_the_share_on_time_of_the_files_coming_due():
    end = year_end("transfers.agency_archive_on_time", 2, 4, Pace.of(date(2025, 6, 30)), (3, 10))
    assert (end.numerator_end, end.denominator_end) == (5, 10)  # 2 + 6·2/4 of 10 due
    assert (end.due_counted, end.due) == (3, 10)
    lever = measured_lever("4", CRITERION["4.1"], end, 5, Decimal(4))
    assert lever is not None and lever.kind == "deadlines"
    assert [lever.points_at(n) for n in (0, 2, 4, 5)] == [0, 4, 7, 7]  # 3, 5, 7, 8 of 10


def test_the_file_list_and_its_files_stay_as_they_are_and_a_closed_year_does_not_move():
    mid = Pace.of(date(2025, 6, 30))
    assert year_end("files.opened_electronic", 3, 10, mid).numerator_end == 3
    over = Pace.of(date(2024, 12, 31))
    assert over.over and over.days_in_year == 366
    end = year_end("inbound.acknowledged_same_day", 70, 100, over)
    assert (end.numerator_end, end.denominator_end) == (70, 100)
    assert measured_lever("1", CRITERION["1.2"], end, 0, Decimal(2)) is None


def test_every_metric_of_the_catalogue_says_how_it_moves_to_the_year_end():
    assert set(MOTION) == set(METRICS)


def test_a_criterion_with_no_data_is_proposed_only_when_nothing_measured_reaches_the_grade():
    points = _danang()
    no_data = measured_lever("3", CRITERION["3.2"], YearEnd("state", 0, 0, 0, 0), 0, None)
    assert no_data is not None and no_data.kind == "no_data" and no_data.best == 10
    registered = measured_lever(
        "1", CRITERION["1.3"], YearEnd("pace", 160, 200, 160, 200), 40, points["1.3"]
    )
    assert registered is not None
    plan = plan_next_grade(DANANG, points, [no_data, registered])
    assert [s.lever.criterion_id for s in plan.steps] == ["1.3"]
    plan = plan_next_grade(DANANG, points | {"1.3": Decimal(6)}, [no_data])
    assert [s.lever.criterion_id for s in plan.steps] == ["3.2"]


def test_when_every_lever_at_its_best_falls_short_the_grade_is_not_reachable():
    points = _danang(**{"1.3": "2"})  # 45 points: 5 to go
    lever = manual_lever("5", CRITERION["5.1"], Decimal(7))
    assert lever is not None
    plan = plan_next_grade(DANANG, points, [lever])
    assert plan.target is not None and not plan.reachable and plan.steps == ()


@pytest.mark.parametrize("current", [None, Decimal(0), Decimal("9.99")])
def test_a_manual_criterion_can_bring_the_rest_of_its_max_in_hundredths(current):
    lever = manual_lever("5", CRITERION["5.1"], current)
    assert lever is not None and lever.best == 10
    assert lever.most == int((10 - (current or 0)) * 100)


def _section_points(criteria, shares: list[int]) -> list[Decimal]:
    return [
        (Decimal(share) * s.max / 100).quantize(Decimal("0.01"))
        for share, s in zip(shares, criteria.sections, strict=True)
    ]


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_reaches_says_what_the_place_of_the_grade_says(data):
    criteria = data.draw(st.sampled_from([HANOI, DANANG]))
    shares = data.draw(
        st.lists(
            st.sampled_from([0, 1, 49, 50, 51, 65, 70, 79, 80, 81, 100]),
            min_size=len(criteria.sections),
            max_size=len(criteria.sections),
        )
    )
    points = _section_points(criteria, shares)
    ids = [g.id for g in criteria.grades]
    earned = ids.index(grade(criteria, points).grade_id)
    for index, candidate in enumerate(criteria.grades):
        assert reaches(criteria, candidate.id, points) == (earned <= index)
