"""Progress bars on standard error, for the commands that take a while: the callbacks the
CLI hands to the library (``checker.jobs.sync``'s pages, ``metrics.facts``' ranges)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from checker.i18n import _
from checker.jobs.sync import PageProgress
from metrics.facts import FactsProgress


def progress_bars(show: bool) -> Progress:
    """Bars on standard error, shown only when it is a terminal and ``show``."""
    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    disable = not show or not console.is_terminal
    return Progress(*columns, TimeElapsedColumn(), console=console, disable=disable)


StepProgress = Callable[[str, int, int | None], None]
"""``progress(step, done, total)``: how far a step is (``total`` None while unknown)."""


@contextmanager
def step_bars(show: bool) -> Iterator[StepProgress]:
    """A bar per step, made the first time the step is told."""
    with progress_bars(show) as bars:
        tasks: dict[str, TaskID] = {}

        def progress(step: str, done: int, total: int | None) -> None:
            if step not in tasks:
                tasks[step] = bars.add_task(step, total=total)
            bars.update(tasks[step], completed=done, total=total)

        yield progress


@contextmanager
def step_bar(show: bool, step: str) -> Iterator[Callable[[int, int], None]]:
    """One bar, ``progress(done, total)``."""
    with step_bars(show) as steps:
        yield lambda done, total: steps(step, done, total)


def facts_bar(show: bool) -> AbstractContextManager[FactsProgress]:
    """A bar for working out the facts of the documents written since the last run: a
    nightly run's are done at once, a whole store's (after an upgrade) take minutes."""
    return step_bar(show, _("Working out the facts of documents"))


@contextmanager
def sync_bars(show: bool) -> Iterator[Callable[[PageProgress], None]]:
    """A bar per source and endpoint, counting the agencies read in full and the records
    stored: a province's 2,000 agencies read concurrently make one line each, not 2,000."""
    with progress_bars(show) as bars:
        tasks: dict[tuple[str, str], TaskID] = {}
        records: dict[tuple[str, str], int] = {}

        def progress(page: PageProgress) -> None:
            key = (page.source, page.endpoint)
            if key not in tasks:
                tasks[key] = bars.add_task("", total=None)
            records[key] = records.get(key, 0) + page.records + page.quarantined
            label = _("{source} {endpoint}: agencies read, {records} records").format(
                source=page.source, endpoint=page.endpoint, records=records[key]
            )
            bars.update(tasks[key], advance=int(page.last), description=label)

        yield progress
