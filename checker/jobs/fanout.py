"""Work done by a bounded number of threads, handed to one thread that writes it.

``FanOut(workers=N).run(tasks, work, handle)`` runs ``work(task, emit)`` for every task on at
most ``N`` threads at once, and calls ``handle(batch)`` on the calling thread with what the
workers ``emit``, in the order they emitted it, then a ``Done`` for each task (with the
exception that ended it, if any). A worker's messages for one task arrive in order and before
that task's ``Done``; messages of different tasks interleave.

The sync uses it to have ``N`` requests in flight for a source while the store is written by
one connection: the workers fetch and map pages, the calling thread writes them.

- Bounded memory: at most ``queue_size`` messages wait; a worker that gets ahead waits.
- ``halt()`` (from ``handle``) stops the work: a task not yet started ends at once with
  ``Stopped``, a running one at its next ``emit``; ``run`` still returns only once every
  task is done, so every message emitted before the halt is handled.
- An exception from ``handle`` (a database error, or an interruption) leaves ``run`` at once:
  the workers are told to give up, the tasks not started are cancelled, and ``run`` waits
  for the running ones (each ends at its next ``emit``) before raising it again.
- A worker's exception, whatever its kind, ends its task and is handed over in its ``Done``:
  the handler decides whether it fails that task, the whole run, or is raised.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

from checker.i18n import current_language, use_language

T = TypeVar("T")
M = TypeVar("M")

_POLL_SECONDS = 0.05


class Stopped(Exception):
    """The run was halted or abandoned: the task gives up where it is."""


@dataclass(frozen=True)
class Done(Generic[T]):
    """A task ended: ``error`` is None when its work returned."""

    task: T
    error: BaseException | None


class FanOut(Generic[T, M]):
    """``workers`` threads doing tasks, their results handled on the calling thread."""

    def __init__(self, workers: int, *, queue_size: int | None = None, batch: int = 64) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.workers = workers
        self.batch = batch
        self._queue: queue.Queue[M | Done[T]] = queue.Queue(queue_size or 4 * workers)
        self._halted = threading.Event()
        self._abandoned = threading.Event()

    def halt(self) -> None:
        """No more work: tasks end with ``Stopped`` at their next ``emit``."""
        self._halted.set()

    @property
    def halted(self) -> bool:
        return self._halted.is_set()

    def emit(self, message: M) -> None:
        """Hand ``message`` to the handler (waiting while the queue is full)."""
        if self._halted.is_set():
            raise Stopped
        self._put(message)

    def run(
        self,
        tasks: Sequence[T],
        work: Callable[[T, Callable[[M], None]], None],
        handle: Callable[[list[M | Done[T]]], None],
    ) -> None:
        """Every task done, every message handled; raises what ``handle`` raises."""
        pool = ThreadPoolExecutor(
            self.workers,
            thread_name_prefix="checker-fanout",
            initializer=use_language,  # the workers' messages in the caller's language
            initargs=(current_language(),),
        )
        try:
            for task in tasks:
                pool.submit(self._do, task, work)
            pending = len(tasks)
            while pending:
                batch = self._next_batch()
                pending -= sum(isinstance(message, Done) for message in batch)
                handle(batch)
        finally:
            self._halted.set()
            self._abandoned.set()
            pool.shutdown(wait=True, cancel_futures=True)

    def _do(self, task: T, work: Callable[[T, Callable[[M], None]], None]) -> None:
        error: BaseException | None = None
        try:
            if self._halted.is_set():
                raise Stopped
            work(task, self.emit)
        except BaseException as exc:  # handed to the handler, which decides
            error = exc
        self._put(Done(task, error))

    def _put(self, message: M | Done[T]) -> None:
        while not self._abandoned.is_set():
            try:
                self._queue.put(message, timeout=_POLL_SECONDS)
                return
            except queue.Full:
                continue
        raise Stopped

    def _next_batch(self) -> list[M | Done[T]]:
        """The next message (waiting for it), with those already waiting behind it."""
        batch = [self._queue.get()]
        while len(batch) < self.batch:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch
