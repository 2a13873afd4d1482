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

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, func, inspect, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)

from checker.errors import StorageError
from checker.i18n import N_, _

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# PostgreSQL advisory lock keys (any two 64-bit numbers that nothing else uses).
MIGRATION_LOCK = 0x636865636B657201  # "checker" 01
WRITES_LOCK = 0x636865636B657202
WRITES_WAIT_SECONDS = 3600.0  # a second scoring run waits this long for the first one
SQLITE_BUSY_MS = 5000  # the driver's default wait for a locked SQLite database


def safe_url(url: str) -> str:
    """The URL with any password hidden, for messages. Read without a URL parser, so that a
    URL no parser accepts (an ``@`` left unencoded in the password, a port that is not a
    number) shows no secret either: everything up to the last ``@`` is the user and password."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        return _("<unparseable database URL>")
    main, question, query = rest.partition("?")
    userinfo, at, place = main.rpartition("@")
    user = userinfo.split(":", 1)[0]
    shown = (f"{user}:***@" if ":" in userinfo else f"{user}@") if at else ""
    query = re.sub(r"(?i)(password=)[^&]*", r"\1***", query)
    return f"{scheme}://{shown}{place}{question}{query}"


def store_name(url: str | URL) -> str:
    """How messages name a database: an SQLite file by its path, a server database by its
    URL without the password and the query."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return _("<unparseable database URL>")
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or _("(in memory)")
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
        return _("database {name} is locked by another process; try again when it finishes").format(
            name=name
        )
    if isinstance(exc, IntegrityError):
        line = _("database {name} refused a write that breaks its constraints ({detail})")
        return line.format(name=name, detail=first_line)
    reason = _connect_failure(first_line) if isinstance(exc, OperationalError) else None
    if isinstance(exc, DBAPIError) and (reason := reason or _connection_setting(first_line)):
        return _("cannot connect to database {name}: {reason}").format(name=name, reason=reason)
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return _("the connection to database {name} was lost; try again").format(name=name)
    sqlite_words = next((ours for theirs, ours in _SQLITE_FAILURES if theirs in first_line), None)
    if sqlite_words is not None:
        return _(sqlite_words).format(name=name)
    detail = first_line or exc.__class__.__name__
    return _("database {name} failed: {detail}").format(name=name, detail=detail)


# What SQLite says about a file it cannot use, and what we tell people instead
_SQLITE_FAILURES = (
    ("file is not a database", N_("{name} is not an SQLite database file")),
    (
        "unable to open database file",
        N_("the file {name} cannot be opened: is it a folder, or is its folder missing?"),
    ),
    ("readonly database", N_("database {name} is read-only for this user")),
    ("disk image is malformed", N_("database {name} is damaged: restore it from a backup")),
    ("disk I/O error", N_("database {name} cannot be read or written: a disk error")),
    ("database or disk is full", N_("database {name} cannot grow: the disk is full")),
)


# What the PostgreSQL driver says when it cannot connect, and what we tell people instead
_CONNECT_FAILURES = (
    ("Connection refused", N_("the server refuses connections (is PostgreSQL running there?)")),
    ("failed to resolve host", N_("the host name is not known; check the URL")),
    ("Name or service not known", N_("the host name is not known; check the URL")),
    ("timeout expired", N_("the server did not answer in time")),
    ("password authentication failed", N_("the server refused the user or the password")),
    ("no password supplied", N_("the server asks for a password and the URL gives none")),
    ("does not exist", N_("the server has no such database or user; create it or fix the URL")),
)


# What libpq and psycopg say about a connection they would not make, and our words: SSL, too
# many connections, an authentication method the driver lacks (nothing to quote: the kind says
# it all, and the driver's line repeats the host and port the message names already)
_REFUSED_CONNECTIONS = (
    (
        "server does not support SSL, but SSL was required",
        N_(
            "the URL requires SSL (sslmode) and the server does not offer it; remove sslmode "
            "from the URL or turn SSL on at the server"
        ),
    ),
    (
        re.compile(r"no pg_hba\.conf entry for .*(no encryption|SSL off)"),
        N_("the server admits this user only over SSL; add ?sslmode=require to the URL"),
    ),
    (
        re.compile(r"too many (clients|connections)|connection slots are reserved"),
        N_(
            "the server has no connection free (too many connections); try again later or "
            "raise max_connections on the server"
        ),
    ),
    (
        re.compile(r"authentication method .*not supported|requires libpq version"),
        N_(
            "the server asks for a way of signing in that this driver does not support; "
            "change the user's method in the server's pg_hba.conf (scram-sha-256 or md5)"
        ),
    ),
)
# What the driver says about an option of the URL's query it does not take, and our words,
# naming the option and value the driver names
_BAD_SETTINGS = (
    (
        re.compile(r'invalid connection option "(?P<option>[^"]*)"'),
        N_("the URL has an option the driver does not know: {option}; check the part after '?'"),
    ),
    (
        re.compile(r'invalid (?P<option>\w+) value: "(?P<value>[^"]*)"'),
        N_("the URL's option {option} does not take the value {value}"),
    ),
    (
        re.compile(r"bad value for (?P<option>\w+): '(?P<value>[^']*)'"),
        N_("the URL's option {option} does not take the value {value}"),
    ),
)


def _connect_failure(first_line: str) -> str | None:
    """Our words for a connection the driver could not make, or None for another failure."""
    if not first_line.startswith(("connection failed", "failed to resolve host")):
        return None
    for theirs, ours in (*_CONNECT_FAILURES, *_REFUSED_CONNECTIONS):
        if theirs in first_line if isinstance(theirs, str) else theirs.search(first_line):
            return _(ours)
    return None


