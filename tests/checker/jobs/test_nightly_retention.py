"""``checker run`` keeps its runs as nightly runs, prunes by the deployment's ``[runs]`` rule
once a run is stored (and logs what it pruned), and its site shows what changed since the
night before; ``checker runs prune`` applies the same rule on demand."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from checker.cli import app
from checker.clock import today
from checker.config import load_deployment
from checker.jobs.nightly import ExitCode, NightlyOptions, nightly
from checker.store.models import RUN
from tests.checker.scoring.test_retention import _store_run
from tests.small_city import deployment_text, write_messages

AS_OF = date(2025, 6, 30)


def _city(folder: Path, rule: str = "[runs]\nkeep_daily_days = 30\n") -> Path:
    write_messages(folder / "edxml", count=12)
    path = folder / "checker.toml"
    path.write_text(deployment_text() + rule, encoding="utf-8")
    return path


def _options(folder: Path) -> NightlyOptions:
    return NightlyOptions(
        state_dir=folder / "state",
        site_dir=folder / "site",
        as_of=AS_OF,
        sleep=lambda seconds: None,
        arrival_margin=timedelta(0),
    )


def _long_ago(days: int, hour: int = 2) -> datetime:
    day = today() - timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour)


def test_a_night_prunes_the_runs_the_rule_no_longer_keeps_and_logs_them(engine, tmp_path):
    deployment = load_deployment(_city(tmp_path))
    with engine.begin() as connection:
        # two runs on one day, long ago: the later is the last of its month, the earlier goes
        early = _store_run(connection, _long_ago(400, hour=1))
        late = _store_run(connection, _long_ago(400, hour=3))
        score = _store_run(connection, _long_ago(400, hour=2), kind="score")
    result = nightly(engine, deployment, _options(tmp_path))
    assert result.exit_code is ExitCode.OK
    assert result.counts["prune"]["pruned"] == [early]
    with engine.connect() as connection:
        kept = dict(connection.execute(select(RUN.c.id, RUN.c.kind)).all())
    assert kept == {late: "nightly", score: "score", result.run_id: "nightly"}
    steps = [json.loads(line) for line in result.log.read_text(encoding="utf-8").splitlines()]
    prune = next(s for s in steps if s.get("step") == "prune")
    assert prune["pruned"] == [early] and prune["kept"] == 3

    write_messages(tmp_path / "edxml", start=100, count=6)
    again = nightly(engine, deployment, _options(tmp_path))
    changes = (tmp_path / "site" / "thay-doi.html").read_text(encoding="utf-8")
    assert f"Thay đổi từ lượt chấm số {result.run_id} đến lượt chấm số {again.run_id}" in changes
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert 'href="thay-doi.html"' in index


def test_runs_prune_says_what_it_would_prune_then_prunes_it(engine, store_url, tmp_path):
    config = _city(tmp_path)
    with engine.begin() as connection:
        old = [_store_run(connection, _long_ago(200, hour=h)) for h in (1, 2)]
        new = _store_run(connection, _long_ago(1))
    base = ["--config", str(config), "--db", store_url, "runs", "prune"]

    def invoke(*args: str) -> str:
        result = CliRunner().invoke(app, [*base, *args], env={"CHECKER_DB_URL": ""})
        assert result.exit_code == 0, result.output
        return result.stdout

    dry = json.loads(invoke("--dry-run", "--format", "json"))
    assert [r["id"] for r in dry["pruned"]] == [old[0]] and dry["dry_run"]
    assert dry["rule"] == {"keep_daily_days": 30, "keep_monthly_months": None}
    assert invoke().splitlines()[0] == "Đã xóa 1 lượt chấm, giữ 2."
    with engine.connect() as connection:
        assert set(connection.scalars(select(RUN.c.id))) == {old[1], new}
    assert invoke().splitlines()[0] == "Đã xóa 0 lượt chấm, giữ 2."


def test_without_a_rule_runs_prune_keeps_everything(engine, store_url, tmp_path):
    config = _city(tmp_path, rule="")
    with engine.begin() as connection:
        _store_run(connection, _long_ago(900))
    result = CliRunner().invoke(
        app,
        ["--config", str(config), "--db", store_url, "runs", "prune"],
        env={"CHECKER_DB_URL": ""},
    )
    assert result.exit_code == 0
    assert "keep_daily_days" in result.stdout
    with engine.connect() as connection:
        assert connection.scalar(select(RUN.c.id)) is not None
