"""``checker.demo.run``: the demo end to end as a library call, on each backend."""

from __future__ import annotations

from checker.demo.city import DemoWorkspace
from checker.demo.run import Ingested, Ingesting, Syncing, run_demo
from checker.jobs.score import ScoreOutcome
from checker.jobs.sync import SyncReport


def test_the_demo_tells_each_step_in_order_and_returns_the_reports(store_url, tmp_path):
    steps: list[object] = []
    pages: list[object] = []
    result = run_demo(tmp_path / "city", store_url, on_step=steps.append, on_page=pages.append)
    assert [type(s) for s in steps] == [
        DemoWorkspace,
        Ingesting,
        Ingested,
        Syncing,
        SyncReport,
        ScoreOutcome,
    ]
    ingested, synced, scored = steps[2], steps[4], steps[5]
    assert isinstance(ingested, Ingested) and ingested.summary.quarantined == 7
    assert isinstance(synced, SyncReport) and synced.ok and pages
    assert isinstance(scored, ScoreOutcome) and scored.agencies == 27
    assert result.rankings.run.id == scored.run_id
    assert result.rankings.agencies == []
    assert sum(len(g.ranking) for g in result.rankings.groups) == 27
    last_of_first_group = result.rankings.groups[0].ranking[-1].code
    assert [a.code for a in result.scorecard.agencies] == [last_of_first_group]
    assert result.shown_agency == last_of_first_group
