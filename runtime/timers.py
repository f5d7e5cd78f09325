"""Kitchen timers: "set a timer for five minutes" rings on the satellite that was asked.

Dispatch only words the answer; this module makes it true. Each timer is a `threading.Timer`, so a
ringing timer never waits on the audio loop, and cancelling is immediate.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RunningTimer:
    id: int
    satellite: str
    seconds: int
    started: float  # time.monotonic()

    def remaining(self, now: float | None = None) -> float:
        return max(0.0, self.started + self.seconds - (time.monotonic() if now is None else now))


@dataclass
class Timers:
    on_done: Callable[[RunningTimer], None]
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _running: dict[int, tuple[RunningTimer, threading.Timer]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def start(self, satellite: str, seconds: int) -> RunningTimer:
        timer = RunningTimer(next(self._ids), satellite, seconds, time.monotonic())
        thread = threading.Timer(seconds, self._ring, args=(timer.id,))
        thread.daemon = True  # a pending timer must not keep a stopping daemon alive
        with self._lock:
            self._running[timer.id] = (timer, thread)
        thread.start()
        return timer

    def cancel(self, satellite: str) -> int:
        """Cancel this satellite's timers; returns how many were running."""
        with self._lock:
            ids = [i for i, (t, _) in self._running.items() if t.satellite == satellite]
            stopped = [self._running.pop(i)[1] for i in ids]
        for thread in stopped:
            thread.cancel()
        return len(stopped)

    def running(self, satellite: str | None = None) -> list[RunningTimer]:
        with self._lock:
            return [t for t, _ in self._running.values() if satellite in (None, t.satellite)]

    def _ring(self, timer_id: int) -> None:
        with self._lock:
            entry = self._running.pop(timer_id, None)
        if entry is not None:
            self.on_done(entry[0])
