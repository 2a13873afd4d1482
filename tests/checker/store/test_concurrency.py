"""Two processes at once on one store: what must be serial is, and the second one waits."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from checker.config import load_deployment
from checker.demo.city import deployment_toml, registry
from checker.jobs.score import score
from checker.store.engine import alembic_config, normalise_url, open_store
from checker.store.loader import load
from checker.store.models import AGENCY_RESULT, RUN
from metrics.period import Period
from tests.factories import doc


def _at_once(task: Callable[[], object], times: int = 2) -> list[BaseException]:
    """Run ``task`` in ``times`` threads started together; the exceptions they raised."""
    start, failures = threading.Barrier(times), []

    def worker() -> None:
        start.wait()
        try:
            task()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


@pytest.fixture
def new_pg_database(pg_server_url: str | None) -> Iterator[str]:
    """The URL of a PostgreSQL database with no tables at all."""
    if pg_server_url is None:
        pytest.skip("PostgreSQL is not reachable (set CHECKER_TEST_PG_URL)")
    admin = create_engine(normalise_url(pg_server_url), isolation_level="AUTOCOMMIT")
    name = f"checker_new_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(normalise_url(pg_server_url)).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_two_first_opens_of_a_new_postgresql_database_both_succeed(new_pg_database):
    engines = []
    failures = _at_once(lambda: engines.append(open_store(new_pg_database)), times=3)
    assert failures == []
    with engines[0].connect() as connection:
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == head
    for engine in engines:
        engine.dispose()


def test_two_first_opens_of_a_new_sqlite_store_both_succeed(tmp_path):
    url = f"sqlite:///{tmp_path / 'checker.db'}"
    engines = []
    assert _at_once(lambda: engines.append(open_store(url)), times=3) == []
    for engine in engines:
        engine.dispose()


def test_two_score_runs_at_once_both_store_a_whole_run(store_url, tmp_path: Path):
    toml = deployment_toml(registry()).split("[scoring]")[0]
    (tmp_path / "checker.toml").write_text(toml, encoding="utf-8")
    deployment = load_deployment(tmp_path / "checker.toml")
    engine = open_store(store_url)
    load(engine, [doc(1), doc(2)], source="edxml")  # something to measure
    period = Period.year(2025)
    try:
        failures = _at_once(lambda: score(engine, deployment, period), times=2)
        assert failures == []
        with engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(RUN)) == 2
            results = select(AGENCY_RESULT.c.run_id, func.count()).group_by(AGENCY_RESULT.c.run_id)
            counts = [count for _, count in connection.execute(results)]
        assert counts == [len(deployment.agencies)] * 2
    finally:
        engine.dispose()
