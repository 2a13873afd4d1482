"""Fixtures shared by the suite: a store on SQLite and, when reachable, on PostgreSQL.

``store_url`` is parametrised over both databases; tests that take it run twice. The
PostgreSQL server is ``CHECKER_TEST_PG_URL`` (default: the local server of these machines);
each test session works in a database of its own, created and dropped here. When the server
cannot be reached the PostgreSQL cases are skipped, unless ``CHECKER_REQUIRE_PG=1`` (CI
sets it), which makes that a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from checker.i18n import Language, speaking
from checker.store.engine import normalise_url, open_store
from checker.store.models import (
    AGENCY,
    AGENCY_CODE,
    AGENCY_RESULT,
    ASSESSMENT,
    ASSESSMENT_ENTRY,
    CALENDAR_DAY,
    DIGITISED_FILE,
    DOCUMENT,
    DOCUMENT_SOURCE,
    DOSSIER,
    EVENT,
    FILE_LIST,
    MESSAGE,
    METRIC_VALUE,
    QUARANTINE,
    RECORD_FILE,
    RUN,
    RUN_SNAPSHOT,
    SCORE,
    SYNC_CURSOR,
    TRANSFER,
)

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO.parent / "shared" / "samples" / "edxml"
PG_DEFAULT = "postgresql://127.0.0.1:5432/test"
TABLES_IN_DELETE_ORDER = (
    ASSESSMENT_ENTRY,
    ASSESSMENT,
    RUN_SNAPSHOT,
    SCORE,
    AGENCY_RESULT,
    METRIC_VALUE,
    RUN,
    EVENT,
    DOCUMENT,
    DOCUMENT_SOURCE,
    MESSAGE,
    QUARANTINE,
    RECORD_FILE,
    FILE_LIST,
    TRANSFER,
    DOSSIER,
    DIGITISED_FILE,
    SYNC_CURSOR,
    AGENCY_CODE,
    AGENCY,
    CALENDAR_DAY,
)


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str | None]:
    """A fresh PostgreSQL database for this session, or None when there is no server."""
    admin_url = normalise_url(os.environ.get("CHECKER_TEST_PG_URL", PG_DEFAULT))
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"checker_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # any failure to reach the server
        admin.dispose()
        if os.environ.get("CHECKER_REQUIRE_PG") == "1":
            pytest.fail(f"PostgreSQL required but not reachable at {admin_url}: {exc}")
        yield None
        return
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def _pg_engine(pg_server_url: str | None) -> Iterator[Engine | None]:
    if pg_server_url is None:
        yield None
        return
    engine = open_store(pg_server_url)
    yield engine
    engine.dispose()


def _empty(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in TABLES_IN_DELETE_ORDER:
            connection.execute(table.delete())


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(
    request: pytest.FixtureRequest, tmp_path: Path, _pg_engine: Engine | None
) -> Iterator[str]:
    """A database URL with an up-to-date, empty schema, on each database in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'checker.db'}"
        return
    if _pg_engine is None:
        pytest.skip("PostgreSQL is not reachable (set CHECKER_TEST_PG_URL)")
    _empty(_pg_engine)
    yield _pg_engine.url.render_as_string(hide_password=False)


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    engine = open_store(store_url)
    yield engine
    engine.dispose()


@pytest.fixture
def english() -> Iterator[None]:
    """Library calls read English inside the test (the reasons these tests spell out)."""
    with speaking(Language.en):
        yield
