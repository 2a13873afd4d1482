"""``checker.jobs.score``: the score use case, called as the CLI calls it, on each backend."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from checker.config import Agency, Deployment, Group, ScoringConfig
from checker.errors import ConfigError, NoDataError
from checker.jobs.score import score
from checker.reports.report import latest_run_id
from checker.store.loader import load
from checker.store.models import AGENCY_RESULT, RUN, SCORE
from metrics.period import Period
from tests.factories import doc

SNV, STC = "000.00.01.H99", "000.00.02.H99"
OUTSIDER = "000.00.00.G10"
DEPLOYMENT = Deployment(
    groups=(Group(id="g", name="Sở", criteria="danang-electronic-example"),),
    agencies=(
        Agency(code=SNV, name="Sở Nội vụ", group="g"),
        Agency(code=STC, name="Sở Tài chính", group="g"),
    ),
)
YEAR = Period.year(2025)


def _store_documents(engine) -> None:
    documents = [doc(1), doc(2), doc(3, sender=OUTSIDER, recipients=(SNV,))]
    load(engine, documents, source="edxml")


def test_a_run_is_stored_with_every_agency_ranked_and_the_unknown_codes_named(engine):
    _store_documents(engine)
    outcome = score(engine, DEPLOYMENT, YEAR)
    with engine.connect() as connection:
        assert latest_run_id(connection) == outcome.run_id
        ranked = connection.execute(
            select(AGENCY_RESULT.c.agency_code, AGENCY_RESULT.c.rank).where(
                AGENCY_RESULT.c.run_id == outcome.run_id
            )
        ).all()
    assert outcome.agencies == 2
    assert {code for code, _ in ranked} == {SNV, STC}
    assert outcome.period == YEAR
    assert [(u.code, u.documents) for u in outcome.unknown] == [(OUTSIDER, 1)]


def test_the_facts_worked_out_are_told_to_the_progress_callback(engine):
    _store_documents(engine)
    heard: list[tuple[int, int]] = []
    score(engine, DEPLOYMENT, YEAR, progress=lambda done, stale: heard.append((done, stale)))
    assert heard and heard[-1][0] == heard[-1][1] > 0
    heard.clear()
    score(engine, DEPLOYMENT, YEAR, progress=lambda done, stale: heard.append((done, stale)))
    assert heard == [], "a second run has no stale documents to work out"


def test_a_manual_points_file_given_replaces_the_deployments(engine, tmp_path):
    deployment_file = tmp_path / "deployment.toml"
    deployment_file.write_text(f'["{SNV}"]\n"5.1" = 9\n', encoding="utf-8")
    given = tmp_path / "given.toml"
    given.write_text(f'["{SNV}"]\n"5.1" = 4.5\n', encoding="utf-8")
    deployment = DEPLOYMENT.model_copy(
        update={"scoring": ScoringConfig(manual_points=deployment_file)}
    )
    _store_documents(engine)
    outcome = score(engine, deployment, YEAR, as_of=date(2025, 6, 30), manual=given)
    with engine.connect() as connection:
        points = connection.scalar(
            select(SCORE.c.points).where(
                SCORE.c.run_id == outcome.run_id,
                SCORE.c.agency_code == SNV,
                SCORE.c.criterion_id == "5.1",
            )
        )
        as_of = connection.scalar(select(RUN.c.as_of).where(RUN.c.id == outcome.run_id))
    assert Decimal(str(points)) == Decimal("4.5")
    assert as_of == date(2025, 6, 30)


def test_bad_manual_points_store_no_run(engine, tmp_path):
    bad = tmp_path / "manual.toml"
    bad.write_text(f'["{SNV}"]\n"5.1" = 99\n', encoding="utf-8")
    _store_documents(engine)
    with pytest.raises(ConfigError, match=r"5\.1"):
        score(engine, DEPLOYMENT, YEAR, manual=bad)
    with engine.connect() as connection:
        assert connection.scalar(select(RUN.c.id)) is None


def test_a_period_with_nothing_measured_stores_no_run(engine, english):
    with pytest.raises(NoDataError, match="nothing was measured for 2025"):
        score(engine, DEPLOYMENT, YEAR)
    with engine.connect() as connection:
        assert connection.scalar(select(RUN.c.id)) is None
