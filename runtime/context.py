"""Live context: what the house is doing right now, shared by the MQTT bridge and the NLU.

The MQTT bridge writes device states from its network thread; the turn pipeline reads them.
One lock guards everything here so that a reader never sees a half-applied update.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple, Protocol

from runtime.config import Config, Device, Room
from runtime.events import Command, Interpretation
from runtime.timers import Repeat, RunningTimer, kind_of

StateListener = Callable[[str, dict[str, Any]], None]


class PreferenceMemory(Protocol):
    """Where taught preferences outlive the process (runtime.store.Store)."""

    def set_preference(self, person: str, key: str, value: Any) -> None: ...

    def preferences(self, person: str) -> dict[str, Any]: ...


@dataclass(frozen=True)
class DeviceState:
    device_id: str
    state: dict[str, Any]  # normalized fields: state ("on"/"off"/...), brightness, temperature, ...
    updated: float  # time.time() of the message that set it
    available: bool = True
    # time.time() when its on/off `state` took the value it has ("how long has it been on")
    since: float = 0.0
    since_seen: bool = False  # whether that change was seen; else it had it when first heard from


class JustStarted(NamedTuple):
    """The timer the turn just before started: what "cancel that", "make it 10" and "no, 5 am" are about."""

    id: int
    seconds: int
    kind: str  # "alarm", "reminder" or "timer"
    at_a_time: bool = False  # set for a time of day ("remind me at 5 pm"): put right by one too
    name: str | None = None  # "pasta", a reminder's "call mom"
    command: str | None = None  # a command for later's: "turn off the tv"
    repeat: Repeat | None = None  # "every day at 8": put right to 9, still every day

    @classmethod
    def of(cls, timer: RunningTimer, at_a_time: bool = False) -> JustStarted:
        """A running timer, just started."""
        return cls(timer.id, timer.seconds, timer.kind, at_a_time, timer.name, timer.command, timer.repeat)

    @classmethod
    def from_values(cls, timer_id: int, values: dict[str, Any]) -> JustStarted:
        """The timer a resolution's values would start, where none runs (benchmarks/spoken.py)."""
        kind = kind_of(values.get("timer_name"), bool(values.get("reminder")))
        name, command = values.get("timer_name"), values.get("command")
        return cls(timer_id, int(values["seconds"]), kind, "at" in values, name, command)


class SetAlarm(NamedTuple):
    """An alarm a satellite's pipeline has set, as resolution sees it."""

    id: int
    seconds: float  # until it rings
    repeat: Repeat | None = None


class Asked(NamedTuple):
    """The question a satellite's last turn asked about a request ("Which one: the tv or the living
    room speaker?"): the next turn may be its answer ("the tv")."""

    request: Interpretation
    candidates: tuple[str, ...] = ()  # the device ids it offered, when it named them


