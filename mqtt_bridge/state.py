"""Device states in: every state message lands in the ContextStore inside the message callback.

- devices.yaml devices: their `state_topic`, in their convention (generic, zigbee2mqtt, Home
  Assistant); zigbee2mqtt devices also report `<state_topic>/availability` (`online`/`offline` or
  `{"state": "online"}`).
- Home Assistant discovery (when `config.mqtt.discovery`): configs on `homeassistant/.../config`
  add devices to the context's registry and subscribe their state/availability topics; an empty
  config removes them.

The update is applied synchronously in the MQTT callback, so the NLU sees a state change as soon as
the message has been delivered. Anything unusable raises `MessageError`; the client counts it.
"""

from __future__ import annotations

import json
import logging
import math
import threading
from collections.abc import Callable
from typing import Any

from mqtt_bridge.client import MessageError, MqttClient
from mqtt_bridge.discovery import DiscoveredEntity, DiscoveryError, parse_config_payload
from mqtt_bridge.topics import HA_DISCOVERY_FILTERS, parse_discovery_topic, z2m_availability
from runtime.config import Device
from runtime.context import ContextStore
from runtime.conventions import ConventionError
from runtime.conventions import parse_state as convention_parse_state

log = logging.getLogger(__name__)

Handler = Callable[[str, bytes], None]
AVAILABLE_WORDS = {"online": True, "offline": False, "true": True, "false": False}


def parse_state(device: Device, payload: bytes) -> dict[str, Any]:
    """State payload -> normalized fields. The one place that knows who converts conventions."""
    try:
        fields = convention_parse_state(device, payload)
    except (ConventionError, RecursionError) as e:  # RecursionError: absurdly nested JSON
        raise MessageError("bad_state", str(e) or type(e).__name__) from None
    return clean_fields(fields)


def clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Drops values the context must never hold (NaN, infinities, absurd numbers)."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if isinstance(value, float) and not math.isfinite(value):
            continue
        if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > 1e9:
            continue
        out[key] = value
    if not out:
        raise MessageError("bad_state", "no usable fields")
    return out


def parse_availability(payload: bytes, online: str = "online", offline: str = "offline") -> bool:
    """`online`/`offline` (or the configured words), or zigbee2mqtt's `{"state": "online"}`."""
    try:
        text = payload.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise MessageError("bad_availability", "not UTF-8") from None
    if text == online:
        return True
    if text == offline:
        return False
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            raise MessageError("bad_availability", "not JSON") from None
        if isinstance(data, dict) and isinstance(data.get("state"), str):
            text = data["state"]
    value = AVAILABLE_WORDS.get(text.strip().lower())
    if value is None:
        raise MessageError("bad_availability", repr(text[:40]))
    return value


def _numeric_field(field: str, payload: bytes) -> dict[str, Any]:
    try:
        value = float(payload.decode("utf-8").strip())
    except (UnicodeDecodeError, ValueError):
        raise MessageError("bad_state", f"{field} expects a number") from None
    if field == "brightness":  # Home Assistant's brightness topics are 0-255
        value = round(max(0.0, min(255.0, value)) * 100 / 255)
    return clean_fields({field: value})


