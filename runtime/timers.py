"""Kitchen timers: "set a timer for five minutes" rings on the satellite that was asked.

Dispatch only words the answer; this module makes it true. Each timer is a `threading.Timer`, so a
ringing timer never waits on the audio loop, and cancelling is immediate. Pausing cancels the thread
and keeps the time left; resuming or changing a timer's length starts a new thread for what is left.

"The timer" is one of the asking satellite's timers: the one with that name or length when one is
given and several run, else the most recently started (a plain timer before a command for later,
and an alarm only when no other timer runs). The pipeline asks first when "cancel the timer" could
mean several, and tells each for "how long is left". A name this satellite has no timer of is
looked up in the whole home ("the pizza timer" set in the kitchen, asked about in the living room);
the timer still rings where it was set. A name no timer has is none of them, unless a lone timer has
no name.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

# the name of the alarm's timer: "set an alarm for 7" is a timer until then, "cancel my alarm" finds it
ALARM = "alarm"


def kind_of(name: str | None, reminder: bool) -> str:
    """ "alarm", "reminder" or "timer" (a plain or named one, or a command for later): what "my
    alarms", "my reminders" and "my timers" each mean."""
    return ALARM if name == ALARM else "reminder" if reminder else "timer"


@dataclass(frozen=True)
class RunningTimer:
    id: int
    satellite: str
    seconds: int  # as asked for: "the five minute timer", "your timer for 5 minutes is done"
    started: float  # time.monotonic()
    name: str | None = None  # "pizza" in "set a pizza timer for ten minutes"
    command: str | None = None  # "turn off the tv" in "turn off the tv in ten minutes": run when it rings
    reminder: bool = False  # "remind me to call mom in ten minutes": the name is what to do
    ends: float | None = None  # time.monotonic() it rings at, once paused or changed
    paused_left: float | None = None  # seconds left, while paused

    @property
    def paused(self) -> bool:
        return self.paused_left is not None

    @property
    def kind(self) -> str:
        return kind_of(self.name, self.reminder)

    def remaining(self, now: float | None = None) -> float:
        if self.paused_left is not None:
            return self.paused_left
        ends = self.started + self.seconds if self.ends is None else self.ends
        return max(0.0, ends - (time.monotonic() if now is None else now))


