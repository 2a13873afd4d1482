from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from checker.config import Agency, Cluster, Deployment, Group
from checker.scoring.assessment import AGREED, MEASURED, SELF, Cell, Entry, Scorecard
from checker.scoring.claims import overclaims
from checker.scoring.criteria import CriteriaSet, load_criteria
from checker.scoring.ranking import mark, nominations, places, rank_cards
from checker.scoring.standing import standing

CRITERIA_DIR = Path(__file__).resolve().parents[3] / "config" / "criteria"
HANOI = load_criteria("hanoi-2017", CRITERIA_DIR)
DANANG = load_criteria("danang-electronic-example", CRITERIA_DIR)
NOW = datetime(2026, 3, 1)
FULL = {"1.1": 5, "2.1": 15, "3.1": 25, "4.1": 30, "5.1": 10, "6.1": 10, "7.1": 5}


def card(code: str, points: dict[str, float], criteria: CriteriaSet = HANOI, role=AGREED):
    cells = tuple(
        Cell(
            s.id,
            c,
            {role: Entry(c.id, role, Decimal(str(points[c.id])), "", "x", NOW)}
            if c.id in points
            else {},
        )
        for s in criteria.sections
        for c in s.criteria
    )
    return Scorecard(1, code, 2025, criteria, "h", cells)


def deployment(codes, clusters=()):
    return Deployment(
        groups=(Group(id="xa", name="Xã", criteria="hanoi-2017"),),
        agencies=tuple(Agency(code=c, name=f"Xã {c}", group="xa") for c in codes),
        clusters=clusters,
    )


def test_equal_totals_share_a_rank_and_the_next_rank_is_skipped():
    lower = FULL | {"1.1": 4}
    cards = [card("A", FULL), card("B", FULL), card("C", lower)]
    dep = deployment("ABC")
    ranked = {
        r.card.agency_code: r for r in rank_cards(dep, list(zip(dep.agencies, cards, strict=True)))
    }
    assert [ranked[c].group_rank for c in "ABC"] == [1, 1, 3]


def test_a_declared_tie_break_orders_equal_totals():
    criteria = HANOI.model_copy(update={"tie_break": ("4",)})
    a = card("A", FULL | {"3.1": 24}, criteria)
    b = card("B", FULL | {"4.1": 29}, criteria)
    dep = deployment("AB")
    ranked = {
        r.card.agency_code: r.group_rank
        for r in rank_cards(dep, list(zip(dep.agencies, [a, b], strict=True)))
    }
    assert ranked == {"A": 1, "B": 2}


def test_marks_rank_and_nominate_as_the_scorecards_they_were_made_from():
    """The export ranks a province from light marks, not from every scorecard held at once:
    the ranks, the tie-break and the nominations are the same."""
    criteria = HANOI.model_copy(update={"tie_break": ("4",)})
    clusters = (Cluster(id="c1", name="Cụm 1", members=("A", "B", "C"), leader="A"),)
    dep = deployment("ABCD", clusters)
    cards = [
        card("A", FULL | {"3.1": 24}, criteria),
        card("B", FULL | {"4.1": 29}, criteria),
        card("C", FULL | {"1.1": 3}, criteria),
        card("D", FULL | {"7.1": 0}, criteria),
    ]
    pairs = list(zip(dep.agencies, cards, strict=True))
    ranked = rank_cards(dep, pairs)
    cluster_of = {"A": "c1", "B": "c1", "C": "c1"}
    marks = [mark(a, c, standing(c), cluster_of.get(a.code, "")) for a, c in pairs]
    placed = places(marks)
    assert {r.agency_code: (r.group_rank, r.cluster_rank) for r in ranked} == {
        code: (p.group_rank, p.cluster_rank) for code, p in placed.items()
    }
    assert placed["A"].group_rank == 1 and placed["B"].group_rank == 2
    assert placed["D"].cluster_rank is None
    assert nominations(dep, marks) == nominations(dep, ranked)
    assert nominations(dep, marks)[0][0].tied == ("A", "B")  # equal totals: the vote decides


def test_an_unknown_tie_break_section_is_refused(english):
    with pytest.raises(ValidationError, match="tie_break: unknown section '9'"):
        CriteriaSet.model_validate(HANOI.model_dump(by_alias=True) | {"tie_break": ["9"]})