def _connection_setting(first_line: str) -> str | None:
    """Our words for an option of the URL the driver refuses before it connects, naming the
    option and the value (quoted as the URL has them), or None for another failure."""
    for pattern, ours in _BAD_SETTINGS:
        if found := pattern.search(first_line):
            named = {key: repr(value) for key, value in found.groupdict().items()}
            return _(ours).format(**named)
    return None


def normalise_url(url: str) -> str:
    """PostgreSQL URLs use the psycopg 3 driver unless one is named."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.removeprefix("postgres://")
    return url


def create_store_engine(url: str) -> Engine:
    _check_authority(url)
    try:
        engine = create_engine(normalise_url(url))
    except (ArgumentError, SQLAlchemyError, ImportError, ValueError) as exc:
        raise StorageError(_unusable(url, exc)) from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _check_authority(url: str) -> None:
    """A password holding ``@``, ``/`` or ``:`` must be percent-encoded; left as it is, the
    rest of it would be read as the host (and shown in messages)."""
    _scheme, separator, rest = url.partition("://")
    authority = rest.split("?", 1)[0].split("/", 1)[0] if separator else ""
    if authority.count("@") > 1:
        message = _(
            "database URL {url} has an '@' in its user or password that is not "
            "encoded: write it as %40 (and ':' as %3A, '/' as %2F)"
        )
        raise StorageError(message.format(url=safe_url(url)))
    port = authority.rpartition("@")[2].rpartition("]")[2].partition(":")[2]
    if port and not port.isdigit():
        message = _("database URL {url}: the port {port} is not a number")
        raise StorageError(message.format(url=safe_url(url), port=repr(port)))


def _unusable(url: str, exc: Exception) -> str:
    """Why SQLAlchemy cannot build an engine for ``url``: a database it has no dialect for is
    told in our words, anything else quoted from it (without the password)."""
    scheme = url.partition("://")[0]
    if isinstance(exc, NoSuchModuleError | ImportError):
        message = _(
            "database URL {url} is not usable: {scheme} is not a database checker knows; "
            "use sqlite:///PATH or postgresql://USER@HOST/DATABASE"
        )
        return message.format(url=safe_url(url), scheme=repr(scheme))
    if isinstance(exc, ArgumentError):
        message = _(
            "database URL {url} is not usable: it is not a URL; "
            "use sqlite:///PATH or postgresql://USER@HOST/DATABASE"
        )
        return message.format(url=safe_url(url))
    reason = _("SQLAlchemy refuses it ({kind})").format(kind=type(exc).__name__)
    return _("database URL {url} is not usable: {reason}").format(url=safe_url(url), reason=reason)


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
    transaction. A store already at the newest revision is only read: opening it takes no
    lock, so commands that read are not held up by a run that writes."""
    config = alembic_config()
    try:
        if revision == "head" and _at_head(engine, config):
            return
        _check_upgradable(engine, config)
        with engine.connect() as connection, _schema_transaction(connection):
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except SQLAlchemyError as exc:
        message = _("the store cannot be opened or brought up to date: {error}")
        error = describe_storage_error(store_name(engine.url), exc)
        raise StorageError(message.format(error=error)) from exc


def _check_upgradable(engine: Engine, config: Config) -> None:
    """Refuse, before any migration runs, a store whose schema this checker cannot bring up to
    date: one written by a newer checker, and a database holding checker's tables without the
    record of their version."""
    script = ScriptDirectory.from_config(config)
    known = {revision.revision for revision in script.walk_revisions()}
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
        tables = set(inspect(connection).get_table_names())
    name = store_name(engine.url)
    unknown = [revision for revision in current if revision not in known]
    if unknown:
        message = _(
            "the store {name} has the schema revision {revision}, which this checker does not "
            "know (it knows up to {head}): it was written by a newer checker; upgrade checker"
        )
        head = ", ".join(script.get_heads())
        raise StorageError(message.format(name=name, revision=", ".join(unknown), head=head))
    if not current and tables & _CHECKER_TABLES:
        message = _(
            "the database {name} holds tables named like checker's but no record of their "
            "schema revision: it is not a checker store; name another database"
        )
        raise StorageError(message.format(name=name))


# Tables the first migration creates: a database holding one of them without a schema
# revision is not one to create a store in
_CHECKER_TABLES = {"agency", "document", "message", "quarantine", "run", "score"}


def _at_head(engine: Engine, config: Config) -> bool:
    """Whether the store's schema is at the newest revision already (a new store is not)."""
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads()) == heads


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
    transaction. PostgreSQL: an advisory lock (its ``lock_timeout`` bounds the wait). SQLite:
    its own write lock, taken at once by a write that changes nothing (a transaction that has
    read first could not wait for it); a ``?timeout=`` in the URL bounds the wait."""
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(WRITES_LOCK)))
        return
    if connection.dialect.name == "sqlite":
        given = connection.engine.url.query.get("timeout")  # the URL's own wait wins
        if isinstance(given, str):
            wait_seconds = float(given)
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(wait_seconds * 1000)}")
        try:
            connection.exec_driver_sql("DELETE FROM alembic_version WHERE 0")
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")


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
    except (ArgumentError, ValueError):
        return  # create_store_engine says why
    path = parsed.database
    in_a_file = parsed.get_backend_name() == "sqlite" and path not in (None, "", ":memory:")
    if in_a_file and not Path(str(path)).exists():
        message = _(
            "there is no store here: {path} does not exist (run the command in a "
            "workspace, or name the database with --db URL or --config PATH)"
        )
        raise StorageError(message.format(path=path))
