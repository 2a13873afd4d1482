"""``checker way`` on bad input: one line each, exit status 1 (2 for a usage error), nothing
stored."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.store.engine import open_store
from checker.store.models import RUN
from tests.checker.reports.conftest import score_city


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    folder = tmp_path_factory.mktemp("way")
    return score_city(f"sqlite:///{folder / 'checker.db'}", folder / "city")


def _way(city, *args: str):
    base = ["--lang", "en", "--config", str(city.config), "--db", city.db_url, "way"]
    return CliRunner().invoke(app, [*base, *args], env={"CHECKER_DB_URL": ""})


@pytest.mark.parametrize(
    ("args", "status", "said"),
    [
        (["--agency", "000.00.99.H99"], 1, "agency 000.00.99.H99 is not in the deployment"),
        (["--agency", "000.00.01.H99", "--run", "99"], 1, "there is no scoring run 99"),
        (["--agency", "000.00.01.H99", "--as-of", "2999-01-01"], 1, "is after today"),
        (["--agency", "000.00.01.H99", "--as-of", "30/06/2025"], 1, "is not a date"),
        (["--agency", "000.00.01.H99", "--as-of", "2024-06-30"], 1, "nothing was measured"),
        (["--agency", "000.00.01.H99", "--run", "1", "--as-of", "2025-06-30"], 2, "not both"),
        (["--agency", "000.00.01.H99", "--format", "xml"], 2, "xml"),
    ],
)
def test_bad_input_is_one_line_and_stores_nothing(city, args, status, said):
    result = _way(city, *args)
    assert result.exit_code == status
    assert said in result.output
    if status == 1:
        assert result.output.startswith("Error: ") and result.output.count("\n") == 1
    engine = open_store(city.db_url)
    try:
        with engine.connect() as connection:
            assert (
                connection.execute(RUN.select()).all()
                == connection.execute(RUN.select().where(RUN.c.id == 1)).all()
            )
    finally:
        engine.dispose()


def test_measured_mid_year_the_way_stores_no_run(city):
    result = _way(city, "--agency", "000.00.31.H99", "--as-of", "2025-03-31", "--format", "json")
    assert result.exit_code == 0, result.output
    assert '"run": null' in result.stdout
    engine = open_store(city.db_url)
    try:
        with engine.connect() as connection:
            assert len(connection.execute(RUN.select()).all()) == 1
    finally:
        engine.dispose()
