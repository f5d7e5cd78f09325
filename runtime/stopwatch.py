"""A stopwatch per satellite: "start a stopwatch", "what's the stopwatch at", "stop the stopwatch".

It counts up and never rings, so it is not a timer: it lives on the satellite's pipeline, on the
monotonic clock (a wall clock set back while it runs would make it count less). A restart of the
daemon loses it, as a kitchen stopwatch's battery would.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from runtime.timers import duration_text

# what is asked of it, as resolve reads it from the words (runtime/phrasings.py STOPWATCH_*)
START, RESTART, STATUS, STOP, RESUME, RESET = "start", "restart", "status", "stop", "resume", "reset"


@dataclass
class Stopwatch:
    """Time counted while running; `since` is the monotonic time it last started (None: stopped)."""

    clock: Callable[[], float] = time.monotonic
    counted: float = 0.0
    since: float | None = None
    used: bool = False  # started once since the last reset: "stopped at 0 seconds" is still an answer
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def elapsed(self) -> float:
        return self.counted + (self.clock() - self.since if self.since is not None else 0.0)

    def handle(self, asked: str) -> str:
        """Do what was `asked` (START, RESTART, ...) and say how it stands."""
        with self._lock:
            running, used = self.since is not None, self.used
            if asked == START and running:
                return (
                    f"The stopwatch is already running: {_said(self.elapsed())}."
                    ' To start over, say "restart the stopwatch".'
                )
            if asked in (START, RESTART):
                self.counted, self.since, self.used = 0.0, self.clock(), True
                return (
                    "Stopwatch started again from zero."
                    if asked == RESTART and used
                    else "Stopwatch started."
                )
            if asked == RESET:
                self.counted, self.since, self.used = 0.0, None, False
                return "Stopwatch reset." if used else "The stopwatch was not running."
            if not used:
                return 'There is no stopwatch running. To start one, say "start a stopwatch".'
            if asked == STATUS:
                return f"The stopwatch {'is at' if running else 'is stopped at'} {_said(self.elapsed())}."
            if asked == STOP and not running:
                return f"The stopwatch is already stopped at {_said(self.elapsed())}."
            if asked == STOP:
                self.counted, self.since = self.elapsed(), None
                return f"Stopwatch stopped at {_said(self.counted)}."
            if running:  # RESUME
                return f"The stopwatch is running: {_said(self.elapsed())}."
            self.since = self.clock()
            return f"Stopwatch running again from {_said(self.counted)}."


def _said(seconds: float) -> str:
    """ "1 minute and 5 seconds": to the second under an hour, to the minute beyond."""
    whole = int(seconds)
    return duration_text(whole // 60 * 60 if whole >= 3600 else whole)