@dataclass
class Timers:
    on_done: Callable[[RunningTimer], None]
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # a paused timer has no thread
    _running: dict[int, tuple[RunningTimer, threading.Timer | None]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def start(
        self,
        satellite: str,
        seconds: int,
        name: str | None = None,
        command: str | None = None,
        reminder: bool = False,
    ) -> RunningTimer:
        timer = RunningTimer(
            next(self._ids), satellite, seconds, time.monotonic(), name, command, reminder=reminder
        )
        with self._lock:
            self._running[timer.id] = (timer, self._thread(timer.id, seconds))
        return timer

    def cancel(
        self,
        satellite: str,
        name: str | None = None,
        seconds: int | None = None,
        ends_in: float | None = None,
        kind: str | None = None,
    ) -> RunningTimer | None:
        """Cancel the timer meant (one: "cancel the pizza timer" leaves the alarm); returns it, or None.
        An alarm is cancelled only when asked for by name: "cancel the timer" must not lose it. With
        `ends_in` ("cancel my 7 am alarm"), only one that rings within a minute of then. With `kind`
        ("cancel my reminder"), only one of that kind."""
        with self._lock:
            timer = (
                self._find(satellite, name, seconds, kind)
                if ends_in is None
                else self._ending(satellite, name, ends_in)
            )
            if timer is None or (timer.name == ALARM and name != ALARM):
                return None
            thread = self._running.pop(timer.id)[1]
        if thread is not None:
            thread.cancel()
        return timer

    def cancel_id(self, timer_id: int) -> RunningTimer | None:
        """Cancel the timer with this id ("cancel that" just after it was started), if it still runs."""
        with self._lock:
            timer, thread = self._running.pop(timer_id, (None, None))
        if thread is not None:
            thread.cancel()
        return timer

    def cancel_all(self, satellite: str, kinds: frozenset[str] | None = None) -> list[RunningTimer]:
        """Cancel this satellite's timers of `kinds` (every kind when None; "cancel all timers" leaves
        the alarm and the reminders); returns those that were running, oldest first."""
        with self._lock:
            ids = [
                i
                for i, (t, _) in self._running.items()
                if t.satellite == satellite and (kinds is None or t.kind in kinds)
            ]
            stopped = [self._running.pop(i) for i in ids]
        for _, thread in stopped:
            if thread is not None:
                thread.cancel()
        return [t for t, _ in stopped]

    def running(self, satellite: str | None = None) -> list[RunningTimer]:
        """Timers not rung or cancelled yet (paused ones too), oldest first."""
        with self._lock:
            return [t for t, _ in self._running.values() if satellite in (None, t.satellite)]

    def find(
        self, satellite: str, name: str | None = None, seconds: int | None = None, kind: str | None = None
    ) -> RunningTimer | None:
        """The timer meant (see the module doc), or None when this satellite has none (of `kind`)."""
        with self._lock:
            return self._find(satellite, name, seconds, kind)

    def set_paused(self, timer_id: int, paused: bool) -> RunningTimer | None:
        """Pause or resume the timer with this id (the one a question offered); None if it is gone
        (not another timer in its place)."""
        with self._lock:
            return self._paused_as(self._running.get(timer_id, (None, None))[0], paused)

    def pause(
        self, satellite: str, name: str | None = None, seconds: int | None = None
    ) -> RunningTimer | None:
        """Stop the clock of the timer meant; it keeps its time left. Pausing a paused one is a no-op."""
        with self._lock:
            return self._paused_as(self._find(satellite, name, seconds), True)

    def unpause(
        self, satellite: str, name: str | None = None, seconds: int | None = None
    ) -> RunningTimer | None:
        """Restart the clock of the timer meant with its time left. Resuming a running one is a no-op."""
        with self._lock:
            return self._paused_as(self._find(satellite, name, seconds), False)

    def _paused_as(self, timer: RunningTimer | None, paused: bool) -> RunningTimer | None:
        """Under the lock: `timer` paused (its clock stopped, its time left kept) or running again."""
        if timer is None or timer.paused == paused:
            return timer
        if not paused:
            return self._restart(timer, timer.remaining())
        stopped = replace(timer, paused_left=timer.remaining())
        thread = self._running[timer.id][1]
        if thread is not None:
            thread.cancel()
        self._running[timer.id] = (stopped, None)
        return stopped

    def add(
        self, satellite: str, delta: float, name: str | None = None, seconds: int | None = None
    ) -> RunningTimer | None:
        """Add `delta` seconds (less when negative) to the timer meant; a paused one stays paused.

        Taking off as much as is left or more ends the timer now, paused or not (a user who asks for
        less time than is left expects it done, and Home Assistant does the same): it is removed
        without `on_done`, and returned with nothing left, so the caller rings it in its answer
        (one spoken "done", not a ring racing the answer)."""
        with self._lock:
            timer = self._find(satellite, name, seconds)
            if timer is None:
                return None
            left = timer.remaining() + delta
            if left <= 0:
                thread = self._running.pop(timer.id)[1]
                if thread is not None:
                    thread.cancel()
                return replace(timer, ends=time.monotonic(), paused_left=None)
            if timer.paused:
                changed = replace(timer, paused_left=left)
                self._running[timer.id] = (changed, None)
                return changed
            return self._restart(timer, left)

    def _ending(self, satellite: str, name: str | None, ends_in: float) -> RunningTimer | None:
        """Under the lock: this satellite's timer called `name` that rings within a minute of `ends_in`."""
        return next(
            (
                t
                for t, _ in self._running.values()
                if t.satellite == satellite
                and (name is None or called(t, name))
                and abs(t.remaining() - ends_in) <= 60
            ),
            None,
        )

    def _find(
        self, satellite: str, name: str | None, seconds: int | None, kind: str | None = None
    ) -> RunningTimer | None:
        # "cancel my reminder" is never the command for later set just before (it cancelled that)
        timers = [t for t, _ in self._running.values() if kind is None or t.kind == kind]
        mine = [t for t in timers if t.satellite == satellite]
        if name is not None and not any(called(t, name) for t in mine):
            # "the pizza timer" asked in another room: the home's timer of that name, if there is one.
            # Else a lone timer with no name may be the one ("the cookie timer" for a plain timer); one
            # with another name is not ("cancel the egg timer" cancelled the pasta timer)
            plain = [t for t in mine if t.name is None and not t.command]
            mine = [t for t in timers if called(t, name)] or (plain if len(mine) == 1 else [])
        if name is None and len(mine) > 1:  # "the timer" is a plain timer, when one runs: not the alarm
            # nor a command for later ("turn off the oven when the timer is done" runs one as long)
            mine = (
                [t for t in mine if t.kind == "timer" and not t.command]  # "the timer": not a reminder
                or [t for t in mine if t.name != ALARM and not t.command]
                or [t for t in mine if t.name != ALARM]
                or mine
            )
        if len(mine) > 1:
            matching = [
                t
                for t in mine
                if (name is None or called(t, name)) and (seconds is None or t.seconds == seconds)
            ]
            mine = matching or mine
        return max(mine, key=lambda t: (t.started, t.id), default=None)

    def _restart(self, timer: RunningTimer, left: float) -> RunningTimer:
        """Under the lock: run `timer` again with `left` seconds to go."""
        old = self._running[timer.id][1]
        if old is not None:
            old.cancel()
        changed = replace(timer, ends=time.monotonic() + left, paused_left=None)
        self._running[timer.id] = (changed, self._thread(timer.id, left))
        return changed

    def _thread(self, timer_id: int, seconds: float) -> threading.Timer:
        thread = threading.Timer(seconds, self._ring, args=(timer_id,))
        thread.daemon = True  # a pending timer must not keep a stopping daemon alive
        thread.start()
        return thread

    def _ring(self, timer_id: int) -> None:
        with self._lock:
            entry = self._running.get(timer_id)
            # a thread cancelled too late (paused or changed as it fired) must not ring the timer
            if entry is None or entry[1] is not threading.current_thread():
                return
            del self._running[timer_id]
        self.on_done(entry[0])


def called(timer: RunningTimer, name: str) -> bool:
    """ "the egg timer" is the one set "for the eggs": names compared without plurals or articles. A
    command for later is called by what it acts on: "the fan timer" turns the fan off."""

    def key(said: str) -> list[str]:
        return [w for w in said.lower().split() if w not in ("the", "my", "a", "timer")]

    def same(a: str, b: str) -> bool:  # "egg"/"eggs", "potato"/"potatoes", "cookie"/"cookies"
        return a.removesuffix("s") == b.removesuffix("s") or _singular(a) == _singular(b)

    if timer.name is None:
        words, said = key(timer.command or ""), key(name)
        return bool(said) and all(any(same(w, c) for c in words) for w in said)
    mine, said = key(timer.name), key(name)
    return len(mine) == len(said) and all(same(a, b) for a, b in zip(mine, said, strict=True))


def _singular(word: str) -> str:
    for plural, one in (("ies", "y"), ("oes", "o"), ("ches", "ch"), ("shes", "sh"), ("xes", "x")):
        if word.endswith(plural) and len(word) > len(plural) + 1:
            return word[: -len(plural)] + one
    return word


def duration_text(seconds: int) -> str:
    """'5 minutes', '1 hour and 30 minutes'."""
    parts = []
    for unit, size in (("hour", 3600), ("minute", 60), ("second", 1)):
        n, seconds = divmod(seconds, size)
        if n:
            parts.append(f"{n} {unit}{'s' if n != 1 else ''}")
    return " and ".join(parts) if parts else "0 seconds"
