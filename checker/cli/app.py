"""The command line's app: global options, the output convention, the one-line errors. The
command line is the only place that talks to the user.

Every command parses its options, builds what it needs (deployment, engine) from the global
options, calls one library function and prints what it returns. An expected failure (any
``CheckerError``) prints one line ``Error: ...`` and exits with status 1; a usage error
(unknown option, bad value) exits with status 2.

Its own words (the help of every command, the usage errors) are in the reader's language
too: the app is a ``CheckerTyper`` (``checker.cli.localized``) and help strings are marked
with ``N_()`` where they are written.

Startup: ``checker --help`` must be instant, so this module and the command modules import
only typer and the standard library at the top; a command imports the library (SQLAlchemy,
lxml, httpx, openpyxl, rich, the metrics) inside its body, when it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer

from checker.cli.localized import LANGUAGE_OPTION, LANGUAGE_VARIABLE, CheckerTyper
from checker.errors import CheckerError, ConfigError
from checker.i18n import N_, Language, _, reset_language, use_language
from checker.reports.cells import escape_controls

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from checker.config import Deployment
    from metrics.period import Period

DEFAULT_CONFIG = Path("checker.toml")

HELP = N_(
    "checker: measures agencies' electronic records work from logs and grades it.\n"
    "\n"
    "Global options (--config, --db) go before or after the command name:\n"
    "  checker --config city.toml score   is   checker score --config city.toml\n"
    "\n"
    "Output: commands that print results take --format table (for people, the default) or "
    "--format json (for programs); evidence also takes --format csv.\n"
    "\n"
    'Exit status: 0 done; 1 an error, told in one line "Error: ..." (a bad file, an unknown '
    "agency, an unreachable database, a source that failed to sync); 2 a usage error "
    "(unknown option or command, a bad option value)."
)

app = CheckerTyper(help=HELP, no_args_is_help=True, pretty_exceptions_enable=False)
ingest_app = CheckerTyper(help=N_("Read logs into the store."), no_args_is_help=True)
quarantine_app = CheckerTyper(help=N_("Inputs set aside, and why."), no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")
app.add_typer(quarantine_app, name="quarantine")

P = ParamSpec("P")
R = TypeVar("R")


class OutputFormat(StrEnum):
    """How a command prints its result."""

    table = "table"
    json = "json"


class RowsFormat(StrEnum):
    """How a command that lists rows prints them."""

    table = "table"
    csv = "csv"
    json = "json"


FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", help=N_("table (for people) or json (for programs).")),
]
RowsFormatOption = Annotated[
    RowsFormat,
    typer.Option("--format", help=N_("table (for people), csv (for spreadsheets) or json.")),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="PATH",
        help=N_("Deployment file (default: ./checker.toml)."),
        show_default=False,
    ),
]
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URL",
        help=N_("Database URL; overrides CHECKER_DB_URL and the file."),
        show_default=False,
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", metavar="DATE", help=N_("Year to date up to this day (YYYY-MM-DD).")),
]
JudgedDayOption = Annotated[
    str | None,
    typer.Option("--as-of", metavar="DATE", help=N_("Day to judge deadlines on (YYYY-MM-DD).")),
]
YearOption = Annotated[
    int | None, typer.Option("--year", metavar="YEAR", help=N_("A whole calendar year."))
]


@dataclass
class Settings:
    """The global options: where the deployment file and the database are."""

    config_path: Path | None = None
    db_url: str | None = None

    def deployment(self, required: bool = True) -> Deployment | None:
        from checker.config import load_deployment

        path = self.config_path
        if path is None and DEFAULT_CONFIG.exists():
            path = DEFAULT_CONFIG
        if path is None:
            if required:
                raise ConfigError(
                    _("no deployment file: pass --config PATH or put checker.toml in this folder")
                )
            return None
        return load_deployment(path)

    def required_deployment(self, *, agencies: bool = True) -> Deployment:
        """The deployment a command cannot do without; one that lists no agencies is refused
        too, unless the command works without them (``agencies=False``: sync)."""
        from checker.config import require_agencies

        deployment = self.deployment(required=True)
        assert deployment is not None  # deployment(required=True) raises instead
        if agencies:
            require_agencies(deployment, self.config_path or DEFAULT_CONFIG)
        return deployment

    @contextmanager
    def store(self, deployment: Deployment | None, *, create: bool = True) -> Iterator[Engine]:
        """An engine on the up-to-date store, disposed of when the command ends; any database
        error inside becomes a one-line ``StorageError``. Commands that only read pass
        ``create=False``: where there is no store, they say so instead of making one."""
        from checker.config import database_url
        from checker.store.engine import open_store, storage_errors

        engine = open_store(database_url(self.db_url, deployment), create=create)
        try:
            with storage_errors(engine.url):
                yield engine
        finally:
            engine.dispose()


def use_settings(ctx: typer.Context, config: Path | None, db: str | None) -> Settings:
    """The global options, given before the command name or after it (after wins)."""
    settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings()
    return Settings(
        config_path=config if config is not None else settings.config_path,
        db_url=db if db is not None else settings.db_url,
    )


def user_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Expected failures become one line on stderr and exit status 1."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except CheckerError as exc:
            typer.echo(escape_controls(_("Error: {message}").format(message=exc)), err=True)
            raise typer.Exit(1) from None

    return wrapper


def _version(show: bool) -> None:
    if show:
        from importlib.metadata import version

        typer.echo(f"checker {version('checker')}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    config: ConfigOption = None,
    db: DbOption = None,
    lang: Annotated[
        Language,
        typer.Option(
            LANGUAGE_OPTION,
            envvar=LANGUAGE_VARIABLE,
            help=N_("Language of what is printed: vi (default) or en; before the command name."),
        ),
    ] = Language.vi,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help=N_("Print the version and exit."), callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    ctx.obj = Settings(config, db)
    token = use_language(lang)
    ctx.call_on_close(lambda: reset_language(token))


def period_of(year: int | None, as_of: date | None) -> Period:
    """The period a command measures: a whole year, a year to date, or this year to date."""
    from checker.clock import today
    from metrics.period import measurable_period

    if year is not None and as_of is not None:
        raise ConfigError(_("give either --year or --as-of, not both"))
    return measurable_period(year, as_of, today())


def as_of_day(text: str | None) -> date | None:
    """``--as-of`` of a command that measures the year to that day: from 2000 to today."""
    from checker.clock import today
    from metrics.period import measurable_day

    day = parse_day(text)
    return None if day is None else measurable_day(day, today())


def judged_day(text: str | None) -> date:
    """The day ``overdue`` judges deadlines on: ``--as-of`` (from 2000 to today) or today."""
    from checker.clock import today
    from metrics.period import measurable_day

    day = parse_day(text)
    return today() if day is None else measurable_day(day, today())


def parse_day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        message = _("--as-of {text} is not a date like 2025-06-30")
        raise ConfigError(message.format(text=repr(text))) from exc
