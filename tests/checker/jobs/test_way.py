"""``checker way`` end to end on the demo city, on each backend: the plan reaches the next
grade, the listed documents are the ones the evidence does not count, the year end follows
the stated method, and the command prints what the library returns."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.config import load_deployment
from checker.demo.run import run_demo
from checker.jobs.score import criteria_sets
from checker.jobs.site import _evidence, _Ways
from checker.jobs.way import stored_standing, stored_standings, way_to_next_grade
from checker.reports.report import build_report
from checker.reports.way import WayReport
from checker.scoring.projection import Pace
from checker.store.engine import open_store
from metrics import evidence_batches

MID_YEAR = date(2025, 6, 30)
TODAY = date(2026, 1, 15)


def _cli(config: Path, db_url: str, *args: str) -> str:
    result = CliRunner().invoke(
        app, ["--config", str(config), "--db", db_url, *args], env={"CHECKER_DB_URL": ""}
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def _check_plan_reaches_the_next_grade(way: WayReport, deployment) -> None:
    criteria = criteria_sets(deployment)[way.criteria_set]
    ids = [g.id for g in criteria.grades]
    assert way.next_grade is not None
    if not way.reachable:  # not even every criterion at its best this year
        assert (way.steps, way.grade_after, way.total_after) == ([], None, None)
        return
    assert way.steps
    assert ids.index(way.next_grade) == ids.index(way.grade) - 1
    assert way.grade_after is not None and ids.index(way.grade_after) <= ids.index(way.next_grade)
    assert way.total_after == pytest.approx(way.total + sum(s.gain for s in way.steps))
    for step in way.steps:
        assert step.points_after > step.points and step.work
        if step.kind == "fix":
            assert 0 < step.units <= len(step.items)
            assert step.percent_after is not None and step.percent_now is not None
            assert step.percent_after > step.percent_now


def test_the_way_of_the_demo_city_mid_year_and_from_its_run(store_url, tmp_path, monkeypatch):
    result = run_demo(tmp_path / "city", store_url)
    config = result.workspace.config_path
    deployment = load_deployment(config)
    engine = open_store(store_url)
    try:
        run_id = result.rankings.run.id
        ways = {
            a.code: way_to_next_grade(engine, deployment, a.code, run_id=run_id, today=TODAY)
            for a in deployment.agencies
        }
        with engine.connect() as connection:
            report = build_report(connection, criteria_sets(deployment), run_id)
        mid = way_to_next_grade(
            engine, deployment, result.shown_agency, as_of=MID_YEAR, today=TODAY
        )
        # the site reads every agency's standing at once and the evidence a batch of agencies
        # at a time (here a few hundred lines a batch): the same standings, the same ways
        monkeypatch.setattr(evidence_batches, "BATCH_LINES", 300)
        codes = [a.code for a in report.agencies]
        with engine.begin() as connection:
            standings = stored_standings(connection, deployment, run_id)
            assert standings == {
                code: stored_standing(connection, deployment, deployment.agency(code), run_id)
                for code in codes
            }
            sets = criteria_sets(deployment).values()
            metrics = {c.metric for s in sets for c in s.criteria if c.metric}
            read = _evidence(connection, deployment, run_id, codes, metrics)
            assert 1 < len(read.batches) < len(codes)
            assert [code for batch in read.batches for code in batch] == codes
            site_ways = _Ways(connection, deployment, read.calendar, read, standings)
            assert {code: site_ways(code) for code in codes} == ways
    finally:
        engine.dispose()

    # from the run: the same points and grades as the report, and a plan that reaches the
    # next grade for every agency not at the top
    for agency in report.agencies:
        way = ways[agency.code]
        assert (way.total, way.grade, way.run) == (agency.total, agency.grade, run_id)
        if way.next_grade is not None:
            _check_plan_reaches_the_next_grade(way, deployment)
        # a whole year: the year end is today's figures
        assert all(
            (o.numerator_end, o.denominator_end) == (o.numerator, o.denominator)
            for o in way.outlook
        )
    assert any(s.kind == "fix" for w in ways.values() for s in w.steps)
    assert sum(w.reachable and w.next_grade is not None for w in ways.values()) > len(ways) // 2

    # mid-year: documents keep their pace to 31 December (181 of 365 days gone)
    pace = Pace.of(MID_YEAR)
    assert (mid.period_start, mid.period_end, mid.run) == (date(2025, 1, 1), MID_YEAR, None)
    paced = [o for o in mid.outlook if o.method == "pace" and o.denominator]
    assert paced
    for o in paced:
        assert o.denominator_end == pace.year_end(o.denominator)
        assert o.numerator_end == pace.year_end(o.numerator)
    assert (mid.code, mid.next_grade is not None) == (result.shown_agency, True)
    _check_plan_reaches_the_next_grade(mid, deployment)

    # the command prints what the library returns; its CSV names the agency beside its code
    shown = result.shown_agency
    printed = json.loads(
        _cli(config, store_url, "way", "--agency", shown, "--run", str(run_id), "--format", "json")
    )
    assert printed == json.loads(ways[shown].model_dump_json())
    table = _cli(config, store_url, "way", "--agency", shown, "--run", str(run_id))
    assert ways[shown].name in table and "Mức xếp loại tiếp theo" in table
    raw = _cli(config, store_url, "way", "--agency", shown, "--run", str(run_id), "--format", "csv")
    assert raw.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(raw.removeprefix("\ufeff"))))
    assert rows and {(r["Mã cơ quan"], r["Tên cơ quan"]) for r in rows} == {
        (shown, ways[shown].name)
    }
    listed = sum(max(len(s.items), 1) for s in ways[shown].steps)
    assert len(rows) == listed
    report_text = _cli(config, store_url, "report", "--agency", shown)
    assert f"checker way --agency {shown} --run {run_id}" in report_text

    # the documents listed under a step are the ones the evidence does not count
    way, step = next((w, s) for w in ways.values() for s in w.steps if s.kind == "fix" and s.items)
    assert step.metric is not None
    printed = _cli(
        config, store_url, "evidence", "--agency", way.code, "--metric", step.metric,
        "--year", "2025", "--format", "json",
    )  # fmt: skip
    evidence = json.loads(printed)
    not_counted = {d["item"] for d in evidence["documents"] if not d["counted"]}
    assert {i.item for i in step.items} == not_counted
    assert evidence["counts"]["denominator"] - evidence["counts"]["numerator"] == len(step.items)
