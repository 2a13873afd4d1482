"""The command line's app: global options, settings, and the one-line errors. The command
line is the only place that talks to the user.

Every command builds what it needs (deployment, engine) from the global options, calls the
library, and prints. An expected failure (any ``CheckerError``) prints one line
``Error: ...`` and exits with status 1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine

from checker.config import Deployment, database_url, load_deployment
from checker.errors import CheckerError, ConfigError
from checker.reports.cells import escape_controls
from checker.scoring.criteria import bundled_criteria_dir
from checker.store.engine import open_store
from checker.store.loader import vietnam_now
from metrics.period import Period

DEFAULT_CONFIG = Path("checker.toml")
DEMO_YEAR = 2025
DEMO_TOKEN = "demo-token"

app = typer.Typer(
    help="checker: measures agencies' electronic records work from logs and grades it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
ingest_app = typer.Typer(help="Read logs into the store.", no_args_is_help=True)
quarantine_app = typer.Typer(help="Inputs set aside, and why.", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")
app.add_typer(quarantine_app, name="quarantine")

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class Settings:
    config_path: Path | None
    db_url: str | None

    def deployment(self, required: bool = True) -> Deployment | None:
        path = self.config_path
        if path is None and DEFAULT_CONFIG.exists():
            path = DEFAULT_CONFIG
        if path is None:
            if required:
                raise ConfigError(
                    "no deployment file: pass --config PATH or put checker.toml in this folder"
                )
            return None
        return load_deployment(path)

    def required_deployment(self) -> Deployment:
        deployment = self.deployment(required=True)
        assert deployment is not None  # deployment(required=True) raises instead
        return deployment

    @contextmanager
    def store(self, deployment: Deployment | None) -> Iterator[Engine]:
        """An engine on the up-to-date store, disposed of when the command ends."""
        engine = open_store(database_url(self.db_url, deployment))
        try:
            yield engine
        finally:
            engine.dispose()


def _settings(ctx: typer.Context) -> Settings:
    settings = ctx.obj
    assert isinstance(settings, Settings)
    return settings


def user_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Expected failures become one line on stderr and exit status 1."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except CheckerError as exc:
            typer.echo(escape_controls(f"Error: {exc}"), err=True)
            raise typer.Exit(1) from None

    return wrapper


@app.callback()
def main(
    ctx: typer.Context,
    config: Annotated[
        Path | None, typer.Option("--config", help="Deployment file (default: ./checker.toml).")
    ] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL; overrides CHECKER_DB_URL and the file."),
    ] = None,
) -> None:
    ctx.obj = Settings(config, db)


# --- ingest -------------------------------------------------------------------------------


def _criteria_dir(deployment: Deployment | None) -> Path:
    if deployment is not None and deployment.scoring.criteria_dir is not None:
        return deployment.scoring.criteria_dir
    return bundled_criteria_dir()


def _period(year: int | None, as_of: date | None) -> Period:
    if year is not None and as_of is not None:
        raise ConfigError("give either --year or --as-of, not both")
    if year is None and as_of is None:
        as_of = vietnam_now().date()
    return Period.of(year, as_of)


AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="Year to date up to this day (YYYY-MM-DD).")
]
YearOption = Annotated[int | None, typer.Option("--year", help="A whole calendar year.")]


def _parse_date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ConfigError(f"--as-of {text!r} is not a date like 2025-06-30") from exc


def progress_bars(show: bool) -> Progress:
    """Progress bars on standard error, shown only when it is a terminal and ``show``."""
    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    disable = not show or not console.is_terminal
    return Progress(*columns, TimeElapsedColumn(), console=console, disable=disable)
