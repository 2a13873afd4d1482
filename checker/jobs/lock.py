"""One ``checker run`` at a time on a store.

On PostgreSQL the lock is a session advisory lock, held by a connection of its own for the
whole run; on SQLite (or any store on this machine) it is an OS file lock on
``checker-run.lock`` in the state folder beside the store. Either is released by the
operating system or the server when the process ends, even by ``kill -9``: a killed run
never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from checker.errors import OutputError, RunLockedError
from checker.i18n import _
from checker.oserrors import os_reason

LOCK_FILE = "checker-run.lock"
ADVISORY_KEY = 0x636865636B6572  # "checker" in ASCII, as one 64-bit key


@contextmanager
def run_lock(engine: Engine, state_dir: Path) -> Iterator[None]:
    """Hold the run lock of the store, or raise ``RunLockedError`` at once."""
    with _file_lock(state_dir):
        if engine.dialect.name == "postgresql":
            with _advisory_lock(engine):
                yield
        else:
            yield


@contextmanager
def _file_lock(state_dir: Path) -> Iterator[None]:
    path = state_dir / LOCK_FILE
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        reason = os_reason(exc)
        message = _("lock file {path} cannot be created: {reason}")
        raise OutputError(message.format(path=path, reason=reason)) from exc
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            holder = os.pread(descriptor, 64, 0).decode(errors="replace").strip()
            raise RunLockedError(_locked_message(path, holder)) from exc
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _locked_message(path: Path, holder: str) -> str:
    if holder.isdigit():
        message = _(
            "another checker run is running on this store (process {pid}); lock {path}: "
            "nothing done"
        )
    else:
        message = _("another checker run is running on this store; lock {path}: nothing done")
    return message.format(pid=holder, path=path)


@contextmanager
def _advisory_lock(engine: Engine) -> Iterator[None]:
    with engine.connect() as connection:
        taken = connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY})
        connection.commit()
        if not taken:
            message = _(
                "another checker run is running on this PostgreSQL store (advisory lock "
                "{key}): nothing done"
            )
            raise RunLockedError(message.format(key=ADVISORY_KEY))
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
            connection.commit()
