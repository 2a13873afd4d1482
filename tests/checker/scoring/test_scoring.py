from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from checker.config import Agency, Deployment, Group
from checker.errors import ConfigError
from checker.scoring.criteria import load_criteria
from checker.scoring.runs import score_agencies
from metrics.values import MetricValue

CRITERIA_DIR = Path(__file__).resolve().parents[3] / "config" / "criteria"
DANANG = load_criteria("danang-electronic-example", CRITERIA_DIR)
HANOI = load_criteria("hanoi-2017", CRITERIA_DIR)
DEPLOYMENT = Deployment(
    groups=(
        Group(id="so", name="Sở", criteria="danang-electronic-example"),
        Group(id="xa", name="Xã", criteria="hanoi-2017"),
    ),
    agencies=(
        Agency(code="A", name="Sở A", group="so"),
        Agency(code="B", name="Sở B", group="so"),
        Agency(code="C", name="Sở C", group="so"),
        Agency(code="X", name="Xã X", group="xa"),
    ),
)
BY_GROUP = {"so": DANANG, "xa": HANOI}
MEASURED = [c for c in DANANG.criteria if c.metric]


def _values(agency: str, numerator: int, denominator: int) -> list[MetricValue]:
    return [MetricValue(agency, c.metric, numerator, denominator) for c in MEASURED if c.metric]


def _by_code(scores):
    return {s.agency.code: s for s in scores}


def test_agencies_are_ranked_inside_their_group_with_ties_sharing_a_rank():
    values = _values("A", 90, 100) + _values("B", 90, 100) + _values("C", 10, 100)
    scores = _by_code(score_agencies(DEPLOYMENT, BY_GROUP, values, {}))
    assert scores["A"].result.total == scores["B"].result.total
    assert (scores["A"].rank, scores["B"].rank, scores["C"].rank) == (1, 1, 3)
    assert scores["X"].rank == 1


def test_a_metric_with_nothing_to_count_leaves_its_criterion_not_measured():
    scores = _by_code(score_agencies(DEPLOYMENT, BY_GROUP, _values("A", 0, 0), {}))
    measured = [c for c in scores["A"].criteria if c.origin == "measured"]
    assert measured and all(c.points is None for c in measured)
    assert scores["A"].result.total == 0


def test_manual_points_are_merged_and_counted_in_the_total():
    manual = {"X": {"1.1": Decimal(5), "2.1": Decimal(15), "3.1": Decimal(25)}}
    manual["X"] |= {"4.1": Decimal(30), "5.1": Decimal(10), "6.1": Decimal(10), "7.1": Decimal(5)}
    scores = _by_code(score_agencies(DEPLOYMENT, BY_GROUP, [], manual))
    assert scores["X"].result.total == 100
    assert scores["X"].result.grade_id == "A"
    assert {c.origin for c in scores["X"].criteria} == {"manual"}


def test_manual_points_above_the_max_name_the_file_agency_and_criterion(english):
    with pytest.raises(ConfigError) as info:
        score_agencies(DEPLOYMENT, BY_GROUP, [], {"X": {"1.1": Decimal(6)}}, "manual.toml")
    assert str(info.value) == "manual.toml: [X] 1.1 = 6 is above its max of 5"


def test_manual_points_for_a_measured_criterion_are_refused(english):
    with pytest.raises(ConfigError, match="is not a manual criterion"):
        score_agencies(DEPLOYMENT, BY_GROUP, [], {"A": {MEASURED[0].id: Decimal(1)}})


def test_manual_points_for_an_unknown_agency_are_refused(english):
    with pytest.raises(ConfigError, match=r"\[Z\] is not an agency"):
        score_agencies(DEPLOYMENT, BY_GROUP, [], {"Z": {"1.1": Decimal(1)}})


def test_a_count_of_faults_scores_more_the_fewer_faults_there_are(tmp_path):
    text = (CRITERIA_DIR / "danang-electronic-example.toml").read_text(encoding="utf-8")
    start = text.index('  id = "2.2"')
    end = text.index("[[sections.criteria]]", start)
    numbering = (
        '  id = "2.2"\n  title = "Cấp số văn bản đi liên tục, không trùng"\n  max = 5\n'
        '  kind = "measured"\n  metric = "outbound.numbering_anomalies"\n'
        '  rule = { kind = "linear", from = 0.9, to = 1.0 }\n\n  '
    )
    text = (text[:start] + numbering + text[end:]).replace(
        'id = "danang-electronic-example"', 'id = "numbering"'
    )
    (tmp_path / "numbering.toml").write_text(text, encoding="utf-8")
    criteria = load_criteria("numbering", tmp_path)
    by_group = {"so": criteria, "xa": HANOI}

    def points(anomalies: int) -> Decimal | None:
        values = [MetricValue("A", "outbound.numbering_anomalies", anomalies, 100)]
        scores = score_agencies(DEPLOYMENT, by_group, values, {})
        (score,) = [s for s in scores if s.agency.code == "A"]
        return next(c.points for c in score.criteria if c.criterion_id == "2.2")

    assert points(0) == 5
    assert points(5) == Decimal("2.5")
    assert points(10) == 0
    assert points(150) == 0
