"""Simulated devices for the demo: the devices of devices.yaml as a real MQTT client.

Each device listens on its command topic(s), applies the command to its state the way the real
thing would (a light given a brightness turns on, blinds at position 0 are closed, an oven that is
on heats to its set point) and publishes its new state, retained, on its state topic in its own
convention (generic, zigbee2mqtt or Home Assistant; see runtime/conventions.py). The pipeline then
sees the echo exactly as it would from real devices.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt

from runtime.config import Config, Device
from runtime.conventions import ConventionError, command_topic, parse_command, state_payload

log = logging.getLogger(__name__)

ChangeListener = Callable[[Device, dict[str, Any], dict[str, Any]], None]  # device, old, new


def initial_state(device: Device) -> dict[str, Any]:
    """A plausible resting state per device type (sensors get a reading)."""
    t = device.type
    if t == "light":
        return {"state": "off", "brightness": 100} if "brightness" in device.features else {"state": "off"}
    if t == "oven":
        return {"state": "off", "temperature": 21, "target_temperature": 180}
    if t == "climate":
        return {"state": "on", "temperature": 20.5, "target_temperature": 21}
    if t == "cover":
        return {"state": "closed", "position": 0}
    if t == "lock":
        return {"state": "locked"}
    if t == "media_player":
        return {"state": "paused", "volume": 30}
    if t == "sensor":
        return {"temperature": 8.0 if "outdoor" in device.id or "outside" in device.name else 19.5}
    return {"state": "off"}  # switch, fan, tv


def apply_command(device: Device, state: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """The device's state after obeying `fields`: pure, so it is easy to test and to read."""
    new = {**state, **{k: v for k, v in fields.items() if k != "media_command"}}
    level = {"light": "brightness", "fan": "percentage"}.get(device.type, "")
    if level and fields.get(level, 0) > 0 and "state" not in fields:  # a brightness or a speed: it turns on
        new["state"] = "on"
    if device.type == "cover":
        if "position" in fields:
            new["state"] = "open" if fields["position"] > 0 else "closed"
        elif fields.get("state") == "open":
            new["position"] = 100
        elif fields.get("state") == "closed":
            new["position"] = 0
        elif fields.get("state") == "stopped":
            new["state"] = "open" if new.get("position", 0) > 0 else "closed"
    if device.type == "oven":  # an instant oven: the demo should not wait for it to heat up
        on = new.get("state") == "on"
        new["temperature"] = new.get("target_temperature", 180) if on else 21
    if device.type == "media_player" and fields.get("state") == "on":
        new["state"] = "playing"
    return new


class DeviceSimulator:
    """All simulated devices behind one paho client."""

    def __init__(self, config: Config, host: str, port: int, client_id: str = "ambient-simulator") -> None:
        self.devices = {d.id: d for d in config.devices}
        self.states = {d.id: initial_state(d) for d in config.devices}
        self._routes: dict[str, Device] = {}  # command topic -> device
        for d in config.devices:
            try:
                topic = command_topic(d)
            except ConventionError:
                continue  # read-only sensors
            self._routes[topic] = d
            if d.convention == "homeassistant":  # HA covers and climate use sibling topics
                base = topic.removesuffix("/set")
                self._routes[f"{base}/position/set"] = d
                self._routes[f"{base}/mode/set"] = d
        self.host, self.port = host, port
        self._listeners: list[ChangeListener] = []
        self._lock = threading.Lock()
        self._ready = threading.Event()  # connected, and the command topics acknowledged
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message
        self._subscribe_mid: int | None = None
        self.commands_seen = 0

    def on_change(self, listener: ChangeListener) -> None:
        self._listeners.append(listener)

    def start(self, timeout: float = 10) -> DeviceSimulator:
        self.client.connect(self.host, self.port, keepalive=30)
        self.client.loop_start()
        if not self._ready.wait(timeout):
            self.client.loop_stop()
            raise ConnectionError(f"the device simulator could not connect to {self.host}:{self.port}")
        return self

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            log.error("simulator: connection refused: %s", reason)
            return
        # ready once the broker has acknowledged the command topics: a command published by
        # another client before then would be dropped by the broker, not queued for us
        if not self._routes:
            self._ready.set()
        else:
            _, self._subscribe_mid = client.subscribe([(topic, 1) for topic in self._routes])
        for device_id in self.devices:
            self._publish(device_id)

    def _on_subscribe(self, _c: mqtt.Client, _u: Any, mid: int, _codes: Any, _p: Any) -> None:
        if mid == self._subscribe_mid:
            self._ready.set()

    def _on_message(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        device = self._routes.get(msg.topic)
        if device is None:
            return
        try:
            fields = parse_command(device, msg.topic, bytes(msg.payload))
        except ConventionError as e:
            log.warning("simulator: %s ignores a command it cannot read: %s", device.id, e)
            return
        self.commands_seen += 1
        self.set_state(device.id, fields, command=True)

    def set_state(self, device_id: str, fields: dict[str, Any], *, command: bool = False) -> dict[str, Any]:
        """Change a device as if someone used it (or, with command=True, as a command asks)."""
        device = self.devices[device_id]
        with self._lock:
            old = self.states[device_id]
            new = apply_command(device, old, fields) if command else {**old, **fields}
            if device.type == "oven" and not command:
                new = apply_command(device, new, {})
            self.states[device_id] = new
        self._publish(device_id)
        for listener in self._listeners:
            listener(device, old, new)
        return new

    def _publish(self, device_id: str) -> None:
        device = self.devices[device_id]
        if not device.state_topic and not device.command_topic:
            return
        topic, payload = state_payload(device, self.states[device_id])
        self.client.publish(topic, payload, qos=1, retain=True)

    def wait_for(
        self, device_id: str, predicate: Callable[[dict[str, Any]], bool], timeout: float = 5
    ) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if predicate(self.states[device_id]):
                    return True
            time.sleep(0.01)
        return False
