from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from checker.config import Agency, Cluster, Deployment, Group
from checker.demo.scorecards import OVERRIDE_NOTE, scorecard_cycle
from checker.i18n import Language, speaking
from checker.scoring.assessment import AGREED, INSPECTION, MEASURED
from checker.scoring.criteria import load_criteria
from checker.scoring.runs import score_agencies, store_run
from metrics.period import Period
from metrics.values import MetricValue

CRITERIA_DIR = Path(__file__).resolve().parents[3] / "config" / "criteria"
DANANG = load_criteria("danang-electronic-example", CRITERIA_DIR)
NOW = datetime(2026, 3, 2, 8, 0)
DEPLOYMENT = Deployment(
    city="Thành phố Thử",
    groups=(Group(id="xa", name="Xã", criteria=DANANG.id),),
    agencies=tuple(Agency(code=c, name=f"Xã {c}", group="xa") for c in ("A", "B", "C")),
    clusters=(Cluster(id="cum-1", name="Cụm 1", members=("A", "B", "C"), leader="A"),),
)


@pytest.mark.parametrize("language", [Language.vi, Language.en])
def test_the_cycle_imports_the_inspection_teams_workbook_and_ranks_the_cluster(
    engine, tmp_path, language
):
    """In either language: the team fills the workbook by its headers."""
    metrics = sorted({c.metric for c in DANANG.criteria if c.metric})
    values = [MetricValue(a, m, n, 10) for a, n in (("A", 6), ("B", 9), ("C", 3)) for m in metrics]
    with engine.begin() as connection:
        scores = score_agencies(DEPLOYMENT, {"xa": DANANG}, values, {})
        run_id = store_run(connection, Period.year(2025), None, NOW, NOW, values, scores)
    with speaking(language):
        cycle = scorecard_cycle(engine, DEPLOYMENT, {"xa": DANANG}, run_id, tmp_path, NOW)
    scoring = openpyxl.load_workbook(cycle.filled)["A"]
    header = {Language.vi: "Điểm đoàn kiểm tra", Language.en: "Inspection team's points"}
    assert scoring["G5"].value == header[language]
    assert cycle.imported.error is None and cycle.imported.entries > 0
    ranked = {r.card.agency_code: r for r in cycle.summary.ranked}
    first = ranked["A"].card
    overridden = [c for c in first.cells if c.note == OVERRIDE_NOTE]
    assert len(overridden) == 1
    cell = overridden[0]
    assert cell.counting == (AGREED, cell.criterion.max)
    assert cell.points_of(MEASURED) < cell.criterion.max
    assert cell.latest[INSPECTION].entered_by.startswith("Đoàn kiểm tra")
    assert ranked["C"].card.missing == (DANANG.criteria[-1].id,)
    assert sorted(r.cluster_rank for r in ranked.values()) == [1, 2, 3]
