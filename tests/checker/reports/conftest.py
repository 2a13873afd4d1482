"""A scored small city on each database, for the report site and the exports."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.config import Deployment, load_deployment
from tests.small_city import build_small_city


@dataclass(frozen=True)
class ScoredCity:
    config: Path
    db_url: str
    deployment: Deployment


def cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"CHECKER_DB_URL": ""})
    assert result.exit_code == 0, result.output
    return result.stdout


def score_city(db_url: str, folder: Path) -> ScoredCity:
    config = build_small_city(folder)
    cli("--db", db_url, "ingest", "edxml", str(folder / "edxml"))
    cli("--config", str(config), "--db", db_url, "score", "--year", "2025", "--format", "json")
    return ScoredCity(config, db_url, load_deployment(config))


@pytest.fixture
def scored_city(store_url: str, tmp_path: Path) -> ScoredCity:
    return score_city(store_url, tmp_path / "city")
