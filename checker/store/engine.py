"""The store: opening the database, bringing its schema up to date, and writing records.

SQLite is the embedded default (a file); PostgreSQL is reached by URL with the same code.
The schema is owned by the Alembic migrations in ``checker/store/migrations``; ``open_store`` runs
them, so a new database and an old one end at the same schema.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from checker.errors import StorageError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


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


def migrate(engine: Engine) -> None:
    """Bring the database schema up to the newest migration."""
    config = alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except OperationalError as exc:
        raise StorageError(
            f"database {safe_url(str(engine.url))} cannot be opened or migrated: "
            f"{one_line(str(exc.orig))}"
        ) from exc


def open_store(url: str) -> Engine:
    """An engine on an up-to-date database."""
    engine = create_store_engine(url)
    migrate(engine)
    return engine
