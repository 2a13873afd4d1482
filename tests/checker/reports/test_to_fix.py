"""What an agency must fix, in the order the README promises: the criteria that lost points,
most lost first, then those with no points yet (not measured, or not entered)."""

from __future__ import annotations

from checker.reports.report import CriterionLine, SectionLine, strengths, to_fix


def _criterion(criterion_id: str, points: float | None, max_points: float, origin: str):
    return CriterionLine(
        id=criterion_id,
        title=criterion_id,
        points=points,
        max=max_points,
        origin=origin,
        metric=None,
    )


SECTIONS = [
    SectionLine(
        id="1",
        title="Một",
        points=13,
        max=40,
        measured_max=30,
        not_measured=["1.1"],
        criteria=[
            _criterion("1.1", None, 10, "measured"),  # not measured: loses its 10 for now
            _criterion("1.2", 9, 10, "measured"),
            _criterion("1.3", 4, 10, "measured"),
            _criterion("1.4", 10, 10, "measured"),
        ],
    ),
    SectionLine(
        id="2",
        title="Hai",
        points=3,
        max=10,
        measured_max=10,
        not_measured=[],
        criteria=[_criterion("2.1", None, 5, "manual"), _criterion("2.2", 3, 5, "manual")],
    ),
]


def test_criteria_that_lost_points_come_first_most_lost_first_then_those_without_points():
    assert [f.criterion for f in to_fix(SECTIONS)] == ["1.3", "2.2", "1.2", "1.1", "2.1"]


def test_a_criterion_without_points_counts_its_max_as_lost():
    lost = {f.criterion: f.lost for f in to_fix(SECTIONS)}
    assert (lost["1.1"], lost["2.1"]) == (10, 5)


def test_strengths_are_the_criteria_at_full_marks_only():
    assert [f.criterion for f in strengths(SECTIONS)] == ["1.4"]
