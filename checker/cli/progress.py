"""Progress bars on standard error, for the commands that take a while: the callbacks the
CLI hands to the library (``checker.jobs.sync``'s pages, ``metrics.facts``' ranges)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

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


@contextmanager
def facts_bar(show: bool) -> Iterator[FactsProgress]:
    """A bar for working out the facts of the documents written since the last run: a
    nightly run's are done at once, a whole store's (after an upgrade) take minutes."""
    with progress_bars(show) as bar:
        task: list[TaskID] = []

        def progress(done: int, stale: int) -> None:
            if not task:
                task.append(bar.add_task(_("Working out the facts of documents"), total=stale))
            bar.update(task[0], completed=done, total=stale)

        yield progress


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
