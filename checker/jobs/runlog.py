"""The structured log of a nightly run: one JSON object a line, in ``logs/`` beside the
store, named after the time the run started and, once scoring stored it, the run's id
(``logs/run-20250630T020000-17.jsonl``).

Each line has ``time`` (Vietnam time), ``event`` (``start``, ``step``, ``warning``,
``end``) and the fields of the event: a step's name, its duration in seconds and its
counts; a warning's step and message; the end's exit code and run id. Lines are flushed as
they are written, so a run killed half-way leaves the log of what it did until then.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from checker.errors import OutputError
from checker.i18n import _
from checker.oserrors import os_reason
from checker.store.loader import vietnam_now

LOGS = "logs"


class RunLog:
    def __init__(self, state_dir: Path) -> None:
        self.started = vietnam_now()
        self.folder = state_dir / LOGS
        self.path = self.folder / f"run-{self.started:%Y%m%dT%H%M%S}.jsonl"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._file: TextIO = self.path.open("a", encoding="utf-8")
        except OSError as exc:
            reason = os_reason(exc)
            message = _("run log {path} cannot be written: {reason}")
            raise OutputError(message.format(path=self.path, reason=reason)) from exc
        self.warnings: list[str] = []

    def event(self, event: str, **fields: Any) -> None:
        line = {"time": vietnam_now().isoformat(), "event": event, **fields}
        self._file.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
        self._file.flush()

    def warning(self, step: str, message: str) -> None:
        self.warnings.append(message)
        self.event("warning", step=step, message=message)

    @contextmanager
    def step(self, name: str, counts: dict[str, Any]) -> Iterator[None]:
        """Log a step with its duration and the counts the block fills in."""
        started = time.monotonic()
        try:
            yield
        except BaseException as exc:
            seconds = round(time.monotonic() - started, 3)
            self.event("step", step=name, seconds=seconds, failed=str(exc), **counts)
            raise
        self.event("step", step=name, seconds=round(time.monotonic() - started, 3), **counts)

    def close(self, run_id: int | None) -> Path:
        """Close the log and put the run's id in its name; returns where it is."""
        self._file.close()
        if run_id is None:
            return self.path
        named = self.path.with_name(f"{self.path.stem}-{run_id}.jsonl")
        try:
            self.path.rename(named)
        except OSError:
            return self.path
        self.path = named
        return named


def log_of_run(state_dir: Path, run_id: int) -> Path | None:
    """The log of a stored run, if it is kept in ``state_dir``."""
    found = sorted((state_dir / LOGS).glob(f"run-*-{run_id}.jsonl"))
    return found[-1] if found else None
