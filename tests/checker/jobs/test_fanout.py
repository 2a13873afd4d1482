from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from checker.jobs.fanout import Done, FanOut, Stopped


class Gauge:
    """Counts the tasks running at once."""

    def __init__(self) -> None:
        self.now = self.most = 0
        self.lock = threading.Lock()

    def __enter__(self) -> None:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)

    def __exit__(self, *exc: object) -> None:
        with self.lock:
            self.now -= 1


def collect(fan: FanOut, tasks, work) -> list:
    handled: list = []
    fan.run(tasks, work, handled.extend)
    return handled


def test_no_more_tasks_run_at_once_than_workers_and_every_message_arrives_in_task_order():
    gauge = Gauge()

    def work(task: int, emit: Callable[[tuple[int, int]], None]) -> None:
        for part in range(3):
            with gauge:
                time.sleep(0.01)
            emit((task, part))

    handled = collect(FanOut(3), list(range(12)), work)
    assert gauge.most == 3
    pages = [m for m in handled if not isinstance(m, Done)]
    assert sorted(pages) == [(t, p) for t in range(12) for p in range(3)]
    for task in range(12):
        mine = [m for m in handled if (m.task if isinstance(m, Done) else m[0]) == task]
        assert mine == [(task, 0), (task, 1), (task, 2), Done(task, None)]


def test_one_worker_does_the_tasks_in_order():
    handled = collect(FanOut(1), ["a", "b", "c"], lambda task, emit: emit(task))
    assert handled == ["a", Done("a", None), "b", Done("b", None), "c", Done("c", None)]


def test_a_failing_task_is_handed_over_and_the_others_go_on():
    def work(task: int, emit: Callable[[int], None]) -> None:
        if task == 2:
            raise ValueError("bad page")
        emit(task)

    handled = collect(FanOut(2), [1, 2, 3], work)
    (failed,) = [m for m in handled if isinstance(m, Done) and m.error is not None]
    assert failed.task == 2 and str(failed.error) == "bad page"
    assert sorted(m for m in handled if isinstance(m, int)) == [1, 3]


def test_after_halt_the_tasks_left_end_stopped_and_run_still_returns():
    fan: FanOut[int, int] = FanOut(2)
    handled: list = []

    def handle(batch: list) -> None:
        handled.extend(batch)
        if any(isinstance(m, Done) and m.task == 0 for m in batch):
            fan.halt()

    def work(task: int, emit: Callable[[int], None]) -> None:
        time.sleep(0.01)
        emit(task)

    fan.run(list(range(40)), work, handle)
    done = [m for m in handled if isinstance(m, Done)]
    assert len(done) == 40
    stopped = [m for m in done if isinstance(m.error, Stopped)]
    assert len(stopped) >= 30


def test_an_exception_in_the_handler_stops_the_workers_and_is_raised():
    started: list[int] = []

    def work(task: int, emit: Callable[[int], None]) -> None:
        started.append(task)
        for _ in range(100):
            emit(task)  # more than the queue holds: a worker must not wait forever

    def handle(batch: list) -> None:
        raise KeyboardInterrupt

    begun = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        FanOut(2, queue_size=4).run(list(range(50)), work, handle)
    assert time.perf_counter() - begun < 5
    assert len(started) < 50  # the tasks not started were cancelled


def test_workers_must_be_at_least_one():
    with pytest.raises(ValueError, match="at least 1"):
        FanOut(0)
