"""The one error hierarchy of checker.

Library code raises these; only the CLI turns them into a one-line ``Error: ...``
message and a non-zero exit code.

    CheckerError
    ├── ConfigError      a deployment file, criteria file or manual-points file is wrong
    ├── CriteriaError    points or a criteria set do not fit together (grading input)
    ├── SourceError      a source (folder, API) cannot be read at all
    │   ├── SourceAuthError   the API refused our credentials (401/403): misconfigured
    │   └── PageError    one answer (a page) is unusable, and would be again: that endpoint
    │       │            fails for that agency, the rest of the source carries on
    │       └── PageNotFoundError  HTTP 404: past the last page, for a walk told to end so
    ├── RecordError      one input record is unusable; it is quarantined, the run goes on
    ├── WorkbookError    a scorecard workbook cannot be taken: file, sheet and cell named
    ├── StorageError     the database cannot be opened, migrated, read or written
    ├── NoDataError      the store holds nothing to measure for the period asked
    ├── OutputError      an output folder or file (site, export, run log) cannot be written
    └── RunLockedError   another ``checker run`` holds the lock on this store

Each message says what happened, where (file and line, record, source) and, where it
helps, what to do about it.
"""

from __future__ import annotations


class CheckerError(Exception):
    """Base of every error checker raises on purpose."""


class ConfigError(CheckerError):
    """A configuration file (deployment, criteria set, manual points) is invalid."""


class CriteriaError(CheckerError):
    """Points given for grading do not fit the criteria set."""


class SourceError(CheckerError):
    """A whole source cannot be read."""


class SourceAuthError(SourceError):
    """A source refused the credentials it was given (HTTP 401 or 403): fix the configuration."""


class PageError(SourceError):
    """One answer of a source is unusable in a way that asking again would not change (a 4xx,
    a body that is not JSON or too large)."""


class PageNotFoundError(PageError):
    """The source answered 404 Not Found: an error, unless a page walk is told that its
    vendor answers so past the last page."""


class RecordError(CheckerError):
    """One input record cannot be used; it is set aside with this reason."""

    def __init__(self, reason: str, excerpt: str = "", *, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.excerpt = excerpt
        self.field = field  # the source's field it failed on, when it is one field


class WorkbookError(CheckerError):
    """A scorecard workbook is refused whole: the message names the file, sheet and cell."""


class StorageError(CheckerError):
    """The store cannot be opened, migrated, read or written (``checker.store.engine``
    turns every database error into one)."""


class NoDataError(CheckerError):
    """Nothing could be measured in the period asked: a run of it would grade on nothing."""


class OutputError(CheckerError):
    """An output folder or file (the report site, an export, a run log) cannot be written."""


class RunLockedError(CheckerError):
    """Another ``checker run`` is running on the same store: this one did nothing."""
