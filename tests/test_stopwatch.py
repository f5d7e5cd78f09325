"""The stopwatch: counted on an injected clock, and asked for in words through the real pipeline."""

from __future__ import annotations

from runtime.stopwatch import RESET, RESTART, RESUME, START, STATUS, STOP, Stopwatch


def test_it_counts_while_running_and_keeps_the_count_while_stopped() -> None:
    now = [100.0]
    watch = Stopwatch(clock=lambda: now[0])
    assert watch.handle(STATUS).startswith("There is no stopwatch running.")
    assert watch.handle(STOP).startswith("There is no stopwatch running.")
    assert watch.handle(START) == "Stopwatch started."
    now[0] += 65.4
    assert watch.handle(STATUS) == "The stopwatch is at 1 minute and 5 seconds."
    assert watch.handle(START).startswith("The stopwatch is already running: 1 minute and 5 seconds.")
    assert watch.handle(STOP) == "Stopwatch stopped at 1 minute and 5 seconds."
    now[0] += 600  # stopped: not counted
    assert watch.handle(STATUS) == "The stopwatch is stopped at 1 minute and 5 seconds."
    assert watch.handle(STOP) == "The stopwatch is already stopped at 1 minute and 5 seconds."
    assert watch.handle(RESUME) == "Stopwatch running again from 1 minute and 5 seconds."
    now[0] += 3600 + 10
    assert watch.handle(STATUS) == "The stopwatch is at 1 hour and 1 minute."  # to the minute past an hour
    assert watch.handle(RESTART) == "Stopwatch started again from zero."
    now[0] += 2
    assert watch.handle(STATUS) == "The stopwatch is at 2 seconds."
    assert watch.handle(RESET) == "Stopwatch reset."
    assert watch.handle(STATUS).startswith("There is no stopwatch running.")
    assert watch.handle(RESET) == "The stopwatch was not running."
