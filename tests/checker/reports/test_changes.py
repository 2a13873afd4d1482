"""What changed between two stored runs, and an agency's trend across runs, on each database:
the changes agree with the two runs' reports, runs that differ in period or criteria set are
compared on what they share and say so, and bad choices are one line."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.jobs.score import criteria_sets
from checker.reports.changes import compare_runs, criterion_change, pick_runs
from checker.reports.report import build_report
from checker.reports.trend import agency_trend, criterion_trends, sparkline
from checker.store.engine import open_store
from checker.store.models import RUN
from tests.checker.reports.conftest import ScoredCity, cli
from tests.small_city import write_messages

CITY_CRITERIA = Path(__file__).resolve().parents[3] / "config" / "criteria"


def _rescore(city: ScoredCity, *extra: str) -> None:
    """More documents arrive (some handled late), then the city is scored again."""
    edxml = city.config.parent / "edxml"
    write_messages(edxml, start=100, count=30)
    cli("--db", city.db_url, "ingest", "edxml", str(edxml))
    cli("--config", str(city.config), "--db", city.db_url, "score", "--format", "json", *extra)


def _reports(city: ScoredCity, before: int, after: int) -> tuple[dict, dict]:
    engine = open_store(city.db_url)
    try:
        with engine.connect() as connection:
            sets, groups = criteria_sets(city.deployment), [g.id for g in city.deployment.groups]
            return tuple(  # type: ignore[return-value]
                {a.code: a for a in build_report(connection, sets, run, None, groups).agencies}
                for run in (before, after)
            )
    finally:
        engine.dispose()


def _run_ids(city: ScoredCity) -> list[int]:
    """The stored runs' ids, oldest first (PostgreSQL's ids go on from earlier tests)."""
    runs = cli(
        "--config", str(city.config), "--db", city.db_url, "runs", "list", "--format", "json"
    )
    return sorted(run["id"] for run in json.loads(runs))


def _diff(city: ScoredCity, *args: str) -> dict:
    return json.loads(
        cli(
            "--config",
            str(city.config),
            "--db",
            city.db_url,
            "runs",
            "diff",
            *args,
            "--format",
            "json",
        )
    )


def test_the_changes_between_two_runs_agree_with_their_reports(scored_city):
    _rescore(scored_city, "--year", "2025")
    changes = _diff(scored_city)
    first, second = _run_ids(scored_city)
    assert (changes["before"]["id"], changes["after"]["id"]) == (first, second)
    assert changes["notes"] == []
    assert changes["agencies_compared"] == 4
    before, after = _reports(scored_city, first, second)
    assert changes["agencies"], "thirty more documents changed nothing"
    for agency in changes["agencies"]:
        old, new = before[agency["code"]], after[agency["code"]]
        assert (agency["total_before"], agency["total_after"]) == (old.total, new.total)
        assert (agency["grade_before"], agency["grade_after"]) == (old.grade, new.grade)
        assert (agency["rank_before"], agency["rank_after"]) == (old.rank, new.rank)
        assert agency["grade_changed"] == (old.grade != new.grade)
        points = {
            which: {c.id: c for s in report.sections for c in s.criteria}
            for which, report in (("before", old), ("after", new))
        }
        for criterion in agency["criteria"]:
            was, now = (
                points["before"][criterion["criterion"]],
                points["after"][criterion["criterion"]],
            )
            assert (criterion["before"], criterion["after"]) == (was.points, now.points)
            assert was.points != now.points
        behind = {
            c.metric.id: (points["before"][c.id].metric, c.metric)
            for c in points["after"].values()
            if c.metric is not None
        }
        for metric in (m for m in agency["metrics"] if m["metric"] in behind):
            was, now = behind[metric["metric"]]
            assert was is not None
            assert (metric["numerator_before"], metric["denominator_before"]) == (
                was.numerator,
                was.denominator,
            )
            assert (metric["numerator_after"], metric["denominator_after"]) == (
                now.numerator,
                now.denominator,
            )
            assert metric["value_moved"] == (metric["value_before"] != metric["value_after"])
    unchanged = set(before) - {a["code"] for a in changes["agencies"]}
    for code in unchanged:
        assert before[code].total == after[code].total
    counts = changes["counts"]
    kinds = [c["change"] for a in changes["agencies"] for c in a["criteria"]]
    assert counts["started_losing"] == kinds.count("started_losing")
    assert counts["grade_changes"] == sum(a["grade_changed"] for a in changes["agencies"])


def test_one_agency_and_the_table_form(scored_city):
    _rescore(scored_city, "--year", "2025")
    code = "000.00.31.H99"
    changes = _diff(scored_city, "--agency", code)
    assert [a["code"] for a in changes["agencies"]] in ([code], [])
    assert changes["agencies_compared"] == 1
    table = cli("--config", str(scored_city.config), "--db", scored_city.db_url, "runs", "diff")
    first, second = _run_ids(scored_city)
    assert table.splitlines()[0].startswith(f"Lượt {first} → lượt {second} (score)")


def test_runs_of_different_periods_are_compared_and_the_periods_said(scored_city):
    _rescore(scored_city, "--as-of", "2025-03-15")
    changes = _diff(scored_city, *map(str, _run_ids(scored_city)))
    assert len(changes["notes"]) == 1
    assert "2025-12-31" in changes["notes"][0] and "2025-03-15" in changes["notes"][0]
    assert changes["agencies_compared"] == 4


def test_runs_with_another_criteria_set_compare_the_criteria_they_share(scored_city, tmp_path):
    text = (CITY_CRITERIA / "danang-electronic-example.toml").read_text(encoding="utf-8")
    variant = text.replace('id = "danang-electronic-example"', 'id = "danang-variant"', 1)
    variant = variant.replace(
        'id = "1.1"\n  title = "Tiếp nhận văn bản đến điện tử qua trục liên thông"\n  max = 10',
        'id = "1.1"\n  title = "Tiếp nhận văn bản đến điện tử qua trục liên thông"\n  max = 9',
    ).replace(
        'id = "1.4"\n  title = "Trình, chuyển giao văn bản đến trên phần mềm"\n  max = 7',
        'id = "1.4"\n  title = "Trình, chuyển giao văn bản đến trên phần mềm"\n  max = 8',
    )
    assert (
        variant.count("max = 9") == 1
        and 'max = 8\n  kind = "measured"\n  metric = "inbound.assigned"' in variant
    )
    (tmp_path / "danang-variant.toml").write_text(variant, encoding="utf-8")
    config = scored_city.config.read_text(encoding="utf-8").replace(
        'id = "quan-huyen"\nname = "Quận, huyện"\ncriteria = "danang-electronic-example"',
        f'id = "quan-huyen"\nname = "Quận, huyện"\ncriteria = "{tmp_path / "danang-variant.toml"}"',
    )
    scored_city.config.write_text(config, encoding="utf-8")
    _rescore(scored_city, "--year", "2025")
    changes = _diff(scored_city)
    notes = " | ".join(changes["notes"])
    assert "danang-electronic-example" in notes and "danang-variant" in notes
    assert "1.1, 1.4" in notes
    assert changes["agencies_compared"] == 4
    districts = [a for a in changes["agencies"] if a["group"] == "quan-huyen"]
    assert all(c["criterion"] not in ("1.1", "1.4") for a in districts for c in a["criteria"])


def test_bad_choices_are_one_line(scored_city):
    base = ["--config", str(scored_city.config), "--db", scored_city.db_url, "runs"]
    (only,) = _run_ids(scored_city)
    for args, message in (
        (["diff"], "ít hơn hai lượt chấm"),
        (["diff", str(only), str(only + 9)], f"không có lượt chấm {only + 9}"),
        (["diff", str(only)], "lượt chấm đầu tiên"),
        (["trend", "--agency", "000.00.01.H99", "--criterion", "9.9"], "9.9"),
    ):
        result = CliRunner().invoke(app, [*base, *args], env={"CHECKER_DB_URL": ""})
        assert result.exit_code == 1, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], result.stderr
        assert "Traceback" not in result.output


def test_the_trend_of_an_agency_follows_its_runs(scored_city):
    _rescore(scored_city, "--year", "2025")
    _rescore(scored_city, "--as-of", "2025-03-15")
    code = "000.00.02.H99"
    engine = open_store(scored_city.db_url)
    try:
        with engine.connect() as connection:
            trend = agency_trend(connection, code, criterion="1.4")
            before, after = pick_runs(connection)
            changes = compare_runs(connection, before, after, code)
            lines = criterion_trends(connection, "score", up_to=after.id, runs=2)
            everyone = compare_runs(connection, before, after)
    finally:
        engine.dispose()
    runs = _run_ids(scored_city)
    assert [p.run for p in trend.points] == runs
    reports = _reports(scored_city, runs[0], runs[2])
    assert trend.points[0].total == reports[0][code].total
    assert trend.points[-1].total == reports[1][code].total
    assert [p.max_points for p in trend.points] == [7.0, 7.0, 7.0]
    assert (before.id, after.id) == (runs[1], runs[2]) and changes.agency == code
    assert {(a, line.criterion, line.points) for a, moved in lines.items() for line in moved} == {
        (a.code, c.criterion, (c.before, c.after)) for a in everyone.agencies for c in a.criteria
    }
    line = cli(
        "--config",
        str(scored_city.config),
        "--db",
        scored_city.db_url,
        "runs",
        "trend",
        "--agency",
        code,
        "--criterion",
        "1.4",
    )
    assert line.splitlines()[1].split()[1] == sparkline([p.total for p in trend.points], 100.0)


@pytest.mark.parametrize(
    ("before", "after", "change"),
    [
        ("7", "5", "started_losing"),
        ("5", "7", "stopped_losing"),
        ("2", "5", "gained"),
        ("5", "2", "lost"),
        (None, "3", "now_scored"),
        ("3", None, "no_longer_scored"),
        ("3", "3", None),
        (None, None, None),
    ],
)
def test_a_criterion_change_in_one_word(before, after, change):
    as_decimal = lambda text: None if text is None else Decimal(text)  # noqa: E731
    assert criterion_change(as_decimal(before), as_decimal(after), Decimal(7)) == change


def test_a_sparkline_scales_to_the_top_and_leaves_gaps():
    assert sparkline([0, 50, 100], 100) == "▁▅█"
    assert sparkline([None, 0.0]) == " ▁"
    assert sparkline([]) == ""


def test_runs_of_different_kinds_are_compared_when_named_and_the_kinds_said(scored_city):
    engine = open_store(scored_city.db_url)
    try:
        with engine.begin() as connection:
            (first,) = _run_ids(scored_city)
            connection.execute(RUN.update().where(RUN.c.id == first).values(kind="demo"))
    finally:
        engine.dispose()
    _rescore(scored_city, "--year", "2025")
    first, second = _run_ids(scored_city)
    changes = _diff(scored_city, str(first), str(second))
    assert (
        changes["notes"][0]
        == f"hai lượt chấm khác loại: demo (lượt {first}) và score (lượt {second})"
    )
    assert changes["agencies_compared"] == 4
