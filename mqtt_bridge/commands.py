"""Commands out, confirmed by the device's own state echo.

`execute(commands)` publishes each `Command` (QoS 1) and waits, without polling, until every device
has reported a state that matches the command's `expect` fields:

- success: every device echoed the expected state within the timeout (default 2 s);
- failure: a device is unknown or unavailable, we are not connected, or the broker did not accept
  the message;
- unknown: the message went out but no matching echo came back in time (or the device reports no
  state at all), so nobody can tell whether it worked.

A `ContextStore.on_state` listener bumps a per-device update counter under a condition variable; the
caller waits on that condition, so a state message wakes it the moment the bridge applies it.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from paho.mqtt.enums import MQTTErrorCode

from mqtt_bridge.client import MqttClient
from runtime.context import ContextStore
from runtime.events import ActionResult, Command

# how far a reported number may be from the requested one and still confirm it (device rounding:
# zigbee2mqtt brightness is 0-254, so 50% comes back as 127 -> 50%, sometimes 49%)
TOLERANCE: dict[str, float] = {"brightness": 1.0, "position": 1.0, "volume": 1.0}
DEFAULT_TOLERANCE = 0.5


def matches(state: dict[str, Any], expect: dict[str, Any]) -> bool:
    """Whether the reported state has every expected field (numbers within tolerance)."""
    for key, want in expect.items():
        have = state.get(key)
        if have is None:
            return False
        numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (want, have))
        if numbers:
            if abs(float(have) - float(want)) > TOLERANCE.get(key, DEFAULT_TOLERANCE):
                return False
        elif str(have).strip().lower() != str(want).strip().lower():
            return False
    return True


class CommandExecutor:
    def __init__(self, client: MqttClient, ctx: ContextStore, timeout_s: float = 2.0) -> None:
        self.client, self.ctx, self.timeout_s = client, ctx, timeout_s
        self._cond = threading.Condition()
        self._updates: dict[str, int] = defaultdict(int)
        self.last_publish_s: float | None = None  # execute() start -> the broker's PUBACK of the last command
        ctx.on_state(self._on_state)

    def _on_state(self, device_id: str, fields: dict[str, Any]) -> None:
        with self._cond:
            self._updates[device_id] += 1
            self._cond.notify_all()

    def execute(self, commands: Sequence[Command], timeout_s: float | None = None) -> ActionResult:
        timeout = self.timeout_s if timeout_s is None else timeout_s
        started = time.monotonic()
        deadline = started + timeout
        self.last_publish_s = None
        if not commands:
            return ActionResult("unknown", "no command to send")
        failures: list[str] = []
        waiting: dict[str, tuple[int, dict[str, Any]]] = {}  # device -> (updates before, expect)
        silent: list[str] = []  # devices that report no state
        for cmd in commands:
            problem = self._check(cmd)
            if problem:
                failures.append(problem)
                continue
            with self._cond:
                before = self._updates[cmd.device_id]
            problem = self._publish(cmd, deadline)
            if problem:
                failures.append(problem)
                continue
            self.last_publish_s = time.monotonic() - started
            if self._is_satellite(cmd.device_id):
                continue  # one of our own satellites: the broker's acknowledgement is all it gives
            device = self.ctx.device(cmd.device_id)
            if device is None or not device.state_topic:
                silent.append(cmd.device_id)
            else:
                waiting[cmd.device_id] = (before, dict(cmd.expect))
        confirmed = self._wait(waiting, deadline)
        if failures:
            return ActionResult("failure", "; ".join(failures))
        missing = [d for d in waiting if d not in confirmed] + silent
        if not waiting and not silent:
            return ActionResult("success", "acknowledged by the broker")
        if missing:
            why = [f"{d}: no state echo within {timeout:g} s" for d in missing if d in waiting]
            why += [f"{d}: reports no state" for d in silent]
            return ActionResult("unknown", "; ".join(why))
        return ActionResult("success", "confirmed by " + ", ".join(sorted(confirmed)))

    def _is_satellite(self, device_id: str) -> bool:
        return any(s.id == device_id for s in self.ctx.config.satellites)

    def _check(self, cmd: Command) -> str | None:
        if self.ctx.device(cmd.device_id) is None and not self._is_satellite(cmd.device_id):
            return f"{cmd.device_id}: unknown device"
        state = self.ctx.state(cmd.device_id)
        if state is not None and not state.available:
            return f"{cmd.device_id}: device is unavailable"
        if not self.client.connected.is_set():
            return f"{cmd.device_id}: not connected to the MQTT broker"
        return None

    def _publish(self, cmd: Command, deadline: float) -> str | None:
        try:
            info = self.client.publish(cmd.topic, cmd.payload, qos=1)
        except ValueError as e:  # an invalid topic or an oversized payload
            return f"{cmd.device_id}: cannot publish: {e}"
        if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
            return f"{cmd.device_id}: publish failed ({info.rc.name})"
        try:
            info.wait_for_publish(max(0.0, deadline - time.monotonic()))
        except (RuntimeError, ValueError) as e:  # paho: not queued, or the connection failed
            return f"{cmd.device_id}: publish failed ({e})"
        if not info.is_published():
            return f"{cmd.device_id}: the broker did not acknowledge the command"
        return None

    def _wait(self, waiting: dict[str, tuple[int, dict[str, Any]]], deadline: float) -> set[str]:
        """Blocks until every device echoed a matching state after its command, or the deadline."""
        confirmed: set[str] = set()
        with self._cond:
            while True:
                for device_id, (before, expect) in waiting.items():
                    if device_id in confirmed or self._updates[device_id] <= before:
                        continue
                    state = self.ctx.state(device_id)
                    if state is not None and matches(state.state, expect):
                        confirmed.add(device_id)
                left = deadline - time.monotonic()
                if len(confirmed) == len(waiting) or left <= 0:
                    return confirmed
                self._cond.wait(left)