class StateIngest:
    """Subscribes device state topics and applies each message to the context."""

    def __init__(self, client: MqttClient, ctx: ContextStore, *, discovery: bool = True) -> None:
        self.client, self.ctx = client, ctx
        self.discovery = discovery
        self._entities: dict[str, DiscoveredEntity] = {}  # discovery key -> entity
        self._routes: dict[str, list[tuple[str, Handler]]] = {}  # discovery key -> its routes
        # devices.yaml device -> (what its routes depend on, the routes)
        self._configured: dict[str, tuple[tuple[str | None, str], list[tuple[str, Handler]]]] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        self.reload()
        if self.discovery:
            self.client.route_many(HA_DISCOVERY_FILTERS, self.on_discovery)

    def reload(self) -> tuple[int, int]:
        """Routes the devices of `ctx.config` (again, after a SIGHUP reload): devices that are gone
        or whose state topic/convention changed are unsubscribed, new ones subscribed.
        Returns (routed, unrouted) device counts."""
        wanted = {d.id: d for d in self.ctx.config.devices}
        unrouted = routed = 0
        with self._lock:
            for device_id, (key, routes) in list(self._configured.items()):
                d = wanted.get(device_id)
                if d is None or (d.state_topic, d.convention) != key:
                    for topic, handler in routes:
                        self.client.unroute(topic, handler)
                    del self._configured[device_id]
                    unrouted += 1
            for device_id, d in wanted.items():
                if device_id not in self._configured:
                    routes = self._device_routes(d)
                    self._configured[device_id] = ((d.state_topic, d.convention), routes)
                    for topic, handler in routes:
                        self.client.route(topic, handler)
                    routed += 1
        return routed, unrouted

    def _device_routes(self, device: Device) -> list[tuple[str, Handler]]:
        routes: list[tuple[str, Handler]] = []
        if device.state_topic:
            routes.append((device.state_topic, self._state_handler(device.id)))
            if device.convention == "zigbee2mqtt":
                routes.append((z2m_availability(device.state_topic), self._availability_handler(device.id)))
        return routes

    # handlers -----------------------------------------------------------------------------------
    def _device(self, device_id: str) -> Device:
        device = self.ctx.device(device_id)
        if device is None:  # removed while its message was in flight
            raise MessageError("unknown_device", device_id)
        return device

    def _state_handler(self, device_id: str) -> Handler:
        def handle(topic: str, payload: bytes) -> None:
            self.ctx.update_state(device_id, parse_state(self._device(device_id), payload))

        return handle

    def _availability_handler(
        self, device_id: str, online: str = "online", offline: str = "offline"
    ) -> Handler:
        def handle(topic: str, payload: bytes) -> None:
            self._device(device_id)
            self.ctx.set_available(device_id, parse_availability(payload, online, offline))

        return handle

    def _discovered_state_handler(self, entity: DiscoveredEntity) -> Handler:
        device_id = entity.device.id

        def handle(topic: str, payload: bytes) -> None:
            device = self._device(device_id)
            if entity.value_key is not None:
                try:
                    data = json.loads(payload)
                except (ValueError, UnicodeDecodeError, RecursionError):
                    raise MessageError("bad_state", "value_template expects JSON") from None
                if not isinstance(data, dict) or entity.value_key not in data:
                    raise MessageError("bad_state", f"no {entity.value_key!r} in the state JSON")
                payload = json.dumps(data[entity.value_key]).encode()
            plain = entity.plain_states.get(payload.decode("utf-8", errors="replace").strip())
            fields = {"state": plain} if plain is not None else parse_state(device, payload)
            self.ctx.update_state(device_id, fields)

        return handle

    def _field_handler(self, device_id: str, field: str) -> Handler:
        def handle(topic: str, payload: bytes) -> None:
            self._device(device_id)
            self.ctx.update_state(device_id, _numeric_field(field, payload))

        return handle

    # discovery ----------------------------------------------------------------------------------
    def on_discovery(self, topic: str, payload: bytes) -> None:
        dt = parse_discovery_topic(topic)
        if dt is None:
            raise MessageError("bad_discovery", "not a discovery config topic")
        if not payload.strip():
            self.remove(dt.key)
            return
        try:
            entity = parse_config_payload(self.ctx.config, dt, payload)
        except DiscoveryError as e:
            raise MessageError("bad_discovery", str(e)) from None
        self.add(entity)

    def add(self, entity: DiscoveredEntity) -> bool:
        """Register (or update) a discovered entity; devices.yaml entries are never overridden."""
        device = entity.device
        if any(d.id == device.id for d in self.ctx.config.devices):
            self.client.stats.add("discovery_ignored")  # devices.yaml is authoritative
            return False
        with self._lock:
            old = self._entities.get(entity.key)
            if old == entity:  # the same config again (Home Assistant re-announces on its restart)
                return False
            if old is not None:
                self._drop_routes(entity.key)
                if old.device.id != device.id:
                    self.ctx.remove_device(old.device.id)
            self._entities[entity.key] = entity
            routes: list[tuple[str, Handler]] = []
            if device.state_topic:
                routes.append((device.state_topic, self._discovered_state_handler(entity)))
            for t, field in entity.field_topics.items():
                routes.append((t, self._field_handler(device.id, field)))
            if entity.availability_topic:
                handler = self._availability_handler(
                    device.id, entity.payload_available, entity.payload_not_available
                )
                routes.append((entity.availability_topic, handler))
            self._routes[entity.key] = routes
        self.ctx.add_device(device)
        for t, handler in routes:
            self.client.route(t, handler)
        self.client.stats.add("discovery_added")
        return True

    def remove(self, key: str) -> bool:
        with self._lock:
            entity = self._entities.pop(key, None)
            if entity is None:
                return False
            self._drop_routes(key)
        self.ctx.remove_device(entity.device.id)
        self.client.stats.add("discovery_removed")
        return True

    def _drop_routes(self, key: str) -> None:
        for t, handler in self._routes.pop(key, []):
            self.client.unroute(t, handler)

    def discovered(self) -> dict[str, DiscoveredEntity]:
        with self._lock:
            return dict(self._entities)
