"""``checker run``, the nightly job: the whole chain on each database against a real HTTP
simulator, new edXML files only, a source down (partial), the lock, --fail-below, the log,
and a run killed with kill -9 completed by the next one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from checker.cli import app
from checker.config import load_deployment
from checker.demo.simulated_data import generate_dataset
from checker.demo.simulator import Simulator
from checker.errors import RunLockedError
from checker.jobs.lock import run_lock
from checker.jobs.nightly import ExitCode, NightlyOptions, Threshold, nightly
from checker.jobs.score import criteria_sets
from checker.reports.report import build_report, latest_run_id
from checker.store.engine import open_store
from checker.store.models import RUN
from connectors.http import build_client
from connectors.mapping import HttpSource
from tests.small_city import AGENCIES, deployment_text, write_messages

TOKEN = "night-token"
AS_OF = date(2025, 6, 30)


def _http_source(name: str, base_url: str) -> str:
    return (
        f'\n[[sources]]\nname = "{name}"\nkind = "http"\nsystem = "documents"\n'
        f'base_url = "{base_url}"\nauth = {{ type = "bearer", token_env = "NIGHT_TOKEN" }}\n'
        "retry = { max_attempts = 1 }\n"
    )


def _city(folder: Path, *http: tuple[str, str]) -> Path:
    write_messages(folder / "edxml", count=12)
    text = deployment_text() + "".join(_http_source(name, url) for name, url in http)
    path = folder / "checker.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _client(source: HttpSource) -> httpx.Client:
    return build_client(source.name, source.auth, source.timeouts, environ={"NIGHT_TOKEN": TOKEN})


def _options(folder: Path, **changes) -> NightlyOptions:
    defaults = {
        "state_dir": folder / "state",
        "site_dir": folder / "site",
        "as_of": AS_OF,
        "client_factory": _client,
        "sleep": lambda seconds: None,
        "arrival_margin": timedelta(0),
    }
    return NightlyOptions(**{**defaults, **changes})


@pytest.fixture(scope="module")
def simulator():
    data = generate_dataset(agencies=list(AGENCIES), year=2025)
    with Simulator(data, token=TOKEN, port=0) as running:
        yield running


def test_a_night_reads_syncs_scores_publishes_and_logs_every_step(engine, tmp_path, simulator):
    config = _city(tmp_path, ("qlvb", f"{simulator.base_url}/api/v1"))
    deployment = load_deployment(config)
    result = nightly(engine, deployment, _options(tmp_path))
    assert result.exit_code is ExitCode.OK
    assert result.counts["ingest truc-lien-thong"]["files"] > 12
    assert result.counts["sync"]["qlvb"]["records"] > 0
    assert (tmp_path / "site" / "index.html").is_file()
    with engine.connect() as connection:
        run = connection.execute(select(RUN)).mappings().one()
    assert (run["id"], run["as_of"], run["note"]) == (result.run_id, AS_OF, "")
    lines = [json.loads(line) for line in result.log.read_text(encoding="utf-8").splitlines()]
    assert result.log.name.endswith(f"-{result.run_id}.jsonl")
    assert result.log.parent == tmp_path / "state" / "logs"
    assert [line["event"] for line in lines] == ["start", "step", "step", "step", "step", "end"]
    assert [line.get("step") for line in lines[1:5]] == ["ingest", "sync", "score", "site"]
    assert all(line["seconds"] >= 0 for line in lines[1:5])
    assert lines[-1]["exit_code"] == 0

    written = write_messages(tmp_path / "edxml", start=100, count=3)
    again = nightly(engine, deployment, _options(tmp_path))
    ingest = again.counts["ingest truc-lien-thong"]
    assert (ingest["files"], ingest["duplicates"]) == (written, 0)
    assert again.counts["sync"]["qlvb"]["records"] >= 0
    assert again.run_id == result.run_id + 1


def test_a_source_down_makes_the_run_partial_and_the_rest_is_scored(engine, tmp_path):
    config = _city(tmp_path, ("qlvb", "http://127.0.0.1:9/api/v1"))
    missing = tmp_path / "no-such-folder"
    text = config.read_text(encoding="utf-8").replace('paths = ["edxml"]', 'paths = ["edxml"]')
    text += f'\n[[sources]]\nname = "tinh"\nkind = "edxml"\npaths = ["{missing}"]\n'
    config.write_text(text, encoding="utf-8")
    result = nightly(engine, load_deployment(config), _options(tmp_path))
    assert result.exit_code is ExitCode.PARTIAL
    assert result.failed_sources == ["tinh", "qlvb"]
    assert result.counts["ingest truc-lien-thong"]["documents"] == 12
    with engine.connect() as connection:
        note = connection.scalar(select(RUN.c.note).where(RUN.c.id == result.run_id))
    assert note == "partial: sources not read: tinh, qlvb"
    assert (tmp_path / "site" / "index.html").is_file()
    log = result.log.read_text(encoding="utf-8")
    assert '"event": "warning", "step": "ingest"' in log and "no-such-folder" in log


def test_a_second_run_while_one_holds_the_lock_does_nothing(engine, tmp_path):
    config = _city(tmp_path)
    deployment = load_deployment(config)
    options = _options(tmp_path)
    with run_lock(engine, options.state_dir), pytest.raises(RunLockedError):
        nightly(engine, deployment, options)
    with engine.connect() as connection:
        assert connection.scalar(select(RUN.c.id)) is None
    assert nightly(engine, deployment, options).exit_code is ExitCode.OK  # released


def test_fail_below_points_or_a_grade_for_one_agency(engine, tmp_path):
    deployment = load_deployment(_city(tmp_path))
    code = next(iter(AGENCIES))
    low = nightly(engine, deployment, _options(tmp_path, fail_below=Threshold.parse("99.5")))
    assert low.exit_code is ExitCode.BELOW and len(low.below) == len(AGENCIES)
    options = _options(tmp_path, fail_below=Threshold.parse("tb"), agencies=(code,))
    assert nightly(engine, deployment, options).exit_code is ExitCode.OK
    options = _options(tmp_path, fail_below=Threshold.parse("xuat-sac"), agencies=(code,))
    below = nightly(engine, deployment, options)
    assert below.exit_code is ExitCode.BELOW and below.below[0].startswith(code)


runner = CliRunner()


def test_the_command_documents_and_returns_its_exit_codes(tmp_path):
    config = _city(tmp_path)
    db = f"sqlite:///{tmp_path / 'checker.db'}"
    help_text = runner.invoke(app, ["--lang", "en", "run", "--help"], env={"COLUMNS": "120"}).stdout
    for code, word in (
        (0, "ok"),
        (1, "error"),
        (2, "usage"),
        (3, "partial"),
        (4, "below"),
        (5, "locked"),
    ):
        assert f"{code}  {word}" in help_text
    args = ["--config", str(config), "--db", db, "run", "--as-of", "2025-06-30"]
    done = runner.invoke(app, [*args, "--format", "json"], env={"CHECKER_DB_URL": ""})
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout)
    assert Path(summary["log"]).parent == tmp_path / "logs"  # beside the SQLite file
    assert (tmp_path / "site" / "index.html").is_file()
    wrong = runner.invoke(
        app, ["--lang", "en", *args, "--fail-below", "excellent"], env={"CHECKER_DB_URL": ""}
    )
    assert wrong.exit_code == 1
    assert wrong.output.startswith("Error: --fail-below 'excellent': not a number of points")
    assert runner.invoke(app, [*args, "--bogus"]).exit_code == 2
    engine = open_store(db)
    try:
        with run_lock(engine, tmp_path):
            locked = runner.invoke(app, ["--lang", "en", *args], env={"CHECKER_DB_URL": ""})
    finally:
        engine.dispose()
    assert locked.exit_code == 5
    assert locked.output.count("\n") == 1
    assert locked.output.startswith("Locked: another checker run is running on this store")


def test_a_run_killed_with_kill_9_is_completed_by_the_next(tmp_path):
    folder = tmp_path / "killed"
    clean = tmp_path / "clean"
    for place in (folder, clean):
        _city(place)
        write_messages(place / "edxml", start=200, count=150)
    env = {**os.environ, "CHECKER_DB_URL": ""}
    command = [sys.executable, "-m", "checker", "--config", str(folder / "checker.toml")]
    run = [*command, "run", "--as-of", "2025-06-30", "--format", "json"]
    process = subprocess.Popen(run, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    logs = folder / "logs"
    while time.monotonic() < deadline and not any(
        '"step": "ingest"' in p.read_text(encoding="utf-8") for p in logs.glob("*.jsonl")
    ):
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    again = subprocess.run(run, env=env, capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr
    clean_engine = open_store(f"sqlite:///{clean / 'checker.db'}")
    try:
        options = _options(clean, state_dir=clean, arrival_margin=timedelta(hours=1))
        clean_deployment = load_deployment(clean / "checker.toml")
        assert nightly(clean_engine, clean_deployment, options).exit_code is ExitCode.OK
        reports = [_report(clean_engine, clean_deployment)]
    finally:
        clean_engine.dispose()
    killed_engine = open_store(f"sqlite:///{folder / 'checker.db'}")
    try:
        reports.append(_report(killed_engine, load_deployment(folder / "checker.toml")))
    finally:
        killed_engine.dispose()
    assert reports[0].model_dump(exclude={"run": {"id"}}) == reports[1].model_dump(
        exclude={"run": {"id"}}
    )
    assert not (folder / "site" / ".checker-site.journal").exists()


def _report(engine, deployment):
    with engine.connect() as connection:
        return build_report(
            connection,
            criteria_sets(deployment),
            latest_run_id(connection),
            None,
            [g.id for g in deployment.groups],
        )
