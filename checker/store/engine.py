"""The store: opening the database, bringing its schema up to date, and writing records.

SQLite is the embedded default (a file); PostgreSQL is reached by URL with the same code.
The schema is owned by the Alembic migrations in ``checker/store/migrations``; ``open_store`` runs
them, so a new database and an old one end at the same schema.

Migrations are atomic: all the revisions an open applies run in one transaction, committed
at the end or not at all, so a process killed while a store is created or upgraded leaves the
store as it was. On SQLite that takes an explicit ``BEGIN IMMEDIATE``: the driver's own
transaction handling starts a transaction only before a data change, so each ``CREATE`` or
``ALTER`` would commit on its own. ``BEGIN IMMEDIATE`` also takes SQLite's write lock, so a
second process opening the same store waits and then finds it up to date. On PostgreSQL, where
DDL is transactional already, an advisory lock makes the second opener wait the same way.

``hold_writes_lock`` takes that kind of lock for a use case whose writes must not interleave
with another's (a scoring run rewrites the registry and the calendar, and works out facts).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from checker.errors import StorageError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# PostgreSQL advisory lock keys (any two 64-bit numbers that nothing else uses).
MIGRATION_LOCK = 0x636865636B657201  # "checker" 01
WRITES_LOCK = 0x636865636B657202
WRITES_WAIT_SECONDS = 3600.0  # a second scoring run waits this long for the first one
SQLITE_BUSY_MS = 5000  # the driver's default wait for a locked SQLite database


def safe_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable database URL>"


def one_line(text: str) -> str:
    """A driver's multi-line message folded into one line."""
    return " ".join(text.split())


def normalise_url(url: str) -> str:
    """PostgreSQL URLs use the psycopg 3 driver unless one is named."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.removeprefix("postgres://")
    return url


def create_store_engine(url: str) -> Engine:
    try:
        engine = create_engine(normalise_url(url))
    except (ArgumentError, SQLAlchemyError, ImportError) as exc:
        raise StorageError(f"database URL {safe_url(url)} is not usable: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB: index pages of a large ingest stay hot
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema up to ``revision`` (the newest by default), in one
    transaction."""
    config = alembic_config()
    try:
        with engine.connect() as connection, _schema_transaction(connection):
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except OperationalError as exc:
        raise StorageError(
            f"database {safe_url(str(engine.url))} cannot be opened or migrated: "
            f"{one_line(str(exc.orig))}"
        ) from exc


@contextmanager
def _schema_transaction(connection: Connection) -> Iterator[None]:
    """One transaction around every migration: committed when the block ends, rolled back
    when it raises; only one process at a time inside it."""
    if connection.dialect.name != "sqlite":
        with connection.begin():
            connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK)))
            yield
        return
    driver = connection.connection.driver_connection
    saved = driver.isolation_level  # type: ignore[union-attr]
    driver.isolation_level = None  # type: ignore[union-attr]  # we say BEGIN, not the driver
    try:
        with connection.begin():
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            yield
    finally:
        driver.isolation_level = saved  # type: ignore[union-attr]


def hold_writes_lock(connection: Connection, wait_seconds: float = WRITES_WAIT_SECONDS) -> None:
    """Wait (up to ``wait_seconds``) until no other process writes to the store, then keep the
    store's writes lock until the transaction of ``connection`` ends. Call it first in the
    transaction. PostgreSQL: an advisory lock. SQLite: its own write lock, taken at once by a
    write that changes nothing (a transaction that has read first could not wait for it)."""
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(WRITES_LOCK)))
        return
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(wait_seconds * 1000)}")
        try:
            connection.exec_driver_sql("DELETE FROM alembic_version WHERE 0")
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")


def open_store(url: str) -> Engine:
    """An engine on an up-to-date database."""
    engine = create_store_engine(url)
    migrate(engine)
    return engine
