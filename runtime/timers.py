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

An alarm or reminder with a `Repeat` ("every weekday at 7") is set again for its next time as it
rings. `on_change` sees every change, so the pipeline can keep the timers in its store: a restart of
the daemon finds them again (`saved` / `Timers.restore`), and one that came due while it was down
rings at once if it is at most `LATE_GRACE_S` late (a reminder however late; a repeating one is set
for its next time either way).
"""

from __future__ import annotations

import calendar
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from typing import Any

from runtime.sun import Event, sun_time

log = logging.getLogger(__name__)

# the name of the alarm's timer: "set an alarm for 7" is a timer until then, "cancel my alarm" finds it
ALARM = "alarm"


def kind_of(name: str | None, reminder: bool) -> str:
    """ "alarm", "reminder" or "timer" (a plain or named one, or a command for later): what "my
    alarms", "my reminders" and "my timers" each mean."""
    return ALARM if name == ALARM else "reminder" if reminder else "timer"


# how late a timer found on restart may still ring: an alarm 3 hours late is no alarm
LATE_GRACE_S = 15 * 60
EVERY_DAY = frozenset(range(7))
WEEKDAYS_ONLY = frozenset(range(5))
WEEKENDS = frozenset({5, 6})


@dataclass(frozen=True)
class Repeat:
    """When an alarm, reminder or command for later rings again: at `hour`:`minute`, or at the `sun`
    event of the day at `place` ("every day at sunset"), on each of `days` (0 is Monday); or every
    `every_s` seconds ("every hour"), on the times of each day that are `hour`:`minute` give or take
    some of them."""

    hour: int
    minute: int
    days: frozenset[int] = EVERY_DAY
    sun: Event | None = None
    place: tuple[float, float] | None = None  # latitude, longitude: where the sun's times are
    every_s: int | None = None
    until: tuple[int, int] | None = (
        None  # with every_s: the last time of day ("from 9 to 5"), from hour:minute
    )

    def next_after(self, now: datetime) -> datetime:
        """The first time after `now` (local, naive) it rings."""
        if self.every_s is not None and self.until is not None:  # hour:minute, then every_s, to until
            for ahead in range(2):
                start = datetime.combine(
                    now.date() + timedelta(days=ahead), time_of_day(self.hour, self.minute)
                )
                end = start.replace(hour=self.until[0], minute=self.until[1])
                steps = max(0, int((now - start).total_seconds() // self.every_s + 1))
                if (ring := start + timedelta(seconds=self.every_s * steps)) <= end:
                    return ring
        if self.every_s is not None:  # on today's grid through hour:minute (a wall clock moved is followed)
            base = datetime.combine(now.date(), time_of_day(self.hour, self.minute))
            return base + timedelta(seconds=self.every_s * ((now - base).total_seconds() // self.every_s + 1))
        # a year ahead for the sun: north of the polar circle, there is no sunset for weeks
        for ahead in range(400 if self.sun else 8):
            day = now.date() + timedelta(days=ahead)
            if day.weekday() not in self.days:
                continue
            if self.sun is None or self.place is None:
                when: datetime | None = datetime.combine(day, time_of_day(self.hour, self.minute))
            else:
                when = sun_time(day, *self.place, self.sun)
            if when is not None and when > now:
                return when
        raise ValueError(f"{self} never rings")

    @property
    def said(self) -> str:
        """ "every day", "on weekdays", "every Monday", "on Mondays and Fridays", "every hour"."""
        if self.every_s is not None:
            every = "every hour" if self.every_s == 3600 else f"every {duration_text(self.every_s)}"
            if self.until is None:
                return every
            return f"{every} from {_clock_said(self.hour, self.minute)} to {_clock_said(*self.until)}"
        if self.days == EVERY_DAY:
            return "every day"
        if self.days in (WEEKDAYS_ONLY, WEEKENDS):
            return "on weekdays" if self.days == WEEKDAYS_ONLY else "on weekends"
        names = [f"{calendar.day_name[d]}s" for d in sorted(self.days)]
        if len(names) == 1:
            return f"every {names[0][:-1]}"
        return "on " + ", ".join(names[:-1]) + f" and {names[-1]}"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"hour": self.hour, "minute": self.minute, "days": sorted(self.days)}
        if self.sun is not None:
            d.update(sun=self.sun, place=list(self.place or ()))
        if self.every_s is not None:
            d["every_s"] = self.every_s
        if self.until is not None:
            d["until"] = list(self.until)
        return d

    @staticmethod
    def from_dict(d: dict[str, Any]) -> Repeat:
        place = d.get("place")
        return Repeat(
            int(d["hour"]), int(d["minute"]), frozenset(int(x) for x in d["days"]), d.get("sun"),
            (float(place[0]), float(place[1])) if place else None,
            int(d["every_s"]) if d.get("every_s") else None,
            (int(d["until"][0]), int(d["until"][1])) if d.get("until") else None,
        )  # fmt: skip


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
    repeat: Repeat | None = None  # "every weekday at 7": set again for then as it rings
    skipping: date | None = None  # "skip tomorrow's alarm" said before today's rang: passed over then
    was_due: float | None = None  # time.time() it was due, when it rings late after a restart

    @property
    def paused(self) -> bool:
        return self.paused_left is not None

    @property
    def kind(self) -> str:
        return kind_of(self.name, self.reminder)

    def rings_at(self) -> datetime:
        """The wall-clock time it rings (local, naive), were it running from now."""
        return datetime.now() + timedelta(seconds=self.remaining())

    def remaining(self, now: float | None = None) -> float:
        if self.paused_left is not None:
            return self.paused_left
        ends = self.started + self.seconds if self.ends is None else self.ends
        return max(0.0, ends - (time.monotonic() if now is None else now))


@dataclass
class Timers:
    on_done: Callable[[RunningTimer], None]
    # every timer after each change (under the lock, so changes are seen in order): the store keeps them
    on_change: Callable[[list[RunningTimer]], None] | None = None
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
        repeat: Repeat | None = None,
    ) -> RunningTimer:
        timer = RunningTimer(
            next(self._ids),
            satellite,
            seconds,
            time.monotonic(),
            name,
            command,
            reminder=reminder,
            repeat=repeat,
        )
        with self._changing():
            self._running[timer.id] = (timer, self._thread(timer.id, seconds))
        return timer

    def restore(self, saved: list[dict[str, Any]], now: float | None = None) -> list[RunningTimer]:
        """Run again the timers `saved` before a restart (as `saved()` gave them; `now` is time.time()).
        One that came due meanwhile rings at once when it is a reminder or at most `LATE_GRACE_S` late,
        and is dropped otherwise; a repeating one is also set for its next time. One that cannot be
        read is logged and left out: the daemon still starts. Returns those kept."""
        now = time.time() if now is None else now
        kept = []
        with self._changing():
            for d in saved:
                try:
                    timer, left = self._from_saved(d, now)
                except (KeyError, TypeError, ValueError) as e:
                    log.warning("could not restore the timer %r: %s", d, e)
                    continue
                if timer is not None:
                    kept.append(timer)
                    self._running[timer.id] = (timer, None if timer.paused else self._thread(timer.id, left))
        return kept

    def _from_saved(self, d: dict[str, Any], now: float) -> tuple[RunningTimer | None, float]:
        """`restore`'s timer for one saved entry and its seconds left; None when it is too late."""
        timer = RunningTimer(
            next(self._ids), str(d["satellite"]), int(d["seconds"]), time.monotonic(), d.get("name"),
            d.get("command"), reminder=bool(d.get("reminder")),
            repeat=Repeat.from_dict(d["repeat"]) if d.get("repeat") else None,
            skipping=date.fromisoformat(d["skipping"]) if d.get("skipping") else None,
        )  # fmt: skip
        if d.get("paused_left") is not None:
            return replace(timer, paused_left=float(d["paused_left"])), 0.0
        due = float(d["due"])
        if now - due > LATE_GRACE_S and not timer.reminder:
            log.warning(
                "dropped %s %r: due %.0f s ago, while the runtime was down", timer.kind, timer.name, now - due
            )
            if timer.repeat is None:
                return None, 0.0
            due = self._next_due(timer)
        left = max(0.0, due - now)
        # rung late: "While I was off, ..." says when it was due
        return replace(timer, ends=time.monotonic() + left, was_due=due if now - due > 60 else None), left

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
        with self._changing():
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
        with self._changing():
            timer, thread = self._running.pop(timer_id, (None, None))
        if thread is not None:
            thread.cancel()
        return timer

    def cancel_all(self, satellite: str, kinds: frozenset[str] | None = None) -> list[RunningTimer]:
        """Cancel this satellite's timers of `kinds` (every kind when None; "cancel all timers" leaves
        the alarm and the reminders); returns those that were running, oldest first."""
        with self._changing():
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
        with self._changing():
            return self._paused_as(self._running.get(timer_id, (None, None))[0], paused)

    def pause(
        self, satellite: str, name: str | None = None, seconds: int | None = None
    ) -> RunningTimer | None:
        """Stop the clock of the timer meant; it keeps its time left. Pausing a paused one is a no-op."""
        with self._changing():
            return self._paused_as(self._find(satellite, name, seconds), True)

    def unpause(
        self, satellite: str, name: str | None = None, seconds: int | None = None
    ) -> RunningTimer | None:
        """Restart the clock of the timer meant with its time left. Resuming a running one is a no-op."""
        with self._changing():
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

    def rename(self, timer_id: int, name: str) -> RunningTimer | None:
        """The timer with this id called `name` ("rename the timer to pasta"); None if it is gone."""
        with self._changing():
            if (running := self._running.get(timer_id)) is None:
                return None
            renamed = replace(running[0], name=name)
            self._running[timer_id] = (renamed, running[1])
            return renamed

    def skip(self, timer_id: int, day: date | None = None) -> RunningTimer | None:
        """ "skip tomorrow's alarm": the repeating timer with this id does not ring on `day` (None: its
        next day). Its next ring that day is moved on to the one after; a later day is kept to pass
        over (it still rings before). None if it is gone, does not repeat, or would not ring that day."""
        with self._changing():
            timer = self._running.get(timer_id, (None, None))[0]
            if timer is None or timer.repeat is None:
                return None
            rings = timer.rings_at()
            if day is None or rings.date() == day:
                return self._restart(timer, _next_ring(timer, rings).timestamp() - time.time())
            if day < rings.date() or day.weekday() not in timer.repeat.days:
                return None
            skipping = replace(timer, skipping=day)
            self._running[timer_id] = (skipping, self._running[timer_id][1])
            return skipping

    def add(
        self, satellite: str, delta: float, name: str | None = None, seconds: int | None = None
    ) -> RunningTimer | None:
        """Add `delta` seconds (less when negative) to the timer meant; a paused one stays paused.

        Taking off as much as is left or more ends the timer now, paused or not (a user who asks for
        less time than is left expects it done, and Home Assistant does the same): it is removed
        without `on_done`, and returned with nothing left, so the caller rings it in its answer
        (one spoken "done", not a ring racing the answer)."""
        with self._changing():
            timer = self._find(satellite, name, seconds)
            return None if timer is None else self._added(timer, delta)

    def add_to(self, timer_id: int, delta: float) -> RunningTimer | None:
        """`add` for the timer with this id ("Which one should I add it to?" answered); None if gone."""
        with self._changing():
            timer = self._running.get(timer_id, (None, None))[0]
            return None if timer is None else self._added(timer, delta)

    def _added(self, timer: RunningTimer, delta: float) -> RunningTimer:
        """Under the lock: `timer` with `delta` seconds more (less), as `add` says."""
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
        """Under the lock: this satellite's timer called `name` that rings within a minute of the time
        of day `ends_in` from now, on whichever day (a weekday alarm said on a Saturday rings on
        Monday); of several, the one that rings first."""
        return min(
            (
                t
                for t, _ in self._running.values()
                if t.satellite == satellite
                and (name is None or called(t, name))
                and apart_on_the_clock(t.remaining(), ends_in) <= 60
            ),
            key=lambda t: t.remaining(),
            default=None,
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
        changed = replace(timer, ends=time.monotonic() + left, paused_left=None, was_due=None)
        self._running[timer.id] = (changed, self._thread(timer.id, left))
        return changed

    def _thread(self, timer_id: int, seconds: float) -> threading.Timer:
        thread = threading.Timer(seconds, self._ring, args=(timer_id,))
        thread.daemon = True  # a pending timer must not keep a stopping daemon alive
        thread.start()
        return thread

    def _ring(self, timer_id: int) -> None:
        with self._changing():
            entry = self._running.get(timer_id)
            # a thread cancelled too late (paused or changed as it fired) must not ring the timer
            if entry is None or entry[1] is not threading.current_thread():
                return
            timer = entry[0]
            if timer.repeat is None:
                del self._running[timer_id]
            else:  # "every weekday at 7": the next one, under the same id ("cancel my alarm" finds it)
                left = self._next_due(timer) - time.time()
                again = replace(
                    timer,
                    seconds=round(left),
                    started=time.monotonic(),
                    ends=None,
                    paused_left=None,
                    was_due=None,
                )
                self._running[timer_id] = (again, self._thread(timer_id, left))
        self.on_done(timer)

    @staticmethod
    def _next_due(timer: RunningTimer) -> float:
        """The time.time() a repeating timer rings next."""
        return _next_ring(timer, datetime.now()).timestamp()

    @contextmanager
    def _changing(self) -> Iterator[None]:
        """The lock, for a change: `on_change` sees the timers after it."""
        with self._lock:
            yield
            if self.on_change is not None:
                try:
                    self.on_change([t for t, _ in self._running.values()])
                except Exception:  # a full disk must not stop a timer
                    log.exception("could not keep the timers")


def apart_on_the_clock(a: float, b: float) -> float:
    """How far apart, in seconds, the times `a` and `b` seconds from now are on the clock, whatever
    their days: 6 pm today and 5 pm tomorrow are an hour apart."""
    day = 24 * 3600
    return abs((a - b + day / 2) % day - day / 2)


def _clock_said(hour: int, minute: int) -> str:
    """ "9 AM", "5:30 PM": a time of day as a repeat says it."""
    half = "AM" if hour < 12 else "PM"
    return f"{hour % 12 or 12}{f':{minute:02d}' if minute else ''} {half}"


def _next_ring(timer: RunningTimer, after: datetime) -> datetime:
    """When a repeating timer rings next after `after`, past the day it skips. A minute on: a thread
    that fired a little early must not find today's time still ahead and ring twice."""
    assert timer.repeat is not None
    when = timer.repeat.next_after(after + timedelta(minutes=1))
    if when.date() == timer.skipping:
        when = timer.repeat.next_after(when + timedelta(minutes=1))
    return when


def saved(timer: RunningTimer, now: float | None = None) -> dict[str, Any]:
    """`timer` as the store keeps it: when it rings as a wall-clock time (time.time()), so a restart
    finds it; a paused one keeps its time left instead."""
    now = time.time() if now is None else now
    return {
        "satellite": timer.satellite,
        "seconds": timer.seconds,
        "name": timer.name,
        "command": timer.command,
        "reminder": timer.reminder,
        "due": None if timer.paused else now + timer.remaining(),
        "paused_left": timer.paused_left,
        "repeat": timer.repeat.to_dict() if timer.repeat else None,
        "skipping": timer.skipping.isoformat() if timer.skipping else None,
    }


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
