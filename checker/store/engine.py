"""The store: opening the database, bringing its schema up to date, and writing records.

SQLite is the embedded default (a file); PostgreSQL is reached by URL with the same code.
The schema is owned by the Alembic migrations in ``checker/store/migrations``; ``open_store`` runs
them, so a new database and an old one end at the same schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, SQLAlchemyError

from checker.errors import StorageError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def safe_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable database URL>"


def store_name(url: str | URL) -> str:
    """How messages name a database: an SQLite file by its path, a server database by its
    URL without the password and the query."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "<unparseable database URL>"
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or "(in memory)"
    return parsed.set(query={}).render_as_string(hide_password=True)


# SQLite's "busy" and "locked", PostgreSQL's lock_not_available and deadlock_detected
_LOCKED_SQLITE = ("database is locked", "database table is locked")
_LOCKED_SQLSTATES = ("55P03", "40P01")


@contextmanager
def storage_errors(url: str | URL) -> Iterator[None]:
    """The one boundary between the database driver and the rest of checker, as httpx maps
    its transport errors: any SQLAlchemy or driver error raised inside becomes a one-line
    ``StorageError`` that names the database and says what happened, without the SQL or
    the row values the driver's message may carry (they stay on the chained exception)."""
    try:
        yield
    except SQLAlchemyError as exc:
        raise StorageError(describe_storage_error(store_name(url), exc)) from exc


def describe_storage_error(name: str, exc: SQLAlchemyError) -> str:
    """One line for a database error: what happened to which database, and what to do."""
    driver = exc.orig if isinstance(exc, DBAPIError) else None
    first_line = str(driver).strip().splitlines()[0] if driver is not None and str(driver) else ""
    sqlstate = getattr(driver, "sqlstate", None) or getattr(driver, "pgcode", None)
    if first_line in _LOCKED_SQLITE or sqlstate in _LOCKED_SQLSTATES:
        return f"database {name} is locked by another process; try again when it finishes"
    if isinstance(exc, IntegrityError):
        return f"database {name} refused a write that breaks its constraints ({first_line})"
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return f"the connection to database {name} was lost; try again"
    detail = first_line or exc.__class__.__name__
    return f"database {name} failed: {detail}"


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
    except SQLAlchemyError as exc:
        message = describe_storage_error(store_name(engine.url), exc)
        raise StorageError(f"the store cannot be opened or brought up to date: {message}") from exc


def open_store(url: str, *, create: bool = True) -> Engine:
    """An engine on an up-to-date database. With ``create`` False, an SQLite file that does
    not exist yet is an error rather than a new, empty store (for commands that only read)."""
    if not create:
        _check_exists(url)
    engine = create_store_engine(url)
    migrate(engine)
    return engine


def _check_exists(url: str) -> None:
    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError:
        return  # create_store_engine says why
    path = parsed.database
    in_a_file = parsed.get_backend_name() == "sqlite" and path not in (None, "", ":memory:")
    if in_a_file and not Path(str(path)).exists():
        raise StorageError(
            f"there is no store here: {path} does not exist (run the command in a "
            "workspace, or name the database with --db URL or --config PATH)"
        )
