"""Migration 0012: a store whose facts were 1/0 flags (refused, registered, assigned,
acknowledged by every recipient) keeps the days those steps were done instead; every row is
worked out again by the next measuring run, which measures what it measured before."""

from __future__ import annotations

from datetime import date

from alembic import command
from sqlalchemy import inspect, select, text

from checker.store.engine import alembic_config, migrate, open_store
from checker.store.models import DOCUMENT
from tests.metrics.test_as_of import YEAR, _measured
from tests.metrics.test_measure import DAY, STC, SXD, edoc, sent, store


def _to(engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        if revision == "head":
            command.upgrade(config, revision)
        else:
            command.downgrade(config, revision)


def _columns(engine) -> set[str]:
    with engine.connect() as connection:
        return {c["name"] for c in inspect(connection).get_columns("document")}


def test_an_upgraded_store_keeps_the_days_of_the_steps_and_measures_the_same(store_url):
    engine = open_store(store_url)
    try:
        document = edoc(1, recipients=(STC, SXD))
        store(
            engine,
            [
                document,
                sent(document, STC, "03", DAY.replace(day=5)),
                sent(document, STC, "05", DAY.replace(day=6)),
                sent(document, SXD, "01", DAY),
                sent(document, SXD, "02", DAY.replace(day=4)),
            ],
        )
        before = _measured(engine, YEAR)

        _to(engine, "0011")  # the store as 0011 kept it, its facts worked out as flags
        assert {"fact_registered", "fact_acknowledged_all"} <= _columns(engine)
        assert "fact_registered_on" not in _columns(engine)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE document SET fact_recalled = 0, fact_refused = 0, "
                    "fact_registered = 1, fact_assigned = 1, fact_acknowledged_all = 1"
                )
            )
        _to(engine, "head")

        assert "fact_registered" not in _columns(engine)
        with engine.connect() as connection:
            stale = connection.scalars(select(DOCUMENT.c.fact_recalled)).all()
        assert stale == [None, None, None]  # every row to be worked out again
        assert _measured(engine, YEAR) == before
        with engine.connect() as connection:
            rows = connection.execute(
                select(
                    DOCUMENT.c.organ_id,
                    DOCUMENT.c.fact_registered_on,
                    DOCUMENT.c.fact_assigned_on,
                    DOCUMENT.c.fact_refused_on,
                ).where(DOCUMENT.c.direction == "in")
            ).all()
        assert sorted(rows) == [
            (STC, date(2025, 3, 5), date(2025, 3, 6), None),
            (SXD, None, None, date(2025, 3, 4)),
        ]
        assert before[STC, "inbound.registered"] == (1, 1)
    finally:
        migrate(engine)
        engine.dispose()