def test_a_cluster_nominates_its_best_grade_a_unit_and_reports_a_tie_for_the_vote():
    clusters = (
        Cluster(id="c1", name="Cụm 1", members=("A", "B", "C"), leader="A", district="Huyện"),
        Cluster(id="c2", name="Cụm 2", members=("D", "E"), leader="D", district="Huyện"),
    )
    dep = deployment("ABCDE", clusters)
    cards = [
        card("A", FULL | {"1.1": 4}),
        card("B", FULL | {"1.1": 4}),
        card("C", FULL | {"7.1": 0}),  # 95 points but content 7 not implemented: not A
        card("D", FULL | {"2.1": 14}),
        card("E", FULL | {"3.1": 20}),
    ]
    ranked = rank_cards(dep, list(zip(dep.agencies, cards, strict=True)))
    by_cluster, by_district = nominations(dep, ranked)
    assert (by_cluster[0].nominee, by_cluster[0].tied) == (None, ("A", "B"))
    assert by_cluster[0].candidates == ("A", "B")
    assert by_cluster[1].nominee == "D"
    assert (by_district[0].among, by_district[0].nominee) == ("Huyện", "D")
    assert {r.card.agency_code: r.cluster_rank for r in ranked} == {
        "A": 1,
        "B": 1,
        "C": 3,
        "D": 1,
        "E": 2,
    }


def test_clusters_name_registered_members_and_a_leader_among_them(english):
    with pytest.raises(ValidationError, match="leader Z is not a member"):
        deployment("AB", (Cluster(id="c", name="C", members=("A", "B"), leader="Z"),))
    with pytest.raises(ValidationError, match="cluster member 'A' appears twice"):
        deployment(
            "AB",
            (
                Cluster(id="c", name="C", members=("A",), leader="A"),
                Cluster(id="d", name="D", members=("A", "B"), leader="B"),
            ),
        )


def _measured_card(code: str, claimed: dict[str, int], numerator: int, tolerance: int = 0):
    criteria = DANANG.model_copy(update={"self_score_tolerance": Decimal(tolerance)})
    cells = []
    for s in criteria.sections:
        for c in s.criteria:
            latest = {}
            if c.metric:
                latest[MEASURED] = Entry(
                    c.id,
                    MEASURED,
                    Decimal(6) * c.max / 10,
                    "",
                    "checker",
                    NOW,
                    "run 1",
                    1,
                    numerator,
                    10,
                    f"checker evidence --agency {code} --metric {c.metric} --year 2025",
                )
            if c.id in claimed:
                latest[SELF] = Entry(c.id, SELF, Decimal(claimed[c.id]), "", code, NOW)
            cells.append(Cell(s.id, c, latest))
    return Scorecard(1, code, 2025, criteria, "h", tuple(cells))


def test_self_scores_above_the_logs_are_listed_per_group_largest_gap_first():
    measured = [c for c in DANANG.criteria if c.metric]
    first, second = measured[0], measured[1]
    agencies = (
        Agency(code="S1", name="Sở Một", group="so"),
        Agency(code="S2", name="Sở Hai", group="so"),
    )
    cards = [
        _measured_card("S1", {first.id: int(first.max)}, 6),
        _measured_card("S2", {second.id: int(second.max), first.id: 0}, 6),
    ]
    claims = overclaims(list(zip(agencies, cards, strict=True)))["so"]
    gaps = [c.gap for c in claims]
    assert gaps == sorted(gaps, reverse=True) and len(claims) == 2
    top = next(c for c in claims if c.agency_code == "S1")
    assert top.text().startswith(
        f"Sở Một tự chấm {int(first.max)}/{int(first.max)} ở tiêu chí {first.id}, "
        "nhật ký cho thấy 60%"
    )
    assert "(6/10)" in top.text() and "checker evidence --agency S1" in top.text()


def test_a_self_score_within_the_declared_tolerance_is_not_listed():
    first = next(c for c in DANANG.criteria if c.metric)
    claimed = {first.id: Decimal(6) * first.max / 10 + 2}
    agency = (Agency(code="S1", name="Sở Một", group="so"),)
    within = _measured_card("S1", claimed, 6, tolerance=2)
    beyond = _measured_card("S1", claimed, 6, tolerance=1)
    assert overclaims(list(zip(agency, [within], strict=True))) == {}
    assert len(overclaims(list(zip(agency, [beyond], strict=True)))["so"]) == 1
