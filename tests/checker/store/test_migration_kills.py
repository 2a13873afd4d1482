"""A process killed (SIGKILL) while it creates or upgrades a store leaves a store the next
open completes: every migration an open applies commits at once or not at all.

The child process dies just before its N-th SQL statement (kill points spread over the whole
migration) or after a random delay; the parent then opens the store as any command would and
checks it is at the newest revision, matches the models and kept every document. The number
of kill points is ``CHECKER_KILL_POINTS`` (default 12 per case; 0 means every statement).
"""

from __future__ import annotations

import os
import random
import signal
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Boolean, Date, DateTime, Engine, Integer, MetaData, event, func, select
from sqlmodel import SQLModel

from checker.store.engine import alembic_config, create_store_engine, migrate, open_store

pytestmark = pytest.mark.kill

DOCUMENTS = 2_000


def _statements(url: str, revision: str = "head") -> int:
    """How many SQL statements migrating the store at ``url`` to ``revision`` runs."""
    engine = create_store_engine(url)
    count = [0]
    event.listen(engine, "before_cursor_execute", lambda *_: count.__setitem__(0, count[0] + 1))
    migrate(engine, revision)
    engine.dispose()
    return count[0]


def _kill_points(total: int) -> list[int]:
    wanted = int(os.environ.get("CHECKER_KILL_POINTS", "12"))
    if wanted <= 0 or wanted >= total:
        return list(range(1, total + 1))
    return sorted({1, total, *(1 + i * (total - 1) // (wanted - 1) for i in range(wanted))})


def _migrate_in_child(url: str, *, kill_at: int | None = None, after: float | None = None) -> int:
    """Fork a process that migrates ``url`` and dies at statement ``kill_at`` or after
    ``after`` seconds; its wait status."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            engine = create_store_engine(url)
            if kill_at is not None:
                seen = [0]

                def die(*_: object) -> None:
                    seen[0] += 1
                    if seen[0] == kill_at:
                        os.kill(os.getpid(), signal.SIGKILL)

                event.listen(engine, "before_cursor_execute", die)
            migrate(engine)
        finally:
            os._exit(0)
    if after is not None:
        time.sleep(after)
        os.kill(pid, signal.SIGKILL)
    return os.waitpid(pid, 0)[1]


def _assert_complete(url: str, documents: int) -> None:
    engine = open_store(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            head = ScriptDirectory.from_config(alembic_config()).get_current_head()
            assert context.get_current_revision() == head
            assert compare_metadata(context, SQLModel.metadata) == []
            table = SQLModel.metadata.tables["document"]
            assert connection.scalar(select(func.count()).select_from(table)) == documents
    finally:
        engine.dispose()


def _store_at_0005_with_documents(path: Path) -> str:
    """A store at revision 0005 holding documents, written with 0005's own columns."""
    url = f"sqlite:///{path}"
    engine = create_store_engine(url)
    migrate(engine, "0005")
    _fill_documents(engine)
    engine.dispose()
    return url


def _fill_documents(engine: Engine) -> None:
    tables = MetaData()
    tables.reflect(engine, only=["document"])
    document = tables.tables["document"]
    defaults = {Integer: 1, Boolean: False, Date: date(2025, 3, 4)}
    rows = []
    for i in range(DOCUMENTS):
        row: dict[str, object] = {}
        for column in document.columns:
            if column.primary_key and isinstance(column.type, Integer):
                continue
            kind = type(column.type)
            if isinstance(column.type, DateTime):
                row[column.name] = datetime(2025, 3, 4, 8, i % 60)
            elif any(isinstance(column.type, k) for k in defaults):
                row[column.name] = next(v for k, v in defaults.items() if issubclass(kind, k))
            else:
                row[column.name] = f"{column.name}-{i}"
        row["direction"] = "in" if i % 2 else "out"
        rows.append(row)
    with engine.begin() as connection:
        connection.execute(document.insert(), rows)


def test_a_store_killed_while_being_created_opens_complete(tmp_path):
    total = _statements(f"sqlite:///{tmp_path / 'count.db'}")
    for point in _kill_points(total):
        url = f"sqlite:///{tmp_path / f'new-{point}.db'}"
        status = _migrate_in_child(url, kill_at=point)
        assert os.WIFSIGNALED(status), f"the child was to die at statement {point} of {total}"
        _assert_complete(url, documents=0)


def test_a_store_killed_while_being_upgraded_keeps_its_data_and_opens_complete(tmp_path):
    template = _store_at_0005_with_documents(tmp_path / "template.db")
    total = _statements(template)
    for point in _kill_points(total):
        path = tmp_path / f"old-{point}.db"
        _store_at_0005_with_documents(path)
        status = _migrate_in_child(f"sqlite:///{path}", kill_at=point)
        assert os.WIFSIGNALED(status), f"the child was to die at statement {point} of {total}"
        _assert_complete(f"sqlite:///{path}", documents=DOCUMENTS)


def test_stores_killed_at_random_moments_open_complete(tmp_path):
    chance = random.Random(int(os.environ.get("CHECKER_KILL_SEED", "10")))
    for attempt in range(6):
        fresh = f"sqlite:///{tmp_path / f'random-new-{attempt}.db'}"
        _migrate_in_child(fresh, after=chance.uniform(0.3, 1.5))
        _assert_complete(fresh, documents=0)
        old = _store_at_0005_with_documents(tmp_path / f"random-old-{attempt}.db")
        _migrate_in_child(old, after=chance.uniform(0.0, 0.4))
        _assert_complete(old, documents=DOCUMENTS)