@dataclass
class ContextStore:
    """Device registry (devices.yaml plus discovered ones) and their latest states."""

    config: Config
    memory: PreferenceMemory | None = None  # preferences are written through to it and read back once
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _states: dict[str, DeviceState] = field(default_factory=dict)
    _discovered: dict[str, Device] = field(default_factory=dict)
    _last_target: dict[str, list[str]] = field(default_factory=dict)  # satellite -> device ids
    _target_before: dict[str, list[str]] = field(default_factory=dict)  # satellite -> the target before that
    _last_request: dict[str, Interpretation] = field(default_factory=dict)  # satellite -> last device request
    # satellite -> the timer its last turn started: (id, seconds)
    _just_started: dict[str, JustStarted] = field(default_factory=dict)
    _asked: dict[str, Asked] = field(default_factory=dict)  # satellite -> the question its last turn asked
    # satellite -> device id -> (its fields before the last command, what the command set)
    _last_change: dict[str, dict[str, tuple[dict[str, Any], dict[str, Any]]]] = field(default_factory=dict)
    _just_changed: set[str] = field(default_factory=set)  # satellites whose turn just before changed devices
    _timers: dict[str, int] = field(default_factory=dict)  # satellite -> timers it can act on
    _alarms: dict[str, list[SetAlarm]] = field(default_factory=dict)  # satellite -> its alarms
    _preferences: dict[str, dict[str, Any]] = field(default_factory=dict)  # person -> prefs
    _listeners: list[StateListener] = field(default_factory=list)
    _hub_rooms: dict[str, tuple[Room, ...]] = field(default_factory=dict)  # another hub -> rooms it speaks in

    # devices ---------------------------------------------------------------------------------
    def devices(self) -> list[Device]:
        with self._lock:
            return [*self.config.devices, *self._discovered.values()]

    def device(self, device_id: str) -> Device | None:
        with self._lock:
            for d in self.config.devices:
                if d.id == device_id:
                    return d
            return self._discovered.get(device_id) or self.satellite_player(device_id)

    def satellite_player(self, satellite_id: str) -> Device | None:
        """A satellite's own speaker as a media player ("play jazz" where the room has none, then
        "pause"): commands go to `<prefix>/<satellite>/play`. None for a satellite without a speaker.
        Not among `devices()`: it is a player only once it has played (`playing_satellites`)."""
        sat = next((s for s in self.config.satellites if s.id == satellite_id and s.speaker), None)
        if sat is None:
            return None
        room = next((r.name for r in self.config.rooms if r.id == sat.room), sat.room)
        topic = f"{self.config.mqtt.prefix}/{sat.id}/play"
        return Device(sat.id, f"{room} satellite", "media_player", sat.room, command_topic=topic)

    def playing_satellites(self) -> list[Device]:
        """The satellites' own players that have played something (their state is what the runtime
        sent them, as nothing reports it back)."""
        with self._lock:
            ids = [s.id for s in self.config.satellites if s.id in self._states]
        return [p for i in ids if (p := self.satellite_player(i)) is not None]

    # other hubs on the broker -----------------------------------------------------------------
    def set_hub_rooms(self, hub: str, rooms: tuple[Room, ...]) -> None:
        """The rooms another hub has a speaking satellite in ("tell the garage ..."); () forgets it."""
        with self._lock:
            if rooms:
                self._hub_rooms[hub] = rooms
            else:
                self._hub_rooms.pop(hub, None)

    def hub_rooms(self) -> dict[str, tuple[Room, ...]]:
        with self._lock:
            return dict(self._hub_rooms)

    def add_device(self, device: Device) -> None:
        with self._lock:
            self._discovered[device.id] = device

    def remove_device(self, device_id: str) -> bool:
        with self._lock:
            self._states.pop(device_id, None)
            return self._discovered.pop(device_id, None) is not None

    # states ----------------------------------------------------------------------------------
    def update_state(self, device_id: str, fields: dict[str, Any], *, replace: bool = False) -> DeviceState:
        """Merge `fields` into the device's state (or replace it) and notify listeners."""
        with self._lock:
            old = self._states.get(device_id)
            merged = dict(fields) if replace or old is None else {**old.state, **fields}
            now = time.time()
            was = old.state.get("state") if old is not None else None
            if old is not None and was == merged.get("state"):
                since, seen = old.since, old.since_seen
            else:
                since, seen = now, was is not None
            new = DeviceState(device_id, merged, now, old.available if old else True, since, seen)
            self._states[device_id] = new
            listeners = list(self._listeners)
        for listener in listeners:
            listener(device_id, merged)
        return new

    def set_available(self, device_id: str, available: bool) -> None:
        with self._lock:
            old = self._states.get(device_id)
            now = time.time()
            self._states[device_id] = (
                replace(old, updated=now, available=available)
                if old is not None
                else DeviceState(device_id, {}, now, available, since=now)
            )

    def state(self, device_id: str) -> DeviceState | None:
        with self._lock:
            return self._states.get(device_id)

    def states(self) -> dict[str, DeviceState]:
        with self._lock:
            return dict(self._states)

    def on_state(self, listener: StateListener) -> None:
        with self._lock:
            self._listeners.append(listener)

    # conversation ----------------------------------------------------------------------------
    def set_last_target(self, satellite: str, device_ids: list[str]) -> None:
        """What the last command on this satellite acted on: 'turn it off' refers to it."""
        with self._lock:
            before = self._last_target.get(satellite)
            if before and before != list(device_ids):
                self._target_before[satellite] = before
            self._last_target[satellite] = list(device_ids)

    def last_target(self, satellite: str) -> list[str]:
        with self._lock:
            return list(self._last_target.get(satellite, []))

    def target_before(self, satellite: str) -> list[str]:
        """What the command before the last one acted on: "turn them both off" after two requests."""
        with self._lock:
            return list(self._target_before.get(satellite, []))

    def last_target_devices(self, satellite: str) -> list[Device]:
        """The devices of `last_target` still in the home (a satellite's own player too): "it"."""
        return [d for d in (self.device(x) for x in self.last_target(satellite)) if d is not None]

    def set_last_request(self, satellite: str, interpretation: Interpretation | None) -> None:
        """The request this satellite last acted on: "and the bedroom light" asks the same of another.
        None after a turn of another kind: a follow-up follows the turn just before it."""
        with self._lock:
            if interpretation is None:
                self._last_request.pop(satellite, None)
            else:
                self._last_request[satellite] = interpretation

    def last_request(self, satellite: str) -> Interpretation | None:
        with self._lock:
            return self._last_request.get(satellite)

    def set_asked(self, satellite: str, asked: Asked | None) -> None:
        """The question this satellite just asked; None after a turn that asked none."""
        with self._lock:
            if asked is None:
                self._asked.pop(satellite, None)
            else:
                self._asked[satellite] = asked

    def asked(self, satellite: str) -> Asked | None:
        with self._lock:
            return self._asked.get(satellite)

    def set_just_started(self, satellite: str, started: JustStarted | None) -> None:
        """The timer the turn just before started or asked about, for "cancel that", "make it 10" and
        "no, 5 am"; None from any other turn."""
        with self._lock:
            if started is None:
                self._just_started.pop(satellite, None)
            else:
                self._just_started[satellite] = started

    def just_started(self, satellite: str) -> JustStarted | None:
        """The timer the turn just before started, if it started one."""
        with self._lock:
            return self._just_started.get(satellite)

    def change_of(self, commands: Sequence[Command]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
        """For commands about to be sent: each device's value of the fields they set (None where not
        known) beside what they set; `set_last_change` keeps it for "undo"."""
        with self._lock:
            expected = {c.device_id: c.expect for c in commands if c.expect}
            now = {d: self._states[d].state if d in self._states else {} for d in expected}
            return {d: ({k: now[d].get(k) for k in after}, dict(after)) for d, after in expected.items()}

    def set_last_change(
        self, satellite: str, change: dict[str, tuple[dict[str, Any], dict[str, Any]]]
    ) -> None:
        """What the last command on this satellite changed: "undo" puts it back."""
        with self._lock:
            self._last_change[satellite] = dict(change)

    def last_change(self, satellite: str) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
        with self._lock:
            return dict(self._last_change.get(satellite, {}))

    def set_just_changed(self, satellite: str, changed: bool) -> None:
        """Whether this satellite's turn just finished changed devices: "that's wrong" then takes it back."""
        with self._lock:
            (self._just_changed.add if changed else self._just_changed.discard)(satellite)

    def just_changed(self, satellite: str) -> bool:
        with self._lock:
            return satellite in self._just_changed

    def set_running_timers(self, satellite: str, count: int, alarms: Sequence[SetAlarm] = ()) -> None:
        """How many timers this satellite's pipeline runs (it owns them): 'stop the oven' with none
        running is less likely the oven timer (`rank.timer_is_running`); and its alarms ("move my
        alarm to 8" keeps it in the morning and on its days, and asks which of several)."""
        with self._lock:
            self._timers[satellite] = count
            self._alarms[satellite] = sorted(alarms, key=lambda a: a.seconds)

    def alarms(self, satellite: str) -> list[SetAlarm]:
        """This satellite's alarms, the one that rings first first."""
        with self._lock:
            return list(self._alarms.get(satellite, ()))

    def running_timers(self, satellite: str) -> int:
        with self._lock:
            return self._timers.get(satellite, 0)  # no pipeline said: nothing runs a timer

    # preferences -----------------------------------------------------------------------------
    def set_preference(self, person: str, key: str, value: Any) -> None:
        with self._lock:
            self._remembered(person)[key] = value
            if self.memory is not None:
                self.memory.set_preference(person, key, value)

    def preferences(self, person: str) -> dict[str, Any]:
        with self._lock:
            return dict(self._remembered(person))

    def _remembered(self, person: str) -> dict[str, Any]:
        if person not in self._preferences:  # first use since start: what was taught before
            self._preferences[person] = self.memory.preferences(person) if self.memory is not None else {}
        return self._preferences[person]
