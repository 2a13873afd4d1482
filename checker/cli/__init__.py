"""The command line: the only place that talks to the user (see ``checker.cli.app``).

Importing this package registers every command on ``app``.
"""

from checker.cli import ingest, sync, scoring, scorecards, changes, run, site, export, demo  # noqa: I001  (the order of --help)
from checker.cli.app import app

__all__ = [
    "app",
    "changes",
    "demo",
    "export",
    "ingest",
    "run",
    "scorecards",
    "scoring",
    "site",
    "sync",
]
